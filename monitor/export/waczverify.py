"""Checking a case or referral package (a WACZ, see ``wacz``) on its own, in bounded memory.

In order: the zip's directory (entry count, names, each entry's size and packing ratio, all
before a byte is unpacked: a zip bomb is refused at once); ``datapackage-digest.json``'s hash
of ``datapackage.json``; the Ed25519 signature of that hash (against a trusted key when one is
given); the RFC 3161 timestamp (its imprint is that hash; with a CA bundle, its signature and
the TSA certificate's chain); every file's SHA-256 and size against ``datapackage.json``, read
in chunks, no unlisted or missing file; every record of every WARC file against its own
digests. Findings are ``problems`` (the package fails) or ``warnings`` (it passes, and the
reader is told what could not be checked: not signed, not timestamped, no trusted key).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.evidence import signing, timestamp
from monitor.evidence.warcdigest import Limits, LimitExceeded, WarcFormatError, check_warc
from monitor.export.names import unsafe_name
from monitor.export.wacz import DATAPACKAGE, DIGEST, WACZ_VERSION
from monitor.settings import env

MAX_JSON = 64 << 20  # datapackage.json of a very large case is a few MiB
_READ_ERRORS = (zipfile.BadZipFile, OSError, ValueError, zlib.error, EOFError)


def limits_from_settings() -> Limits:
    return Limits(max_bytes=env("MONITOR_PACKAGE_MAX_ENTRY_MB") << 20, max_records=env("MONITOR_PACKAGE_MAX_ENTRIES"),
                  max_ratio=env("MONITOR_PACKAGE_MAX_RATIO"))


@dataclass
class PackageReport:
    path: Path
    files: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None  # datapackage.json as read
    digest: dict[str, Any] | None = None  # datapackage-digest.json as read
    signed_by: str | None = None  # the fingerprint of the key that signed it, when the signature checks
    gen_time: str | None = None
    refused: bool = False  # stopped at a limit
    custody: str | None = None  # the custody entry that records this very file

    @property
    def ok(self) -> bool:
        return not self.problems


class _Hashing:
    """A read-through that hashes and counts what passes."""

    def __init__(self, raw):
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n if n and n > 0 else 1 << 16)
        self.sha.update(data)
        self.size += len(data)
        return data


def _screen(archive: zipfile.ZipFile, report: PackageReport, limits: Limits) -> bool:
    """Names, sizes and ratios from the zip's directory; False: refused, read no further."""
    infos = archive.infolist()
    if len(infos) > limits.max_records:
        report.problems.append(f"{report.path}: {len(infos)} entries, more than the limit of {limits.max_records} "
                               "(MONITOR_PACKAGE_MAX_ENTRIES): refused")
        return False
    for name, n in Counter(i.filename for i in infos).items():
        if n > 1:
            report.problems.append(f"{name}: the zip holds {n} entries of this name (only one can be what was signed)")
    for info in infos:
        why = unsafe_name(info.filename)
        if why:
            report.problems.append(f"{report.path}: entry {info.filename!r} is {why}")
        if info.file_size > limits.max_bytes:
            report.problems.append(f"{info.filename}: declares {info.file_size} bytes unpacked, over the limit of "
                                   f"{limits.max_bytes >> 20} MiB (MONITOR_PACKAGE_MAX_ENTRY_MB): refused")
        elif info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            report.problems.append(f"{info.filename}: unpacks {info.file_size / max(info.compress_size, 1):.0f} times "
                                   f"its packed size, over the limit of {limits.max_ratio} (a zip bomb; "
                                   "MONITOR_PACKAGE_MAX_RATIO): refused")
    refused = any(p.endswith(": refused") for p in report.problems)
    report.refused = refused
    return not refused


def _directory_fits(path: Path, report: PackageReport, limits: Limits) -> bool:
    """The entry count from the zip's end record, before ``zipfile`` reads the whole directory
    into memory (a directory of millions of empty entries is a bomb of its own)."""
    try:
        with open(path, "rb") as f:
            end = zipfile._EndRecData(f)  # noqa: SLF001 - the stdlib's reader of the end record, stable since 2.x
    except OSError as exc:
        report.problems.append(f"{path}: cannot be read ({exc.strerror})")
        return False
    if end and end[zipfile._ECD_ENTRIES_TOTAL] > limits.max_records:
        report.problems.append(f"{path}: {end[zipfile._ECD_ENTRIES_TOTAL]} entries, more than the limit of "
                               f"{limits.max_records} (MONITOR_PACKAGE_MAX_ENTRIES): refused")
        report.refused = True
        return False
    return True


def _read_small(archive: zipfile.ZipFile, name: str, report: PackageReport) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        old = "manifest.json" in archive.namelist()
        report.problems.append(f"{report.path}: no {name} (not a WACZ package" + (
            "; it is a package of the earlier zip format, whose manifest proves nothing: export it again)"
            if old else ")"))
        return None
    if info.file_size > MAX_JSON:
        report.problems.append(f"{name}: {info.file_size} bytes, more than {MAX_JSON >> 20} MiB: refused")
        return None
    try:
        with archive.open(info) as f:
            return f.read(MAX_JSON + 1)
    except _READ_ERRORS as exc:
        report.problems.append(f"{name}: cannot be read, the archive is damaged ({exc})")
        return None


def _check_digest(data: bytes, digest: dict[str, Any], report: PackageReport, *,
                  trusted: signing.Ed25519PublicKey | None, trusted_name: str | None, tsa_ca: Path | None) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if digest.get("hash") != f"sha256:{actual}":
        report.problems.append(f"{DIGEST}: its hash of {DATAPACKAGE} does not match ({DATAPACKAGE} was changed)")
    claimed = str(digest.get("hash", "")).removeprefix("sha256:")
    signature = digest.get("signature") or {}
    if signature.get("status") == "signed":
        found = signing.check(signature, str(digest.get("hash", "")))
        if not found.ok:
            report.problems.append(f"{DIGEST}: {found.problem}")
        elif trusted is not None and found.fingerprint != signing.fingerprint(trusted):
            report.problems.append(f"{DIGEST}: signed by key {found.fingerprint}, not by the trusted key "
                                   f"{signing.fingerprint(trusted)} ({trusted_name}): someone else signed it")
        else:
            report.signed_by = found.fingerprint
            if trusted is None:
                report.warnings.append(f"signed by key {found.fingerprint}, not compared with a trusted key: compare "
                                       "it with the fingerprint the sender published, or pass --trusted-key FILE")
    else:
        (report.problems if trusted is not None else report.warnings).append(
            f"NOT SIGNED ({signature.get('reason', 'no signature')}): anyone could have rewritten this package "
            "and its hashes")
    stamp = digest.get("timestamp") or {}
    if stamp.get("status") == "timestamped":
        found = timestamp.check(str(stamp.get("response", "")), claimed, ca=tsa_ca)
        report.gen_time = found.gen_time
        if not found.ok:
            report.problems.append(f"{DIGEST}: {found.problem}")
        elif not found.chain_checked:
            report.warnings.append(f"timestamp of {found.gen_time} by {stamp.get('tsa')}: its imprint matches, but "
                                   "the TSA's signature and certificate were not checked (pass --tsa-ca FILE or set "
                                   "MONITOR_TSA_CA)")
    else:
        report.warnings.append(f"NOT TIMESTAMPED ({stamp.get('reason', 'no timestamp')}): nothing shows when it "
                               "was made")


def _check_entries(archive: zipfile.ZipFile, resources: list[Any], report: PackageReport, limits: Limits) -> None:
    listed: dict[str, dict[str, Any]] = {}
    for res in resources:
        if isinstance(res, dict) and isinstance(res.get("path"), str):
            listed[res["path"]] = res
    names = {i.filename for i in archive.infolist()}
    for name in sorted(names - set(listed) - {DATAPACKAGE, DIGEST}):
        report.problems.append(f"{name}: in the package but not in {DATAPACKAGE}")
    for name, res in listed.items():
        if name not in names:
            report.problems.append(f"{name}: listed in {DATAPACKAGE} but missing")
            continue
        info = archive.getinfo(name)
        try:
            with archive.open(info) as raw:
                stream = _Hashing(raw)
                if name.startswith("archive/") and name.endswith((".warc.gz", ".warc")):
                    found = check_warc(stream, name, Limits(limits.max_bytes, limits.max_records, limits.max_ratio,
                                                            packed_size=info.file_size))
                    report.records += found.records
                    report.problems.extend(found.problems)
                    if found.undigested:
                        report.warnings.append(f"{name}: {found.undigested} record(s) carry no block digest")
                while stream.read(1 << 16):
                    pass
        except LimitExceeded as exc:
            report.problems.append(str(exc))
            report.refused = True
            return
        except WarcFormatError as exc:
            report.problems.append(f"{exc} (the file was changed or damaged)")
            continue
        except _READ_ERRORS as exc:  # a changed byte fails the zip's CRC or the deflate stream
            report.problems.append(f"{name}: cannot be read, the archive is damaged ({exc})")
            continue
        report.files += 1
        if res.get("hash") != f"sha256:{stream.sha.hexdigest()}" or res.get("bytes") not in (None, stream.size):
            report.problems.append(f"{name}: content changed (SHA-256 does not match {DATAPACKAGE})")


def verify_package(path: Path, *, trusted_key: Path | None = None, tsa_ca: Path | None = None,
                   limits: Limits | None = None) -> PackageReport:
    """Check the package at ``path`` (see the module's doc). ``trusted_key``: a PEM public (or
    private) key file the signature must be made with. ``tsa_ca``: the TSA's CA bundle."""
    report = PackageReport(Path(path))
    limits = limits or limits_from_settings()
    tsa_ca = tsa_ca or env("MONITOR_TSA_CA")
    trusted = signing.load_public(trusted_key) if trusted_key else None  # SigningError: the caller says so
    if not _directory_fits(Path(path), report, limits):
        return report
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"{path}: not a readable zip file ({exc})")
        return report
    with archive:
        if not _screen(archive, report, limits):
            return report
        data = _read_small(archive, DATAPACKAGE, report)
        raw_digest = _read_small(archive, DIGEST, report)
        if data is None or raw_digest is None:
            return report
        try:
            report.manifest = json.loads(data)
            report.digest = json.loads(raw_digest)
            resources = report.manifest["resources"]
            if not isinstance(report.manifest, dict) or not isinstance(report.digest, dict):
                raise TypeError("not a JSON object")
        except (ValueError, KeyError, TypeError) as exc:
            report.problems.append(f"{DATAPACKAGE} or {DIGEST} cannot be read as a WACZ description ({exc})")
            return report
        if report.manifest.get("wacz_version") != WACZ_VERSION:
            report.problems.append(f"{DATAPACKAGE}: wacz_version is {report.manifest.get('wacz_version')!r}, "
                                   f"not {WACZ_VERSION}")
        _check_digest(data, report.digest, report, trusted=trusted, trusted_name=str(trusted_key) if trusted_key
                      else None, tsa_ca=tsa_ca)
        _check_entries(archive, resources if isinstance(resources, list) else [], report, limits)
    return report


def check_custody(db, path: Path, report: PackageReport) -> str:
    """The package against the store's custody log: an export entry must record this file's
    SHA-256. An entry for the same file name with another hash means this is not what was
    exported. Returns "recorded", "differs" or "unknown"."""
    digest = file_sha256(path)
    match = db.execute("SELECT id, object, actor, at FROM custody WHERE action = 'export' AND sha256 = ? "
                       "ORDER BY id DESC LIMIT 1", [digest]).fetchone()
    if match:
        report.custody = f"custody entry {match[0]}: {match[1]} exported by {match[2]} at {match[3]}"
        return "recorded"
    same_name = db.execute("SELECT id, object, sha256 FROM custody WHERE action = 'export' AND "
                           "(object = ? OR object = ?) ORDER BY id DESC LIMIT 1",
                           [f"case:{path.name}", f"referral:{path.name}"]).fetchone()
    if same_name:
        report.problems.append(f"custody entry {same_name[0]} records the export of {same_name[1]} with SHA-256 "
                               f"{same_name[2]}; this file's is {digest}: it is not the package that was exported")
        return "differs"
    report.warnings.append(f"no export with this file's SHA-256 ({digest}) in this store's custody log")
    return "unknown"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
