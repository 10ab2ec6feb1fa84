"""One product page in, Listing fields out: structured data, then profile selectors, then normalisation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from w3lib.encoding import html_to_unicode

from monitor.extract.prices import currency_code, parse_price
from monitor.extract.sales import parse_sales_count
from monitor.extract.selectors import apply_selectors
from monitor.extract.structured import availability_value, make_selector, structured_from_selector
from monitor.extract.text import clean_text, strip_html
from monitor.listing import LISTING_FIELDS

__all__ = ["extract_listing", "decode_html"]

# The caller knows these better than the page does.
_CALLER_FIELDS = {"site", "listing_id", "url", "http_status", "observed_at"}
_OUTPUT_FIELDS = tuple(f for f in LISTING_FIELDS if f not in _CALLER_FIELDS)
_TEXT_FIELDS = (
    "title",
    "description",
    "brand",
    "category",
    "seller_id",
    "seller_name",
    "seller_location",
    "sku",
    "mpn",
    "gtin",
    "currency_raw",
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def decode_html(html: str | bytes) -> str:
    """Text of a page given as bytes, honouring a BOM or meta charset (UTF-8 otherwise)."""
    if isinstance(html, str):
        return html
    _, text = html_to_unicode(None, html)
    return text


def extract_listing(
    html: str | bytes,
    url: str,
    *,
    fields: dict | None = None,
    number_format: dict | None = None,
) -> dict[str, Any]:
    """Listing fields of the product page ``html`` at ``url``.

    ``fields`` are the profile's selectors; each one that finds something replaces the
    structured-data value of that field. ``number_format`` is the profile's
    ``{decimal: "." | ",", currency: "CNY"}``. The result holds only Listing field names,
    without ``site``, ``listing_id`` and ``url``, which the caller adds.
    """
    number_format = number_format or {}
    decimal = number_format.get("decimal")
    default_currency = number_format.get("currency")
    sel = make_selector(decode_html(html))
    data = structured_from_selector(sel, url, no_guess=frozenset(fields or ()))
    overrides = apply_selectors(sel, url, fields) if fields else {}
    if "price" in overrides:
        # A selector's price brings its own currency (or none); the structured one no longer applies.
        data.pop("currency_raw", None)
        data.pop("currency", None)
    data.update(overrides)
    return normalise(data, url, decimal_separator=decimal, default_currency=default_currency)


def normalise(
    data: dict[str, Any],
    url: str,
    *,
    decimal_separator: str | None = None,
    default_currency: str | None = None,
) -> dict[str, Any]:
    """Listing-shaped values: clean text, parsed price and currency, absolute unique images."""
    out: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = data.get(name)
        if isinstance(value, list):
            value = " ".join(str(v) for v in value if v is not None)
        if value is not None:
            value = clean_text(strip_html(str(value)) if name == "description" else value)
        out[name] = value

    out["price"], out["currency"], out["currency_raw"] = _price_and_currency(
        data, out.get("currency_raw"), decimal_separator=decimal_separator, default_currency=default_currency)
    availability = data.get("availability")
    out["availability"] = availability_value(availability) if availability else None
    out["seller_url"] = _absolute(data.get("seller_url"), url)
    out["seller_rating"] = _rating(data.get("seller_rating"))
    out["seller_rating_count"] = _count(data.get("seller_rating_count"))
    sales = data.get("sales_count")
    out["sales_count"] = parse_sales_count(sales[0] if isinstance(sales, list) and sales else sales)
    out["images"] = _images(data.get("images"), url)
    out["attributes"] = _attributes(data.get("attributes"))
    return {name: out.get(name) if name not in ("images", "attributes") else out[name] for name in _OUTPUT_FIELDS}


def _price_and_currency(data: dict[str, Any], raw: str | None, *, decimal_separator: str | None,
                        default_currency: str | None) -> tuple[float | None, str | None, str | None]:
    """The price as a number, its ISO currency and the currency as the page wrote it. A price
    text's own currency wins over the structured one; the profile's currency fills a gap."""
    price = data.get("price")
    currency = data.get("currency") if isinstance(data.get("currency"), str) else None
    if isinstance(price, list):
        price = price[0] if price else None
    if isinstance(price, str):
        parsed = parse_price(price, decimal_separator=decimal_separator, default_currency=default_currency)
        price = parsed.amount
        if parsed.currency_raw:
            raw = parsed.currency_raw
            currency = None
    elif isinstance(price, bool) or not isinstance(price, (int, float)):
        price = None
    price = float(price) if price is not None else None
    if raw:
        currency = currency_code(raw, default_currency) or (
            clean_text(currency).upper() if currency and len(currency.strip()) == 3 else None
        )
    elif currency:
        raw = clean_text(currency)
        currency = currency_code(currency, default_currency)
    if currency is None and price is not None and default_currency:
        currency = default_currency.upper()
    return price, currency, clean_text(raw)


def _images(images: Any, url: str) -> list[str]:
    """Absolute image URLs, each once, in page order."""
    images = images or []
    if isinstance(images, str):
        images = [images]
    return list(dict.fromkeys(u for u in (_absolute(i, url) for i in images) if u))


def _attributes(attributes: Any) -> dict[str, str]:
    """Attribute names and values as clean text (a list of values joined with commas)."""
    out: dict[str, str] = {}
    if isinstance(attributes, dict):
        for key, value in attributes.items():
            key_text = clean_text(key)
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value if v is not None)
            value_text = clean_text(value) if value is not None else None
            if key_text and value_text is not None:
                out[key_text] = value_text
    return out


def _absolute(value: Any, url: str) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    text = clean_text(value) if value is not None else None
    return urljoin(url, text) if text else None


def _number_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    match = _NUMBER.search(clean_text(value) or "")
    return match.group(0) if match else None


def _rating(value: Any) -> float | None:
    """A rating from "4.8", "4,8 von 5" or "98.5% positive"."""
    text = _number_text(value)
    if text is None:
        return None
    # One separator followed by one or two digits is a decimal mark in ratings.
    if re.fullmatch(r"\d+[.,]\d{1,2}", text):
        return float(text.replace(",", "."))
    try:
        return float(re.sub(r"[.,]", "", text)) if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text) else float(text.replace(",", "."))
    except ValueError:
        return None


def _count(value: Any) -> int | None:
    """A count from "1,234 ratings", "(12 345)" or "2.5k"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    text = clean_text(value) if value is not None else None
    if not text:
        return None
    match = re.search(r"(\d+(?:[.,]\d+)?)\s*([kKmM万])\b|(\d+(?:[.,\s]\d{3})*)", text)
    if not match:
        return None
    if match.group(1):
        factor = {"k": 1_000, "m": 1_000_000, "万": 10_000}[match.group(2).lower()]
        return int(float(match.group(1).replace(",", ".")) * factor)
    return int(re.sub(r"[.,\s]", "", match.group(3)))
