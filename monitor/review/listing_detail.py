"""One listing as the review page shows it: the listing, its flags, price history, verdicts,
audit trail, claim and seller."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from monitor.listing import listing_columns
from monitor.review.sellers import seller_summary


def _json(text: str | None, default):
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def listing_detail(db: Database, listing_id: int) -> dict[str, Any] | None:
    rows = list(db.execute_returning_dicts(f"SELECT {listing_columns('l')} FROM listings l WHERE l.id = ?", [listing_id]))
    if not rows:
        return None
    listing = rows[0]
    images = _json(listing.get("images"), [])
    listing["images"] = [str(u) for u in images] if isinstance(images, list) else []
    attributes = _json(listing.get("attributes"), {})
    listing["attributes"] = {str(k): "" if v is None else str(v) for k, v in attributes.items()} \
        if isinstance(attributes, dict) else {}
    flags = list(db.execute_returning_dicts("SELECT * FROM flags WHERE listing = ? ORDER BY id DESC", [listing_id]))
    for f in flags:
        f["signals"] = _json(f["signals"], [])
    current = next((f for f in flags if f["status"] != "superseded"), flags[0] if flags else None)
    history = list(db.execute_returning_dicts(
        "SELECT observed_at, price, currency, availability, title, seller_name, http_status FROM observations "
        "WHERE listing = ? ORDER BY observed_at", [listing_id]))
    reviews = list(db.execute_returning_dicts("SELECT * FROM reviews WHERE listing = ? ORDER BY id DESC", [listing_id]))
    audit_rows = list(db.execute_returning_dicts(
        "SELECT id, at, actor, action, object, before, after FROM audit WHERE object = ? ORDER BY id DESC",
        [f"listing:{listing_id}"]))
    assignment = db.execute("SELECT analyst, claimed_at, assigned_by FROM assignments WHERE listing = ?",
                            [listing_id]).fetchone()
    seller = None
    if listing.get("seller_id"):
        seller = seller_summary(db, listing["site"], listing["seller_id"], exclude=listing_id)
    return {"listing": listing, "flag": current, "flags": flags, "history": history, "reviews": reviews,
            "audit": audit_rows, "seller": seller,
            "claim": {"analyst": assignment[0], "claimed_at": assignment[1], "assigned_by": assignment[2]}
            if assignment else None}

