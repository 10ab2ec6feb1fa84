"""The per-category regulatory checks (``rules/checks/<category>.yaml``), loaded and validated.

Every problem names file, line and field; a broken file raises :class:`YamlError` and
nothing of it is used. The checks themselves run in :mod:`monitor.rules.regulatory`.
"""

from __future__ import annotations

import re
from functools import lru_cache
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from monitor.yamlfile import LocatedYaml, YamlError, load_located, schema_problems

# --------------------------------------------------------------------------- text folding

_BRACKETS = {"〔": "(", "〕": ")", "【": "[", "】": "]", "［": "[", "］": "]", "\u3000": " ", "—": "-", "－": "-"}


class _FoldTable(dict):
    """``ord(ch) -> folded ch`` for :meth:`str.translate`, filled on first sight of each character."""

    def __init__(self, lower: bool):
        super().__init__()
        self.lower = lower

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        mapped = _BRACKETS.get(ch)
        if mapped is None:
            mapped = unicodedata.normalize("NFKC", ch) if code > 0x7F else ch
            if len(mapped) != 1:
                mapped = ch
        if self.lower:
            low = mapped.lower()
            mapped = low if len(low) == 1 else mapped
        self[code] = mapped
        return mapped


_FOLD_TABLES = {True: _FoldTable(True), False: _FoldTable(False)}


def fold(text: str, lower: bool = True) -> str:
    """Normalise for matching without changing length, so offsets stay valid in the original.

    Full-width ASCII (（２０１９）, ＰＤ) becomes ASCII, 〔〕 become (), the ideographic space a
    space; with ``lower`` letters are lower-cased. A character whose normal form is longer
    than one character (ligatures, Ⅱ) is kept as it is.
    """
    # Character by character (a table per character, built once): ASCII text needs only
    # lower-casing, which is the same one character at a time as for the whole string.
    if text.isascii():
        return text.lower() if lower else text
    return text.translate(_FOLD_TABLES[bool(lower)])


_NAME_NOISE = re.compile(r"[\s:：.。]+")


@lru_cache(maxsize=20_000)
def fold_name(name: str) -> str:
    """An attribute name or label for comparison: folded, without spaces, colons and dots."""
    return _NAME_NOISE.sub("", fold(name))


# Patterns made by word_pattern (id -> (pattern, prefilter)); the entry keeps the pattern alive,
# so its id is not reused.
_WORD_PATTERNS: dict[int, tuple[re.Pattern, re.Pattern]] = {}


def word_pattern(words: list[str] | tuple[str, ...]) -> re.Pattern | None:
    """One regex for a list of literal words, matched against :func:`fold`-ed text.

    Latin words only match whole (``for`` not in ``former``, ``SPF`` still in ``SPF50``);
    spaces inside a word also match hyphens ("anti hair loss" = "anti-hair-loss").
    """
    parts = []
    for word in sorted(words_folded(words), key=len, reverse=True):
        body = r"[\s\-_]*".join(re.escape(p) for p in word.split())
        if re.match(r"[a-z0-9]", word):
            body = r"(?<![a-z0-9])" + body
        if re.search(r"[a-z]$", word):
            body += r"(?![a-z])"
        elif re.search(r"[0-9]$", word):
            body += r"(?![0-9])"
        parts.append(body)
    if not parts:
        return None
    pattern = re.compile("|".join(parts))
    if id(pattern) not in _WORD_PATTERNS:
        # Every match contains its word's first token as it is: a quick test for "none at all".
        tokens = sorted({word.split()[0] for word in words_folded(words)}, key=len, reverse=True)
        _WORD_PATTERNS[id(pattern)] = (pattern, re.compile("|".join(map(re.escape, tokens))))
    return pattern


def words_folded(words) -> set[str]:
    return {fold(w).strip() for w in words if w and w.strip()}


def word_prefilter(pattern: re.Pattern | None) -> re.Pattern | None:
    """For a pattern :func:`word_pattern` made: a plain regex of literal words that finds
    something in every text the pattern matches (and is quicker to run); None otherwise."""
    entry = _WORD_PATTERNS.get(id(pattern))
    return entry[1] if entry is not None and entry[0] is pattern else None


def is_word_pattern(pattern: re.Pattern | None) -> bool:
    """True for a pattern :func:`word_pattern` made."""
    return word_prefilter(pattern) is not None


def find_words(pattern: re.Pattern | None, text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of ``pattern`` in ``text`` (folded here)."""
    if pattern is None or not text:
        return []
    return [m.span() for m in pattern.finditer(fold(text))]


_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"), (re.ASCII, "a"))
_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _combine(patterns: tuple[re.Pattern, ...]) -> re.Pattern | None:
    """One regex that matches in a text exactly when at least one of ``patterns`` does (each
    keeps its own flags), or None when they cannot be combined (back-references, clashing
    group names, a global flag): then every pattern is tried on its own."""
    parts = []
    for p in patterns:
        if not isinstance(p.pattern, str) or _BACKREF.search(p.pattern):
            return None
        flags = "".join(c for f, c in _SCOPED_FLAGS if p.flags & f)
        body = p.pattern + "\n" if p.flags & re.VERBOSE else p.pattern  # a trailing comment ends there
        parts.append(f"(?{flags}:{body})" if flags else f"(?:{body})")
    if not parts:
        return None
    try:
        return re.compile("|".join(parts))
    except (re.error, RecursionError, OverflowError):
        return None


_UNIONS: dict[tuple[int, ...], tuple[tuple[re.Pattern, ...], "AnyOf"]] = {}


class AnyOf:
    """A quick test: ``search(text)`` is true whenever at least one of the patterns matches somewhere
    in ``text`` (it may also be true when none does: word patterns are tested by their prefilters)."""

    __slots__ = ("words", "others")

    def __init__(self, words: re.Pattern | None, others: tuple[re.Pattern, ...]):
        self.words = words  # the word patterns' literal prefilters in one
        self.others = others

    def search(self, text: str) -> bool:
        if self.words is not None and self.words.search(text):
            return True
        for p in self.others:
            if p.search(text):
                return True
        return False


def any_of(patterns: tuple[re.Pattern, ...]) -> AnyOf:
    """:class:`AnyOf` ``patterns``, made once per list of patterns (a rule pack's lists are few).

    Keyed by the patterns' ids: the entry holds the patterns, so no other object can take
    one of those ids while the entry exists."""
    key = tuple(map(id, patterns))
    entry = _UNIONS.get(key)
    if entry is None:
        if len(_UNIONS) >= 256:
            _UNIONS.clear()
        prefilters = [word_prefilter(p) for p in patterns]
        words = [f.pattern for f in prefilters if f is not None]
        others = tuple(p for p, f in zip(patterns, prefilters) if f is None)
        combined = _combine(others) if len(others) > 1 else None
        entry = _UNIONS[key] = (patterns, AnyOf(re.compile("|".join(f"(?:{w})" for w in words)) if words else None,
                                                (combined,) if combined is not None else others))
    return entry[1]


# --------------------------------------------------------------------------- schema

_STR_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}}
_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_ID_LIST = {"type": "array", "items": _ID, "minItems": 1}
_STRENGTH = {"type": "number", "minimum": 0, "maximum": 1}
_YEAR = {"type": "integer", "minimum": 1900, "maximum": 2100}
_REGEX = {"type": "string", "minLength": 1}
_REGULATORY_SIGNALS = ["regulatory_missing", "regulatory_malformed", "regulatory_inconsistent", "regulatory_legacy",
                       "regulatory_special_claim", "regulatory_ccc_missing", "regulatory_three_no",
                       "regulatory_prohibited"]

_IDENTIFIER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "pattern"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "pattern": _REGEX,
        "loose": _REGEX,
        "labels": _STR_LIST,
        "context": _REGEX,
        "context_window": {"type": "integer", "minimum": 1, "maximum": 200},
        "min_year": _YEAR,
        "superseded_by": _ID_LIST,
        "legacy_strength": _STRENGTH,
        "note": {"type": "string"},
        "suspect": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["when"],
                "properties": {
                    "when": {"type": "object", "minProperties": 1,
                             "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
                    "year_from": _YEAR,
                    "signal": {"enum": _REGULATORY_SIGNALS},
                    "strength": _STRENGTH,
                    "explain": {"type": "string"},
                },
            },
        },
    },
}

_REQUIREMENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "requires", "strength"],
    "properties": {
        "id": _ID,
        "name": {"type": "string"},
        "signal": {"enum": ["regulatory_missing", "regulatory_ccc_missing"]},
        "applies_to": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {"words": _STR_LIST, "attributes": _STR_LIST},
        },
        "unless": _STR_LIST,
        "exempt": _STR_LIST,
        "exempt_strength": _STRENGTH,
        "requires": _ID_LIST,
        "accepts_words": _STR_LIST,
        "strength": _STRENGTH,
        "absence_strength": _STRENGTH,
        "denials": {"type": "object", "additionalProperties": False, "minProperties": 1,
                    "properties": {"words": _STR_LIST, "attributes": _STR_LIST}},
        "explain": {"type": "string"},
    },
}

_PROHIBITED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "words", "strength"],
    "properties": {
        "id": _ID,
        "name": {"type": "string"},
        "words": {**_STR_LIST, "minItems": 1},
        "with_any": _STR_LIST,
        "strength": _STRENGTH,
        "explain": {"type": "string"},
    },
}

_CROSS_RULE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["positions"],
    "properties": {
        "positions": {"type": "string", "pattern": r"^[1-9][0-9]*(-[1-9][0-9]*)?$"},
        "equals_group": {"type": "string"},
        "map": {"type": "object", "additionalProperties": {"type": "string"}},
        "equals_last_digits": {"const": True},
        "one_of": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "describe": {"type": "string"},
    },
    "oneOf": [{"required": ["equals_group", "map"]}, {"required": ["equals_last_digits"]}, {"required": ["one_of"]}],
}

_SIDE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"attributes": _STR_LIST, "patterns": {"type": "array", "items": _REGEX}},
}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "category": _ID,
        "currencies": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{3}$"}, "minItems": 1},
        "prohibited": {"type": "array", "items": _PROHIBITED},
        "identifiers": {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                        "additionalProperties": _IDENTIFIER},
        "requirements": {"type": "array", "items": _REQUIREMENT},
        "cross_checks": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "identifier", "against", "rules"],
                "properties": {
                    "id": _ID,
                    "name": {"type": "string"},
                    "identifier": _ID,
                    "against": _ID,
                    "strength": _STRENGTH,
                    "rules": {"type": "array", "items": _CROSS_RULE, "minItems": 1},
                },
            },
        },
        "special_claims": {
            "type": "object",
            "additionalProperties": False,
            "required": ["requires", "claims"],
            "properties": {
                "requires": _ID_LIST,
                "ordinary": _ID_LIST,
                "strength": _STRENGTH,
                "strength_without_any": _STRENGTH,
                "exempt": _STR_LIST,
                "claims": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["words"],
                        "properties": {"name": {"type": "string"}, "words": {**_STR_LIST, "minItems": 1}},
                    },
                },
            },
        },
        "not_required": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "words"],
                "properties": {"name": {"type": "string"}, "words": {**_STR_LIST, "minItems": 1},
                               "note": {"type": "string"}},
            },
        },
        "three_no": {
            "type": "object",
            "additionalProperties": False,
            "required": ["manufacturer", "address"],
            "properties": {
                "manufacturer": _SIDE,
                "address": _SIDE,
                "licences": _ID_LIST,
                "admissions": _STR_LIST,
                "loose": _STR_LIST,
                "exempt": _STR_LIST,
                "brand_attributes": _STR_LIST,
                "no_brand": _STR_LIST,
                "strength_all": _STRENGTH,
                "strength_absent": _STRENGTH,
                "strength_two": _STRENGTH,
            },
        },
    },
}

# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Suspect:
    when: dict[str, tuple[str, ...]]  # group -> values (upper-case)
    year_from: int | None
    signal: str
    strength: float
    explain: str
    line: int | None


@dataclass
class Identifier:
    id: str
    name: str
    pattern: re.Pattern
    loose: re.Pattern | None = None
    labels: tuple[str, ...] = ()  # fold_name-ed attribute names
    context: re.Pattern | None = None
    context_window: int = 20
    min_year: int | None = None
    superseded_by: tuple[str, ...] = ()
    legacy_strength: float = 0.8
    suspect: tuple[Suspect, ...] = ()
    line: int | None = None
    # attribute name -> (labelled, its folded name matches context); see attribute_context
    _seen: dict = field(default_factory=dict, repr=False, compare=False)

    def labelled(self, attribute_name: str) -> bool:
        return self.attribute_context(attribute_name)[0]

    def attribute_context(self, attribute_name: str) -> tuple[bool, bool]:
        """(the name is one of the labels, the folded name matches ``context``), remembered per
        name for as long as labels and context stay the same."""
        key = (attribute_name, self.labels, self.context)
        hit = self._seen.get(key)
        if hit is None:
            name = fold_name(attribute_name)
            hit = (any(label in name for label in self.labels),
                   bool(self.context and self.context.search(fold(attribute_name))))
            if len(self._seen) >= 4096:
                self._seen.clear()
            self._seen[key] = hit
        return hit


@dataclass
class Requirement:
    id: str
    name: str
    requires: tuple[str, ...]
    strength: float
    signal: str = "regulatory_missing"
    words: re.Pattern | None = None
    attributes: tuple[str, ...] = ()
    unless: re.Pattern | None = None
    exempt: re.Pattern | None = None
    exempt_strength: float = 0.5
    accepts_words: re.Pattern | None = None
    explain: str = ""
    line: int | None = None
    # A number merely not shown in the text is weak evidence: most genuine listings never
    # show one. ``absence_strength`` is used then; a listing that says it has none (无3C,
    # "3C认证: 无") matches ``denial_words`` / ``denial_attributes`` and gets ``strength``.
    absence_strength: float | None = None
    denial_words: re.Pattern | None = None
    denial_attributes: tuple[str, ...] = ()


@dataclass
class Prohibited:
    """Words that are a breach on their own (a banned pesticide, a medical claim on a cosmetic);
    with ``with_any``, only next to one of those words anywhere in the listing."""

    id: str
    name: str
    words: re.Pattern
    with_any: re.Pattern | None
    strength: float
    explain: str = ""
    line: int | None = None


@dataclass(frozen=True)
class CrossRule:
    start: int  # 0-based, inclusive
    end: int  # 0-based, exclusive
    equals_group: str | None = None
    map: dict[str, str] | None = None
    equals_last_digits: bool = False
    one_of: tuple[str, ...] = ()
    describe: str = ""

    @property
    def positions(self) -> str:
        return f"digit {self.start + 1}" if self.end - self.start == 1 else f"digits {self.start + 1}–{self.end}"


@dataclass
class CrossCheck:
    id: str
    name: str
    identifier: str
    against: str
    strength: float
    rules: tuple[CrossRule, ...]
    line: int | None = None


@dataclass
class Claim:
    id: str
    name: str
    words: re.Pattern


@dataclass
class SpecialClaims:
    requires: tuple[str, ...]
    ordinary: tuple[str, ...]
    claims: tuple[Claim, ...]
    strength: float = 0.85
    strength_without_any: float = 0.6
    exempt: re.Pattern | None = None
    line: int | None = None


@dataclass
class Side:
    attributes: tuple[str, ...] = ()  # fold_name-ed
    patterns: tuple[re.Pattern, ...] = ()


@dataclass
class ThreeNo:
    manufacturer: Side
    address: Side
    licences: tuple[str, ...] = ()  # empty = every identifier of the category
    admissions: re.Pattern | None = None
    loose: re.Pattern | None = None  # sold loose / repacked: full strength when the origin is unknown
    exempt: re.Pattern | None = None
    brand_attributes: tuple[str, ...] = ()  # fold_name-ed
    no_brand: tuple[str, ...] = ()  # values that mean "no brand" (无品牌, 其他/other), folded
    strength_all: float = 0.9  # says so itself (无厂名厂址)
    strength_absent: float = 0.3  # no brand, no maker, no address, no number: unknown origin
    strength_two: float = 0.5  # kept for old rule files; not used
    line: int | None = None


@dataclass
class CategoryChecks:
    category: str
    path: Path
    identifiers: dict[str, Identifier] = field(default_factory=dict)
    requirements: list[Requirement] = field(default_factory=list)
    cross_checks: list[CrossCheck] = field(default_factory=list)
    special_claims: SpecialClaims | None = None
    not_required: re.Pattern | None = None
    not_required_names: tuple[str, ...] = ()
    three_no: ThreeNo | None = None
    currencies: tuple[str, ...] = ()  # the market's currencies; a listing priced in another gets no checks
    prohibited: list[Prohibited] = field(default_factory=list)

    @property
    def source(self) -> str:
        return f"rules/checks/{self.path.name}"


@dataclass
class Checks:
    categories: dict[str, CategoryChecks] = field(default_factory=dict)

    def get(self, category: str | None) -> CategoryChecks | None:
        return self.categories.get(category) if category else None


# --------------------------------------------------------------------------- loading


class _Builder:
    """Turns validated YAML into the model, collecting the problems a schema cannot see."""

    def __init__(self, located: LocatedYaml):
        self.located = located
        self.problems: list[tuple[int | None, str, str]] = []

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append((self.located.line_of(path), ".".join(map(str, path)), message))

    def regex(self, value: str | None, path: tuple, flags: int = re.IGNORECASE) -> re.Pattern | None:
        if value is None:
            return None
        try:
            return re.compile(value, flags)
        except re.error as exc:
            self.problem(path, f"not a valid regular expression: {exc}")
            return None

    def words(self, values: list[str] | None) -> re.Pattern | None:
        return word_pattern(values or [])

    def known(self, ids, known: dict, path: tuple) -> tuple[str, ...]:
        for i, name in enumerate(ids or []):
            if name not in known:
                self.problem((*path, i), f"unknown identifier {name!r}; defined here: {', '.join(known) or 'none'}")
        return tuple(ids or [])


def _build(data: dict, path: Path, b: _Builder) -> CategoryChecks:
    category = data.get("category") or path.stem
    checks = CategoryChecks(category=category, path=path, currencies=tuple(data.get("currencies") or ()))
    for i, spec in enumerate(data.get("prohibited") or []):
        checks.prohibited.append(Prohibited(
            id=spec["id"], name=spec.get("name", spec["id"]), words=word_pattern(spec["words"]),
            with_any=word_pattern(spec.get("with_any") or []), strength=float(spec["strength"]),
            explain=(spec.get("explain") or "").strip(), line=b.located.line_of(("prohibited", i))))
    for ident_id, spec in (data.get("identifiers") or {}).items():
        where = ("identifiers", ident_id)
        pattern = b.regex(spec["pattern"], (*where, "pattern"))
        if pattern is None:
            continue
        groups = set(pattern.groupindex)
        if "min_year" in spec and "year" not in groups:
            b.problem((*where, "min_year"), "the pattern has no (?P<year>...) group to compare with")
        suspects = []
        for i, s in enumerate(spec.get("suspect") or []):
            for group in s["when"]:
                if group not in groups:
                    b.problem((*where, "suspect", i, "when", group), f"the pattern has no (?P<{group}>...) group")
            if "year_from" in s and "year" not in groups:
                b.problem((*where, "suspect", i, "year_from"), "the pattern has no (?P<year>...) group")
            suspects.append(Suspect(
                when={g: tuple(v.upper() for v in vals) for g, vals in s["when"].items()},
                year_from=s.get("year_from"), signal=s.get("signal", "regulatory_legacy"),
                strength=float(s.get("strength", 0.8)), explain=s.get("explain", "").strip(),
                line=b.located.line_of((*where, "suspect", i))))
        checks.identifiers[ident_id] = Identifier(
            id=ident_id, name=spec["name"], pattern=pattern, loose=b.regex(spec.get("loose"), (*where, "loose")),
            labels=tuple(fold_name(x) for x in spec.get("labels") or []),
            context=b.regex(spec.get("context"), (*where, "context")),
            context_window=int(spec.get("context_window", 20)), min_year=spec.get("min_year"),
            superseded_by=tuple(spec.get("superseded_by") or ()),
            legacy_strength=float(spec.get("legacy_strength", 0.8)), suspect=tuple(suspects),
            line=b.located.line_of(where))
    idents = checks.identifiers
    for ident_id, spec in (data.get("identifiers") or {}).items():
        b.known(spec.get("superseded_by"), idents, ("identifiers", ident_id, "superseded_by"))

    not_required = [w for item in data.get("not_required") or [] for w in item["words"]]
    checks.not_required = word_pattern(not_required)
    checks.not_required_names = tuple(item["name"] for item in data.get("not_required") or [])

    for i, spec in enumerate(data.get("requirements") or []):
        where = ("requirements", i)
        applies = spec.get("applies_to") or {}
        checks.requirements.append(Requirement(
            id=spec["id"], name=spec.get("name", spec["id"]),
            requires=b.known(spec["requires"], idents, (*where, "requires")), strength=float(spec["strength"]),
            signal=spec.get("signal", "regulatory_missing"), words=b.words(applies.get("words")),
            attributes=tuple(fold_name(a) for a in applies.get("attributes") or []),
            unless=b.words(spec.get("unless")), exempt=b.words(spec.get("exempt")),
            exempt_strength=float(spec.get("exempt_strength", 0.5)), accepts_words=b.words(spec.get("accepts_words")),
            explain=(spec.get("explain") or "").strip(), line=b.located.line_of(where),
            absence_strength=(float(spec["absence_strength"]) if "absence_strength" in spec else None),
            denial_words=b.words((spec.get("denials") or {}).get("words")),
            denial_attributes=tuple(fold_name(a) for a in (spec.get("denials") or {}).get("attributes") or [])))

    for i, spec in enumerate(data.get("cross_checks") or []):
        where = ("cross_checks", i)
        b.known([spec["identifier"], spec["against"]], idents, (*where, "identifier"))
        against = idents.get(spec["against"])
        rules = []
        for j, r in enumerate(spec["rules"]):
            lo, _, hi = r["positions"].partition("-")
            start, end = int(lo) - 1, int(hi or lo)
            if end <= start:
                b.problem((*where, "rules", j, "positions"), f"{r['positions']!r}: the range is empty")
            group = r.get("equals_group")
            if group and against is not None and group not in against.pattern.groupindex:
                b.problem((*where, "rules", j, "equals_group"),
                          f"identifier {spec['against']!r} has no (?P<{group}>...) group")
            rules.append(CrossRule(start=start, end=end, equals_group=group,
                                   map={k.upper(): v for k, v in (r.get("map") or {}).items()},
                                   equals_last_digits=bool(r.get("equals_last_digits")),
                                   one_of=tuple(r.get("one_of") or ()), describe=r.get("describe", "")))
        checks.cross_checks.append(CrossCheck(
            id=spec["id"], name=spec.get("name", spec["id"]), identifier=spec["identifier"], against=spec["against"],
            strength=float(spec.get("strength", 0.85)), rules=tuple(rules), line=b.located.line_of(where)))

    sc = data.get("special_claims")
    if sc:
        where = ("special_claims",)
        checks.special_claims = SpecialClaims(
            requires=b.known(sc["requires"], idents, (*where, "requires")),
            ordinary=b.known(sc.get("ordinary"), idents, (*where, "ordinary")),
            claims=tuple(Claim(cid, c.get("name", cid), word_pattern(c["words"])) for cid, c in sc["claims"].items()),
            strength=float(sc.get("strength", 0.85)), strength_without_any=float(sc.get("strength_without_any", 0.6)),
            exempt=b.words(sc.get("exempt")), line=b.located.line_of(where))

    tn = data.get("three_no")
    if tn:
        where = ("three_no",)

        def side(name):
            spec = tn.get(name) or {}
            pats = [b.regex(p, (*where, name, "patterns", k)) for k, p in enumerate(spec.get("patterns") or [])]
            return Side(tuple(fold_name(a) for a in spec.get("attributes") or []), tuple(p for p in pats if p))

        checks.three_no = ThreeNo(
            manufacturer=side("manufacturer"), address=side("address"),
            licences=b.known(tn.get("licences"), idents, (*where, "licences")), admissions=b.words(tn.get("admissions")), loose=b.words(tn.get("loose")), exempt=b.words(tn.get("exempt")),
            strength_all=float(tn.get("strength_all", 0.9)), strength_two=float(tn.get("strength_two", 0.5)),
            strength_absent=float(tn.get("strength_absent", 0.3)),
            brand_attributes=tuple(fold_name(a) for a in tn.get("brand_attributes") or ["品牌", "brand"]),
            no_brand=tuple(fold_name(v) for v in tn.get("no_brand") or []),
            line=b.located.line_of(where))
    return checks


def load_check_file(path: Path) -> CategoryChecks:
    """One ``rules/checks/<category>.yaml``; raises YamlError naming file, line and field."""
    located = load_located(path)
    if located.data is None:
        raise YamlError(path, [(1, "", "the file is empty")], "Give at least `category:` and `identifiers:`.")
    problems = schema_problems(located, SCHEMA)
    if problems:
        raise YamlError(path, problems, "Fix the check file; none of its checks were used.")
    builder = _Builder(located)
    checks = _build(located.data, Path(path), builder)
    if builder.problems:
        raise YamlError(path, builder.problems, "Fix the check file; none of its checks were used.")
    return checks


def load_checks(rules_dir: Path) -> Checks:
    """All ``rules_dir/checks/*.yaml``; a missing folder means no category checks."""
    folder = Path(rules_dir) / "checks"
    out = Checks()
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        checks = load_check_file(path)
        if checks.category in seen:
            raise YamlError(path, [(1, "category", f"{checks.category!r} is already checked by {seen[checks.category].name}; "
                                                    "merge the two files")])
        seen[checks.category] = path
        out.categories[checks.category] = checks
    return out


__all__ = ["Checks", "CategoryChecks", "Identifier", "Requirement", "CrossCheck", "SpecialClaims", "ThreeNo",
           "fold", "fold_name", "word_pattern", "is_word_pattern", "any_of", "find_words", "load_checks", "load_check_file"]
