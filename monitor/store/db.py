"""Opening the database: path resolution, WAL, busy timeout, migrations, write transactions."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.settings import env

if TYPE_CHECKING:  # imported where a store is opened: the import worker never opens one and
    import sqlite_utils  # starts ≈ 0.1 s sooner without it (it pulls in numpy)

DEFAULT_DB_PATH = Path("data") / "monitor.db"

# Several processes (crawls, imports, the web app and the scheduler) share one file.
# A long busy timeout turns lock contention into waiting instead of "database is locked".
BUSY_TIMEOUT_SECONDS = 60.0


def resolve_db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """``--db`` wins, then ``MONITOR_DB``, then ``data/monitor.db`` under the working directory."""
    if cli_value:
        return Path(cli_value)
    return env("MONITOR_DB") or DEFAULT_DB_PATH


def open_db(path: str | os.PathLike | None = None, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the store and bring its schema up to date."""
    db_path = resolve_db_path(path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN ourselves, so sqlite3 never opens a deferred
    # transaction behind our back (a deferred read that later writes can fail with
    # SQLITE_BUSY_SNAPSHOT in WAL mode, which the busy timeout does not cure).
    conn = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    # lazy: sqlite-utils pulls in numpy (~0.1 s); the import worker imports this module, never opens a store
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    if db.journal_mode != "wal":
        # Switching to WAL takes an exclusive lock that the busy timeout does not wait for:
        # two processes opening a new database at once would fail with "database is locked".
        with _schema_lock(db_path):
            if db.journal_mode != "wal":
                db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
    conn.execute("PRAGMA foreign_keys = ON")
    if migrate:
        apply_migrations(db, db_path)
    return db


@contextlib.contextmanager
def _schema_lock(db_path: Path) -> Iterator[None]:
    """Serialise schema changes (WAL switch, migrations) across processes with a lock file."""
    lock_path = db_path.with_name(db_path.name + ".migrate.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def apply_migrations(db: sqlite_utils.Database, db_path: Path) -> None:
    """Apply pending migrations, serialised across processes by a lock file."""
    # lazy: the migrations import sqlite-utils, which the import worker never needs (see open_db)
    from monitor.store.migrations import MIGRATIONS
    from monitor.store.migrations_review import REVIEW_MIGRATIONS

    # The review app's tables are their own migration set, applied after the store's.
    sets = (MIGRATIONS, REVIEW_MIGRATIONS)
    if not any(s.pending(db) for s in sets):
        return
    # Two processes starting on a new database would otherwise both create tables.
    with _schema_lock(db_path):
        for migration_set in sets:
            migration_set.apply(db)


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (``BEGIN IMMEDIATE``).

    Everything inside commits together or not at all, so a crash mid-batch leaves the
    database as it was before the batch.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():  # nested: a savepoint inside the outer transaction
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
