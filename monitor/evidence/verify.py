"""Checking kept evidence: every file's records against their recorded SHA-256, and the chain."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from monitor.evidence import custody
from monitor.evidence.paths import resolve
from monitor.evidence.warcfile import read_record


@dataclass
class Report:
    checked: int = 0
    files: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _problems_for(root: Path, row: dict) -> Iterator[str]:
    where = f"evidence {row['id']} ({row['kind']} of {row['url']}, {row['path']}"
    where += f" @{row['offset']})" if row["offset"] is not None else ")"
    try:
        path = resolve(root, row["path"])
    except ValueError as exc:
        yield f"{where}: {exc}"
        return
    if not path.exists():
        yield f"{where}: the file is missing"
        return
    try:
        if row["offset"] is not None:
            digest = read_record(path, int(row["offset"])).raw_payload_sha256
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except Exception as exc:  # noqa: BLE001 - a damaged gzip member or WARC header is a finding, not a crash
        yield f"{where}: cannot be read ({type(exc).__name__}: {exc})"
        return
    if digest != row["sha256"]:
        yield f"{where}: content changed (SHA-256 {digest[:16]}…, recorded {row['sha256'][:16]}…)"


def verify_store(db: Database, root: Path, progress=None) -> Report:
    report = Report()
    for row in db.execute_returning_dicts("SELECT * FROM evidence ORDER BY id"):
        report.checked += 1
        report.files.add(row["path"])
        report.problems.extend(_problems_for(root, row))
        if progress:
            progress()
    report.problems.extend(custody.verify_chain(db))
    return report
