"""The evidence table: rows for captured records, written with their custody entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from monitor import __version__
from monitor.evidence import custody
from monitor.store.db import durable_transaction

_COLUMNS = ("kind", "url", "path", "record_id", "offset", "length", "sha256", "http_status", "content_type",
            "server_ip", "captured_at")


def record_evidence(db: Database, items: Iterable[Mapping[str, Any]], *, run_id: int | None,
                    user_agent: str | None, actor: str = "crawler") -> int:
    """Store the evidence carried by listing/removal items (``item["evidence"]``: a list of
    captured records) linked to their listing, each with a custody "capture" entry. One write
    transaction, committed with full sync (``durable_transaction``). Returns the number of rows.

    A screenshot refers to the record before it; a record may name what it refers to itself
    (``"refers_to"``: an evidence id), as a later browser capture refers to the crawl's response."""
    count = 0
    with durable_transaction(db):
        for item in items:
            captured = item.get("evidence") or []
            if not captured:
                continue
            row = db.execute("SELECT id FROM listings WHERE site = ? AND listing_id = ?",
                             [item["site"], str(item["listing_id"])]).fetchone()
            listing = row[0] if row else None
            parent = None
            for cap in captured:
                values = {c: cap.get(c) for c in _COLUMNS}
                values.update(listing=listing, run_id=run_id, crawler_version=__version__, user_agent=user_agent,
                              refers_to=parent if cap.get("kind") == "screenshot" else cap.get("refers_to"))
                cur = db.execute(
                    f"INSERT INTO evidence ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                    list(values.values()))
                evidence_id = cur.lastrowid
                if cap.get("kind") != "screenshot":
                    parent = evidence_id
                custody.append(db, actor=actor, action="capture", obj=f"evidence:{evidence_id}",
                               sha256=cap.get("sha256"), at=cap.get("captured_at"),
                               detail={"listing": listing, "run": run_id, "kind": cap.get("kind"),
                                       "url": cap.get("url"), "file": cap.get("path"), "offset": cap.get("offset"),
                                       **({"refers_to": values["refers_to"]} if values["refers_to"] else {})})
                count += 1
    return count


def evidence_for_listing(db: Database, listing: int, limit: int = 20) -> list[dict[str, Any]]:
    return list(db.execute_returning_dicts(
        "SELECT * FROM evidence WHERE listing = ? ORDER BY captured_at DESC, id DESC LIMIT ?", [listing, limit]))
