"""What every matcher returns: a signal with a strength, an explanation and evidence spans."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Signal kinds group signals for scoring, filters and evaluation.
KINDS = (
    "trademark",    # mark_exact, mark_lookalike
    "counterfeit",  # counterfeit_terms
    "price",        # price_anomaly
    "seller",       # unauthorised_seller, seller_history
    "regulatory",   # regulatory_* (missing, malformed, inconsistent, legacy, special claim, ccc, three_no)
    "contact",      # offplatform_contact
    "mitigating",   # context that lowers suspicion: compatible part, common word, exempt, authorised seller
)


@dataclass(frozen=True)
class Evidence:
    """A span the review page highlights: ``text == listing[field][start:end]``.

    ``field`` is a listing field name (title, description, brand, seller_name, ...) or
    ``attributes.<name>`` for the value of one attribute.
    """

    field: str
    start: int
    end: int
    text: str


@dataclass
class Signal:
    name: str  # e.g. "mark_lookalike", "regulatory_missing"
    kind: str  # one of KINDS
    strength: float  # 0..1
    explanation: str  # plain words an analyst can check against the listing
    evidence: list[Evidence] = field(default_factory=list)
    mark: str | None = None  # the watched mark this signal is about, if any
    details: dict[str, Any] = field(default_factory=dict)  # e.g. {"visual": 0.9, "phonetic": 1.0}

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown signal kind {self.kind!r}")
        self.strength = max(0.0, min(1.0, float(self.strength)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def span(listing: dict, field_name: str, start: int, end: int) -> Evidence:
    """Evidence for ``listing[field_name][start:end]`` (``attributes.X`` reads attribute X)."""
    return Evidence(field_name, start, end, field_text(listing, field_name)[start:end])


def field_text(listing: dict, field_name: str) -> str:
    if field_name.startswith("attributes."):
        attrs = listing.get("attributes") or {}
        return str(attrs.get(field_name.split(".", 1)[1]) or "")
    value = listing.get(field_name)
    return "" if value is None else str(value)


# The text fields every matcher looks at, in the order the review page shows them.
TEXT_FIELDS = ("title", "brand", "description", "seller_name")


def text_fields(listing: dict) -> list[tuple[str, str]]:
    """(field, text) for the listing's text fields and each attribute value, non-empty only."""
    out = [(f, field_text(listing, f)) for f in TEXT_FIELDS]
    for name in (listing.get("attributes") or {}):
        out.append((f"attributes.{name}", field_text(listing, f"attributes.{name}")))
    return [(f, t) for f, t in out if t]
