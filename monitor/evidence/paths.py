"""Where evidence files live: beside the database, so a store and its evidence move together."""

from __future__ import annotations

import os
from pathlib import Path

from monitor.settings import env


def evidence_root(db_path: str | os.PathLike) -> Path:
    """``MONITOR_EVIDENCE_DIR``, or the ``evidence`` folder beside the database file."""
    return env("MONITOR_EVIDENCE_DIR") or Path(db_path).resolve().parent / "evidence"


def resolve(root: Path, relative: str) -> Path:
    """An evidence path from the table, refused when it would leave the evidence root (the
    table is data; a tampered row must not make the app read /etc/passwd)."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ValueError(f"evidence path {relative!r} is outside the evidence folder {root}")
    return path
