"""What every matcher returns: a signal with a strength, an explanation and evidence spans."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from monitor.rules.explain import Msg, _rebuild
from monitor.rules.normalise import fold

# Signal kinds group signals for scoring, filters and evaluation.
KINDS = (
    "trademark",    # mark_exact, mark_lookalike
    "counterfeit",  # counterfeit_terms
    "price",        # price_anomaly
    "seller",       # unauthorised_seller, seller_history
    "regulatory",   # regulatory_* (missing, malformed, inconsistent, legacy, special claim, ccc, three_no)
    "contact",      # offplatform_contact
    "mitigating",   # context that lowers suspicion: compatible part, common word, exempt, authorised seller
    "context",      # shown to the analyst, never scored: a number not shown by the brand's own store
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
    term: float | None = None  # what it added to the score's log-odds (set by the engine; rules/scoring.yaml)
    # The explanation as a message id with %(name)s parameters (JSON-safe), for monitor.rules.explain
    # to show in the reader's language; None on signals whose text has no message (stored before).
    message: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.explanation, Msg):  # built from a message: keep its id and parameters
            self.message, self.params = self.explanation.message, self.explanation.params
            self.explanation = str(self.explanation)
        if self.kind not in KINDS:
            raise ValueError(f"unknown signal kind {self.kind!r}")
        self.strength = max(0.0, min(1.0, float(self.strength)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def stored_message(self) -> Msg | str:
        """The explanation as a message to build a longer one from (its text when it has none)."""
        if not self.message:
            return self.explanation
        return _rebuild(self.explanation, self.message, self.params)

    def explain_as(self, text: Msg) -> None:
        """Replace the explanation (a matcher adding to it after the signal was made)."""
        self.explanation, self.message, self.params = str(text), text.message, text.params


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
    out = []
    for f in TEXT_FIELDS:  # as field_text(listing, f)
        value = listing.get(f)
        if value is not None:
            text = value if type(value) is str else str(value)
            if text:
                out.append((f, text))
    attrs = listing.get("attributes") or {}
    for name in attrs:
        if type(name) is str:  # as field_text(listing, f"attributes.{name}")
            value = attrs.get(name)
            text = "" if not value else value if type(value) is str else str(value)
        else:
            text = field_text(listing, f"attributes.{name}")
        if text:
            out.append((f"attributes.{name}", text))
    return out


# --------------------------------------------------------------------------- per-listing texts

_SCALARS = (int, float, bool)


class ListingTexts:
    """A listing's texts, folded once and shared by every check of that listing.

    ``fields`` is :func:`text_fields`; ``content`` the same without ``seller_name``.
    ``folded(f)`` / ``upper(f)`` are ``fold(text)`` / ``fold(text, lower=False)`` of field ``f``.
    ``memo`` holds what a check derives from the texts (keyed by the check), so a second
    check of the same listing reuses it. Build one with :func:`listing_texts`.
    """

    __slots__ = ("fields", "content", "text", "attributes", "memo", "_folded", "_upper", "_joined")

    def __init__(self, listing: dict):
        self.fields = text_fields(listing)
        self.content = [(f, t) for f, t in self.fields if f != "seller_name"]
        self.text = dict(self.fields)
        self.attributes = list(listing.get("attributes") or {})  # attribute names, in order
        self.memo: dict = {}
        self._folded: dict[str, str] = {}
        self._upper: dict[str, str] = {}
        self._joined: dict[tuple, str] = {}

    def folded(self, field_name: str) -> str:
        out = self._folded.get(field_name)
        if out is None:
            out = self._folded[field_name] = fold(self.text[field_name])
        return out

    def upper(self, field_name: str) -> str:
        """Folded without lower-casing."""
        out = self._upper.get(field_name)
        if out is None:
            out = self._upper[field_name] = fold(self.text[field_name], lower=False)
        return out

    def joined(self, fields: list[tuple[str, str]]) -> str:
        """The folded texts of ``fields`` joined by newlines (for a quick "anywhere at all?" test)."""
        key = tuple(f for f, _ in fields)
        out = self._joined.get(key)
        if out is None:
            out = self._joined[key] = "\n".join([self.folded(f) for f in key])
        return out

    def span(self, listing: dict, field_name: str, start: int, end: int) -> Evidence:
        text = self.text.get(field_name)
        if text is None:
            return span(listing, field_name, start, end)
        return Evidence(field_name, start, end, text[start:end])


def _value_key(value):
    """A value as a snapshot holds it: 1, 1.0 and True are equal but print differently."""
    if value is None or type(value) is str:
        return value
    if type(value) in _SCALARS:
        return (type(value), value)
    raise TypeError  # could change without the listing changing (a list) or compare oddly


_STR_OR_NONE = {str, type(None)}


def _snapshot(listing: dict) -> tuple | None:
    """What the texts of a listing depend on, or None when a value could change unseen (a list)."""
    get = listing.get
    values = (get("title"), get("brand"), get("description"), get("seller_name"))
    attrs = get("attributes")
    if attrs is not None and type(attrs) is not dict:
        return None
    # the usual case, text only: compare the values as they are
    if set(map(type, values)) <= _STR_OR_NONE and (
            not attrs or (set(map(type, attrs)) <= _STR_OR_NONE and set(map(type, attrs.values())) <= _STR_OR_NONE)):
        return (values, tuple(attrs.items())) if attrs else (values, None)
    try:
        return (tuple(map(_value_key, values)),
                tuple((_value_key(k), _value_key(v)) for k, v in attrs.items()) if attrs else None, True)
    except TypeError:
        return None


_RECENT: dict[int, tuple[dict, tuple, ListingTexts]] = {}
_RECENT_SIZE = 8


def listing_texts(listing: dict) -> ListingTexts:
    """The :class:`ListingTexts` of ``listing``; the checks of one listing share one.

    The last few listings are remembered by identity and reused only while their text
    fields and attributes are unchanged, so a listing edited in place is read again.
    """
    snap = _snapshot(listing)
    if snap is None:
        return ListingTexts(listing)
    key = id(listing)
    entry = _RECENT.get(key)
    if entry is not None and entry[0] is listing and entry[1] == snap:
        return entry[2]
    texts = ListingTexts(listing)
    try:
        while len(_RECENT) >= _RECENT_SIZE:
            _RECENT.pop(next(iter(_RECENT)), None)
    except RuntimeError:  # another thread changed it meanwhile
        pass
    _RECENT[key] = (listing, snap, texts)
    return texts
