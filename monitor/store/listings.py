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

_CHUNK = 400  # keys per IN (...) query, below SQLite's default variable limit


@dataclass
class SaveResult:
    seen: int = 0
    new: int = 0
    changed: int = 0

    def add(self, other: "SaveResult") -> None:
        self.seen += other.seen
        self.new += other.new
        self.changed += other.changed


def _state_row(item: Mapping[str, Any]) -> dict[str, Any]:
    row = {col: item.get(col) for col in STATE_COLUMNS}
    row["site"] = str(item["site"])
    row["listing_id"] = str(item["listing_id"])
    images = item.get("images") or []
    attributes = item.get("attributes") or {}
    row["images"] = json.dumps(list(images), ensure_ascii=False) if images else None
    row["attributes"] = json.dumps(dict(attributes), ensure_ascii=False) if attributes else None
    if not row.get("seller_id"):
        # Many shops show a seller without an id; the seller's URL or name still groups listings.
        if row.get("seller_url"):
            row["seller_id"] = str(row["seller_url"])
        elif row.get("seller_name"):
            row["seller_id"] = "name:" + str(row["seller_name"])
    row["observed_at"] = item.get("observed_at") or utc_now()
    return row


def _upsert_sql() -> str:
    cols = ("site", "listing_id", *STATE_COLUMNS, "first_seen", "last_seen", "last_run_id")
    placeholders = ", ".join(f":{c}" for c in cols)
    # An older observation (an import of last month's export) must not overwrite newer
    # state, and a field missing from this page keeps its last known value: the
    # observation history, not the current state, records what each run saw.
    newer = "excluded.last_seen >= listings.last_seen"
    sets = [
        f"{c} = CASE WHEN {newer} THEN coalesce(excluded.{c}, listings.{c}) ELSE coalesce(listings.{c}, excluded.{c}) END"
        for c in STATE_COLUMNS
    ]
    sets += [
        "first_seen = min(listings.first_seen, excluded.first_seen)",
        "last_seen = max(listings.last_seen, excluded.last_seen)",
        "last_run_id = coalesce(excluded.last_run_id, listings.last_run_id)",
    ]
    return (
        f"INSERT INTO listings ({', '.join(cols)}) VALUES ({placeholders}) "
        f"ON CONFLICT(site, listing_id) DO UPDATE SET {', '.join(sets)}"
    )


_UPSERT_LISTING = _upsert_sql()

_UPSERT_SELLER = """
INSERT INTO sellers (site, seller_id, name, url, location, rating, rating_count, first_seen, last_seen)
VALUES (:site, :seller_id, :seller_name, :seller_url, :seller_location, :seller_rating,
        :seller_rating_count, :observed_at, :observed_at)
ON CONFLICT(site, seller_id) DO UPDATE SET
  name = coalesce(excluded.name, sellers.name),
  url = coalesce(excluded.url, sellers.url),
  location = coalesce(excluded.location, sellers.location),
  rating = coalesce(excluded.rating, sellers.rating),
  rating_count = coalesce(excluded.rating_count, sellers.rating_count),
  first_seen = min(sellers.first_seen, excluded.first_seen),
  last_seen = max(sellers.last_seen, excluded.last_seen)
"""

_INSERT_OBSERVATION_RUN = """
INSERT INTO observations (listing, run_id, observed_at, source, http_status, title, price, currency,
                          availability, seller_id, seller_name)
VALUES (:listing, :run_id, :observed_at, :source, :http_status, :title, :price, :currency,
        :availability, :seller_id, :seller_name)
ON CONFLICT(listing, run_id) WHERE run_id IS NOT NULL DO UPDATE SET
  observed_at = excluded.observed_at, http_status = excluded.http_status, title = excluded.title,
  price = excluded.price, currency = excluded.currency, availability = excluded.availability,
  seller_id = excluded.seller_id, seller_name = excluded.seller_name
"""

_INSERT_OBSERVATION_IMPORT = """
INSERT OR IGNORE INTO observations (listing, run_id, observed_at, source, http_status, title, price,
                                    currency, availability, seller_id, seller_name)
VALUES (:listing, NULL, :observed_at, :source, :http_status, :title, :price, :currency,
        :availability, :seller_id, :seller_name)
"""


def _existing(db: Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    by_site: dict[str, list[str]] = {}
    for site, listing_id in keys:
        by_site.setdefault(site, []).append(listing_id)
    cols = ", ".join(("id", "site", "listing_id", *CHANGE_COLUMNS))
    for site, ids in by_site.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for row in db.execute_returning_dicts(
                f"SELECT {cols} FROM listings WHERE site = ? AND listing_id IN ({marks})", [site, *chunk]
            ):
                found[(row["site"], row["listing_id"])] = row
    return found


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
    for row in rows:
        row["first_seen"] = row["last_seen"] = row["observed_at"]
        row["last_run_id"] = run_id
    keys = [(r["site"], r["listing_id"]) for r in rows]
    with write_transaction(db):
        before = _existing(db, keys)
        conn = db.conn
        conn.executemany(_UPSERT_LISTING, rows)
        conn.executemany(_UPSERT_SELLER, [r for r in rows if r.get("seller_id")])
        after = _existing(db, keys)
        observations = []
        for row, key in zip(rows, keys):
            old = before.get(key)
            if old is None:
                result.new += 1
            elif any(row.get(c) is not None and row.get(c) != old[c] for c in CHANGE_COLUMNS):
                result.changed += 1
            obs = {c: row.get(c) for c in OBSERVED_COLUMNS}
            obs.update(listing=after[key]["id"], run_id=run_id, observed_at=row["observed_at"], source=source)
            observations.append(obs)
        conn.executemany(_INSERT_OBSERVATION_RUN if run_id is not None else _INSERT_OBSERVATION_IMPORT, observations)
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
