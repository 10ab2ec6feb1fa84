"""Small text helpers shared by the extractors: whitespace, Unicode form, HTML remnants."""

from __future__ import annotations

import re
import unicodedata

from w3lib.html import remove_tags, replace_entities

__all__ = ["clean_text", "strip_html"]

_WS = re.compile(r"\s+")
# Zero-width characters shops put into titles and prices (often to defeat scrapers).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_text(value: object) -> str | None:
    """NFKC-normalised text with whitespace collapsed, or None when nothing is left."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = unicodedata.normalize("NFKC", value)
    value = _INVISIBLE.sub("", value)
    value = _WS.sub(" ", value).strip()
    return value or None


def strip_html(value: str) -> str:
    """Plain text from a string that may hold markup or entities (JSON-LD descriptions do)."""
    if "<" in value and ">" in value:
        # Block ends become spaces so that words from two paragraphs do not run together.
        value = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d)\b[^>]*>", " ", value)
        value = remove_tags(value)
    if "&" in value:
        value = replace_entities(value)
    return value
