"""Latin-script look-alikes: edits, transpositions, doubled letters, separators, sound-alikes.

Candidates come from two small indexes built once per watchlist, so a word is compared with
a handful of marks, not with all of them:

* a deletion neighbourhood (every form with one letter deleted, SymSpell style): any word one
  edit, one transposition or one doubled letter away from a form shares a key with it;
* phonetic codes from ``jellyfish`` (Metaphone, Metaphone without a final S, Soundex): sound-alikes
  such as Kabba / Kappa and SEYCOS / SEIKO.

``compare`` then scores a (word, form) pair with ``rapidfuzz`` (OSA distance, Jaro-Winkler for
the weight of the beginning) and ``jellyfish`` codes, and decides whether it is a look-alike.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jellyfish
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from monitor.rules.explain import Msg, join

ORDINARY_ZIPF = 3.0  # a word this frequent in English (wordfreq Zipf scale) is an ordinary word


@functools.cache
def _english() -> dict[str, float]:
    # lazy: wordfreq costs 0.1 s to import and only the ordinary-word filter of Latin marks needs it
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="small")


_ORDINARY_FREQ = 10 ** (ORDINARY_ZIPF - 9)


def is_ordinary_word(word: str) -> bool:
    """Whether ``word`` (lower case) is a common English word or name (castro, mobile, nice)."""
    return _english().get(word, 0.0) >= _ORDINARY_FREQ


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


@functools.lru_cache(maxsize=200_000)
def phonetic_codes(word: str) -> tuple[str, ...]:
    """Codes under which sound-alikes meet: Metaphone, Metaphone of the word without a final s,
    Soundex. Empty codes and codes of one character are left out (too many words share them)."""
    codes = []
    mp = jellyfish.metaphone(word)
    if len(mp) >= 2:
        codes.append("m:" + mp)
    if word.endswith("s") and len(word) > 4:
        mp2 = jellyfish.metaphone(word[:-1])
        if len(mp2) >= 2:
            codes.append("m:" + mp2)
    if len(word) >= 5:
        codes.append("s:" + jellyfish.soundex(word))
    return tuple(codes)


@functools.lru_cache(maxsize=200_000)
def _codes(word: str) -> tuple[str, str, str]:
    return jellyfish.metaphone(word), jellyfish.nysiis(word), jellyfish.soundex(word)


def phonetic_similarity(a: str, b: str) -> float:
    """0..1 from Metaphone, NYSIIS and Soundex codes (jellyfish), compared with Jaro-Winkler."""
    if a == b:
        return 1.0
    ma, na, sa = _codes(a)
    mb, nb, sb = _codes(b)
    score = 0.5 * JaroWinkler.normalized_similarity(ma, mb) + 0.3 * JaroWinkler.normalized_similarity(na, nb)
    score += 0.2 if sa == sb else 0.0
    same_sound = ma == mb or (a.endswith("s") and jellyfish.metaphone(a[:-1]) == mb) or (
        b.endswith("s") and jellyfish.metaphone(b[:-1]) == ma
    )
    if same_sound:
        score = max(score, 0.92)
    return round(min(score, 1.0), 3)


def _undouble(word: str) -> str:
    out = []
    for c in word:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


@dataclass
class LatinMatch:
    visual: float
    phonetic: float
    mechanisms: tuple[str, ...]
    detail: Msg | str  # what changed, in plain words


def compare(word: str, form: str, *, joined: bool = False) -> LatinMatch | None:
    """Is ``word`` (a key, lower case, maybe several tokens joined) a look-alike of ``form``?

    Rules: the first letter must be the same (beginnings weigh most); forms of up to 3 letters
    never match by edits (only homoglyphs/digits, decided by the caller on equal keys); 4-letter
    forms allow one substituted letter after the first; longer forms one edit, one transposition,
    doubled / undoubled letters, "rn" for "m", or a sound-alike spelling close in letters too.
    """
    if word == form:
        if joined:
            return LatinMatch(1.0, 1.0, ("separator_inside",), Msg("the mark is split by a separator"))
        return None
    n, m = len(form), len(word)
    if n <= 3 or not word:
        return None
    if "rn" in word and word.replace("rn", "m") == form:
        return LatinMatch(0.95, 0.7, ("homoglyph",), Msg('"rn" is written for "m"'))
    if word[0] != form[0]:
        return None
    if word == form + "s" or word == form + "es":  # plural or possessive of the mark itself
        return None
    visual = round(0.5 * Levenshtein.normalized_similarity(word, form) + 0.5 * JaroWinkler.normalized_similarity(word, form), 3)
    phonetic = phonetic_similarity(word, form)
    sep = ("separator_inside",) if joined else ()
    if _undouble(word) == _undouble(form):
        return LatinMatch(max(visual, 0.9), max(phonetic, 0.9), ("doubled_letter", *sep), Msg("a letter is doubled or undoubled"))
    dist = OSA.distance(word, form, score_cutoff=3)
    if n == 4:
        if m == 4 and dist == 1 and Levenshtein.distance(word, form) == 1:
            i = next(k for k in range(4) if word[k] != form[k])
            return LatinMatch(visual, phonetic, ("one_letter_edit", *sep), _replaces(word[i], form[i]))
        return None
    if dist == 1:
        if Levenshtein.distance(word, form) == 2:
            return LatinMatch(visual, phonetic, ("transposition", *sep), Msg("two neighbouring letters are swapped"))
        return LatinMatch(visual, phonetic, ("one_letter_edit", *sep), _describe_edit(word, form))
    if dist == 2 and n >= 8 and visual >= 0.85:
        return LatinMatch(visual, phonetic, ("two_letter_edit", *sep), _describe_edit(word, form))
    if phonetic >= 0.9 and visual >= 0.6 and abs(n - m) <= 2 and word[:2] == form[:2]:
        return LatinMatch(visual, phonetic, ("sound_alike", *sep), Msg("it is spelled differently but sounds the same"))
    if m == n and dist <= 2 and all(_sound_class(a) == _sound_class(b) for a, b in zip(word, form)):
        return LatinMatch(visual, max(phonetic, 0.85), ("sound_alike", *sep),
                          Msg("%(changes)s (letters of the same sound group)",
                              changes=join([_replaces(a, b) for a, b in zip(word, form) if a != b], ", ")))
    return None


@functools.lru_cache(maxsize=64)
def _sound_class(letter: str) -> str:
    """Soundex's letter group (b/f/p/v, c/g/j/k/q/s/x/z, d/t, ...); vowels are their own."""
    if letter in "aeiouyhw":
        return letter
    return jellyfish.soundex("a" + letter)[1:2] or letter


def _replaces(written: str, letter: str) -> Msg:
    return Msg('"%(written)s" replaces "%(letter)s"', written=written, letter=letter)


def _describe_edit(word: str, form: str) -> Msg | str:
    ops = Levenshtein.editops(form, word)
    parts = []
    for op in ops:
        if op.tag == "replace":
            parts.append(_replaces(word[op.dest_pos], form[op.src_pos]))
        elif op.tag == "insert":
            parts.append(Msg('"%(letter)s" is added', letter=word[op.dest_pos]))
        elif op.tag == "delete":
            parts.append(Msg('"%(letter)s" is left out', letter=form[op.src_pos]))
    return join(parts, ", ") or Msg("one letter differs")
