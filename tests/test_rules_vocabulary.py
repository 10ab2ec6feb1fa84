"""Counterfeit vocabulary next to marks, off-platform contact, compatibility context."""

from __future__ import annotations

import pytest

from monitor.rules.signals import span
from monitor.rules.vocabulary import context_signals, contact_signals, counterfeit_signals, load_vocabulary
from monitor.yamlfile import YamlError
from tests.conftest import ROOT

VOCAB = load_vocabulary(ROOT / "rules")


def at(listing, word, mark, field="title"):
    text = listing[field]
    start = text.index(word)
    return (mark, span(listing, field, start, start + len(word)))


def test_terms_anywhere_and_terms_that_need_a_mark():
    listing = {"title": "博世 陶瓷刹车片 A货 精仿 工厂货", "category": "auto_parts"}
    [signal] = counterfeit_signals(listing, VOCAB, [at(listing, "博世", "Bosch")])
    assert signal.kind == "counterfeit" and signal.mark == "Bosch" and signal.strength > 0.99
    assert [e.text for e in signal.evidence] == ["A货", "精仿", "工厂货"]  # not 厂货 again inside 工厂货
    # "1:1" and "AAA" only count next to a mark
    plain = {"title": "AAA battery 1:1 mixing ratio"}
    assert counterfeit_signals(plain, VOCAB, []) == []
    branded = {"title": "Castrol EDGE super copy AAA+"}
    [signal] = counterfeit_signals(branded, VOCAB, [at(branded, "Castrol", "Castrol")])
    assert signal.details["terms"] == ["super copy", "AAA+"]
    far = {"title": "Bosch " + "x" * 40 + " OEM"}
    assert counterfeit_signals(far, VOCAB, [at(far, "Bosch", "Bosch")]) == []


def test_full_width_and_case_and_category_terms():
    listing = {"title": "ＲＥＰＬＩＣＡ Dior 口红", "category": "cosmetics"}
    [signal] = counterfeit_signals(listing, VOCAB, [])
    assert signal.evidence[0].text == "ＲＥＰＬＩＣＡ"
    agri = {"title": "特效 根治 杀虫剂", "category": "agri_inputs"}
    assert counterfeit_signals(agri, VOCAB, [])[0].details["terms"] == ["特效", "根治"]
    assert counterfeit_signals(dict(agri, category="cosmetics"), VOCAB, []) == []
    assert counterfeit_signals({"title": "原单位 换算"}, VOCAB, []) == []


def test_contact_patterns():
    listing = {"title": "欧莱雅 精华 加vx看实拍", "description": "电话/微信同号 139 1234 5678，QQ 410259478"}
    [signal] = contact_signals(listing, VOCAB)
    assert signal.kind == "contact" and signal.name == "offplatform_contact"
    texts = [e.text for e in signal.evidence]
    assert "139 1234 5678" in texts and "QQ 410259478" in texts
    [wx] = contact_signals({"description": "Add WeChat lk5433a for real photos."}, VOCAB)
    assert wx.evidence[0].text == "WeChat lk5433a" and wx.strength == 0.9
    assert contact_signals({"title": "Bosch wiper 24 inch", "description": "GTIN 6901234567892"}, VOCAB) == []


def test_compatibility_wording_mitigates_unless_genuine_claimed():
    listing = {"title": "路安 刹车片 适用于大众朗逸/速腾"}
    [signal] = context_signals(listing, VOCAB, [at(listing, "大众", "Volkswagen")])
    assert signal.name == "compatible_part" and signal.kind == "mitigating" and signal.mark == "Volkswagen"
    assert [e.text for e in signal.evidence] == ["适用于", "大众"]
    en = {"title": "Oil filter compatible with Toyota Corolla / Camry"}
    assert context_signals(en, VOCAB, [at(en, "Toyota", "Toyota")])[0].mark == "Toyota"
    several = {"title": "Spark plug gap gauge, fits NGK and Denso plugs"}
    marks = [at(several, "NGK", "NGK"), at(several, "Denso", "Denso")]
    assert sorted(s.mark for s in context_signals(several, VOCAB, marks)) == ["Denso", "NGK"]
    attr = {"title": "刹车片", "attributes": {"适用车型": "丰田卡罗拉"}}
    ev = span(attr, "attributes.适用车型", 0, 2)
    assert context_signals(attr, VOCAB, [("Toyota", ev)])[0].mark == "Toyota"
    genuine = {"title": "适用于丰田卡罗拉 原厂正品 机油滤清器"}
    assert context_signals(genuine, VOCAB, [at(genuine, "丰田", "Toyota")]) == []
    own = {"title": "丰田 机油滤清器"}
    assert context_signals(own, VOCAB, [at(own, "丰田", "Toyota")]) == []


def test_compatibility_does_not_lower_a_listing_that_sells_another_watched_brand():
    listing = {"title": "博世 刹车片 适用于大众朗逸 A货"}
    marks = [at(listing, "博世", "Bosch"), at(listing, "大众", "Volkswagen")]
    [signal] = context_signals(listing, VOCAB, marks)
    assert signal.mark == "Volkswagen" and signal.strength == 0.0 and signal.details["own_brand"] == ["Bosch"]


def test_broken_vocabulary_names_file_line_and_field(tmp_path):
    (tmp_path / "vocabulary.yaml").write_text(
        "counterfeit:\n"
        "  terms:\n"
        "    - {term: replica, weight: 0.9}\n"
        "    - {term: 高仿, weight: 2}\n"
        "    - {term: dupe, weight: 0.5, needs_mrak: true}\n"
        "contact:\n"
        "  - {name: phone, pattern: '1[3-9', weight: 0.5}\n", encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_vocabulary(tmp_path)
    text = str(info.value)
    assert "vocabulary.yaml:4: counterfeit.terms.1.weight: 2 is greater than the maximum of 1" in text
    assert "vocabulary.yaml:5: counterfeit.terms.2.needs_mrak: unknown field" in text
    (tmp_path / "vocabulary.yaml").write_text(
        "counterfeit:\n  terms: []\ncontact:\n  - {name: phone, pattern: '1[3-9', weight: 0.5}\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"vocabulary.yaml:4: contact.0.pattern: not a valid regular expression"):
        load_vocabulary(tmp_path)


def test_a_listing_edited_in_place_is_read_again():
    listing = {"title": "Bosch wiper blade", "category": "auto_parts", "attributes": {"size": "24"}}
    assert counterfeit_signals(listing, VOCAB, []) == [] and contact_signals(listing, VOCAB) == []
    listing["title"] = "Bosch wiper blade replica 加微信 abc12345"
    [signal] = counterfeit_signals(listing, VOCAB, [])
    assert signal.details["terms"] == ["replica"]
    assert contact_signals(listing, VOCAB)[0].evidence[0].field == "title"
    listing["attributes"]["note"] = "高仿"
    [signal] = counterfeit_signals(listing, VOCAB, [])
    assert signal.details["terms"] == ["replica", "高仿"]
    assert signal.evidence[-1].field == "attributes.note"
    listing["attributes"]["size"] = 24  # a number prints as "24", like the string did
    assert counterfeit_signals(listing, VOCAB, [])[0].details["terms"] == ["replica", "高仿"]


def test_text_fields_reads_values_as_field_text_does():
    from monitor.rules.signals import field_text, text_fields

    listing = {"title": 0, "brand": "", "description": None, "seller_name": 12.5,
               "attributes": {"a": 0, "b": "x", "c": None, "d": False, "e": 3, 7: "seven"}}
    expected = [(f, field_text(listing, f)) for f in ("title", "brand", "description", "seller_name")]
    expected += [(f"attributes.{n}", field_text(listing, f"attributes.{n}")) for n in listing["attributes"]]
    assert text_fields(listing) == [(f, t) for f, t in expected if t]
