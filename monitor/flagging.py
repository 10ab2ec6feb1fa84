"""Scoring stored listings with the rule engine and keeping their flags current."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlite_utils import Database

from monitor.rules.engine import Engine
from monitor.store.db import write_transaction
from monitor.store.flags import comparable_prices, confirmed_verdicts, record_assessment

_CHUNK = 400


def engine_for(db: Database, packs) -> Engine:
    from monitor.store.relisting import RelistingLookup

    return Engine(packs, comparables=comparable_prices(db), confirmed_verdicts=confirmed_verdicts(db),
                  relisting=RelistingLookup(db))


def _as_listing(row: dict) -> dict:
    import json

    listing = dict(row)
    listing["images"] = json.loads(row["images"]) if row.get("images") else []
    listing["attributes"] = json.loads(row["attributes"]) if row.get("attributes") else {}
    return listing


def score_rows(db: Database, engine: Engine, rows: Iterable[dict]) -> Counter:
    outcomes: Counter = Counter()
    rows = list(rows)
    with write_transaction(db):
        for row in rows:
            listing = _as_listing(row)
            outcomes[record_assessment(db, listing, engine.assess(listing))] += 1
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
                f"SELECT * FROM listings WHERE site = ? AND listing_id IN ({', '.join('?' * len(chunk))})",
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
            f"SELECT * FROM listings WHERE {' AND '.join(where)} AND id > ? ORDER BY id LIMIT ?",
            [*params, last, batch])
        if not rows:
            return outcomes
        outcomes += score_rows(db, engine, rows)
        last = rows[-1]["id"]


def serve_scoring(db_path: str, rules_dir: str | None, lines, out) -> int:
    """Score (site, listing_id) batches read as JSON lines until end of input.

    Run as ``python -m monitor.flagging`` by a crawl, so that scoring uses the second core
    while the crawl fetches and stores; the last output line is a JSON summary.
    """
    import json

    from monitor.rules.active import active_packs
    from monitor.store import open_db

    db = open_db(db_path)
    packs, problem = active_packs(db, rules_dir)
    summary: dict = {"outcomes": {}, "rules_version": packs.version if packs else None,
                     "rules_problem": str(problem).splitlines()[0] if problem else None}
    outcomes: Counter = Counter()
    engine = engine_for(db, packs) if packs else None
    for line in lines:
        if not line.strip() or engine is None:
            continue
        outcomes += score_keys(db, engine, [tuple(k) for k in json.loads(line)])
    db.close()
    import resource

    summary["outcomes"] = dict(outcomes)
    summary["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # for memory reports
    out.write(json.dumps(summary) + "\n")
    out.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m monitor.flagging", description=serve_scoring.__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--rules")
    args = parser.parse_args(argv)
    return serve_scoring(args.db, args.rules, sys.stdin, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
