"""Importing listings obtained elsewhere (platform exports, API dumps) from JSON Lines or CSV."""

from __future__ import annotations

import csv
from collections import Counter
import io
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor.categories import known_categories
from monitor.listing import AVAILABILITY_VALUES
from monitor.store.listings import SaveResult, save_listings

COLUMNS = (
    "site", "id", "url", "title", "description", "brand", "category", "price", "currency",
    "seller_id", "seller_name", "seller_url", "seller_location", "images", "attributes", "observed_at",
)
OPTIONAL_COLUMNS = ("availability", "seller_rating", "seller_rating_count", "sku", "mpn", "gtin", "currency_raw")
REQUIRED = ("id", "url", "title")
BATCH = 5000
SITE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
URL = re.compile(r"^https?://\S+$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


class RowError(ValueError):
    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


@dataclass
class ImportReport:
    path: str
    stored: SaveResult = field(default_factory=SaveResult)
    rows: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    unknown_columns: list[str] = field(default_factory=list)
    flags: Counter = field(default_factory=Counter)  # scoring outcomes: flagged, unchanged, clear ...


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    return text or None


@lru_cache(maxsize=4096)  # exports repeat their timestamps; parsing one is the costly part
def _timestamp(value: Any) -> str:
    text = str(value).strip()
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
    return {str(k): "" if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in value.items()}


def normalise_row(raw: dict[str, Any], *, default_site: str | None, default_time: str, csv_mode: bool,
                  categories: tuple[str, ...]) -> dict[str, Any]:
    """One input row -> a listing for the store; raises RowError naming the field."""
    get = raw.get
    listing_id, url, title = required = [_text(get(name)) for name in REQUIRED]
    for name, value in zip(REQUIRED, required):
        if not value:
            raise RowError(name, "required but empty")
    site = _text(get("site")) or default_site
    if not site:
        raise RowError("site", "empty; add a site column or pass --site NAME")
    if not SITE_ID.match(site):
        raise RowError("site", f"{site!r} is not a site name (letters, digits, . _ -)")
    if not URL.match(url):
        raise RowError("url", f"{url!r} is not an http(s) URL")
    category = _text(get("category"))
    if category and category not in categories:
        raise RowError("category", f"{category!r} is not a configured category ({', '.join(categories)}); "
                                   "add it to rules/categories.yaml or fix the value")
    currency = _text(get("currency"))
    currency_raw = _text(get("currency_raw"))
    if currency and not CURRENCY_CODE.match(currency):
        # "as shown otherwise": keep the symbol or word, but not as an ISO code
        currency_raw, currency = currency_raw or currency, None
    availability = _text(get("availability"))
    if availability and availability not in AVAILABILITY_VALUES:
        raise RowError("availability", f"{availability!r}: use one of {', '.join(AVAILABILITY_VALUES)}")
    observed = _text(get("observed_at"))
    return {
        "site": site,
        "listing_id": listing_id,
        "url": url,
        "title": title,
        "description": _text(get("description")),
        "brand": _text(get("brand")),
        "category": category,
        "price": _number("price", get("price")),
        "currency": currency,
        "currency_raw": currency_raw,
        "availability": availability,
        "seller_id": _text(get("seller_id")),
        "seller_name": _text(get("seller_name")),
        "seller_url": _text(get("seller_url")),
        "seller_location": _text(get("seller_location")),
        "seller_rating": _number("seller_rating", get("seller_rating")),
        "seller_rating_count": _number("seller_rating_count", get("seller_rating_count"), int),
        "images": _list(get("images"), csv_mode=csv_mode),
        "attributes": _attributes(get("attributes")),
        "sku": _text(get("sku")),
        "mpn": _text(get("mpn")),
        "gtin": _text(get("gtin")),
        "observed_at": _timestamp(observed) if observed else default_time,
    }


def _detect_format(path: Path, head: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "jsonl" if head.lstrip().startswith("{") else "csv"


def _rows(path: Path, text: str, fmt: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row or None, error) for each record."""
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(row, dict):
                yield number, None, "a line must be a JSON object"
                continue
            yield number, row, None
        return
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    start = 2
    for row in reader:
        if None in row:
            yield start, None, f"{len(row[None])} more cells than the header has columns"
        elif all(v in (None, "") for v in row.values()):
            pass
        else:
            yield start, row, None
        start = reader.line_num + 1


def _store(db: Database, batch: list[dict[str, Any]], report: "ImportReport", engine) -> None:
    report.stored.add(save_listings(db, batch, source="import"))
    if engine is not None:
        from monitor.flagging import score_keys

        report.flags += score_keys(db, engine, [(r["site"], r["listing_id"]) for r in batch])


def import_file(db: Database, path: str | Path, *, site: str | None = None, engine=None) -> ImportReport:
    """Store every good row, report every bad one by line; a second import changes nothing.

    With an ``engine`` (``monitor.flagging.engine_for``) each stored batch is scored too."""
    path = Path(path)
    raw_bytes = path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8-sig")  # Excel writes a BOM before UTF-8 CSV
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    fmt = _detect_format(path, text[:200])
    report = ImportReport(path=str(path))
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(text)), [])
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ValueError(f"{path}:1: the header lacks required column(s) {', '.join(missing)}; "
                             f"expected columns: {', '.join(COLUMNS)}")
        report.unknown_columns = [c for c in header if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    # Rows without observed_at take the file's modification time, so that importing the
    # same file again is recognised as the same observation.
    default_time = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(microsecond=0)
    default_time_text = default_time.isoformat().replace("+00:00", "Z")
    categories = known_categories()
    batch: list[dict[str, Any]] = []
    for line, raw, error in _rows(path, text, fmt):
        report.rows += 1
        if error:
            report.skipped.append((line, error))
            continue
        try:
            batch.append(normalise_row(raw, default_site=site, default_time=default_time_text,
                                       csv_mode=fmt == "csv", categories=categories))
        except RowError as exc:
            report.skipped.append((line, str(exc)))
            continue
        if len(batch) >= BATCH:
            _store(db, batch, report, engine)
            batch = []
    if batch:
        _store(db, batch, report, engine)
    return report
