"""The rules that turn one input row into a listing record: required fields, site names,
URLs, categories, currencies, numbers, image lists, attributes and times.

Used by every path that reads listings from a file: ``monitor import`` (``monitor.ingest``),
the labelled sets of ``monitor.quality`` and ``monitor score``. Pure: it never touches the
store or the rule engine, so anything may use it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

# IMPORT_FIELDS: the fields of a normalised row, in the order of normalised_values' tuples.
from monitor.listing import AVAILABILITY_VALUES, IMPORT_FIELDS

SITE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
URL = re.compile(r"^https?://\S+$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


class RowError(ValueError):
    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    return text or None


# Already in the store's form: 2026-11-24T08:30:00Z (ASCII digits, seconds, UTC).
_CANONICAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z").fullmatch
_from_iso = datetime.fromisoformat


def _timestamp(value: Any) -> str:
    text = str(value).strip()
    if _CANONICAL_TIME(text):
        # Converting a valid time of this form gives the same text back; only check it is valid.
        try:
            _from_iso(text[:19])
            return text
        except ValueError:
            pass  # the full parse below words the error
    return _parse_timestamp(text)


@lru_cache(maxsize=4096)  # exports repeat their timestamps; parsing one is the costly part
def _parse_timestamp(text: str) -> str:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError("observed_at", f"{text!r} is not an ISO 8601 time, e.g. 2026-11-24T08:30:00Z") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # documented: times without a zone are UTC
    return when.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _number(name: str, value: Any, kind=float):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return kind(value)
    text = str(value).strip().replace(",", "") if kind is int else str(value).strip()
    try:
        return kind(text)
    except ValueError:
        if kind is float:
            # lazy: the price parser costs 0.1 s to import; most files hold plain numbers
            from monitor.extract.prices import parse_price

            parsed = parse_price(text)
            if parsed.amount is not None:
                return parsed.amount
        raise RowError(name, f"{text!r} is not a number") from None


def _list(value: Any, *, csv_mode: bool) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                items = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise RowError("images", f"not a valid JSON list ({exc.msg})") from None
        elif csv_mode:
            items = stripped.split("|")
        else:
            raise RowError("images", "must be a JSON list of URLs")
    else:
        raise RowError("images", "must be a list of URLs")
    if items.__class__ is list:
        # Fast path: every item a str with an http(s) URL after stripping.
        try:
            out = [item.strip() for item in items]
        except AttributeError:
            pass
        else:
            for url in out:
                if not url.startswith(("http://", "https://")):
                    break
            else:
                if all(item.__class__ is str for item in items):
                    return out
    out = []
    for item in items:
        if not isinstance(item, str):
            raise RowError("images", f"{item!r} is not an http(s) URL")
        url = item.strip()
        if not url.startswith(("http://", "https://")):  # as re.match(r"^https?://", url)
            raise RowError("images", f"{item!r} is not an http(s) URL")
        out.append(url)
    return out


def _attributes(value: Any) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RowError("attributes", f"not a valid JSON object ({exc.msg})") from None
    if not isinstance(value, dict):
        raise RowError("attributes", "must be a JSON object of name -> value")
    if value.__class__ is dict:
        for k, v in value.items():
            if k.__class__ is not str or v.__class__ is not str:
                break
        else:
            return dict(value)  # names and values already text
    return {str(k): "" if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in value.items()}


_AVAILABILITY = frozenset(AVAILABILITY_VALUES)
_site_match = SITE_ID.match
_url_match = URL.match
_code_match = CURRENCY_CODE.match
_FREE_TEXT = ("description", "brand", "seller_id", "seller_name", "seller_url", "seller_location", "sku", "mpn",
              "gtin")

# Hot path of a bulk import: strings (all CSV cells, most JSON values) are stripped inline as
# ``(v.strip() or None) if v.__class__ is str else _text(v)``; anything else goes through the
# helpers above. The checks run in the documented order (identity, then vocabularies, then
# numbers and lists, then the time), so a row with several problems reports the same first one.


def normalise_row(raw: dict[str, Any], *, default_site: str | None, default_time: str, csv_mode: bool,
                  categories: tuple[str, ...]) -> dict[str, Any]:
    """One input row -> a listing for the store; raises RowError naming the field."""
    return dict(zip(IMPORT_FIELDS, normalised_values(raw, default_site, default_time, csv_mode, categories)))


def normalised_values(raw: dict[str, Any], default_site: str | None, default_time: str, csv_mode: bool,
                      categories: tuple[str, ...]) -> tuple:
    """normalise_row's values, in IMPORT_FIELDS order (the import worker stages these tuples)."""
    get = raw.get
    site, listing_id, url, title = _identity(get, default_site)
    category, currency, currency_raw, availability = _vocabularies(get, categories)
    v = get("observed_at")
    observed = (v.strip() or None) if v.__class__ is str else _text(v)
    price, seller_rating, seller_rating_count, images, attributes = _measures(get, csv_mode)
    # The columns that are free text, checked by nothing: stripped in one pass, inline.
    description, brand, seller_id, seller_name, seller_url, seller_location, sku, mpn, gtin = [
        (v.strip() or None) if v.__class__ is str else _text(v) for v in map(get, _FREE_TEXT)]
    observed = _timestamp(observed) if observed else default_time
    v = get("sales_count")
    sales_count = None if v is None or v == "" else _sales_count(v)
    return (site, listing_id, url, title, description, brand, category, price, currency, currency_raw,
            availability, seller_id, seller_name, seller_url, seller_location, seller_rating,
            seller_rating_count, images, attributes, sku, mpn, gtin, observed, sales_count)


def _sales_count(value: Any) -> int | None:
    """The displayed sales count: a whole number, or the page's text as shown ("月销 1.2万+",
    "已售 356 件"), read as the extractor reads it (its lower bound, 万 = 10,000)."""
    if value.__class__ is int:
        if value < 0:
            raise RowError("sales_count", f"{value} is negative; a sales count is 0 or more")
        return value
    if value.__class__ is str and value.strip().isdigit():
        return int(value.strip())
    # lazy: the sales parser is only needed for counts written as the page shows them
    from monitor.extract.sales import parse_sales_count

    text = str(value).strip()
    if text.startswith("-"):
        raise RowError("sales_count", f"{text!r} is negative; a sales count is 0 or more")
    count = parse_sales_count(value)
    if count is None:
        raise RowError("sales_count", f"{text!r} is not a sales count; write a whole number (356) or the "
                                      "page's text (已售 356 件, 月销 1.2万+)")
    return count


def _identity(get, default_site: str | None) -> tuple[str, str, str, str]:
    """(site, id, url, title): the required fields, then the site's name and the URL's form."""
    v = get("id")
    listing_id = (v.strip() or None) if v.__class__ is str else _text(v)
    v = get("url")
    url = (v.strip() or None) if v.__class__ is str else _text(v)
    v = get("title")
    title = (v.strip() or None) if v.__class__ is str else _text(v)
    if not listing_id:
        raise RowError("id", "required but empty")
    if not url:
        raise RowError("url", "required but empty")
    if not title:
        raise RowError("title", "required but empty")
    v = get("site")
    site = ((v.strip() or None) if v.__class__ is str else _text(v)) or default_site
    if not site:
        raise RowError("site", "empty; add a site column or pass --site NAME")
    if not _site_match(site):
        raise RowError("site", f"{site!r} is not a site name (letters, digits, . _ -)")
    if not _url_match(url):
        raise RowError("url", f"{url!r} is not an http(s) URL")
    return site, listing_id, url, title


def _vocabularies(get, categories: tuple[str, ...]) -> tuple:
    """(category, currency, currency_raw, availability): the values from a fixed vocabulary."""
    v = get("category")
    category = (v.strip() or None) if v.__class__ is str else _text(v)
    if category and category not in categories:
        raise RowError("category", f"{category!r} is not a configured category ({', '.join(categories)}); "
                                   "add it to rules/categories.yaml or fix the value")
    v = get("currency")
    currency = (v.strip() or None) if v.__class__ is str else _text(v)
    v = get("currency_raw")
    currency_raw = (v.strip() or None) if v.__class__ is str else _text(v)
    if currency and not _code_match(currency):
        # "as shown otherwise": keep the symbol or word, but not as an ISO code
        currency_raw, currency = currency_raw or currency, None
    v = get("availability")
    availability = (v.strip() or None) if v.__class__ is str else _text(v)
    if availability and availability not in _AVAILABILITY:
        raise RowError("availability", f"{availability!r}: use one of {', '.join(AVAILABILITY_VALUES)}")
    return category, currency, currency_raw, availability


def _measures(get, csv_mode: bool) -> tuple:
    """(price, seller_rating, seller_rating_count, images, attributes): numbers and structures."""
    v = get("price")
    price = v if v.__class__ is float else (None if v is None or v == "" else _number("price", v))
    v = get("seller_rating")
    seller_rating = None if v is None or v == "" else _number("seller_rating", v)
    v = get("seller_rating_count")
    seller_rating_count = None if v is None or v == "" else _number("seller_rating_count", v, int)
    v = get("images")
    images = [] if v is None or v == "" or v == [] else _list(v, csv_mode=csv_mode)
    v = get("attributes")
    attributes = {} if v is None or v == "" or v == {} else _attributes(v)
    return price, seller_rating, seller_rating_count, images, attributes
