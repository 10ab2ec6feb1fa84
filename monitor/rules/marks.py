"""The mark matcher: exact mentions and look-alikes of watched marks, in Latin and Chinese script.

    index = MarkIndex([Mark("BOSCH", aliases=("博世",)), ...])   # build once
    hits = index.find(listing)                                  # many times

How it works (see benchmarks/README.md, "Mark matching", for the speed):

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
from monitor.rules.homoglyphs import DIGIT_LETTERS, confusable_table, script_name
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


_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{_HAN_CHARS}]{{2,}}")
_HAN_RUN1 = re.compile(f"[{_HAN_CHARS}]+")
_FIELD_CACHE = 20_000  # (field, text) entries kept before the cache is emptied
_JOIN = r"[\s\-_.·•*'/\\+]{1,2}"
# Two words joined across a separator (X-SEED, "Adi das"); overlapping, via a lookahead.
# Joins are tried only across punctuation between letters (X-SEED, ADI-DAS) or next to a single
# letter ("X SEED"): joining every pair of words of ordinary prose would be slow and noisy.
_PUNCT_GAP = re.compile(r"[\-_.·•*'/\\+]{1,2}")
_PAIR_HINT = re.compile(r"[a-z](?:[\-_.·•*'/\\+]{1,2}[a-z]|\s[b-hj-z]\b)|\b[b-hj-z]\s[a-z]")
# _PAIR_HINT needs one of these characters, or a word of one letter from _SINGLE_LETTERS
_JOIN_CHARS = frozenset("-_.·•*'/\\+")
_SINGLE_LETTERS = frozenset("bcdefghjklmnopqrstuvwxyz")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_BRAND_AFTER = re.compile(r"\s*(®|™|\(r\)|\(tm\)|brand\b|official\b|original\b|genuine\b|authentic\b|牌|品牌|官方|旗舰|正品)", re.I)
_BRAND_BEFORE = re.compile(r"(\bby|\bfrom|品牌[:：]?|brand[:：]?)\s*$", re.I)
_BRAND_ATTRIBUTE = re.compile(r"brand|品牌|商标|trademark", re.I)
_FIELD_WORDS = {"title": "the title", "brand": "the brand", "description": "the description",
                "seller_name": "the seller name"}


def _script(key: str) -> str:
    if any(chinese.is_han(c) for c in key):
        return "han"
    letters = [c for c in key if c.isalnum()]
    if letters and all(c.isascii() for c in letters):
        return "latin"
    return "other"


def _field_words(name: str) -> str:
    if name.startswith("attributes."):
        return f'the attribute "{name.split(".", 1)[1]}"'
    return _FIELD_WORDS.get(name, name)


class MarkIndex:
    """Candidate index over a watchlist; ``find`` is safe to call for many listings."""

    def __init__(self, marks: list[Mark]):
        self.marks = list(marks)
        self.forms: list[_Form] = []
        self._automaton = ahocorasick.Automaton()
        self._deletions: dict[str, list[int]] = {}
        self._phonetic: dict[str, list[int]] = {}
        # Chinese look-alike candidates: integer pair keys (``chinese.pair_key`` /
        # ``sound_pair_key``) of mark characters 1 or 2 apart → ((form id, position), ...).
        self._han_g1: dict[int, tuple[tuple[int, int], ...]] = {}
        self._han_g2: dict[int, tuple[tuple[int, int], ...]] = {}
        # Exact all-Chinese names: first two characters → ((key, form ids), ...); one-character names.
        self._han_exact2: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {}
        self._han_exact1: dict[str, tuple[int, ...]] = {}
        self._latin_keys: set[str] = set()
        self._compact_ids: dict[str, list[int]] = {}  # a Latin form without separators -> form ids
        self._word_cache: dict[str, tuple] = {}
        self._no_candidates: set[str] = set()
        self._run_cache: dict[str, tuple] = {}
        self._field_cache: dict[tuple[str, str], tuple] = {}
        self._max_latin = 0
        self._has_han = False
        self._han_keys: set[str] = set()
        ac_entries: dict[str, list[int]] = {}
        postings: dict[tuple[int, int], tuple[tuple[int, int]]] = {}  # one shared tuple per (form, position)
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
                ac_entries.setdefault(key, []).append(form.id)
                if script == "latin":
                    form.compact = _SEPARATORS.sub("", key)
                    self._latin_keys.add(form.compact)
                    self._compact_ids.setdefault(form.compact, []).append(form.id)
                    if form.compact != key:
                        ac_entries.setdefault(form.compact, []).append(form.id)
                    if len(form.compact) >= 4:
                        self._max_latin = max(self._max_latin, len(form.compact))
                        for d in latin.deletions(form.compact):
                            self._deletions.setdefault(d, []).append(form.id)
                        for code in latin.phonetic_codes(form.compact):
                            self._phonetic.setdefault(code, []).append(form.id)
                elif script == "han" and len(key) >= 2 and all(chinese.is_han(c) for c in key):
                    for gap, k, pos in chinese.mark_keys(key):
                        index = self._han_g1 if gap == 1 else self._han_g2
                        one = postings.get((form.id, pos))
                        if one is None:
                            one = postings[form.id, pos] = ((form.id, pos),)
                        old = index.get(k)
                        index[k] = one if old is None else old + one
                    self._has_han = True
                    self._han_keys.add(key)
        exact2: dict[str, list] = {}
        for key, ids in ac_entries.items():
            if _HAN_RUN1.fullmatch(key):
                # all Chinese: found along runs of Chinese characters, not by the automaton
                if len(key) == 1:
                    self._han_exact1[key] = tuple(ids)
                else:
                    exact2.setdefault(key[:2], []).append((key, tuple(ids)))
            else:
                self._automaton.add_word(key, (len(key), tuple(ids)))
        self._han_exact2 = {k: tuple(v) for k, v in exact2.items()}
        self._has_automaton = len(self._automaton) > 0
        if self._has_automaton:
            self._automaton.make_automaton()
        self._has_han_exact = bool(self._han_exact1 or self._han_exact2)
        self._any_han = self._has_han or self._has_han_exact
        self._has_latin = bool(self._deletions or self._phonetic)
        # Load now what the first listings would otherwise load: tables used by every find.
        confusable_table()
        if self._deletions or self._phonetic:
            latin.is_ordinary_word("a")

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
            cache = self._run_cache
            runs = []
            for m in _HAN_RUN1.finditer(key):
                run = m.group()
                found = cache.get(run)
                if found is None:
                    found = self._run(run)
                if found[0] or found[1]:
                    runs.append((m.start(), found))
        matches = self._exact_matches(key, runs) if (self._has_automaton or runs) else ()
        exact = tuple(self._exact(name, norm, matches)) if matches else ()
        others = tuple(self._latin(name, norm)) if self._has_latin else ()
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
             visual: float, phonetic: float, mechanisms: tuple[str, ...], reason: str) -> MarkHit:
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
        where = _field_words(field_name)
        target = f'the mark "{form.mark.name}"' if not form.alias else (
            f'"{form.text}", {"another-script name" if form.other_script else "an alias"} of the mark "{form.mark.name}"')
        if kind == "exact":
            explanation = f'"{matched}" in {where} is {target}'
        else:
            explanation = f'"{matched}" in {where} looks like {target}'
        if reason:
            explanation += f": {reason}"
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
                        reason = "written in Traditional characters"
                    s0, e0 = norm.span(i, j)
                    if latin_form and any("\uff21" <= c <= "\uff5a" for c in norm.original[s0:e0]):
                        # ＰＨＩＬＩＰＳ: full-width letters slip past a platform's keyword filter
                        yield self._hit(field_name, norm, i, j, form, "lookalike", 0.95, 1.0, ("full_width",),
                                        "written in full-width letters, which keyword filters do not match"), None
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
    def _char_mechanisms(norm: Normalised, i: int, j: int, form: _Form) -> tuple[tuple[str, ...], str]:
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
            reasons.append(f"the {'/'.join(scripts)} letter{'s' if len(glyphs) > 1 else ''} "
                           f"{', '.join(g for g, _ in glyphs)} stand{'' if len(glyphs) > 1 else 's'} for the Latin "
                           f"{', '.join(t for _, t in glyphs)}")
        if digits:
            mechanisms.append("digit_for_letter")
            reasons.append("; ".join(f"the digit {d} stands for the letter {t.upper()}" for d, t in digits))
        return tuple(mechanisms), "; ".join(reasons)

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
    def _latin(self, field_name: str, norm: Normalised):
        key = norm.key
        cache = self._word_cache
        # Words already known to have no candidate are dropped in one set operation; only new
        # words and words with candidates are looked at one by one.
        words = set(_LATIN_TOKEN.findall(key))
        if not words:
            return
        hint = (not _JOIN_CHARS.isdisjoint(key) or not _SINGLE_LETTERS.isdisjoint(words)) and _PAIR_HINT.search(key)
        words.difference_update(self._no_candidates)
        wanted: dict = {}
        limit = self._max_latin + 2
        for w in words:
            found = cache.get(w)
            if found is None:
                found = self._latin_candidates(w, False) if 4 <= len(w) <= limit else ()
                self._remember(w, found)
            if found:
                wanted[w] = found
        joins = self._joins(key) if hint else ()
        if wanted:
            for m in _LATIN_TOKEN.finditer(key):
                found = wanted.get(m.group())
                if found:
                    yield from self._latin_hits(field_name, norm, m.start(), m.end(), found)
        for s, e, found in joins:
            yield from self._latin_hits(field_name, norm, s, e, found)
        if hint:
            for s, e, fids in self._split_marks(key):
                for fid in fids:
                    form = self.forms[fid]
                    if key[s:e] == form.key:
                        continue  # written as the mark itself ("estee lauder")
                    yield self._hit(field_name, norm, s, e, form, "lookalike", 0.9, 1.0, ("separator_inside",),
                                    "the mark is split by separators")

    def _split_marks(self, key: str) -> list:
        """A mark written in pieces, N.G.K, B.A.S.F, Mo bil: 2-4 tokens whose letters, joined, are
        exactly a mark, with punctuation between them or a piece of one or two letters."""
        tokens = [(m.start(), m.end(), m.group()) for m in _LATIN_TOKEN.finditer(key)]
        out = []
        for i in range(len(tokens)):
            joined, short, punct = tokens[i][2], len(tokens[i][2]) <= 2, False
            for j in range(i + 1, min(i + 4, len(tokens))):
                gap = key[tokens[j - 1][1]:tokens[j][0]]
                if _PUNCT_GAP.fullmatch(gap):
                    punct = True
                elif gap != " ":
                    break
                joined += tokens[j][2]
                short = short or len(tokens[j][2]) <= 2
                ids = self._compact_ids.get(joined)
                if ids and len(joined) >= 3 and (punct or short):
                    out.append((tokens[i][0], tokens[j][1], ids))
        return out

    def _joins(self, key: str) -> list:
        """Look-alikes made of two words joined across a separator (X-SEED, "Adi das")."""
        out = []
        limit = self._max_latin + 2
        prev = None
        cache = self._word_cache
        for m in _LATIN_TOKEN.finditer(key):
            if prev is not None:
                s1, e1, w1 = prev
                w2 = m.group()
                gap = key[e1:m.start()]
                joined = w1 + w2
                if (len(joined) <= limit and len(w2) >= 2 and len(gap) <= 2
                        and (_PUNCT_GAP.fullmatch(gap) or (gap.isspace() and min(len(w1), len(w2)) == 1))
                        and not (len(w1) >= 3 and latin.is_ordinary_word(w1))
                        and not (len(w1) >= 3 and len(w2) >= 4 and latin.is_ordinary_word(w2))):
                    ck = joined + "\x00"
                    if ck not in self._no_candidates:
                        found = cache.get(ck)
                        if found is None:
                            found = self._latin_candidates(joined, True)
                            self._remember(ck, found)
                        if found:
                            out.append((s1, m.end(), found))
            prev = (m.start(), m.end(), m.group())
        return out

    def _remember(self, word: str, found: tuple) -> None:
        if not found:
            if len(self._no_candidates) > 500_000:
                self._no_candidates.clear()
            self._no_candidates.add(word)
            return
        if len(self._word_cache) > 200_000:
            self._word_cache.clear()
        self._word_cache[word] = found

    def _latin_hits(self, field_name, norm, s, e, found):
        for fid, match in found:
            form = self.forms[fid]
            if form.mark.common_word and "sound_alike" in match.mechanisms:
                continue
            extra, reason = self._char_mechanisms(norm, s, e, form)
            yield self._hit(field_name, norm, s, e, form, "lookalike", match.visual, match.phonetic,
                            (*match.mechanisms, *extra), "; ".join(r for r in (match.detail, reason) if r))

    def _latin_candidates(self, word: str, joined: bool) -> tuple:
        if word in self._latin_keys and not joined:
            return ()
        ordinary = latin.is_ordinary_word(word) and not joined
        if ordinary:
            return ()
        ids: set[int] = set()
        for variant in {word, word.replace("rn", "m")}:
            for d in latin.deletions(variant):
                ids.update(self._deletions.get(d, ()))
        for code in latin.phonetic_codes(word):
            ids.update(self._phonetic.get(code, ()))
        out = []
        for fid in ids:
            form = self.forms[fid]
            match = latin.compare(word, form.compact, joined=joined)
            if match is not None:
                out.append((fid, match))
        return tuple(out)

    # ------------------------------------------------------------------ chinese
    def _run(self, text: str) -> tuple:
        """(exact all-Chinese names, look-alikes) inside one run of Chinese characters, cached."""
        cache = self._run_cache
        found = cache.get(text)
        if found is None:
            if len(text) == 1:
                ids = self._han_exact1.get(text)
                found = (((0, 1, ids),) if ids else (), ())
            else:
                found = (self._han_exact_run(text) if self._has_han_exact else (),
                         self._han_run(text) if self._has_han else ())
            if len(cache) > 100_000:
                cache.clear()
            cache[text] = found
        return found

    def _han_exact_run(self, text: str) -> tuple:
        """(start, end, form ids) of all-Chinese names written in ``text``, by end then longest first."""
        one, two = self._han_exact1, self._han_exact2
        if not one and not two:
            return ()
        out = []
        for s in range(len(text)):
            if one:
                ids = one.get(text[s])
                if ids:
                    out.append((s, s + 1, ids))
            entries = two.get(text[s:s + 2])
            if entries:
                for key, ids in entries:
                    if text.startswith(key, s):
                        out.append((s, s + len(key), ids))
        if len(out) > 1:
            out.sort(key=lambda m: (m[1], m[0]))
        return tuple(out)

    def _chinese(self, field_name: str, norm: Normalised, runs):
        for base, (_exact, found) in runs:
            for fid, start, end, mechanisms, reason in found:
                form = self.forms[fid]
                yield self._han_hit(field_name, norm, base + start, base + end, form, mechanisms, reason)

    def _han_run(self, text: str) -> tuple:
        """Look-alikes inside one run of Han characters: (form id, start, end, mechanisms, reason)."""
        g1, g2 = self._han_g1, self._han_g2
        n = len(text)
        o = [ord(c) for c in text]
        snd = chinese.sound_ids(text)
        if n == 2:
            found = [(fid, -pos) for postings in (g1.get(o[0] << 21 | o[1]), g1.get(-((snd[0] << 16) | snd[1]) - 1))
                     if postings for fid, pos in postings]
            return self._verify(text, found) if found else ()
        # All keys of the run at once (chinese.pair_key / sound_pair_key), looked up in C.
        p1 = list(map(g1.get, [a << 21 | b for a, b in zip(o, o[1:])]))
        s1 = list(map(g1.get, [-((a << 16) | b) - 1 for a, b in zip(snd, snd[1:])]))
        p2 = list(map(g2.get, [a << 21 | b for a, b in zip(o, o[2:])]))
        s2 = list(map(g2.get, [-((a << 16) | b) - 1 for a, b in zip(snd, snd[2:])]))
        if not (any(p1) or any(s1) or any(p2) or any(s2)):
            return ()
        found: list[tuple[int, int]] = []
        p2.append(None)
        s2.append(None)
        for i in range(n - 1):
            for postings in (p1[i], s1[i], p2[i], s2[i]):
                if postings:
                    found.extend([(fid, i - pos) for fid, pos in postings])
        return self._verify(text, found)

    def _verify(self, text: str, found: list[tuple[int, int]]) -> tuple:
        """Check candidates (form id, where the form would start in ``text``) of one run."""
        n = len(text)
        out = []
        forms = self.forms
        for fid, anchor in dict.fromkeys(found):
            form = forms[fid]
            if form.mark.common_word:
                continue
            anchor = max(0, anchor)
            nform = len(form.key)
            lo = max(0, anchor - 2)
            hi = min(n, anchor + nform + chinese.MAX_INSERT + 2)
            window = text[lo:hi]
            if not chinese.within_budget(form.key, window):
                continue
            result = self._align_window(form.key, window)
            if result is not None:
                start, end, mechanisms, reason = result
                if text[lo + start:lo + end] in self._han_keys:  # another watched mark, as written
                    continue
                if chinese.is_ordinary_word(text[lo + start:lo + end]):  # 雪花膏, 鲁北: a word of the language
                    continue
                out.append((fid, lo + start, lo + end, mechanisms, reason))
        # one result per (form, span)
        return tuple({(r[0], r[1], r[2]): r for r in out}.values())

    def _han_hit(self, field_name, norm, i, j, form: _Form, mechanisms, reason):
        visual = 0.85 if any(m in mechanisms for m in ("shape_similar_char", "component_split", "reordered_chars")) else 0.7
        phonetic = 0.95 if "same_sound_char" in mechanisms else (0.8 if "inserted_word" not in mechanisms else 0.7)
        if "inserted_word" in mechanisms:
            visual = 0.75
        if "number_swap" in mechanisms:
            visual, phonetic = 0.8, 0.6
        return self._hit(field_name, norm, i, j, form, "lookalike", visual, phonetic, mechanisms, reason)

    @staticmethod
    def _align_window(mark: str, window: str):
        """Verify a candidate (``chinese.within_budget`` has already passed: every mark character but
        at most one has an equal, same-sound, shape-similar character or a part in the window)."""
        n = len(mark)
        for s in range(0, max(0, len(window) - n) + 1):
            if chinese.reordered(mark, window[s:s + n]):
                return s, s + n, ("reordered_chars",), "the same characters in another order"
        split = any(len(p) == 2 and p[0] + p[1] in window for p in (chinese.parts(mark[0]), chinese.parts(mark[1])))
        if n == 2 and len(window) >= 2 and not split:
            # two-character marks: only a swap or a split, no insertions; no alignment needed
            for s in range(len(window) - 1):
                a, b = chinese._sub(mark[0], window[s]), chinese._sub(mark[1], window[s + 1])
                if a is not None and b is not None and (a[1] or b[1]) and not (a[1] and b[1]):
                    mech = a[1] or b[1]
                    al = chinese.Alignment(s, s + 2, 0.5, (mech,), ((mech, mark[0], window[s]) if a[1] else (mech, mark[1], window[s + 1]),))
                    return al.start, al.end, al.mechanisms, _han_reason(al.steps)
        al = chinese.align(mark, window, 0, len(window))
        if al is None or not al.mechanisms:
            return None
        if window[al.start:al.end] == mark:
            return None
        return al.start, al.end, al.mechanisms, _han_reason(al.steps)


def _han_reason(steps) -> str:
    out = []
    for mech, m, t in steps:
        if mech == "same_sound_char":
            out.append(f"{t} is written for {m}, the same sound ({chinese.sound(m)})")
        elif mech == "shape_similar_char":
            out.append(f"{t} is written for {m}, a character of similar shape")
        elif mech == "number_swap":
            out.append(f"the numeral {t} replaces {m}")
        elif mech == "component_split":
            out.append(f"{t} splits {m} into its parts")
        elif mech == "inserted_word":
            out.append(f"{t} is inserted inside the mark")
        elif mech == "one_char_changed":
            out.append(f"{t} replaces {m} (one character of the mark changed)")
    return "; ".join(out)
