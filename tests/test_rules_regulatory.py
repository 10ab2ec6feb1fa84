"""Regulatory checks from rules/checks/*.yaml: identifiers by format, requirements, cross-checks, CCC, 三无."""

from __future__ import annotations

import pytest

from monitor.rules.checks import load_check_file, load_checks
from monitor.rules.normalise import fold
from monitor.rules.regulatory import regulatory_signals
from monitor.yamlfile import YamlError
from tests.conftest import ROOT

CHECKS = load_checks(ROOT / "rules")


def names(listing):
    return sorted(s.name for s in regulatory_signals(listing, CHECKS))


def one(listing, name):
    found = [s for s in regulatory_signals(listing, CHECKS) if s.name == name]
    assert len(found) == 1, [s.name for s in regulatory_signals(listing, CHECKS)]
    return found[0]


def agri(title, description="", **attrs):
    return {"category": "agri_inputs", "title": title, "description": description, "attributes": attrs}


def cosm(title, description="", **attrs):
    return {"category": "cosmetics", "title": title, "description": description, "attributes": attrs}


def auto(title, description="", **attrs):
    return {"category": "auto_parts", "title": title, "description": description, "attributes": attrs}


def label_code(reg, kind="1", eighth="2", six=None):
    return kind + (six or reg[-6:]) + eighth + "0" * 24


MAKER = {"生产厂家": "拜耳作物科学（中国）有限公司"}


def test_shipped_check_files_load():
    assert set(CHECKS.categories) == {"agri_inputs", "cosmetics", "auto_parts"}
    assert fold("农肥（２０１９）准字１４７６１号", lower=False) == "农肥(2019)准字14761号"


def test_no_category_gets_no_category_checks():
    assert regulatory_signals({"title": "杀虫剂 500ml"}, CHECKS) == []
    assert regulatory_signals({"title": "杀虫剂 500ml", "category": "toys"}, CHECKS) == []


def test_pesticide_registration_missing_in_chinese_and_english():
    signal = one(agri("绿丰 4.5%高效氯氟氰菊酯 杀虫剂", **MAKER), "regulatory_missing")
    assert signal.strength == 0.8 and signal.kind == "regulatory"
    assert signal.evidence[0].field == "title" and signal.evidence[0].text == "杀虫"
    assert "pesticide registration number" in signal.explanation
    en = one(agri("Lvfeng lambda-cyhalothrin insecticide 500 ml", Manufacturer="Lvfeng Co., Ltd."), "regulatory_missing")
    assert en.evidence[0].text == "insecticide"


def test_registration_found_by_format_in_any_attribute_or_free_text():
    reg = "PD20092927"
    assert names(agri("拿敌稳 水分散粒剂", 随便什么=reg, 标签二维码=label_code(reg), **MAKER)) == []
    assert names(agri("Nativo WG fungicide", f"Registered as {reg}.", **MAKER)) == []
    # full-width letters and digits
    assert names(agri("拿敌稳 杀菌剂 ＰＤ２００９２９２７", **MAKER)) == []


def test_label_code_cross_check_names_both_numbers():
    reg = "PD20092927"
    listing = agri("拿敌稳 杀菌剂", 农药登记证号=reg, 标签二维码=label_code(reg, six="092928"), **MAKER)
    signal = one(listing, "regulatory_inconsistent")
    assert '标签二维码 digits 2–7 "092928" do not match the last 6 digits of registration PD20092927 ("092927")' \
        in signal.explanation
    assert [e.field for e in signal.evidence] == ["attributes.标签二维码", "attributes.农药登记证号"]
    wrong_kind = agri("杀菌剂", 农药登记证号=reg, 标签二维码=label_code(reg, kind="2", eighth="7"), **MAKER)
    text = one(wrong_kind, "regulatory_inconsistent").explanation
    assert "digit 1 is \"2\"" in text and "digit 8 is \"7\"" in text
    assert names(agri("杀菌剂", 农药登记证号=reg, 标签二维码=label_code(reg), **MAKER)) == []


def test_temporary_registration_is_always_legacy():
    # LS/WL numbers were valid one year at a time and the type ended in 2017: none is valid today
    signal = one(agri("沃农 氟啶胺 悬浮剂", 农药登记证号="LS20190127", **MAKER), "regulatory_legacy")
    assert "one year" in signal.explanation and signal.evidence[0].text == "LS20190127"
    # shown twice (title and attribute): one finding with two evidence spans
    twice = one(agri("家卫 杀蟑饵剂 WL20200033", 农药登记证号="WL20200033", **MAKER), "regulatory_legacy")
    assert len(twice.evidence) == 2
    assert names(agri("沃农 悬浮剂", 农药登记证号="LS20150127", **MAKER)) == ["regulatory_legacy"]
    assert names(agri("沃农 悬浮剂", 农药登记证号="PD20150127", **MAKER)) == []


def test_malformed_number_in_labelled_attribute_and_in_text():
    signal = one(agri("杀虫剂", 农药登记证号="PD2009292", **MAKER), "regulatory_malformed")
    assert signal.evidence[0].text == "PD2009292" and "农药登记证号" in signal.explanation
    assert "regulatory_missing" not in names(agri("杀虫剂", 农药登记证号="PD2009292", **MAKER))
    odd = one(agri("杀虫剂", **{"Registration No.": "见包装12", **MAKER}), "regulatory_malformed")
    assert odd.evidence[0].field == "attributes.Registration No."
    year = one(agri("杀虫剂 PD20992927", **MAKER), "regulatory_malformed")
    assert "2099" in year.explanation


def test_fertilizer_registration_weak_and_exempt_products():
    wsf = one(agri("丰禾 大量元素水溶肥 10kg", **MAKER), "regulatory_missing")
    assert wsf.strength == 0.75
    plain = one(agri("有机肥 40kg", **MAKER), "regulatory_missing")
    assert plain.strength == 0.35
    for title in ("心连心 尿素 46% 农用氮肥 40kg", "盐湖 氯化钾 60% 农用钾肥", "硫酸铵 21% 农用 50kg", "Ammonium sulphate 21% N"):
        signal = one(agri(title, **MAKER), "exempt_product")
        assert signal.kind == "mitigating" and "regulatory_missing" not in names(agri(title, **MAKER))
    assert names(agri("大量元素水溶肥", 登记证="鲁农肥（2020）准字9806号", **MAKER)) == []


def test_seed_licence_and_variety_approval():
    found = names(agri("高产杂交玉米种子 散装", **MAKER))
    assert found.count("regulatory_missing") == 2
    ok = agri("隆平206 玉米种子", 审定编号="国审玉2011008", 许可证="A（湘）农种许字（2016）第0009号", **MAKER)
    assert names(ok) == []


def test_three_no_agri_and_admission():
    signal = one(agri("散装 杀虫粉 农用", "散装称重，无厂名厂址"), "regulatory_three_no")
    assert signal.strength == 0.9 and signal.evidence[0].text == "无厂名厂址"
    assert "regulatory_three_no" not in names(agri("杀虫粉", "河北绿丰生物科技有限公司出品"))
    # a manufacturer address is an address, not a manufacturer: no brand and no maker, but an
    # address shown, is not a product of unknown origin
    assert "regulatory_three_no" not in names(agri("杀虫粉", **{"Manufacturer address": "河北省石家庄市"}))
    # unknown origin: no brand, maker, address or number, weak on its own
    weak = one(agri("杀虫粉 农用"), "regulatory_three_no")
    assert weak.strength == 0.3
    # a brand is named: not 三无, however short the text
    assert "regulatory_three_no" not in names({**agri("杀虫粉 农用"), "brand": "绿丰"})
    assert "regulatory_three_no" in names({**agri("杀虫粉 农用"), "brand": "无品牌"})


def test_cosmetic_special_claim_with_only_ordinary_filing():
    signal = one(cosm("雪肌源 美白淡斑精华 30ml", 备案编号="粤G妆网备字2022324124", 生产企业="广州雪肌源有限公司"),
                 "regulatory_special_claim")
    assert signal.strength == 0.85 and "粤G妆网备字2022324124" in signal.explanation
    en = one(cosm("Qingyan sunscreen SPF50+ PA+++", **{"Filing No.": "浙G妆网备字2021001122", "Manufacturer": "清颜有限公司"}),
             "regulatory_special_claim")
    assert en.details["claims"] == ["sunscreen"]
    for word in ("染发", "烫发", "防脱"):
        assert "regulatory_special_claim" in names(cosm(f"植萃 {word}剂", 备案编号="粤G妆网备字2023012345", 生产企业="某有限公司"))
    assert names(cosm("小金管 防晒 SPF50+", 注册证号="国妆特字G20190764", 生产企业="欧莱雅（苏州）有限公司")) == []
    assert names(cosm("小白管 防晒", 注册证号="国妆特进字J20170583", 境内责任人="欧莱雅（中国）有限公司")) == []


def test_cosmetic_legacy_numbers_and_cross_border_exemption():
    signal = one(cosm("芳草集 润肤乳", 批准文号="卫妆准字29-XK-3298", 生产企业="广州芳草集日化有限公司"), "regulatory_legacy")
    assert "卫妆准字29-XK-3298" in signal.explanation
    assert "regulatory_missing" not in names(cosm("芳草集 润肤乳", 批准文号="卫妆准字29-XK-3298", 生产企业="某有限公司"))
    tezi = names(cosm("美丽源 祛斑霜", 批准文号="卫妆特字（2008）第0456号", 生产企业="汕头市美丽源化妆品厂"))
    assert tezi == ["regulatory_legacy", "regulatory_special_claim"]
    grey = names(cosm("日本代购 兰蔻 小白管 防晒 SPF50 日版", 原产国="日本"))
    assert grey == ["exempt_product"]
    assert names(cosm("手工自制 美白霜 50g")) == ["regulatory_special_claim", "regulatory_three_no"]
    # an ordinary cosmetic needs no number shown
    assert names({**cosm("保湿面霜 50g"), "brand": "某某"}) == []


def test_ccc_required_parts_chinese_and_english():
    maker = {"生产厂家": "瑞安市驰安汽车配件有限公司"}
    for title in ("驰安 陶瓷刹车片 前片", "路腾 轮胎 195/65R15", "LED大灯 H7", "儿童安全座椅 isofix", "汽车安全带 三点式",
                  "Ceramic brake pads front", "Tyre 205/55 R16", "Windscreen for VW Golf", "Wing mirror left"):
        assert names(auto(title, **maker)) == ["regulatory_ccc_missing"], title
        # not shown: weak, the CCC mark is on the part and listings rarely quote the certificate
        assert one(auto(title, **maker), "regulatory_ccc_missing").strength == 0.15, title
    signal = one(auto("Chi'an ceramic front brake pads", Manufacturer="Chi'an Co., Ltd."), "regulatory_ccc_missing")
    assert signal.evidence[0].text == "brake pads" and signal.strength == 0.15
    # said to have none: strong
    for listing in (auto("LED大灯 H7 出口 无3C", **maker), auto("汽车安全带 三点式", **{"3C认证": "无", **maker}),
                    auto("儿童安全座椅", "出口款 无3C 介意慎拍", **maker)):
        denied = one(listing, "regulatory_ccc_missing")
        assert denied.strength > 0.5 and denied.details.get("denied"), listing
    # ... and an attribute that says yes is no denial
    assert one(auto("汽车安全带 三点式", **{"是否3C": "是", **maker}), "regulatory_ccc_missing").strength == 0.15
    # found by format in any attribute, full-width, or after the word CCC in free text
    assert names(auto("刹车片", 证书="２０２１０１１１０５０１２３４５", **maker)) == []
    assert names(auto("刹车片", "CCC证书：2021011105012345", **maker)) == []
    # self-declared parts accept the CCC mark alone; third-party parts do not
    assert names(auto("LED大灯 H7 3C认证", **maker)) == []
    assert names(auto("刹车片 3C认证", **maker)) == ["regulatory_ccc_missing"]
    # a bare 16-digit number outside a CCC attribute and without "CCC" before it is not a certificate
    assert names(auto("刹车片 订单1234567890123456", **maker)) == ["regulatory_ccc_missing"]


def test_parts_removed_from_ccc_and_lookalike_products_are_not_flagged():
    maker = {"生产厂家": "某汽配有限公司"}
    for title in ("刹车软管 前左", "蜗牛喇叭 12V", "汽车喇叭", "油箱盖", "防盗报警器", "门锁块", "Brake hose front",
                  "Car horn 12V", "Door hinge", "刹车油 DOT4", "Dove grey 汽车座套 全包", "car seat covers",
                  "汽车玻璃水 2L", "windscreen wiper blades", "车载手机支架", "轮胎光亮剂", "火花塞 4支装"):
        assert names(auto(title, **maker)) == [], title


def test_three_no_auto_parts():
    signal = one(auto("刹车油 DOT4 1L 通用", 规格="1L"), "regulatory_three_no")
    assert signal.strength == 0.3 and "no manufacturer name" in signal.explanation
    assert one(auto("刹车油 DOT4 1L 散装 通用", 规格="1L"), "regulatory_three_no").strength == 0.8  # sold loose
    assert one(auto("刹车油 DOT4 散装", "无厂名厂址"), "regulatory_three_no").strength == 0.8


def _write(tmp_path, text):
    folder = tmp_path / "checks"
    folder.mkdir()
    path = folder / "agri_inputs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_check_file_names_file_line_and_field(tmp_path):
    path = _write(tmp_path, (
        "category: agri_inputs\n"
        "identifiers:\n"
        "  reg:\n"
        "    name: registration\n"
        "    pattern: '(PD\\d{8}'\n"
        "    lables: [登记证号]\n"
        "requirements:\n"
        "  - id: pesticide\n"
        "    requires: [nope]\n"
        "    strength: 1.5\n"))
    with pytest.raises(YamlError) as info:
        load_checks(tmp_path)
    text = str(info.value)
    assert "agri_inputs.yaml:6: identifiers.reg.lables: unknown field" in text
    assert "agri_inputs.yaml:10: requirements.0.strength: 1.5 is greater than the maximum of 1" in text
    # once the schema passes, regexes and references are checked with their lines too
    path.write_text(
        "identifiers:\n  reg:\n    name: registration\n    pattern: '(PD\\d{8}'\n"
        "requirements:\n  - id: pesticide\n    requires: [nope]\n    strength: 0.5\n", encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_check_file(path)
    text = str(info.value)
    assert "agri_inputs.yaml:4: identifiers.reg.pattern: not a valid regular expression" in text
    assert "agri_inputs.yaml:7: requirements.0.requires.0: unknown identifier 'nope'" in text


def test_new_check_is_a_few_lines_of_data(tmp_path):
    _write(tmp_path, (
        "category: agri_inputs\n"
        "identifiers:\n"
        "  film_licence:\n"
        "    name: agricultural film standard mark\n"
        "    pattern: 'GB\\s?13735'\n"
        "requirements:\n"
        "  - id: film\n"
        "    applies_to: {words: [地膜]}\n"
        "    requires: [film_licence]\n"
        "    strength: 0.4\n"))
    checks = load_checks(tmp_path)
    assert [s.name for s in regulatory_signals(agri("加厚地膜 1.2米"), checks)] == ["regulatory_missing"]
    assert regulatory_signals(agri("加厚地膜 GB 13735"), checks) == []


def _fold_reference(text: str, lower: bool = True) -> str:
    """fold as first written, one character at a time (fold must give exactly this)."""
    import unicodedata

    brackets = {"〔": "(", "〕": ")", "【": "[", "】": "]", "［": "[", "］": "]", "\u3000": " ", "—": "-", "－": "-"}
    out = []
    for ch in text:
        mapped = brackets.get(ch)
        if mapped is None:
            mapped = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
            if len(mapped) != 1:
                mapped = ch
        if lower:
            low = mapped.lower()
            mapped = low if len(low) == 1 else mapped
        out.append(mapped)
    return "".join(out)


def test_fold_is_character_by_character_and_keeps_length():
    samples = ["ＰＤ２０１９（ＡＢＣ）", "〔2021〕【3C】\u3000—－", "ΑΣ ΣΑΣ", "İstanbul ẞ ß ﬁ Ⅱ ㎏", "Straße ΌΣΟΣ",
               "plain ASCII Text 123", "", "刹车片 CCC证书：2021011105012345"]
    samples.append("".join(chr(c) for c in range(0x20, 0x3000, 7)))
    for text in samples:
        for lower in (True, False):
            assert fold(text, lower) == _fold_reference(text, lower)
            assert len(fold(text, lower)) == len(text)


def test_word_prefilter_and_any_of_never_miss_a_match():
    import re

    from monitor.rules.words import any_of, word_pattern, word_prefilter

    words = ["anti hair loss", "SPF", "for", "轮胎", "tyre shine", "3C认证"]
    pattern = word_pattern(words)
    pre = word_prefilter(pattern)
    assert pre is not None and word_prefilter(re.compile("for")) is None
    custom = re.compile(r"(?<![a-z0-9])[5-9]a(?:\+|\s?grade)?(?![a-z0-9])", re.I)
    verbose = re.compile(r"qq \d{5,}  # a comment without a newline", re.X)
    either = any_of((pattern, custom, verbose))
    for text in ["anti-hair-loss", "spf50", "former", "for", "汽车轮胎", "tyre  shine", "3c认证", "7A grade",
                 "qq12345", "qq1234", "nothing here", "5ab"]:
        folded = fold(text)
        if pattern.search(folded):
            assert pre.search(folded), text
        if any(p.search(folded) for p in (pattern, custom, verbose)):
            assert either.search(folded), text  # a quick test: it may also say yes when none matches
    assert not either.search("nothing here")


def test_a_listing_edited_in_place_is_checked_again():
    checks = load_checks(ROOT / "rules")
    listing = {"title": "马牌轮胎 205/55R16", "category": "auto_parts", "attributes": {"品牌": "马牌"}}
    first = [s.name for s in regulatory_signals(listing, checks)]
    assert "regulatory_ccc_missing" in first
    assert [s.name for s in regulatory_signals(listing, checks)] == first  # same listing again: same answer
    listing["attributes"]["CCC证书编号"] = "2021011105012345"
    assert "regulatory_ccc_missing" not in [s.name for s in regulatory_signals(listing, checks)]
    listing["title"] = "马牌 轮胎蜡 500ml"
    del listing["attributes"]["CCC证书编号"]
    assert "regulatory_ccc_missing" not in [s.name for s in regulatory_signals(listing, checks)]


def test_checks_apply_in_their_market_only():
    listing = {**agri("杀虫剂 500ml"), "currency": "CNY"}
    assert "regulatory_missing" in names(listing)
    assert names({**listing, "currency": "USD"}) == []  # an overseas shop: China's rules do not apply
    assert "regulatory_missing" in names(agri("杀虫剂 500ml"))  # no currency: checked


def test_number_not_shown_by_the_brands_own_store_is_context():
    found = regulatory_signals(agri("安丰 25%吡唑醚菌酯 悬浮剂 100ml"), CHECKS,
                               vouched="the seller is the brand's own store")
    assert [(s.name, s.kind) for s in found] == [("regulatory_not_shown", "context")]
    assert "brand's own store" in found[0].explanation
    # a malformed number is still a finding, whoever sells it
    bad = regulatory_signals(agri("安丰 悬浮剂", 农药登记证号="PD2019-0568"), CHECKS, vouched="own store")
    assert "regulatory_malformed" in [s.name for s in bad]
    # special-use claim without a registration: context from the brand's store, a signal elsewhere
    sun = cosm("清透防晒乳 SPF50 PA+++ 40ml")
    assert "regulatory_special_claim" in names(sun)
    assert [s.name for s in regulatory_signals(sun, CHECKS, vouched="own store")] == ["regulatory_not_shown"]


def test_prohibited_words():
    assert "regulatory_prohibited" in names(agri("百草枯 20%水剂 500ml"))
    assert "regulatory_prohibited" in names(agri("植物驱虫液 不是农药 无需登记", "杀灭蚜虫 一喷全死"))
    assert "regulatory_prohibited" not in names(agri("有机肥 不是农药", "改良土壤"))  # no pest-killing claim
    assert "regulatory_prohibited" in names(cosm("祛痘膏 消炎杀菌 治疗痤疮"))
    assert "regulatory_prohibited" in names(cosm("药妆 修护霜"))
    assert "regulatory_prohibited" not in names(cosm("舒缓修护霜 敏感肌"))


def test_exemptions_are_for_their_requirement_and_physical_control_is_no_pesticide():
    assert names(agri("黄板粘虫板 双面诱虫板 蚜虫 白粉虱 20张")) == ["regulatory_three_no"]
    assert "regulatory_missing" not in names(agri("加厚地膜 农用除草膜 1.2米"))
    assert "regulatory_missing" in names(agri("复合肥 含杀虫成分 药肥 杀地下害虫 40kg"))  # its 杀虫 claim needs a PD
    # farmers' own surplus seed needs no licence (种子法 art. 37); packaged seed does
    assert "regulatory_missing" not in names({**agri("农家种 大蒜种子 5斤"), "brand": "自家"})
    assert "regulatory_missing" in names({**agri("大蒜种子 5斤 高产"), "brand": "丰硕"})


def test_sold_loose_with_no_origin_is_three_no_in_full_but_a_branded_decant_is_not():
    loose = one(cosm("美容院专用 分装爽肤水 500ml 散装"), "regulatory_three_no")
    assert loose.strength == 0.9 and loose.evidence[0].text in ("分装", "散装")
    assert "regulatory_three_no" not in names({**cosm("香水分装 5ml 小样"), "brand": "某品牌"})
    assert one(agri("杀虫粉 散装 3斤"), "regulatory_three_no").strength == 0.9
