"""Case and referral packages as WACZ 1.1.1 files (https://specs.webrecorder.net/wacz/1.1.1/).

A WACZ is a zip: ``archive/data.warc.gz`` (the listings' WARC records, copied byte for byte
from the store's WARC files, after a ``warcinfo`` record of the package), ``indexes/index.cdxj``
(one CDXJ line per response or resource record), ``pages/pages.jsonl`` (one page per listing
captured), the package's own files (``package/summary.html``, ``package/summary.pdf``,
``package/referral.json``, ``listings/<id>-<site>-<listing>.json``, ``screenshots/*.png``),
``datapackage.json`` (every file's SHA-256 and size, and the package's description) and
``datapackage-digest.json`` (the SHA-256 of ``datapackage.json``, the deployment's Ed25519
signature of it and an RFC 3161 timestamp of it, or the words "not signed" / "not
timestamped" with the reason). Every file lives one folder deep: ``wacz validate`` checks
names that way. The WARC and index entries are stored uncompressed, as the spec asks, so a
replay tool can seek in them.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from monitor import __version__
from monitor.evidence import signing, timestamp
from monitor.export.names import unsafe_name

WACZ_VERSION = "1.1.1"
WARC_NAME = "archive/data.warc.gz"
INDEX_NAME = "indexes/index.cdxj"
PAGES_NAME = "pages/pages.jsonl"
DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
RESERVED = {WARC_NAME, INDEX_NAME, PAGES_NAME, DATAPACKAGE, DIGEST}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # entries carry no clock: the same content gives the same bytes
INDEXED = {"response", "resource", "revisit"}


def surt(url: str) -> str:
    """The SURT form of ``url`` (host reversed, ``www.`` dropped, lower case), as CDXJ sorts by."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    key = ",".join(reversed(host.split(".")))
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        key += f":{parts.port}"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return f"{key})" + (parts.path or "/").lower() + (f"?{query.lower()}" if query else "")


def warc_timestamp(warc_date: str) -> str:
    return "".join(c for c in warc_date if c.isdigit())[:14]


@dataclass
class Packed:
    """Where one copied record sits in ``archive/data.warc.gz``."""

    record_id: str | None
    rec_type: str
    url: str | None
    date: str | None
    offset: int
    length: int


@dataclass
class WaczWriter:
    """Add records, files and pages; ``close()`` writes the WACZ and returns its datapackage."""

    path: Path
    title: str
    meta: dict[str, Any]
    created: str
    files: list[tuple[str, bytes, str | None]] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    index: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._warc = tempfile.TemporaryFile()  # records go here while the other files are gathered
        writer = WARCWriter(self._warc, gzip=True, warc_version="1.1")
        info = writer.create_warcinfo_record(Path(WARC_NAME).name, {
            "software": f"listing-monitor/{__version__}", "format": "WARC File Format 1.1",
            "description": f"{title_line(self.title)}: the records after this one are copies, byte for byte, of the "
                           "records the crawls kept in the store's WARC files", "isPartOf": self.path.name})
        writer.write_record(info)

    def add_record(self, data: bytes) -> Packed:
        """One gzip member holding one WARC record (as the store keeps them), appended as it is."""
        offset = self._warc.tell()
        record = next(iter(ArchiveIterator(io.BytesIO(data))), None)
        if record is None:
            raise ValueError("not a WARC record")
        headers = record.rec_headers
        packed = Packed(headers.get_header("WARC-Record-ID"), record.rec_type,
                        headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date"), offset, len(data))
        self._warc.write(data)
        if record.rec_type in INDEXED and packed.url:
            status = record.http_headers.get_statuscode() if record.http_headers and record.rec_type != "resource" \
                else "200"
            mime = (record.http_headers.get_header("Content-Type") if record.http_headers else None) or \
                headers.get_header("Content-Type") or ""
            fields = {"url": packed.url, "mime": mime.split(";")[0].strip(), "status": str(status),
                      "digest": headers.get_header("WARC-Payload-Digest") or headers.get_header("WARC-Block-Digest"),
                      "length": str(len(data)), "offset": str(offset), "filename": Path(WARC_NAME).name,
                      "recordType": record.rec_type}
            self.index.append(f"{surt(packed.url)} {warc_timestamp(packed.date or '')} "
                              f"{json.dumps({k: v for k, v in fields.items() if v}, sort_keys=True)}")
        return packed

    def add_file(self, name: str, data: bytes, describes: str | None = None) -> str:
        why = unsafe_name(name)
        if why or name in RESERVED or name.count("/") != 1:
            raise ValueError(f"refusing package entry {name!r}: {why or 'reserved or not one folder deep'}")
        if any(n == name for n, _, _ in self.files):
            raise ValueError(f"package entry {name!r} added twice")
        self.files.append((name, data, describes))
        return hashlib.sha256(data).hexdigest()

    def add_page(self, url: str, warc_date: str, title: str | None, listing: int) -> None:
        """The listing's page (its first response or rendered record; one page per listing)."""
        if any(p["id"] == f"listing-{listing}" for p in self.pages):
            return
        self.pages.append({"id": f"listing-{listing}", "url": url, "ts": warc_date, "title": title or url})

    def abort(self) -> None:
        self._warc.close()

    def close(self, *, key_path: Path | None, tsa_url: str | None, tsa_ca: Path | None) -> dict[str, Any]:
        """Write the zip. Returns ``{"datapackage": ..., "digest": ..., "warnings": [...]}``."""
        warnings: list[str] = []
        resources: list[dict[str, Any]] = []
        with zipfile.ZipFile(self.path, "w", allowZip64=True) as z:
            self._warc.seek(0)
            resources.append(_write_stream(z, WARC_NAME, self._warc, "the listings' WARC records"))
            self._warc.close()
            index = "".join(line + "\n" for line in sorted(self.index)).encode()
            resources.append(_write(z, INDEX_NAME, index, "CDXJ index of the WARC records", store=True))
            header = {"format": "json-pages-1.0", "id": "pages", "title": self.title}
            pages = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in [header, *self.pages]).encode()
            resources.append(_write(z, PAGES_NAME, pages, "one page per listing captured"))
            for name, data, describes in sorted(self.files):
                resources.append(_write(z, name, data, describes, store=name.endswith(".png")))
            datapackage = {"profile": "data-package", "wacz_version": WACZ_VERSION, "title": self.title,
                           "description": f"{title_line(self.title)}, made by listing-monitor {__version__}",
                           "created": self.created, "software": f"listing-monitor {__version__}",
                           "mainPageUrl": self.pages[0]["url"] if self.pages else None,
                           "mainPageDate": self.pages[0]["ts"] if self.pages else None,
                           **self.meta, "resources": resources}
            datapackage = {k: v for k, v in datapackage.items() if v is not None}
            data = json.dumps(datapackage, ensure_ascii=False, indent=1).encode()
            digest = {"path": DATAPACKAGE, "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
            digest["signature"], warning = _signature(key_path, digest["hash"])
            warnings += [warning] if warning else []
            digest["timestamp"], warning = _timestamp(tsa_url, tsa_ca, data)
            warnings += [warning] if warning else []
            _write(z, DATAPACKAGE, data, None)
            _write(z, DIGEST, json.dumps(digest, ensure_ascii=False, indent=1).encode(), None)
        return {"datapackage": datapackage, "digest": digest, "warnings": warnings}


def title_line(title: str) -> str:
    return " ".join(title.split())


def _signature(key_path: Path | None, datapackage_hash: str) -> tuple[dict[str, Any], str | None]:
    if key_path is None or not key_path.exists():
        where = f" at {key_path}" if key_path else ""
        return ({"status": "not signed", "reason": f"no signing key{where}"},
                f"package NOT SIGNED: no signing key{where}; create one with `monitor evidence keygen` "
                "(or set MONITOR_SIGNING_KEY)")
    key = signing.load_private(key_path)  # SigningError names the file and the fix
    return {"status": "signed", **signing.sign(key, datapackage_hash)}, None


def _timestamp(url: str | None, ca: Path | None, data: bytes) -> tuple[dict[str, Any], str | None]:
    if not url:
        return (timestamp.not_timestamped("no time-stamping authority configured (MONITOR_TSA_URL)"),
                "package NOT TIMESTAMPED: no time-stamping authority configured; set MONITOR_TSA_URL to an "
                "RFC 3161 TSA")
    return timestamp.request_timestamp(url, data, ca=ca), None  # TimestampError: nothing half-done is kept


def _info(name: str, store: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED if store else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _resource(name: str, digest: str, size: int, describes: str | None) -> dict[str, Any]:
    entry = {"name": name.lower().replace("/", "-"), "path": name, "hash": "sha256:" + digest, "bytes": size}
    if describes:
        entry["description"] = describes
    return entry


def _write(z: zipfile.ZipFile, name: str, data: bytes, describes: str | None, *, store: bool = False):
    z.writestr(_info(name, store), data)
    return _resource(name, hashlib.sha256(data).hexdigest(), len(data), describes)


def _write_stream(z: zipfile.ZipFile, name: str, source, describes: str) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    with z.open(_info(name, True), "w", force_zip64=True) as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return _resource(name, digest.hexdigest(), size, describes)
