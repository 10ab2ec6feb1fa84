"""The relisted signal's explanation is a message with parameters: its English is exactly what
flags and listings stored before said, and explain() shows it in Chinese."""

from __future__ import annotations

import json

from monitor.i18n import use_locale
from monitor.rules.explain import explain
from monitor.rules.packs import load_packs
from monitor.scoring.score import engine_for, score_keys
from monitor.store import save_listings
from tests.conftest import ROOT
from tests.test_relisting import confirm, item, pk

TITLE = "B0SCH ceramic brake pads front axle for VW Golf 7 high quality"


def _relisted(db, listing_pk):
    flag = db.execute_returning_dicts("SELECT * FROM flags WHERE listing = ? AND status = 'open'", [listing_pk])[0]
    return next(s for s in json.loads(flag["signals"]) if s["name"] == "relisted")


def test_relisted_explanations_keep_their_english_and_read_in_chinese(db):
    engine = engine_for(db, load_packs(ROOT / "rules"))
    save_listings(db, [item("A", TITLE, "s1")], source="import")
    score_keys(db, engine, [("shopa", "A")])
    a = pk(db, "shopa", "A")
    confirm(db, a)
    day = db.execute("SELECT decided_at FROM reviews WHERE listing = ?", [a]).fetchone()[0][:10]
    y, m, d = (int(part) for part in day.split("-"))
    zh_day = f"{y}年{m}月{d}日"  # the day as Chinese writes it, never ISO
    engine.relisting.loaded_at = float("-inf")
    day2 = [item("B", "Wiper blades 26 inch universal", "s1", images=(), day=2),
            item("C", "NEW " + TITLE, "s9", site="shopb", images=("https://cdn.shopb.example/x/bosch-pads-front.jpg",),
                 day=2),
            item("E", TITLE + " set", "s7", site="shopb", images=(), day=2)]
    save_listings(db, day2, source="import")
    score_keys(db, engine, [(i["site"], i["listing_id"]) for i in day2])
    b, c, e = pk(db, "shopa", "B"), pk(db, "shopb", "C"), pk(db, "shopb", "E")

    english = {
        b: f"New listing by Seller s1, whose listing #{a} was confirmed on {day}",
        c: f"Near-identical to listing #{a} on shopa, confirmed on {day}: title 97% alike, "
           "the same image (bosch-pads-front.jpg)",
        e: f"Near-identical to listing #{a} on shopa, confirmed on {day}: title 97% alike, no differing images",
    }
    chinese = {
        b: f"卖家 Seller s1 新发布的商品链接；该卖家的商品链接 #{a} 已于{zh_day}经审核确认",
        c: f"与 shopa 上的商品链接 #{a}（已于{zh_day}经审核确认）几乎相同：标题相似度 97%，使用同一图片"
           "（bosch-pads-front.jpg）",
        e: f"与 shopa 上的商品链接 #{a}（已于{zh_day}经审核确认）几乎相同：标题相似度 97%，未见不同图片",
    }
    for listing, text in english.items():
        signal = _relisted(db, listing)
        assert signal["explanation"] == text  # what stored flags say, byte for byte
        reason = db.execute("SELECT relisted_reason FROM listings WHERE id = ?", [listing]).fetchone()[0]
        assert reason == text
        assert signal["message"] and signal["params"]["original"] == a
        with use_locale("en"):
            assert explain(signal) == text
        with use_locale("zh_CN"):
            assert explain(signal) == chinese[listing]
