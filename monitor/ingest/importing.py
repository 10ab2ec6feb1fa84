"""Importing a file of listings obtained elsewhere (platform exports, API dumps): ``monitor import``."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.categories import known_categories
from monitor.ingest.batches import read_batches
from monitor.ingest.parallel import import_parallel
from monitor.ingest.parse import read_file
from monitor.ingest.write import ImportReport, import_settings, score_unscored, write_batch
from monitor.store.db import checkpoint

if TYPE_CHECKING:
    from sqlite_utils import Database

# Files at least this big are parsed and validated in a second process while this one
# writes; below it, starting that process (about 0.3 s) costs more than it saves.
PARALLEL_MIN_BYTES = 8_000_000


def import_file(db: Database, path: str | Path, *, site: str | None = None, engine=None,
                parallel: bool | None = None) -> ImportReport:
    """Store every good row, report every bad one by line; a second import changes nothing.

    With an ``engine`` (``monitor.scoring.active.active_engine``) each stored batch is scored
    too. ``parallel``: parse and validate in a worker process while this one writes (default:
    for files of PARALLEL_MIN_BYTES or more, on a machine with more than one core). Both
    ways store the same batches and give the same report. With an engine, listings stored
    earlier without a score (an import killed between storing and scoring a batch) are scored
    at the end (``score_unscored``; ``report.caught_up``)."""
    path = Path(path)
    # Rows without observed_at take the file's modification time, so that importing the
    # same file again is recognised as the same observation.
    default_time = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(microsecond=0)
    default_time_text = default_time.isoformat().replace("+00:00", "Z")
    categories = known_categories()
    if parallel is None:
        parallel = (os.cpu_count() or 1) > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES
    with import_settings(db):
        # A staging file cannot be attached inside a transaction; an embedded Python may have no
        # interpreter to start.
        if parallel and not db.conn.in_transaction and sys.executable:
            report = import_parallel(db, path, site=site, engine=engine, default_time=default_time_text,
                                     categories=categories)
        else:
            report = _import_here(db, path, site=site, engine=engine, default_time=default_time_text,
                                  categories=categories)
        if engine is not None:
            # After the file's own batches (scored as they were stored), so that a file imported
            # again after a kill does not score its listings twice.
            report.caught_up, outcomes = score_unscored(db, engine)
            report.flags += outcomes
    if not db.conn.in_transaction:
        # Fold the import's write-ahead log into the database now (PASSIVE: never waits for
        # readers); with readers always open, SQLite's own checkpoints may never complete.
        checkpoint(db, "PASSIVE")
    return report


def _import_here(db: Database, path: Path, *, site, engine, default_time: str, categories) -> ImportReport:
    text, fmt, unknown = read_file(path)
    report = ImportReport(path=str(path), unknown_columns=unknown)
    for rows, skipped, repaired, batch in read_batches(path, text, fmt, site=site, default_time=default_time,
                                                       categories=categories):
        report.rows += rows
        report.skipped += skipped
        report.repaired += repaired
        if batch:
            saved, flags = write_batch(db, batch, source="import", engine=engine, share=True)
            report.stored.add(saved)
            report.flags += flags
    return report
