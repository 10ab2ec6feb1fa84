"""Scoring stored listings with the rule engine and keeping their flags current."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from sqlite_utils import Database

from monitor.listing import listing_columns
from monitor.rules.engine import Engine
from monitor.store.db import write_transaction
from monitor.store.flags import comparable_prices, confirmed_verdicts, record_assessment
from monitor.store.relisting import RelistingLookup

_CHUNK = 400


def engine_for(db: Database, packs) -> Engine:
    """An engine for ``packs`` with the store's context: comparable prices, the sellers'
    confirmed verdicts and relisted listings."""
    return Engine(packs, comparables=comparable_prices(db), confirmed_verdicts=confirmed_verdicts(db),
                  relisting=RelistingLookup(db))


def as_listing(row: dict) -> dict:
    """A stored listings row as the engine reads a listing: images and attributes parsed."""
    listing = dict(row)
    listing["images"] = json.loads(row["images"]) if row.get("images") else []
    listing["attributes"] = json.loads(row["attributes"]) if row.get("attributes") else {}
    return listing


def score_rows(db: Database, engine: Engine, rows: Iterable[dict]) -> Counter:
    outcomes: Counter = Counter()
    # The engine's work is done before the write lock is taken: held only for the writes, the
    # lock lets the review app's verdicts in between (issue 13). record_assessment reads the
    # listing's flags itself, inside the transaction.
    assessed = [(listing, engine.assess(listing)) for listing in map(as_listing, rows)]
    with write_transaction(db):
        for listing, assessment in assessed:
            outcomes[record_assessment(db, listing, assessment)] += 1
    return outcomes


def score_keys(db: Database, engine: Engine, keys: Iterable[tuple[str, str]]) -> Counter:
    """Score the stored listings with these (site, listing_id) keys."""
    outcomes: Counter = Counter()
    by_site: dict[str, list[str]] = {}
    for site, listing_id in keys:
        by_site.setdefault(site, []).append(str(listing_id))
    for site, ids in by_site.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows = db.execute_returning_dicts(
                f"SELECT {listing_columns('l')} FROM listings l WHERE l.site = ? AND l.listing_id IN ({', '.join('?' * len(chunk))})",
                [site, *chunk])
            outcomes += score_rows(db, engine, rows)
    return outcomes


def rescore(db: Database, engine: Engine, *, site: str | None = None, category: str | None = None,
            batch: int = 500) -> Counter:
    """Re-score every stored listing (after a rule change). Verdicts are never touched; flags
    that fall below the threshold are superseded, not deleted."""
    where, params = ["removed_at IS NULL"], []
    if site:
        where.append("site = ?")
        params.append(site)
    if category:
        where.append("category = ?")
        params.append(category)
    outcomes: Counter = Counter()
    last = 0
    while True:
        rows = db.execute_returning_dicts(
            f"SELECT {listing_columns('l')} FROM listings l WHERE {' AND '.join(where)} AND l.id > ? ORDER BY l.id LIMIT ?",
            [*params, last, batch])
        if not rows:
            return outcomes
        outcomes += score_rows(db, engine, rows)
        last = rows[-1]["id"]
