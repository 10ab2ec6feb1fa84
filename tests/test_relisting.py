"""Relisting: after a verdict, a new listing by the same seller, or the same offer (near-identical
title and a shared image) elsewhere, is flagged as relisted with a link to the original."""

from __future__ import annotations

import json

import pytest

from monitor.scoring.score import engine_for, score_keys
from monitor.rules.packs import load_packs
from monitor.store import save_listings
from monitor.store.migrations_review import REVIEW_MIGRATIONS
from monitor.review.accounts import User, add_user
from monitor.review import Decision, record_verdicts
from tests.conftest import ROOT, run_monitor


def confirm(db, listing_pk, verdict="confirmed_counterfeit"):
    REVIEW_MIGRATIONS.apply(db)
    if not db.execute("SELECT 1 FROM users WHERE name = 'ana'").fetchone():
        add_user(db, "ana", "analyst", "correct horse battery")
    flag = db.execute("SELECT id FROM flags WHERE listing = ? AND status = 'open'", [listing_pk]).fetchone()
    assert flag, f"listing {listing_pk} has no open flag"
    user = User(db.execute("SELECT id FROM users WHERE name = 'ana'").fetchone()[0], "ana", "analyst")
    record_verdicts(db, user, [Decision(flag[0], verdict, None, None)])


def item(lid, title, seller, site="shopa", images=("https://img.shopa.example/p/bosch-pads-front.jpg",), day=1):
    from monitor.listing import utc_now

    return {"site": site, "listing_id": lid, "url": f"https://{site}.example/{lid}", "title": title,
            "category": "auto_parts", "price": 35.0, "currency": "CNY", "seller_id": seller,
            "seller_name": f"Seller {seller}", "images": list(images), "observed_at": "2026-01-01T08:00:00Z" if day == 1 else utc_now()}


def pk(db, site, lid):
    return db.execute("SELECT id FROM listings WHERE site = ? AND listing_id = ?", [site, lid]).fetchone()[0]


def test_same_seller_and_same_offer_are_relisted_others_not(db):
    engine = engine_for(db, load_packs(ROOT / "rules"))
    title = "B0SCH ceramic brake pads front axle for VW Golf 7 high quality"
    save_listings(db, [item("A", title, "s1"), item("OLD", "Wiper blades 24 inch universal", "s1")], source="import")
    score_keys(db, engine, [("shopa", "A"), ("shopa", "OLD")])
    confirm(db, pk(db, "shopa", "A"))
    engine.relisting.loaded_at = float("-inf")  # a long-running scorer re-reads within a minute
    day2 = [
        item("B", "Wiper blades 26 inch universal", "s1", images=(), day=2),  # same seller, other product
        item("C", "NEW " + title, "s9", site="shopb", images=("https://cdn.shopb.example/x/bosch-pads-front.jpg",),
             day=2),  # same offer: similar title, same picture, other seller and site
        item("D", "NEW " + title, "s8", images=("https://img.shopa.example/p/other-picture.jpg",), day=2),
        item("OLD", "Wiper blades 24 inch universal", "s1", day=2),  # was there before the verdict
    ]
    save_listings(db, day2, source="import")
    score_keys(db, engine, [(i["site"], i["listing_id"]) for i in day2])
    rows = {r["listing_id"]: r for r in db.execute_returning_dicts("SELECT * FROM listings")}
    a = rows["A"]["id"]
    assert rows["B"]["relisted_of"] == a and "whose listing #%d was confirmed" % a in rows["B"]["relisted_reason"]
    assert rows["C"]["relisted_of"] == a and "same image (bosch-pads-front.jpg)" in rows["C"]["relisted_reason"]
    assert rows["D"]["relisted_of"] is None  # different picture and title not identical
    assert rows["OLD"]["relisted_of"] is None and rows["A"]["relisted_of"] is None
    flag_b = db.execute_returning_dicts("SELECT * FROM flags WHERE listing = ? AND status = 'open'",
                                        [rows["B"]["id"]])[0]
    relisted = [s for s in json.loads(flag_b["signals"]) if s["name"] == "relisted"]
    assert relisted and relisted[0]["details"]["original"] == a and flag_b["score"] >= 80


def test_demo_two_nights_relisted_offers_are_linked(tmp_path):
    """Day 1 crawled and the day-2 relists' originals confirmed; the day-2 crawl links the relists."""
    from monitor.demo.catalogue import base_entries, listing_id
    from monitor.demo.marketplaces import DemoMarketplaces
    from monitor.store import open_db

    site = "greenmart"
    db_path = tmp_path / "m.db"
    relists = {listing_id(site, e.index): listing_id(site, e.relisted_as)
               for e in base_entries(site) if e.relisted_as is not None and e.removed_day == 2}
    assert relists
    with DemoMarketplaces(host="127.0.0.1", base_port=None, day=1) as markets:
        run_monitor("crawl", site, "--base-url", markets.urls[site], db_path=db_path, check=True)
        db = open_db(db_path)
        confirmed = []
        for original in relists:
            row = db.execute("SELECT l.id FROM listings l JOIN flags f ON f.listing = l.id AND f.status = 'open' "
                             "WHERE l.site = ? AND l.listing_id = ?", [site, original]).fetchone()
            if row:
                confirm(db, row[0])
                confirmed.append(original)
        db.close()
        # Day 2 relists a few removed suspects and one clean listing (which the rules rightly do
        # not flag, so there is nothing to confirm): at least one original must be confirmed.
        assert confirmed
        markets.set_day(2)
        run_monitor("crawl", site, "--base-url", markets.urls[site], db_path=db_path, check=True)
    db = open_db(db_path)
    linked = {r[0]: r[1] for r in db.execute(
        "SELECT l.listing_id, o.listing_id FROM listings l JOIN listings o ON o.id = l.relisted_of")}
    db.close()
    for original in confirmed:
        assert linked.get(relists[original]) == original, (original, relists[original], linked)


def test_confirmed_listings_are_rechecked_removed_live_or_changed(tmp_path):
    """`monitor crawl SITE --confirmed` fetches only the confirmed listings: the next night one is
    gone (a removal with its page kept as evidence and the time from verdict to removal), the
    others are still live, some with a new price (changed)."""
    from monitor.demo.catalogue import base_entries, listing_id
    from monitor.demo.marketplaces import DemoMarketplaces
    from monitor.store import open_db
    from monitor.store.removals import takedown_times

    site = "greenmart"
    db_path = tmp_path / "m.db"
    gone = {listing_id(site, e.index) for e in base_entries(site) if e.removed_day == 2}
    with DemoMarketplaces(host="127.0.0.1", base_port=None, day=1) as markets:
        run_monitor("crawl", site, "--base-url", markets.urls[site], db_path=db_path, check=True)
        db = open_db(db_path)
        flagged = [r[0] for r in db.execute(
            "SELECT l.listing_id FROM listings l JOIN flags f ON f.listing = l.id AND f.status = 'open' "
            "WHERE l.site = ? ORDER BY l.id", [site])]
        chosen = [lid for lid in flagged if lid in gone][:2] + [lid for lid in flagged if lid not in gone][:4]
        for lid in chosen:
            confirm(db, pk(db, site, lid))
        db.close()
        assert len(chosen) == 6
        markets.set_day(2)
        proc = run_monitor("crawl", site, "--base-url", markets.urls[site], "--confirmed", db_path=db_path,
                           check=True)
    db = open_db(db_path)
    run = db.execute_returning_dicts("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["kind"] == "recheck" and run["status"] == "completed", (run, proc.stdout)
    assert run["listings_seen"] == 4 and run["listings_removed"] == 2  # 6 fetched: 4 live, 2 answered 404
    removed = {r[0] for r in db.execute("SELECT listing_id FROM listings WHERE removed_at IS NOT NULL")}
    assert removed == set(chosen[:2])
    times = {t["listing_id"]: t for t in takedown_times(db)}
    assert set(times) == set(chosen)
    assert all(times[lid]["hours_to_removal"] is not None and times[lid]["hours_to_removal"] >= 0
               for lid in chosen[:2])
    assert all(times[lid]["hours_to_removal"] is None for lid in chosen[2:])
    kept = db.execute("SELECT count(*) FROM evidence WHERE run_id = ?", [run["id"]]).fetchone()[0]
    assert kept == 6  # the gone pages too
    db.close()
