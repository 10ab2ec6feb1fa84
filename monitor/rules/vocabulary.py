"""Counterfeit vocabulary, off-platform contact and compatibility context (``rules/vocabulary.yaml``).

``mark_spans`` are where the mark matcher found watched marks: :class:`Evidence` items,
``(mark_name, Evidence)`` pairs, or match objects with ``.evidence`` and ``.mark`` (a name
or an object with ``.name``). With bare Evidence the mark is named by the matched text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.rules.explain import Msg, Words, join
from monitor.rules.normalise import fold, fold_name
from monitor.rules.signals import Evidence, Signal, field_text, listing_texts, span, text_fields
from monitor.rules.vocabulary_schema import SCHEMA
from monitor.rules.words import any_of, word_pattern
from monitor.yamlfile import YamlError, load_located, schema_problems


@dataclass
class Term:
    label: str
    pattern: re.Pattern
    weight: float
    needs_mark: bool = False
    window: int | None = None
    categories: tuple[str, ...] = ()
    line: int | None = None
    official_use: bool = False  # brands use it too (复刻: a re-edition): not counted from the brand's own store


@dataclass
class Context:
    """Words that say what kind of listing this is (a scale model, second-hand goods, a sample
    size): a mitigating signal of this name; rules/scoring.yaml says which signals it softens."""

    name: str
    explain: str
    words: re.Pattern | None = None
    patterns: tuple[re.Pattern, ...] = ()
    fields: tuple[str, ...] = ("title", "brand", "description", "attributes")
    strength: float = 1.0
    line: int | None = None


@dataclass
class ContactPattern:
    name: str
    pattern: re.Pattern
    weight: float
    line: int | None = None


@dataclass
class Compatibility:
    window: int = 12
    before: re.Pattern | None = None
    after: re.Pattern | None = None
    attributes: tuple[str, ...] = ()
    genuine: re.Pattern | None = None
    genuine_window: int = 15
    strength: float = 1.0


@dataclass
class Vocabulary:
    terms: list[Term] = field(default_factory=list)
    window: int = 30
    contact: list[ContactPattern] = field(default_factory=list)
    compatibility: Compatibility = field(default_factory=Compatibility)
    path: Path | None = None
    negators: re.Pattern | None = None  # a counterfeit word right after one of these is denied (拒绝高仿)
    negation_window: int = 4
    contexts: list[Context] = field(default_factory=list)
    brand_neutral: re.Pattern | None = None  # words a brand field may add to a mark (官方, 汽车照明, automotive)


def load_vocabulary(rules_dir: Path) -> Vocabulary:
    """``rules_dir/vocabulary.yaml``; raises YamlError naming file, line and field."""
    path = Path(rules_dir) / "vocabulary.yaml"
    located = load_located(path)
    if located.data is None:
        raise YamlError(path, [(1, "", "the file is empty")], "Give at least `counterfeit: terms:`.")
    problems = schema_problems(located, SCHEMA)
    if problems:
        raise YamlError(path, problems, "Fix the vocabulary; none of it was used.")
    data = located.data

    def compile_(value: str, where: tuple) -> re.Pattern | None:
        try:
            return re.compile(value, re.IGNORECASE)
        except re.error as exc:
            problems.append((located.line_of(where), ".".join(map(str, where)), f"not a valid regular expression: {exc}"))
            return None

    vocab = Vocabulary(window=int(data["counterfeit"].get("window", 30)), path=path)
    for i, t in enumerate(data["counterfeit"]["terms"]):
        where = ("counterfeit", "terms", i)
        if "term" in t:
            pattern, label = word_pattern([str(t["term"])]), str(t["term"])
            if pattern is None:
                problems.append((located.line_of((*where, "term")), ".".join(map(str, (*where, "term"))), "empty term"))
                continue
        else:
            pattern, label = compile_(t["pattern"], (*where, "pattern")), t.get("label") or t["pattern"]
        if pattern is not None:
            vocab.terms.append(Term(label, pattern, float(t["weight"]), bool(t.get("needs_mark", False)),
                                    t.get("window"), tuple(t.get("categories") or ()), located.line_of(where),
                                    bool(t.get("official_use", False))))
    vocab.brand_neutral = word_pattern(data.get("brand_neutral") or [])
    neg = data.get("negation") or {}
    if neg.get("before"):
        words = sorted({fold(w) for w in neg["before"]}, key=len, reverse=True)
        vocab.negators = re.compile("(?:" + "|".join(re.escape(w) for w in words) + r")\s?$")
        vocab.negation_window = int(neg.get("window", 4))
    for i, c in enumerate(data.get("context") or []):
        where = ("context", i)
        pats = tuple(p for p in (compile_(x, (*where, "patterns", k)) for k, x in enumerate(c.get("patterns") or []))
                     if p is not None)
        explain = Words(c["explain"].strip(), (c.get("explain_zh") or "").strip())
        vocab.contexts.append(Context(c["name"], explain, word_pattern(c.get("words") or []), pats,
                                      tuple(c.get("fields") or ("title", "brand", "description", "attributes")),
                                      float(c.get("strength", 1.0)), located.line_of(where)))
    for i, c in enumerate(data.get("contact") or []):
        pattern = compile_(c["pattern"], ("contact", i, "pattern"))
        if pattern is not None:
            name = Words(c["name"], (c.get("name_zh") or "").strip())
            vocab.contact.append(ContactPattern(name, pattern, float(c["weight"]), located.line_of(("contact", i))))
    comp = data.get("compatibility") or {}
    vocab.compatibility = Compatibility(
        window=int(comp.get("window", 12)), before=word_pattern(comp.get("before_mark") or []),
        after=word_pattern(comp.get("after_mark") or []),
        attributes=tuple(fold_name(a) for a in comp.get("attributes") or []),
        genuine=word_pattern(comp.get("genuine_claims") or []), genuine_window=int(comp.get("genuine_window", 15)),
        strength=float(comp.get("strength", 1.0)))
    if problems:
        raise YamlError(path, problems, "Fix the vocabulary; none of it was used.")
    return vocab


# --------------------------------------------------------------------------- helpers


def _mark_spans(mark_spans: list[Any] | None) -> list[tuple[Evidence, str]]:
    out = []
    for item in mark_spans or []:
        if isinstance(item, Evidence):
            out.append((item, item.text))
        elif isinstance(item, tuple) and len(item) == 2:
            name, ev = (item[1], item[0]) if isinstance(item[0], Evidence) else item
            out.append((ev, str(name)))
        else:
            ev = getattr(item, "evidence", None)
            mark = getattr(item, "mark", None)
            if isinstance(ev, Evidence):
                out.append((ev, str(getattr(mark, "name", mark) or ev.text)))
    return out


def _fields(listing: dict) -> list[tuple[str, str]]:
    return [(f, t) for f, t in text_fields(listing) if f != "seller_name"]


def _gap(a_end: int, b_start: int) -> int:
    return max(0, b_start - a_end)


# --------------------------------------------------------------------------- counterfeit terms


def _denied(vocab: Vocabulary, folded: str, start: int, kept: list) -> bool:
    """Whether the word at ``start`` follows a negator (拒绝高仿, 非原单, "not a replica"), also
    through other counterfeit words of the same denial (拒绝1:1高仿)."""
    if vocab.negators is None:
        return False
    lo = start
    for s0, e0, _ in sorted(kept, key=lambda k: -k[0]):
        if e0 <= lo and lo - e0 <= 1 and s0 < lo:
            lo = s0  # "1:1" right before "高仿": the negator may stand before the first of them
    before = folded[max(0, lo - vocab.negation_window - 6):lo]
    return bool(vocab.negators.search(before))


def _outermost_terms(terms: list[Term], folded: str) -> list[tuple[int, int, Term]]:
    """(start, end, term) of the terms in a folded text, in text order, leaving out a term
    inside a longer one (厂货 inside 工厂货, AAA inside AAA+)."""
    hits: list[tuple[int, int, Term]] = []
    for term in terms:
        for m in term.pattern.finditer(folded):
            if m.end() > m.start():
                hits.append((m.start(), m.end(), term))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[tuple[int, int, Term]] = []
    for h in hits:
        if any(k[0] <= h[0] and h[1] <= k[1] for k in kept):
            continue
        kept.append(h)
    return kept


def counterfeit_signals(listing: dict, vocab: Vocabulary, mark_spans: list[Any] | None = None,
                        official: bool = False) -> list[Signal]:
    """One ``counterfeit_terms`` signal for all counterfeit words of the listing.

    A ``needs_mark`` term counts only within its window of a mark mention in the same
    field (a mark in the brand field counts for the whole title); other terms count
    anywhere. Strength: 1 - Π(1 - weight) over the distinct terms found.
    """
    category = listing.get("category")
    marks = _mark_spans(mark_spans)
    brand_marks = [(ev, name) for ev, name in marks if ev.field == "brand"]
    counted: dict[str, tuple[Term, list[Evidence], str | None]] = {}
    terms = [term for term in vocab.terms if (not term.categories or category in term.categories)
             and not (official and term.official_use)]
    texts = listing_texts(listing)
    any_term = any_of(tuple(term.pattern for term in terms)) if terms else None
    for fld, text in texts.content:
        folded = texts.folded(fld)
        if any_term is not None and not any_term.search(folded):
            continue  # no term at all in this field
        kept = _outermost_terms(terms, folded)
        for start, end, term in kept:
            if _denied(vocab, folded, start, kept):
                continue
            near: str | None = None
            if term.needs_mark:
                window = vocab.window if term.window is None else term.window
                close = [(max(_gap(ev.end, start), _gap(end, ev.start)), name) for ev, name in marks
                         if ev.field == fld]
                close = [c for c in close if c[0] <= window]
                if close:
                    near = min(close)[1]
                elif fld == "title" and brand_marks:
                    near = brand_marks[0][1]
                else:
                    continue
            entry = counted.setdefault(term.label, (term, [], near))
            entry[1].append(texts.span(listing, fld, start, end))
    if not counted:
        return []
    left = 1.0
    parts, evidence, named = [], [], []
    for label, (term, spans, near) in counted.items():
        left *= 1.0 - term.weight
        evidence += spans[:3]
        params = {"term": spans[0].text, "weight": format(term.weight, "g"), "field": spans[0].field}
        parts.append(Msg('"%(term)s" (%(weight)s) in %(field)s next to %(mark)s', **params, mark=near) if near
                     else Msg('"%(term)s" (%(weight)s) in %(field)s', **params))
        if near:
            named.append(near)
    mark = max(dict.fromkeys(named), key=named.count) if named else (marks[0][1] if marks else None)
    return [Signal("counterfeit_terms", "counterfeit", 1.0 - left,
                   Msg("Counterfeit vocabulary: %(terms)s (rules/vocabulary.yaml)", terms=join(parts)),
                   evidence[:12], mark=mark, details={"terms": list(counted)})]


# --------------------------------------------------------------------------- contact


def contact_signals(listing: dict, vocab: Vocabulary) -> list[Signal]:
    """One ``offplatform_contact`` signal: WeChat/QQ ids, phone numbers, "加我看"."""
    found: list[tuple[ContactPattern, Evidence]] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    texts = listing_texts(listing)
    fields = texts.content
    if vocab.contact:
        any_contact = any_of(tuple(p.pattern for p in vocab.contact))
        if any_contact is not None:  # the fields where no contact pattern matches cannot give a hit
            fields = [(fld, text) for fld, text in fields if any_contact.search(texts.folded(fld))]
    for pattern in vocab.contact:
        for fld, text in fields:
            folded = texts.folded(fld)
            hit = None
            for m in pattern.pattern.finditer(folded):
                if m.end() > m.start() and not any(s < m.end() and m.start() < e for s, e in taken.get(fld, [])):
                    hit = m
                    break
            if hit:
                taken.setdefault(fld, []).append(hit.span())
                found.append((pattern, texts.span(listing, fld, hit.start(), hit.end())))
                break
    if not found:
        return []
    left = 1.0
    for pattern, _ in found:
        left *= 1.0 - pattern.weight
    parts = [Msg('%(pattern)s "%(text)s" in %(field)s', pattern=p.name, text=ev.text.strip(), field=ev.field)
             for p, ev in found]
    return [Signal("offplatform_contact", "contact", 1.0 - left,
                   Msg("Off-platform contact: %(contacts)s (rules/vocabulary.yaml)", contacts=join(parts)),
                   [ev for _, ev in found], details={"patterns": [p.name for p, _ in found]})]


# --------------------------------------------------------------------------- compatibility context

_STOP = re.compile(r"[。.;；!！?？\n|]")
_SEPARATOR = re.compile(r"^[\s/、,，&+]*(?:and|or|和|及|或|与)?[\s/、,，&+]*$", re.IGNORECASE)


def _direct(gap: str, window: int) -> bool:
    return len(gap) <= window and not _STOP.search(gap) and not re.search(r"\s", gap.strip())


def _fits_wording(listing: dict, ev: Evidence, folded: str, comp, earlier: list[Evidence]):
    """(the wording that names the mark as what the part fits, the span it covers with the
    mark), or None: "适用于 X" before it, "X 专用" after it, or a list continuing an earlier
    compatible mark of the field ("fits Toyota / Honda")."""
    wording, region = None, (ev.start, ev.end)
    for m in (comp.before.finditer(folded) if comp.before else []):
        if m.end() <= ev.start and _direct(folded[m.end():ev.start], comp.window):
            wording, region = span(listing, ev.field, m.start(), m.end()), (m.start(), ev.end)
    if wording is None and comp.after:
        for m in comp.after.finditer(folded, ev.end):
            gap = folded[ev.end:m.start()]
            if len(gap) <= comp.window and not re.search(r"\s", gap) and not _STOP.search(gap):
                wording, region = span(listing, ev.field, m.start(), m.end()), (ev.start, m.end())
                break
    if wording is None:
        for prev in earlier:
            if prev.end <= ev.start and ev.start - prev.end <= comp.window and _SEPARATOR.match(
                    folded[prev.end:ev.start]):
                wording, region = prev, (prev.start, ev.end)
                break
    return None if wording is None else (wording, region)


def context_signals(listing: dict, vocab: Vocabulary, mark_spans: list[Any] | None = None) -> list[Signal]:
    """``compatible_part`` (mitigating) for each mark the listing names as what it fits."""
    comp = vocab.compatibility
    marks = sorted(_mark_spans(mark_spans), key=lambda m: (m[0].field, m[0].start))
    out: dict[str, Signal] = {}
    compatible_in: dict[str, list[Evidence]] = {}
    own: list[str] = []  # marks in the title or brand field that are not what the part fits
    for ev, name in marks:
        text = field_text(listing, ev.field)
        if text[ev.start:ev.end] != ev.text:
            continue  # a span from another version of the listing
        folded = fold(text)
        attr = ev.field.split(".", 1)[1] if ev.field.startswith("attributes.") else None
        wording: Evidence | None = None
        region = (ev.start, ev.end)
        if attr and any(a in fold_name(attr) for a in comp.attributes):
            reason = Msg("%(mark)s is named in attribute %(attribute)s, which lists what the part fits",
                         mark=name, attribute=attr)
        else:
            fits = _fits_wording(listing, ev, folded, comp, compatible_in.get(ev.field, []))
            if fits is None:
                if ev.field in ("title", "brand"):
                    own.append(name)
                continue
            wording, region = fits
            reason = Msg('"%(wording)s" and "%(text)s" in %(field)s: the listing names %(mark)s as what it fits',
                         wording=wording.text, text=ev.text, field=ev.field, mark=name)
        if comp.genuine:
            lo, hi = max(0, region[0] - comp.genuine_window), region[1] + comp.genuine_window
            claim = comp.genuine.search(folded, lo, min(hi, len(folded)))
            if claim:
                own.append(name)
                continue  # "适用于丰田 原厂正品": claims to be the genuine article after all
        compatible_in.setdefault(ev.field, []).append(ev)
        if name in out:
            continue
        evidence = [e for e in (wording, ev) if e is not None]
        out[name] = Signal("compatible_part", "mitigating", comp.strength,
                           Msg("%(reason)s, not as its own brand (rules/vocabulary.yaml compatibility)", reason=reason),
                           evidence, mark=name)
    for name, signal in out.items():
        others = sorted({o for o in own if o != name})
        if others:
            # The listing sells another watched brand (Bosch pads that fit a VW): naming the car
            # says nothing about that brand, so this must not lower the listing's score.
            signal.strength = 0.0
            signal.explain_as(Msg("%(explanation)s; it does not lower the score, as the listing presents %(brands)s "
                                  "as its own brand", explanation=signal.stored_message(), brands=", ".join(others)))
            signal.details["own_brand"] = others
    return list(out.values())


def kind_signals(listing: dict, vocab: Vocabulary) -> list[Signal]:
    """One mitigating signal per ``context`` entry whose words are in the listing (a scale
    model: 1:18, 车模; second-hand: 闲置, used; a sample size: 小样, travel size)."""
    out = []
    texts = listing_texts(listing)
    for ctx in vocab.contexts:
        hits: list[Evidence] = []
        for fld, _ in texts.content:
            base = "attributes" if fld.startswith("attributes.") else fld
            if base not in ctx.fields:
                continue
            folded = texts.folded(fld)
            for pattern in ((ctx.words,) if ctx.words is not None else ()) + ctx.patterns:
                m = pattern.search(folded)
                if m and m.end() > m.start():
                    hits.append(texts.span(listing, fld, m.start(), m.end()))
            if len(hits) >= 3:
                break
        if hits:
            said = join([Msg('"%(text)s" in %(field)s', text=t, field=f)
                         for t, f in dict.fromkeys((e.text, e.field) for e in hits[:3])], ", ")
            out.append(Signal(ctx.name, "mitigating", ctx.strength,
                              Msg("%(found)s: %(explain)s (rules/vocabulary.yaml context, line %(line)s)",
                                  found=said, explain=ctx.explain, line=ctx.line), hits[:3]))
    return out


__all__ = ["Vocabulary", "kind_signals", "Term", "ContactPattern", "Compatibility", "load_vocabulary", "counterfeit_signals",
           "contact_signals", "context_signals"]
