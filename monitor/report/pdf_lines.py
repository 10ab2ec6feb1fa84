"""Line breaking for the report PDF's paragraphs, Chinese and English alike.

fpdf2 breaks lines only at spaces: a Chinese sentence (no spaces) is one long "word" that goes
whole to the next line, leaving a bullet "-" or "GB/T" alone on the line before. Here a line may
break before or after any Chinese character (not before closing punctuation such as ，。）」, nor
after opening punctuation such as （「), and at a space between Latin words, but never inside a
Latin word or number, at a no-break space (U+00A0), or at a space before a number or a short unit
that belongs to the word before it ("GB/T 2260", "listing-monitor 0.1.0", "36.0 h").
"""

from __future__ import annotations

import re
from typing import Callable

NBSP = "\u00a0"
OPENING = set("（「『“‘《〈【〔［｛(")
CLOSING = set("，。、；：！？）」』”’》〉】〕］｝…%％·,.;:!?)")
_SHORT_UNIT = re.compile(r"[A-Za-z%]{1,2}[.,;:)]?")
_NUMBER = re.compile(r"\d[\d.,:/-]*[.,;:)]?")


def _wide(c: str) -> bool:
    """A character after or before which a Chinese line may break (CJK and full-width forms)."""
    o = ord(c)
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF


def tokens(text: str) -> list[tuple[str, bool]]:
    """(token, a space before it): each Chinese character is one token, a Latin word (letters,
    digits, punctuation, joined by no-break spaces) one."""
    out: list[tuple[str, bool]] = []
    word, space = "", False
    for c in text:
        if c == " ":
            if word:
                out.append((word, space))
                word = ""
            space = True
        elif _wide(c):
            if word:
                out.append((word, space))
                word, space = "", False
            out.append((c, space))
            space = False
        else:
            word += c
    if word:
        out.append((word, space))
    return out


def _glued(prev: str, token: str, space: bool) -> bool:
    """May the line not break between ``prev`` and ``token``?"""
    if not space:
        if token[0] in CLOSING or prev[-1] in OPENING:
            return True
        return not (_wide(prev[-1]) or _wide(token[0]))  # two Latin tokens with no space: one word
    if _wide(prev[-1]) or _wide(token[0]):
        return False
    return bool(_NUMBER.fullmatch(token) and len(prev) <= 16) or bool(_SHORT_UNIT.fullmatch(token)
                                                                        and prev[-1].isdigit())


def groups(text: str) -> list[tuple[str, bool]]:
    """The text as unbreakable groups, each with whether a space precedes it."""
    out: list[tuple[str, bool]] = []
    for token, space in tokens(text):
        if out and _glued(out[-1][0], token, space):
            out[-1] = (out[-1][0] + (" " if space else "") + token, out[-1][1])
        else:
            out.append((token, space))
    return out


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` in lines at most ``width`` wide (``measure`` gives a string's width); a group
    wider than a whole line (a long URL) is cut by characters. No-break spaces print as spaces."""
    lines: list[str] = []
    line = ""
    for group, space in groups(text):
        group = group.replace(NBSP, " ")
        candidate = line + (" " if space and line else "") + group
        if not line or measure(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = group
        while measure(line) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and measure(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:].lstrip(" ")
    if line or not lines:
        lines.append(line)
    return lines
