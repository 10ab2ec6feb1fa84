"""Alternatives in an explanation as the reader's language lists them: "应为1、2或3" in Chinese
(CLDR's list of alternatives), never "1或2或3"; English exactly as stored ("1 or 2 or 3")."""

from __future__ import annotations

import pytest

from monitor.i18n import use_locale
from monitor.rules.engine import Engine
from monitor.rules.explain import Msg, explain, join
from monitor.rules.packs import load_packs


def _stored(msg: Msg) -> dict:
    return {"message": msg.message, "params": msg.params}


@pytest.mark.parametrize("parts,chinese", [(["1", "2", "3"], "1、2或3"), (["1", "2"], "1或2"),
                                           (["PD", "WP", "LS", "WL"], "PD、WP、LS或WL")])
def test_alternatives_are_a_chinese_list(parts, chinese):
    msg = Msg('%(label)s %(positions)s is "%(digits)s", expected %(expected)s', label="标签二维码",
              positions="digit 8", digits="9", expected=join(parts, " or "))
    assert msg.endswith("expected " + " or ".join(parts))
    with use_locale("en"):
        assert explain(_stored(msg)) == msg
    with use_locale("zh_CN"):
        text = explain(_stored(msg))
    assert text.endswith("应为" + chinese), text


def test_other_separators_are_unchanged():
    msg = Msg("%(parts)s", parts={"join": ["a", "b", "c"], "sep": "; "})
    with use_locale("zh_CN"):
        assert explain(_stored(msg)) == "a；b；c"


def test_the_label_code_cross_check_lists_the_digits_it_expects():
    engine = Engine(load_packs())
    listing = {"site": "shop.example", "currency": "CNY", "category": "agri_inputs", "price": 30.0,
               "title": "吡虫啉 杀虫剂 农药登记证号 PD20092927",
               "attributes": {"标签二维码": "12201299101234567890123456789012"}}
    s = next(s for s in engine.assess(listing).signals if s.name == "regulatory_inconsistent")
    assert 'digit 8 is "9", expected 1 or 2 or 3' in s.explanation
    with use_locale("zh_CN"):
        text = explain(s)
    assert "应为1、2或3" in text and "1或2或3" not in text, text
