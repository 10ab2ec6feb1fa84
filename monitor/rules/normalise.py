"""The rules' text folds: ``fold`` for text checks, ``normalise`` for mark matching.

Two folds because two kinds of matching need different things. The text checks (regulatory,
vocabulary, shop names, the brand field) run regexes over the text and report the matches'
offsets in the original, so ``fold(text)`` never changes the text's length: it only evens
out width, brackets and (optionally) case. The mark matcher looks for a mark however it is
disguised, so ``normalise(text)`` makes a matching key that may differ in length and carries
an offset map back to the original.

``normalise(text)`` runs, in order:

1. NFKC per character (full-width → half-width, compatibility forms, ligatures), combining
   marks dropped (``é`` → ``e``), case folding;
2. Traditional → Simplified Chinese (OpenCC ``t2s``; phrase-aware, one character per character);
3. the Unicode confusables skeleton, restricted to non-ASCII characters that look like one Latin
   letter (``homoglyphs.confusable_table``), applied after case folding;
4. digits used for letters inside Latin words (``B0SCH``, ``DEN5O``, ``N1KE``), a separate
   mechanism from homoglyphs (see ``_DIGIT_LETTER`` for when a digit counts as a letter).

Every stage keeps one output character per output position and records the original span
of each output character, so ``Normalised.span(i, j)`` turns a match in the key back into
offsets of the original text. The common cases (ASCII text, Chinese text without
characters that expand) keep the identity map and cost a few ``str.translate`` calls.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, partial

from monitor.rules.homoglyphs import DIGIT_LETTERS, confusable_table

logger = logging.getLogger("monitor.rules")

T2S_CONFIG = "t2s"  # OpenCC's Traditional to Simplified conversion


def load_t2s(config: str = T2S_CONFIG):
    """OpenCC's converter for ``config`` and None, or None and what is degraded without it.

    Without the converter the fold leaves Traditional characters as they are: the monitor still
    runs, but never silently so. The problem is logged here, recorded in ``T2S_PROBLEM`` for
    ``monitor rules check``, and the scheduler raises it as an alert at start-up.
    """
    try:
        # lazy: a broken OpenCC C library fails at import, and that must degrade the fold (loudly)
        # rather than stop every command
        import opencc

        return opencc.OpenCC(config), None
    except Exception as exc:  # noqa: BLE001 - the C library raises RuntimeError, a bad wheel ImportError
        problem = (f"OpenCC's {config!r} conversion did not load ({type(exc).__name__}: {exc}): Traditional "
                   "Chinese is not folded to Simplified, so Traditional-script look-alikes of watched marks are "
                   "not found; reinstall the opencc package (pip install --force-reinstall opencc)")
        logger.warning("%s", problem)
        return None, problem


_T2S, T2S_PROBLEM = load_t2s()

_SPECIAL = re.compile(r"[^\x00-\x7f\u4e00-\u9fff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class _CharTable(dict):
    """``ord(ch) -> convert(ch)`` for :meth:`str.translate`, filled on first sight of each character.

    ``expanding`` collects the characters whose converted form is not exactly one character
    (for ``normalise``: a text containing none of them keeps the identity offset map).
    """

    def __init__(self, convert) -> None:
        super().__init__()
        self.convert = convert
        self.expanding: set[str] = set()

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = self.convert(ch)
        if len(out) != 1:
            self.expanding.add(ch)
        self[code] = out
        return out


# --------------------------------------------------------------------------- fold: same length

_BRACKETS = {"〔": "(", "〕": ")", "【": "[", "】": "]", "［": "[", "］": "]", "\u3000": " ", "—": "-", "－": "-"}


def _same_length_char(ch: str, lower: bool) -> str:
    mapped = _BRACKETS.get(ch)
    if mapped is None:
        mapped = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        if len(mapped) != 1:
            mapped = ch
    if lower:
        low = mapped.lower()
        mapped = low if len(low) == 1 else mapped
    return mapped


_SAME_LENGTH = {True: _CharTable(partial(_same_length_char, lower=True)),
                False: _CharTable(partial(_same_length_char, lower=False))}


def fold(text: str, lower: bool = True) -> str:
    """Normalise for matching without changing length, so offsets stay valid in the original.

    Full-width ASCII (（２０１９）, ＰＤ) becomes ASCII, 〔〕 become (), the ideographic space a
    space; with ``lower`` letters are lower-cased. A character whose normal form is longer
    than one character (ligatures, Ⅱ) is kept as it is.
    """
    # Character by character (a table per character, built once): ASCII text needs only
    # lower-casing, which is the same one character at a time as for the whole string.
    if text.isascii():
        return text.lower() if lower else text
    return text.translate(_SAME_LENGTH[bool(lower)])


_NAME_NOISE = re.compile(r"[\s:：.。]+")


@lru_cache(maxsize=20_000)
def fold_name(name: str) -> str:
    """An attribute name or label for comparison: folded, without spaces, colons and dots."""
    return _NAME_NOISE.sub("", fold(name))


# --------------------------------------------------------------------------- normalise: the mark key

def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch.casefold()
    text = unicodedata.normalize("NFKC", ch)
    if any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text)):
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text)
    return text.casefold()


_FOLD = _CharTable(_fold_char)
_ASCII_FOLD = {c: chr(c).lower() for c in range(65, 91)}

@dataclass
class Normalised:
    """A text and its matching key: ``key[i]`` comes from ``original[starts[i]:ends[i]]``.

    ``folded`` is the text after NFKC, case folding and Traditional → Simplified only;
    ``unconverted`` the same before Traditional → Simplified; ``key`` adds the homoglyph
    skeleton and digits for letters. All three have the same length.
    """

    original: str
    unconverted: str
    folded: str
    key: str
    starts: list[int] | None = None  # None: identity map
    ends: list[int] | None = None

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original offsets of key positions ``[i, j)``."""
        if self.starts is None:
            return i, j
        if j <= i:
            pos = self.starts[i] if i < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[i], self.ends[j - 1]


def normalise(text: str) -> Normalised:
    if text.isascii():
        folded = text.translate(_ASCII_FOLD)
        key = _digits(folded)
        return Normalised(text, folded, folded, key)
    starts = ends = None
    # Only characters outside ASCII and the CJK block need the per-character table.
    specials = set(_SPECIAL.findall(text))
    if not specials:
        folded = text.lower()
    else:
        table = _FOLD
        for ch in specials:
            table[ord(ch)]
        if table.expanding.isdisjoint(specials):
            folded = _SPECIAL.sub(lambda m: table[ord(m.group())], text).lower()
        else:
            folded = None
    if folded is None:
        chars: list[str] = []
        starts, ends = [], []
        for i, ch in enumerate(text):
            out = _FOLD[ord(ch)]
            for c in out:
                chars.append(c)
                starts.append(i)
                ends.append(i + 1)
        folded = "".join(chars)
    unconverted = folded
    if _T2S is not None and _HAN.search(folded):
        converted = _T2S.convert(folded)
        if len(converted) != len(folded):  # a phrase changed length: convert per character
            converted = "".join(c if len(t := _T2S.convert(c)) != 1 else t for c in folded)
        folded = converted
    key = folded
    if specials:
        table = confusable_table()
        glyphs = {c: table[ord(c)] for c in set(_SPECIAL.findall(folded)) if ord(c) in table}
        if glyphs:
            key = "".join([glyphs.get(c, c) for c in folded])
    key = _digits(key)
    return Normalised(text, unconverted, folded, key, starts, ends)


# A digit standing for a letter: one digit between letters (b0sch, den5o, n1ke), or a digit
# starting a word of at least three more letters (4didas). Numbers (5w30, iphone15, 500ml) and
# digits ending a word (model3, s8: model numbers) are left alone.
_DIGIT_BEFORE_LETTER = re.compile(r"[0134578](?=[a-z])")
_LETTERS3 = re.compile(r"[a-z]{3}")


def _digits(key: str) -> str:
    chars = None
    for m in _DIGIT_BEFORE_LETTER.finditer(key):
        i = m.start()
        before = key[i - 1] if i else " "
        if "a" <= before <= "z" or (not before.isascii() or not before.isalnum()) and _LETTERS3.match(key, i + 1):
            if chars is None:
                chars = list(key)
            chars[i] = DIGIT_LETTERS[key[i]]
    return key if chars is None else "".join(chars)
