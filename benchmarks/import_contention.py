"""Verdict writes during a bulk import: how long the review app's writes wait for the store.

    .venv/bin/python benchmarks/import_contention.py                # 50,000 listings, --no-score
    .venv/bin/python benchmarks/import_contention.py --score        # the import scores too (the default of `monitor import`)
    .venv/bin/python benchmarks/import_contention.py --rows 5000    # a smoke run

A store is seeded with flagged listings (the real rule packs score them) and an analyst. Then,
in this process, verdicts are recorded one at a time on open flags through
``monitor.review.decisions.record_verdicts`` -- what a verdict POST of the review app runs, on
a connection opened like the app's (``open_db``: WAL, the 60 s busy timeout) -- every
``--interval`` seconds:

* baseline: ``--baseline`` writes with nothing else writing;
* during the import: while ``monitor import FILE`` (the real CLI, a subprocess) stores a
  generated JSON Lines file of ``--rows`` listings (benchmarks/bulk_import.py's generator).

Each write's wait is the wall time of ``record_verdicts`` (BEGIN IMMEDIATE to COMMIT: the
time spent waiting for the write lock plus the verdict's own statements). Printed: p50, p95
and max of both, and the import's own time. Goal: p95 < 1 s during the import (issue 13).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, machine  # noqa: E402  (puts the repository on sys.path)
from bulk_import import generate, write_jsonl  # noqa: E402

from monitor.review.accounts import User, add_user  # noqa: E402
from monitor.review.decisions import Decision, record_verdicts  # noqa: E402
from monitor.rules.packs import load_packs  # noqa: E402
from monitor.scoring.score import engine_for, score_keys  # noqa: E402
from monitor.store import open_db, save_listings  # noqa: E402

GOAL_P95 = 1.0  # seconds


def seed(db_path: Path, flags: int) -> tuple[User, list[int]]:
    """``flags`` listings the default rules flag (a lookalike mark and replica words), scored,
    and an analyst: (the analyst, the open flags' ids)."""
    db = open_db(db_path)
    items = [{"site": "seed", "listing_id": f"F{i}", "url": f"https://seed.example/{i}",
              "title": f"B0SCH brake pads {i} 高仿 replica", "brand": "B0SCH", "category": "auto_parts",
              "price": 30.0, "currency": "CNY", "seller_id": f"s{i % 50}", "observed_at": "2026-11-01T08:00:00Z"}
             for i in range(flags)]
    save_listings(db, items, source="import")
    score_keys(db, engine_for(db, load_packs(REPO / "rules")), [(i["site"], i["listing_id"]) for i in items])
    add_user(db, "bench", "analyst", "benchmark password 1")
    user = User(db.execute("SELECT id FROM users WHERE name = 'bench'").fetchone()[0], "bench", "analyst")
    open_flags = [r[0] for r in db.execute("SELECT id FROM flags WHERE status = 'open' ORDER BY id")]
    db.close()
    return user, open_flags


def verdict_waits(db, user: User, flags: list[int], *, interval: float, until, limit: int | None = None) -> list[float]:
    """Record a verdict on the next open flag every ``interval`` seconds until ``until()``
    (or ``limit`` writes); the wall time of each."""
    waits = []
    rnd = random.Random(5)
    while flags and not until() and (limit is None or len(waits) < limit):
        flag = flags.pop()
        start = time.perf_counter()
        record_verdicts(db, user, [Decision(flag, "confirmed_counterfeit")])
        waits.append(time.perf_counter() - start)
        time.sleep(interval * rnd.uniform(0.5, 1.5))  # not in step with the import's transactions
    return waits


def figures(waits: list[float]) -> str:
    if not waits:
        return "no writes"
    q = statistics.quantiles(waits, n=20, method="inclusive") if len(waits) > 1 else [waits[0]] * 19
    return (f"{len(waits)} writes: p50 {statistics.median(waits) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms, "
            f"max {max(waits) * 1000:.0f} ms")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--score", action="store_true", help="let the import score (default: --no-score)")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between verdict writes (mean)")
    parser.add_argument("--baseline", type=int, default=60, help="verdict writes without the import")
    parser.add_argument("--keep", type=Path, help="work here and keep the files")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-contention-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"machine: {machine()}; load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min)")
        db_path = work / "m.db"
        user, flags = seed(db_path, 1500)
        src = work / "listings.jsonl"
        write_jsonl(generate(args.rows), src)
        print(f"store seeded with {len(flags)} open flags; {args.rows:,} listings to import "
              f"({src.stat().st_size / 1e6:.0f} MB), import {'with' if args.score else 'without'} scoring")
        db = open_db(db_path)
        base = verdict_waits(db, user, flags, interval=args.interval, until=lambda: False, limit=args.baseline)
        print(f"baseline (no import):  {figures(base)}")
        cmd = [sys.executable, "-m", "monitor", "--db", str(db_path), "import", str(src)]
        if not args.score:
            cmd.append("--no-score")
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)  # past the import's start-up (imports, reading the file's first batch)
        during = verdict_waits(db, user, flags, interval=args.interval, until=lambda: proc.poll() is not None)
        out, err = proc.communicate()
        seconds = time.perf_counter() - start
        db.close()
        summary = (out.strip().splitlines() or [""])[-2 if args.score else -1]
        print(f"during the import:     {figures(during)}")
        print(f"import: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s), exit {proc.returncode}: {summary}")
        if proc.returncode not in (0, 1):
            print(err, file=sys.stderr)
            return 1
        if not flags:
            print("note: ran out of open flags before the import ended; seed more (a longer import)")
        p95 = statistics.quantiles(during, n=20, method="inclusive")[18] if len(during) > 1 else float("inf")
        print(f"goal p95 < {GOAL_P95:.0f} s during the import: {'met' if p95 < GOAL_P95 else 'MISSED'}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
