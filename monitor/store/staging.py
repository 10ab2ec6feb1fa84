"""Bulk imports: batches of imported rows staged in a file by the import's parse worker
(``stage_rows``, ``stage_batch``), then stored by the writer, several per write transaction
(``save_staged``), with the statements and result ``save_listings`` has for the same rows
(monitor/store/listings.py: the batch table's columns, the upserts, the full-text indexing)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

from monitor.listing import seller_key, utc_now
from monitor.store.db import write_transaction
from monitor.store.listings import (BATCH_COLUMNS, SELLER_CONFLICT, SaveResult, batch_statements, has_late_columns,
                                    json_text, upsert_listings)

_STAGE_SCHEMA = "monitor_stage"  # attached as monitor_stage0 .. monitor_stage3
# save_staged stores up to this many staged batches in one write transaction, each attached
# under its own name (SQLite allows 10 attached databases by default).
STAGED_GROUP = 4


def _stage_schema(k: int) -> str:
    return f"{_STAGE_SCHEMA}{k}"


_STAGE_SQL = [batch_statements(f"{_stage_schema(k)}.batch") for k in range(STAGED_GROUP)]
_STAGE_SQL_EARLY = [batch_statements(f"{_stage_schema(k)}.batch", late=False) for k in range(STAGED_GROUP)]


# A staging file's table: the batch table's columns, but n is the rowid (assigned in
# insertion order), first_seen is last_seen, and the run columns stay NULL (imports).
_STAGE_TABLE_COLUMNS = "(" + ", ".join(
    "n INTEGER PRIMARY KEY" if c == "n" else "first_seen AS (last_seen)" if c == "first_seen" else c
    for c in BATCH_COLUMNS) + ")"
_STAGE_FILLED = tuple(c for c in BATCH_COLUMNS if c not in ("n", "first_seen", "http_status", "last_run_id"))


def stage_rows(values: Iterable[tuple]) -> list[tuple]:
    """listings._batch_rows(items, None) for import rows given as tuples of monitor.listing.IMPORT_FIELDS,
    without n, first_seen, http_status and last_run_id (see _STAGE_FILLED). The import worker
    makes these rows itself (monitor.ingest.worker.staged_row; tests/test_import.py compares)."""
    rows: dict[tuple[str, str], tuple] = {}
    for (site, listing_id, url, title, description, brand, category, price, currency, currency_raw, availability,
         seller_id, seller_name, seller_url, seller_location, seller_rating, seller_rating_count, images,
         attributes, sku, mpn, gtin, observed, sales_count) in values:
        seller_id = seller_key(seller_id, seller_name, seller_url)
        site = str(site)
        listing_id = str(listing_id)
        rows[(site, listing_id)] = (
            site, listing_id, url, title, description, brand, category, price, currency, currency_raw,
            availability, seller_id, seller_name, seller_url, seller_location, seller_rating, seller_rating_count,
            (json_text(images if images.__class__ is list else list(images)) if images else None),
            (json_text(attributes if attributes.__class__ is dict else dict(attributes)) if attributes else None),
            sku, mpn, gtin, sales_count, observed or utc_now(), 1 if seller_id else 0,
            1 if price.__class__ is float and price != price else 0,
        )
    return list(rows.values())


_S_SITE, _S_SELLER_ID = _STAGE_FILLED.index("site"), _STAGE_FILLED.index("seller_id")
_S_SELLER = tuple(_STAGE_FILLED.index(c) for c in
                  ("seller_name", "seller_url", "seller_location", "seller_rating", "seller_rating_count"))
_S_LAST_SEEN = _STAGE_FILLED.index("last_seen")


def _stage_sellers(rows: list[tuple]) -> list[tuple]:
    """One row per seller of the batch, with what the per-listing seller upsert (_seller_sql)
    would leave after going through the batch in order: each field the last value given
    (NULL if none), first/last seen the min/max; in order of first appearance (= rowids)."""
    sellers: dict[tuple, list] = {}
    for row in rows:
        seller_id = row[_S_SELLER_ID]
        if not seller_id:
            continue
        key = (row[_S_SITE], seller_id)
        seen = row[_S_LAST_SEEN]
        agg = sellers.get(key)
        if agg is None:
            sellers[key] = [*key, *(None if row[i] != row[i] else row[i] for i in _S_SELLER), seen, seen]
            continue
        for k, i in enumerate(_S_SELLER, start=2):
            value = row[i]
            if value is not None and value == value:  # NaN is stored as NULL, so it is no value either
                agg[k] = value
        if seen < agg[7]:
            agg[7] = seen
        if seen > agg[8]:
            agg[8] = seen
    return [tuple(agg) for agg in sellers.values()]


_STAGE_SELLER_COLUMNS = ("site", "seller_id", "name", "url", "location", "rating", "rating_count", "first_seen",
                         "last_seen")


def _insert_without_null_columns(table: str, columns: tuple[str, ...], rows: list[tuple]) -> tuple[str, list]:
    """(INSERT statement, rows) that leave out the columns NULL in every row. Binding None
    costs Python's sqlite3 about 0.3 µs (an adapter lookup), 3-5 times a str or a number, and
    exports often lack whole columns (sku, gtin, ratings ...); a column left out is NULL all
    the same."""
    transposed = list(zip(*rows))
    keep = [i for i, column in enumerate(transposed) if not all(v is None for v in column)]
    if len(keep) < len(columns):
        columns = tuple(columns[i] for i in keep)
        rows = list(zip(*(transposed[i] for i in keep)))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows


def stage_batch(path: str, rows: Iterable[tuple]) -> int:
    """Write a batch of imported rows (in _STAGE_FILLED order, as ``stage_rows`` makes them) to
    a new staging file for ``save_staged``; returns the number of listings in it. A listing
    given more than once is stored once, the last sighting at the place of the first (as
    ``stage_rows`` and ``listings._batch_rows`` keep them). Runs in the import's parse worker (monitor.ingest.worker)."""
    rows = list({(row[0], row[1]): row for row in rows}.values())
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(f"CREATE TABLE batch {_STAGE_TABLE_COLUMNS}")
        conn.execute(f"CREATE TABLE sellers (n INTEGER PRIMARY KEY, {', '.join(_STAGE_SELLER_COLUMNS)})")
        conn.execute("BEGIN")
        for table, columns, table_rows in (("batch", _STAGE_FILLED, rows),
                                           ("sellers", _STAGE_SELLER_COLUMNS, _stage_sellers(rows))):
            if table_rows:
                conn.executemany(*_insert_without_null_columns(table, columns, table_rows))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return len(rows)


# The staged batch's sellers, already one row each: same upsert as _seller_sql.
def _upsert_staged_sellers(schema: str) -> str:
    return f"""
INSERT INTO sellers (site, seller_id, name, url, location, rating, rating_count, first_seen, last_seen)
SELECT site, seller_id, name, url, location, rating, rating_count, first_seen, last_seen
FROM {schema}.sellers WHERE true ORDER BY n
""" + SELLER_CONFLICT


for _k, (_sql, _early) in enumerate(zip(_STAGE_SQL, _STAGE_SQL_EARLY)):
    _sql["staged_sellers"] = _early["staged_sellers"] = _upsert_staged_sellers(_stage_schema(_k))


def save_staged(db: Database, batches: list[tuple[str, int]], *, source: str = "import") -> list[SaveResult]:
    """Store batches written by ``stage_batch`` (``(path, seen)``, at most STAGED_GROUP), one
    after the other in ONE write transaction: for each batch the same statements and result
    as ``save_listings(db, items, source=source)`` for its items. Not inside a transaction
    (SQLite cannot attach a file inside one).

    Why several batches per transaction: a batch's random inserts into the listings indexes
    (last seen, seller id and name) and the full-text index dirty thousands of pages, which
    every commit writes to the WAL again (and the checkpoint to the database); batches
    committed together write the pages they share once."""
    if len(batches) > STAGED_GROUP:
        raise ValueError(f"at most {STAGED_GROUP} staged batches at a time")
    conn = db.conn
    attached: list[str] = []
    results = []
    try:
        for k, (path, _) in enumerate(batches):
            conn.execute(f"ATTACH DATABASE ? AS {_stage_schema(k)}", (str(path),))
            attached.append(_stage_schema(k))
        with write_transaction(db):
            statements = _STAGE_SQL if has_late_columns(conn) else _STAGE_SQL_EARLY
            for k, (_, seen) in enumerate(batches):
                sql = statements[k]
                new, changed = conn.execute(sql["count"]).fetchone()
                upsert_listings(conn, sql["upsert"])
                conn.execute(sql["staged_sellers"])
                conn.execute(sql["observations_import"], (None, source))
                results.append(SaveResult(seen=seen, new=new, changed=changed))
    finally:
        for schema in attached:
            conn.execute(f"DETACH DATABASE {schema}")
    return results
