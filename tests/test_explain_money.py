"""Money in price explanations as the reader's locale writes it: ¥40.00 in Chinese; English
exactly as explanations were always stored ("40.00 against 210.00 CNY"), scores unchanged."""

from __future__ import annotations

import json

import pytest

from monitor.i18n import use_locale
from monitor.rules.engine import Engine
from monitor.rules.explain import Msg, explain
from monitor.rules.packs import load_packs
from monitor.rules.price_signals import price_signals
from monitor.rules.prices import ReferencePrice
from monitor.store.relisting import SAME_SELLER

LISTING = {"site": "shop.example", "currency": "CNY", "brand": "", "description": "", "category": "cosmetics"}
REF = ReferencePrice("Acme", ("acme cream",), 210.0, "CNY", line=4)


def stored(signal) -> dict:
    return json.loads(json.dumps(signal.to_dict(), ensure_ascii=False))


def test_a_reference_price_per_listing_in_both_languages():
    [s] = price_signals({**LISTING, "title": "Acme Cream", "price": 40}, ["Acme"], [REF])
    assert s.explanation == ("Price is 19% of the reference price for Acme acme cream "
                             "(40.00 against 210.00 CNY, rules/prices.csv line 4)")
    with use_locale("en"):
        assert explain(stored(s)) == s.explanation
    with use_locale("zh_CN"):
        text = explain(stored(s))
    assert "¥40.00，参考价 ¥210.00" in text and "CNY" not in text and "40.0 " not in text, text


def test_a_reference_price_per_pack_size_in_both_languages():
    engine = Engine(load_packs())
    listing = {**LISTING, "title": "Lancome Genifique serum 100ml", "price": 40.0}
    s = next(s for s in engine.assess(listing).signals if s.name == "price_anomaly")
    assert "(per 50ml: 20.00 against 1080.00 CNY, rules/prices.csv line " in s.explanation
    with use_locale("en"):
        assert explain(stored(s)) == s.explanation
    with use_locale("zh_CN"):
        text = explain(stored(s))
    assert "按每50ml计：¥20.00，参考价 ¥1,080.00，" in text and "CNY" not in text, text


def test_the_median_of_comparable_offers_in_both_languages():
    listing = {**LISTING, "title": "Acme gel", "price": 12.5}
    [s] = price_signals(listing, ["Acme"], [], comparables=lambda point: [100.0, 101.0, 99.0, 100.5, 98.0])
    assert "(12.50 against 100.00 CNY per listing; robust z " in s.explanation
    with use_locale("en"):
        assert explain(stored(s)) == s.explanation
    with use_locale("zh_CN"):
        text = explain(stored(s))
    assert "每件 ¥12.50，中位价 ¥100.00；" in text and "CNY" not in text, text


def test_a_price_without_a_currency_is_a_bare_figure():
    listing = {**LISTING, "currency": "", "title": "Acme gel", "price": 12.5}
    [s] = price_signals(listing, ["Acme"], [], comparables=lambda point: [100.0, 101.0, 99.0, 100.5, 98.0])
    with use_locale("zh_CN"):
        text = explain(stored(s))
    assert "每件 12.50，中位价 100.00；" in text, text


@pytest.mark.parametrize("price,strength", [(40, 1.0), (63.0, 0.85)])
def test_scores_do_not_depend_on_how_money_is_written(price, strength):
    [s] = price_signals({**LISTING, "title": "Acme Cream", "price": price}, ["Acme"], [REF])
    assert s.strength == pytest.approx(strength)
    assert s.details == {"ratio": round(price / 210, 3), "reference": 210.0, "basis": "reference"}


def test_the_relisted_day_reads_as_chinese_writes_a_day_and_english_keeps_iso():
    text = Msg(SAME_SELLER, seller="店A", original=7, day="2026-12-07")
    assert text == "New listing by 店A, whose listing #7 was confirmed on 2026-12-07"
    with use_locale("en"):
        assert explain({"message": text.message, "params": text.params}) == text
    with use_locale("zh_CN"):
        assert explain({"message": text.message, "params": text.params}).endswith("#7 已于2026年12月7日经审核确认")
        # a stored value that is no day is shown as it is, never hidden
        assert explain({"message": SAME_SELLER, "params": {**text.params, "day": "昨天"}}).endswith("已于昨天经审核确认")


def test_a_price_explanation_stored_before_money_parameters_still_names_its_currency():
    # The figures stored as text (flags from before explain.money); the Chinese message no longer
    # names the currency, so the figures take it from the parameter beside them.
    stored_flag = {"message": "Price is %(percent)s of the reference price for %(mark)s %(product)s "
                              "(%(basis)s %(currency)s, rules/prices.csv line %(line)s)",
                   "params": {"percent": "19%", "mark": "Acme", "product": "acme cream", "currency": "CNY", "line": 4,
                              "basis": {"message": "%(price)s against %(reference)s",
                                        "params": {"price": "40.00", "reference": "210.00"}}},
                   "explanation": "Price is 19% of the reference price for Acme acme cream (40.00 against 210.00 "
                                  "CNY, rules/prices.csv line 4)"}
    with use_locale("en"):
        assert explain(stored_flag) == stored_flag["explanation"]
    with use_locale("zh_CN"):
        assert "（¥40.00，参考价 ¥210.00，rules/prices.csv 第 4 行）" in explain(stored_flag)
