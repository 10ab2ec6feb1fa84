"""A killed import leaves no listing unscored for good (issue 13, defect 10).

`monitor import` stores a batch, then scores it in later transactions. SIGKILL in between left
that batch stored without a score: never flagged, never in the review queue, and nothing
told anyone. Now every scored import ends by scoring the listings the store holds unscored.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.conftest import ROOT, run_monitor


def _counts(db_path) -> tuple[int, int]:
    """(listings, listings with a score), or (0, 0) before the store exists."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*), count(scored_at) FROM listings").fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0, 0


def _rows(n: int, prefix: str) -> str:
    return "".join(json.dumps({"site": "shop", "id": f"{prefix}{i}", "url": f"https://shop.example/{prefix}{i}",
                               "title": f"B0SCH brake pads {i} 高仿 replica" if i % 3 == 0 else f"brake pads {i}",
                               "brand": "B0SCH" if i % 3 == 0 else "Bosch", "category": "auto_parts",
                               "price": 30.0 + i % 7, "currency": "CNY", "seller_id": f"s{i % 40}"},
                              ensure_ascii=False) + "\n" for i in range(n))


def test_listings_left_unscored_by_a_killed_import_are_scored_by_the_next(tmp_path):
    db_path = tmp_path / "m.db"
    big = tmp_path / "big.jsonl"
    big.write_text(_rows(4000, "B"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_DB"}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--db", str(db_path), "import", str(big)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        # Kill it once a batch is stored and not yet all scored (it scores a batch in parts).
        deadline = time.monotonic() + 180
        stored = scored = 0
        while time.monotonic() < deadline and proc.poll() is None:
            stored, scored = _counts(db_path)
            if stored > scored:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the import ended before it could be killed; make the file bigger"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    stored, scored = _counts(db_path)
    assert 0 < stored < 4000 or scored < stored, (stored, scored)
    assert scored < stored, "the kill left every stored listing scored; nothing to test"

    # The next import, of another file, scores what the killed one left unscored.
    small = tmp_path / "small.jsonl"
    small.write_text(_rows(5, "S"), encoding="utf-8")
    done = run_monitor("import", str(small), db_path=db_path)
    assert done.returncode == 0, done.stdout + done.stderr
    after, after_scored = _counts(db_path)
    assert after == stored + 5 and after_scored == after, (after, after_scored, done.stdout)
    assert f"also scored {stored - scored} listings stored earlier without a score" in done.stdout, done.stdout
    conn = sqlite3.connect(db_path)
    try:
        flagged = conn.execute("SELECT count(*) FROM flags f JOIN listings l ON l.id = f.listing "
                               "WHERE l.listing_id LIKE 'B%'").fetchone()[0]
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    assert flagged > 0 and integrity == "ok"
