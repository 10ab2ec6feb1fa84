"""`monitor backup` and `monitor restore` for real: a store written by another process while it is
backed up, restores refused and allowed, a corrupted copy caught (issue 13, store safety)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from monitor.store import open_db, start_run
from tests.conftest import ROOT, run_monitor

# Another process writing listings in small transactions as fast as it can, as a crawl or an
# import does, until its stop file appears; it prints how many batches it committed.
WRITER = """
import sys, time
from pathlib import Path
from monitor.store import open_db, save_listings
db = open_db(sys.argv[1])
stop = Path(sys.argv[2])
n = 0
while not stop.exists():
    save_listings(db, [{"site": "w", "listing_id": f"{n}-{i}", "url": f"https://w.example/{n}/{i}",
                        "title": f"writer {n} {i}", "price": 1.0} for i in range(20)], source="import")
    n += 1
    if n == 5:
        Path(sys.argv[2] + ".started").touch()
print(n)
"""


def count(path, table="listings") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def seeded(path, listings: int = 500):
    from monitor.store import save_listings

    db = open_db(path)
    save_listings(db, [{"site": "s", "listing_id": str(i), "url": f"https://s.example/{i}", "title": f"item {i}",
                        "price": 10.0} for i in range(listings)], source="import")
    db.close()
    return path


def test_a_backup_taken_while_another_process_writes_is_whole_and_checked(tmp_path):
    store = seeded(tmp_path / "monitor.db", 5000)
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(store), str(stop)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "stop.started").exists():
            assert writer.poll() is None and time.monotonic() < deadline, writer.communicate()
            time.sleep(0.05)
        before = count(store)
        proc = run_monitor("backup", str(tmp_path / "backups" / "b.db"), db_path=store)
        time.sleep(0.3)  # the writer goes on after the backup, as it did during it
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "integrity ok" in proc.stdout and "Not in the backup: the evidence files in" in proc.stdout
    copy = tmp_path / "backups" / "b.db"
    after = count(store)
    assert before <= count(copy) < after  # a snapshot from during the writes; they were never stopped
    assert count(copy) % 20 == 0  # whole transactions only
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert not copy.with_name("b.db-wal").exists()  # one self-contained file
    check = run_monitor("backup", "--verify", str(copy))
    assert check.returncode == 0 and "sound" in check.stdout, check.stdout + check.stderr

    again = run_monitor("backup", str(copy), db_path=store)
    assert again.returncode == 1 and "exists" in again.stderr and "--force" in again.stderr


def test_restore_refuses_a_store_changed_after_the_backup_unless_forced(tmp_path):
    store = seeded(tmp_path / "monitor.db")
    copy = tmp_path / "b.db"
    assert run_monitor("backup", str(copy), db_path=store).returncode == 0
    time.sleep(1.1)  # the store's times have one-second resolution
    db = open_db(store)
    start_run(db, site="later", spider="later", kind="profile")  # work done after the backup
    db.close()

    refused = run_monitor("restore", str(copy), db_path=store)
    assert refused.returncode == 1
    assert "changes made after the backup" in refused.stderr and "--force" in refused.stderr
    assert count(store, "crawl_runs") == 1  # untouched

    forced = run_monitor("restore", "--force", str(copy), db_path=store)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert count(store, "crawl_runs") == 0 and count(store) == 500
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("monitor.db.replaced-") and "-wal" not in p.name
            and "-shm" not in p.name]
    assert len(kept) == 1 and count(kept[0], "crawl_runs") == 1  # the replaced store is kept
    db = open_db(store)  # a working store again: WAL, migrated, no trace of the backup's own table
    assert db.journal_mode == "wal" and not db["backup_info"].exists()
    db.close()


def test_restore_refuses_a_store_open_in_another_process(tmp_path):
    store = seeded(tmp_path / "monitor.db")
    copy = tmp_path / "b.db"
    assert run_monitor("backup", str(copy), db_path=store).returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom monitor.store import open_db\n"
                               "db = open_db(sys.argv[1]); print('open', flush=True); time.sleep(60)", str(store)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        refused = run_monitor("restore", str(copy), db_path=store)
        assert refused.returncode == 1 and "open in another process" in refused.stderr, refused.stderr
    finally:
        holder.kill()
        holder.wait()
    done = run_monitor("restore", str(copy), db_path=store)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("damage", ["page", "truncated"])
def test_a_corrupted_backup_fails_its_check_and_is_never_restored(tmp_path, damage):
    store = seeded(tmp_path / "monitor.db", 3000)
    copy = tmp_path / "b.db"
    assert run_monitor("backup", str(copy), db_path=store).returncode == 0
    size = copy.stat().st_size
    with open(copy, "r+b") as handle:
        if damage == "page":  # a few pages in the middle overwritten, as a bad disk sector would
            handle.seek(size // 2 - (size // 2) % 4096)
            handle.write(os.urandom(3 * 4096))
        else:  # the end of the file lost, as an interrupted copy would
            handle.truncate(size // 2)
    check = run_monitor("backup", "--verify", str(copy))
    assert check.returncode == 1 and "not a sound backup" in check.stderr, check.stdout + check.stderr
    before = count(store)
    for args in (["restore", str(copy)], ["restore", "--force", str(copy)]):
        refused = run_monitor(*args, db_path=store)
        assert refused.returncode == 1 and "not a sound backup, nothing restored" in refused.stderr
    assert count(store) == before
    assert not [p for p in tmp_path.iterdir() if "replaced" in p.name]
