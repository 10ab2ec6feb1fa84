"""The listing: one product offer on one marketplace, as crawled or imported.

Field names follow zyte-common-items' ``Product`` where one fits, in snake_case:
``url``, ``description``, ``brand``, ``price``, ``currency``, ``currency_raw``,
``availability``, ``images``, ``sku``, ``mpn``, ``gtin``. Two names differ on purpose:
``title`` is Product's ``name`` (analysts, import files and the review queue all say
"title"), and ``attributes`` is Product's ``additionalProperties`` flattened to a
``name -> value`` mapping exactly as the shop labels it ("生产厂家", "登记证号", ...).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypedDict

# The categories the default rule packs know. More can be configured; a listing's
# category is free text as long as it is a plain identifier.
DEFAULT_CATEGORIES = ("agri_inputs", "cosmetics", "auto_parts")

# schema.org availability values (the short form zyte-common-items uses too).
AVAILABILITY_VALUES = ("InStock", "OutOfStock", "LimitedAvailability", "PreOrder", "Discontinued")


def utc_now() -> str:
    """An ISO 8601 UTC timestamp with seconds, the one time format the store uses."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Listing:
    """One listing. ``site`` + ``listing_id`` identify it; everything else may be missing."""

    site: str
    listing_id: str
    url: str
    title: str | None = None
    description: str | None = None
    brand: str | None = None  # the brand as the listing states it, not a verdict
    category: str | None = None
    price: float | None = None  # in ``currency``; None when the page shows none
    currency: str | None = None  # ISO 4217 code when known ...
    currency_raw: str | None = None  # ... and the symbol or word as shown ("￥", "元")
    availability: str | None = None
    seller_id: str | None = None
    seller_name: str | None = None
    seller_url: str | None = None
    seller_location: str | None = None
    seller_rating: float | None = None
    seller_rating_count: int | None = None
    images: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    sku: str | None = None
    mpn: str | None = None
    gtin: str | None = None
    http_status: int | None = None
    observed_at: str = field(default_factory=utc_now)
    # The sales count the page displays (月销, 已售, 销量), its lower bound as a whole number
    # (monitor.extract.sales): the base of the illegal business amount a referral estimates.
    # Last of the fields: it came after the others (migration 0014 appended its column).
    sales_count: int | None = None
    # Where the crawl kept this page (WARC records, screenshot): rows for the evidence table,
    # not listing columns. Empty for imports.
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Removal:
    """A listing that answered 404/410 or the shop's "item gone" page on a re-check."""

    site: str
    listing_id: str
    url: str
    http_status: int
    observed_at: str = field(default_factory=utc_now)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # the 404/410 or "gone" page as kept


LISTING_FIELDS = tuple(f.name for f in dataclasses.fields(Listing) if f.name != "evidence")
# The fields of an imported row: an import file records no HTTP status.
IMPORT_FIELDS = tuple(f for f in LISTING_FIELDS if f != "http_status")


class StoredListing(TypedDict, total=False):
    """A row of the store's ``listings`` table, as the store's queries return it (a dict).

    The Listing's fields as stored (``images`` and ``attributes`` as JSON text; its
    ``observed_at`` becomes ``first_seen`` / ``last_seen``), then what the store adds:
    the crawl run that saw it last, its removal, its score and its relisting link. A query
    selects the columns it needs (:func:`listing_columns`), so any key may be missing.
    """

    id: int
    site: str
    listing_id: str
    url: str
    title: str | None
    description: str | None
    brand: str | None
    category: str | None
    price: float | None
    currency: str | None
    currency_raw: str | None
    availability: str | None
    seller_id: str | None  # never empty when the listing names a seller: see seller_key()
    seller_name: str | None
    seller_url: str | None
    seller_location: str | None
    seller_rating: float | None
    seller_rating_count: int | None
    images: str | None  # a JSON list of URLs
    attributes: str | None  # a JSON object, name -> value
    sku: str | None
    mpn: str | None
    gtin: str | None
    http_status: int | None
    first_seen: str
    last_seen: str
    last_run_id: int | None
    removed_at: str | None
    score: int | None
    scored_at: str | None
    rules_version: str | None
    relisted_of: int | None
    relisted_at: str | None
    relisted_reason: str | None
    sales_count: int | None  # migration 0014: appended, so after the store's own columns


# Listing fields whose column a later migration appended to the table (after the store's own
# columns), in the order they were added.
LATE_FIELDS = ("sales_count",)
# The columns of the store's listings table, in table order (tests/test_listing_row.py
# checks them against the migrated schema).
LISTING_COLUMNS: tuple[str, ...] = tuple(StoredListing.__annotations__)


def listing_columns(alias: str = "l", columns: Iterable[str] = LISTING_COLUMNS,
                    rename: Mapping[str, str] | None = None) -> str:
    """The SELECT text ``l.site, l.url, ...`` for listing ``columns`` (all by default) of the
    listings table under ``alias``; ``rename`` selects a column under another name
    (``{"id": "listing"}`` gives ``l.id AS listing``)."""
    rename = rename or {}
    parts = []
    for column in columns:
        if column not in LISTING_COLUMNS:
            raise ValueError(f"{column!r} is not a column of the listings table (monitor.listing.LISTING_COLUMNS)")
        parts.append(f"{alias}.{column} AS {rename[column]}" if column in rename else f"{alias}.{column}")
    return ", ".join(parts)


def listing_row(row: Mapping[str, Any] | Sequence[Any], columns: Sequence[str] = LISTING_COLUMNS) -> StoredListing:
    """A stored listing from a query row: a ``sqlite3.Row`` or mapping by its names, a tuple
    by position in ``columns`` (the columns the query selected, in its order)."""
    if hasattr(row, "keys"):
        return StoredListing(**{k: row[k] for k in row.keys()})  # type: ignore[typeddict-item]
    if len(row) != len(columns):
        raise ValueError(f"a listing row of {len(row)} values for {len(columns)} columns ({', '.join(columns)})")
    return StoredListing(**dict(zip(columns, row)))  # type: ignore[typeddict-item]


def seller_key(seller_id: Any, seller_name: Any, seller_url: Any = None) -> Any:
    """What groups a listing's seller: the shop's seller id; without one, the seller's URL
    (when known) or ``"name:" + seller_name``; the empty id as given (None, "") when the
    listing names no seller. Many shops show a seller without an id, and the URL or name
    still groups their listings."""
    if seller_id:
        return seller_id
    if seller_url:
        return str(seller_url)
    if seller_name:
        return "name:" + str(seller_name)
    return seller_id

# Fields whose share of filled values is recorded per crawl run ("field coverage").
COVERAGE_FIELDS = (
    "title",
    "price",
    "currency",
    "brand",
    "description",
    "availability",
    "seller_name",
    "images",
    "attributes",
    "category",
)


def is_filled(value: Any) -> bool:
    """Whether a field counts as present for coverage: not None, not empty."""
    if value is None:
        return False
    if isinstance(value, (str, list, dict, tuple)):
        return len(value) > 0
    return True


# -- text that can be stored ------------------------------------------------------------
# The one repair of characters a listing's text must not carry (issue 13).
#
# Scraped pages and import files are hostile. A JSON value may hold a lone surrogate
# ("\ud800"), which no UTF-8 encoder accepts (SQLite's binding raised UnicodeEncodeError and
# lost the whole batch), and NUL or other C0 control characters, which XML, spreadsheets and
# terminals refuse or misread. Every path where listings become rows (the crawl's store
# batches in monitor.store.listings, `monitor import` in monitor.ingest.parse) repairs text
# here, so crawl and import store the same text for the same input:
#
# - a lone surrogate becomes U+FFFD REPLACEMENT CHARACTER (what a UTF-8 decoder gives for a
#   broken sequence); two surrogate halves that form a pair become the one character they encode;
# - C0 control characters other than tab, line feed and carriage return (U+0000-U+0008,
#   U+000B, U+000C, U+000E-U+001F) are removed: they show nothing on the shop's page, and
#   removed, a word split by them ("Ni<NUL>ke") reads as the shopper saw it, so rules match it;
# - everything else is kept as it is, DEL and C1 controls included (SQLite, JSON, XML 1.0 and
#   spreadsheet files accept them).
#
# A repair is never silent: repair_fields says, per field, what it did, and its callers
# report it (`monitor import` per line, the crawl in its log). The WARC evidence keeps the
# bytes as the shop sent them.

# What must not be stored: controls other than \t \n \r, and surrogates (lone or halves of a pair).
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# In JSON text, the escapes that decode to an unstorable character: \u0000-\u001f (\t \n \r
# included, a harmless false alarm), \b, \f and \ud800-\udfff. An escaped backslash before
# "u0000" is a false alarm too; only a line that matches is decoded and checked value by value.
JSON_ESCAPE = re.compile(r"\\(?:u00[01]|u[dD][89a-fA-F]|[bf])")
_SHOWN_CODES = 5  # control characters named in a repair note, at most


class _Tally:
    """What the repairs of one field did."""

    __slots__ = ("lone", "joined", "controls")

    def __init__(self):
        self.lone = 0
        self.joined = 0
        self.controls: list[str] = []

    def note(self) -> str | None:
        parts = []
        if self.lone:
            parts.append(f"{self.lone} lone surrogate{'s' if self.lone > 1 else ''} replaced by U+FFFD")
        if self.joined:
            parts.append(f"{self.joined} surrogate pair{'s' if self.joined > 1 else ''} joined into one character")
        if self.controls:
            n = len(self.controls)
            codes = list(dict.fromkeys(f"U+{ord(c):04X}" for c in self.controls))
            shown = ", ".join(codes[:_SHOWN_CODES]) + (", ..." if len(codes) > _SHOWN_CODES else "")
            parts.append(f"{n} control character{'s' if n > 1 else ''} removed ({shown})")
        return ", ".join(parts) or None


def _repair_str(text: str, tally: _Tally) -> str:
    if not UNSTORABLE.search(text):
        return text
    halves = len(_SURROGATE.findall(text))
    if halves:
        before = text.count("\ufffd")
        # UTF-16 with surrogatepass writes each half as its two bytes; decoding joins the pairs
        # and turns each half without its partner into one U+FFFD.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        lone = text.count("\ufffd") - before
        tally.lone += lone
        tally.joined += (halves - lone) // 2
    controls = _CONTROL.findall(text)
    if controls:
        tally.controls += controls
        text = _CONTROL.sub("", text)
    return text


def _repair(value: Any, tally: _Tally) -> Any:
    cls = value.__class__
    if cls is str or isinstance(value, str):
        return _repair_str(str(value), tally)
    if isinstance(value, dict):
        return {_repair(k, tally): _repair(v, tally) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return cls(_repair(v, tally) for v in value) if cls in (list, tuple) else [_repair(v, tally) for v in value]
    return value


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD and C0 controls (but tab, line feed and
    carriage return) removed; ``text`` itself when there is nothing to repair."""
    return _repair_str(text, _Tally())


def repair_value(value: Any) -> tuple[Any, str | None]:
    """(repaired value, what was done or None): a string, or the strings inside a list, tuple
    or dict (keys too), repaired as ``clean_text`` does; other values as they are."""
    tally = _Tally()
    repaired = _repair(value, tally)
    return repaired, tally.note()


def needs_repair(value: Any) -> bool:
    """Whether ``value`` (a string, or a list, tuple or dict holding strings) has anything to repair."""
    if value.__class__ is str:
        return UNSTORABLE.search(value) is not None
    if isinstance(value, str):
        return UNSTORABLE.search(str(value)) is not None
    if isinstance(value, dict):
        return any(needs_repair(k) or needs_repair(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(needs_repair(v) for v in value)
    return False


def repair_fields(row: MutableMapping[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    """Repair every field of ``row`` in place (but those in ``skip``); returns one note per
    repaired field, ``"title: 1 lone surrogate replaced by U+FFFD"``, in the row's order."""
    notes = []
    for name, value in list(row.items()):
        if name in skip or not needs_repair(value):
            continue
        repaired, note = repair_value(value)
        row[name] = repaired
        if note:
            notes.append(f"{name}: {note}")
    return notes


_unstorable = UNSTORABLE.search


def repair_listing(item: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[str]]:
    """(item, notes): a Listing-shaped mapping with its text repaired (``repair_fields``; its
    evidence records are not listing text and stay as captured), in place when it is a dict,
    and what was done; the item itself and no notes when nothing needed repair (the usual case,
    checked without copying)."""
    for name, value in item.items():
        cls = value.__class__
        if cls is str:
            if _unstorable(value):
                break
        elif value is not None and cls is not float and cls is not int and name != "evidence" \
                and needs_repair(value):
            break
    else:
        return item, []
    target = item if isinstance(item, dict) else dict(item)
    return target, repair_fields(target, skip=("evidence",))
