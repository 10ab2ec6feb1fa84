"""The mark matcher: exact mentions and look-alikes of watched marks, in Latin and Chinese script.

    index = MarkIndex([Mark("BOSCH", aliases=("博世",)), ...])   # build once
    hits = index.find(listing)                                  # many times

How it works (see benchmarks/README.md, "Mark matching", for the speed); steps 3 and 4 and
the all-Chinese part of step 2 are in ``marks_latin.py`` and ``marks_han.py``:

1. Each text field is normalised (``normalise.py``: NFKC, case folding, full-width → half-width,
   Traditional → Simplified, homoglyph skeleton, digits for letters) into a key of the same
   length with an offset map back to the original text. Fields are matched one by one, and
   what a field's text yields is cached by (field, text): seller names, brands, attribute
   values and template descriptions recur across listings and are matched once.
2. An Aho-Corasick automaton over the keys of every mark name and alias that is not all
   Chinese finds exact mentions, and mentions whose only difference is homoglyphs or digits
   (``B0SCH``, ``раураl``), in one pass whatever the size of the watchlist. All-Chinese names
   are found by a dictionary keyed by their first two characters, looked up along each run of
   Chinese characters (an automaton whose root has thousands of children is slow).
3. Latin words (and pairs of words joined across a separator) are looked up in a deletion
   neighbourhood and phonetic-code index (``latin.py``); only those candidates are compared.
   Results are cached per word, so a word seen before costs one dictionary lookup.
4. Chinese runs are looked up by character pairs (same pair, same sounds, or a shape-similar
   character / part in place of one of them) (``chinese.py``); a candidate whose cheapest
   conceivable reading is over budget is dropped (``chinese.within_budget``), the rest are
   verified by a small alignment that knows same-sound and shape-similar swaps, component
   splits, number swaps, inserted words and reordering. Results are cached per run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from monitor.rules import chinese, latin
from monitor.rules.explain import Msg, join
from monitor.rules.homoglyphs import DIGIT_LETTERS, SCRIPT_WORDS, confusable_table, script_name
from monitor.rules.marks_han import HanMarks, lookalike_scores
from monitor.rules.marks_latin import LatinLookalikes
from monitor.rules.normalise import Normalised, normalise
from monitor.rules.signals import Evidence, text_fields


@dataclass(frozen=True)
class Mark:
    name: str
    owner: str = ""
    categories: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other scripts, translations, transliterations (Syngenta: 先正达, xianzhengda)
    well_known: bool = False
    common_word: bool = False  # also an ordinary word (Shell, Dove, Mobil): brand use only


@dataclass(frozen=True)
class MarkHit:
    mark: Mark
    kind: str  # "exact" | "lookalike"
    evidence: Evidence
    matched: str  # the text as written
    form: str  # the name or alias it is / resembles
    visual: float
    phonetic: float
    conceptual: float
    similarity: float
    mechanisms: tuple[str, ...]
    explanation: str


@dataclass
class _Form:
    id: int
    mark: Mark
    text: str  # as given
    key: str  # normalised
    folded: str  # normalised without skeleton / digits (to tell exact from homoglyph)
    script: str  # "latin" | "han" | "other"
    alias: bool
    other_script: bool  # an alias in another script than the mark's name
    compact: str = ""  # latin: key without spaces and separators


_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN1 = re.compile(f"[{_HAN_CHARS}]+")
_FIELD_CACHE = 20_000  # (field, text) entries kept before the cache is emptied
_BRAND_AFTER = re.compile(r"\s*(®|™|\(r\)|\(tm\)|brand\b|official\b|original\b|genuine\b|authentic\b|牌|品牌|官方|旗舰|正品)", re.I)
_BRAND_BEFORE = re.compile(r"(\bby|\bfrom|品牌[:：]?|brand[:：]?)\s*$", re.I)
_BRAND_ATTRIBUTE = re.compile(r"brand|品牌|商标|trademark", re.I)
def _script(key: str) -> str:
    if any(chinese.is_han(c) for c in key):
        return "han"
    letters = [c for c in key if c.isalnum()]
    if letters and all(c.isascii() for c in letters):
        return "latin"
    return "other"


class MarkIndex:
    """Candidate index over a watchlist; ``find`` is safe to call for many listings."""

    def __init__(self, marks: list[Mark]):
        self.marks = list(marks)
        self.forms: list[_Form] = []
        self._latin = LatinLookalikes(self.forms)
        self._han = HanMarks(self.forms)
        self._field_cache: dict[tuple[str, str], tuple] = {}
        self._automaton = ahocorasick.Automaton()
        for key, ids in self._add_forms().items():
            if _HAN_RUN1.fullmatch(key):
                # all Chinese: found along runs of Chinese characters, not by the automaton
                self._han.add_exact(key, tuple(ids))
            else:
                self._automaton.add_word(key, (len(key), tuple(ids)))
        self._han.finish()
        self._has_automaton = len(self._automaton) > 0
        if self._has_automaton:
            self._automaton.make_automaton()
        self._any_han = self._han.has_lookalikes or self._han.has_exact
        self._has_latin = self._latin.active
        # Load now what the first listings would otherwise load: tables used by every find.
        confusable_table()
        if self._has_latin:
            latin.is_ordinary_word("a")

    def _add_forms(self) -> dict[str, list[int]]:
        """Every mark's name and aliases as forms (one per distinct key), indexed for look-alikes;
        returns the keys to find as written -> form ids."""
        exact: dict[str, list[int]] = {}
        for mark in self.marks:
            name_script = _script(normalise(mark.name).key)
            seen: set[str] = set()
            for text, is_alias in ((mark.name, False), *((a, True) for a in mark.aliases)):
                if not text or not text.strip():
                    continue
                norm = normalise(text.strip())
                key = norm.key
                if not key or key in seen:
                    continue
                seen.add(key)
                script = _script(key)
                form = _Form(len(self.forms), mark, text.strip(), key, norm.folded, script, is_alias,
                             is_alias and script != name_script)
                self.forms.append(form)
                exact.setdefault(key, []).append(form.id)
                if script == "latin":
                    self._latin.add(form)
                    if form.compact != key:
                        exact.setdefault(form.compact, []).append(form.id)
                elif script == "han" and len(key) >= 2 and all(chinese.is_han(c) for c in key):
                    self._han.add_lookalike_form(form)
        return exact

    # ------------------------------------------------------------------ public
    def find(self, listing: dict) -> list[MarkHit]:
        fields = text_fields(listing)
        if not fields:
            return []
        best: dict[tuple[int, str, int, int], MarkHit] = {}
        cache = self._field_cache
        for name, text in fields:
            entry = cache.get((name, text))
            if entry is None:
                entry = self._scan(name, text)
                if len(cache) >= _FIELD_CACHE:
                    cache.clear()
                cache[name, text] = entry
            if entry:
                self._merge(best, listing, name, text, entry)
        if not best:
            return []
        hits = list(best.values())
        hits.sort(key=lambda h: (h.kind != "exact", -h.similarity, h.evidence.field, h.evidence.start))
        return hits

    # ------------------------------------------------------------------ one field
    def _scan(self, name: str, text: str) -> tuple:
        """What one field's text yields, whatever the listing: (exact-pass items, look-alike hits).

        Exact-pass items are (hit, form) where form is set when the hit is an exact mention of a
        mark that is also a common word, kept only if the listing uses it as a brand.
        ``()`` when nothing is found.
        """
        norm = normalise(text)
        key = norm.key
        runs = ()
        if self._any_han and not key.isascii():
            runs = []
            for m in _HAN_RUN1.finditer(key):
                found = self._han.run(m.group())
                if found[0] or found[1]:
                    runs.append((m.start(), found))
        matches = self._exact_matches(key, runs) if (self._has_automaton or runs) else ()
        exact = tuple(self._exact(name, norm, matches)) if matches else ()
        others = tuple(self._latin_lookalikes(name, norm)) if self._has_latin else ()
        if runs:
            others += tuple(self._chinese(name, norm, runs))
        if not exact and not others:
            return ()
        return exact, others

    def _merge(self, best: dict, listing: dict, name: str, text: str, entry: tuple) -> None:
        exact, others = entry
        spans: dict[int, list[tuple[int, int]]] = {}
        for hit, common in exact:
            ev = hit.evidence
            if common is not None and not self._brand_use(listing, name, text, ev.start, ev.end, common):
                continue
            self._keep(best, hit)
            if hit.kind == "exact":
                spans.setdefault(id(hit.mark), []).append((ev.start, ev.end))
        for hit in others:
            if spans:
                ev = hit.evidence
                if any(s < ev.end and ev.start < e for s, e in spans.get(id(hit.mark), ())):
                    continue
            self._keep(best, hit)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _keep(best: dict, hit: MarkHit) -> None:
        k = (id(hit.mark), hit.evidence.field, hit.evidence.start, hit.evidence.end)
        old = best.get(k)
        if old is None or (hit.kind == "exact", hit.similarity) > (old.kind == "exact", old.similarity):
            best[k] = hit

    def _hit(self, field_name: str, norm: Normalised, i: int, j: int, form: _Form, kind: str,
             visual: float, phonetic: float, mechanisms: tuple[str, ...], reason: str | Msg) -> MarkHit:
        start, end = norm.span(i, j)
        matched = norm.original[start:end]
        if norm.unconverted[i:j] != norm.folded[i:j]:
            mechanisms = (*mechanisms, "traditional_chars")
        conceptual = 1.0 if form.other_script else 0.0
        if form.other_script:
            mechanisms = (*mechanisms, "alias_other_script")
        mechanisms = tuple(dict.fromkeys(mechanisms))
        if kind == "exact":
            similarity = 1.0
        else:
            similarity = round(min(0.97, 0.75 * max(visual, phonetic) + 0.25 * (visual + phonetic) / 2), 3)
        if not form.alias:
            target = Msg('the mark "%(mark)s"', mark=form.mark.name)
        elif form.other_script:
            target = Msg('"%(form)s", another-script name of the mark "%(mark)s"', form=form.text, mark=form.mark.name)
        else:
            target = Msg('"%(form)s", an alias of the mark "%(mark)s"', form=form.text, mark=form.mark.name)
        params = {"matched": matched, "the_field": field_name, "target": target}
        if kind == "exact":
            explanation = (Msg('"%(matched)s" in %(the_field)s is %(target)s: %(reason)s', **params, reason=reason)
                           if reason else Msg('"%(matched)s" in %(the_field)s is %(target)s', **params))
        else:
            explanation = (Msg('"%(matched)s" in %(the_field)s looks like %(target)s: %(reason)s', **params, reason=reason)
                           if reason else Msg('"%(matched)s" in %(the_field)s looks like %(target)s', **params))
        return MarkHit(form.mark, kind, Evidence(field_name, start, end, matched), matched, form.text,
                       round(visual, 3), round(phonetic, 3), conceptual, similarity, mechanisms, explanation)

    # ------------------------------------------------------------------ exact / homoglyph
    def _exact_matches(self, key: str, runs) -> list[tuple[int, int, tuple[int, ...]]]:
        """(start, end, form ids) of every watched key in ``key``, in Aho-Corasick order (by end,
        then longest first)."""
        matches = []
        if self._has_automaton:
            matches = [(end - length + 1, end + 1, ids) for end, (length, ids) in self._automaton.iter(key)]
        han = [(base + s, base + e, ids) for base, (exact, _found) in runs for s, e, ids in exact]
        if han:
            if matches:
                matches = sorted(matches + han, key=lambda m: (m[1], m[0]))
            else:
                matches = han
        return matches

    def _exact(self, field_name: str, norm: Normalised, matches):
        key = norm.key
        n = len(key)
        for i, j, ids in matches:
            for fid in ids:
                form = self.forms[fid]
                latin_form = form.script == "latin"
                if latin_form:
                    if (i > 0 and key[i - 1].isascii() and key[i - 1].isalnum()) or (
                        j < n and key[j].isascii() and key[j].isalnum()):
                        continue
                common = form if form.mark.common_word else None
                segment = norm.folded[i:j]
                if segment == form.folded or (segment == form.key and form.key != form.folded):
                    mechanisms: tuple[str, ...] = ()
                    reason = ""
                    if norm.unconverted[i:j] != norm.folded[i:j]:
                        reason = Msg("written in Traditional characters")
                    s0, e0 = norm.span(i, j)
                    if latin_form and any("\uff21" <= c <= "\uff5a" for c in norm.original[s0:e0]):
                        # ＰＨＩＬＩＰＳ: full-width letters slip past a platform's keyword filter
                        yield self._hit(field_name, norm, i, j, form, "lookalike", 0.95, 1.0, ("full_width",),
                                        Msg("written in full-width letters, which keyword filters do not match")), None
                        continue
                    yield self._hit(field_name, norm, i, j, form, "exact", 1.0, 1.0, mechanisms, reason), common
                    continue
                mechanisms, reason = self._char_mechanisms(norm, i, j, form)
                if not mechanisms:
                    # only separators / case differ (compact form of a multi-word mark)
                    yield self._hit(field_name, norm, i, j, form, "exact", 1.0, 1.0, (), ""), common
                    continue
                visual = 0.95 if "homoglyph" in mechanisms else 0.9
                yield self._hit(field_name, norm, i, j, form, "lookalike", visual, 1.0, mechanisms, reason), None

    @staticmethod
    def _char_mechanisms(norm: Normalised, i: int, j: int, form: _Form) -> tuple[tuple[str, ...], Msg | str]:
        mechanisms: list[str] = []
        digits, glyphs = [], []
        for k in range(i, j):
            if norm.key[k] == norm.folded[k]:
                continue
            s, e = norm.span(k, k + 1)
            orig = norm.original[s:e]
            if orig.isdigit() and orig.isascii() and orig in DIGIT_LETTERS:
                digits.append((orig, norm.key[k]))
            else:
                glyphs.append((orig, norm.key[k]))
        reasons = []
        if glyphs:
            mechanisms.append("homoglyph")
            scripts = sorted({script_name(g) for g, _ in glyphs})
            params = {"scripts": join([Msg(x) if x in SCRIPT_WORDS else x for x in scripts], "/"), "written": ", ".join(g for g, _ in glyphs),
                      "latin": ", ".join(t for _, t in glyphs)}
            reasons.append(Msg("the %(scripts)s letters %(written)s stand for the Latin %(latin)s", **params)
                           if len(glyphs) > 1 else Msg("the %(scripts)s letter %(written)s stands for the Latin %(latin)s", **params))
        if digits:
            mechanisms.append("digit_for_letter")
            reasons.append(join([Msg("the digit %(digit)s stands for the letter %(letter)s", digit=d, letter=t.upper())
                                 for d, t in digits]))
        return tuple(mechanisms), join(reasons) if reasons else ""

    def _brand_use(self, listing: dict, field_name: str, text: str, start: int, end: int, form: _Form) -> bool:
        """Whether a common word that is also a mark is used as a brand here (Shell oil vs phone shell)."""
        if field_name == "brand":
            return True
        if field_name.startswith("attributes.") and _BRAND_ATTRIBUTE.search(field_name):
            return True
        brand = listing.get("brand")
        if brand and form.key in normalise(str(brand)).key:
            return True
        if _BRAND_AFTER.match(text, end) or _BRAND_BEFORE.search(text[max(0, start - 12):start]):
            return True
        span = text[start:end]
        letters = [c for c in text if c.isalpha() and c.isascii()]
        if len(span) >= 2 and span.isupper() and letters and sum(c.isupper() for c in letters) < 0.6 * len(letters):
            return True
        after = text[end:end + 4].lstrip()
        if after[:1].isdigit():  # "Mobil 1", "Shell V-Power 95"
            return True
        category = listing.get("category")
        if category and category in form.mark.categories and span[:1].isupper() and field_name == "title":
            return True
        return False

    # ------------------------------------------------------------------ latin look-alikes
    def _latin_lookalikes(self, field_name: str, norm: Normalised):
        key = norm.key
        words, pieces = self._latin.spans(key)
        for s, e, found in words:
            yield from self._latin_hits(field_name, norm, s, e, found)
        for s, e, fids in pieces:
            for fid in fids:
                form = self.forms[fid]
                if key[s:e] == form.key:
                    continue  # written as the mark itself ("estee lauder")
                yield self._hit(field_name, norm, s, e, form, "lookalike", 0.9, 1.0, ("separator_inside",),
                                Msg("the mark is split by separators"))

    def _latin_hits(self, field_name, norm, s, e, found):
        for fid, match in found:
            form = self.forms[fid]
            if form.mark.common_word and "sound_alike" in match.mechanisms:
                continue
            extra, reason = self._char_mechanisms(norm, s, e, form)
            yield self._hit(field_name, norm, s, e, form, "lookalike", match.visual, match.phonetic,
                            (*match.mechanisms, *extra), join([match.detail, reason]))

    # ------------------------------------------------------------------ chinese
    def _chinese(self, field_name: str, norm: Normalised, runs):
        for base, (_exact, found) in runs:
            for fid, start, end, mechanisms, reason in found:
                visual, phonetic = lookalike_scores(mechanisms)
                yield self._hit(field_name, norm, base + start, base + end, self.forms[fid], "lookalike", visual,
                                phonetic, mechanisms, reason)
