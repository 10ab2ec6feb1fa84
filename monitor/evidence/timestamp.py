"""RFC 3161 timestamps of a package's digest, from the time-stamping authority at ``MONITOR_TSA_URL``.

The message imprint is the SHA-256 of the package's ``datapackage.json`` (which lists the hash
of every file in it), so the token proves that exactly this content existed at the TSA's
``genTime``. The whole TimeStampResp (DER, base64) is kept in ``datapackage-digest.json``;
``openssl ts -verify -digest <hex> -in <reply> -CAfile <ca>`` checks it as well as
:func:`check` does.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cryptography.x509
from rfc3161_client import (HashAlgorithm, PKIStatus, TimestampRequestBuilder, VerificationError,
                            VerifierBuilder, decode_timestamp_response)

from monitor import __version__

TIMEOUT = 30
MAX_REPLY = 1 << 20  # a TimeStampResp is a few KiB; a TSA sending more is not one


class TimestampError(RuntimeError):
    pass


def _gen_time(response) -> str:
    return response.tst_info.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ")


def load_ca(path: Path) -> list[cryptography.x509.Certificate]:
    try:
        certs = cryptography.x509.load_pem_x509_certificates(Path(path).read_bytes())
    except OSError as exc:
        raise TimestampError(f"cannot read the TSA CA bundle {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise TimestampError(f"{path} is not a PEM file of certificates ({exc})") from None
    return certs


def request_timestamp(url: str, data: bytes, *, ca: Path | None = None, timeout: float = TIMEOUT) -> dict[str, Any]:
    """Ask the TSA at ``url`` for a timestamp of SHA-256(``data``); returns the ``timestamp``
    object for ``datapackage-digest.json``. Raises :class:`TimestampError` saying what failed."""
    request = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).nonce(nonce=True) \
        .cert_request(cert_request=True).build()
    http = urllib.request.Request(url, data=request.as_bytes(), method="POST",
                                  headers={"Content-Type": "application/timestamp-query",
                                           "User-Agent": f"listing-monitor/{__version__}"})
    try:
        with urllib.request.urlopen(http, timeout=timeout) as reply:  # noqa: S310 - the operator's configured TSA
            body = reply.read(MAX_REPLY + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TimestampError(f"the TSA at {url} did not answer ({exc}); check MONITOR_TSA_URL") from None
    if len(body) > MAX_REPLY:
        raise TimestampError(f"the TSA at {url} sent more than {MAX_REPLY} bytes: not a timestamp reply")
    try:
        response = decode_timestamp_response(body)
    except ValueError as exc:
        if "InvalidSetOrdering" in str(exc):
            raise TimestampError(f"the TSA at {url} sent its certificates in an order DER forbids (their SET is not "
                                 "sorted), which the RFC 3161 reader refuses; configure the TSA to send only its own "
                                 "certificate (OpenSSL: no `certs` line in its tsa section), or use another TSA") \
                from None
        raise TimestampError(f"the TSA at {url} sent something that is not an RFC 3161 reply ({exc})") from None
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(f"the TSA at {url} refused: status {response.status} {response.status_string}")
    if response.tst_info.nonce != request.nonce:
        raise TimestampError(f"the TSA at {url} answered another request (nonce differs)")
    found = check(base64.b64encode(body).decode(), hashlib.sha256(data).hexdigest(), ca=ca)
    if not found.ok:
        raise TimestampError(f"the TSA at {url} sent a token that does not check: {found.problem}")
    return {"status": "timestamped", "standard": "RFC 3161", "tsa": url, "hash_algorithm": "sha256",
            "imprint": hashlib.sha256(data).hexdigest(), "gen_time": _gen_time(response),
            "serial": str(response.tst_info.serial_number), "response": base64.b64encode(body).decode()}


def not_timestamped(reason: str) -> dict[str, Any]:
    return {"status": "not timestamped", "reason": reason}


@dataclass
class TimestampCheck:
    ok: bool
    gen_time: str | None = None
    chain_checked: bool = False
    problem: str | None = None


def check(response_b64: str, digest_hex: str, *, ca: Path | None = None) -> TimestampCheck:
    """The token's imprint against ``digest_hex`` (SHA-256 of datapackage.json), its status, and,
    with ``ca``, its signature and the TSA certificate's chain (at genTime) and timeStamping EKU."""
    try:
        body = base64.b64decode(response_b64, validate=True)
        response = decode_timestamp_response(body)
    except (ValueError, TypeError) as exc:
        return TimestampCheck(False, problem=f"the timestamp token cannot be read ({exc})")
    gen_time = _gen_time(response)
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        return TimestampCheck(False, gen_time, problem=f"the timestamp reply's status is {response.status}, not granted")
    imprint = response.tst_info.message_imprint
    if imprint.hash_algorithm.dotted_string != "2.16.840.1.101.3.4.2.1" or imprint.message.hex() != digest_hex:
        return TimestampCheck(False, gen_time, problem="the timestamp is over another digest than this "
                                                       "datapackage.json's SHA-256 (it belongs to other content)")
    if ca is None:
        return TimestampCheck(True, gen_time, chain_checked=False)
    try:
        roots = load_ca(ca)
    except TimestampError as exc:
        return TimestampCheck(False, gen_time, problem=str(exc))
    builder = VerifierBuilder()
    for cert in roots:
        builder = builder.add_root_certificate(cert)
    try:
        builder.build().verify(response, bytes.fromhex(digest_hex))
    except (VerificationError, ValueError) as exc:
        return TimestampCheck(False, gen_time, problem=f"the timestamp token does not check against the TSA CA "
                                                       f"bundle {ca}: {exc}")
    return TimestampCheck(True, gen_time, chain_checked=True)
