"""The credit blacklist: USCC validation, company names, the file validated whole, and a seller
matched by code, shop or company name carrying seller_history (issue 14, deliverable 5).

Every 统一社会信用代码 here is made up: 17 characters chosen for the test and the check
character stdnum computes for them. None is copied from a real company."""

from __future__ import annotations

import shutil

import pytest
from stdnum.cn import uscc as stdnum_uscc

from monitor.i18n import use_locale
from monitor.rules.blocklist import Blocklist, load_blocklist, merge, parse_date, read_blocklist
from monitor.rules.companies import companies_in_listing, company_key, uscc_in_listing, uscc_problem
from monitor.rules.engine import Engine
from monitor.rules.explain import explain
from monitor.rules.packs import RulePackError, load_packs
from monitor.rules.seller_signals import COMPANY_STRENGTH, seller_signals
from monitor.rules.watchlist import Watchlist
from monitor.yamlfile import YamlError
from tests.conftest import ROOT

HEADER = "site,seller_id,company,uscc,source,listed_on,reason\n"


def made_up(body: str) -> str:
    """A code with a valid check character for 17 made-up characters."""
    assert len(body) == 17
    return body + stdnum_uscc.calc_check_digit(body)


def wrong_check(code: str) -> str:
    other = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[-1])
    return code[:-1] + other


CODE_A = made_up("91330782MA2TEXT01")
CODE_B = made_up("92440300MA5TEXT02")
CODE_C = made_up("91310000MA1TEXT03")


def write(path, rows: str):
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- codes and names

def test_made_up_codes_are_valid_and_a_wrong_check_character_is_not():
    for code in (CODE_A, CODE_B, CODE_C):
        assert uscc_problem(code) is None
        assert stdnum_uscc.is_valid(code)
        what, todo = uscc_problem(wrong_check(code))
        assert "check character" in what and "18th" in what and "国家企业信用信息公示系统" in todo
    assert "18" in uscc_problem(CODE_A[:-2])[0]
    assert "character 9" in uscc_problem(CODE_A[:8] + "O" + CODE_A[9:])[0]  # a letter O for the digit 0


def test_company_names_compare_across_width_brackets_script_and_company_form():
    key = company_key("某某（义乌）贸易有限公司")
    for same in ("某某(义乌)贸易有限公司", "某某【义乌】贸易有限责任公司", "某某 (義烏) 貿易有限責任公司", "某某义乌贸易有限公司"):
        assert company_key(same) == key, same
    assert company_key("某某（义乌）贸易股份有限公司") != key  # another company form
    assert company_key("ＡＢＣ Trading Co.") == company_key("abc trading co")


def test_codes_are_found_in_text_and_attributes_only_with_a_valid_check_character():
    listing = {
        "title": "洗发水 500ml",
        "description": f"营业执照信息 统一社会信用代码：{CODE_A}。订单号 {wrong_check(CODE_B)} 与 X{CODE_C} 不算",
        "attributes": {"执照": f"统一社会信用代码 {CODE_B.lower()}", "批号": "AB12345678CD901234"},
    }
    found = list(uscc_in_listing(listing))
    assert [f.value for f in found] == [CODE_A, CODE_B]
    assert found[0].evidence.field == "description" and found[0].evidence.text == CODE_A
    assert found[1].evidence.field == "attributes.执照"
    # full-width digits and letters, as some shops paste them
    wide = "".join(chr(ord(c) + 0xFEE0) for c in CODE_A)
    [hit] = uscc_in_listing({"description": f"信用代码：{wide}"})
    assert hit.value == CODE_A and hit.evidence.text == wide


def test_company_names_come_from_the_seller_licence_attributes_and_labelled_text():
    listing = {"seller_name": "某某旗舰店", "attributes": {"企业名称": " 某某贸易有限公司 ", "生产企业": "另一家有限公司"},
               "description": "营业执照：公司名称：第三家商贸有限公司，地址：某地"}
    names = [(f.value, f.evidence.field) for f in companies_in_listing(listing)]
    assert ("某某贸易有限公司", "attributes.企业名称") in names
    assert ("第三家商贸有限公司", "description") in names
    assert ("某某旗舰店", "seller_name") in names
    assert all(v != "另一家有限公司" for v, _ in names)  # the manufacturer is not the seller


# --------------------------------------------------------------------------- the file

def test_a_wrong_check_character_is_refused_naming_file_row_and_field(tmp_path):
    path = write(tmp_path / "blocklist.csv",
                 f",,某某贸易有限公司,{CODE_A},严重违法失信名单,2026-03-05,售假\n"
                 f",,另一家贸易有限公司,{wrong_check(CODE_B)},court,2026-01-02,\n")
    with pytest.raises(YamlError) as caught:
        read_blocklist(path)
    text = str(caught.value)
    assert f"{path}:3: uscc:" in text and "check character" in text
    assert ":2:" not in text  # the good row is not blamed
    assert "The block list was not changed" in text


def test_every_bad_row_is_reported_and_the_file_is_refused_whole(tmp_path):
    path = write(tmp_path / "blocklist.csv",
                 f"baihuo,,,,,,\n,,有限公司,,nowhere,2099-01-01,\n,,某某有限公司,{CODE_A},,,\n"
                 f"baihuo,s1,,,,,\nbaihuo,s1,,,,,again\n,,,{CODE_C},platform,2026-02-30,\n")
    with pytest.raises(YamlError) as caught:
        read_blocklist(path)
    problems = {(line, field) for line, field, _ in caught.value.problems}
    assert problems == {(2, "seller_id"), (3, "company"), (3, "source"), (3, "listed_on"),
                        (4, "source"), (4, "listed_on"), (6, "seller_id"), (7, "listed_on")}


def test_the_first_form_of_the_block_list_still_loads(tmp_path):
    path = tmp_path / "blocklist.csv"
    path.write_text("site,seller_id,reason\nbaihuo,s9,confirmed counterfeiter 2026-03\n", encoding="utf-8")
    blocklist = load_blocklist(path)
    assert len(blocklist) == 1 and blocklist.get(("baihuo", "s9")).reason == "confirmed counterfeiter 2026-03"
    assert len(load_blocklist(tmp_path / "missing.csv")) == 0


def test_a_list_of_companies_needs_no_shop_columns(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(f"company,uscc,source,listed_on\n某某贸易有限公司,{CODE_A},经营异常名录,2026-01-02\n", encoding="utf-8")
    [entry] = read_blocklist(path).entries
    assert (entry.company, entry.uscc, entry.source, entry.shop) == ("某某贸易有限公司", CODE_A, "abnormal_operations", None)
    path.write_text("company,uscc,owner\n", encoding="utf-8")
    with pytest.raises(YamlError, match="unknown column"):
        read_blocklist(path)


def test_dates_are_read_as_spreadsheets_write_them():
    assert parse_date("2026/3/5") == parse_date("2026年3月5日") == parse_date("2026.03.05") == "2026-03-05"
    with pytest.raises(ValueError):
        parse_date("5/3/2026")


def test_a_broken_block_list_stops_the_rule_packs_whole(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    write(folder / "blocklist.csv", f",,某某贸易有限公司,{wrong_check(CODE_A)},court,2026-01-02,\n")
    with pytest.raises(RulePackError) as caught:
        load_packs(folder)
    assert f"{folder / 'blocklist.csv'}:2: uscc:" in str(caught.value)


def test_merge_updates_the_same_shop_code_or_company_and_never_blanks_a_field(tmp_path):
    current = read_blocklist(write(tmp_path / "blocklist.csv",
                                   f"baihuo,s1,某某贸易有限公司,{CODE_A},court,2026-01-02,first\n"
                                   f",,另一家有限公司,,own_office,2026-01-03,\n"))
    incoming = read_blocklist(write(tmp_path / "in.csv",
                                    "baihuo,s1,,,,,second\n"
                                    ",,另一家有限责任公司,,own_office,2026-01-03,\n"
                                    f"kuaigou,k7,,{CODE_B},平台,2026-02-01,\n"))
    result = merge(current, incoming)
    assert [e.line for e in result.added] == [4] and len(result.updated) == 2 and result.unchanged == []
    shop = result.blocklist.get(("baihuo", "s1"))
    assert shop.reason == "second" and shop.uscc == CODE_A and shop.company == "某某贸易有限公司"
    assert len(result.blocklist) == 3 and result.blocklist.by_uscc[CODE_B].shop == ("kuaigou", "k7")
    # the same company written with 有限责任公司 is the same entry, updated
    assert [e.company for e in result.updated] == ["某某贸易有限公司", "另一家有限责任公司"]


def test_merge_refuses_a_listed_shop_with_another_code(tmp_path):
    current = read_blocklist(write(tmp_path / "blocklist.csv", f"baihuo,s1,,{CODE_A},court,2026-01-02,\n"))
    incoming = read_blocklist(write(tmp_path / "in.csv", f",,,{CODE_C},court,2026-01-02,\n"
                                                         f"baihuo,s1,,{CODE_B},court,2026-01-02,\n"))
    with pytest.raises(YamlError) as caught:
        merge(current, incoming)
    assert f"{tmp_path / 'in.csv'}:3: uscc:" in str(caught.value)


# --------------------------------------------------------------------------- matching sellers

@pytest.fixture
def blocklist(tmp_path) -> Blocklist:
    return read_blocklist(write(tmp_path / "blocklist.csv",
                                f",,某某（义乌）贸易有限公司,{CODE_A},严重违法失信名单,2026-03-05,售假化肥\n"
                                "baihuo,s9,,,,,confirmed counterfeiter\n"
                                f",,另一家化妆品有限公司,{CODE_B},经营异常名录,2026-02-01,\n"))


def history(listing, blocklist):
    found = [s for s in seller_signals(listing, [], Watchlist(), blocklist) if s.name == "seller_history"]
    assert len(found) <= 1
    return found[0] if found else None


def test_a_seller_whose_listing_shows_a_listed_code_carries_seller_history(blocklist):
    listing = {"site": "greenmart", "seller_id": "g1", "seller_name": "农资小店",
               "description": f"本店营业执照 统一社会信用代码：{CODE_A}"}
    signal = history(listing, blocklist)
    assert signal.strength == 1.0 and signal.kind == "seller"
    assert signal.details["blocklist"]["matched_by"] == "uscc" and signal.details["blocklist"]["line"] == 2
    assert signal.evidence[0].text == CODE_A and signal.evidence[0].field == "description"
    assert CODE_A in signal.explanation and "2026-03-05" in signal.explanation and "售假化肥" in signal.explanation
    # a wrong check character in the listing is no match
    assert history(dict(listing, description=f"统一社会信用代码：{wrong_check(CODE_A)}"), blocklist) is None


def test_a_seller_matched_by_company_name_carries_seller_history(blocklist):
    listing = {"site": "greenmart", "seller_id": "g2", "seller_name": "某店",
               "attributes": {"经营者名称": "某某(義烏)貿易有限責任公司"}}
    signal = history(listing, blocklist)
    assert signal.details["blocklist"]["matched_by"] == "company" and signal.strength == COMPANY_STRENGTH
    assert signal.evidence[0].field == "attributes.经营者名称"
    named = history({"site": "kuaigou", "seller_id": "k2", "seller_name": "另一家化妆品有限公司"}, blocklist)
    assert named.details["blocklist"]["matched_by"] == "company"
    # a longer name (a branch) is not the listed company
    assert history({"site": "kuaigou", "seller_id": "k3", "seller_name": "另一家化妆品有限公司义乌分公司"}, blocklist) is None


def test_a_seller_matched_by_shop_carries_seller_history_as_before(blocklist):
    listing = {"site": "baihuo", "seller_id": "s9", "seller_name": "汽配小店", "title": "刹车片"}
    signal = history(listing, blocklist)
    assert signal.explanation == "汽配小店 is on the block list (rules/blocklist.csv line 3): confirmed counterfeiter"
    assert signal.details["blocklist"]["matched_by"] == "shop" and signal.strength == 1.0
    assert history(dict(listing, site="kuaigou"), blocklist) is None  # the same id on another site


def test_the_engine_scores_a_blocked_company_and_nothing_else_changes(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    listing = {"site": "greenmart", "listing_id": "1", "seller_id": "g1", "seller_name": "农资小店",
               "category": "agri_inputs", "title": "复合肥 40kg", "description": f"统一社会信用代码：{CODE_A}"}
    before = Engine(load_packs(folder)).assess(listing)
    write(folder / "blocklist.csv", f",,某某贸易有限公司,{CODE_A},court,2026-01-02,\n")
    after = Engine(load_packs(folder)).assess(listing)
    assert "seller_history" not in [s.name for s in before.signals]
    assert [s.name for s in after.signals if s.name not in [b.name for b in before.signals]] == ["seller_history"]
    assert after.score > before.score


def test_the_explanation_is_a_message_template_with_its_parts_as_parameters(blocklist, tmp_path):
    listing = {"site": "greenmart", "seller_id": "g1", "description": f"统一社会信用代码：{CODE_A}"}
    signal = history(listing, blocklist)
    assert signal.message.startswith("%(match)s (rules/blocklist.csv line %(line)s; %(source)s")
    assert signal.params["match"]["params"] == {"uscc": CODE_A, "company": "某某（义乌）贸易有限公司"}
    assert signal.params["source"] == {"message": "list of seriously illegal and dishonest enterprises", "params": {}}
    assert signal.params["reason"] == "售假化肥" and signal.params["line"] == 2
    with use_locale("en"):
        assert explain(signal) == signal.explanation
    codes_only = read_blocklist(write(tmp_path / "codes.csv", f",,,{CODE_C},court,2026-01-02,\n"))
    unnamed = history({"site": "x", "seller_id": "y", "description": CODE_C}, codes_only)
    assert unnamed.params["match"]["message"].endswith("%(uscc)s, which is on the block list")
    assert unnamed.params["reason"] == {"message": "no reason given", "params": {}}


def test_a_chinese_page_explains_a_block_list_match_in_chinese(blocklist):
    listing = {"site": "greenmart", "seller_id": "g1", "description": f"统一社会信用代码：{CODE_A}"}
    signal = history(listing, blocklist)
    with use_locale("zh_CN"):
        text = explain(signal)
    assert text == (f"商品页面显示某某（义乌）贸易有限公司的统一社会信用代码 {CODE_A}，该企业在黑名单中"
                    "（rules/blocklist.csv 第 2 行；严重违法失信名单，列入日期 2026年3月5日）：售假化肥")
    shop = history({"site": "baihuo", "seller_id": "s9"}, blocklist)
    with use_locale("zh_CN"):
        assert explain(shop) == "s9 在黑名单中（rules/blocklist.csv 第 3 行）：confirmed counterfeiter"
