"""The per-category regulatory checks (``rules/checks/<category>.yaml``), loaded and validated.

Every problem names file, line and field; a broken file raises :class:`YamlError` and
nothing of it is used. The checks themselves run in :mod:`monitor.rules.regulatory`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from monitor.rules.check_schema import SCHEMA
from monitor.rules.explain import Msg, Words
from monitor.rules.normalise import fold, fold_name
from monitor.rules.words import word_pattern
from monitor.yamlfile import LocatedYaml, YamlError, load_located, schema_problems

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
    def positions(self) -> Msg:
        """Which digits, in the reader's words ("digits 2–7", "第 2–7 位")."""
        if self.end - self.start == 1:
            return Msg("digit %(n)s", n=self.start + 1)
        return Msg("digits %(first)s–%(last)s", first=self.start + 1, last=self.end)


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
    """The checks of one validated file, section by section (problems in file order)."""
    checks = CategoryChecks(category=data.get("category") or path.stem, path=path,
                            currencies=tuple(data.get("currencies") or ()))
    checks.prohibited = [_prohibited(spec, ("prohibited", i), b) for i, spec in enumerate(data.get("prohibited") or [])]
    checks.identifiers = _identifiers(data.get("identifiers") or {}, b)
    idents = checks.identifiers
    not_required = [w for item in data.get("not_required") or [] for w in item["words"]]
    checks.not_required = word_pattern(not_required)
    checks.not_required_names = tuple(_words(item, "name") for item in data.get("not_required") or [])
    checks.requirements = [_requirement(spec, ("requirements", i), idents, b)
                           for i, spec in enumerate(data.get("requirements") or [])]
    checks.cross_checks = [_cross_check(spec, ("cross_checks", i), idents, b)
                           for i, spec in enumerate(data.get("cross_checks") or [])]
    if data.get("special_claims"):
        checks.special_claims = _special_claims(data["special_claims"], ("special_claims",), idents, b)
    if data.get("three_no"):
        checks.three_no = _three_no(data["three_no"], ("three_no",), idents, b)
    return checks


def _words(spec: dict, key: str, default: str = "") -> Words:
    """A field shown to people with its Chinese beside it (``name`` and ``name_zh``); the English
    as it always was read (an ``explain`` stripped, a name as written)."""
    en, zh = spec.get(key, default) or "", (spec.get(f"{key}_zh") or "").strip()
    return Words(en.strip() if key == "explain" else en, zh)


def _prohibited(spec: dict, where: tuple, b: _Builder) -> Prohibited:
    return Prohibited(
        id=spec["id"], name=_words(spec, "name", spec["id"]), words=word_pattern(spec["words"]),
        with_any=word_pattern(spec.get("with_any") or []), strength=float(spec["strength"]),
        explain=_words(spec, "explain"), line=b.located.line_of(where))


def _identifiers(specs: dict, b: _Builder) -> dict[str, Identifier]:
    """The identifiers (an identifier whose pattern does not compile is left out, its problem
    recorded), then their ``superseded_by`` checked against all of them."""
    idents: dict[str, Identifier] = {}
    for ident_id, spec in specs.items():
        where = ("identifiers", ident_id)
        pattern = b.regex(spec["pattern"], (*where, "pattern"))
        if pattern is None:
            continue
        groups = set(pattern.groupindex)
        if "min_year" in spec and "year" not in groups:
            b.problem((*where, "min_year"), "the pattern has no (?P<year>...) group to compare with")
        suspects = tuple(_suspect(s, (*where, "suspect", i), groups, b) for i, s in enumerate(spec.get("suspect") or []))
        idents[ident_id] = Identifier(
            id=ident_id, name=_words(spec, "name"), pattern=pattern, loose=b.regex(spec.get("loose"), (*where, "loose")),
            labels=tuple(fold_name(x) for x in spec.get("labels") or []),
            context=b.regex(spec.get("context"), (*where, "context")),
            context_window=int(spec.get("context_window", 20)), min_year=spec.get("min_year"),
            superseded_by=tuple(spec.get("superseded_by") or ()),
            legacy_strength=float(spec.get("legacy_strength", 0.8)), suspect=suspects,
            line=b.located.line_of(where))
    for ident_id, spec in specs.items():
        b.known(spec.get("superseded_by"), idents, ("identifiers", ident_id, "superseded_by"))
    return idents


def _suspect(s: dict, where: tuple, groups: set[str], b: _Builder) -> Suspect:
    for group in s["when"]:
        if group not in groups:
            b.problem((*where, "when", group), f"the pattern has no (?P<{group}>...) group")
    if "year_from" in s and "year" not in groups:
        b.problem((*where, "year_from"), "the pattern has no (?P<year>...) group")
    return Suspect(
        when={g: tuple(v.upper() for v in vals) for g, vals in s["when"].items()},
        year_from=s.get("year_from"), signal=s.get("signal", "regulatory_legacy"),
        strength=float(s.get("strength", 0.8)), explain=_words(s, "explain"),
        line=b.located.line_of(where))


def _requirement(spec: dict, where: tuple, idents: dict, b: _Builder) -> Requirement:
    applies = spec.get("applies_to") or {}
    denials = spec.get("denials") or {}
    return Requirement(
        id=spec["id"], name=_words(spec, "name", spec["id"]),
        requires=b.known(spec["requires"], idents, (*where, "requires")), strength=float(spec["strength"]),
        signal=spec.get("signal", "regulatory_missing"), words=b.words(applies.get("words")),
        attributes=tuple(fold_name(a) for a in applies.get("attributes") or []),
        unless=b.words(spec.get("unless")), exempt=b.words(spec.get("exempt")),
        exempt_strength=float(spec.get("exempt_strength", 0.5)), accepts_words=b.words(spec.get("accepts_words")),
        explain=_words(spec, "explain"), line=b.located.line_of(where),
        absence_strength=(float(spec["absence_strength"]) if "absence_strength" in spec else None),
        denial_words=b.words(denials.get("words")),
        denial_attributes=tuple(fold_name(a) for a in denials.get("attributes") or []))


def _cross_check(spec: dict, where: tuple, idents: dict, b: _Builder) -> CrossCheck:
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
                               one_of=tuple(r.get("one_of") or ()), describe=_words(r, "describe")))
    return CrossCheck(
        id=spec["id"], name=_words(spec, "name", spec["id"]), identifier=spec["identifier"], against=spec["against"],
        strength=float(spec.get("strength", 0.85)), rules=tuple(rules), line=b.located.line_of(where))


def _special_claims(sc: dict, where: tuple, idents: dict, b: _Builder) -> SpecialClaims:
    return SpecialClaims(
        requires=b.known(sc["requires"], idents, (*where, "requires")),
        ordinary=b.known(sc.get("ordinary"), idents, (*where, "ordinary")),
        claims=tuple(Claim(cid, _words(c, "name", cid), word_pattern(c["words"])) for cid, c in sc["claims"].items()),
        strength=float(sc.get("strength", 0.85)), strength_without_any=float(sc.get("strength_without_any", 0.6)),
        exempt=b.words(sc.get("exempt")), line=b.located.line_of(where))


def _three_no(tn: dict, where: tuple, idents: dict, b: _Builder) -> ThreeNo:
    def side(name):
        spec = tn.get(name) or {}
        pats = [b.regex(p, (*where, name, "patterns", k)) for k, p in enumerate(spec.get("patterns") or [])]
        return Side(tuple(fold_name(a) for a in spec.get("attributes") or []), tuple(p for p in pats if p))

    return ThreeNo(
        manufacturer=side("manufacturer"), address=side("address"),
        licences=b.known(tn.get("licences"), idents, (*where, "licences")), admissions=b.words(tn.get("admissions")),
        loose=b.words(tn.get("loose")), exempt=b.words(tn.get("exempt")),
        strength_all=float(tn.get("strength_all", 0.9)), strength_two=float(tn.get("strength_two", 0.5)),
        strength_absent=float(tn.get("strength_absent", 0.3)),
        brand_attributes=tuple(fold_name(a) for a in tn.get("brand_attributes") or ["品牌", "brand"]),
        no_brand=tuple(fold_name(v) for v in tn.get("no_brand") or []),
        line=b.located.line_of(where))


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
           "load_checks", "load_check_file"]
