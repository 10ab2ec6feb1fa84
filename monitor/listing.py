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
from collections.abc import Iterable, Mapping, Sequence
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
