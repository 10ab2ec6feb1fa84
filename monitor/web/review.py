"""The review data layer, shared by the HTML pages and the JSON API: the queue, verdicts,
claims, listing and seller views, dashboard figures. No HTML here."""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from monitor.listing import utc_now
from monitor.store.db import write_transaction
from monitor.store.migrations_review import DISMISS_REASONS, VERDICTS
from monitor.web.accounts import User, audit

FLAG_STATUSES = ("open", "confirmed", "dismissed", "superseded")
VERDICT_STATUS = {"confirmed_counterfeit": "confirmed", "confirmed_infringement": "confirmed",
                  "regulatory_violation": "confirmed", "dismissed": "dismissed"}
PAGE_SIZE = 50


class ReviewError(ValueError):
    """A request the store refuses (bad verdict, missing reason, stale flag): 400/409."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# -- the queue ----------------------------------------------------------------------------

@dataclass
class QueueFilters:
    status: str = "open"  # a flag status or "all"
    category: str = ""
    mark: str = ""
    site: str = ""
    seller: str = ""
    signal: str = ""
    min_score: int | None = None
    max_score: int | None = None
    seen_from: str = ""  # listing first_seen date, YYYY-MM-DD
    seen_to: str = ""
    q: str = ""
    mine: bool = False

    def where(self, user: User | None, *, with_status: bool = True,
              fts_ids: list[int] | None = None, many_hits: bool = False,
              boost: int = 100) -> tuple[list[str], list[Any]]:
        """SQL conditions on flags f, listings l, assignments a. ``fts_ids``: the listings that
        match the search, when already looked up and few (see ``search_ids``); ``many_hits``:
        the search matches many listings, so it is checked on each listing the queue walks
        through (a case-insensitive substring test, as the trigram index does) instead of
        collecting every match first. ``boost``: the largest campaign boost in the store
        (``max_boost``); the default is the most a campaign may give."""
        where: list[str] = []
        params: list[Any] = []
        if with_status and self.status in FLAG_STATUSES:
            where.append("f.status = ?")
            params.append(self.status)
        # the flag carries its listing's site (migration 0006_flags_site): checked in the index
        for column, value in (("f.category", self.category), ("f.site", self.site)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if self.mark:
            where.append("(' ' || lower(coalesce(f.marks, '')) || ' ') LIKE ?")
            params.append(f"% {self.mark.lower()} %")
        if self.signal:
            where.append("(' ' || coalesce(f.signal_names, '') || ' ') LIKE ?")
            params.append(f"% {self.signal} %")
        if self.seller:
            where.append("(l.seller_id = ? OR l.seller_name LIKE ? ESCAPE '\\')")
            params += [self.seller, "%" + _like_escape(self.seller) + "%"]
        # The queue walks in priority order, and priority = score + a campaign boost (0 outside
        # campaigns): bounds on the priority let the walk start and stop at the score range.
        if self.min_score is not None:
            where.append("f.score >= ? AND f.priority >= ?")
            params += [self.min_score, self.min_score]
        if self.max_score is not None:
            where.append("f.score <= ? AND f.priority <= ?")
            params += [self.max_score, self.max_score + boost]
        if self.seen_from:
            where.append("l.first_seen >= ?")
            params.append(self.seen_from)
        if self.seen_to:
            where.append("substr(l.first_seen, 1, 10) <= ?")
            params.append(self.seen_to)
        q = self.q.strip()
        if len(q) >= 3 and many_hits:
            like = "%" + _like_escape(q) + "%"
            where.append("(l.title LIKE ? ESCAPE '\\' OR l.description LIKE ? ESCAPE '\\')")
            params += [like, like]
        elif len(q) >= 3 and fts_ids is not None:
            where.append("f.listing IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(fts_ids))
        elif len(q) >= 3:
            # the trigram index (see monitor.store.listings.search_listings)
            where.append("f.listing IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)")
            params.append(_quote_fts(q))
        elif q:
            like = "%" + _like_escape(q) + "%"
            where.append("(l.title LIKE ? ESCAPE '\\' OR l.description LIKE ? ESCAPE '\\')")
            params += [like, like]
        if self.mine and user:
            where.append("a.analyst = ?")
            params.append(user.name)
        return where, params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _quote_fts(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def encode_cursor(row: dict[str, Any]) -> str:
    raw = json.dumps([row["priority"], row["category"] or "", row["flag_id"]], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        score, category, flag_id = json.loads(raw)
        return int(score), str(category), int(flag_id)
    except (ValueError, TypeError):
        return None


_QUEUE_COLUMNS = """
SELECT f.id AS flag_id, f.status, f.score, f.priority, f.campaign, f.category, f.signal_names, f.marks, f.created_at,
       l.id AS listing_id, l.site, l.title, l.price, l.currency, l.seller_id, l.seller_name, l.first_seen,
       l.last_seen, l.removed_at, l.relisted_of, a.analyst AS claimed_by, a.claimed_at,
       (SELECT r.verdict FROM reviews r WHERE r.flag = f.id ORDER BY r.id DESC LIMIT 1) AS verdict
"""
# Queue order: priority desc (the score, raised by an active campaign: monitor/schedule/campaigns.py),
# category (NULL as ''), flag id. The expression indexes of review
# migration 0004 (flags_queue: status first; flags_queue_site: status, site first;
# flags_queue_all: without status) hold exactly this order, so a page is an index range read
# forwards ("after") or backwards ("before"), never a sort; category, site, signal names and
# marks are checked inside the index. CROSS JOIN keeps flags the outer loop: the planner
# would otherwise start from a listings index for a listing-field filter (seller, first seen)
# and sort every flag it finds.
_FROM = (" FROM flags f CROSS JOIN listings l ON l.id = f.listing"
         " LEFT JOIN assignments a ON a.listing = f.listing")
# "mine": a few claims per analyst, so start from them (assignments by analyst) and sort.
_FROM_MINE = (" FROM assignments a JOIN flags f ON f.listing = a.listing"
              " JOIN listings l ON l.id = f.listing")
_ORDER = " ORDER BY f.priority DESC, coalesce(f.category, '') ASC, f.id ASC"
_ORDER_REVERSED = " ORDER BY f.priority ASC, coalesce(f.category, '') DESC, f.id DESC"


def _keyset(cursor: tuple[int, str, int], before: bool) -> tuple[str, list[Any]]:
    """Rows after (or before) the cursor in queue order. The plain score bound lets SQLite
    start the index range at the cursor's score instead of at the top."""
    s, c, i = cursor
    if before:
        return ("f.priority >= ? AND (f.priority > ? OR (f.priority = ? AND (coalesce(f.category, ''), f.id) < (?, ?)))",
                [s, s, s, c, i])
    return ("f.priority <= ? AND (f.priority < ? OR (f.priority = ? AND (coalesce(f.category, ''), f.id) > (?, ?)))",
            [s, s, s, c, i])


SMALL_SEARCH = 5000


def search_ids(db: Database, filters: QueueFilters) -> list[int] | None:
    """The listings matching the search when they are few (at most SMALL_SEARCH), else None.
    Few: the page looks their flags up by listing and sorts them. Many: the page walks the
    queue order and keeps the flags whose listing matches, which soon fills a page."""
    q = filters.q.strip()
    if len(q) < 3:
        return None
    ids = [r[0] for r in db.execute("SELECT rowid FROM listings_fts WHERE listings_fts MATCH ? LIMIT ?",
                                    [_quote_fts(q), SMALL_SEARCH + 1])]
    return ids if len(ids) <= SMALL_SEARCH else None


def queue_sql(filters: QueueFilters, user: User | None, *, after: tuple[int, str, int] | None = None,
              before: tuple[int, str, int] | None = None, limit: int = PAGE_SIZE,
              fts_ids: list[int] | None = None, many_hits: bool = False, boost: int = 100) -> tuple[str, list[Any]]:
    where, params = filters.where(user, fts_ids=fts_ids, many_hits=many_hits, boost=boost)
    cursor = before or after
    if cursor:
        clause, more = _keyset(cursor, before is not None)
        where.append(clause)
        params += more
    if filters.mine and user:
        from_ = _FROM_MINE
    elif fts_ids is not None:  # few search hits: their flags by listing, then sorted
        from_ = _FROM.replace("flags f", "flags f INDEXED BY idx_flags_listing_status")
    else:
        from_ = _FROM
    sql = (_QUEUE_COLUMNS + from_ + (" WHERE " + " AND ".join(where) if where else "")
           + (_ORDER_REVERSED if before else _ORDER) + " LIMIT ?")
    return sql, [*params, limit]


def max_boost(db: Database) -> int:
    """The largest campaign boost on any flag (0 outside campaigns): a read of the partial
    index flags_campaign, which holds only flags a campaign covers."""
    row = db.execute("SELECT max(priority - score) FROM flags INDEXED BY flags_campaign "
                     "WHERE campaign IS NOT NULL").fetchone()
    return max(0, int(row[0] or 0))


def _fetch(db: Database, filters: QueueFilters, user: User | None, limit: int, **cursor) -> list[dict[str, Any]]:
    ids = search_ids(db, filters)
    boost = max_boost(db) if filters.max_score is not None else 100
    sql, params = queue_sql(filters, user, limit=limit, fts_ids=ids,
                            many_hits=ids is None and len(filters.q.strip()) >= 3, boost=boost, **cursor)
    rows = list(db.execute_returning_dicts(sql, params))
    for row in rows:
        row["signals"] = (row.pop("signal_names") or "").split()
        row["marks"] = (row["marks"] or "").split()
    return rows


def queue_page(db: Database, filters: QueueFilters, user: User | None, *, after: str = "", before: str = "",
               limit: int | None = None, counts: bool = True, count_cache: CountCache | None = None) -> dict[str, Any]:
    """One page of the queue, by priority; keyset pagination on (priority desc, category, flag id)
    both ways: ``after`` = the page following that row, ``before`` = the page preceding it.

    ``next``/``prev`` are the cursors for the following/preceding page, or None. A ``before``
    page that reaches the top of the queue is the first page (full, no ``prev``), so "previous"
    never shows a short page. Whether a page reached with ``after`` has a previous page is not
    queried: it has one unless every row above it has left the queue since (then the
    previous link shows the first page)."""
    limit = PAGE_SIZE if limit is None else limit
    after_c = decode_cursor(after) if after else None
    before_c = decode_cursor(before) if before and not after_c else None
    if before_c:
        rows = _fetch(db, filters, user, limit + 1, before=before_c)
        has_prev = len(rows) > limit
        rows = rows[:limit][::-1]
        if not has_prev:  # reached the top: show the first page
            rows = _fetch(db, filters, user, limit + 1)
            has_next = len(rows) > limit
            rows = rows[:limit]
        else:
            has_next = True
    else:
        rows = _fetch(db, filters, user, limit + 1, after=after_c)
        has_next = len(rows) > limit
        rows = rows[:limit]
        has_prev = after_c is not None
    page = {"items": rows, "next": encode_cursor(rows[-1]) if has_next and rows else None,
            "prev": encode_cursor(rows[0]) if has_prev and rows else None}
    if after_c and not rows:  # past the end (the rows left the queue): back to the start
        page["prev"] = None
    if counts:
        page["counts"] = count_cache.get(db, filters, user) if count_cache else status_counts(db, filters, user)
    return page


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
            from monitor.web.deps import connect

            try:
                db = connect(self.db_path)
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


def _distinct(db: Database, table: str, column: str) -> list[str]:
    """Distinct values of an indexed column by hopping through the index (one lookup per
    value instead of reading every row)."""
    sql = (f"WITH RECURSIVE v(x) AS (SELECT min({column}) FROM {table} UNION ALL "
           f"SELECT (SELECT min({column}) FROM {table} WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL) "
           "SELECT x FROM v WHERE x IS NOT NULL")
    return [r[0] for r in db.execute(sql).fetchall() if r[0]]


_choices_cache: dict[str, tuple[float, list[str]]] = {}
_choices_lock = threading.Lock()
CHOICES_TTL = 300.0


def filter_choices(db: Database) -> dict[str, list[str]]:
    """Values for the filter lists. Sites and categories hop through the listings indexes
    (categories of listings: the flags carry the listing's category). Signal names come from
    the distinct combinations in flags, a scan kept for CHOICES_TTL seconds per database (the
    rule set changes rarely)."""
    key = str(db.execute("PRAGMA database_list").fetchone()[2])
    now = time.monotonic()
    with _choices_lock:
        hit = _choices_cache.get(key)
    if hit and hit[0] > now:
        signals = hit[1]
    else:
        signals = sorted({s for (names,) in db.execute("SELECT DISTINCT signal_names FROM flags").fetchall()
                          for s in (names or "").split()})
        with _choices_lock:
            _choices_cache[key] = (now + CHOICES_TTL, signals)
    return {"categories": _distinct(db, "listings", "category"),
            "sites": _distinct(db, "listings", "site"),
            "signals": list(signals)}


def neighbours(db: Database, flag: dict[str, Any], filters: QueueFilters | None = None,
               user: User | None = None) -> tuple[int | None, int | None]:
    """The previous and next listings in queue order under the analyst's filters (default:
    open flags), for j/k on the listing page. Works from the flag's place in the order even
    when the flag itself no longer matches (just decided)."""
    filters = filters or QueueFilters()
    cursor = (int(flag["priority"] if flag.get("priority") is not None else flag["score"]), flag["category"] or "",
              int(flag["id"]))

    def first(**kw) -> int | None:
        for row in _fetch(db, filters, user, 3, **kw):
            if row["listing_id"] != flag["listing"]:
                return row["listing_id"]
        return None

    return first(before=cursor), first(after=cursor)


# -- verdicts and claims ------------------------------------------------------------------

@dataclass
class Decision:
    flag: int
    verdict: str
    reason: str | None = None
    note: str | None = None


@dataclass
class DecisionResult:
    review_ids: list[int] = field(default_factory=list)
    listings: list[int] = field(default_factory=list)


def validate(decision: Decision) -> Decision:
    if decision.verdict not in VERDICTS:
        raise ReviewError(f"unknown verdict {decision.verdict!r}; one of {', '.join(VERDICTS)}")
    reason = (decision.reason or "").strip() or None
    if decision.verdict == "dismissed":
        if reason not in DISMISS_REASONS:
            raise ReviewError("dismissing needs a reason: " + ", ".join(DISMISS_REASONS))
    elif reason is not None and reason not in DISMISS_REASONS:
        raise ReviewError(f"unknown reason {reason!r}")
    note = (decision.note or "").strip()[:4000] or None
    return Decision(int(decision.flag), decision.verdict, reason, note)


def record_verdicts(db: Database, user: User, decisions: list[Decision], *, ip: str | None = None) -> DecisionResult:
    """Record decisions in one transaction: a reviews row and an audit row each, and the flag's
    status. All or nothing. A superseded flag is refused (the listing has a newer flag)."""
    decisions = [validate(d) for d in decisions]
    if not decisions:
        raise ReviewError("select at least one flag")
    result = DecisionResult()
    now = utc_now()
    with write_transaction(db):
        for d in decisions:
            flag = db.execute("SELECT id, listing, status FROM flags WHERE id = ?", [d.flag]).fetchone()
            if not flag:
                raise ReviewError(f"no flag {d.flag}", 404)
            flag_id, listing, status = flag
            if status == "superseded":
                raise ReviewError(f"flag {flag_id} was superseded by a newer assessment; reload the listing", 409)
            previous = db.execute("SELECT verdict, reason, analyst FROM reviews WHERE flag = ? ORDER BY id DESC "
                                  "LIMIT 1", [flag_id]).fetchone()
            new_status = VERDICT_STATUS.get(d.verdict, "open")
            review_id = db["reviews"].insert({"listing": listing, "flag": flag_id, "verdict": d.verdict,
                                              "reason": d.reason, "note": d.note, "analyst": user.name,
                                              "decided_at": now}).last_pk
            if new_status != status:
                db.execute("UPDATE flags SET status = ? WHERE id = ?", [new_status, flag_id])
            before = {"flag": flag_id, "status": status}
            if previous:
                before.update({"verdict": previous[0], "reason": previous[1], "analyst": previous[2]})
            audit(db, user.name, "verdict", f"listing:{listing}", before,
                  {"flag": flag_id, "status": new_status, "verdict": d.verdict, "reason": d.reason, "note": d.note,
                   "review": review_id}, ip=ip, at=now)
            if new_status != "open":  # decided: the claim is done
                db.execute("DELETE FROM assignments WHERE listing = ?", [listing])
            result.review_ids.append(review_id)
            result.listings.append(listing)
    return result


def claim(db: Database, user: User, listing: int, *, assignee: str | None = None, release: bool = False,
          ip: str | None = None) -> dict[str, Any] | None:
    """Claim a listing for yourself, release your claim, or (leads) assign it to someone."""
    assignee = assignee or user.name
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM listings WHERE id = ?", [listing]).fetchone():
            raise ReviewError(f"no listing {listing}", 404)
        current = db.execute("SELECT analyst, claimed_at FROM assignments WHERE listing = ?", [listing]).fetchone()
        holder = current[0] if current else None
        is_lead = user.can("lead")
        if release:
            if holder and holder != user.name and not is_lead:
                raise ReviewError(f"{holder} has this listing; only a lead can release it", 403)
            db.execute("DELETE FROM assignments WHERE listing = ?", [listing])
            audit(db, user.name, "release", f"listing:{listing}", {"analyst": holder}, None, ip=ip)
            return None
        if assignee != user.name and not is_lead:
            raise ReviewError("only a lead can assign listings to others", 403)
        if holder and holder != user.name and not is_lead:
            raise ReviewError(f"{holder} already has this listing", 409)
        if assignee != user.name and not db.execute(
                "SELECT 1 FROM users WHERE name = ? AND disabled_at IS NULL", [assignee]).fetchone():
            raise ReviewError(f"no active user {assignee!r}")
        if holder == assignee:
            return {"analyst": holder, "claimed_at": current[1]}
        now = utc_now()
        db.execute("INSERT OR REPLACE INTO assignments (listing, analyst, claimed_at, assigned_by) VALUES (?, ?, ?, ?)",
                   [listing, assignee, now, user.name])
        audit(db, user.name, "claim" if assignee == user.name else "assign", f"listing:{listing}",
              {"analyst": holder} if holder else None, {"analyst": assignee}, ip=ip, at=now)
        return {"analyst": assignee, "claimed_at": now}


# -- listing and seller views -------------------------------------------------------------

def _json(text: str | None, default):
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def listing_detail(db: Database, listing_id: int) -> dict[str, Any] | None:
    rows = list(db.execute_returning_dicts("SELECT * FROM listings WHERE id = ?", [listing_id]))
    if not rows:
        return None
    listing = rows[0]
    images = _json(listing.get("images"), [])
    listing["images"] = [str(u) for u in images] if isinstance(images, list) else []
    attributes = _json(listing.get("attributes"), {})
    listing["attributes"] = {str(k): "" if v is None else str(v) for k, v in attributes.items()} \
        if isinstance(attributes, dict) else {}
    flags = list(db.execute_returning_dicts("SELECT * FROM flags WHERE listing = ? ORDER BY id DESC", [listing_id]))
    for f in flags:
        f["signals"] = _json(f["signals"], [])
    current = next((f for f in flags if f["status"] != "superseded"), flags[0] if flags else None)
    history = list(db.execute_returning_dicts(
        "SELECT observed_at, price, currency, availability, title, seller_name, http_status FROM observations "
        "WHERE listing = ? ORDER BY observed_at", [listing_id]))
    reviews = list(db.execute_returning_dicts("SELECT * FROM reviews WHERE listing = ? ORDER BY id DESC", [listing_id]))
    audit_rows = list(db.execute_returning_dicts(
        "SELECT id, at, actor, action, object, before, after FROM audit WHERE object = ? ORDER BY id DESC",
        [f"listing:{listing_id}"]))
    assignment = db.execute("SELECT analyst, claimed_at, assigned_by FROM assignments WHERE listing = ?",
                            [listing_id]).fetchone()
    seller = None
    if listing.get("seller_id"):
        seller = seller_summary(db, listing["site"], listing["seller_id"], exclude=listing_id)
    return {"listing": listing, "flag": current, "flags": flags, "history": history, "reviews": reviews,
            "audit": audit_rows, "seller": seller,
            "claim": {"analyst": assignment[0], "claimed_at": assignment[1], "assigned_by": assignment[2]}
            if assignment else None}


_SELLER_LISTINGS = """
SELECT l.id, l.site, l.listing_id, l.title, l.price, l.currency, l.seller_id, l.seller_name, l.first_seen,
       l.last_seen, l.removed_at, l.score,
       (SELECT f.status FROM flags f WHERE f.listing = l.id AND f.status != 'superseded' ORDER BY f.id DESC LIMIT 1)
         AS flag_status,
       (SELECT r.verdict FROM reviews r WHERE r.listing = l.id ORDER BY r.id DESC LIMIT 1) AS verdict,
       (SELECT r.decided_at FROM reviews r WHERE r.listing = l.id ORDER BY r.id DESC LIMIT 1) AS decided_at,
       (SELECT r.analyst FROM reviews r WHERE r.listing = l.id ORDER BY r.id DESC LIMIT 1) AS analyst
FROM listings l
"""


def seller_summary(db: Database, site: str, seller_id: str, *, exclude: int | None = None,
                   limit: int = 500) -> dict[str, Any]:
    """The seller's listings on this site, plus listings on any site under the same seller id or name."""
    rows = list(db.execute_returning_dicts("SELECT * FROM sellers WHERE site = ? AND seller_id = ?", [site, seller_id]))
    seller = rows[0] if rows else {"site": site, "seller_id": seller_id, "name": None}
    names = {r[0] for r in db.execute("SELECT DISTINCT seller_name FROM listings WHERE site = ? AND seller_id = ? "
                                      "AND seller_name IS NOT NULL AND seller_name != ''", [site, seller_id])}
    if seller.get("name"):
        names.add(seller["name"])
    names_list = sorted(names)
    where = "(l.seller_id = ?" + (f" OR l.seller_name IN ({', '.join('?' * len(names_list))})" if names_list else "") + ")"
    params: list[Any] = [seller_id, *names_list]
    if exclude is not None:
        where += " AND l.id != ?"
        params.append(exclude)
    listings = list(db.execute_returning_dicts(
        _SELLER_LISTINGS + " WHERE " + where + " ORDER BY l.site, l.score DESC, l.id LIMIT ?", [*params, limit]))
    for row in listings:
        row["same_account"] = row["site"] == site and row["seller_id"] == seller_id
    sites = sorted({r["site"] for r in listings} | {site})
    case = [r for r in listings if r["flag_status"] == "confirmed"]
    verdicts: dict[str, int] = {}
    for r in listings:
        if r["verdict"]:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    return {"seller": seller, "names": names_list, "listings": listings, "sites": sites, "case": case,
            "verdicts": verdicts}


# -- dashboard ----------------------------------------------------------------------------

def dashboard(db: Database, days: int = 30) -> dict[str, Any]:
    def rows(sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return list(db.execute_returning_dicts(sql, params or []))

    by_signal: dict[str, int] = {}
    for (names,) in db.execute("SELECT signal_names FROM flags WHERE status = 'open'").fetchall():
        for name in (names or "").split():
            by_signal[name] = by_signal.get(name, 0) + 1
    # time from the flag being raised to its first verdict
    latency = rows(
        "SELECT r.analyst, (julianday(min(r.decided_at)) - julianday(f.created_at)) * 24 AS hours "
        "FROM reviews r JOIN flags f ON f.id = r.flag GROUP BY r.flag")
    hours = sorted(r["hours"] for r in latency if r["hours"] is not None)
    return {
        "by_category": rows("SELECT coalesce(category, '-') AS key, count(*) AS n FROM flags WHERE status = 'open' "
                            "GROUP BY 1 ORDER BY n DESC"),
        # the flag's own site: a covering range of flags_queue_site, grouped in index order
        "by_site": rows("SELECT coalesce(site, '-') AS key, count(*) AS n FROM flags WHERE status = 'open' "
                        "GROUP BY site ORDER BY n DESC"),
        "by_signal": [{"key": k, "n": n} for k, n in sorted(by_signal.items(), key=lambda kv: (-kv[1], kv[0]))],
        "per_day": rows("SELECT substr(decided_at, 1, 10) AS day, verdict, count(*) AS n FROM reviews "
                        "WHERE decided_at >= date('now', ?) GROUP BY 1, 2 ORDER BY 1 DESC, 2", [f"-{days} days"]),
        "per_analyst": rows("SELECT analyst AS key, count(*) AS n, count(DISTINCT flag) AS flags, "
                            "max(decided_at) AS last FROM reviews WHERE decided_at >= date('now', ?) "
                            "GROUP BY 1 ORDER BY n DESC", [f"-{days} days"]),
        "latency": {"decided": len(hours),
                    "median_hours": hours[len(hours) // 2] if hours else None,
                    "p90_hours": hours[min(len(hours) - 1, int(len(hours) * 0.9))] if hours else None},
        "days": days,
    }
