"""Finding the identifiers a category's checks name (registration numbers, licences, CCC
certificates ...) in a listing, by their format (``rules/checks/<category>.yaml``), anywhere
in the title, brand, description and attribute values, whatever the shop calls the attribute,
after full-width digits and brackets are folded to ASCII; and candidates that look like one
but do not have its format. :mod:`monitor.rules.regulatory` checks what is found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from monitor.rules.checks import CategoryChecks, Identifier
from monitor.rules.explain import Msg, join
from monitor.rules.normalise import fold_name
from monitor.rules.signals import Evidence, ListingTexts, Signal, listing_texts, text_fields
from monitor.rules.words import any_of, word_prefilter

_DIGIT = re.compile(r"\d")


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


class CheckedListing:
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
            self._product = product_fields(self.listing, self.checks, self.texts)
        return self._product

    def words(self, pattern: re.Pattern | None, product: bool) -> list[tuple[str, int, int]]:
        """(field, start, end) of every match of ``pattern`` in the product fields or all fields
        (folded), found once per listing."""
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


def product_fields(listing: dict, checks: CategoryChecks | None = None,
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


def attr_name(field_name: str) -> str | None:
    return field_name.split(".", 1)[1] if field_name.startswith("attributes.") else None


def find_identifiers(listing: dict, checks: CategoryChecks) -> tuple[list[Found], list[Signal]]:
    """Every identifier of the category in the listing, and malformed-looking candidates."""
    return find_in_listing(CheckedListing(listing, checks))


def _find_in_field(ctx: CheckedListing, fld: str, text: str, folded: str, idents: list[Identifier],
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
                Msg('"%(text)s" in %(field)s looks like a %(identifier)s but does not have its format '
                    "(%(source)s, identifier %(id)s, line %(line)s)", text=m.group(0).strip(), field=fld,
                    identifier=ident.name, source=source, id=ident.id, line=ident.line),
                [ctx.span(fld, m.start(), m.end())], details={"identifier": ident.id}))


def find_in_listing(ctx: CheckedListing) -> tuple[list[Found], list[Signal]]:
    listing, checks, texts = ctx.listing, ctx.checks, ctx.texts
    found: list[Found] = []
    malformed: list[Signal] = []
    source = checks.source
    idents = list(checks.identifiers.values())
    # matches in a field when some identifier's pattern or loose pattern does
    anything = any_of(tuple(p for i in idents for p in (i.pattern, i.loose) if p is not None)) if idents else None
    for fld, text in ctx.fields:
        folded = texts.upper(fld)
        attr = attr_name(fld)
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
                    Msg('Attribute %(attribute)s holds "%(text)s", which is not a valid %(identifiers)s (%(source)s)',
                        attribute=attr, text=text.strip(), identifiers=join([i.name for i in labels], " or "),
                        source=source),
                    [ctx.span(fld, 0, len(text))], details={"identifier": [i.id for i in labels]}))
    this_year = date.today().year
    for f in found:
        year = f.year
        if year is not None and ((f.ident.min_year and year < f.ident.min_year) or year > this_year + 1):
            malformed.append(Signal(
                "regulatory_malformed", "regulatory", 0.9,
                Msg('%(identifier)s "%(text)s" in %(field)s gives the year %(year)s, which cannot be right '
                    "(expected %(first)s to %(last)s; %(source)s)", identifier=f.ident.name, text=f.text,
                    field=f.field, year=year, first=f.ident.min_year or Msg("any"), last=this_year + 1, source=source),
                [ctx.span(f.field, f.start, f.end)], details={"identifier": f.ident.id}))
    return found, malformed
