"""Writing listings: current state, one observation per listing per run, and sellers.

A batch of listings (a crawl's, an import's) is written here by ``save_listings``; a bulk
import's batches staged in files by its workers are written by monitor/store/staging.py with
the same statements (``batch_statements``); full-text search is monitor/store/search.py.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

from monitor.listing import LATE_FIELDS, LISTING_COLUMNS, LISTING_FIELDS, repair_listing, seller_key, utc_now
from monitor.store.db import write_transaction

logger = logging.getLogger(__name__)

# Columns of `listings` filled from a listing; the rest (id, first/last seen, run) are ours.
STATE_COLUMNS = tuple(f for f in LISTING_FIELDS if f not in ("site", "listing_id", "observed_at"))
OBSERVED_COLUMNS = ("http_status", "title", "price", "currency", "availability", "seller_id", "seller_name",
                    "sales_count")
# A change in any of these makes a listing count as "changed" in a run's summary.
CHANGE_COLUMNS = ("title", "price", "currency", "availability", "seller_id")


@dataclass
class SaveResult:
    seen: int = 0
    new: int = 0
    changed: int = 0
    repaired: int = 0  # listings stored with their text repaired (monitor.listing.repair_fields)

    def add(self, other: "SaveResult") -> None:
        self.seen += other.seen
        self.new += other.new
        self.changed += other.changed
        self.repaired += other.repaired


# Images and attributes as the store keeps them: JSON text, non-ASCII characters as they are.
# json.dumps(..., ensure_ascii=False) builds a new encoder on every call; one is enough.
json_text = json.JSONEncoder(ensure_ascii=False).encode
try:
    from json.encoder import c_encode_basestring, c_make_encoder
except ImportError:  # a Python without the C accelerator: the encoder above
    c_make_encoder = None
if c_make_encoder is not None and c_encode_basestring is not None:
    # Even a reused JSONEncoder builds its C encoder again on every encode() (~1 µs, as much
    # as the encoding of an image list). This is that same C encoder with the same settings,
    # built once: the same text for every value. One difference: no check for circular
    # references (a list containing itself recurses until RecursionError instead of raising
    # ValueError); images and attributes come from parsed JSON, CSV or extracted pages and
    # cannot contain themselves.
    _c_encode = c_make_encoder(None, json.JSONEncoder().default, c_encode_basestring, None, ": ", ", ",
                               False, False, True)

    def json_text(value: list | dict, _encode=_c_encode, _join="".join) -> str:  # noqa: F811
        return _join(_encode(value, 0))


# A batch is first written to a per-connection temporary table, then each of the store's
# tables is written by ONE INSERT ... SELECT from it. One statement per batch instead of one
# per row matters for the FTS5 index: its triggers would otherwise flush FTS5's pending
# terms to disk on every row's statement savepoint (many tiny segments, constant merging),
# which made the listings upsert 4-5x slower than the same rows without the trigger.
# Bulk imports fill the same table layout in a separate staging file in a worker process
# and the writer reads it from there (monitor/store/staging.py).
_BATCH_TABLE = "temp.monitor_save_batch"
# The listings columns a save writes: the listing's own fields, then when and by which run it was
# seen (the id is SQLite's; removal, score, relisting have their own writers; LATE_FIELDS end the table).
_LISTING_COLUMNS = ("site", "listing_id", *STATE_COLUMNS, "first_seen", "last_seen", "last_run_id")
assert set(_LISTING_COLUMNS) <= set(LISTING_COLUMNS)
# n: position in the batch (row order = statement order, so ids come out as before);
# has_seller: whether the row upserts a seller; price_nan: the price was a float NaN (SQLite
# stores NaN as NULL, but it still counts as a changed price, as it always has).
BATCH_COLUMNS = ("n", *_LISTING_COLUMNS, "has_seller", "price_nan")
# No declared types: the batch table keeps values exactly as bound; the store's
# column affinities apply when they are copied, as they did when bound directly.
_BATCH_TABLE_COLUMNS = f"(n INTEGER PRIMARY KEY, {', '.join(BATCH_COLUMNS[1:])})"
_CREATE_BATCH = f"CREATE TEMP TABLE IF NOT EXISTS monitor_save_batch {_BATCH_TABLE_COLUMNS}"
_FILL = f"VALUES ({', '.join('?' * len(BATCH_COLUMNS))})"
_SITE = _LISTING_COLUMNS.index("site")
_SELLER_ID = _LISTING_COLUMNS.index("seller_id")
_SELLER_URL = _LISTING_COLUMNS.index("seller_url")
_SELLER_NAME = _LISTING_COLUMNS.index("seller_name")
_CHANGE_INDEX = tuple(_LISTING_COLUMNS.index(c) for c in CHANGE_COLUMNS)


def _join(table: str) -> str:
    return f"FROM {table} AS b CROSS JOIN listings AS l ON l.site = b.site AND l.listing_id = b.listing_id"


def _upsert_sql(table: str, late: bool = True) -> str:
    cols = _LISTING_COLUMNS if late else tuple(c for c in _LISTING_COLUMNS if c not in LATE_FIELDS)
    state = STATE_COLUMNS if late else tuple(c for c in STATE_COLUMNS if c not in LATE_FIELDS)
    # An older observation (an import of last month's export) must not overwrite newer
    # state, and a field missing from this page keeps its last known value: the
    # observation history, not the current state, records what each run saw.
    newer = "excluded.last_seen >= listings.last_seen"
    targets = list(state)
    values = [
        f"CASE WHEN {newer} THEN coalesce(excluded.{c}, listings.{c}) ELSE coalesce(listings.{c}, excluded.{c}) END"
        for c in state
    ]
    targets += ["first_seen", "last_seen", "last_run_id"]
    values += [
        "min(listings.first_seen, excluded.first_seen)",
        "max(listings.last_seen, excluded.last_seen)",
        "coalesce(excluded.last_run_id, listings.last_run_id)",
    ]
    sets = [f"{t} = {v}" for t, v in zip(targets, values)]
    return (
        f"INSERT INTO listings ({', '.join(cols)}) SELECT {', '.join(cols)} FROM {table} WHERE true ORDER BY n "
        f"ON CONFLICT(site, listing_id) DO UPDATE SET {', '.join(sets)}"
    )


# A seller seen again keeps what it showed before where this sighting shows nothing.
SELLER_CONFLICT = """
ON CONFLICT(site, seller_id) DO UPDATE SET
  name = coalesce(excluded.name, sellers.name),
  url = coalesce(excluded.url, sellers.url),
  location = coalesce(excluded.location, sellers.location),
  rating = coalesce(excluded.rating, sellers.rating),
  rating_count = coalesce(excluded.rating_count, sellers.rating_count),
  first_seen = min(sellers.first_seen, excluded.first_seen),
  last_seen = max(sellers.last_seen, excluded.last_seen)
"""


def _seller_sql(table: str) -> str:
    return f"""
INSERT INTO sellers (site, seller_id, name, url, location, rating, rating_count, first_seen, last_seen)
SELECT site, seller_id, seller_name, seller_url, seller_location, seller_rating, seller_rating_count,
       last_seen, last_seen
FROM {table} WHERE has_seller ORDER BY n
""" + SELLER_CONFLICT


def _observed(late: bool) -> tuple[str, ...]:
    return OBSERVED_COLUMNS if late else tuple(c for c in OBSERVED_COLUMNS if c not in LATE_FIELDS)


def _observation_values(table: str, late: bool) -> str:
    return f"""
SELECT l.id, ?, b.last_seen, ?, {', '.join('b.' + c for c in _observed(late))}
{_join(table)} WHERE true ORDER BY b.n
"""


def _observation_run_sql(table: str, late: bool) -> str:
    # A listing seen twice in a run: the later sighting wins.
    updates = ", ".join(f"{c} = excluded.{c}" for c in ("observed_at", *_observed(late)))
    return f"""
INSERT INTO observations (listing, run_id, observed_at, source, {', '.join(_observed(late))})
{_observation_values(table, late)}
ON CONFLICT(listing, run_id) WHERE run_id IS NOT NULL DO UPDATE SET {updates}
"""


def _observation_import_sql(table: str, late: bool) -> str:
    return f"""
INSERT OR IGNORE INTO observations (listing, run_id, observed_at, source, {', '.join(_observed(late))})
{_observation_values(table, late)}
"""


# New and changed listings of a batch, counted by SQL before the batch is written (the staged
# path, whose rows the writing process never holds). Same rule as save_listings' Python loop:
# changed = a CHANGE_COLUMNS value given and different from the stored one. Staged rows are
# import rows (str / float / None values, from monitor.ingest), for which SQL's IS NOT equals Python's !=.
def _count_sql(table: str) -> str:
    differs = " OR ".join(f"(b.{c} IS NOT NULL AND b.{c} IS NOT l.{c})" for c in CHANGE_COLUMNS)
    return (f"SELECT count(*) - count(l.id), coalesce(sum(l.id IS NOT NULL AND ({differs} OR b.price_nan)), 0) "
            f"FROM {table} AS b LEFT JOIN listings AS l ON l.site = b.site AND l.listing_id = b.listing_id")


def batch_statements(table: str, late: bool = True) -> dict[str, str]:
    """The batch's statements; late=False: for a store without LATE_FIELDS' columns (not migrated yet)."""
    return {
        "existing": f"SELECT b.n, {', '.join('l.' + c for c in CHANGE_COLUMNS)} {_join(table)}",
        "count": _count_sql(table),
        "upsert": _upsert_sql(table, late),
        "sellers": _seller_sql(table),
        "observations_run": _observation_run_sql(table, late),
        "observations_import": _observation_import_sql(table, late),
    }


_TEMP_SQL = batch_statements(_BATCH_TABLE)
_TEMP_SQL_EARLY = batch_statements(_BATCH_TABLE, late=False)
_HAS_LATE = f"SELECT count(*) FROM pragma_table_info('listings') WHERE name IN ({', '.join('?' * len(LATE_FIELDS))})"


def has_late_columns(conn: sqlite3.Connection) -> bool:
    """Whether the store has the columns of LATE_FIELDS (one cheap lookup per batch)."""
    return conn.execute(_HAS_LATE, LATE_FIELDS).fetchone()[0] == len(LATE_FIELDS)


# Full-text entries of new listings, one statement per batch (migration 0011): while a write
# holds a row in listings_fts_deferred, the insert trigger skips, and the listings above the
# largest rowid before the upsert -- exactly the rows it inserted -- are indexed here, in rowid
# (= insertion) order, with the title and description they were inserted with: a batch holds
# each listing once, so nothing in the upsert changes a row it inserted. Same index contents as
# the trigger's, at ≈ 3 µs less per listing (the trigger runs a sub-program per row).
_DEFER_FTS = "INSERT INTO listings_fts_deferred (since_rowid) VALUES (?)"
_INDEX_NEW = ("INSERT INTO listings_fts (rowid, title, description) "
              "SELECT id, title, description FROM listings WHERE id > ? ORDER BY id")
_RESUME_FTS = "DELETE FROM listings_fts_deferred"
# Past the largest rowid SQLite picks new rowids at random, not above the current maximum.
_MAX_ROWID = 2**63 - 1
# The largest rowid, or NULL in a store not migrated to 0011 yet (tests open such stores).
_TOP_ROWID = ("SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'listings_fts_deferred') "
              "THEN coalesce((SELECT max(id) FROM listings), 0) END")


def upsert_listings(conn: sqlite3.Connection, upsert_sql: str) -> None:
    """Run a batch's listings upsert (inside the caller's write transaction), indexing its new
    listings for full-text search in one statement."""
    top = conn.execute(_TOP_ROWID).fetchone()[0]
    if top is None or top >= _MAX_ROWID:
        conn.execute(upsert_sql)  # the trigger indexes each new row
        return
    conn.execute(_DEFER_FTS, (top,))
    try:
        conn.execute(upsert_sql)
        conn.execute(_INDEX_NEW, (top,))
    finally:
        # Always before the transaction ends (on an error it is rolled back as well).
        conn.execute(_RESUME_FTS)


def _batch_rows(items: Iterable[Mapping[str, Any]], run_id: int | None, result: SaveResult | None = None) -> list[tuple]:
    """The batch table's rows: one per listing, the last sighting in a batch winning at the
    position of the first (as a dict keyed by listing keeps it). Text SQLite cannot store
    (a lone surrogate) or that nothing should carry (C0 controls) is repaired first, so that
    one hostile listing never loses its batch; ``result.repaired`` counts those listings."""
    rows: dict[tuple[str, str], tuple] = {}
    for item in items:
        # In place for a dict: whoever holds the batch (the crawl's store pipeline sends its
        # keys to scoring and links its evidence after the save) sees the listing as stored.
        item, notes = repair_listing(item)
        if notes:
            logger.warning("listing %s/%s stored with its text repaired: %s", item.get("site"),
                           item.get("listing_id"), "; ".join(notes))
            if result is not None:
                result.repaired += 1
        get = item.get
        seller_name = get("seller_name")
        seller_url = get("seller_url")
        seller_id = seller_key(get("seller_id"), seller_name, seller_url)
        images = get("images") or []
        attributes = get("attributes") or {}
        price = get("price")
        site = str(item["site"])
        listing_id = str(item["listing_id"])
        observed = get("observed_at") or utc_now()
        rows[(site, listing_id)] = (
            site, listing_id, get("url"), get("title"), get("description"), get("brand"), get("category"),
            price, get("currency"), get("currency_raw"), get("availability"), seller_id,
            seller_name, seller_url, get("seller_location"), get("seller_rating"),
            get("seller_rating_count"),
            (json_text(images if images.__class__ is list else list(images)) if images else None),
            (json_text(attributes if attributes.__class__ is dict else dict(attributes)) if attributes else None),
            get("sku"), get("mpn"), get("gtin"),
            get("http_status"), get("sales_count"), observed, observed, run_id, 1 if seller_id else 0,
            1 if price.__class__ is float and price != price else 0,
        )
    return [(n, *row) for n, row in enumerate(rows.values())]


assert len(_batch_rows([{"site": "s", "listing_id": "1", "observed_at": "t"}], None)[0]) == len(BATCH_COLUMNS)


def save_listings(
    db: Database,
    items: Iterable[Mapping[str, Any]],
    *,
    run_id: int | None = None,
    source: str = "crawl",
) -> SaveResult:
    """Store a batch of listings in one transaction.

    ``items`` are Listing-shaped mappings (``site``, ``listing_id`` and ``url`` required).
    Text that cannot be stored as given is repaired as ``monitor.listing.repair_fields``
    says, in the item itself when it is a dict, and logged; the rest of the batch is stored.
    With a ``run_id`` each listing gets one observation for that run (seen twice in a run,
    the later sighting wins); without one (imports) observations are keyed by their time,
    so storing the same batch twice changes nothing.
    """
    result = SaveResult()
    batch = _batch_rows(items, run_id, result)
    result.seen = len(batch)
    if not batch:
        return result
    with write_transaction(db):
        conn = db.conn
        conn.execute(_CREATE_BATCH)
        conn.execute(f"DELETE FROM {_BATCH_TABLE}")
        conn.executemany(f"INSERT INTO {_BATCH_TABLE} {_FILL}", batch)
        sql = _TEMP_SQL if has_late_columns(conn) else _TEMP_SQL_EARLY
        before = {r[0]: r[1:] for r in conn.execute(sql["existing"])}
        upsert_listings(conn, sql["upsert"])
        conn.execute(sql["sellers"])
        if run_id is not None:
            conn.execute(sql["observations_run"], (run_id, source))
        else:
            conn.execute(sql["observations_import"], (None, source))
        conn.execute(f"DELETE FROM {_BATCH_TABLE}")
    # Compared with the values as given (before the store's column affinities), as always.
    for row in batch:
        old = before.get(row[0])
        if old is None:
            result.new += 1
        elif any((v := row[1 + i]) is not None and v != o for i, o in zip(_CHANGE_INDEX, old)):
            result.changed += 1
    return result
