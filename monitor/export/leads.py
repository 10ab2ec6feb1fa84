"""Leads: one row per flagged listing with what enforcement needs to act on it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from monitor.listing import listing_columns

LEAD_COLUMNS = ("site", "url", "title", "seller_id", "seller_name", "price", "currency", "category", "marks",
                "signals", "score", "flag_status", "verdict", "reason", "analyst", "decided_at", "first_seen",
                "last_seen", "removed_at", "listing", "flag", "evidence_sha256")
FLAG_STATUSES = ("open", "confirmed", "dismissed", "superseded", "all")
# A lead's listing columns, in LEAD_COLUMNS order around the flag's and verdict's.
_LISTING = listing_columns("l", ("site", "url", "title", "seller_id", "seller_name", "price", "currency", "category"))
_LISTING_SEEN = listing_columns("l", ("first_seen", "last_seen", "removed_at", "id"), {"id": "listing"})


@dataclass
class LeadFilter:
    status: str = "confirmed"
    since: str | None = None  # decided at or after (flags without a verdict: created at)
    category: str | None = None
    site: str | None = None
    analyst: str | None = None
    seller: str | None = None
    listings: tuple[int, ...] = ()


def lead_rows(db: Database, f: LeadFilter) -> list[dict[str, Any]]:
    """The current (not superseded, unless asked) flag of each listing with its latest verdict."""
    if f.status not in FLAG_STATUSES:
        raise ValueError(f"unknown status {f.status!r}; one of {', '.join(FLAG_STATUSES)}")
    where, params = [], []
    if f.status != "all":
        where.append("f.status = ?")
        params.append(f.status)
    for column, value in (("l.category", f.category), ("l.site", f.site), ("r.analyst", f.analyst),
                          ("l.seller_id", f.seller)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if f.since:
        where.append("coalesce(r.decided_at, f.created_at) >= ?")
        params.append(f.since)
    if f.listings:
        where.append(f"l.id IN ({', '.join('?' * len(f.listings))})")
        params += list(f.listings)
    current = "" if f.status == "superseded" else " AND status != 'superseded'"
    sql = f"""
        SELECT {_LISTING}, f.marks,
               f.signal_names AS signals, f.score, f.status AS flag_status, r.verdict, r.reason, r.analyst,
               r.decided_at, {_LISTING_SEEN}, f.id AS flag,
               f.signals AS signal_details
        FROM flags f JOIN listings l ON l.id = f.listing
        LEFT JOIN reviews r ON r.id = (SELECT max(id) FROM reviews WHERE flag = f.id)
        WHERE f.id = (SELECT max(id) FROM flags WHERE listing = l.id{current})
        {('AND ' + ' AND '.join(where)) if where else ''}
        ORDER BY coalesce(r.decided_at, f.created_at), l.id
    """
    rows = list(db.execute_returning_dicts(sql, params))
    for row in rows:
        shas = [r[0] for r in db.execute(
            "SELECT sha256 FROM evidence WHERE listing = ? ORDER BY captured_at DESC, id DESC LIMIT 5", [row["listing"]])]
        row["evidence_sha256"] = " ".join(shas)
        row["marks"] = row["marks"] or ""
        try:
            row["signal_details"] = json.loads(row["signal_details"] or "[]")
        except ValueError:
            row["signal_details"] = []
    return rows
