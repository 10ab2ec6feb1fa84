"""Signal explanations as messages: the English text unchanged, the same signal in Chinese."""

from __future__ import annotations

import json
import pickle

import pytest

from monitor.i18n import use_locale
from monitor.rules.engine import Engine
from monitor.rules.explain import Msg, explain, join
from monitor.rules.packs import load_packs
from monitor.rules.signals import Signal


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_packs())


def signal(engine, name, **listing):
    listing = {"site": "shop.example", "currency": "CNY", "brand": "", "description": "", **listing}
    found = [s for s in engine.assess(listing).signals if s.name == name]
    assert found, [s.name for s in engine.assess(listing).signals]
    return found[0]


NIVEA = {"title": "妮维稚 润肤霜 高仿 原单", "category": "cosmetics", "price": 59.0}


def test_a_signal_keeps_its_message_and_json_safe_params_beside_the_english(engine):
    s = signal(engine, "mark_lookalike", **NIVEA)
    assert s.explanation.startswith('"妮维稚" in the title looks like "妮维雅"')
    assert type(s.explanation) is str  # stored and compared as plain text
    assert s.message == '"%(matched)s" in %(the_field)s looks like %(target)s: %(reason)s'
    assert s.params["matched"] == "妮维稚" and s.params["the_field"] == "title"
    stored = json.loads(json.dumps(s.to_dict(), ensure_ascii=False))
    with use_locale("en"):
        assert explain(stored) == explain(s) == s.explanation  # English is the stored text itself


def test_mark_lookalike_in_chinese_names_the_field_and_marks_in_chinese(engine):
    s = signal(engine, "mark_lookalike", **NIVEA)
    with use_locale("zh_CN"):
        text = explain(s.to_dict())
    assert text.startswith("标题中的「妮维稚」与受保护商标「妮维雅」")
    assert "字形相近" in text and "title" not in text and "looks like" not in text


def test_counterfeit_terms_in_both_languages(engine):
    s = signal(engine, "counterfeit_terms", **NIVEA)
    with use_locale("en"):
        assert explain(s) == 'Counterfeit vocabulary: "高仿" (1) in title; "原单" (0.8) in title (rules/vocabulary.yaml)'
    with use_locale("zh_CN"):
        text = explain(s)
    assert text.startswith("假冒用语：") and "标题中的「高仿」" in text and "；" in text
    assert "Counterfeit" not in text and " in title" not in text


def test_price_anomaly_in_chinese(engine):
    s = signal(engine, "price_anomaly", title="Lancome Genifique serum 50ml", category="cosmetics", price=20.0)
    with use_locale("zh_CN"):
        text = explain(s)
    assert text.startswith("价格仅为") and "参考价" in text and "2%" in text and "Price is" not in text


def test_regulatory_missing_in_chinese_translates_the_rule_file_words(engine):
    s = signal(engine, "regulatory_missing", title="敌敌畏 杀虫剂 500ml", category="agri_inputs", price=20.0)
    with use_locale("zh_CN"):
        text = explain(s)
    assert "标题中的「杀虫」" in text and "农药登记证号" in text and "未找到" in text
    assert "none was found" not in text and "Why" not in text


def test_three_no_and_categories_vocabulary_in_chinese(engine):
    s = signal(engine, "regulatory_three_no", **NIVEA)
    with use_locale("zh_CN"):
        assert explain(s).startswith("来源不明的“三无”产品：标题、描述和属性中无品牌、无生产者名称、无地址")
    other = Signal("mark_lookalike", "trademark", 0.5,
                   Msg("%(explanation)s (the mark is registered for %(categories)s, not %(category)s)",
                       explanation="x", categories=["cosmetics"], category="auto_parts"))
    assert other.explanation == "x (the mark is registered for cosmetics, not auto_parts)"
    with use_locale("zh_CN"):
        assert explain(other) == "x（该商标核定使用于化妆品，而非汽车配件）"


def test_a_flag_stored_before_messages_shows_its_english():
    old = {"name": "mark_exact", "kind": "trademark", "strength": 1.0, "explanation": '"BOSCH" in the title is the mark "Bosch"',
           "evidence": [], "mark": "Bosch", "details": {}, "term": 1.2}
    with use_locale("zh_CN"):
        assert explain(old) == old["explanation"]


def test_a_stored_signal_whose_params_do_not_fit_shows_its_english_not_an_error():
    s = Signal("price_anomaly", "price", 1.0, Msg("%(a)s and %(b)s", a="1", b="2"))
    stored = {**s.to_dict(), "params": {"a": "1"}}  # a parameter the message needs is gone
    for locale in ("zh_CN", "en"):
        with use_locale(locale):
            assert explain(stored) == "1 and 2"


def test_unknown_parameters_are_shown_as_written_and_joins_use_the_locale_separator():
    text = join([Msg("no brand"), Msg("no address")], ", ")
    assert text == "no brand, no address"
    with use_locale("zh_CN"):
        assert explain({"message": text.message, "params": text.params}) == "无品牌、无地址"


def test_a_message_survives_pickling():
    m = Msg('the mark "%(mark)s"', mark="Bosch")
    back = pickle.loads(pickle.dumps(m))
    assert back == m and back.message == m.message and back.params == {"mark": "Bosch"}


# The words of the shipped rule files are data in both languages (name/name_zh ...): that every
# one of them has its Chinese is tests/test_rules_zh.py's, not the catalogue's.
