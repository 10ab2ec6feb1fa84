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
    assert [m.name for m in MIGRATIONS.pending(old)] == ["0002_history_indexes", "0003_removals", "0004_flags",
                                                        "0005_fts_update_on_text_change", "0006_flags_site",
                                                        "0007_evidence_custody", "0008_schedule_alerts_relisting",
                                                        "0009_notices", "0010_flag_priority_campaign",
                                                        "0011_fts_insert_deferrable", "0012_run_failure_counts",
                                                        "0013_unscored_index", "0014_sales_count",
                                                        "0015_translatable_alerts"]
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
    # The failed upsert ran with the insert trigger deferred (migration 0011): that is undone too.
    assert db.execute("SELECT count(*) FROM listings_fts_deferred").fetchone()[0] == 0
    db.execute("INSERT INTO listings (site, listing_id, url, title, first_seen, last_seen) "
               "VALUES ('shop', 'by-hand', 'u', '手工录入', 't', 't')")
    assert [r["listing_id"] for r in search_listings(db, "手工录入")] == ["by-hand"]


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


def fts_index(db) -> list:
    """Every (term, listing, column, offset) in the trigram index."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, listings_fts, instance)")
    return sorted(db.execute("SELECT term, doc, col, offset FROM temp.fts_terms"))


def rebuilt_fts_index(db, tmp_path) -> list:
    """The index a fresh `rebuild` makes from the listings as they are now (on a copy)."""
    copy = tmp_path / "rebuilt.db"
    copy.unlink(missing_ok=True)
    db.execute(f"VACUUM INTO '{copy}'")
    other = sqlite3.connect(copy)
    other.execute("INSERT INTO listings_fts(listings_fts) VALUES('rebuild')")
    other.execute("CREATE VIRTUAL TABLE temp.fts_terms USING fts5vocab(main, listings_fts, instance)")
    rebuilt = sorted(other.execute("SELECT term, doc, col, offset FROM temp.fts_terms"))
    other.close()
    return rebuilt


def test_fts_index_stays_exact_through_every_kind_of_write(db, tmp_path):
    from monitor.ingest.importing import import_file
    from monitor.store.removals import record_removals

    def check():
        assert fts_index(db) == rebuilt_fts_index(db, tmp_path)
        # Batch writes index their new listings themselves while the insert trigger waits
        # (migration 0011); the flag row never outlives their transaction.
        assert db.execute("SELECT count(*) FROM listings_fts_deferred").fetchone()[0] == 0

    save_listings(db, [listing(i, description=f"描述 {i}") for i in range(6)], source="import")
    check()
    run = start_run(db, site="shop", spider="shop", kind="profile")
    # Crawl-style save: same text for 0-2, a new title for 3, a new description for 4, one new listing.
    save_listings(db, [listing(0, description="描述 0"), listing(1, description="描述 1"), listing(2, description="描述 2"),
                       listing(3, title="Bosch brake pads 0986494", description="描述 3"),
                       listing(4, description="博世刹车片 正品"), listing(9, observed_at="2099-01-01T00:00:00Z")],
                  run_id=run)
    check()
    # An older observation (keeps the newer text), a missing field (keeps the last description).
    save_listings(db, [listing(3, title="old title", observed_at="2000-01-01T00:00:00Z"), listing(5, description=None)],
                  source="import")
    check()
    db.execute("UPDATE listings SET score = 7, scored_at = 'now', rules_version = 'v' WHERE id <= 3")
    db.execute("UPDATE listings SET title = 'renamed by hand' WHERE listing_id = '5'")
    db.execute("INSERT INTO listings (site, listing_id, url, title, first_seen, last_seen) "
               "VALUES ('shop', 'by-hand', 'u', 'inserted by hand 手工', 't', 't')")  # the trigger indexes it
    record_removals(db, [{"site": "shop", "listing_id": "2", "url": "u", "http_status": 404,
                          "observed_at": "2099-01-02T00:00:00Z"}], run_id=run)
    db.execute("DELETE FROM observations WHERE listing = (SELECT id FROM listings WHERE listing_id = '1')")
    db.execute("DELETE FROM listings WHERE listing_id = '1'")
    check()
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps({"site": "shop", "id": str(i), "url": f"https://shop.example/item/{i}",
                                          "title": f"imported 正品标题 {i}", "observed_at": "2099-02-01T00:00:00Z"})
                              for i in (0, 4, 20)) + "\n", encoding="utf-8")
    for parallel in (False, True, True):  # an import, then twice the same file through the staged path
        import_file(db, path, parallel=parallel)
        check()
    assert {r["listing_id"] for r in search_listings(db, "imported")} == {"0", "4", "20"}
    assert {r["listing_id"] for r in search_listings(db, "正品标题")} == {"0", "4", "20"}
    old_title = {r["listing_id"] for r in search_listings(db, "阿米西达")}
    assert "2" in old_title and not old_title & {"0", "4", "20"}  # the imports replaced those titles
    assert [r["listing_id"] for r in search_listings(db, "renamed")] == ["5"]


def test_fts_update_trigger_fires_only_when_indexed_text_changes(db):
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'listings_au'").fetchone()[0]
    assert "OLD.title IS NOT NEW.title" in sql and "OLD.description IS NOT NEW.description" in sql
    save_listings(db, [listing(1)], source="import")
    segments = db.execute("SELECT count(*) FROM listings_fts_data").fetchone()[0]
    for day in range(2, 6):  # re-seen with the same text: no FTS writes at all
        save_listings(db, [listing(1, observed_at=f"2026-01-0{day}T00:00:00Z")], source="import")
    assert db.execute("SELECT count(*) FROM listings_fts_data").fetchone()[0] == segments


def test_fts_migration_upgrades_an_existing_index_in_place(db_path, tmp_path):
    import sqlite_utils

    old = sqlite_utils.Database(db_path)
    MIGRATIONS.apply(old, stop_before="0005_fts_update_on_text_change")
    save_listings(old, [listing(1), listing(2, title="Bosch brake pads")], source="import")
    old.close()
    db = open_db(db_path)
    assert MIGRATIONS.pending(db) == []
    save_listings(db, [listing(2, title="NGK spark plugs", observed_at="2099-01-01T00:00:00Z")], source="import")
    assert fts_index(db) == rebuilt_fts_index(db, tmp_path)
    assert [r["listing_id"] for r in search_listings(db, "spark")] == ["2"]
    assert search_listings(db, "brake") == []
    db.close()


def test_a_removed_listing_seen_again_by_an_import_is_live_again(db, tmp_path):
    from monitor.ingest.importing import import_file
    from monitor.store.removals import record_removals

    save_listings(db, [listing(1, observed_at="2026-01-01T00:00:00Z"), listing(2, observed_at="2026-01-01T00:00:00Z")],
                  source="import")
    record_removals(db, [{"site": "shop", "listing_id": i, "url": "u", "http_status": 404,
                          "observed_at": "2026-02-01T00:00:00Z"} for i in ("1", "2")], run_id=None)
    path = tmp_path / "later.jsonl"
    path.write_text(json.dumps({"site": "shop", "id": "1", "url": "https://shop.example/item/1", "title": "x",
                                "observed_at": "2026-03-01T00:00:00Z"}) + "\n"
                    + json.dumps({"site": "shop", "id": "2", "url": "https://shop.example/item/2", "title": "y",
                                  "observed_at": "2026-01-15T00:00:00Z"}) + "\n", encoding="utf-8")
    import_file(db, path, parallel=True)
    removed = dict(db.execute("SELECT listing_id, removed_at FROM listings"))
    assert removed == {"1": None, "2": "2026-02-01T00:00:00Z"}  # an older sighting does not revive it


def _opener(path, barrier):
    barrier.wait()
    db = open_db(path)
    db.execute("SELECT count(*) FROM listings").fetchone()
    db.close()


def test_processes_opening_a_new_database_at_once_do_not_collide(tmp_path):
    # Switching a new file to WAL needs an exclusive lock the busy timeout does not wait for.
    ctx = multiprocessing.get_context("spawn")
    for attempt in range(3):
        path = str(tmp_path / f"new-{attempt}.db")
        barrier = ctx.Barrier(4)
        procs = [ctx.Process(target=_opener, args=(path, barrier)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0, 0]


def test_a_run_whose_pid_now_belongs_to_another_process_is_interrupted(db):
    from monitor.store.runs import mark_stale_runs_interrupted

    alive = start_run(db, site="shop", spider="shop", kind="profile")  # this process: still running
    reused = start_run(db, site="other", spider="shop", kind="profile")
    # Its crawl died and the kernel gave the pid to this process: same pid, another start time.
    db["crawl_runs"].update(reused, {"process_start": "another-boot:12345"})
    assert mark_stale_runs_interrupted(db) == [reused]
    assert db["crawl_runs"].get(reused)["status"] == "interrupted"
    assert db["crawl_runs"].get(alive)["status"] == "running"


def test_store_files_and_folders_are_private_whatever_the_umask(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        path = tmp_path / "new" / "monitor.db"
        db = open_db(path)
        db["probe"].insert({"x": 1})  # the -wal and -shm files exist while the store is open
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()
                 if p.name.startswith("monitor.db") and not p.name.endswith(".lock")}
        db.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert modes == {"monitor.db": 0o600, "monitor.db-wal": 0o600, "monitor.db-shm": 0o600}


def test_an_existing_store_keeps_the_mode_its_owner_chose(tmp_path):
    import os
    import stat

    path = tmp_path / "shared.db"
    open_db(path).close()
    os.chmod(path, 0o640)  # shared with a group on purpose
    open_db(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_durable_transaction_commits_at_full_sync_and_restores_normal(db):
    from monitor.store.db import durable_transaction, write_transaction

    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    with durable_transaction(db):
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: the commit is fsynced
        db["custody_probe"].insert({"entry": 1})
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1
    with durable_transaction(db):
        with durable_transaction(db):  # nested: a savepoint of the durable one
            db["custody_probe"].insert({"entry": 2})
    with write_transaction(db):  # inside an ordinary one it cannot be durable: said, not ignored
        with pytest.raises(RuntimeError, match="open durable_transaction first"):
            with durable_transaction(db):
                pass
    assert db["custody_probe"].count == 2
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_checkpoint_empties_the_wal_and_gives_up_quickly_on_a_reader(db, db_path):
    import time

    from monitor.store.db import checkpoint

    save_listings(db, [listing(i) for i in range(300)], source="import")
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.stat().st_size > 0
    result = checkpoint(db, "TRUNCATE")
    assert not result.busy and wal.stat().st_size == 0

    save_listings(db, [listing(i, price=1.0) for i in range(300)], source="import")
    reader = sqlite3.connect(db_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM listings").fetchone()  # holds its snapshot
    save_listings(db, [listing(i, price=2.0) for i in range(300)], source="import")
    started = time.monotonic()
    result = checkpoint(db, "TRUNCATE", wait_seconds=0.5)
    assert result.busy and time.monotonic() - started < 5  # not the store's 60 s busy timeout
    assert checkpoint(db, "PASSIVE").checkpointed < checkpoint(db, "PASSIVE").log_frames
    reader.rollback()
    reader.close()
    assert not checkpoint(db, "TRUNCATE").busy and wal.stat().st_size == 0
    with pytest.raises(ValueError, match="unknown checkpoint mode"):
        checkpoint(db, "SOMETIMES")


def test_a_crawl_closed_at_its_memory_limit_is_failed():
    # MEMUSAGE_LIMIT_MB closes a crawl with reason memusage_exceeded: the run is not complete (issue 13).
    from spiders.pipelines.store import StorePipeline

    status, reason, _ = StorePipeline.judge("memusage_exceeded", 120, [], {}, 0.5)
    assert status == "failed" and "memory limit" in reason


def test_robots_refusals_degrade_the_run_and_an_unreadable_robots_txt_is_named():
    # Issue 13: a run with failures is degraded, a refusal included; when a robots.txt could not
    # be read (RFC 9309: the whole host refused) the reason says so first.
    from spiders.pipelines.store import StorePipeline

    coverage = {"title": 1.0, "price": 1.0}
    refused = {"robots_refused": 3}
    assert StorePipeline.judge("finished", 20, [], coverage, 0.9, failures=refused) == \
        ("degraded", "finished", "failures: 3 refused by robots.txt")
    status, _, why = StorePipeline.judge("finished", 20, [], coverage, 0.9, failures=refused, robots_unreachable=1)
    assert status == "degraded"
    assert why == ("robots.txt unreachable on 1 host (RFC 9309: nothing there is crawled until it can be read); "
                   "failures: 3 refused by robots.txt")
    assert StorePipeline.judge("finished", 20, [], coverage, 0.9, failures={}) == ("completed", "finished", None)
    # Nothing stored and every request refused: failed, saying why.
    status, why, _ = StorePipeline.judge("finished", 0, [], {}, 0.9, failures=refused)
    assert (status, why) == ("failed", "no listings stored; 3 refused by robots.txt")



def test_unscored_listings_are_found_through_their_partial_index(db):
    from monitor.ingest.write import _UNSCORED

    save_listings(db, [listing(i) for i in range(1, 4)], source="import")
    db.execute("UPDATE listings SET scored_at = '2026-12-07T00:00:00Z' WHERE listing_id != ?", [listing(2)["listing_id"]])
    plan = " ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {_UNSCORED}"))
    assert "listings_unscored" in plan, plan
    assert [key for key in db.execute(_UNSCORED)] == [(listing(2)["site"], listing(2)["listing_id"])]
