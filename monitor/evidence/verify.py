"""Checking kept evidence: every file under the evidence root, every WARC record, every evidence
row, and the custody chain.

- Each file against its seals in the custody log (``custody.seals``): the SHA-256 of the file
  up to each sealed size, nothing after the last one; a file without a seal, and a sealed file
  that is gone, are problems too.
- Each record of each WARC file: its ``WARC-Block-Digest`` and ``WARC-Payload-Digest``
  (warcio's digest checker, as ``warcio check`` does), a record without a block digest, a record
  that cannot be read; and the record count against the seal's.
- Each evidence row: the record at its offset (or the plain file) has the SHA-256 and
  ``WARC-Record-ID`` the row recorded.
- The custody chain (``custody.verify_chain``).

Everything is streamed in chunks of ``_CHUNK`` bytes: memory stays bounded whatever the size of
a file or a record. Each problem names the file, the record (offset and WARC-Record-ID) or the
custody entry, what is wrong and what to do.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from monitor.evidence import custody
from monitor.evidence.paths import resolve
from monitor.evidence.warcfile import HeaderGuard
from monitor.store.db import durable_transaction

_CHUNK = 1 << 20
# Compressed bytes inflated at a time: deflate expands at most ~1032 times, so a record that is
# all zeros (a few KB of gzip) never inflates to more than ~4 MiB at once (warcio reads 16 KiB).
_INFLATE = 4096
_TAIL = "after the end sealed"  # the one finding `seal_late` may cure
RESTORE = "restore the file from a backup, or set it aside: it no longer proves what was captured"


@dataclass
class Report:
    checked: int = 0  # evidence rows checked
    records: int = 0  # WARC records checked
    files: set[str] = field(default_factory=set)
    late: set[str] = field(default_factory=set)  # files (or their ends) sealed after capture
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_store(db: Database, root: Path, progress=None) -> Report:
    report = Report()
    sealed = custody.seals(db)
    on_disk = set()
    for relative, path in _files_under(root, report):
        on_disk.add(relative)
        report.files.add(relative)
        if any(seal.get("late") for seal in sealed.get(relative, [])):
            report.late.add(relative)
        report.problems.extend(_check_seals(path, relative, sealed.get(relative, [])))
        if relative.endswith((".warc", ".warc.gz")):
            # The count is compared only where the length is the sealed one (else that is the finding).
            seals = sealed.get(relative, [])
            same_length = bool(seals) and path.stat().st_size == seals[-1]["size"]
            report.problems.extend(_check_records(path, relative, seals if same_length else [], report))
        if progress:
            progress()
    for relative in sorted(sealed.keys() - on_disk):
        last = sealed[relative][-1]
        report.problems.append(f"{relative}: missing; custody entry {last['id']} sealed it at {last['at']} "
                               f"({last['size']} bytes, SHA-256 {last['sha256']}): restore it from a backup")
    for row in db.execute_returning_dicts("SELECT * FROM evidence ORDER BY id"):
        report.checked += 1
        report.problems.extend(_row_problems(root, row))
        if progress:
            progress()
    report.problems.extend(f"{p}: restore the database from a backup; the files' seals are only as good as the log"
                           for p in custody.verify_chain(db))
    return report


@dataclass
class LateSeal:
    relative: str
    sha256: str
    size: int
    records: int | None
    sealed_before: int  # bytes an earlier seal covered (0: none)


def seal_late(db: Database, root: Path, *, actor: str, detail: dict, apply: bool = True
              ) -> tuple[list[LateSeal], list[str]]:
    """Seal what the custody log does not cover: files without a seal (from before seals were
    kept, or a crawl killed before closing its file) and the unsealed end of a file whose sealed
    start is intact. A file is sealed only when its sealed start still matches and every record
    passes its digests; the others are refused with the reason. Each seal says ``late``. Returns
    (sealed, refused); with ``apply`` false, only what would be sealed."""
    sealed = custody.seals(db)
    done: list[LateSeal] = []
    refused: list[str] = []
    for relative, path in _files_under(root, Report()):
        seals = sealed.get(relative, [])
        problems = list(_check_seals(path, relative, seals))
        covered = max((s["size"] or 0) for s in seals) if seals else 0
        if not problems:
            continue  # fully sealed
        if seals and not (len(problems) == 1 and _TAIL in problems[0]):
            refused.extend(problems)  # its sealed part changed or was cut: not ours to bless
            continue
        count = Report()
        is_warc = relative.endswith((".warc", ".warc.gz"))
        records = list(_check_records(path, relative, [], count)) if is_warc else []
        if records:
            refused.extend(records)
            continue
        # Hashed after the record check: a change in between would need write access to the
        # evidence during the operator's own command, and would show in the next verify's records.
        done.append(LateSeal(relative, _file_sha256(path), path.stat().st_size, count.records if is_warc else None,
                             covered))
    if apply and done:
        with durable_transaction(db):
            for late in done:
                custody.seal(db, actor=actor, relative=late.relative, sha256=late.sha256, size=late.size,
                             records=late.records,
                             detail={"late": True, "sealed_before": late.sealed_before, **detail})
    return done, refused


def _files_under(root: Path, report: Report) -> Iterator[tuple[str, Path]]:
    """Every file under the evidence root, as (path relative to the root, path), in order. A
    symbolic link is a problem, not followed: evidence is kept as the files themselves."""
    if not root.exists():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                report.problems.append(f"{relative}: a symbolic link (to {os.readlink(path)}), not a kept file: "
                                       "replace it with the file it stands for, or remove it")
            elif path.is_file():
                yield relative, path


def _check_seals(path: Path, relative: str, seals: list[dict]) -> Iterator[str]:
    """The file's SHA-256 up to each sealed size, in one pass; then its length against the last seal."""
    if not seals:
        yield (f"{relative}: unknown to the custody log (no seal): no capture of this store finished it, a "
               "crawl was killed before closing it, or it predates seals. Find out where it came from: if it "
               "belongs, `monitor evidence seal` checks its records and seals it late (the log says so); if "
               "not, move it out of the evidence folder")
        return
    checkpoints = sorted((s["size"] or 0, s["id"], s["sha256"], s["at"]) for s in seals)
    digest, pos, i = hashlib.sha256(), 0, 0
    first_bad = None
    with open(path, "rb") as f:
        while True:
            chunk = memoryview(f.read(_CHUNK))
            while i < len(checkpoints) and checkpoints[i][0] <= pos + len(chunk):
                size, id_, sha, at = checkpoints[i]
                digest.update(chunk[:size - pos])
                chunk, pos = chunk[size - pos:], size
                if first_bad is None and digest.hexdigest() != sha:
                    first_bad = checkpoints[i]
                i += 1
            if not chunk:
                break
            digest.update(chunk)
            pos += len(chunk)
    last_size, last_id = checkpoints[-1][0], checkpoints[-1][1]
    if first_bad is not None:  # a changed file: how its length differs says nothing more
        size, id_, sha, at = first_bad
        yield (f"{relative}: changed since it was sealed (custody entry {id_} at {at}: SHA-256 {sha} over its "
               f"first {size} bytes, which now hash differently; {pos} bytes now, {last_size} sealed): {RESTORE}")
    elif pos < last_size:
        yield (f"{relative}: truncated: {pos} bytes, but custody entry {last_id} sealed {last_size}: {RESTORE}")
    elif pos > last_size:
        yield (f"{relative}: {pos - last_size} byte(s) {_TAIL} by custody entry {last_id} (from offset "
               f"{last_size}): junk appended, or a write that was never sealed (a crawl killed before closing the "
               f"file). Restore the file from a backup, or cut it back to its sealed length (truncate -s "
               f"{last_size}); if the end holds a killed crawl's last records, `monitor evidence seal` checks "
               "them and seals them late")


def _check_records(path: Path, relative: str, seals: list[dict], report: Report) -> Iterator[str]:
    """Every record's digests, streamed; a record that cannot be read ends the file's check there."""
    count = 0
    with open(path, "rb") as f:
        it = ArchiveIterator(f, check_digests=True, block_size=_INFLATE)
        guard = HeaderGuard(it.reader)
        records = iter(it)
        current = None
        try:
            while True:
                current, guard.used = None, 0
                try:
                    record = next(records)
                except StopIteration:
                    break
                current = (record.rec_type, record.rec_headers.get_header("WARC-Record-ID") or "without WARC-Record-ID")
                while record.raw_stream.read(_CHUNK):
                    pass
                offset = it.get_record_offset()
                count += 1
                report.records += 1
                where = f"{relative} @{offset} ({current[0]} record {current[1]})"
                if record.digest_checker.passed is False:
                    yield f"{where}: {'; '.join(record.digest_checker.problems)}: its bytes changed; {RESTORE}"
                elif not record.rec_headers.get_header("WARC-Block-Digest"):
                    yield f"{where}: has no WARC-Block-Digest, so it cannot be checked; {RESTORE}"
        except Exception as exc:  # noqa: BLE001 - a damaged gzip member or header is a finding, not a crash
            what = f" ({current[0]} record {current[1]})" if current else ""
            yield (f"{relative} @{it.offset}{what}: cannot be read ({_said(exc)}); the records after it were not "
                   f"checked; {RESTORE}")
            return
    expected = seals[-1]["records"] if seals else None
    if expected is not None and count != expected:
        yield (f"{relative}: {count} records, but custody entry {seals[-1]['id']} sealed {expected}: "
               f"records were added or removed; {RESTORE}")


def _row_problems(root: Path, row: dict) -> Iterator[str]:
    where = f"evidence {row['id']} ({row['kind']} of {row['url']}, {row['path']}"
    if row["offset"] is not None:
        where += f" @{row['offset']}" + (f" {row['record_id']}" if row.get("record_id") else "")
    where += ")"
    try:
        path = resolve(root, row["path"])
    except ValueError as exc:
        yield f"{where}: {exc}: the row was altered; restore the database from a backup"
        return
    if not path.exists():
        yield f"{where}: the file is missing: restore it from a backup"
        return
    try:
        if row["offset"] is not None:
            record_id, digest = _payload_sha256(path, int(row["offset"]))
            if row.get("record_id") and record_id != row["record_id"]:
                yield f"{where}: the record at that offset is {record_id}, not the one recorded; {RESTORE}"
                return
        else:
            digest = _file_sha256(path)
    except Exception as exc:  # noqa: BLE001 - a damaged gzip member or WARC header is a finding, not a crash
        yield f"{where}: cannot be read ({_said(exc)}); {RESTORE}"
        return
    if digest != row["sha256"]:
        yield f"{where}: content changed (SHA-256 {digest[:16]}…, recorded {row['sha256'][:16]}…); {RESTORE}"


def _payload_sha256(path: Path, offset: int) -> tuple[str | None, str]:
    """(WARC-Record-ID, SHA-256 of the payload as stored) of the record at ``offset``, streamed."""
    with open(path, "rb") as f:
        f.seek(offset)
        it = ArchiveIterator(f, block_size=_INFLATE)
        HeaderGuard(it.reader)
        for record in it:
            digest = hashlib.sha256()
            while chunk := record.raw_stream.read(_CHUNK):
                digest.update(chunk)
            return record.rec_headers.get_header("WARC-Record-ID"), digest.hexdigest()
    raise ValueError(f"no WARC record at offset {offset}")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _said(exc: Exception) -> str:
    """An exception in one short printable line: warcio quotes the damaged bytes it met, which
    are the attacker's, so they are cut short and shown escaped."""
    text = (str(exc).strip().splitlines() or [""])[0]
    text = text.encode("unicode_escape").decode("ascii")  # control characters too, not only non-ASCII
    return f"{type(exc).__name__}: {text[:120]}" + ("…" if len(text) > 120 else "")
