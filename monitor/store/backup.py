"""Backing up and restoring the store: SQLite's online backup, checked before it is trusted.

A backup is one consistent snapshot taken while crawls, imports and the web app go on writing
(WAL: the backup reads a snapshot, writers never wait for it). It is copied into a private
temporary file beside the target, its rows counted in the same read transaction that copied it,
checked with ``PRAGMA integrity_check`` and its row counts compared with the source's, then
synced and renamed into place: a backup that exists is a checked one. The copy records what it
holds (table ``backup_info``), so a restore checks it again against that record.

A restore never overwrites a store that another process has open, nor one changed since the
backup was taken, without ``force``; the store it replaces is kept beside it.

Not in the backup: the evidence files (WARC, screenshots) beside the database. They are written
once and never changed, so a file copy (``rsync -a``) of the evidence folder is their backup.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from monitor.listing import utc_now
from monitor.store.db import BUSY_TIMEOUT_SECONDS, PRIVATE_FILE_MODE, private_dir, private_file
from monitor.store.migration_sets import migration_sets

INFO_TABLE = "backup_info"
MIGRATIONS_TABLE = "_sqlite_migrations"
# Tables whose newest time says when a store last changed (those that exist in it).
ACTIVITY_COLUMNS = (("crawl_runs", "started_at"), ("crawl_runs", "finished_at"), ("observations", "observed_at"),
                    ("alerts", "at"), ("job_events", "at"), ("notices", "created_at"), ("audit", "at"),
                    ("reviews", "decided_at"), ("custody", "at"), ("evidence", "captured_at"))
# SQLite's unix VFS: every connection to a WAL database holds a read lock on this byte of the
# -shm file for as long as it is open (the "DMS" lock, (22 + 8) * 4 + 8).
SHM_DMS_BYTE = 128


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says what to do."""


@dataclass
class BackupCheck:
    path: Path
    integrity: str = "not checked"
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of every ordinary table (FTS shadow tables included, virtual tables not)."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' AND name != ? ORDER BY name", [INFO_TABLE])]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def last_activity(conn: sqlite3.Connection) -> str | None:
    """The newest time recorded in the store (runs, observations, alerts, verdicts...)."""
    tables = {r[0]: {c[1] for c in conn.execute(f'PRAGMA table_info("{r[0]}")')}
              for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    times = [conn.execute(f'SELECT max("{column}") FROM "{table}"').fetchone()[0]
             for table, column in ACTIVITY_COLUMNS if column in tables.get(table, ())]
    times = [t for t in times if t]
    return max(times) if times else None


def _private_partial(target: Path, tag: str) -> Path:
    """An empty file beside ``target``, its owner's alone, where a copy is built and checked
    before it replaces ``target`` (a crash leaves ``target`` as it was)."""
    private_dir(target.parent)
    partial = target.with_name(f".{target.name}.{tag}-{os.getpid()}")
    partial.unlink(missing_ok=True)
    return private_file(partial)


def _connect_ro(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    return conn


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_store(source: Path, target: Path, *, force: bool = False) -> BackupCheck:
    """Copy store ``source`` to ``target`` (a file; a folder gets ``monitor-<UTC time>.db``),
    checked; refuses to replace an existing file without ``force``."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise BackupError(f"{source}: no store there; give --db the database to back up")
    if target.is_dir():
        target = target / f"{source.stem}-{utc_now().replace(':', '').replace('-', '')}.db"
    if target.resolve() == source.resolve():
        raise BackupError(f"{target}: that is the store itself; give another path")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; give another path, or --force to replace it")
    partial = _private_partial(target, "partial")
    src = _connect_ro(source)
    try:
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            src.execute("BEGIN")  # one snapshot: the counts and the copy see the same rows
            counts = table_counts(src)
            migrations = _migrations(src)
            src.backup(dst)  # all pages in one step: in WAL mode writers go on meanwhile
            src.execute("COMMIT")
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
            info = {"taken_at": utc_now(), "source": str(source.resolve()), "counts": counts,
                    "migrations": migrations}
            dst.execute(f"CREATE TABLE {INFO_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            dst.executemany(f"INSERT INTO {INFO_TABLE} VALUES (?, ?)",
                            [(k, json.dumps(v, ensure_ascii=False)) for k, v in info.items()])
        finally:
            dst.close()
    finally:
        src.close()
    check = verify_backup(partial)
    if not check.ok:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy of {source} failed its check, nothing kept: {'; '.join(check.problems)}")
    os.chmod(partial, PRIVATE_FILE_MODE)
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    check.path = target
    return check


def _migrations(conn: sqlite3.Connection) -> list[str]:
    try:
        return [r[0] for r in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY name")]
    except sqlite3.OperationalError:
        return []


def verify_backup(path: Path) -> BackupCheck:
    """``PRAGMA integrity_check`` of backup ``path`` and its row counts against those it recorded."""
    path = Path(path)
    check = BackupCheck(path)
    if not path.is_file():
        check.problems.append(f"{path}: no such file")
        return check
    try:
        conn = _connect_ro(path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
            check.integrity = "ok" if rows == ["ok"] else "; ".join(rows)
            if rows != ["ok"]:
                check.problems.append(f"integrity check failed: {check.integrity}")
            check.info = {k: json.loads(v) for k, v in conn.execute(f"SELECT key, value FROM {INFO_TABLE}")}
            check.counts = table_counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # not a database, malformed, or not a backup of ours
        check.problems.append(f"{path} cannot be read as a monitor backup: {exc}")
        return check
    expected = check.info.get("counts", {})
    differ = [f"{t}: {check.counts.get(t)} rows, {n} recorded" for t, n in expected.items() if check.counts.get(t) != n]
    if differ:
        check.problems.append("row counts differ from those recorded at backup time: " + ", ".join(differ))
    return check


def store_in_use(path: Path) -> bool:
    """Whether any process has SQLite store ``path`` open (its -shm file's DMS byte is locked).

    Must be asked by a process that does not have the store open itself (POSIX locks are per
    process: its own lock would not show, and closing the probe would drop it).
    """
    shm = path.with_name(path.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False  # no connection in WAL mode: the last one to close removes it
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


@dataclass
class Restored:
    check: BackupCheck
    target: Path
    kept: Path | None  # the store that was replaced, kept beside it


def known_migrations() -> list[str]:
    """Every migration this version of the monitor has (those an empty database lacks)."""
    empty = sqlite_utils.Database(memory=True)
    return [m.name for s in migration_sets() for m in s.pending(empty)]


def restore_store(backup: Path, target: Path, *, force: bool = False) -> Restored:
    """Put checked backup ``backup`` in place of store ``target``.

    Refused: a backup that fails its check or comes from a newer version of the monitor (always);
    a target that a process has open, or that changed after the backup was taken (unless ``force``).
    """
    backup, target = Path(backup), Path(target)
    check = verify_backup(backup)
    if not check.ok:
        raise BackupError(f"{backup} is not a sound backup, nothing restored: {'; '.join(check.problems)}")
    known = set(known_migrations())
    unknown = [m for m in check.info.get("migrations", []) if m not in known]
    if unknown:
        raise BackupError(f"{backup} was made by a newer version of the monitor (schema {', '.join(unknown)}); "
                          "restore it with that version")
    if target.resolve() == backup.resolve():
        raise BackupError(f"{backup} is the store itself; give --db the store to restore into")
    if target.exists():
        if store_in_use(target) and not force:
            raise BackupError(f"{target} is open in another process (the web app, a crawl, the scheduler?); "
                              "stop it first, or --force")
        taken = check.info.get("taken_at", "")
        conn = _connect_ro(target)
        try:
            changed = last_activity(conn)
            # Times have one-second resolution: within the backup's second, the rows decide.
            if changed == taken and table_counts(conn) == check.info.get("counts"):
                changed = None
        except sqlite3.DatabaseError:
            changed = None  # an unreadable store is what a restore is for
        finally:
            conn.close()
        if changed and changed >= taken and not force:
            raise BackupError(f"{target} has changes made after the backup (last at {changed}; backup taken "
                              f"{taken}); restoring would lose them. --force to restore anyway "
                              "(the current store is kept beside it)")
    partial = _private_partial(target, "restore")
    src = _connect_ro(backup)
    try:
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            src.backup(dst)
            dst.execute(f"DROP TABLE IF EXISTS {INFO_TABLE}")
        finally:
            dst.close()
    finally:
        src.close()
    _fsync(partial)
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.name}.replaced-{utc_now().replace(':', '').replace('-', '')}")
        os.replace(target, kept)
    # The replaced store's log would be replayed into the restored one: it goes with it.
    for suffix in ("-wal", "-shm"):
        side = target.with_name(target.name + suffix)
        if side.exists():
            if kept is not None:
                os.replace(side, kept.with_name(kept.name + suffix))
            else:
                side.unlink()
    os.replace(partial, target)
    _fsync(target.parent)
    return Restored(check, target, kept)
