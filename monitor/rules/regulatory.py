"""Regulatory signals: identifiers missing, malformed, inconsistent or legacy; special claims; CCC; 三无.

Identifiers are found by :mod:`monitor.rules.identifiers`; the checks here judge what is
found and what is not. The listing's ``category`` picks the checks; a listing without one
gets none.
"""

from __future__ import annotations

import re

from monitor.rules.checks import CategoryChecks, Checks, Requirement
from monitor.rules.identifiers import CheckedListing, Found, attr_name, field_words, find_in_listing
from monitor.rules.normalise import fold, fold_name
from monitor.rules.signals import Evidence, Signal, span

# Values a shop writes where it has nothing: "无", "暂无", "见包装" ...
_NOTHING = re.compile(r"^[\s\-—/]*(?:无|暂无|没有|不详|未知|见包装|详见包装|见图|见详情|n/?a|none|null|-)?[\s\-—/。.]*$", re.I)
# Attribute values that deny having the certificate: "无", "否", "没有", "none", "no"
_DENIED = re.compile(r"^[\s\-—/]*(?:无|否|没有|不带|暂无|未认证|none|no|n/?a)[\s\-—/。.]*$", re.I)
_SPACES = re.compile(r"\s+")


def _malformed_ids(malformed: list[Signal]) -> set[str]:
    out: set[str] = set()
    for s in malformed:
        ident = s.details.get("identifier")
        out.update(ident if isinstance(ident, list) else [ident])
    return out


def _fill(template: str, values: dict) -> str:
    """``{name}`` placeholders from the match; unknown ones stay as written."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def _legacy_signals(ctx: CheckedListing, found: list[Found]) -> list[Signal]:
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
                              f'{f.ident.name} "{f.text}" in {field_words(f.field)}: {why} ({checks.source} line {rule.line})',
                              [ctx.span(f.field, f.start, f.end)], details={"identifier": f.ident.id}))
    reported = set()
    for f in found:
        ident = f.ident
        if not ident.superseded_by or ident.id in reported or kinds & set(ident.superseded_by):
            continue
        reported.add(ident.id)
        current = " or ".join(checks.identifiers[i].name for i in ident.superseded_by if i in checks.identifiers)
        out.append(Signal("regulatory_legacy", "regulatory", ident.legacy_strength,
                          f'Only a legacy number is shown: {ident.name} "{f.text}" in {field_words(f.field)}; a product on '
                          f"sale today shows a current {current} ({checks.source} line {ident.line})",
                          [ctx.span(f.field, f.start, f.end)], details={"identifier": ident.id}))
    return out


def _applies(ctx: CheckedListing, req: Requirement) -> tuple[bool, list[Evidence], list[Evidence]]:
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
    words = list(dict.fromkeys(f'"{e.text}" in {field_words(e.field)}' for e in evidence[:3]))
    return ", ".join(words)


def _requirement_signals(ctx: CheckedListing, found: list[Found], malformed_ids: set[str]) -> list[Signal]:
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


def _denials(ctx: CheckedListing, req: Requirement) -> list[Evidence]:
    """Where the listing says it has no such number or certificate (无3C, "3C认证: 无")."""
    out = [ctx.span(f, s, e) for f, s, e in ctx.words(req.denial_words, False)]
    if req.denial_attributes:
        for name, value in (ctx.listing.get("attributes") or {}).items():
            if any(a in fold_name(name) for a in req.denial_attributes) and _DENIED.match(str(value or "")):
                out.append(span(ctx.listing, f"attributes.{name}", 0, len(str(value or ""))))
    return out


def _prohibited_signals(ctx: CheckedListing) -> list[Signal]:
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


def _cross_signals(ctx: CheckedListing, found: list[Found]) -> list[Signal]:
    checks = ctx.checks
    out = []
    for cc in checks.cross_checks:
        codes = [f for f in found if f.ident.id == cc.identifier]
        regs = [f for f in found if f.ident.id == cc.against]
        for code in codes:
            label = attr_name(code.field) or code.ident.name
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


def _claim_signals(ctx: CheckedListing, found: list[Found]) -> tuple[list[Signal], list[Evidence]]:
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


def _has_side(ctx: CheckedListing, side, other_side) -> bool:
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


def _has_brand(ctx: CheckedListing, tn) -> bool:
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


def _three_no_signal(ctx: CheckedListing, found: list[Found]) -> list[Signal]:
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
    ctx = CheckedListing(listing, category, vouched)
    found, malformed = find_in_listing(ctx)
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


__all__ = ["regulatory_signals"]
