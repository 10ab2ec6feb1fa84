"""Flags in the store: raised, kept, superseded (never deleted), and not raised again once dismissed."""

from __future__ import annotations

import json
from types import SimpleNamespace

from monitor.rules.signals import Evidence, Signal
from monitor.store import save_listings
from monitor.store.db import write_transaction
from monitor.store.flags import content_hash, record_assessment


def assessment(score, flagged=True, version="v1"):
    signal = Signal("mark_lookalike", "trademark", 0.9, '"B0SCH" looks like "BOSCH"',
                    [Evidence("title", 0, 5, "B0SCH")], mark="Bosch")
    return SimpleNamespace(score=score, flagged=flagged, threshold=50, signals=[signal] if flagged else [],
                           rules_version=version, price_points=[])


def stored(db, **changes):
    item = {"site": "s", "listing_id": "1", "url": "https://s.example/1", "title": "B0SCH 刹车片",
            "category": "auto_parts", "price": 30.0, "observed_at": "2026-11-01T00:00:00Z"}
    item.update(changes)
    save_listings(db, [item], source="import")
    return db.execute_returning_dicts("SELECT * FROM listings WHERE site = 's' AND listing_id = '1'")[0]


def record(db, listing, result):
    with write_transaction(db):
        return record_assessment(db, listing, result, now="2026-11-02T00:00:00Z")


def flags(db):
    return db.execute_returning_dicts("SELECT * FROM flags ORDER BY id")


def test_flag_lifecycle(db):
    listing = stored(db)
    assert record(db, listing, assessment(85)) == "flagged"
    [flag] = flags(db)
    assert flag["status"] == "open" and flag["score"] == 85 and flag["rules_version"] == "v1"
    assert flag["signal_names"] == "mark_lookalike" and flag["marks"] == "Bosch"
    assert json.loads(flag["signals"])[0]["evidence"][0] == {"field": "title", "start": 0, "end": 5, "text": "B0SCH"}
    assert db.execute("SELECT score FROM listings").fetchone()[0] == 85

    # Same content, same rules: nothing new.
    assert record(db, listing, assessment(85)) == "unchanged"
    # New rules version: the old flag is superseded, a new one opened.
    assert record(db, listing, assessment(80, version="v2")) == "flagged"
    assert [f["status"] for f in flags(db)] == ["superseded", "open"]
    # Below the threshold: superseded, not deleted.
    assert record(db, listing, assessment(20, flagged=False, version="v3")) == "superseded"
    assert [f["status"] for f in flags(db)] == ["superseded", "superseded"]
    assert "below threshold" in flags(db)[-1]["superseded_reason"]


def test_a_dismissed_flag_is_not_raised_again_for_the_same_content(db):
    listing = stored(db)
    record(db, listing, assessment(85))
    db.execute("UPDATE flags SET status = 'dismissed'")
    assert record(db, listing, assessment(90, version="v2")) == "dismissed-before"
    assert len(flags(db)) == 1
    changed = stored(db, title="B0SCH 刹车片 高仿", observed_at="2026-11-03T00:00:00Z")
    assert content_hash(changed) != content_hash(listing)
    assert record(db, changed, assessment(95, version="v2")) == "flagged"
    assert [f["status"] for f in flags(db)] == ["dismissed", "open"]


def test_a_confirmed_flag_is_not_raised_again_for_the_same_content(db):
    listing = stored(db)
    record(db, listing, assessment(85))
    db.execute("UPDATE flags SET status = 'confirmed'")
    assert record(db, listing, assessment(85)) == "confirmed-before"
    assert record(db, listing, assessment(90, version="v2")) == "confirmed-before"  # a rescore after a rule edit
    assert [f["status"] for f in flags(db)] == ["confirmed"]
    changed = stored(db, title="B0SCH 刹车片 new")
    assert record(db, changed, assessment(85)) == "flagged"  # new content is reviewed again
