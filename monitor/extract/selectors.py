"""Apply a site profile's field selectors (CSS or XPath, with regex/all/join) to a page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from parsel import Selector, SelectorList

from monitor.extract.text import clean_text

__all__ = ["apply_selectors", "SelectorSpecError"]

# Fields holding links: relative values are resolved against the page URL.
URL_FIELDS = {"images", "seller_url", "url"}
# Fields that are lists even when the spec does not say `all: true`.
LIST_FIELDS = {"images"}
_URL_ATTRIBUTES = ("src", "data-src", "data-original", "data-lazy-src", "href", "content", "srcset")
_SKIP_TEXT = "not(ancestor-or-self::script) and not(ancestor-or-self::style)"


class SelectorSpecError(ValueError):
    """A field's selector spec is malformed (profile validation should have caught it)."""


def apply_selectors(selector_or_html: Selector | str, url: str, fields_spec: dict | None) -> dict[str, Any]:
    """Values of the profile's ``fields`` found on the page; fields that found nothing are left out.

    A spec is ``{css: ...}`` or ``{xpath: ...}`` with optional ``regex`` (first group kept),
    ``all: true`` (a list) or ``join: " "`` (all matches joined). ``attributes`` takes
    ``{rows, name, value}`` CSS (or ``rows_xpath``, ``name_xpath``, ``value_xpath``).
    A list of specs is tried in order until one finds something.
    """
    if not fields_spec:
        return {}
    sel = selector_or_html if isinstance(selector_or_html, Selector) else Selector(text=selector_or_html or "<html></html>")
    out: dict[str, Any] = {}
    for field, spec in fields_spec.items():
        for one in spec if isinstance(spec, list) else [spec]:
            value = _apply_one(sel, url, field, one)
            if value not in (None, "", [], {}):
                out[field] = value
                break
    return out


def _apply_one(sel: Selector, url: str, field: str, spec: Any) -> Any:
    if isinstance(spec, str):
        spec = {"css": spec}
    if not isinstance(spec, dict):
        raise SelectorSpecError(f"field {field!r}: a selector spec must be a mapping, got {type(spec).__name__}")
    if any(k in spec for k in ("rows", "rows_xpath")):
        return _attribute_rows(sel, field, spec)
    matches = _select(sel, field, spec, "css", "xpath")
    values = [_node_value(node, field) for node in matches]
    values = [v for v in values if v]
    pattern = spec.get("regex")
    if pattern:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise SelectorSpecError(f"field {field!r}: bad regex {pattern!r}: {exc}") from exc
        kept = []
        for value in values:
            match = regex.search(value)
            if match:
                kept.append(clean_text(match.group(1) if regex.groups else match.group(0)))
        values = [v for v in kept if v]
    if field in URL_FIELDS:
        values = [urljoin(url, v) for v in values if not v.startswith("data:")]
    if "join" in spec:
        return clean_text(str(spec["join"]).join(values)) if values else None
    if spec.get("all") or field in LIST_FIELDS:
        return list(dict.fromkeys(values))
    return values[0] if values else None


def _select(sel: Selector, field: str, spec: dict, css_key: str, xpath_key: str) -> SelectorList:
    has_css, has_xpath = css_key in spec, xpath_key in spec
    if has_css == has_xpath:
        raise SelectorSpecError(f"field {field!r}: give exactly one of {css_key!r} or {xpath_key!r}")
    expression = spec[css_key] if has_css else spec[xpath_key]
    try:
        return sel.css(expression) if has_css else sel.xpath(expression)
    except Exception as exc:  # parsel raises several types for bad expressions
        kind = "CSS" if has_css else "XPath"
        raise SelectorSpecError(f"field {field!r}: bad {kind} {expression!r}: {exc}") from exc


def _node_value(node: Selector, field: str) -> str | None:
    root = node.root
    if isinstance(root, str):  # ::text, ::attr(), text() and @attr results
        return clean_text(root)
    if not hasattr(root, "tag"):
        return clean_text(str(root))
    if field in URL_FIELDS:
        for attr in _URL_ATTRIBUTES:
            value = root.attrib.get(attr)
            if value and value.strip():
                if attr == "srcset":
                    value = value.split(",")[0].split()[0]
                return value.strip()
    if root.tag == "meta":
        return clean_text(root.attrib.get("content"))
    return clean_text(" ".join(node.xpath(f".//text()[{_SKIP_TEXT}]").getall()))


def _attribute_rows(sel: Selector, field: str, spec: dict) -> dict[str, str]:
    rows = _select(sel, field, {k: v for k, v in spec.items() if k in ("rows", "rows_xpath")}, "rows", "rows_xpath")
    out: dict[str, str] = {}
    for row in rows:
        name = _first(row, field, spec, "name", "name_xpath")
        value = _first(row, field, spec, "value", "value_xpath")
        if name and value is not None:
            # Labels often end in a colon ("Brand:"); the label itself is what analysts search.
            name = name.rstrip(":： ").strip()
            if name and name not in out:
                out[name] = value
    return out


def _first(row: Selector, field: str, spec: dict, css_key: str, xpath_key: str) -> str | None:
    matches = _select(row, field, {k: spec[k] for k in (css_key, xpath_key) if k in spec}, css_key, xpath_key)
    values = [_node_value(node, field) for node in matches]
    values = [v for v in values if v]
    return clean_text(" ".join(values)) if values else None
