"""Where evidence files live: beside the database, so a store and its evidence move together."""

from __future__ import annotations

import os
from pathlib import Path

from monitor.settings import env


class EvidenceRoot(type(Path())):
    """The evidence folder of one store, knowing that store (``store``: its database file), so
    whatever writes a file under it (``RunWarc``) seals the finished file in that store's custody
    log without each caller having to pass the database along. A path derived from it
    (``root / "warc"``) is a plain path again: only the root itself names a store."""

    store: Path | None = None


def evidence_root(db_path: str | os.PathLike) -> EvidenceRoot:
    """``MONITOR_EVIDENCE_DIR``, or the ``evidence`` folder beside the database file."""
    store = Path(db_path).resolve()
    root = EvidenceRoot(env("MONITOR_EVIDENCE_DIR") or store.parent / "evidence")
    root.store = store
    return root


def resolve(root: Path, relative: str) -> Path:
    """An evidence path from the table, refused when it would leave the evidence root (the
    table is data; a tampered row must not make the app read /etc/passwd)."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"evidence path {relative!r} is outside the evidence folder {root}")
    return path
