"""The custody log: append-only (triggers refuse UPDATE and DELETE) and hash-chained.

Each entry's hash covers its own fields and the previous entry's hash, so deleting,
reordering or editing an entry (with the triggers dropped) breaks the chain from there on,
which ``verify_chain`` reports. Entries are appended inside the caller's write transaction
(BEGIN IMMEDIATE), so two processes never chain onto the same predecessor.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

from sqlite_utils import Database

from monitor.listing import utc_now

GENESIS = "0" * 64


def entry_hash(prev_hash: str, at: str, actor: str, action: str, obj: str, sha256: str | None, detail: str) -> str:
    blob = json.dumps([prev_hash, at, actor, action, obj, sha256, detail], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def append(db: Database, *, actor: str, action: str, obj: str, sha256: str | None = None,
           detail: dict[str, Any] | None = None, at: str | None = None) -> str:
    """Add one entry (call inside a write transaction); returns its hash."""
    at = at or utc_now()
    row = db.execute("SELECT entry_hash FROM custody ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    digest = entry_hash(prev, at, actor, action, obj, sha256, detail_text)
    db.execute("INSERT INTO custody (at, actor, action, object, sha256, detail, prev_hash, entry_hash) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [at, actor, action, obj, sha256, detail_text, prev, digest])
    return digest


def verify_chain(db: Database) -> Iterator[str]:
    """Problems with the chain, one message per broken entry (nothing when it is intact)."""
    prev = GENESIS
    for row in db.execute("SELECT id, at, actor, action, object, sha256, detail, prev_hash, entry_hash "
                          "FROM custody ORDER BY id"):
        id_, at, actor, action, obj, sha, detail, prev_hash, digest = row
        if prev_hash != prev:
            yield f"custody entry {id_}: does not follow the entry before it (an entry was removed or reordered)"
        if entry_hash(prev_hash, at, actor, action, obj, sha, detail) != digest:
            yield f"custody entry {id_}: its content does not match its hash (the entry was edited)"
        prev = digest


def entries_for(db: Database, obj_prefix: str, limit: int = 50) -> list[dict[str, Any]]:
    return list(db.execute_returning_dicts(
        "SELECT * FROM custody WHERE object = ? OR object LIKE ? ORDER BY id DESC LIMIT ?",
        [obj_prefix, obj_prefix + ":%", limit]))
