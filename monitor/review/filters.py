"""The queue's filters as SQL conditions, the search they may hold, and the values the filter
lists offer."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

if TYPE_CHECKING:  # a type only: importing accounts hashes a dummy password (argon2)
    from monitor.review.accounts import User

FLAG_STATUSES = ("open", "confirmed", "dismissed", "superseded")
SMALL_SEARCH = 5000
# One SQL condition and its parameters.
Condition = tuple[str, list[Any]]


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
        conditions = [*self._on_flag(with_status), *self._on_seller(), *self._on_score(boost),
                      *self._on_first_seen(), *self._on_search(fts_ids, many_hits)]
        if self.mine and user:
            conditions.append(("a.analyst = ?", [user.name]))
        return [sql for sql, _ in conditions], [p for _, params in conditions for p in params]

    def _on_flag(self, with_status: bool) -> list[Condition]:
        """Status, category, site, mark, signal: columns of the flag, checked inside the queue
        indexes."""
        out: list[Condition] = []
        if with_status and self.status in FLAG_STATUSES:
            out.append(("f.status = ?", [self.status]))
        # the flag carries its listing's site (migration 0006_flags_site): checked in the index
        for column, value in (("f.category", self.category), ("f.site", self.site)):
            if value:
                out.append((f"{column} = ?", [value]))
        if self.mark:
            out.append(("(' ' || lower(coalesce(f.marks, '')) || ' ') LIKE ?", [f"% {self.mark.lower()} %"]))
        if self.signal:
            out.append(("(' ' || coalesce(f.signal_names, '') || ' ') LIKE ?", [f"% {self.signal} %"]))
        return out

    def _on_seller(self) -> list[Condition]:
        if not self.seller:
            return []
        return [("(l.seller_id = ? OR l.seller_name LIKE ? ESCAPE '\\')",
                 [self.seller, "%" + like_escape(self.seller) + "%"])]

    def _on_score(self, boost: int) -> list[Condition]:
        # The queue walks in priority order, and priority = score + a campaign boost (0 outside
        # campaigns): bounds on the priority let the walk start and stop at the score range.
        out: list[Condition] = []
        if self.min_score is not None:
            out.append(("f.score >= ? AND f.priority >= ?", [self.min_score, self.min_score]))
        if self.max_score is not None:
            out.append(("f.score <= ? AND f.priority <= ?", [self.max_score, self.max_score + boost]))
        return out

    def _on_first_seen(self) -> list[Condition]:
        out: list[Condition] = []
        if self.seen_from:
            out.append(("l.first_seen >= ?", [self.seen_from]))
        if self.seen_to:
            out.append(("substr(l.first_seen, 1, 10) <= ?", [self.seen_to]))
        return out

    def _on_search(self, fts_ids: list[int] | None, many_hits: bool) -> list[Condition]:
        """Three letters or more: the trigram index (or the few hits already looked up, or a
        substring test per walked listing when there are many); fewer: a substring test."""
        q = self.q.strip()
        if not q:
            return []
        if len(q) >= 3 and fts_ids is not None and not many_hits:
            return [("f.listing IN (SELECT value FROM json_each(?))", [json.dumps(fts_ids)])]
        if len(q) >= 3 and not many_hits:
            # the trigram index (see monitor.store.search.search_listings)
            return [("f.listing IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)", [quote_fts(q)])]
        like = "%" + like_escape(q) + "%"
        return [("(l.title LIKE ? ESCAPE '\\' OR l.description LIKE ? ESCAPE '\\')", [like, like])]


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def quote_fts(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def search_ids(db: Database, filters: QueueFilters) -> list[int] | None:
    """The listings matching the search when they are few (at most SMALL_SEARCH), else None.
    Few: the page looks their flags up by listing and sorts them. Many: the page walks the
    queue order and keeps the flags whose listing matches, which soon fills a page."""
    q = filters.q.strip()
    if len(q) < 3:
        return None
    ids = [r[0] for r in db.execute("SELECT rowid FROM listings_fts WHERE listings_fts MATCH ? LIMIT ?",
                                    [quote_fts(q), SMALL_SEARCH + 1])]
    return ids if len(ids) <= SMALL_SEARCH else None



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

