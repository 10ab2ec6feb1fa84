"""The store: migrations, WAL, batched upserts, observations, sellers, search, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3

import pytest

from monitor.store import open_db, save_listings, search_listings, start_run
from monitor.store.db import resolve_db_path
from monitor.store.migrations import MIGRATIONS


def listing(i, **extra):
    base = {"site": "shop", "listing_id": str(i), "url": f"https://shop.example/item/{i}",
            "title": f"先正达 阿米西达 嘧菌酯 {i}", "price": 100.0 + (i if isinstance(i, int) else 0), "currency": "CNY",
            "seller_id": "s1", "seller_name": "农资旗舰店"}
    base.update(extra)
    return base


def test_new_database_is_wal_and_migrated(db, db_path):
    assert db.journal_mode == "wal"
    assert {"listings", "observations", "sellers", "crawl_runs", "listings_fts"} <= set(db.table_names())
    assert MIGRATIONS.pending(db) == []
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 30000


def test_db_path_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("MONITOR_DB", raising=False)
    assert str(resolve_db_path()) == "data/monitor.db"
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "env.db"))
    assert resolve_db_path() == tmp_path / "env.db"
    assert resolve_db_path(tmp_path / "cli.db") == tmp_path / "cli.db"


def test_migrations_upgrade_an_existing_database_and_keep_its_data(db_path):
    import sqlite_utils

    old = sqlite_utils.Database(db_path)
    MIGRATIONS.apply(old, stop_before="0002_history_indexes")
    save_listings(old, [listing(1)], source="import")
    assert [m.name for m in MIGRATIONS.pending(old)] == ["0002_history_indexes", "0003_removals", "0004_flags"]
    old.close()

    db = open_db(db_path)
    assert MIGRATIONS.pending(db) == []
    assert db["listings"].count == 1
    assert any(ix.columns == ["listing", "observed_at"] for ix in db["observations"].indexes)
    assert "removed_at" in db["listings"].columns_dict
    assert db["crawl_runs"].columns_dict["listings_removed"] is int
    db.close()


def test_save_counts_new_and_changed_and_records_one_observation_per_run(db):
    run1 = start_run(db, site="shop", spider="shop", kind="profile")
    first = save_listings(db, [listing(1), listing(2)], run_id=run1)
    assert (first.seen, first.new, first.changed) == (2, 2, 0)
    # Seen twice in the same run: still one observation, the later sighting wins.
    save_listings(db, [listing(1, price=90.0)], run_id=run1)
    assert db.execute("SELECT count(*), max(price) FROM observations WHERE run_id = ?", [run1]).fetchone() == (2, 102.0)

    run2 = start_run(db, site="shop", spider="shop", kind="profile")
    second = save_listings(db, [listing(1, price=80.0, observed_at="2099-01-01T00:00:00Z"), listing(2)], run_id=run2)
    assert (second.new, second.changed) == (0, 1)
    history = [r[0] for r in db.execute(
        "SELECT o.price FROM observations o JOIN listings l ON l.id = o.listing WHERE l.listing_id = '1' ORDER BY o.id")]
    assert history == [90.0, 80.0]
    assert db["listings"].count == 2
    assert db["sellers"].get(("shop", "s1"))["name"] == "农资旗舰店"


def test_missing_field_keeps_last_known_value_but_observation_shows_the_gap(db):
    save_listings(db, [listing(1, brand="Syngenta", observed_at="2026-01-01T00:00:00Z")], source="import")
    save_listings(db, [listing(1, brand=None, price=None, observed_at="2026-01-02T00:00:00Z")], source="import")
    row = db.execute("SELECT brand, price FROM listings").fetchone()
    assert row == ("Syngenta", 101.0)
    prices = [r[0] for r in db.execute("SELECT price FROM observations ORDER BY observed_at")]
    assert prices == [101.0, None]


def test_an_older_observation_does_not_overwrite_newer_state(db):
    save_listings(db, [listing(1, title="new title", observed_at="2026-06-01T00:00:00Z")], source="import")
    save_listings(db, [listing(1, title="old title", observed_at="2026-01-01T00:00:00Z")], source="import")
    row = db.execute("SELECT title, first_seen, last_seen FROM listings").fetchone()
    assert row == ("new title", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")


def test_a_failing_batch_stores_nothing(db):
    save_listings(db, [listing(1)], source="import")
    with pytest.raises(sqlite3.IntegrityError):
        save_listings(db, [listing(2), listing(3, url=None)], source="import")
    assert [r[0] for r in db.execute("SELECT listing_id FROM listings")] == ["1"]
    assert db.execute("SELECT count(*) FROM observations").fetchone()[0] == 1


def test_full_text_search_in_chinese_and_latin(db):
    save_listings(db, [listing(1), listing(2, title="Bosch brake pads 0986494", description="博世刹车片")],
                  source="import")
    assert [r["listing_id"] for r in search_listings(db, "阿米西达")] == ["1"]
    assert [r["listing_id"] for r in search_listings(db, "刹车")] == ["2"]  # two characters: substring scan
    assert [r["listing_id"] for r in search_listings(db, "brake")] == ["2"]
    assert search_listings(db, '"; DROP TABLE listings; --') == []
    assert db["listings"].count == 2


def _writer(path, worker, count):
    db = open_db(path)
    for start in range(0, count, 50):
        batch = [listing(f"{worker}-{i}") for i in range(start, start + 50)]
        save_listings(db, batch, run_id=None, source="import")
    db.close()


def test_two_processes_write_at_once_without_locking_errors(db_path):
    open_db(db_path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(db_path), w, 1500)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    db = open_db(db_path)
    assert db["listings"].count == 4500
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_images_and_attributes_are_json(db):
    save_listings(db, [listing(1, images=["https://img/1.jpg"], attributes={"农药登记证号": "PD20092927"})],
                  source="import")
    row = db["listings"].get(1)
    assert json.loads(row["images"]) == ["https://img/1.jpg"]
    assert json.loads(row["attributes"]) == {"农药登记证号": "PD20092927"}
