"""Writing listings: current state, one observation per listing per run, and sellers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from monitor.listing import LISTING_FIELDS, utc_now
from monitor.store.db import write_transaction

# Columns of `listings` filled from a listing; the rest (id, first/last seen, run) are ours.
STATE_COLUMNS = tuple(f for f in LISTING_FIELDS if f not in ("site", "listing_id", "observed_at"))
OBSERVED_COLUMNS = ("http_status", "title", "price", "currency", "availability", "seller_id", "seller_name")
# A change in any of these makes a listing count as "changed" in a run's summary.
CHANGE_COLUMNS = ("title", "price", "currency", "availability", "seller_id")


@dataclass
class SaveResult:
    seen: int = 0
    new: int = 0
    changed: int = 0

    def add(self, other: "SaveResult") -> None:
        self.seen += other.seen
        self.new += other.new
        self.changed += other.changed


# json.dumps(..., ensure_ascii=False) builds a new encoder on every call; one is enough.
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def _state_row(item: Mapping[str, Any]) -> dict[str, Any]:
    row = {col: item.get(col) for col in STATE_COLUMNS}
    row["site"] = str(item["site"])
    row["listing_id"] = str(item["listing_id"])
    images = item.get("images") or []
    attributes = item.get("attributes") or {}
    row["images"] = _dumps(list(images)) if images else None
    row["attributes"] = _dumps(dict(attributes)) if attributes else None
    if not row.get("seller_id"):
        # Many shops show a seller without an id; the seller's URL or name still groups listings.
        if row.get("seller_url"):
            row["seller_id"] = str(row["seller_url"])
        elif row.get("seller_name"):
            row["seller_id"] = "name:" + str(row["seller_name"])
    row["observed_at"] = item.get("observed_at") or utc_now()
    return row


# A batch is first written to a per-connection temporary table, then each of the store's
# tables is written by ONE INSERT ... SELECT from it. One statement per batch instead of one
# per row matters for the FTS5 index: its triggers would otherwise flush FTS5's pending
# terms to disk on every row's statement savepoint (many tiny segments, constant merging),
# which made the listings upsert 4-5x slower than the same rows without the trigger.
_BATCH_TABLE = "temp.monitor_save_batch"
_LISTING_COLUMNS = ("site", "listing_id", *STATE_COLUMNS, "first_seen", "last_seen", "last_run_id")
# n: position in the batch (row order = statement order, so ids come out as before);
# has_seller: whether the row upserts a seller.
_BATCH_COLUMNS = ("n", *_LISTING_COLUMNS, "has_seller")
# No declared types: the temporary table keeps values exactly as bound; the store's
# column affinities apply when they are copied, as they did when bound directly.
_CREATE_BATCH = f"CREATE TEMP TABLE IF NOT EXISTS monitor_save_batch (n INTEGER PRIMARY KEY, {', '.join(_BATCH_COLUMNS[1:])})"
_FILL_BATCH = f"INSERT INTO {_BATCH_TABLE} VALUES ({', '.join('?' * len(_BATCH_COLUMNS))})"
_BATCH_JOIN = (f"FROM {_BATCH_TABLE} AS b CROSS JOIN listings AS l "
               "ON l.site = b.site AND l.listing_id = b.listing_id")
_EXISTING = f"SELECT b.n, {', '.join('l.' + c for c in CHANGE_COLUMNS)} {_BATCH_JOIN}"


def _upsert_sql() -> str:
    cols = _LISTING_COLUMNS
    # An older observation (an import of last month's export) must not overwrite newer
    # state, and a field missing from this page keeps its last known value: the
    # observation history, not the current state, records what each run saw.
    newer = "excluded.last_seen >= listings.last_seen"
    targets = list(STATE_COLUMNS)
    values = [
        f"CASE WHEN {newer} THEN coalesce(excluded.{c}, listings.{c}) ELSE coalesce(listings.{c}, excluded.{c}) END"
        for c in STATE_COLUMNS
    ]
    targets += ["first_seen", "last_seen", "last_run_id"]
    values += [
        "min(listings.first_seen, excluded.first_seen)",
        "max(listings.last_seen, excluded.last_seen)",
        "coalesce(excluded.last_run_id, listings.last_run_id)",
    ]
    sets = [f"{t} = {v}" for t, v in zip(targets, values)]
    return (
        f"INSERT INTO listings ({', '.join(cols)}) SELECT {', '.join(cols)} FROM {_BATCH_TABLE} WHERE true ORDER BY n "
        f"ON CONFLICT(site, listing_id) DO UPDATE SET {', '.join(sets)}"
    )


_UPSERT_LISTING = _upsert_sql()

_UPSERT_SELLER = f"""
INSERT INTO sellers (site, seller_id, name, url, location, rating, rating_count, first_seen, last_seen)
SELECT site, seller_id, seller_name, seller_url, seller_location, seller_rating, seller_rating_count,
       last_seen, last_seen
FROM {_BATCH_TABLE} WHERE has_seller ORDER BY n
ON CONFLICT(site, seller_id) DO UPDATE SET
  name = coalesce(excluded.name, sellers.name),
  url = coalesce(excluded.url, sellers.url),
  location = coalesce(excluded.location, sellers.location),
  rating = coalesce(excluded.rating, sellers.rating),
  rating_count = coalesce(excluded.rating_count, sellers.rating_count),
  first_seen = min(sellers.first_seen, excluded.first_seen),
  last_seen = max(sellers.last_seen, excluded.last_seen)
"""

_OBSERVATION_VALUES = f"""
SELECT l.id, ?, b.last_seen, ?, b.http_status, b.title, b.price, b.currency, b.availability,
       b.seller_id, b.seller_name
{_BATCH_JOIN} WHERE true ORDER BY b.n
"""

_INSERT_OBSERVATION_RUN = f"""
INSERT INTO observations (listing, run_id, observed_at, source, http_status, title, price, currency,
                          availability, seller_id, seller_name)
{_OBSERVATION_VALUES}
ON CONFLICT(listing, run_id) WHERE run_id IS NOT NULL DO UPDATE SET
  observed_at = excluded.observed_at, http_status = excluded.http_status, title = excluded.title,
  price = excluded.price, currency = excluded.currency, availability = excluded.availability,
  seller_id = excluded.seller_id, seller_name = excluded.seller_name
"""

_INSERT_OBSERVATION_IMPORT = f"""
INSERT OR IGNORE INTO observations (listing, run_id, observed_at, source, http_status, title, price,
                                    currency, availability, seller_id, seller_name)
{_OBSERVATION_VALUES}
"""


def save_listings(
    db: Database,
    items: Iterable[Mapping[str, Any]],
    *,
    run_id: int | None = None,
    source: str = "crawl",
) -> SaveResult:
    """Store a batch of listings in one transaction.

    ``items`` are Listing-shaped mappings (``site``, ``listing_id`` and ``url`` required).
    With a ``run_id`` each listing gets one observation for that run (seen twice in a run,
    the later sighting wins); without one (imports) observations are keyed by their time,
    so storing the same batch twice changes nothing.
    """
    rows = [_state_row(item) for item in items]
    # Within one batch the last sighting of a listing wins.
    rows = list({(r["site"], r["listing_id"]): r for r in rows}.values())
    result = SaveResult(seen=len(rows))
    if not rows:
        return result
    batch = []
    for n, row in enumerate(rows):
        observed = row["observed_at"]
        batch.append((n, *[row[c] for c in _BATCH_COLUMNS[1:-4]], observed, observed, run_id,
                      1 if row.get("seller_id") else 0))
    with write_transaction(db):
        conn = db.conn
        conn.execute(_CREATE_BATCH)
        conn.execute(f"DELETE FROM {_BATCH_TABLE}")
        conn.executemany(_FILL_BATCH, batch)
        before = {r[0]: r[1:] for r in conn.execute(_EXISTING)}
        conn.execute(_UPSERT_LISTING)
        conn.execute(_UPSERT_SELLER)
        if run_id is not None:
            conn.execute(_INSERT_OBSERVATION_RUN, (run_id, source))
        else:
            conn.execute(_INSERT_OBSERVATION_IMPORT, (None, source))
        conn.execute(f"DELETE FROM {_BATCH_TABLE}")
    for n, row in enumerate(rows):
        old = before.get(n)
        if old is None:
            result.new += 1
        elif any(row.get(c) is not None and row.get(c) != o for c, o in zip(CHANGE_COLUMNS, old)):
            result.changed += 1
    return result


def search_listings(db: Database, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Full-text search over title and description (Chinese and Latin).

    The trigram index needs three characters; shorter queries (two-character Chinese
    words are common) fall back to a substring scan.
    """
    query = query.strip()
    if not query:
        return []
    if len(query) >= 3:
        sql = (
            "SELECT listings.* FROM listings JOIN listings_fts ON listings_fts.rowid = listings.id "
            "WHERE listings_fts MATCH ? ORDER BY rank LIMIT ?"
        )
        return list(db.execute_returning_dicts(sql, [db.quote_fts(query), limit]))
    like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sql = (
        "SELECT * FROM listings WHERE title LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' "
        "ORDER BY last_seen DESC LIMIT ?"
    )
    return list(db.execute_returning_dicts(sql, [like, like, limit]))
