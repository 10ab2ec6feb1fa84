"""The review queue: flags in priority order, one page at a time (keyset pagination both ways),
and a listing's neighbours in that order."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from monitor.listing import listing_columns
from monitor.review.counts import CountCache, status_counts
from monitor.review.filters import QueueFilters, search_ids

if TYPE_CHECKING:  # a type only: importing accounts hashes a dummy password (argon2)
    from monitor.review.accounts import User

PAGE_SIZE = 50


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


_QUEUE_LISTING = ("id", "site", "title", "price", "currency", "seller_id", "seller_name", "first_seen", "last_seen",
                  "removed_at", "relisted_of")
_QUEUE_COLUMNS = f"""
SELECT f.id AS flag_id, f.status, f.score, f.priority, f.campaign, f.category, f.signal_names, f.marks, f.created_at,
       {listing_columns("l", _QUEUE_LISTING, {"id": "listing_id"})}, a.analyst AS claimed_by, a.claimed_at,
       (SELECT r.verdict FROM reviews r WHERE r.flag = f.id ORDER BY r.id DESC LIMIT 1) AS verdict,
       f.complaint, (SELECT c.deadline FROM complaints c WHERE c.id = f.complaint) AS complaint_deadline
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

