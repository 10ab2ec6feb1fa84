"""The reports a regulator files (issue 14, deliverable 6): half-year and year periods, a report
restricted to one province or city (sellers' locations resolved to GB/T 2260 divisions by the
real monitor.regions), key-period figures for the campaign windows of a real monitor.yaml, the
casework sections, Chinese by default and English on request through the real `monitor report`
command, and a referral moved through every state by `monitor referrals update` appearing with
its outcome in the half-year report.

The store is tests/test_report.py's (tests/report_fixtures.py): its listings keep the sellers'
locations of tests/data/eval ("广东 东莞", "福建 莆田", "浙江 金华"), so which listings are in
which province is known by construction (LISTINGS there):
  浙江 金华: A4 (flagged 2026-03-30, confirmed 04-02), B3 (flagged 04-25, confirmed 05-03);
  广东 东莞: A1, B1, B4, B5, B6, B7;  福建 莆田: A2, A3, B2, C1.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from monitor.i18n import use_locale
from monitor.periods import Period
from monitor.regions import division
from monitor.report import RegionFilter, build_report, parse_label, region_filter
from monitor.report.data import report_data
from monitor.schedule.config import load_config
from monitor.store import open_db
from tests.conftest import run_monitor
from tests.report_fixtures import Q2, build_store, check_self_contained, render_pages, store  # noqa: F401 - store: fixture

H1 = Period("half", date(2026, 1, 1), date(2026, 7, 1))
CHINESE_HEADINGS = ("半年度报告", "主要指标", "按地区：省份", "按地区：城市", "按品类", "按平台", "重点时段",
                    "投诉举报办理", "双随机抽查", "线索移送", "指标说明")
ENGLISH_HEADINGS = ("Half-year report", "Headline figures", "By region: province", "By region: city", "By category",
                    "By site", "Key periods", "Complaints handled", "Random sampling", "Referrals", "Definitions")
# A jobs file with the campaigns of the key-period test (the jobs themselves do not matter here).
CONFIG = """\
language: {language}
jobs:
  - id: greenmart-nightly
    site: greenmart
    base_url: http://127.0.0.1:8101
    allow_private: true
    cron: "10 2 * * *"
campaigns:
  - name: world-ip-day          # 4·26, every year, every category
    start: "04-20"
    end: "04-26"
  - name: may-cosmetics         # a one-off window, cosmetics only
    start: 2026-05-01
    end: 2026-05-12
    categories: [cosmetics]
  - name: castrol-watch         # by mark
    start: 2026-05-01
    end: 2026-06-30
    marks: [Castrol]
  - name: early-summer          # every year, across the end of H1: cut at June 30
    start: "06-20"
    end: "07-10"
  - name: double-11             # outside H1: not in its report
    start: 2026-10-20
    end: 2026-11-12
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    path = tmp_path_factory.mktemp("regulator-config") / "monitor.yaml"
    path.write_text(CONFIG.format(language="zh"), encoding="utf-8")
    return path


def test_half_year_and_year_periods():
    h2 = parse_label("half", "2026-H2")
    assert (h2.since, h2.until, h2.last_day, h2.label) == ("2026-07-01", "2027-01-01", date(2026, 12, 31), "2026-H2")
    assert parse_label("half", "2026-H1") == H1 and H1.next() == h2 and h2.previous() == H1
    assert h2.next().label == "2027-H1" and H1.previous().label == "2025-H2"
    assert [b[0] for b in h2.buckets()] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert h2.contains("2026-12-31T23:59:59Z") and not h2.contains("2027-01-01T00:00:00Z")
    year = parse_label("year", "2026")
    assert (year.since, year.until, year.previous().label) == ("2026-01-01", "2027-01-01", "2025")
    assert parse_label("quarter", "2026-Q4").since == "2026-10-01"
    with use_locale("zh_CN"):
        assert (h2.report_title, h2.title, year.report_title) == ("半年度报告", "2026年下半年", "年度报告")
        assert h2.bounds_local() == "2026年7月1日至2026年12月31日（UTC）"
    with use_locale("en"):
        assert (h2.report_title, h2.title) == ("Half-year report", "second half of 2026")
    for kind, bad in (("half", "2026-H3"), ("half", "2026-2"), ("quarter", "2026-Q5"), ("year", "26")):
        with pytest.raises(ValueError, match="e.g."):
            parse_label(kind, bad)


def test_bad_half_is_a_clear_error(store):
    path, _ = store
    proc = run_monitor("report", "--half", "2026-H3", db_path=path)
    assert proc.returncode == 2
    assert "--half" in proc.stderr and "2026-H3" in proc.stderr and "2026-H2" in proc.stderr, proc.stderr
    proc = run_monitor("report", "--half", "2026-H1", "--year", "2026", db_path=path)
    assert proc.returncode == 2 and "give one period" in proc.stderr
    proc = run_monitor("report", "--half", "2026-H1", "--region", "999999", db_path=path)
    assert proc.returncode == 2 and "999999" in proc.stderr and "GB/T 2260" in proc.stderr


def test_a_region_code_is_the_division_monitor_regions_finds():
    # the same division data and rules as a seller's location (monitor.regions.division)
    assert region_filter("110000") == RegionFilter("province", "110000", "北京市")  # a municipality
    assert region_filter("429004") == RegionFilter("city", "429004", "仙桃市")  # a province-governed city
    assert region_filter("429004").matches(division("429004"))
    assert region_filter("330700").matches(division("330782"))  # 义乌 is in 金华
    for county, city in (("330782", "330700 (金华市)"), ("110105", "110000 (北京市)")):
        with pytest.raises(ValueError, match=re.escape(city)):  # a county matches no seller: refused
            region_filter(county)
    for nothing in ("110100", "999999"):  # a statistical grouping, no division
        with pytest.raises(ValueError, match="no GB/T 2260 province or city code"):
            region_filter(nothing)


def test_regional_report_counts_only_sellers_located_there(store):
    _, db = store
    zhejiang = region_filter("浙江")
    assert (zhejiang.level, zhejiang.code, zhejiang.name) == ("province", "330000", "浙江省")
    assert region_filter("330000") == zhejiang and region_filter("金华").code == "330700"
    with use_locale("en"):
        data = report_data(db, Q2, region=zhejiang)
        whole = report_data(db, Q2)
    cur = data["current"]
    assert (cur["flagged"], cur["confirmed"]) == (1, 2)  # B3; A4 and B3
    assert {s["name"] for s in cur["sellers"]} == {"清颜美妆店"}
    assert (cur["notices"]["sent"], cur["notices"]["listings"]) == (2, 2)  # A4's and B3's
    assert {r["key"]: (r["flagged"], r["confirmed"]) for r in cur["by_region"]["province"]} == {"330000": (1, 2)}
    assert cur["reviews"]["verdicts"] == 2 and cur["new_listings"] == 1
    # the whole country, by province: the three provinces add up to the national figures
    provinces = {r["label"]: (r["flagged"], r["confirmed"]) for r in whole["current"]["by_region"]["province"]}
    assert provinces == {"广东省": (5, 2), "浙江省": (1, 2), "福建省": (1, 1)}
    assert sum(f for f, _ in provinces.values()) == whole["current"]["flagged"] == 7
    cities = {r["code"]: r["label"] for r in whole["current"]["by_region"]["city"]}
    assert cities == {"441900": "广东省 东莞市", "330700": "浙江省 金华市", "350300": "福建省 莆田市"}
    # a city is the same here (both Zhejiang sellers are in 金华), a province without sellers is empty
    assert report_data(db, Q2, region=region_filter("330700"))["current"]["confirmed"] == 2
    assert report_data(db, Q2, region=region_filter("江苏"))["current"]["flagged"] == 0
    html = build_report(db, Q2, "html", region=zhejiang)[0].decode("utf-8")
    assert "<title>季度报告 2026年第2季度 (浙江省)</title>" in html and "行政区划代码 330000" in html
    assert "优选清仓小店" not in html and "清颜美妆店" in html


def test_key_period_figures_per_campaign_window(store, config):
    _, db = store
    campaigns = load_config(config).campaigns
    with use_locale("zh_CN"):
        rows = report_data(db, H1, campaigns=campaigns)["key_periods"]
    got = {r["name"]: (r["since"], r["until"], r["flagged"], r["confirmed"], r["notices"]) for r in rows}
    assert got == {
        # B2 (04-20) and B3 (04-25) flagged; nothing confirmed or notified in the window
        "world-ip-day": ("2026-04-20", "2026-04-27", 2, 0, 0),
        # cosmetics only: B2 and B3 confirmed (05-02, 05-03), B2's notice (05-12); B4 is auto parts
        "may-cosmetics": ("2026-05-01", "2026-05-13", 0, 2, 1),
        # the Castrol mark: B5 flagged (05-15), dismissed
        "castrol-watch": ("2026-05-01", "2026-07-01", 1, 0, 0),
        # cut at the end of the half-year; B7 (06-10) is before it; B3's notice was sent on 06-20
        "early-summer": ("2026-06-20", "2026-07-01", 0, 0, 1),
    }
    assert next(r for r in rows if r["name"] == "world-ip-day")["title"] == "4·26世界知识产权日"
    assert next(r for r in rows if r["name"] == "early-summer")["window"] == "2026年6月20日至2026年6月30日"
    # the second half has the double-11 window and the yearly ones of July
    with use_locale("en"):
        h2 = report_data(db, H1.next(), campaigns=campaigns)["key_periods"]
    assert [(r["name"], r["since"], r["until"]) for r in h2] == [("early-summer", "2026-07-01", "2026-07-11"),
                                                                  ("double-11", "2026-10-20", "2026-11-13")]
    assert h2[0]["flagged"] == 1 and h2[0]["confirmed"] == 1  # C1, flagged 07-02 and confirmed 07-03
    assert h2[1]["title"] == "Double 11"


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[123]>(.*?)</h[123]>", html, flags=re.S)]


def test_chinese_by_default_english_on_request(store, config, tmp_path):
    path, _ = store
    out = tmp_path / "h1.html"
    proc = run_monitor("report", "--half", "2026-H1", "--config", str(config), "-o", str(out), db_path=path)
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    check_self_contained(html)
    headings = _headings(html)
    assert '<html lang="zh-CN">' in html and headings[0] == "半年度报告 2026年上半年"
    for text in CHINESE_HEADINGS:
        assert any(text in h for h in headings), text
    assert not [h for h in headings if re.search(r"[A-Za-z]{3,}", h)], headings  # no English heading
    assert "4·26世界知识产权日" in html and "2026年1月1日至2026年6月30日" in html and "浙江省" in html
    # categories and signals in the analysts' words, not ids or English
    assert "<td>化妆品</td>" in html and "Cosmetics" not in html and "mark_exact" not in html

    english = tmp_path / "h1-en.html"
    proc = run_monitor("report", "--half", "2026-H1", "--config", str(config), "--lang", "en", "-o", str(english),
                       db_path=path)
    assert proc.returncode == 0, proc.stderr
    html = english.read_text(encoding="utf-8")
    headings = _headings(html)
    assert '<html lang="en">' in html and headings[0] == "Half-year report first half of 2026"
    for text in ENGLISH_HEADINGS:
        assert any(text in h for h in headings), text
    assert not any(h in html for h in CHINESE_HEADINGS[:8])
    assert "<td>Cosmetics 化妆品</td>" in html and "<td>protected mark named</td>" in html

    # monitor.yaml's language: is the default; --lang wins over it
    en_config = tmp_path / "monitor.yaml"
    en_config.write_text(CONFIG.format(language="en"), encoding="utf-8")
    by_config = tmp_path / "by-config.html"
    proc = run_monitor("report", "--half", "2026-H1", "--config", str(en_config), "-o", str(by_config),
                       db_path=path)
    assert proc.returncode == 0, proc.stderr
    assert "<h2>Headline figures</h2>" in by_config.read_text(encoding="utf-8")

    pdf = tmp_path / "h1.pdf"
    proc = run_monitor("report", "--half", "2026-H1", "--config", str(en_config), "--lang", "zh", "-o", str(pdf),
                       db_path=path)
    assert proc.returncode == 0, proc.stderr
    text = "\n".join(render_pages(pdf.read_bytes(), "report-2026-H1-zh"))
    for needle in ("半年度报告 2026年上半年", "主要指标", "按地区：省份", "重点时段", "投诉举报办理", "双随机抽查",
                   "线索移送", "广东省", "4·26世界知识产权日"):
        assert needle in text, needle
    assert "Headline figures" not in text


def test_referral_through_every_state_appears_in_the_half_year_report(tmp_path, config):
    path = tmp_path / "monitor.db"
    db = open_db(path)
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            pks = build_store(db, monkeypatch)
    finally:
        db.close()
    proc = run_monitor("referrals", "create", "--listing", str(pks["C1"]), "--reference", "XS-2026-077",
                       "--date", "2026-07-06", db_path=path)
    assert proc.returncode == 0, proc.stderr
    replies = tmp_path / "replies.csv"
    replies.write_text(
        "referral,state,date,authority,authority_kind,outcome,penalty_amount,note\n"
        "XS-2026-077,sent,2026-07-08,金华市市场监督管理局,department,,,\n"
        "XS-2026-077,received,2026-07-10,,,,,\n"
        "XS-2026-077,filed,2026-08-03,,,,,立案调查\n"
        "XS-2026-077,closed,2026-10-15,,,administrative_penalty,128500,罚没款\n", encoding="utf-8")
    proc = run_monitor("referrals", "update", str(replies), db_path=path)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    out = tmp_path / "h2.html"
    proc = run_monitor("report", "--half", "2026-H2", "--config", str(config), "-o", str(out), db_path=path)
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    section = html[html.index("<h2>线索移送</h2>"):html.index("<h2>指标说明</h2>")]
    assert "本版本暂不提供" not in section
    row = re.search(r"<tr><td>XS-2026-077</td><td>金华市市场监督管理局</td><td>([^<]+)</td>"
                    r"<td class=\"n\">([^<]+)</td><td>2026年10月15日</td></tr>", section)
    assert row and row.groups() == ("行政处罚", "¥128,500.00"), section
    assert re.search(r"<td>已办结</td><td class=\"n\">1</td>", section), section  # the glossary's Closed
    assert re.search(r"<td>行政处罚</td><td class=\"n\">1</td>", section), section
    assert re.search(r"罚没金额合计</td><td class=\"n\">¥128,500.00</td>", section), section
    # the outcome "transferred to the police" is one row, not repeated as a figure of its own
    assert section.count("移送公安机关") == 1, section
    assert not re.search(r"\d{4}-\d{2}-\d{2}", section), section  # days as 2026年10月15日, never ISO
    # the half before knows nothing of it
    before = tmp_path / "h1.html"
    assert run_monitor("report", "--half", "2026-H1", "--config", str(config), "-o", str(before),
                       db_path=path).returncode == 0
    assert "XS-2026-077" not in before.read_text(encoding="utf-8")


def _wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson 95% interval by its formula (not scipy's, which the sampling part uses)."""
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return centre - half, centre + half


def test_sample_estimates_in_the_report_match_a_hand_computation(tmp_path):
    from monitor.casework.sampling import draw_sample
    from monitor.casework.sampling_checks import record_check
    from monitor.review.accounts import User

    db = open_db(tmp_path / "monitor.db")
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            build_store(db, monkeypatch)
        sample = draw_sample(db, "2026-Q2", 50, seed=20261207)
        items = db.execute_returning_dicts("SELECT i.id, i.analyst, i.category, i.flagged_at_draw, l.listing_id "
                                           "FROM sample_items i JOIN listings l ON l.id = i.listing "
                                           "WHERE i.sample = ?", [sample["id"]])
        # every listing seen in Q2 is drawn (50 > the population); the analysts' findings, by hand:
        # B1, B2, B4 (flagged) and G1 (a genuine-looking listing the rules did not flag) are counterfeit
        counterfeit = {"B1", "B2", "B4", "G1"}
        users = {r["name"]: User(r["id"], r["name"], r["role"]) for r in db.execute_returning_dicts(
            "SELECT id, name, role FROM users")}
        for item in items:
            if item["listing_id"] in counterfeit:
                record_check(db, users[item["analyst"]], item["id"], "confirmed_counterfeit")
            else:
                record_check(db, users[item["analyst"]], item["id"], "dismissed", "genuine_goods")
        flagged = [i for i in items if i["flagged_at_draw"]]
        hits = [i for i in flagged if i["listing_id"] in counterfeit]
        assert {i["listing_id"] for i in items} >= counterfeit and len(hits) == 3
        recall = f"{3 / 4 * 100:.0f}% ({_wilson(3, 4)[0] * 100:.0f}%–{_wilson(3, 4)[1] * 100:.0f}%)"
        precision_ci = _wilson(3, len(flagged))
        precision = (f"{3 / len(flagged) * 100:.0f}% ({precision_ci[0] * 100:.0f}%–"
                     f"{precision_ci[1] * 100:.0f}%)")
        html = build_report(db, H1, "html")[0].decode("utf-8")
    finally:
        db.close()
    section = html[html.index("<h2>双随机抽查</h2>"):html.index("<h2>线索移送</h2>")]
    row = re.search(r"<tr><td>全部品类</td><td class=\"n\">(\d+)</td><td class=\"n\">(\d+)</td><td class=\"n\">(\d+)"
                    r"</td><td class=\"n\">(\d+)</td><td class=\"n\">(\d+)</td><td class=\"n\">([^<]+)</td>"
                    r"<td class=\"n\">([^<]+)</td></tr>", section)
    assert row, section
    # one sample: as many draws as distinct listings
    assert row.groups() == (str(len(items)), str(len(items)), str(len(items)), "4", "1", recall, precision)
    assert recall == "75% (30%–95%)"


def test_complaints_handled_in_the_report(tmp_path):
    """Complaints taken by `monitor complaints import` (not crawled) are counted by received date and
    source in the half-year report."""
    path = tmp_path / "monitor.db"
    open_db(path).close()
    rows = tmp_path / "hotline.csv"
    rows.write_text("url,source,received_on,text\n"
                    "https://shop.example/item/1,12315,2026-03-02,假冒化妆品\n"
                    "https://shop.example/item/2,12315,2026-05-20,三无农药\n"
                    "https://shop.example/item/3,12345,2026-06-30,假机油\n"
                    "https://shop.example/item/4,platform,2026-07-01,下半年的\n", encoding="utf-8")
    proc = run_monitor("complaints", "import", str(rows), "--no-crawl", db_path=path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "h1.html"
    proc = run_monitor("report", "--half", "2026-H1", "-o", str(out), db_path=path)
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    section = html[html.index("<h2>投诉举报办理</h2>"):html.index("<h2>双随机抽查</h2>")]
    assert "本版本暂不提供" not in section
    assert re.search(r"<td>收到投诉举报</td><td class=\"n\">3</td>", section), section
    by_source = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"n\">(\d+)</td></tr>", section.split("<th>来源")[1]))
    assert [n for n in by_source.values()] == ["2", "1", "0", "0", "0"], by_source  # 12315, 12345, then the rest
