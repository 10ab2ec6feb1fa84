"""Flags: storing the engine's assessment of a listing, superseding instead of deleting."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlite_utils import Database

from monitor.listing import utc_now

# What an analyst judged: a dismissed flag stays dismissed while these are unchanged.
CONTENT_FIELDS = ("title", "description", "brand", "category", "price", "currency", "seller_id", "seller_name",
                  "images", "attributes")


def content_hash(listing: dict[str, Any]) -> str:
    data = {k: listing.get(k) for k in CONTENT_FIELDS}
    for key in ("images", "attributes"):
        if isinstance(data[key], str):  # stored as JSON text; compare parsed
            data[key] = json.loads(data[key])
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def record_assessment(db: Database, listing: dict[str, Any], assessment, *, now: str | None = None) -> str:
    """Store one assessment (inside the caller's transaction). Returns what happened:
    'flagged', 'unchanged', 'superseded', 'dismissed-before', 'confirmed-before' or 'clear'."""
    now = now or utc_now()
    listing_pk = listing["id"]
    digest = content_hash(listing)
    db.execute("UPDATE listings SET score = ?, scored_at = ?, rules_version = ? WHERE id = ?",
               [assessment.score, now, assessment.rules_version, listing_pk])
    db.execute("DELETE FROM listing_prices WHERE listing = ?", [listing_pk])
    for point in assessment.price_points:
        db.execute("INSERT OR REPLACE INTO listing_prices (listing, mark, product, unit_price, currency, dimension) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [listing_pk, point.mark, point.product, point.unit_price, point.currency, point.dimension])

    open_flags = db.execute_returning_dicts(
        "SELECT id, content_hash, rules_version FROM flags WHERE listing = ? AND status = 'open'", [listing_pk])
    if not assessment.flagged:
        for flag in open_flags:
            db.execute("UPDATE flags SET status = 'superseded', superseded_at = ?, superseded_reason = ? WHERE id = ?",
                       [now, f"score {assessment.score} below threshold {assessment.threshold:g} "
                             f"(rules {assessment.rules_version})", flag["id"]])
        return "superseded" if open_flags else "clear"
    for flag in open_flags:
        if flag["content_hash"] == digest and flag["rules_version"] == assessment.rules_version:
            return "unchanged"
    decided = db.execute(
        "SELECT status FROM flags WHERE listing = ? AND status IN ('dismissed', 'confirmed') AND content_hash = ? "
        "ORDER BY id DESC LIMIT 1", [listing_pk, digest]).fetchone()
    if decided:
        # An analyst already decided on this very content: a re-crawl or a rescore must not put
        # it back in the queue (a changed listing is new content and is raised again).
        return "dismissed-before" if decided[0] == "dismissed" else "confirmed-before"
    for flag in open_flags:
        db.execute("UPDATE flags SET status = 'superseded', superseded_at = ?, superseded_reason = ? WHERE id = ?",
                   [now, "replaced by a new assessment (listing or rules changed)", flag["id"]])
    signals = assessment.signals
    relisted = next((s for s in signals if s.name == "relisted"), None)
    if relisted is not None:
        db.execute("UPDATE listings SET relisted_of = ?, relisted_at = ?, relisted_reason = ? "
                   "WHERE id = ? AND relisted_of IS NULL",
                   [relisted.details["original"], now, relisted.explanation, listing_pk])
    db["flags"].insert({
        "listing": listing_pk,
        "status": "open",
        "score": assessment.score,
        "priority": assessment.score,  # raised by an active campaign (monitor/schedule/campaigns.py)
        "threshold": assessment.threshold,
        "category": listing.get("category"),
        "site": listing.get("site"),
        "signals": json.dumps([s.to_dict() for s in signals], ensure_ascii=False),
        "signal_names": " ".join(sorted({s.name for s in signals})),
        "marks": " ".join(sorted({s.mark for s in signals if s.mark})),
        "rules_version": assessment.rules_version,
        "content_hash": digest,
        "created_at": now,
    })
    return "flagged"


def comparable_prices(db: Database):
    """The engine's view of comparable offers already in the store."""
    def lookup(point) -> list[float]:
        rows = db.execute(
            "SELECT unit_price FROM listing_prices WHERE mark = ? AND product = ? AND currency = ? AND dimension = ? "
            "LIMIT 2000", [point.mark, point.product, point.currency, point.dimension]).fetchall()
        return [r[0] for r in rows]

    return lookup


def confirmed_verdicts(db: Database):
    """Count of confirmed flags against a seller (repeat infringers)."""
    def count(site: str, seller_id: str) -> int:
        row = db.execute(
            "SELECT count(*) FROM flags f JOIN listings l ON l.id = f.listing "
            "WHERE l.site = ? AND l.seller_id = ? AND f.status = 'confirmed'", [site, seller_id]).fetchone()
        return int(row[0])

    return count
