"""The one URL sanitiser: a scraped URL made safe to link to or to print.

Listing, seller and image URLs are written by the people the monitor watches. A link in the
review app must never run script (``javascript:``, ``data:``) or lead somewhere relative, and a
URL printed in a takedown notice must not hide control or bidirectional-override characters.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

MAX_URL_LENGTH = 2000
# Kept as they are in the path; everything else (non-ASCII, bidi overrides included) is
# percent-encoded.
_SAFE = "/:@!$&'()*+,;=%~-._"


def safe_http_url(url: Any) -> str | None:
    """An absolute http(s) URL as printable ASCII (the host in IDNA, the rest percent-encoded),
    or None for anything else: another scheme (javascript:, data:), a relative URL, no host, a
    control character or white space inside, an unreadable host, more than MAX_URL_LENGTH
    characters."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    try:
        host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    except UnicodeError:
        return None
    if not host:
        return None
    if ":" in host:  # an IPv6 literal: urlsplit gives it without the brackets a URL needs
        try:
            host = f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            return None
    netloc = host + (f":{port}" if port else "")
    path = quote(parts.path, safe=_SAFE)
    query = quote(parts.query, safe=_SAFE + "?")
    fragment = quote(parts.fragment, safe=_SAFE + "?")
    text = f"{parts.scheme.lower()}://{netloc}{path}" + (f"?{query}" if parts.query else "") + \
        (f"#{fragment}" if parts.fragment else "")
    return text if len(text) <= MAX_URL_LENGTH else None


def http_link(url: Any) -> str | None:
    """The URL as given (trimmed), to link to from an HTML page that escapes it, when
    ``safe_http_url`` accepts it; else None. The page shows the address the seller wrote, and
    the browser encodes it the same way ``safe_http_url`` would."""
    return url.strip() if safe_http_url(url) is not None else None


# Query parameters that say where a link was shared from, not which page it is: Alibaba's
# spm/scm and share parameters (Taobao, Tmall, 1688 links carry them), Google Analytics'
# utm_*, ad click ids. Compared lower-case; utm_ is a prefix.
TRACKING_PARAMS = frozenset({"spm", "scm", "pvid", "ali_trackid", "ut_sk", "share_crt_v", "sharefrom", "gclid",
                             "fbclid"})


def strip_tracking(url: str) -> str:
    """``url`` without its tracking query parameters (TRACKING_PARAMS, utm_*); the others kept
    in their order, the fragment kept."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_")]
    return url if len(kept) == len(pairs) else urlunsplit(parts._replace(query=urlencode(kept)))
