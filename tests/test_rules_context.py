"""Context rules of issue 11 on listings written here, each both ways: the rule lowers (or
raises) what it should and leaves the other case alone. Run through the whole engine with a
small watchlist of our own, so the scoring terms are the shipped ones."""

from __future__ import annotations

import pytest

from monitor.rules.engine import Engine
from monitor.rules.packs import load_packs
from tests.conftest import ROOT

WATCHLIST = (
    "mark,owner,category,aliases,authorized_sellers\n"
    "Lumora,Lumora Cosmetics SA,cosmetics,露美拉,tmall:lumora-flag|金樽美妆专营店\n"
    "Tervik,Tervik Autoteile AG,auto_parts,特维克,jd:tervik-self\n"
    "Agrivo,Agrivo Crop Ltd,agri_inputs,艾格沃,tmall:agrivo-flag\n"
)
PRICES = ("mark,product,price,currency\n"
          "Lumora,焕颜霜 50ml,400,CNY\n"
          "Tervik,火花塞 4支,200,CNY\n")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("watch")
    (folder / "watchlist.csv").write_text(WATCHLIST, encoding="utf-8")
    (folder / "prices.csv").write_text(PRICES, encoding="utf-8")
    return Engine(load_packs(ROOT / "rules", watchlist=folder / "watchlist.csv", prices=folder / "prices.csv"))


def listing(title, category="cosmetics", price=380.0, seller="tb-shop-1", seller_name="小美的店", site="taobao",
            brand="", currency="CNY", **attrs):
    return {"site": site, "listing_id": "1", "title": title, "category": category, "price": price,
            "currency": currency, "seller_id": seller, "seller_name": seller_name, "brand": brand,
            "attributes": attrs}


def names(engine, item):
    return {s.name for s in engine.assess(item).signals}


def flagged(engine, item):
    return engine.assess(item).flagged


def test_reseller_at_a_normal_price_is_not_flagged_a_cheap_one_is(engine):
    ok = listing("露美拉 焕颜霜 50ml 正品 海外代购", brand="露美拉")
    assert "unauthorised_seller" in names(engine, ok) and not flagged(engine, ok)
    assert flagged(engine, listing("露美拉 焕颜霜 50ml", brand="露美拉", price=60))


def test_authorised_entries_by_shop_name(engine):
    item = listing("露美拉 焕颜霜 50ml", brand="露美拉", seller="x-9", seller_name="金樽美妆专营店")
    assert "authorised_seller" in names(engine, item)


def test_negated_counterfeit_terms(engine):
    for title in ("露美拉 焕颜霜 50ml 拒绝高仿 假一赔十", "露美拉 焕颜霜 50ml 非A货 非原单", "Lumora cream 50ml not a replica"):
        assert "counterfeit_terms" not in names(engine, listing(title)), title
    for title in ("露美拉 焕颜霜 50ml 高仿", "Lumora cream 50ml replica"):
        assert flagged(engine, listing(title)), title


def test_scale_models_and_toys(engine):
    model = listing("1:18 特维克 拉力赛车 合金车模 收藏", category="auto_parts", price=90)
    assert "model_toy" in names(engine, model) and not flagged(engine, model)
    diecast = listing("Tervik rally car 1:64 diecast replica", category="auto_parts", price=9, currency="USD")
    assert not flagged(engine, diecast)
    assert flagged(engine, listing("特维克 火花塞 4支 高仿 1:1", category="auto_parts", price=60))


def test_second_hand_and_samples_at_their_own_price(engine):
    used = listing("闲置 露美拉 焕颜霜 50ml 剩余一半", price=90)
    assert "second_hand" in names(engine, used) and not flagged(engine, used)
    sample = listing("露美拉 焕颜霜 小样 7ml (正装50ml)", price=45)
    assert "sample_size" in names(engine, sample) and not flagged(engine, sample)
    assert flagged(engine, listing("露美拉 焕颜霜 50ml 全新", price=45))


def test_heritage_line_from_the_brands_store_but_not_from_others(engine):
    own = listing("露美拉 经典复刻 焕颜霜 50ml", brand="露美拉", seller="lumora-flag", site="tmall",
                  seller_name="露美拉官方旗舰店")
    assert "counterfeit_terms" not in names(engine, own) and not flagged(engine, own)
    assert "counterfeit_terms" in names(engine, listing("露美拉 经典复刻 焕颜霜 50ml", brand="露美拉"))


def test_compatible_parts_but_not_a_misspelt_make(engine):
    fits = listing("火花塞 适用于特维克 T5 4支装", category="auto_parts", price=80, brand="路安")
    assert "compatible_part" in names(engine, fits) and not flagged(engine, fits)
    fits_en = listing("Spark plugs compatible with Tervik T5, set of 4", category="auto_parts", price=12,
                      currency="USD", brand="RoadOn")
    assert not flagged(engine, fits_en)
    misspelt = listing("Spark plugs for Tervlk T5, set of 4", category="auto_parts", price=12, currency="USD")
    assert "mark_lookalike" in names(engine, misspelt) and "compatible_part" not in names(engine, misspelt)
    assert flagged(engine, misspelt)


def test_a_brand_built_on_the_mark(engine):
    built = listing("露美拉美 焕颜霜 50ml", brand="露美拉美")
    assert flagged(engine, built)
    assert any(s.name == "mark_lookalike" and "inserted_word" in s.details.get("mechanisms", [])
               for s in engine.assess(built).signals)
    # the mark itself, or the mark with a neutral word, is no other brand
    assert not flagged(engine, listing("露美拉 焕颜霜 50ml", brand="露美拉/Lumora"))
    assert not flagged(engine, listing("露美拉 焕颜霜 50ml", brand="露美拉官方"))
    # a different first character makes a different mark
    assert "mark_lookalike" not in names(engine, listing("海露美拉 面霜", brand="海露美拉"))


def test_brands_own_store_needs_no_number_shown(engine):
    own = listing("艾格沃 25%吡唑醚菌酯 悬浮剂 100ml", category="agri_inputs", price=40, brand="艾格沃",
                  seller="agrivo-x", site="tmall", seller_name="艾格沃官方旗舰店")
    signals = engine.assess(own).signals
    assert "regulatory_not_shown" in {s.name for s in signals} and not engine.assess(own).flagged
    other = listing("绿盾 25%吡唑醚菌酯 悬浮剂 100ml", category="agri_inputs", price=40, brand="绿盾",
                    seller_name="农资小店")
    assert flagged(engine, other)  # a pesticide must show its registration, and this shop is not the brand's


def test_unbranded_exempt_goods_and_overseas_listings(engine):
    assert not flagged(engine, listing("汽车脚垫 TPE 通用款 防水", category="auto_parts", price=99))
    assert not flagged(engine, listing("Whitening night cream 50ml", price=20, currency="USD", brand="Glowa"))


def test_score_terms_are_shown_and_the_score_ranks(engine):
    one = engine.assess(listing("露美拉 焕颜霜 50ml", brand="露美拉", price=60))
    two = engine.assess(listing("露美拉 焕颜霜 50ml 高仿 加薇 luma88888", brand="露美拉", price=60))
    assert all(s.term is not None for s in one.signals)
    assert two.score > one.score and one.prior == 5
