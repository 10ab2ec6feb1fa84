"""Dismissal reasons (issue 11): the reasons that name what the rules must learn, added by review
migration 0007. Old verdicts stay valid; the form, the API and the database trigger accept the
new reasons and the old ones, and refuse anything else."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from monitor.store import open_db, save_listings
from monitor.store.db import write_transaction
from monitor.store.flags import record_assessment
from monitor.store.migrations import MIGRATIONS
from monitor.review import decisions as review
from monitor.review.accounts import User, add_user
from monitor.store.migrations_review import REVIEW_MIGRATIONS
from monitor.i18n import use_locale
from monitor.verdicts import DISMISS_REASON_LABELS, DISMISS_REASONS, reason_label
from tests.web_fixtures import (PASSWORD, _assessment, _lookalike, csrf_of, english, http_client, live,  # noqa: F401
                                     login, store)

OLD_REASONS = ("authorised_seller", "genuine_goods", "compatible_part", "not_our_mark", "other")
NEW_REASONS = ("reseller", "common_word", "exempt_product", "other_brand", "model_toy", "heritage_line",
               "sample_second_hand")
pytestmark = pytest.mark.usefixtures("english")
MIGRATION = "0007_dismiss_reasons_for_calibration"


def _raw_review(conn: sqlite3.Connection, listing: int, flag: int, reason: str | None) -> None:
    conn.execute("INSERT INTO reviews (listing, flag, verdict, reason, analyst, decided_at) "
                 "VALUES (?, ?, 'dismissed', ?, 'x', '2026-11-05T10:00:00Z')", [listing, flag, reason])


def test_every_reason_has_a_label_in_english_and_in_chinese():
    assert set(DISMISS_REASONS) == set(OLD_REASONS) | set(NEW_REASONS)
    assert DISMISS_REASONS[-1] == "other"
    for reason in DISMISS_REASONS:
        with use_locale("zh_CN"):
            chinese = reason_label(reason)
        with use_locale("en"):
            english = reason_label(reason)
        assert english == DISMISS_REASON_LABELS[reason] and english.isascii(), english
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), chinese
    with use_locale("zh_CN"):
        assert reason_label("reseller") == "正品转售"
    with use_locale("en"):
        assert reason_label("reseller") == "reseller of genuine goods"


def test_migration_0007_widens_the_trigger_of_an_old_database(tmp_path):
    """A store made before 0007: its trigger knows five reasons. Opening it migrates; the old
    verdicts are untouched, the new reasons are accepted, unknown ones still refused."""
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    MIGRATIONS.apply(old)
    REVIEW_MIGRATIONS.apply(old, stop_before=MIGRATION)
    save_listings(old, [{"site": "shopa", "listing_id": f"L{i}", "url": f"https://s.example/{i}",
                         "title": f"B0SCH brake pads {i}", "category": "auto_parts", "price": 10.0 + i}
                        for i in range(4)], source="import")
    listings = list(old.execute_returning_dicts("SELECT * FROM listings ORDER BY id"))
    with write_transaction(old):
        for listing in listings:
            record_assessment(old, listing, _assessment(90, [_lookalike("title", listing["title"], "B0SCH")]))
    flags = [r[0] for r in old.execute("SELECT id FROM flags ORDER BY listing")]
    ids = [listing["id"] for listing in listings]
    old.conn.commit()
    conn = old.conn
    _raw_review(conn, ids[0], flags[0], "genuine_goods")
    with pytest.raises(sqlite3.DatabaseError, match="dismissal reason"):
        _raw_review(conn, ids[1], flags[1], "reseller")  # not known before 0007
    conn.commit()
    old.close()

    db = open_db(path)
    try:
        applied = [m.name for m in REVIEW_MIGRATIONS.applied(db)]
        assert MIGRATION in applied and not REVIEW_MIGRATIONS.pending(db)
        assert [dict(r) for r in db.execute_returning_dicts("SELECT flag, verdict, reason FROM reviews")] == [
            {"flag": flags[0], "verdict": "dismissed", "reason": "genuine_goods"}]
        _raw_review(db.conn, ids[1], flags[1], "reseller")
        _raw_review(db.conn, ids[2], flags[2], "compatible_part")  # old reasons stay valid
        for bad in ("counterfeit_ok", "", None):
            with pytest.raises(sqlite3.DatabaseError, match="dismissal reason"):
                _raw_review(db.conn, ids[3], flags[3], bad)
        # still append-only, still one trigger that checks verdicts
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE reviews SET reason = 'other'")
        triggers = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                             "AND tbl_name = 'reviews' ORDER BY name")]
        assert triggers == ["reviews_check_verdict", "reviews_no_delete", "reviews_no_update"]
        with pytest.raises(sqlite3.DatabaseError, match="invalid verdict"):
            db.execute("INSERT INTO reviews (listing, flag, verdict, analyst, decided_at) "
                       "VALUES (?, ?, 'burn_it', 'x', '2026')", [ids[3], flags[3]])
    finally:
        db.close()


def test_service_accepts_every_reason_and_refuses_unknown_ones(tmp_path):
    db = open_db(tmp_path / "m.db")
    try:
        add_user(db, "ana", "analyst", PASSWORD)
        user = User(id=1, name="ana", role="analyst")
        items = [{"site": "shopa", "listing_id": f"L{i}", "url": f"https://s.example/{i}", "title": f"B0SCH pads {i}",
                  "category": "auto_parts", "price": 10.0} for i in range(len(DISMISS_REASONS))]
        save_listings(db, items, source="import")
        listings = list(db.execute_returning_dicts("SELECT * FROM listings ORDER BY id"))
        with write_transaction(db):
            for listing in listings:
                record_assessment(db, listing, _assessment(90, [_lookalike("title", listing["title"], "B0SCH")]))
        flags = [r[0] for r in db.execute("SELECT id FROM flags ORDER BY listing")]
        with pytest.raises(review.ReviewError, match="needs a reason"):
            review.record_verdicts(db, user, [review.Decision(flags[0], "dismissed", "made_up")])
        # "other" says why in its note (refused without one: tests/test_decisions_other.py)
        review.record_verdicts(db, user, [review.Decision(f, "dismissed", r, "why" if r == "other" else None)
                                          for f, r in zip(flags, DISMISS_REASONS)])
        got = dict(db.execute("SELECT flag, reason FROM reviews").fetchall())
        assert got == dict(zip(flags, DISMISS_REASONS))
    finally:
        db.close()


def test_form_and_api_offer_the_new_reasons(live, store):
    c = http_client(live.url)
    login(c, "ana")
    lid = store.listings["L7"]
    page = c.get(f"/listing/{lid}").text
    assert '<option value="reseller">reseller of genuine goods</option>' in page
    assert '<option value="sample_second_hand">' in page and '<option value="authorised_seller">' in page
    queue = c.get("/").text  # the bulk form
    assert '<option value="model_toy">scale model or toy</option>' in queue

    r = c.post(f"/listing/{lid}/verdict", data={"csrf_token": csrf_of(page), "flag": store.flags[lid],
                                               "verdict": "dismissed", "reason": "heritage_line", "then": "stay"})
    assert r.status_code == 303
    assert "the brand&#39;s own re-issue or heritage line" in c.get(f"/listing/{lid}").text

    csrf = c.get("/api/me").json()["csrf"]
    headers = {"X-CSRF-Token": csrf}
    for key, reason in (("L5", "other_brand"), ("L4", "not_our_mark")):  # a new reason, an old one
        r = c.post("/api/verdict", json={"flags": [store.flags[store.listings[key]]], "verdict": "dismissed",
                                         "reason": reason}, headers=headers)
        assert r.status_code == 200, r.text
    r = c.post("/api/verdict", json={"flags": [store.flags[store.listings["L3"]]], "verdict": "dismissed",
                                     "reason": "looked_fine"}, headers=headers)
    assert r.status_code == 422
    db = open_db(store.path, migrate=False)
    try:
        assert db.execute("SELECT count(*) FROM reviews WHERE flag = ?", [store.flags[store.listings["L3"]]]
                          ).fetchone()[0] == 0
    finally:
        db.close()

    spec = c.get("/api/openapi.json").json()
    schema = spec["components"]["schemas"]["VerdictIn"]["properties"]["reason"]
    enum = next(s["enum"] for s in schema["anyOf"] if "enum" in s)
    assert set(enum) == set(DISMISS_REASONS)
    assert "正品转售" in schema["description"]
    c.close()
