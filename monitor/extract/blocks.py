"""A page's structured-data blocks, as parsed JSON values: JSON-LD, parsed one script at a
time so that one broken block does not hide the others, and microdata (through extruct).
:mod:`monitor.extract.structured` reads listing fields from them."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from parsel import Selector

log = logging.getLogger(__name__)


_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--|-->|<!\[CDATA\[|\]\]>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _loads_lenient(text: str) -> list[Any]:
    """All JSON values in a script body; repairs the usual breakage, gives up silently."""
    text = text.strip()
    if not text:
        return []
    attempts = [text]
    repaired = _HTML_COMMENT.sub("", text)
    repaired = _BLOCK_COMMENT.sub("", _LINE_COMMENT.sub("", repaired))
    repaired = _TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", repaired)).strip().rstrip(";")
    attempts.append(repaired)
    for candidate in attempts:
        try:
            return [json.loads(candidate, strict=False)]
        except (ValueError, RecursionError):
            pass
    # Several objects glued together, or garbage after the first one.
    values: list[Any] = []
    decoder = json.JSONDecoder(strict=False)
    pos = 0
    while pos < len(repaired):
        start = repaired.find("{", pos)
        start_list = repaired.find("[", pos)
        if start < 0 or (0 <= start_list < start):
            start = start_list
        if start < 0:
            break
        try:
            value, end = decoder.raw_decode(repaired, start)
        except (ValueError, RecursionError):
            pos = start + 1
            continue
        values.append(value)
        pos = end
    return values


def jsonld_items(sel: Selector) -> list[Any]:
    items: list[Any] = []
    for body in sel.xpath(
        "//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]/text()"
    ).getall():
        items.extend(_loads_lenient(body))
    return items


def microdata_items(sel: Selector, url: str) -> list[Any]:
    try:
        # lazy: extruct takes ≈ 0.4 s to import; only pages being extracted need it
        from extruct.uniform import _umicrodata_microformat
        from extruct.w3cmicrodata import MicrodataExtractor

        raw = MicrodataExtractor().extract_items(sel.root, url)
        return _umicrodata_microformat(raw, schema_context="http://schema.org")
    except Exception:  # extruct on hostile markup: structured data is a bonus, never fatal
        log.debug("microdata extraction failed for %s", url, exc_info=True)
        return []
