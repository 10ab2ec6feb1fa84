"""Regulatory signals: identifiers missing, malformed, inconsistent or legacy; special claims; CCC; 三无.

Identifiers are found by :mod:`monitor.rules.identifiers`; the checks here judge what is
found and what is not. The listing's ``category`` picks the checks; a listing without one
gets none.
"""

from __future__ import annotations

import re

from monitor.rules.checks import CategoryChecks, Checks, Requirement
from monitor.rules.explain import N_, Msg, Words, join
from monitor.rules.identifiers import CheckedListing, Found, attr_name, find_in_listing
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


def _fill(template: Words, values: dict) -> Words:
    """``{name}`` placeholders of a rule file's words (both languages) from the match; unknown
    ones stay as written."""
    def fill(text: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)

    return Words(fill(template), fill(template.zh)) if "{" in template + template.zh else template


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
            # a filled-in rule-file text is shown as written; the unfilled one is the message
            why = _fill(rule.explain, {**f.groups, "year": f.year}) if rule.explain else Msg("this number is suspect")
            out.append(Signal(rule.signal, "regulatory", rule.strength,
                              Msg('%(identifier)s "%(text)s" in %(field)s: %(why)s (%(source)s line %(line)s)',
                                  identifier=f.ident.name, text=f.text, field=f.field, why=why,
                                  source=checks.source, line=rule.line),
                              [ctx.span(f.field, f.start, f.end)], details={"identifier": f.ident.id}))
    reported = set()
    for f in found:
        ident = f.ident
        if not ident.superseded_by or ident.id in reported or kinds & set(ident.superseded_by):
            continue
        reported.add(ident.id)
        current = _names(checks, ident.superseded_by)
        out.append(Signal("regulatory_legacy", "regulatory", ident.legacy_strength,
                          Msg('Only a legacy number is shown: %(identifier)s "%(text)s" in %(field)s; a product on '
                              "sale today shows a current %(current)s (%(source)s line %(line)s)",
                              identifier=ident.name, text=f.text, field=f.field, current=current,
                              source=checks.source, line=ident.line),
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


def _names(checks: CategoryChecks, ids) -> Msg | str:
    return join([checks.identifiers[i].name for i in ids if i in checks.identifiers], " or ")


def _quote(evidence: list[Evidence]) -> Msg | str:
    return join([Msg('"%(text)s" in %(field)s', text=t, field=f)
                 for t, f in dict.fromkeys((e.text, e.field) for e in evidence[:3])], ", ")


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
                Msg("%(found)s: this kind of product is exempt from the %(needed)s "
                    "(%(source)s, requirement %(id)s, line %(line)s)", found=_quote(exempt),
                    needed=_names(checks, req.requires), source=checks.source, id=req.id, line=req.line),
                exempt[:3], details={"requirement": req.id}))
            continue
        if req.words is None and not req.attributes:
            what = Msg("A listing in %(category)s (%(requirement)s)", category=checks.category, requirement=req.name)
        else:
            what = Msg("%(found)s makes this %(requirement)s, which", found=_quote(triggers), requirement=req.name)
        where = Msg(" (%(source)s, requirement %(id)s, line %(line)s)", source=checks.source, id=req.id, line=req.line)
        why = Msg(" Why: %(why)s.", why=req.explain) if req.explain else ""
        needed = _names(checks, req.requires)
        details = {"requirement": req.id, "requires": list(req.requires)}
        if denied:
            out.append(Signal(
                req.signal, "regulatory", req.strength,
                Msg("%(what)s needs a %(needed)s, and the listing says it has none: %(denied)s.%(why)s%(where)s",
                    what=what, needed=needed, denied=_quote(denied), why=why, where=where),
                (denied + triggers)[:3], details={**details, "denied": True}))
            continue
        if ctx.vouched:
            out.append(_not_shown(Msg("%(what)s needs a %(needed)s; none is shown, which is usual when %(vouched)s%(where)s",
                                      what=what, needed=needed, vouched=ctx.vouched, where=where), triggers[:3], details))
            continue
        strength = req.strength if req.absence_strength is None else req.absence_strength
        out.append(Signal(
            req.signal, "regulatory", strength,
            Msg("%(what)s needs a %(needed)s; none was found in the title, description or attributes.%(why)s%(where)s",
                what=what, needed=needed, why=why, where=where), triggers[:3], details=details))
    return out


def _not_shown(explanation: Msg | str, evidence: list[Evidence], details: dict) -> Signal:
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
                          Msg("%(rule)s: %(found)s. Why: %(why)s. (%(source)s, prohibited %(id)s, line %(line)s)",
                              rule=rule.name, found=_quote(evidence), why=rule.explain,
                              source=ctx.checks.source, id=rule.id, line=rule.line) if rule.explain else
                          Msg("%(rule)s: %(found)s (%(source)s, prohibited %(id)s, line %(line)s)",
                              rule=rule.name, found=_quote(evidence), source=ctx.checks.source, id=rule.id,
                              line=rule.line),
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
                            params = {"label": label, "positions": rule.positions, "digits": seg,
                                      "expected": join(list(rule.one_of), " or ")}
                            failures.append(Msg('%(label)s %(positions)s is "%(digits)s", expected %(expected)s (%(describe)s)',
                                                **params, describe=rule.describe) if rule.describe else
                                            Msg('%(label)s %(positions)s is "%(digits)s", expected %(expected)s', **params))
                    elif reg is None:
                        continue
                    elif rule.equals_last_digits:
                        n = rule.end - rule.start
                        expected = re.sub(r"\D", "", reg.text)[-n:]
                        if seg != expected:
                            failures.append(Msg('%(label)s %(positions)s "%(digits)s" do not match the last %(n)s digits of '
                                                'registration %(registration)s ("%(expected)s")', label=label,
                                                positions=rule.positions, digits=seg, n=n, registration=reg.text,
                                                expected=expected))
                    elif rule.equals_group:
                        value = (reg.groups.get(rule.equals_group) or "").upper()
                        expected = (rule.map or {}).get(value)
                        if expected is not None and seg != expected:
                            params = {"label": label, "positions": rule.positions, "digits": seg,
                                      "registration": reg.text, "value": value, "expected": expected}
                            failures.append(Msg('%(label)s %(positions)s is "%(digits)s", but registration %(registration)s '
                                                '(%(value)s) needs "%(expected)s" (%(describe)s)', **params,
                                                describe=rule.describe) if rule.describe else
                                            Msg('%(label)s %(positions)s is "%(digits)s", but registration %(registration)s '
                                                '(%(value)s) needs "%(expected)s"', **params))
                if best is None or len(failures) < len(best):
                    best, best_reg = failures, reg
                if not failures:
                    break
            if best:
                evidence = [ctx.span(code.field, code.start, code.end)]
                if best_reg is not None:
                    evidence.append(ctx.span(best_reg.field, best_reg.start, best_reg.end))
                out.append(Signal("regulatory_inconsistent", "regulatory", cc.strength,
                                  Msg("%(failures)s (%(source)s, cross-check %(id)s, line %(line)s)",
                                      failures=join(best), source=checks.source, id=cc.id, line=cc.line),
                                  evidence, details={"cross_check": cc.id, "failures": [str(f) for f in best]}))
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
    names = join([c.name for c, _ in claims], ", ")
    evidence = [hits[0] for _, hits in claims]
    said = _quote(evidence)
    needed = _names(checks, sc.requires)
    if ordinary:
        o = ordinary[0]
        evidence.append(ctx.span(o.field, o.start, o.end))
        text = Msg("The listing claims %(claims)s (%(found)s) but shows only an ordinary filing %(filing)s "
                   "(%(identifier)s); such claims need a %(needed)s", claims=names, found=said, filing=o.text,
                   identifier=o.ident.name, needed=needed)
        strength = sc.strength
    else:
        text = Msg("The listing claims %(claims)s (%(found)s) and shows no %(needed)s, which such claims need",
                   claims=names, found=said, needed=needed)
        strength = sc.strength_without_any
        if ctx.vouched:
            return [_not_shown(Msg("%(claim)s; not shown, which is usual when %(vouched)s (%(source)s line %(line)s)",
                                   claim=text, vouched=ctx.vouched, source=checks.source, line=sc.line),
                               evidence, {"claims": [c.id for c, _ in claims]})], []
    return [Signal("regulatory_special_claim", "regulatory", strength,
                   Msg("%(claim)s (%(source)s line %(line)s)", claim=text, source=checks.source, line=sc.line), evidence,
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
    parts = [N_("no brand"), N_("no manufacturer name"), N_("no address"), N_("no licence or registration number")]
    title = listing.get("title") or ""
    evidence = admitted[:3] or ([span(listing, "title", 0, len(title))] if title else [])
    return [Signal("regulatory_three_no", "regulatory", tn.strength_all if admitted else tn.strength_absent,
                   Msg('A "三无" product of unknown origin; it says %(found)s', found=_quote(admitted)) if admitted else
                   Msg('A "三无" product of unknown origin: %(missing)s in the title, description or attributes'
                       " (%(source)s line %(line)s)", missing=join([Msg(p) for p in parts], ", "),
                       source=checks.source, line=tn.line), evidence,
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
                              Msg("%(found)s: a cross-border import, not registered in China "
                                  "(%(source)s, special_claims.exempt)", found=_quote(claim_exempt),
                                  source=category.source), claim_exempt[:3]))
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
