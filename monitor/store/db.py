"""Opening the database: path resolution, WAL, busy timeout, migrations, write transactions,
durable (fully synced) transactions, WAL checkpoints, private file modes."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.settings import env

if TYPE_CHECKING:  # imported where a store is opened: the import worker never opens one and
    import sqlite_utils  # starts ≈ 0.1 s sooner without it (it pulls in numpy)

DEFAULT_DB_PATH = Path("data") / "monitor.db"

# Several processes (crawls, imports, the web app and the scheduler) share one file.
# A long busy timeout turns lock contention into waiting instead of "database is locked".
BUSY_TIMEOUT_SECONDS = 60.0

# The store holds scraped pages, sellers' identities, reviewers' verdicts and accounts: it and
# everything beside it (its -wal and -shm files, which SQLite creates with the database's mode;
# backups; the evidence and log folders; the scheduler's job store) are for its owner alone.
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_dir(path: str | os.PathLike) -> Path:
    """Create folder ``path`` (and missing parents) readable by its owner only; an existing
    folder keeps its mode (someone chose it)."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        os.chmod(path, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask; this is not
    return path


def private_file(path: str | os.PathLike) -> Path:
    """Create the empty file ``path`` readable and writable by its owner only, unless it exists
    (an existing file keeps its mode). SQLite then opens it as a new database, and gives its
    -wal and -shm files the same mode."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return path
    os.fchmod(fd, PRIVATE_FILE_MODE)  # as above: whatever the umask
    os.close(fd)
    return path


def resolve_db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """``--db`` wins, then ``MONITOR_DB``, then ``data/monitor.db`` under the working directory."""
    if cli_value:
        return Path(cli_value)
    return env("MONITOR_DB") or DEFAULT_DB_PATH


def open_db(path: str | os.PathLike | None = None, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the store and bring its schema up to date."""
    db_path = resolve_db_path(path)
    private_dir(db_path.parent)
    private_file(db_path)
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
    from monitor.store.migration_sets import migration_sets

    # The review app's and the casework's tables are their own sets, applied after the store's.
    sets = migration_sets()
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


@contextlib.contextmanager
def durable_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """``write_transaction`` whose commit is on disk when it returns (``synchronous = FULL``).

    The store runs at ``synchronous = NORMAL``: safe with WAL (never corrupt), but a power cut
    can lose the last commits. That is fine for a crawl batch, which the next crawl fetches
    again, and not for what records an act: a custody entry, a notice sent. Those commit here.

    SQLite fixes the safety level outside transactions: nested in a durable transaction this
    is a savepoint of it; nested in an ordinary one it is refused (open the durable one first).
    """
    conn = db.conn
    before = conn.execute("PRAGMA synchronous").fetchone()[0]
    if conn.in_transaction:
        if before < 2:
            raise RuntimeError("a durable transaction cannot start inside an ordinary one (SQLite sets "
                               "synchronous = FULL only between transactions); open durable_transaction first")
        with write_transaction(db):
            yield db
        return
    conn.execute("PRAGMA synchronous = FULL")
    try:
        with write_transaction(db):
            yield db
    finally:
        conn.execute(f"PRAGMA synchronous = {int(before)}")


CHECKPOINT_MODES = ("PASSIVE", "FULL", "RESTART", "TRUNCATE")


@dataclass(frozen=True)
class Checkpoint:
    """What ``PRAGMA wal_checkpoint`` did: ``busy`` when a reader or writer kept it from finishing
    (it does what it can and the next one does the rest), the frames in the log and how many of
    them are now in the database."""

    mode: str
    busy: bool
    log_frames: int
    checkpointed: int

    def __str__(self) -> str:
        state = "blocked by another connection, partly done" if self.busy else "done"
        return f"{self.mode} {state}: {self.checkpointed} of {self.log_frames} WAL frames in the database"


def checkpoint(db: sqlite_utils.Database, mode: str = "PASSIVE", *, wait_seconds: float = 2.0) -> Checkpoint:
    """Copy the write-ahead log into the database (``PASSIVE``: as far as readers allow, never
    waiting) or also empty it (``TRUNCATE``: waits up to ``wait_seconds`` for other connections,
    not the store's minute-long busy timeout, then gives up until the next one).

    SQLite checkpoints by itself at commit once the log passes 1000 pages, but only when no
    reader holds an old snapshot; with crawls, the web app and the scheduler always reading,
    the log of a busy store can grow without end. Called after each crawl and import and from
    the scheduler's timer.
    """
    mode = mode.upper()
    if mode not in CHECKPOINT_MODES:
        raise ValueError(f"unknown checkpoint mode {mode!r}; expected one of {', '.join(CHECKPOINT_MODES)}")
    conn = db.conn
    if conn.in_transaction:
        raise RuntimeError("a WAL checkpoint cannot run inside a transaction; commit first")
    conn.execute(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
    try:
        busy, log_frames, checkpointed = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    return Checkpoint(mode, bool(busy), int(log_frames), int(checkpointed))
