"""Every record of a WARC stream checked against its own digests, in bounded memory.

``check_warc(stream)`` reads a ``.warc.gz`` (any number of gzip members) or a plain ``.warc``
from any file object, once, front to back, and recomputes each record's
``WARC-Block-Digest`` and ``WARC-Payload-Digest`` (sha1, sha256, sha512 or md5; base32 as
warcio writes them, or hex). It never holds more than one chunk of a record: header lines and
header blocks have a size limit, and the unpacked bytes are counted against ``Limits``
(total size, records, and unpacked size over packed size), so a gzip bomb is refused after
its first megabytes instead of filling memory. warcio itself cannot promise this (its reader
reads a header line whatever its length).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from dataclasses import dataclass, field

CHUNK = 1 << 16
MAX_LINE = 1 << 16  # one WARC or HTTP header line
MAX_HEADER = 1 << 18  # a whole header block
_ALGORITHMS = {"sha1": "sha1", "sha256": "sha256", "sha512": "sha512", "md5": "md5"}


class LimitExceeded(ValueError):
    """The stream is larger, or unpacks further, than the limits allow: refused, not read on."""


class WarcFormatError(ValueError):
    """The stream is not a readable WARC at some point."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 4096 << 20  # unpacked bytes in all
    max_records: int = 100_000
    max_ratio: int = 200  # unpacked / packed
    packed_size: int | None = None  # the stream's own size, for the ratio
    ratio_floor: int = 1 << 20  # below this much unpacked, ratios mean nothing


@dataclass
class WarcCheck:
    records: int = 0
    problems: list[str] = field(default_factory=list)
    undigested: int = 0  # records that carry no block digest to check


class _Reader:
    """Unpacked bytes of the stream, counted against the limits, with bounded ``readline``."""

    def __init__(self, raw, limits: Limits, name: str):
        self.raw, self.limits, self.name = raw, limits, name
        self.buf = bytearray()
        self.pending = b""
        self.unpacked = 0
        head = raw.read(2)
        self.gzip = head == b"\x1f\x8b"
        self.pending = head
        self.inflate = zlib.decompressobj(31) if self.gzip else None
        self.in_member = False

    def _count(self, n: int) -> None:
        self.unpacked += n
        lim = self.limits
        if self.unpacked > lim.max_bytes:
            raise LimitExceeded(f"{self.name} unpacks to more than {lim.max_bytes >> 20} MiB (the limit, "
                                "MONITOR_PACKAGE_MAX_ENTRY_MB): refused")
        if lim.packed_size is not None and self.unpacked > lim.ratio_floor and \
                self.unpacked > lim.max_ratio * max(lim.packed_size, 1):
            raise LimitExceeded(f"{self.name} unpacks to more than {lim.max_ratio} times its packed size of "
                                f"{lim.packed_size} bytes (a decompression bomb; limit MONITOR_PACKAGE_MAX_RATIO): "
                                "refused")

    def _more(self) -> bool:
        """Unpack the next chunk into the buffer; False at the clean end of the stream."""
        while True:
            if not self.gzip:
                data = self.pending or self.raw.read(CHUNK)
                self.pending = b""
                if not data:
                    return False
            elif self.inflate.unconsumed_tail:
                data = self.inflate.decompress(self.inflate.unconsumed_tail, CHUNK)
            else:
                feed = self.pending or self.raw.read(CHUNK)
                self.pending = b""
                if not feed:
                    if self.in_member:
                        raise WarcFormatError(f"{self.name}: the last gzip member is cut short")
                    return False
                self.in_member = True
                try:
                    data = self.inflate.decompress(feed, CHUNK)
                except zlib.error as exc:
                    raise WarcFormatError(f"{self.name}: damaged gzip data ({exc})") from None
            if self.gzip and self.inflate.eof:
                self.pending = self.inflate.unused_data + self.pending
                self.inflate = zlib.decompressobj(31)
                self.in_member = False
            if data:
                self._count(len(data))
                self.buf += data
                return True

    def readline(self, limit: int = MAX_LINE) -> bytes:
        while True:
            end = self.buf.find(b"\n", 0, limit)
            if end >= 0:
                line = bytes(self.buf[: end + 1])
                del self.buf[: end + 1]
                return line
            if len(self.buf) >= limit:
                raise WarcFormatError(f"{self.name}: a header line longer than {limit} bytes")
            if not self._more():
                line = bytes(self.buf)
                self.buf.clear()
                return line

    def read(self, n: int) -> bytes:
        while len(self.buf) < n and self._more():
            pass
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data


def _digester(value: str | None):
    """(hash object, expected raw digest) for a WARC digest header, or None when absent or unknown."""
    if not value or ":" not in value:
        return None
    algorithm, _, encoded = value.strip().partition(":")
    name = _ALGORITHMS.get(algorithm.lower())
    if name is None:
        return None
    size = hashlib.new(name).digest_size
    encoded = encoded.strip()
    try:
        if len(encoded) == size * 2:
            expected = bytes.fromhex(encoded)
        else:
            expected = base64.b32decode(encoded.upper() + "=" * (-len(encoded) % 8))
    except (ValueError, binascii.Error):
        expected = b""
    return hashlib.new(name), expected


def _headers(reader: _Reader) -> dict[str, str] | None:
    """One record's WARC headers (names lower-cased), or None at the end of the stream."""
    line = reader.readline()
    while line in (b"\r\n", b"\n"):
        line = reader.readline()
    if not line:
        return None
    if not line.startswith(b"WARC/"):
        raise WarcFormatError(f"{reader.name}: expected a WARC record, found {line[:40]!r}")
    headers, size = {}, len(line)
    while True:
        line = reader.readline()
        size += len(line)
        if size > MAX_HEADER:
            raise WarcFormatError(f"{reader.name}: a WARC header block larger than {MAX_HEADER} bytes")
        if line in (b"\r\n", b"\n"):
            return headers
        if not line:
            raise WarcFormatError(f"{reader.name}: the stream ends inside a WARC header")
        name, sep, value = line.decode("utf-8", "replace").partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()


def check_warc(raw, name: str, limits: Limits = Limits()) -> WarcCheck:
    """Read the WARC in ``raw`` and check every record's digests. Raises :class:`LimitExceeded`
    (stop: refused) or :class:`WarcFormatError` (stop: unreadable from there)."""
    reader = _Reader(raw, limits, name)
    result = WarcCheck()
    while (headers := _headers(reader)) is not None:
        result.records += 1
        if result.records > limits.max_records:
            raise LimitExceeded(f"{name} holds more than {limits.max_records} records (the limit, "
                                "MONITOR_PACKAGE_MAX_ENTRIES): refused")
        where = (f"{name} record {result.records} ({headers.get('warc-type', '?')} "
                 f"{headers.get('warc-target-uri', '')} {headers.get('warc-record-id', '')})").replace("  ", " ")
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            raise WarcFormatError(f"{where}: no valid Content-Length") from None
        if length < 0 or length > limits.max_bytes:
            raise LimitExceeded(f"{where}: declares {length} bytes, over the limit of {limits.max_bytes >> 20} MiB")
        block = _digester(headers.get("warc-block-digest"))
        http = headers.get("content-type", "").startswith("application/http") and \
            headers.get("warc-type") in ("response", "request")
        payload = _digester(headers.get("warc-payload-digest")) if headers.get("warc-type") != "revisit" else None
        if block is None:
            result.undigested += 1
        head, in_body, left = bytearray(), not http, length
        while left:
            chunk = reader.read(min(CHUNK, left))
            if not chunk:
                raise WarcFormatError(f"{where}: the record is cut short ({left} of {length} bytes missing)")
            left -= len(chunk)
            if block:
                block[0].update(chunk)
            if payload is None:
                continue
            if in_body:
                payload[0].update(chunk)
                continue
            head += chunk
            end = head.find(b"\r\n\r\n")
            if end >= 0:
                payload[0].update(head[end + 4:])
                in_body, head = True, bytearray()
            elif len(head) > MAX_HEADER:
                raise WarcFormatError(f"{where}: an HTTP header block larger than {MAX_HEADER} bytes")
        if block and block[0].digest() != block[1]:
            result.problems.append(f"{where}: WARC-Block-Digest does not match the record (it was changed)")
        if payload and (in_body or not http) and payload[0].digest() != payload[1]:
            result.problems.append(f"{where}: WARC-Payload-Digest does not match the payload (it was changed)")
        if reader.read(4) not in (b"\r\n\r\n",):
            raise WarcFormatError(f"{where}: the record does not end where its Content-Length says")
    return result
