"""The custody log: append-only (triggers refuse UPDATE and DELETE) and hash-chained.

Each entry's hash covers its own fields and the previous entry's hash, so deleting,
reordering or editing an entry (with the triggers dropped) breaks the chain from there on,
which ``verify_chain`` reports. Entries are appended inside the caller's write transaction
(BEGIN IMMEDIATE), so two processes never chain onto the same predecessor; the evidence writers
use ``monitor.store.db.durable_transaction`` (full sync), so an entry survives a power cut.

A finished evidence file (a WARC file closed, a screenshot written) gets a "seal" entry with
its whole-file SHA-256, size and record count (``seal``); ``monitor evidence verify`` checks
the files against their seals (``seals``).
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
    """Add one entry (call inside ``durable_transaction``); returns its hash.

    A custody entry records an act (a capture, an export, a view): a power cut must not undo it
    after the act was reported done, so an entry outside a FULL-sync transaction is refused.
    """
    if not db.conn.in_transaction or db.execute("PRAGMA synchronous").fetchone()[0] < 2:
        raise RuntimeError("custody entries are written inside monitor.store.db.durable_transaction "
                           "(synchronous = FULL), so a power cut cannot undo an act already reported")
    at = at or utc_now()
    row = db.execute("SELECT entry_hash FROM custody ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    digest = entry_hash(prev, at, actor, action, obj, sha256, detail_text)
    db.execute("INSERT INTO custody (at, actor, action, object, sha256, detail, prev_hash, entry_hash) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [at, actor, action, obj, sha256, detail_text, prev, digest])
    return digest


SEAL = "seal"


def seal(db: Database, *, actor: str, relative: str, sha256: str, size: int, records: int | None,
         detail: dict[str, Any] | None = None) -> str:
    """A finished evidence file (path relative to the evidence root): its SHA-256, size and
    number of WARC records (None for a plain file). Call inside ``durable_transaction``."""
    return append(db, actor=actor, action=SEAL, obj=f"file:{relative}", sha256=sha256,
                  detail={"size": size, "records": records, **(detail or {})})


def seals(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every seal entry, by file (relative path), oldest first; each with its custody ``id``,
    ``at``, ``sha256``, ``size`` and ``records``. A file appended to after a seal has one seal
    per closing, each covering the file up to its ``size``. ``late``: sealed after capture, by
    ``monitor evidence seal``, not when the file was finished."""
    out: dict[str, list[dict[str, Any]]] = {}
    for id_, at, obj, sha, detail in db.execute(
            "SELECT id, at, object, sha256, detail FROM custody WHERE action = ? AND object LIKE 'file:%' ORDER BY id",
            [SEAL]):
        try:
            info = json.loads(detail or "{}")
        except ValueError:
            info = {}
        out.setdefault(obj[len("file:"):], []).append(
            {"id": id_, "at": at, "sha256": sha, "size": info.get("size"), "records": info.get("records"),
             "late": bool(info.get("late"))})
    return out


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
