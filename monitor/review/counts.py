"""How many flags each status tab of the queue holds under the filters, and the cache that keeps
a page from waiting for a slow count."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import TYPE_CHECKING

from sqlite_utils import Database

from monitor.review.filters import FLAG_STATUSES, QueueFilters, search_ids
from monitor.store.db import open_db

if TYPE_CHECKING:  # a type only: importing accounts hashes a dummy password (argon2)
    from monitor.review.accounts import User


def status_counts(db: Database, filters: QueueFilters, user: User | None,
                  budget_ms: float | None = None) -> dict[str, int] | None:
    """Flags per status under the filters (all but status). Joins only the tables the filters
    need: without listing-field filters (seller, first seen, search; the site is on the flag)
    this is a scan of an index on flags. With ``budget_ms`` the count is abandoned (None) when
    it takes longer than that."""
    ids = search_ids(db, filters)
    where, params = filters.where(user, with_status=False, fts_ids=ids,
                                  many_hits=ids is None and len(filters.q.strip()) >= 3)
    joined = " ".join(where)
    sql = "SELECT f.status, count(*) FROM flags f"
    if "l." in joined:
        sql += " JOIN listings l ON l.id = f.listing"
    if "a." in joined:
        sql += " JOIN assignments a ON a.listing = f.listing"
    sql += (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY f.status"
    counts = {s: 0 for s in FLAG_STATUSES}
    conn = db.conn
    if budget_ms is not None:
        deadline = time.perf_counter() + budget_ms / 1000
        conn.set_progress_handler(lambda: int(time.perf_counter() > deadline), 2000)
    try:
        for status, n in conn.execute(sql, params).fetchall():
            counts[status] = n
    except sqlite3.OperationalError as exc:
        if budget_ms is not None and "interrupt" in str(exc):
            return None
        raise
    finally:
        if budget_ms is not None:
            conn.set_progress_handler(None, 0)
    return counts



class CountCache:
    """The status tab counts of the queue, per filter set, kept ``ttl`` seconds (one cache per
    app process). A page waits at most ``budget_ms`` for its counts: a count that takes longer
    (a filter on listing fields, seller, first seen or search, joins every flag to its
    listing: ~0.1-0.4 s at 100,000 flags) goes on in a background thread on its own
    connection and the page shows no counts until it is done; the next page load with the
    same filters shows them. Cleared by this process's own verdicts and claims; changes by
    other processes (imports, the CLI, other workers) show within ``ttl``.

    A kind of filter set (which filters are set, not their values) whose count ran out of
    budget is not tried in the page again for ``slow_ttl`` seconds: its counts go straight to
    the background, so its pages do not spend the budget for nothing each time. A background
    count of that kind that finishes within the budget lifts this."""

    def __init__(self, db_path, ttl: float = 30.0, budget_ms: float = 40.0, size: int = 512,
                 slow_ttl: float = 300.0):
        self.db_path = db_path
        self.ttl = ttl
        self.budget_ms = budget_ms
        self.size = size
        self.slow_ttl = slow_ttl
        self._data: dict[tuple, tuple[float, dict[str, int]]] = {}
        self._pending: set[tuple] = set()
        self._slow: dict[tuple, float] = {}  # kind of filter set -> until when its counts go to the background
        self._lock = threading.Lock()

    @staticmethod
    def key(filters: QueueFilters, user: User | None) -> tuple:
        return (*(v for k, v in sorted(vars(filters).items()) if k != "status"),
                user.name if filters.mine and user else None)

    @staticmethod
    def kind(filters: QueueFilters) -> tuple:
        return tuple(sorted(k for k, v in vars(filters).items()
                            if k != "status" and v is not None and v is not False and v != ""))

    def get(self, db: Database, filters: QueueFilters, user: User | None) -> dict[str, int] | None:
        key = self.key(filters, user)
        kind = self.kind(filters)
        with self._lock:
            hit = self._data.get(key)
            if hit and hit[0] > time.monotonic():
                return dict(hit[1])
            if self._pending and key in self._pending:
                return None
            slow = self._slow.get(kind, 0.0) > time.monotonic()
        value = None if slow else status_counts(db, filters, user, budget_ms=self.budget_ms)
        if value is None:
            if not slow:
                self._mark(kind, slow=True)
            self._count_later(key, filters, user)
            return None
        self._store(key, value)
        return dict(value)

    def _mark(self, kind: tuple, *, slow: bool) -> None:
        with self._lock:
            if slow:
                if len(self._slow) >= self.size:
                    self._slow.clear()
                self._slow[kind] = time.monotonic() + self.slow_ttl
            else:
                self._slow.pop(kind, None)

    def _store(self, key: tuple, value: dict[str, int]) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._data) >= self.size:
                self._data = {k: v for k, v in self._data.items() if v[0] > now}
                if len(self._data) >= self.size:
                    self._data.clear()
            self._data[key] = (now + self.ttl, value)

    def _count_later(self, key: tuple, filters: QueueFilters, user: User | None) -> None:
        """At most one background count at a time (a burst of new filter sets must not take
        every core from the pages): while one runs, other slow counts are not started, and
        their pages show no counts until a later load finds the counter idle."""
        with self._lock:
            if self._pending:
                return
            self._pending.add(key)

        def run() -> None:
            try:
                # this thread's own connection: the page's is busy with the page
                db = open_db(self.db_path, migrate=False)
                try:
                    started = time.perf_counter()
                    self._store(key, status_counts(db, filters, user))
                    if (time.perf_counter() - started) * 1000 <= self.budget_ms:
                        self._mark(self.kind(filters), slow=False)
                finally:
                    db.close()
            finally:
                with self._lock:
                    self._pending.discard(key)

        threading.Thread(target=run, name="queue-counts", daemon=True).start()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until no background count runs (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.01)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

