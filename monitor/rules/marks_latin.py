"""Latin look-alikes for the mark matcher (:mod:`monitor.rules.marks`, step 3).

The Latin forms of the watched marks go into a deletion neighbourhood and a phonetic-code
index (:mod:`monitor.rules.latin`); a field's words, and pairs of words joined across a
separator, are looked up there and only those candidates are compared. What a word yields is
cached, so a word seen before costs one dictionary lookup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from monitor.rules import latin

if TYPE_CHECKING:
    from monitor.rules.marks import _Form

_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
# Two words joined across a separator (X-SEED, "Adi das"); overlapping, via a lookahead.
# Joins are tried only across punctuation between letters (X-SEED, ADI-DAS) or next to a single
# letter ("X SEED"): joining every pair of words of ordinary prose would be slow and noisy.
_PUNCT_GAP = re.compile(r"[\-_.·•*'/\\+]{1,2}")
_PAIR_HINT = re.compile(r"[a-z](?:[\-_.·•*'/\\+]{1,2}[a-z]|\s[b-hj-z]\b)|\b[b-hj-z]\s[a-z]")
# _PAIR_HINT needs one of these characters, or a word of one letter from _SINGLE_LETTERS
_JOIN_CHARS = frozenset("-_.·•*'/\\+")
_SINGLE_LETTERS = frozenset("bcdefghjklmnopqrstuvwxyz")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


class LatinLookalikes:
    """The candidate index over the Latin forms of a watchlist (``forms`` is the matcher's
    list of forms, indexed by form id)."""

    def __init__(self, forms: list[_Form]):
        self.forms = forms
        self.deletions: dict[str, list[int]] = {}
        self.phonetic: dict[str, list[int]] = {}
        self.keys: set[str] = set()
        self.compact_ids: dict[str, list[int]] = {}  # a Latin form without separators -> form ids
        self.max_len = 0
        self._word_cache: dict[str, tuple] = {}
        self._no_candidates: set[str] = set()

    def add(self, form: _Form) -> None:
        """Index a Latin form; sets its ``compact`` key (without spaces and separators)."""
        form.compact = _SEPARATORS.sub("", form.key)
        self.keys.add(form.compact)
        self.compact_ids.setdefault(form.compact, []).append(form.id)
        if len(form.compact) >= 4:
            self.max_len = max(self.max_len, len(form.compact))
            for d in latin.deletions(form.compact):
                self.deletions.setdefault(d, []).append(form.id)
            for code in latin.phonetic_codes(form.compact):
                self.phonetic.setdefault(code, []).append(form.id)

    @property
    def active(self) -> bool:
        """Whether any form is long enough to have look-alikes."""
        return bool(self.deletions or self.phonetic)

    def spans(self, key: str) -> tuple[list, list]:
        """Look-alike candidates in a normalised text: ``(start, end, ((form id, latin match),
        ...))`` for its words in text order, then for words joined across a separator; and
        marks written in pieces as ``(start, end, form ids)``."""
        cache = self._word_cache
        # Words already known to have no candidate are dropped in one set operation; only new
        # words and words with candidates are looked at one by one.
        words = set(_LATIN_TOKEN.findall(key))
        if not words:
            return [], []
        hint = (not _JOIN_CHARS.isdisjoint(key) or not _SINGLE_LETTERS.isdisjoint(words)) and _PAIR_HINT.search(key)
        words.difference_update(self._no_candidates)
        wanted: dict = {}
        limit = self.max_len + 2
        for w in words:
            found = cache.get(w)
            if found is None:
                found = self._candidates(w, False) if 4 <= len(w) <= limit else ()
                self._remember(w, found)
            if found:
                wanted[w] = found
        out = []
        joins = self._joins(key) if hint else ()
        if wanted:
            for m in _LATIN_TOKEN.finditer(key):
                found = wanted.get(m.group())
                if found:
                    out.append((m.start(), m.end(), found))
        out.extend(joins)
        return out, (self._split_marks(key) if hint else [])

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
                ids = self.compact_ids.get(joined)
                if ids and len(joined) >= 3 and (punct or short):
                    out.append((tokens[i][0], tokens[j][1], ids))
        return out

    def _joins(self, key: str) -> list:
        """Look-alikes made of two words joined across a separator (X-SEED, "Adi das")."""
        out = []
        limit = self.max_len + 2
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
                            found = self._candidates(joined, True)
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

    def _candidates(self, word: str, joined: bool) -> tuple:
        if word in self.keys and not joined:
            return ()
        ordinary = latin.is_ordinary_word(word) and not joined
        if ordinary:
            return ()
        ids: set[int] = set()
        for variant in {word, word.replace("rn", "m")}:
            for d in latin.deletions(variant):
                ids.update(self.deletions.get(d, ()))
        for code in latin.phonetic_codes(word):
            ids.update(self.phonetic.get(code, ()))
        out = []
        for fid in ids:
            form = self.forms[fid]
            match = latin.compare(word, form.compact, joined=joined)
            if match is not None:
                out.append((fid, match))
        return tuple(out)
