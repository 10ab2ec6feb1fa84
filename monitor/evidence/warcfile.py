"""WARC files (ISO 28500, written with warcio): one per crawl run, one gzip member per record.

Each page becomes a ``request`` and a ``response`` record with the bytes as they came off the
wire (still content-encoded; warcio decodes on reading). Pages rendered in Chromium have no
original bytes to keep, so they become a ``resource`` record of the rendered HTML plus a
``metadata`` record with the navigation's status and headers and the screenshot's SHA-256;
the screenshot itself is a PNG file beside the WARC.

Digests are SHA-256 (warcio's default is SHA-1): ``WARC-Payload-Digest`` and
``WARC-Block-Digest`` as ``sha256:BASE32``, which ``warcio check`` verifies. The evidence
table keeps the payload's SHA-256 in hex, as ``sha256sum`` prints it. Every record is
``WARC/1.1``, as the warcinfo record's ``format`` says.

Closing a file seals it: the SHA-256 of the whole file (hashed as the bytes were written, so a
change made on disk during the run is not blessed), its size and record count go into the
store's custody log as a "seal" entry, and so does each screenshot written; an open file is
also sealed every ``SEAL_EVERY_SECONDS``, so a killed crawl leaves only its last records
unsealed (``monitor evidence seal`` seals those late). ``monitor evidence verify`` checks the
files against their seals.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import logging
import os
import socket
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from monitor import __version__
from monitor.evidence import custody
from monitor.listing import utc_now
from monitor.store.db import durable_transaction, open_db, private_dir, private_file

logger = logging.getLogger(__name__)

WARC_VERSION = "1.1"
# warcio reads a header line whatever its length; these bound what one record's headers may take
# (Twisted refuses HTTP header lines over 16 KiB, so no record the crawl kept comes near them).
MAX_HEADER_LINE = 1 << 20
MAX_HEADER_BYTES = 4 << 20
# While a WARC file is open it is sealed this often, so a killed crawl leaves little unsealed.
SEAL_EVERY_SECONDS = 300.0
_CHUNK = 1 << 20  # bytes read at a time when hashing a file: memory stays bounded

# Headers that describe the transfer rather than the bytes we keep: Scrapy has already
# removed the chunked framing, so a reader must not try to undo it again.
_TRANSFER_HEADERS = {"transfer-encoding"}
# A rendered page is decoded text: its navigation's encoding and length no longer apply.
_RENDERED_DROP = {"transfer-encoding", "content-encoding", "content-length"}


class Sha256WarcWriter(WARCWriter):
    """warcio's writer with SHA-256 digests instead of SHA-1 (SHA-1 is no longer collision-safe)."""

    def __init__(self, filebuf, *args, **kwargs):
        kwargs.setdefault("warc_version", WARC_VERSION)
        super().__init__(filebuf, *args, **kwargs)

    @staticmethod
    def _create_digester():
        return Digester("sha256")


class _HashingFile:
    """The WARC file as warcio writes to it (``write``/``flush``), hashing every byte on its way
    out, so the seal is the hash of what this process wrote, not of what is on disk at the end."""

    def __init__(self, file, digest, size: int):
        self._file = file
        self.digest = digest
        self.size = size

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._file.write(data)

    def flush(self) -> None:
        self._file.flush()

    def tell(self) -> int:
        return self.size

    def close(self) -> None:
        self._file.close()


@dataclass
class Sealed:
    """A finished evidence file, as sealed in the custody log."""

    relative: str
    sha256: str
    size: int
    records: int | None  # WARC records in the file; None for a plain file (or a damaged start)
    detail: dict[str, Any]


@dataclass
class Captured:
    """Where one record landed, for the evidence table."""

    kind: str
    url: str
    path: str  # relative to the evidence root
    record_id: str | None
    offset: int | None
    length: int
    sha256: str
    http_status: int | None
    content_type: str | None
    server_ip: str | None
    captured_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _header_pairs(headers) -> list[tuple[str, str]]:
    """Scrapy/Playwright headers as (name, value) text pairs, one per value."""
    pairs: list[tuple[str, str]] = []
    items = headers.items() if hasattr(headers, "items") else headers
    for name, values in items:
        name = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        if not isinstance(values, (list, tuple)):
            values = [values]
        for value in values:
            pairs.append((name, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return pairs


class RunWarc:
    """The WARC file of one crawl run, opened on the first record. ``stem`` names the file
    instead of the run (``monitor evidence capture`` writes ``capture-…`` files beside the runs').

    ``close`` seals the file and the screenshots written into the custody log of ``store`` (a
    database file or an open ``Database``), by default the store the root belongs to
    (``evidence_root(db_path)`` knows it); without a store nothing is sealed and ``monitor
    evidence verify`` reports the files as unknown to custody. While the file is open it is also
    sealed every ``seal_every`` seconds (after the record that passes the mark), so a crawl
    killed before closing its file leaves only its last minutes unsealed."""

    def __init__(self, root: Path, site: str, run_id: int | None, user_agent: str, stem: str | None = None, *,
                 store: Database | str | os.PathLike | None = None, actor: str = "crawler",
                 seal_every: float | None = SEAL_EVERY_SECONDS):
        self.root = root
        self.store = store if store is not None else getattr(root, "store", None)
        self.actor = actor
        self.seal_every = seal_every
        self._last_seal = 0.0
        self.run_id = run_id
        self._appended_to: dict[str, Any] | None = None
        self._shots_written: list[Sealed] = []
        if stem is None:
            stem = f"run-{run_id}" if run_id is not None else f"run-{utc_now().replace(':', '')}-{socket.gethostname()}"
        self.relative = f"warc/{site}/{stem}.warc.gz"
        self.shots = f"screenshots/{site}/{stem}"
        self.user_agent = user_agent
        self._file: _HashingFile | None = None
        self._writer: Sha256WarcWriter | None = None
        self.records = 0

    @property
    def path(self) -> Path:
        return self.root / self.relative

    def _open(self) -> Sha256WarcWriter:
        if self._writer is None:
            # Evidence quotes shops and sellers: the store's owner alone reads it (the root's mode
            # guards the folders made under it).
            private_dir(self.root)
            private_dir(self.path.parent)
            private_file(self.path)
            # Append: a crawl resumed under the same run id adds records, never truncates. The
            # bytes already there are hashed first, so the seal covers the whole file.
            raw = open(self.path, "ab")
            digest, size = hashlib.sha256(), raw.tell()
            if size:
                self._appended_to = _existing(self.path, size, digest)
            self._file = _HashingFile(raw, digest, size)
            self._last_seal = time.monotonic()
            self._writer = Sha256WarcWriter(self._file, gzip=True)
            info = {"software": f"listing-monitor/{__version__} (warcio)", "format": "WARC File Format 1.1",
                    "http-header-user-agent": self.user_agent, "robots": "obey",
                    "hostname": socket.gethostname(), "isPartOf": self.relative}
            self._write(self._writer.create_warcinfo_record(self.path.name, info))
        return self._writer

    def _write(self, record) -> tuple[int, int]:
        start = self._file.tell()
        self._writer.write_record(record)
        self._file.flush()
        self.records += 1
        if (self.store is not None and self.seal_every is not None
                and time.monotonic() - self._last_seal >= self.seal_every):
            self._checkpoint()
        return start, self._file.tell() - start

    def _checkpoint(self) -> None:
        """Seal the file as written so far (and the screenshots since the last seal). A failure is
        logged, not raised: the crawl goes on, and closing the file seals it all."""
        self._last_seal = time.monotonic()
        try:
            _record_seals(self.store, self.actor, [self._seal_of_file(open_=True), *self._shots_written])
        except Exception as exc:  # noqa: BLE001 - a locked or full store must not stop the crawl
            logger.error("%s", exc)
            return
        self._shots_written = []

    def _seal_of_file(self, *, open_: bool) -> Sealed:
        before = self._appended_to
        if before is None:
            records: int | None = self.records
        else:
            records = None if before["records"] is None else before["records"] + self.records
        detail: dict[str, Any] = {"kind": "warc", "run": self.run_id, "records_written": self.records}
        if open_:
            detail["open"] = True  # a checkpoint: the file was still being written
        if before:
            detail["appended_to"] = before
        return Sealed(self.relative, self._file.digest.copy().hexdigest(), self._file.size, records, detail)

    def write_exchange(self, *, url: str, method: str, request_headers, request_body: bytes, status: int,
                       reason: str, protocol: str, response_headers, body: bytes, server_ip: str | None) -> Captured:
        """A fetched page: request and response records, bytes as received."""
        writer = self._open()
        now = warc_date = utc_now()
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_pairs = _header_pairs(request_headers)
        if not any(n.lower() == "host" for n, _ in req_pairs):
            req_pairs.insert(0, ("Host", parts.netloc))
        resp_pairs = [(n, v) for n, v in _header_pairs(response_headers) if n.lower() not in _TRANSFER_HEADERS]
        content_type = next((v for n, v in resp_pairs if n.lower() == "content-type"), None)
        digest = hashlib.sha256(body)
        # One hash of the body serves both the table (hex) and the record's payload digest
        # (base32), so warcio only hashes the block; the length spares it a spool file.
        extra = {"WARC-Date": warc_date, "WARC-Payload-Digest": "sha256:" + base64.b32encode(digest.digest()).decode()}
        if server_ip:
            extra["WARC-IP-Address"] = server_ip
        response = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=StatusAndHeaders(f"{status} {reason}".strip(), resp_pairs, protocol=protocol or "HTTP/1.1"),
            warc_headers_dict=extra)
        request = writer.create_warc_record(
            url, "request", payload=io.BytesIO(request_body or b""), length=len(request_body or b""),
            http_headers=StatusAndHeaders(f"{method} {target} HTTP/1.1", req_pairs, is_http_request=True),
            warc_headers_dict={"WARC-Date": warc_date,
                               "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
        offset, length = self._write(response)
        self._write(request)
        return Captured(kind="response", url=url, path=self.relative,
                        record_id=response.rec_headers.get_header("WARC-Record-ID"), offset=offset, length=length,
                        sha256=digest.hexdigest(), http_status=status, content_type=content_type,
                        server_ip=server_ip, captured_at=now)

    def write_rendered(self, *, url: str, html: bytes, status: int | None, response_headers,
                       server_ip: str | None, screenshot: bytes | None, browser: str | None) -> list[Captured]:
        """A page rendered in Chromium: the rendered HTML, its navigation metadata, and the
        full-page screenshot as a PNG file tied to the record by its hash."""
        writer = self._open()
        now = utc_now()
        extra = {"WARC-Date": now}
        if server_ip:
            extra["WARC-IP-Address"] = server_ip
        rendered = writer.create_warc_record(url, "resource", payload=io.BytesIO(html), length=len(html),
                                             warc_content_type="text/html; charset=utf-8", warc_headers_dict=extra)
        record_id = rendered.rec_headers.get_header("WARC-Record-ID")
        captured = []
        shot_sha = hashlib.sha256(screenshot).hexdigest() if screenshot else None
        shot_rel = f"{self.shots}/{shot_sha}.png" if screenshot else None
        meta = {"note": "rendered in a browser: the resource record is the page's HTML after scripts ran",
                "navigation_status": status,
                "navigation_headers": [[n, v] for n, v in _header_pairs(response_headers or {})
                                       if n.lower() not in _RENDERED_DROP],
                "browser": browser, "user_agent": self.user_agent,
                "screenshot": {"path": shot_rel, "sha256": shot_sha} if screenshot else None}
        meta_bytes = json.dumps(meta, ensure_ascii=False, indent=1).encode()
        metadata = writer.create_warc_record(url, "metadata", payload=io.BytesIO(meta_bytes), length=len(meta_bytes),
                                             warc_content_type="application/json",
                                             warc_headers_dict={"WARC-Date": now, "WARC-Concurrent-To": record_id})
        offset, length = self._write(rendered)
        self._write(metadata)
        content_type = next((v for n, v in _header_pairs(response_headers or {}) if n.lower() == "content-type"), None)
        captured.append(Captured(kind="rendered", url=url, path=self.relative, record_id=record_id, offset=offset,
                                 length=length, sha256=hashlib.sha256(html).hexdigest(), http_status=status,
                                 content_type=content_type or "text/html", server_ip=server_ip, captured_at=now))
        if screenshot:
            path = self.root / shot_rel
            private_dir(self.root)
            private_dir(path.parent)
            if not path.exists():
                private_file(path).write_bytes(screenshot)
                self._shots_written.append(Sealed(shot_rel, shot_sha, len(screenshot), None,
                                                  {"kind": "screenshot", "run": self.run_id}))
            captured.append(Captured(kind="screenshot", url=url, path=shot_rel, record_id=None, offset=None,
                                     length=len(screenshot), sha256=shot_sha, http_status=status,
                                     content_type="image/png", server_ip=server_ip, captured_at=now))
        return captured

    def close(self) -> list[Sealed]:
        """Close the file and seal it (and the screenshots written) in the custody log; returns
        the seals. A seal that cannot be recorded raises, after the file is closed."""
        sealed = list(self._shots_written)
        if self._file is not None:
            self._file.close()
            sealed.insert(0, self._seal_of_file(open_=False))
            # A later record opens the file again, appending, as a resumed run does.
            self._file, self._writer, self._appended_to, self.records = None, None, None, 0
        self._shots_written = []
        if sealed and self.store is not None:
            _record_seals(self.store, self.actor, sealed)
        return sealed


def _existing(path: Path, size: int, digest) -> dict[str, Any]:
    """The file as it was before appending: hash it into ``digest`` and count its records (None
    when they cannot be read: a crawl killed mid-record leaves a torn last record)."""
    with open(path, "rb") as f:
        while len(chunk := f.read(min(_CHUNK, size - f.tell()))):
            digest.update(chunk)
    try:
        with open(path, "rb") as f:
            it = ArchiveIterator(f)
            guard = HeaderGuard(it.reader)
            records = 0
            for _ in it:
                records, guard.used = records + 1, 0
    except Exception:  # noqa: BLE001 - a damaged file is still appended to; the seal says its records are unknown
        records = None
    return {"size": size, "sha256": digest.copy().hexdigest(), "records": records}


def _record_seals(store, actor: str, sealed: list[Sealed]) -> None:
    db = store if isinstance(store, Database) else open_db(store, migrate=False)
    try:
        with durable_transaction(db):
            for s in sealed:
                custody.seal(db, actor=actor, relative=s.relative, sha256=s.sha256, size=s.size,
                             records=s.records, detail=s.detail)
    except Exception as exc:
        names = ", ".join(s.relative for s in sealed)
        raise RuntimeError(f"evidence files closed but not sealed in the custody log ({names}): "
                           f"{type(exc).__name__}: {exc}. `monitor evidence verify` will report them "
                           "as unknown to custody") from exc
    finally:
        if db is not store:
            db.close()


class HeaderGuard:
    """Caps each ``readline`` of warcio's reader (``reader.readline`` is replaced by this): warcio
    would read a damaged or forged "header line" of a gigabyte into memory. ``used`` counts the
    header bytes since the caller last reset it (once per record)."""

    def __init__(self, reader):
        self._readline = reader.readline
        self.used = 0
        reader.readline = self

    def __call__(self, length=None):
        capped = length is None or length < 0 or length > MAX_HEADER_LINE
        line = self._readline(MAX_HEADER_LINE if capped else length)
        self.used += len(line)
        if capped and len(line) >= MAX_HEADER_LINE and not line.endswith(b"\n"):
            raise ValueError(f"a header line longer than {MAX_HEADER_LINE >> 20} MiB")
        if self.used > MAX_HEADER_BYTES:
            raise ValueError(f"headers of more than {MAX_HEADER_BYTES >> 20} MiB in one record")
        return line


@dataclass
class StoredRecord:
    record_type: str
    url: str
    headers: list[tuple[str, str]]  # HTTP headers of a response record; [] for resources
    status: int | None
    content: bytes  # the payload, content-encoding undone
    raw_payload_sha256: str  # SHA-256 of the payload as stored (before decoding)


def read_record(path: Path, offset: int) -> StoredRecord:
    """The record at ``offset`` (each record is its own gzip member, so reading starts there)."""
    with open(path, "rb") as f:
        f.seek(offset)
        it = ArchiveIterator(f)
        HeaderGuard(it.reader)
        for record in it:
            headers = record.http_headers.headers if record.http_headers else []
            status = int(record.http_headers.get_statuscode()) if record.rec_type == "response" else None
            raw = record.raw_stream.read()
            encoding = next((v.lower() for n, v in headers if n.lower() == "content-encoding"), "")
            content = _decode(raw, encoding)
            return StoredRecord(record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), list(headers),
                                status, content, hashlib.sha256(raw).hexdigest())
    raise ValueError(f"no WARC record at offset {offset} of {path}")


def _decode(raw: bytes, encoding: str) -> bytes:
    """Undo a content-encoding for display; the stored bytes stay as they came."""
    try:
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(raw)
        if encoding == "deflate":
            try:
                return zlib.decompress(raw)
            except zlib.error:
                return zlib.decompress(raw, -zlib.MAX_WBITS)
        if encoding == "br":
            # lazy: brotli is Scrapy's optional dependency, present when Scrapy could decode br
            import brotli

            return brotli.decompress(raw)
    except Exception:  # noqa: BLE001 - a damaged body is shown as stored, never crashes the page
        return raw
    return raw
