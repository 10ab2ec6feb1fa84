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


def remember(db: Database, packs: RulePacks) -> None:
    if db.execute("SELECT 1 FROM rule_versions WHERE version = ?", [packs.version]).fetchone():
        return
    files = {str(p.relative_to(packs.folder)): p.read_text(encoding="utf-8") for p in packs.files}
    with write_transaction(db):
        db.execute("INSERT OR IGNORE INTO rule_versions (version, first_used_at, files) VALUES (?, ?, ?)",
                   [packs.version, utc_now(), json.dumps(files, ensure_ascii=False)])


def last_good(db: Database) -> RulePacks | None:
    row = db.execute("SELECT files FROM rule_versions ORDER BY first_used_at DESC, rowid DESC LIMIT 1").fetchone()
    if not row:
        return None
    folder = Path(tempfile.mkdtemp(prefix="monitor-rules-"))
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
