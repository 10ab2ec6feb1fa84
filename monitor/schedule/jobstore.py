"""APScheduler's job store in its own SQLite file beside the database, with the standard library.

APScheduler ships SQLAlchemyJobStore for this; it would bring SQLAlchemy in for one table.
This store keeps the same table (``apscheduler_jobs``: id, next_run_time as a UTC
timestamp, the pickled job state), so either can read the file. It adds what a file shared
by a scheduler, `monitor jobs` and a second scheduler started by mistake needs: WAL and a
busy timeout, so readers never block the scheduler and writers wait instead of failing.

Why not the main database: the scheduler's table is APScheduler's format (pickles), it is
rewritten on every fire, and it can be deleted at any time without losing history; the
history proper (crawl_runs, job_events) lives in the store.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import threading
from pathlib import Path

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime

from monitor.store.db import PRIVATE_FILE_MODE, private_dir, private_file

TABLE = "apscheduler_jobs"


def jobstore_path(db_path: str | Path) -> Path:
    """``data/monitor.db`` -> ``data/monitor.jobs.db``."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.jobs{db_path.suffix or '.db'}")


def stored_next_run_times(path: str | Path) -> dict[str, float | None]:
    """job id -> next fire time (UTC timestamp) as the scheduler last stored it; {} without a file.

    Read without unpickling, so `monitor jobs` works even while a scheduler holds the file.
    """
    path = Path(path)
    if not path.exists():
        return {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return dict(conn.execute(f"SELECT id, next_run_time FROM {TABLE}").fetchall())
    except sqlite3.OperationalError:  # created but never started
        return {}
    finally:
        conn.close()


class SQLiteJobStore(BaseJobStore):
    def __init__(self, path: str | Path, pickle_protocol: int = pickle.HIGHEST_PROTOCOL):
        super().__init__()
        self.path = Path(path)
        self.pickle_protocol = pickle_protocol
        self._conn: sqlite3.Connection | None = None
        # The scheduler thread and the thread adding jobs both call in; one connection, one lock.
        self._lock = threading.RLock()

    # -- connection --------------------------------------------------------------------
    def start(self, scheduler, alias):
        super().start(scheduler, alias)
        # Pickles of the jobs: private like the store beside it (and its -wal/-shm follow its mode).
        # Only the scheduler reads this file, so one left readable by others (created by an older
        # version) is made private too: unpickling what someone else could write runs their code.
        private_dir(self.path.parent)
        private_file(self.path)
        for path in (self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))):
            if path.exists() and path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
                os.chmod(path, PRIVATE_FILE_MODE)
        conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id TEXT PRIMARY KEY, next_run_time REAL, "
                     "job_state BLOB NOT NULL)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_next_run_time ON {TABLE} (next_run_time)")
        self._conn = conn

    def shutdown(self):
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _execute(self, sql: str, params=()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    # -- BaseJobStore ------------------------------------------------------------------
    def lookup_job(self, job_id):
        row = self._execute(f"SELECT job_state FROM {TABLE} WHERE id = ?", (job_id,)).fetchone()
        return self._reconstitute_job(row[0]) if row else None

    def get_due_jobs(self, now):
        if self._conn is None:  # shut down: the scheduler thread may wake once more while stopping
            return []
        return self._get_jobs("WHERE next_run_time <= ?", (datetime_to_utc_timestamp(now),))

    def get_next_run_time(self):
        if self._conn is None:
            return None
        row = self._execute(f"SELECT min(next_run_time) FROM {TABLE} WHERE next_run_time IS NOT NULL").fetchone()
        return utc_timestamp_to_datetime(row[0]) if row and row[0] is not None else None

    def get_all_jobs(self):
        jobs = self._get_jobs()
        self._fix_paused_jobs_sorting(jobs)
        return jobs

    def add_job(self, job):
        try:
            self._execute(f"INSERT INTO {TABLE} (id, next_run_time, job_state) VALUES (?, ?, ?)",
                          (job.id, datetime_to_utc_timestamp(job.next_run_time), self._state(job)))
        except sqlite3.IntegrityError:
            raise ConflictingIdError(job.id) from None

    def update_job(self, job):
        cursor = self._execute(f"UPDATE {TABLE} SET next_run_time = ?, job_state = ? WHERE id = ?",
                               (datetime_to_utc_timestamp(job.next_run_time), self._state(job), job.id))
        if cursor.rowcount == 0:
            raise JobLookupError(job.id)

    def remove_job(self, job_id):
        cursor = self._execute(f"DELETE FROM {TABLE} WHERE id = ?", (job_id,))
        if cursor.rowcount == 0:
            raise JobLookupError(job_id)

    def remove_all_jobs(self):
        self._execute(f"DELETE FROM {TABLE}")

    # -- helpers -----------------------------------------------------------------------
    def _state(self, job) -> bytes:
        return pickle.dumps(job.__getstate__(), self.pickle_protocol)

    def _reconstitute_job(self, job_state: bytes):
        state = pickle.loads(job_state)
        state["jobstore"] = self
        job = Job.__new__(Job)
        job.__setstate__(state)
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job

    def _get_jobs(self, where: str = "", params=()):
        jobs, failed = [], []
        rows = self._execute(f"SELECT id, job_state FROM {TABLE} {where} ORDER BY next_run_time", params).fetchall()
        for job_id, state in rows:
            try:
                jobs.append(self._reconstitute_job(state))
            except BaseException:
                # A job whose function moved or whose pickle is from an incompatible version:
                # drop it; the next start re-adds every configured job anyway.
                self._logger.exception('Unable to restore job "%s" -- removing it', job_id)
                failed.append(job_id)
        for job_id in failed:
            self._execute(f"DELETE FROM {TABLE} WHERE id = ?", (job_id,))
        return jobs

    def __repr__(self):
        return f"<{self.__class__.__name__} (path={self.path})>"
