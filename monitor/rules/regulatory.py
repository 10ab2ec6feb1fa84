"""Regulatory signals: identifiers missing, malformed, inconsistent or legacy; special claims; CCC; 三无.

Identifiers are found by their format (``rules/checks/<category>.yaml``) anywhere in the
title, brand, description and attribute values, whatever the shop calls the attribute,
after full-width digits and brackets are folded to ASCII. The listing's ``category``
picks the checks; a listing without one gets none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from monitor.rules.checks import CategoryChecks, Checks, Identifier, Requirement
from monitor.rules.normalise import fold, fold_name
from monitor.rules.signals import Evidence, ListingTexts, Signal, listing_texts, span, text_fields
from monitor.rules.words import any_of, word_prefilter

# Values a shop writes where it has nothing: "无", "暂无", "见包装" ...
_NOTHING = re.compile(r"^[\s\-—/]*(?:无|暂无|没有|不详|未知|见包装|详见包装|见图|见详情|n/?a|none|null|-)?[\s\-—/。.]*$", re.I)
_DIGIT = re.compile(r"\d")
# Attribute values that deny having the certificate: "无", "否", "没有", "none", "no"
_DENIED = re.compile(r"^[\s\-—/]*(?:无|否|没有|不带|暂无|未认证|none|no|n/?a)[\s\-—/。.]*$", re.I)
_SPACES = re.compile(r"\s+")


@dataclass
class Found:
    """One identifier found in one field."""

    ident: Identifier
    field: str
    start: int
    end: int
    text: str
    groups: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        value = self.groups.get("year")
        return int(value) if value and value.isdigit() else None


class _Listing:
    """One listing under one category's checks: its texts folded once (shared with the other
    checks of the listing through :func:`listing_texts`), the product fields, and every word
    list's matches, each found once however many checks ask."""

    __slots__ = ("listing", "checks", "texts", "fields", "_product", "_words", "vouched")

    def __init__(self, listing: dict, checks: CategoryChecks, vouched: str | None = None):
        self.listing = listing
        self.checks = checks
        self.vouched = vouched  # why a number not shown is no reason for suspicion (the brand's own store)
        self.texts: ListingTexts = listing_texts(listing)
        self.fields = self.texts.content  # title, brand, description, attribute values
        self._product: list[tuple[str, str]] | None = None
        self._words: dict = {}

    @property
    def product(self) -> list[tuple[str, str]]:
        if self._product is None:
            self._product = _product_fields(self.listing, self.checks, self.texts)
        return self._product

    def words(self, pattern: re.Pattern | None, product: bool) -> list[tuple[str, int, int]]:
        """``_words_in(pattern, product fields or all fields)``, found once per listing."""
        if pattern is None:
            return []
        key = (id(pattern), product)
        hit = self._words.get(key)
        if hit is None or hit[0] is not pattern:
            fields = self.product if product else self.fields
            texts = self.texts
            out: list[tuple[str, int, int]] = []
            # Every match of a word pattern contains a word of its prefilter, so no such word
            # in the fields (joined by newlines) means no match in any field.
            prefilter = word_prefilter(pattern)
            if fields and (prefilter is None or prefilter.search(texts.joined(fields))):
                for fld, _ in fields:
                    for m in pattern.finditer(texts.folded(fld)):
                        out.append((fld, m.start(), m.end()))
            hit = self._words[key] = (pattern, out)
        return hit[1]

    def span(self, field_name: str, start: int, end: int) -> Evidence:
        return self.texts.span(self.listing, field_name, start, end)


def _fields(listing: dict) -> list[tuple[str, str]]:
    return [(f, t) for f, t in text_fields(listing) if f != "seller_name"]


def _product_fields(listing: dict, checks: CategoryChecks | None = None,
                    texts: ListingTexts | None = None) -> list[tuple[str, str]]:
    """Where product words are looked for: the title and attribute values, except the
    manufacturer's name and address ("山东路腾轮胎有限公司" does not make a listing a tyre)."""
    skip: tuple[str, ...] = ()
    if checks is not None and checks.three_no is not None:
        skip = checks.three_no.manufacturer.attributes + checks.three_no.address.attributes
    out = []
    for f, t in (texts.fields if texts is not None else text_fields(listing)):
        if f == "title":
            out.append((f, t))
        elif f.startswith("attributes."):
            folded = fold_name(f[11:])
            if not any(a in folded for a in skip):
                out.append((f, t))
    return out


def _attr_name(field_name: str) -> str | None:
    return field_name.split(".", 1)[1] if field_name.startswith("attributes.") else None


def _where(field_name: str) -> str:
    name = _attr_name(field_name)
    return f"attribute {name}" if name else field_name


def _words_in(pattern: re.Pattern | None, fields: list[tuple[str, str]]) -> list[tuple[str, int, int]]:
    if pattern is None:
        return []
    out = []
    for fld, text in fields:
        out += [(fld, m.start(), m.end()) for m in pattern.finditer(fold(text))]
    return out


def find_identifiers(listing: dict, checks: CategoryChecks) -> tuple[list[Found], list[Signal]]:
    """Every identifier of the category in the listing, and malformed-looking candidates."""
    return _find_identifiers(_Listing(listing, checks))


def _find_in_field(ctx: _Listing, fld: str, text: str, folded: str, idents: list[Identifier],
                   named: list[tuple[bool, bool]], found: list[Found], malformed: list[Signal],
                   strict_spans: list[tuple[int, int]]) -> None:
    """The identifiers (``found``) and malformed candidates (``malformed``) of one field."""
    source = ctx.checks.source
    for ident, (is_label, in_context) in zip(idents, named):
        labelled = is_label or in_context
        for m in ident.pattern.finditer(folded):
            if ident.context and not labelled:
                before = folded[max(0, m.start() - ident.context_window):m.start()]
                if not ident.context.search(before):
                    continue
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            found.append(Found(ident, fld, m.start(), m.end(), text[m.start():m.end()], groups))
            strict_spans.append(m.span())
    for ident, (labelled, _) in zip(idents, named):
        if ident.loose is None:
            continue
        for m in ident.loose.finditer(folded):
            if any(s < m.end() and m.start() < e for s, e in strict_spans):
                continue
            if ident.context and not labelled and not ident.context.search(
                    folded[max(0, m.start() - ident.context_window):m.start()]):
                continue
            strict_spans.append(m.span())
            malformed.append(Signal(
                "regulatory_malformed", "regulatory", 0.9,
                f'"{m.group(0).strip()}" in {_where(fld)} looks like a {ident.name} but does not have its format '
                f"({source}, identifier {ident.id}, line {ident.line})",
                [ctx.span(fld, m.start(), m.end())], details={"identifier": ident.id}))


def _find_identifiers(ctx: _Listing) -> tuple[list[Found], list[Signal]]:
    listing, checks, texts = ctx.listing, ctx.checks, ctx.texts
    found: list[Found] = []
    malformed: list[Signal] = []
    source = checks.source
    idents = list(checks.identifiers.values())
    # matches in a field when some identifier's pattern or loose pattern does
    anything = any_of(tuple(p for i in idents for p in (i.pattern, i.loose) if p is not None)) if idents else None
    for fld, text in ctx.fields:
        folded = texts.upper(fld)
        attr = _attr_name(fld)
        strict_spans: list[tuple[int, int]] = []
        # the attribute's name is context too: "证书: 2021011105012345"
        named = [ident.attribute_context(attr) for ident in idents] if attr else [(False, False)] * len(idents)
        if anything is None or anything.search(folded):
            _find_in_field(ctx, fld, text, folded, idents, named, found, malformed, strict_spans)
        if attr:
            labels = [i for i, (is_label, _) in zip(idents, named) if is_label]
            if labels and not strict_spans and _DIGIT.search(folded):
                malformed.append(Signal(
                    "regulatory_malformed", "regulatory", 0.9,
                    f'Attribute {attr} holds "{text.strip()}", which is not a valid '
                    f"{' or '.join(i.name for i in labels)} ({source})",
                    [ctx.span(fld, 0, len(text))], details={"identifier": [i.id for i in labels]}))
    this_year = date.today().year
    for f in found:
        year = f.year
        if year is not None and ((f.ident.min_year and year < f.ident.min_year) or year > this_year + 1):
            malformed.append(Signal(
                "regulatory_malformed", "regulatory", 0.9,
                f'{f.ident.name} "{f.text}" in {_where(f.field)} gives the year {year}, which cannot be right '
                f"(expected {f.ident.min_year or 'any'} to {this_year + 1}; {source})",
                [ctx.span(f.field, f.start, f.end)], details={"identifier": f.ident.id}))
    return found, malformed


def _malformed_ids(malformed: list[Signal]) -> set[str]:
    out: set[str] = set()
    for s in malformed:
        ident = s.details.get("identifier")
        out.update(ident if isinstance(ident, list) else [ident])
    return out


def _fill(template: str, values: dict) -> str:
    """``{name}`` placeholders from the match; unknown ones stay as written."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def _legacy_signals(ctx: _Listing, found: list[Found]) -> list[Signal]:
    checks = ctx.checks
    out = []
    kinds = {f.ident.id for f in found}
    for f in found:
        for rule in f.ident.suspect:
            if any((f.groups.get(g) or "").upper() not in values for g, values in rule.when.items()):
                continue
            if rule.year_from is not None and (f.year is None or f.year < rule.year_from):
                continue
            why = _fill(rule.explain, {**f.groups, "year": f.year}) if rule.explain else "this number is suspect"
            out.append(Signal(rule.signal, "regulatory", rule.strength,
                              f'{f.ident.name} "{f.text}" in {_where(f.field)}: {why} ({checks.source} line {rule.line})',
                              [ctx.span(f.field, f.start, f.end)], details={"identifier": f.ident.id}))
    reported = set()
    for f in found:
        ident = f.ident
        if not ident.superseded_by or ident.id in reported or kinds & set(ident.superseded_by):
            continue
        reported.add(ident.id)
        current = " or ".join(checks.identifiers[i].name for i in ident.superseded_by if i in checks.identifiers)
        out.append(Signal("regulatory_legacy", "regulatory", ident.legacy_strength,
                          f'Only a legacy number is shown: {ident.name} "{f.text}" in {_where(f.field)}; a product on '
                          f"sale today shows a current {current} ({checks.source} line {ident.line})",
                          [ctx.span(f.field, f.start, f.end)], details={"identifier": ident.id}))
    return out


def _applies(ctx: _Listing, req: Requirement) -> tuple[bool, list[Evidence], list[Evidence]]:
    """(applies, trigger evidence, exempt evidence) of one requirement for this listing."""
    listing = ctx.listing
    everywhere = req.words is None and not req.attributes
    words = ctx.words(req.words, True)
    exempt_words = ctx.words(req.exempt, True)
    if not everywhere and not words and not exempt_words and not req.attributes:
        return False, [], []  # nothing makes it apply (the same answer as below, found sooner)
    if ctx.words(req.unless, True) or ctx.words(ctx.checks.not_required, True):
        return False, [], []
    triggers = [ctx.span(f, s, e) for f, s, e in words]
    if req.attributes:
        for name in listing.get("attributes") or {}:
            folded = fold_name(name)
            if any(a in folded for a in req.attributes):
                value = str(listing["attributes"][name] or "")
                triggers.append(span(listing, f"attributes.{name}", 0, len(value)))
    exempt = [ctx.span(f, s, e) for f, s, e in exempt_words]
    if everywhere:
        title = listing.get("title") or ""
        return True, ([span(listing, "title", 0, len(title))] if title else []), exempt
    return bool(triggers or exempt), triggers, exempt


def _names(checks: CategoryChecks, ids) -> str:
    return " or ".join(checks.identifiers[i].name for i in ids if i in checks.identifiers)


def _quote(evidence: list[Evidence]) -> str:
    words = list(dict.fromkeys(f'"{e.text}" in {_where(e.field)}' for e in evidence[:3]))
    return ", ".join(words)


def _requirement_signals(ctx: _Listing, found: list[Found], malformed_ids: set[str]) -> list[Signal]:
    checks = ctx.checks
    out: list[Signal] = []
    kinds = {f.ident.id for f in found}
    legacy_for = {s for f in found for s in f.ident.superseded_by}
    decided: set[frozenset] = set()
    for req in checks.requirements:
        key = frozenset(req.requires)
        if key in decided:
            continue
        applies, triggers, exempt = _applies(ctx, req)
        if not applies:
            continue
        decided.add(key)
        if kinds & key or malformed_ids & key or legacy_for & key:
            continue  # present, or already reported as malformed / legacy
        denied = _denials(ctx, req)
        if ctx.words(req.accepts_words, False) and not denied:
            continue  # "3C认证" said, but not "无3C"
        if exempt:
            out.append(Signal(
                "exempt_product", "mitigating", req.exempt_strength,
                f"{_quote(exempt)}: this kind of product is exempt from the {_names(checks, req.requires)} "
                f"({checks.source}, requirement {req.id}, line {req.line})",
                exempt[:3], details={"requirement": req.id}))
            continue
        if req.words is None and not req.attributes:
            what = f"A listing in {checks.category} ({req.name})"
        else:
            what = f"{_quote(triggers)} makes this {req.name}, which"
        where = f" ({checks.source}, requirement {req.id}, line {req.line})"
        why = f" Why: {req.explain}." if req.explain else ""
        details = {"requirement": req.id, "requires": list(req.requires)}
        if denied:
            out.append(Signal(
                req.signal, "regulatory", req.strength,
                f"{what} needs a {_names(checks, req.requires)}, and the listing says it has none: "
                f"{_quote(denied)}.{why}{where}", (denied + triggers)[:3], details={**details, "denied": True}))
            continue
        if ctx.vouched:
            out.append(_not_shown(f"{what} needs a {_names(checks, req.requires)}; none is shown, which is usual "
                                  f"when {ctx.vouched}{where}", triggers[:3], details))
            continue
        strength = req.strength if req.absence_strength is None else req.absence_strength
        out.append(Signal(
            req.signal, "regulatory", strength,
            f"{what} needs a {_names(checks, req.requires)}; none was found in the "
            f"title, description or attributes.{why}{where}", triggers[:3], details=details))
    return out


def _not_shown(explanation: str, evidence: list[Evidence], details: dict) -> Signal:
    """A number not shown where the seller's standing explains it: context for the analyst, no score."""
    return Signal("regulatory_not_shown", "context", 1.0, explanation, evidence, details=details)


def _denials(ctx: _Listing, req: Requirement) -> list[Evidence]:
    """Where the listing says it has no such number or certificate (无3C, "3C认证: 无")."""
    out = [ctx.span(f, s, e) for f, s, e in ctx.words(req.denial_words, False)]
    if req.denial_attributes:
        for name, value in (ctx.listing.get("attributes") or {}).items():
            if any(a in fold_name(name) for a in req.denial_attributes) and _DENIED.match(str(value or "")):
                out.append(span(ctx.listing, f"attributes.{name}", 0, len(str(value or ""))))
    return out


def _prohibited_signals(ctx: _Listing) -> list[Signal]:
    out = []
    for rule in ctx.checks.prohibited:
        hits = ctx.words(rule.words, False)
        if not hits or (rule.with_any is not None and not ctx.words(rule.with_any, False)):
            continue
        evidence = [ctx.span(f, s, e) for f, s, e in hits[:3]]
        if rule.with_any is not None:
            evidence += [ctx.span(f, s, e) for f, s, e in ctx.words(rule.with_any, False)[:2]]
        out.append(Signal("regulatory_prohibited", "regulatory", rule.strength,
                          f"{rule.name}: {_quote(evidence)}" + (f". Why: {rule.explain}." if rule.explain else "")
                          + f" ({ctx.checks.source}, prohibited {rule.id}, line {rule.line})",
                          evidence, details={"prohibited": rule.id}))
    return out


def _cross_signals(ctx: _Listing, found: list[Found]) -> list[Signal]:
    checks = ctx.checks
    out = []
    for cc in checks.cross_checks:
        codes = [f for f in found if f.ident.id == cc.identifier]
        regs = [f for f in found if f.ident.id == cc.against]
        for code in codes:
            label = _attr_name(code.field) or code.ident.name
            digits = re.sub(r"\D", "", code.text)
            best: list[str] | None = None
            best_reg = None
            for reg in regs or [None]:
                failures = []
                for rule in cc.rules:
                    seg = digits[rule.start:rule.end]
                    if rule.one_of:
                        if seg not in rule.one_of:
                            failures.append(f'{label} {rule.positions} is "{seg}", expected {" or ".join(rule.one_of)}'
                                            + (f" ({rule.describe})" if rule.describe else ""))
                    elif reg is None:
                        continue
                    elif rule.equals_last_digits:
                        n = rule.end - rule.start
                        expected = re.sub(r"\D", "", reg.text)[-n:]
                        if seg != expected:
                            failures.append(f'{label} {rule.positions} "{seg}" do not match the last {n} digits of '
                                            f'registration {reg.text} ("{expected}")')
                    elif rule.equals_group:
                        value = (reg.groups.get(rule.equals_group) or "").upper()
                        expected = (rule.map or {}).get(value)
                        if expected is not None and seg != expected:
                            failures.append(f'{label} {rule.positions} is "{seg}", but registration {reg.text} '
                                            f'({value}) needs "{expected}"'
                                            + (f" ({rule.describe})" if rule.describe else ""))
                if best is None or len(failures) < len(best):
                    best, best_reg = failures, reg
                if not failures:
                    break
            if best:
                evidence = [ctx.span(code.field, code.start, code.end)]
                if best_reg is not None:
                    evidence.append(ctx.span(best_reg.field, best_reg.start, best_reg.end))
                out.append(Signal("regulatory_inconsistent", "regulatory", cc.strength,
                                  "; ".join(best) + f" ({checks.source}, cross-check {cc.id}, line {cc.line})",
                                  evidence, details={"cross_check": cc.id, "failures": best}))
    return out


def _claim_signals(ctx: _Listing, found: list[Found]) -> tuple[list[Signal], list[Evidence]]:
    checks = ctx.checks
    sc = checks.special_claims
    if sc is None:
        return [], []
    claims = []
    for claim in sc.claims:
        hits = [ctx.span(f, s, e) for f, s, e in ctx.words(claim.words, True)]
        if hits:
            claims.append((claim, hits))
    if not claims:
        return [], []
    exempt = [ctx.span(f, s, e) for f, s, e in ctx.words(sc.exempt, False)]
    if exempt:
        return [], exempt
    if any(f.ident.id in sc.requires for f in found):
        return [], []
    ordinary = [f for f in found if f.ident.id in sc.ordinary]
    names = ", ".join(c.name for c, _ in claims)
    evidence = [hits[0] for _, hits in claims]
    said = _quote(evidence)
    needed = _names(checks, sc.requires)
    if ordinary:
        o = ordinary[0]
        evidence.append(ctx.span(o.field, o.start, o.end))
        text = (f"The listing claims {names} ({said}) but shows only an ordinary filing {o.text} "
                f"({o.ident.name}); such claims need a {needed}")
        strength = sc.strength
    else:
        text = f"The listing claims {names} ({said}) and shows no {needed}, which such claims need"
        strength = sc.strength_without_any
        if ctx.vouched:
            return [_not_shown(f"{text}; not shown, which is usual when {ctx.vouched} ({checks.source} line {sc.line})",
                               evidence, {"claims": [c.id for c, _ in claims]})], []
    return [Signal("regulatory_special_claim", "regulatory", strength,
                   f"{text} ({checks.source} line {sc.line})", evidence,
                   details={"claims": [c.id for c, _ in claims], "ordinary_only": bool(ordinary)})], []


def _has_side(ctx: _Listing, side, other_side) -> bool:
    for name, value in (ctx.listing.get("attributes") or {}).items():
        folded = fold_name(name)
        if any(a in folded for a in other_side.attributes) and not any(a == folded for a in side.attributes):
            continue  # e.g. "Manufacturer address" is an address, not a manufacturer
        if any(a in folded for a in side.attributes) and not _NOTHING.match(str(value or "")):
            return True
    if side.patterns:
        for fld, _ in ctx.fields:
            folded = ctx.texts.folded(fld)
            if any(p.search(folded) for p in side.patterns):
                return True
    return False


def _has_brand(ctx: _Listing, tn) -> bool:
    """Whether the listing names a brand (the brand field or a brand attribute, not 无品牌 / 其他)."""
    values = [ctx.listing.get("brand")]
    values += [v for k, v in (ctx.listing.get("attributes") or {}).items() if any(a in fold_name(k) for a in tn.brand_attributes)]
    for value in values:
        text = str(value or "").strip()
        if not text or _NOTHING.match(text):
            continue
        folded = fold_name(text)
        if any(folded == v or folded.startswith(v) for v in tn.no_brand):
            continue
        return True
    return False


def _three_no_signal(ctx: _Listing, found: list[Found]) -> list[Signal]:
    """三无: a product of unknown origin. A short text that leaves out the maker is not one:
    real listings, brands' own stores included, rarely state the maker; it takes a listing
    that names no brand, no maker, no address and no number, or says so itself (无厂名厂址)."""
    listing, checks = ctx.listing, ctx.checks
    tn = checks.three_no
    if tn is None or ctx.words(tn.exempt, False):
        return []
    admitted = [ctx.span(f, s, e) for f, s, e in ctx.words(tn.admissions, False)]
    if not admitted:
        if ctx.vouched or _has_brand(ctx, tn) or _has_side(ctx, tn.manufacturer, tn.address) \
                or _has_side(ctx, tn.address, tn.manufacturer):
            return []
        licences = set(tn.licences or checks.identifiers)
        if any(f.ident.id in licences for f in found):
            return []
    loose = [] if admitted else [ctx.span(f, s, e) for f, s, e in ctx.words(tn.loose, False)]
    admitted = admitted or loose
    parts = ["no brand", "no manufacturer name", "no address", "no licence or registration number"]
    title = listing.get("title") or ""
    evidence = admitted[:3] or ([span(listing, "title", 0, len(title))] if title else [])
    said = f"; it says {_quote(admitted)}" if admitted else ""
    return [Signal("regulatory_three_no", "regulatory", tn.strength_all if admitted else tn.strength_absent,
                   f"A \"三无\" product of unknown origin{said}" if admitted else
                   f"A \"三无\" product of unknown origin: {', '.join(parts)} in the title, description or attributes"
                   f" ({checks.source} line {tn.line})", evidence,
                   details={"missing": [] if admitted else parts, "admitted": bool(admitted)})]


def regulatory_signals(listing: dict, checks: Checks, vouched: str | None = None) -> list[Signal]:
    """All regulatory signals of one listing under its category's checks.

    ``vouched`` says why the seller's standing explains a number not shown (the brand's own
    store, an authorised seller): absence is then context, not a signal. A listing priced in
    a currency outside the checks' market (``currencies``) gets none: the rules are China's.
    """
    category = checks.get(listing.get("category")) if checks else None
    if category is None:
        return []
    currency = str(listing.get("currency") or "").upper()
    if category.currencies and currency and currency not in category.currencies:
        return []
    ctx = _Listing(listing, category, vouched)
    found, malformed = _find_identifiers(ctx)
    signals = list(malformed)
    signals += _prohibited_signals(ctx)
    signals += _legacy_signals(ctx, found)
    signals += _cross_signals(ctx, found)
    claim_signals, claim_exempt = _claim_signals(ctx, found)
    signals += claim_signals
    requirement_signals = _requirement_signals(ctx, found, _malformed_ids(malformed))
    signals += requirement_signals
    if claim_exempt and not any(s.name == "exempt_product" for s in requirement_signals):
        signals.append(Signal("exempt_product", "mitigating", 0.5,
                              f"{_quote(claim_exempt)}: a cross-border import, not registered in China "
                              f"({category.source}, special_claims.exempt)", claim_exempt[:3]))
    signals += _three_no_signal(ctx, found)
    return _merge(signals)


def _merge(signals: list[Signal]) -> list[Signal]:
    """One signal per fact: the same number shown in the title and an attribute is one finding."""
    out: list[Signal] = []
    seen: dict[tuple, Signal] = {}
    for s in signals:
        texts = tuple(sorted({_SPACES.sub("", fold(e.text, lower=False)) for e in s.evidence[:1]}))
        key = (s.name, str(s.details.get("identifier") or s.details.get("requirement") or ""), texts)
        if s.details.get("identifier") and key in seen:
            first = seen[key]
            first.evidence += [e for e in s.evidence if e not in first.evidence]
            continue
        seen[key] = s
        out.append(s)
    return out


__all__ = ["Found", "find_identifiers", "regulatory_signals"]
