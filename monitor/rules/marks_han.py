"""All-Chinese marks for the mark matcher (:mod:`monitor.rules.marks`, steps 2 and 4).

Exact all-Chinese names are found by a dictionary keyed by their first two characters,
looked up along each run of Chinese characters (an Aho-Corasick automaton whose root has
thousands of children is slow). Look-alikes are looked up by character pairs (same pair, same
sounds, or a shape-similar character / part in place of one of them, :mod:`monitor.rules.chinese`);
a candidate whose cheapest conceivable reading is over budget is dropped, the rest are
verified by a small alignment. What a run yields is cached per run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.rules import chinese
from monitor.rules.explain import Msg, join

if TYPE_CHECKING:
    from monitor.rules.marks import _Form


class HanMarks:
    """The index over the all-Chinese forms of a watchlist (``forms`` is the matcher's list of
    forms, indexed by form id)."""

    def __init__(self, forms: list[_Form]):
        self.forms = forms
        # Look-alike candidates: integer pair keys (``chinese.pair_key`` / ``sound_pair_key``)
        # of mark characters 1 or 2 apart → ((form id, position), ...).
        self._g1: dict[int, tuple[tuple[int, int], ...]] = {}
        self._g2: dict[int, tuple[tuple[int, int], ...]] = {}
        # Exact names: first two characters → ((key, form ids), ...); one-character names.
        self._exact2: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {}
        self._exact1: dict[str, tuple[int, ...]] = {}
        self._exact2_lists: dict[str, list] = {}
        self._keys: set[str] = set()
        self._postings: dict[tuple[int, int], tuple[tuple[int, int]]] = {}  # one shared tuple per (form, position)
        self._run_cache: dict[str, tuple] = {}
        self.has_lookalikes = False

    def add_lookalike_form(self, form: _Form) -> None:
        """Index a form of two or more Chinese characters for look-alikes."""
        key = form.key
        for gap, k, pos in chinese.mark_keys(key):
            index = self._g1 if gap == 1 else self._g2
            one = self._postings.get((form.id, pos))
            if one is None:
                one = self._postings[form.id, pos] = ((form.id, pos),)
            old = index.get(k)
            index[k] = one if old is None else old + one
        self.has_lookalikes = True
        self._keys.add(key)

    def add_exact(self, key: str, ids: tuple[int, ...]) -> None:
        """An all-Chinese key to find as written (the forms ``ids`` have it)."""
        if len(key) == 1:
            self._exact1[key] = ids
        else:
            self._exact2_lists.setdefault(key[:2], []).append((key, ids))

    def finish(self) -> None:
        """Done adding: freeze the exact-name lists."""
        self._exact2 = {k: tuple(v) for k, v in self._exact2_lists.items()}
        self._exact2_lists = {}
        self._postings = {}

    @property
    def has_exact(self) -> bool:
        return bool(self._exact1 or self._exact2)

    def run(self, text: str) -> tuple:
        """(exact all-Chinese names, look-alikes) inside one run of Chinese characters, cached."""
        cache = self._run_cache
        found = cache.get(text)
        if found is None:
            if len(text) == 1:
                ids = self._exact1.get(text)
                found = (((0, 1, ids),) if ids else (), ())
            else:
                found = (self._exact_run(text) if self.has_exact else (),
                         self._lookalike_run(text) if self.has_lookalikes else ())
            if len(cache) > 100_000:
                cache.clear()
            cache[text] = found
        return found

    def _exact_run(self, text: str) -> tuple:
        """(start, end, form ids) of all-Chinese names written in ``text``, by end then longest first."""
        one, two = self._exact1, self._exact2
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

    def _lookalike_run(self, text: str) -> tuple:
        """Look-alikes inside one run of Han characters: (form id, start, end, mechanisms, reason)."""
        g1, g2 = self._g1, self._g2
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
            result = _align_window(form.key, window)
            if result is not None:
                start, end, mechanisms, reason = result
                if text[lo + start:lo + end] in self._keys:  # another watched mark, as written
                    continue
                if chinese.is_ordinary_word(text[lo + start:lo + end]):  # 雪花膏, 鲁北: a word of the language
                    continue
                out.append((fid, lo + start, lo + end, mechanisms, reason))
        # one result per (form, span)
        return tuple({(r[0], r[1], r[2]): r for r in out}.values())


def lookalike_scores(mechanisms: tuple[str, ...]) -> tuple[float, float]:
    """(visual, phonetic) similarity of a Chinese look-alike made by ``mechanisms``."""
    visual = 0.85 if any(m in mechanisms for m in ("shape_similar_char", "component_split", "reordered_chars")) else 0.7
    phonetic = 0.95 if "same_sound_char" in mechanisms else (0.8 if "inserted_word" not in mechanisms else 0.7)
    if "inserted_word" in mechanisms:
        visual = 0.75
    if "number_swap" in mechanisms:
        visual, phonetic = 0.8, 0.6
    return visual, phonetic


def _align_window(mark: str, window: str):
    """Verify a candidate (``chinese.within_budget`` has already passed: every mark character but
    at most one has an equal, same-sound, shape-similar character or a part in the window)."""
    n = len(mark)
    for s in range(0, max(0, len(window) - n) + 1):
        if chinese.reordered(mark, window[s:s + n]):
            return s, s + n, ("reordered_chars",), Msg("the same characters in another order")
    split = any(len(p) == 2 and p[0] + p[1] in window for p in (chinese.parts(mark[0]), chinese.parts(mark[1])))
    if n == 2 and len(window) >= 2 and not split:
        # two-character marks: only a swap or a split, no insertions; no alignment needed
        for s in range(len(window) - 1):
            a, b = chinese._sub(mark[0], window[s]), chinese._sub(mark[1], window[s + 1])
            if a is not None and b is not None and (a[1] or b[1]) and not (a[1] and b[1]):
                mech = a[1] or b[1]
                al = chinese.Alignment(s, s + 2, 0.5, (mech,), ((mech, mark[0], window[s]) if a[1] else (mech, mark[1], window[s + 1]),))
                return al.start, al.end, al.mechanisms, _reason(al.steps)
    al = chinese.align(mark, window, 0, len(window))
    if al is None or not al.mechanisms:
        return None
    if window[al.start:al.end] == mark:
        return None
    return al.start, al.end, al.mechanisms, _reason(al.steps)


def _reason(steps) -> Msg | str:
    out = []
    for mech, m, t in steps:
        if mech == "same_sound_char":
            out.append(Msg("%(written)s is written for %(char)s, the same sound (%(sound)s)",
                           written=t, char=m, sound=chinese.sound(m)))
        elif mech == "shape_similar_char":
            out.append(Msg("%(written)s is written for %(char)s, a character of similar shape", written=t, char=m))
        elif mech == "number_swap":
            out.append(Msg("the numeral %(written)s replaces %(char)s", written=t, char=m))
        elif mech == "component_split":
            out.append(Msg("%(written)s splits %(char)s into its parts", written=t, char=m))
        elif mech == "inserted_word":
            out.append(Msg("%(written)s is inserted inside the mark", written=t))
        elif mech == "one_char_changed":
            out.append(Msg("%(written)s replaces %(char)s (one character of the mark changed)", written=t, char=m))
    return join(out) if out else ""
