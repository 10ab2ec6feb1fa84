"""The rule packs in force: the folder's packs if valid, else the last good ones from the store.

A broken edit must never stop nightly crawls from being scored, nor half-apply: the engine
keeps running on the last version that passed validation, and says so.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from sqlite_utils import Database

from monitor.listing import utc_now
from monitor.rules.engine import Engine
from monitor.rules.packs import RulePackError, RulePacks, load_packs
from monitor.scoring.score import engine_for
from monitor.store.db import write_transaction

logger = logging.getLogger(__name__)

# rule_versions keeps one row per version. Its rowid order is the order in which versions
# were last put in force: a version used again (a revert to older rules) is written anew at
# the end, so the last row is always the last good version.
_LATEST = "SELECT version FROM rule_versions ORDER BY rowid DESC LIMIT 1"


def remember(db: Database, packs: RulePacks) -> None:
    """Record ``packs`` as the version in force (with its files, for last_good)."""
    latest = db.execute(_LATEST).fetchone()
    if latest and latest[0] == packs.version:
        return  # the usual case: no write at all
    with write_transaction(db):
        latest = db.execute(_LATEST).fetchone()  # again, inside the transaction
        if latest and latest[0] == packs.version:
            return
        known = db.execute("SELECT first_used_at, files FROM rule_versions WHERE version = ?",
                           [packs.version]).fetchone()
        if known:
            first_used_at, files = known
            db.execute("DELETE FROM rule_versions WHERE version = ?", [packs.version])
        else:
            first_used_at = utc_now()
            files = json.dumps({str(p.relative_to(packs.folder)): p.read_text(encoding="utf-8")
                                for p in packs.files}, ensure_ascii=False)
        db.execute("INSERT INTO rule_versions (version, first_used_at, files) VALUES (?, ?, ?)",
                   [packs.version, first_used_at, files])


def last_good(db: Database) -> RulePacks | None:
    """The version put in force last, loaded from the files the store kept of it."""
    row = db.execute("SELECT files FROM rule_versions ORDER BY rowid DESC LIMIT 1").fetchone()
    if not row:
        return None
    # Loading reads every file; the packs keep nothing open or lazy in the folder.
    with tempfile.TemporaryDirectory(prefix="monitor-rules-") as tmp:
        folder = Path(tmp)
        for name, text in json.loads(row[0]).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return load_packs(folder)


def active_packs(db: Database, folder: str | Path | None = None) -> tuple[RulePacks | None, RulePackError | None]:
    """(packs to use, the error that made us fall back). Packs is None only when the folder is
    broken and no earlier version was ever used."""
    try:
        packs = load_packs(folder)
    except RulePackError as exc:
        logger.error("Rule packs are invalid; scoring with the last good version.\n%s", exc)
        return last_good(db), exc
    remember(db, packs)
    return packs, None


def active_engine(db: Database, folder: str | Path | None = None) -> tuple[Engine | None, RulePackError | None]:
    """(engine with the packs in force and the store's context, the error that made us fall
    back): how ``monitor import``, a crawl and its scoring process all get their engine.
    The engine is None only when no valid version was ever used."""
    packs, problem = active_packs(db, folder)
    return (engine_for(db, packs) if packs else None), problem


def fallback_note(version: str | None, problem: str) -> str:
    """One line for a run record: the rules were broken, and what was used instead."""
    used = f"scored with the last good version {version}" if version else "listings stored unscored"
    return f"rule packs invalid, {used}: {problem.splitlines()[0] if problem else ''}"
