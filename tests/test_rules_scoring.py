"""The score formula, reference prices, pack sizes, seller signals and the watchlist file."""

from __future__ import annotations

import math

import pytest

from monitor.rules.packsize import parse_quantity
from monitor.rules.price_signals import PricePoint, price_signals
from monitor.rules.prices import ReferencePrice, load_prices
from monitor.rules.scoring import Scoring, load_scoring
from monitor.rules.seller_signals import load_blocklist, seller_signals
from monitor.rules.signals import Evidence, Signal
from monitor.rules.watchlist import Watchlist, WatchedMark, load_watchlist
from monitor.yamlfile import YamlError
from tests.conftest import ROOT

SCORING = Scoring(llr={"mark_lookalike": 4.0, "unauthorised_seller": 0.4, "counterfeit_terms": 4.0,
                       "regulatory_ccc_missing": 3.0, "compatible_part": -4.0, "exempt_product": -3.0},
                  default_llr=1.0, priors={"cosmetics": 10}, default_prior=20,
                  thresholds={"cosmetics": 60}, default_threshold=50,
                  mitigates={"compatible_part": ("trademark", "seller", "price"), "exempt_product": ("regulatory",)})


def sig(name, kind="trademark", strength=1.0, **kw):
    return Signal(name, kind, strength, "why", **kw)


def test_log_odds_formula_as_documented():
    # no signal: the prior; 20 % for categories not listed, 10 % for cosmetics
    assert SCORING.score([]) == 20 and SCORING.score([], "cosmetics") == 10
    # logit(0.2) = -1.386; + 4.0 -> 2.614 -> 93 %
    assert SCORING.score([sig("mark_lookalike")]) == 93
    assert SCORING.score([sig("unauthorised_seller", "seller")]) == 27  # weak alone: -1.386 + 0.4
    assert SCORING.score([sig("mark_lookalike", strength=0.5)]) == 65  # -1.386 + 2.0
    # terms add up without saturating at the first two signals
    two = SCORING.log_odds([sig("mark_lookalike"), sig("counterfeit_terms", "counterfeit")])
    assert abs(two - (math.log(0.25) + 8.0)) < 1e-9
    # context is shown, never scored
    assert SCORING.score([sig("regulatory_not_shown", "context")]) == 20


def test_mitigation_takes_back_only_what_it_concerns():
    # compatible_part takes back at most the look-alike's 4.0 (here all of it)
    terms = SCORING.terms([sig("mark_lookalike", strength=0.5), sig("compatible_part", "mitigating")])
    assert [round(t.value, 6) for t in terms] == [2.0, -2.0]
    # ... and nothing from a missing CCC certificate: "fits Honda" does not excuse it
    ccc = sig("regulatory_ccc_missing", "regulatory")
    assert SCORING.score([ccc, sig("compatible_part", "mitigating")]) == SCORING.score([ccc])
    toyota = sig("compatible_part", "mitigating", mark="Toyota")
    bosch = sig("mark_lookalike", mark="Bosch")
    assert SCORING.score([bosch, toyota]) == 93  # another mark's compatibility says nothing about Bosch
    # an exemption from one requirement says nothing about another
    fert = sig("exempt_product", "mitigating", details={"requirement": "fertilizer"})
    pest = sig("regulatory_missing", "regulatory", details={"requirement": "pesticide"})
    assert SCORING.score([pest, fert]) == SCORING.score([pest])
    same = sig("regulatory_missing", "regulatory", details={"requirement": "fertilizer"})
    assert SCORING.score([same, fert]) == 20
    assert SCORING.threshold("cosmetics") == 60 and SCORING.threshold(None) == 50


def test_shipped_scoring_file_is_valid_and_a_bad_one_names_the_line(tmp_path):
    scoring = load_scoring(ROOT / "rules" / "scoring.yaml")
    assert scoring.weight("mark_exact") == 0.0
    assert all(scoring.weight(name) < 0 for name in scoring.mitigates)
    bad = tmp_path / "scoring.yaml"
    bad.write_text("llr:\n  mark_lookalike: 25\npriors: {}\nthresholds: {}\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"scoring.yaml:2: llr.mark_lookalike: 25 is greater than the maximum"):
        load_scoring(bad)
    bad.write_text("llr:\n  compatible_part: 2\nmitigates:\n  compatible_part: [trademark]\npriors: {}\n"
                   "thresholds: {}\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"scoring.yaml:2: llr.compatible_part: 2.0 is positive|scoring.yaml:2: llr.compatible_part: 2 is positive"):
        load_scoring(bad)


def test_pack_sizes():
    assert parse_quantity("阿米西达 250ml").amount == 250
    assert parse_quantity("尿素 50kg/袋").amount == 50_000
    assert parse_quantity("Amistar 1L x 2").amount == 2000
    assert parse_quantity("面霜50g×2").amount == 100
    assert parse_quantity("NGK 火花塞 4支装").dimension == "count"
    assert parse_quantity("brake pads") is None


REFS = [ReferencePrice("Syngenta", ("阿米西达", "amistar"), 120.0, "CNY", "250ml", 2)]


def test_price_far_below_the_reference_per_unit():
    listing = {"title": "先正达 阿米西达 1L 嘧菌酯", "price": 96.0, "currency": "CNY"}
    [signal] = price_signals(listing, ["Syngenta"], REFS)
    # 1 L at 96 = 24 per 250 ml against 120: 20%
    assert signal.name == "price_anomaly" and signal.details["ratio"] == 0.2 and signal.strength == 1.0
    assert signal.evidence[0].text == "阿米西达"
    assert "rules/prices.csv line 2" in signal.explanation
    assert price_signals({"title": "先正达 阿米西达 250ml", "price": 110.0, "currency": "CNY"}, ["Syngenta"], REFS) == []
    assert price_signals({"title": "先正达 阿米西达 250ml", "price": 10.0, "currency": "USD"}, ["Syngenta"], REFS) == []


def test_price_outlier_among_comparable_offers():
    listing = {"title": "Syngenta fungicide 250ml", "price": 20.0, "currency": "CNY"}
    offers = [118.0, 120.0, 121.0, 119.0, 125.0, 117.0]
    [signal] = price_signals(listing, ["Syngenta"], [], lambda point: offers)
    assert signal.details["basis"] == "comparables" and signal.details["offers"] == 6
    assert price_signals(listing, ["Syngenta"], [], lambda point: offers[:4]) == []  # too few to judge


WATCH = Watchlist([WatchedMark("Bosch", "Robert Bosch GmbH", ("auto_parts",), ("博世",),
                               frozenset({("baihuo", "bosch-flagship")}))])


def test_seller_signals_authorised_unauthorised_and_blocked(tmp_path):
    evidence = Evidence("title", 0, 5, "Bosch")
    listing = {"site": "baihuo", "seller_id": "s9", "seller_name": "汽配小店", "title": "Bosch brake pads"}
    [signal] = seller_signals(listing, [("Bosch", evidence)], WATCH, {})
    assert signal.name == "unauthorised_seller" and "汽配小店" in signal.explanation
    ok = dict(listing, seller_id="bosch-flagship")
    [signal] = seller_signals(ok, [("Bosch", evidence)], WATCH, {})
    assert signal.name == "authorised_seller" and signal.kind == "mitigating"
    blocklist = tmp_path / "blocklist.csv"
    blocklist.write_text("site,seller_id,reason\nbaihuo,s9,confirmed counterfeiter 2026-03\n", encoding="utf-8")
    names = [s.name for s in seller_signals(listing, [], WATCH, load_blocklist(blocklist))]
    assert names == ["seller_history"]
    [history] = seller_signals(listing, [], WATCH, {}, confirmed_verdicts=lambda site, seller: 2)
    assert history.details == {"confirmed": 2} and "repeat infringer" in history.explanation


def test_watchlist_rows_are_validated_whole(tmp_path):
    path = tmp_path / "watchlist.csv"
    path.write_text(
        "mark,owner,category,aliases,authorized_sellers,well_known\n"
        "Bosch,Robert Bosch GmbH,auto_parts,博世,baihuo:bosch-flagship,true\n"
        "Denso,Denso Corp,auto_parts|toys,电装,,false\n"
        "NGK,NGK Spark Plug,auto_parts,,baihuo:ngk,maybe\n"
        "bosch,Someone,auto_parts,,,\n",
        encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_watchlist(path, ("agri_inputs", "cosmetics", "auto_parts"))
    text = str(info.value)
    assert "watchlist.csv:3: category: 'toys' is not configured" in text
    assert "watchlist.csv:4: well_known" in text
    assert "watchlist.csv:5: mark: 'bosch' is already on line 2" in text
    assert "The watchlist was not changed" in text


def test_reference_prices_are_validated(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("mark,product,price,currency\nSyngenta,阿米西达,12O,CNY\nBASF,,10,CNY\nBayer,拿敌稳,10,元\n",
                    encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_prices(path)
    text = str(info.value)
    assert "prices.csv:2: price: '12O' is not a positive number" in text
    assert "prices.csv:3: product: empty" in text
    assert "prices.csv:4: currency: '元' is not an ISO 4217 code" in text


def test_price_point_carries_unit_and_product():
    from monitor.rules.price_signals import price_point

    point = price_point({"title": "先正达 阿米西达 500ml", "price": 200, "currency": "CNY"}, "Syngenta", REFS)
    assert point == PricePoint("Syngenta", "阿米西达", 0.4, "CNY", "volume")


def test_authorised_sellers_as_bare_ids_and_shop_names_are_accepted_and_reported(tmp_path):
    path = tmp_path / "watchlist.csv"
    path.write_text("mark,owner,category,aliases,authorized_sellers\n"
                    "Bosch,Robert Bosch GmbH,auto_parts,博世,baihuo:bosch-flagship|s-777|博世汽车配件 专营店\n",
                    encoding="utf-8")
    watch = load_watchlist(path)
    assert watch.is_authorised("Bosch", "baihuo", "bosch-flagship")
    assert not watch.is_authorised("Bosch", "greenmart", "bosch-flagship")  # site:id holds on that site only
    assert watch.is_authorised("Bosch", "greenmart", "s-777")  # a bare id, any site
    assert watch.is_authorised("Bosch", "kuaigou", "x1", "博世汽车配件专营店")  # a shop name, spaces aside
    assert not watch.is_authorised("Bosch", "kuaigou", "x1", "博世配件店")
    assert [(line, field) for line, field, _ in watch.notes] == [(2, "authorized_sellers")] * 2
