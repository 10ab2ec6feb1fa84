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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

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
