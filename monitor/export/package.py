"""Evidence packages: a zip whose ``manifest.json`` lists the SHA-256 of every file in it and
carries its own hash, so the package can be checked on its own, anywhere, without the store.

The manifest's own hash (``manifest_sha256``) is the SHA-256 of the manifest's canonical
JSON (sorted keys, no spaces, UTF-8) with that field left out; ``verify_package`` recomputes
it, every file's hash, and refuses unsafe entry names, extra files and missing ones.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
_NAME_PART = re.compile(r"[^A-Za-z0-9._-]+")


def safe_part(text: str, limit: int = 60) -> str:
    """A path component made only of safe characters (never "", "." or "..")."""
    part = _NAME_PART.sub("_", str(text)).strip("._")[:limit]
    return part or "x"


def unsafe_name(name: str) -> str | None:
    """Why an archive entry name is unsafe, or None."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    parts = name.split("/")  # not PurePosixPath: it would quietly drop "." and empty parts
    if any(p in ("..", ".") for p in parts) or "" in parts[:-1] or not parts[-1]:
        return "a path with '..', '.' or an empty part"
    if any(ord(c) < 32 for c in name):
        return "a control character"
    return None


def canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class PackageWriter:
    """Add files, then ``close()`` writes the manifest. Names are checked as they are added."""

    def __init__(self, path: Path, meta: dict[str, Any]):
        self.path = path
        self.meta = meta
        self.files: list[dict[str, Any]] = []
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def add(self, name: str, data: bytes, *, describes: str | None = None) -> str:
        why = unsafe_name(name)
        if why or name == MANIFEST:
            raise ValueError(f"refusing archive entry {name!r}: {why or 'reserved name'}")
        if any(f["path"] == name for f in self.files):
            raise ValueError(f"archive entry {name!r} added twice")
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # same bytes for the same content
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, data)
        digest = hashlib.sha256(data).hexdigest()
        entry = {"path": name, "sha256": digest, "bytes": len(data)}
        if describes:
            entry["describes"] = describes
        self.files.append(entry)
        return digest

    def close(self) -> dict[str, Any]:
        manifest = {**self.meta, "files": sorted(self.files, key=lambda f: f["path"]),
                    "hash_algorithm": "sha256",
                    "how_to_check": "sha256 of each file as listed; manifest_sha256 = sha256 of this JSON "
                                    "with sorted keys, no spaces, UTF-8, without the manifest_sha256 field"}
        manifest["manifest_sha256"] = hashlib.sha256(canonical(manifest)).hexdigest()
        info = zipfile.ZipInfo(MANIFEST, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode())
        self.zip.close()
        return manifest


@dataclass
class PackageReport:
    path: Path
    files: int = 0
    problems: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_package(path: Path) -> PackageReport:
    report = PackageReport(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"{path}: not a readable zip file ({exc})")
        return report
    with archive:
        names = archive.namelist()
        for name in names:
            why = unsafe_name(name)
            if why:
                report.problems.append(f"{path}: entry {name!r} is {why}")
        if MANIFEST not in names:
            report.problems.append(f"{path}: no {MANIFEST}")
            return report
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except (ValueError, zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
            report.problems.append(f"{path}: {MANIFEST} cannot be read ({exc})")
            return report
        claimed = manifest.pop("manifest_sha256", None)
        report.manifest = {**manifest, "manifest_sha256": claimed}  # as read (the check leaves the field out)
        if claimed != hashlib.sha256(canonical(manifest)).hexdigest():
            report.problems.append(f"{MANIFEST}: its content does not match its manifest_sha256 (it was edited)")
        listed = {f.get("path"): f for f in manifest.get("files", [])}
        for name in names:
            if name != MANIFEST and name not in listed:
                report.problems.append(f"{name}: in the package but not in the manifest")
        for name, entry in listed.items():
            if name not in names:
                report.problems.append(f"{name}: listed in the manifest but missing")
                continue
            try:
                data = archive.read(name)
            except (zipfile.BadZipFile, OSError, ValueError, zlib.error, EOFError) as exc:  # a changed byte fails the zip's CRC too
                report.problems.append(f"{name}: cannot be read, the archive is damaged ({exc})")
                continue
            report.files += 1
            if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
                report.problems.append(f"{name}: content changed (SHA-256 does not match the manifest)")
    return report
