"""Deterministic numbers for the demo data: hashes of the parts, never a clock or global randomness,
so a test, a benchmark and ``monitor demo`` see the same shops; and identifiers in the formats the
rule checks read (``rules/checks/*.yaml``)."""

from __future__ import annotations

import hashlib
from typing import Any


def uniform(*parts: Any) -> float:
    """A deterministic uniform number in [0, 1) from the parts."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def digits(n: int, *parts: Any) -> str:
    out = ""
    i = 0
    while len(out) < n:
        out += hashlib.blake2b(f"{'|'.join(map(str, parts))}|{i}".encode(), digest_size=16).hexdigest()
        out = "".join(c for c in out if c.isdigit())
        i += 1
    return out[:n]


def pesticide_label_code(registration: str, consistent: bool = True) -> str:
    """The 32-digit label QR code: kind digit, last six digits of the registration, 1-3, rest."""
    kind = {"PD": "1", "WP": "2"}.get(registration[:2], "3")
    six = registration[-6:]
    if not consistent:
        six = digits(6, "wrong", registration)
        if six == registration[-6:]:
            six = six[::-1] if six[::-1] != six else "135790"
    eighth = "123"[int(uniform("label8", registration) * 3)]
    return kind + six + eighth + digits(24, "label", registration)


def gtin13(*parts: Any) -> str:
    body = "69" + digits(10, "gtin", *parts)
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)
