"""Writing batches of listings to the store and scoring them: crawls and imports alike.

``write_batch`` is the one way a batch of crawled or imported listings reaches the store
(and, with an engine, gets scored); ``write_staged`` is the same for the staging files of a
parallel import.

An import shares the store with the review app, whose writes (a verdict POST) wait for the
write lock. SQLite's busy handler polls for it (after 1, 2, 5 ... ms, then every 100 ms), so an
import that commits one long transaction after another leaves a waiting writer almost no
moment to get in: verdicts waited up to 25.6 s (p95 6.9 s), some failed after the 60 s busy
timeout. An import therefore writes in short transactions (``BATCH`` listings; scoring
``SCORE_CHUNK`` at a time) and after each leaves the lock free for a share of the time it
held it (``yield_after``); benchmarks/import_contention.py measures the waits.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from monitor.scoring.score import score_keys
from monitor.store.listings import SaveResult, save_listings
from monitor.store.staging import save_staged

if TYPE_CHECKING:
    from sqlite_utils import Database

# The store connection's page cache during an import, in KiB (SQLite's default is 2 MiB). A
# batch inserts at random places in the listings indexes (last seen, seller id and name) and
# the full-text index; with the default cache most of those pages were read again from the
# file for every batch (≈ 7 µs per listing at 200,000 listings). Set back afterwards.
IMPORT_CACHE_KIB = 64 * 1024
# The connection's WAL auto-checkpoint during an import, in pages (SQLite's default: 1,000). A
# transaction of the import writes more than that, so with the default every commit was
# followed by a checkpoint copying all its pages into the database file (and two fsyncs); at
# 16,384 pages (64 MiB) it runs after every second or third transaction and copies the pages
# they share (index and full-text pages) once. The WAL file grows larger (105 MB in a
# 200,000-row import, 35 MB before); SQLite reuses it.
IMPORT_WAL_AUTOCHECKPOINT = 16384


# After an import's write transaction the lock stays free for this share of the time it was
# held, at least YIELD_MIN_SECONDS and at most YIELD_MAX_SECONDS: long enough for a waiting
# writer's next poll to find it free, short enough to cost the import about a fifth of its
# writing time (less where the parse worker is the slower side, which goes on meanwhile).
YIELD_SHARE = 0.25
YIELD_MIN_SECONDS = 0.005
YIELD_MAX_SECONDS = 0.1
# Listings scored per transaction during an import (the rule engine's work, ≈ 2 ms a listing,
# is done while the write lock is held: monitor.scoring.score.score_rows).
SCORE_CHUNK = 50


@contextmanager
def yield_after() -> Iterator[None]:
    """Time the write transaction(s) inside, then sleep so that other writers can take the lock."""
    start = time.perf_counter()
    yield
    held = time.perf_counter() - start
    time.sleep(min(YIELD_MAX_SECONDS, max(YIELD_MIN_SECONDS, held * YIELD_SHARE)))


def score_sharing(db: Database, engine, keys: list[tuple[str, str]]) -> Counter:
    """``score_keys`` for an import: SCORE_CHUNK listings per transaction, each followed by
    ``yield_after``'s pause."""
    outcomes: Counter = Counter()
    for start in range(0, len(keys), SCORE_CHUNK):
        with yield_after():
            outcomes += score_keys(db, engine, keys[start:start + SCORE_CHUNK])
    return outcomes


@dataclass
class ImportReport:
    path: str
    stored: SaveResult = field(default_factory=SaveResult)
    rows: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    # (line, "field: what was done; ..."): stored, with text repaired as monitor.listing.repair_fields says
    repaired: list[tuple[int, str]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    flags: Counter = field(default_factory=Counter)  # scoring outcomes: flagged, unchanged, clear ...
    # Listings found stored without a score (a killed import or crawl, --no-score, broken
    # rules) and scored at the end of this import (score_unscored); their outcomes are in flags.
    caught_up: int = 0


def listing_keys(items: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(site, listing_id) of each listing: what scoring looks stored listings up by."""
    return [(i["site"], i["listing_id"]) for i in items]


# Listings stored but never scored, read through the partial index listings_unscored
# (migration 0013), which holds only them: no scan of the whole table at each scored import.
_UNSCORED = "SELECT site, listing_id FROM listings WHERE scored_at IS NULL AND removed_at IS NULL ORDER BY id"


def score_unscored(db: Database, engine) -> tuple[int, Counter]:
    """Score every listing the store holds without a score: (how many, outcomes).

    An import stores a batch, then scores it in other transactions; killed in between (SIGKILL,
    a power cut), it leaves that batch stored and unscored, and so does a crawl whose scoring
    process died, or an import with --no-score. Every scored import ends with this, so such
    listings reach the review queue at the next one (or at ``monitor rescore``)."""
    keys = [(site, listing_id) for site, listing_id in db.execute(_UNSCORED)]
    return len(keys), (score_sharing(db, engine, keys) if keys else Counter())


def write_batch(db: Database, items: list[Mapping[str, Any]], *, source: str, run_id: int | None = None,
                engine=None, share: bool = False) -> tuple[SaveResult, Counter]:
    """Store a batch of listings (``save_listings``) and, with an ``engine``
    (``monitor.scoring.active.active_engine``), score them once stored. ``share`` (imports):
    pause after each transaction for other writers (``yield_after``, ``score_sharing``); a
    crawl's batches are short and its pipeline must not sleep."""
    if not share:
        saved = save_listings(db, items, run_id=run_id, source=source)
        flags = score_keys(db, engine, listing_keys(items)) if engine is not None else Counter()
        return saved, flags
    with yield_after():
        saved = save_listings(db, items, run_id=run_id, source=source)
    flags = score_sharing(db, engine, listing_keys(items)) if engine is not None else Counter()
    return saved, flags


def write_staged(db: Database, batches: list[tuple], report: ImportReport, engine) -> None:
    """Report, store and score staged batches (``("batch", rows, skipped, repaired, stage, seen,
    keys)`` messages of the parse worker), in order; the staging files are removed."""
    staged = []
    for _, rows, skipped, repaired, stage, seen, _keys in batches:
        report.rows += rows
        report.skipped += skipped
        report.repaired += repaired
        if stage is not None:
            staged.append((stage, seen))
    try:
        if staged:
            with yield_after():
                for result in save_staged(db, staged, source="import"):
                    report.stored.add(result)
    finally:
        for stage, _ in staged:
            os.unlink(stage)
    if engine is not None:
        for *_, stage, _seen, keys in batches:
            if stage is not None:
                report.flags += score_sharing(db, engine, keys)


def attach_room(db: Database) -> int:
    """How many more databases the connection can attach (at least 1: as before, an ATTACH
    past the limit fails with SQLite's own error)."""
    conn = db.conn
    attached = sum(1 for row in conn.execute("PRAGMA database_list") if row[1] not in ("main", "temp"))
    return max(1, conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) - attached)


@contextmanager
def import_settings(db: Database) -> Iterator[None]:
    """The connection's page cache raised to IMPORT_CACHE_KIB and its WAL auto-checkpoint to
    IMPORT_WAL_AUTOCHECKPOINT pages for the import (never lowered); set back afterwards."""
    conn = db.conn
    restore = []
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    kib = -cache if cache < 0 else cache * conn.execute("PRAGMA page_size").fetchone()[0] // 1024
    if kib < IMPORT_CACHE_KIB:
        conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        restore.append(f"PRAGMA cache_size = {int(cache)}")
    pages = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    if 0 < pages < IMPORT_WAL_AUTOCHECKPOINT:  # 0: the caller checkpoints itself
        conn.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_WAL_AUTOCHECKPOINT}")
        restore.append(f"PRAGMA wal_autocheckpoint = {int(pages)}")
    try:
        yield
    finally:
        for statement in restore:
            conn.execute(statement)
