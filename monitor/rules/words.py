"""Word lists of the rule files as regexes over :func:`~monitor.rules.normalise.fold`-ed text,
and quick tests for "does any of these patterns match"."""

from __future__ import annotations

import re

from monitor.rules.normalise import fold

# Patterns made by word_pattern (id -> (pattern, prefilter)); the entry keeps the pattern alive,
# so its id is not reused.
_WORD_PATTERNS: dict[int, tuple[re.Pattern, re.Pattern]] = {}


def word_pattern(words: list[str] | tuple[str, ...]) -> re.Pattern | None:
    """One regex for a list of literal words, matched against :func:`fold`-ed text.

    Latin words only match whole (``for`` not in ``former``, ``SPF`` still in ``SPF50``);
    spaces inside a word also match hyphens ("anti hair loss" = "anti-hair-loss").
    """
    parts = []
    for word in sorted(words_folded(words), key=len, reverse=True):
        body = r"[\s\-_]*".join(re.escape(p) for p in word.split())
        if re.match(r"[a-z0-9]", word):
            body = r"(?<![a-z0-9])" + body
        if re.search(r"[a-z]$", word):
            body += r"(?![a-z])"
        elif re.search(r"[0-9]$", word):
            body += r"(?![0-9])"
        parts.append(body)
    if not parts:
        return None
    pattern = re.compile("|".join(parts))
    if id(pattern) not in _WORD_PATTERNS:
        # Every match contains its word's first token as it is: a quick test for "none at all".
        tokens = sorted({word.split()[0] for word in words_folded(words)}, key=len, reverse=True)
        _WORD_PATTERNS[id(pattern)] = (pattern, re.compile("|".join(map(re.escape, tokens))))
    return pattern


def words_folded(words) -> set[str]:
    return {fold(w).strip() for w in words if w and w.strip()}


def word_prefilter(pattern: re.Pattern | None) -> re.Pattern | None:
    """For a pattern :func:`word_pattern` made: a plain regex of literal words that finds
    something in every text the pattern matches (and is quicker to run); None otherwise."""
    entry = _WORD_PATTERNS.get(id(pattern))
    return entry[1] if entry is not None and entry[0] is pattern else None


def is_word_pattern(pattern: re.Pattern | None) -> bool:
    """True for a pattern :func:`word_pattern` made."""
    return word_prefilter(pattern) is not None


def find_words(pattern: re.Pattern | None, text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of ``pattern`` in ``text`` (folded here)."""
    if pattern is None or not text:
        return []
    return [m.span() for m in pattern.finditer(fold(text))]


_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"), (re.ASCII, "a"))
_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _combine(patterns: tuple[re.Pattern, ...]) -> re.Pattern | None:
    """One regex that matches in a text exactly when at least one of ``patterns`` does (each
    keeps its own flags), or None when they cannot be combined (back-references, clashing
    group names, a global flag): then every pattern is tried on its own."""
    parts = []
    for p in patterns:
        if not isinstance(p.pattern, str) or _BACKREF.search(p.pattern):
            return None
        flags = "".join(c for f, c in _SCOPED_FLAGS if p.flags & f)
        body = p.pattern + "\n" if p.flags & re.VERBOSE else p.pattern  # a trailing comment ends there
        parts.append(f"(?{flags}:{body})" if flags else f"(?:{body})")
    if not parts:
        return None
    try:
        return re.compile("|".join(parts))
    except (re.error, RecursionError, OverflowError):
        return None


_UNIONS: dict[tuple[int, ...], tuple[tuple[re.Pattern, ...], "AnyOf"]] = {}


class AnyOf:
    """A quick test: ``search(text)`` is true whenever at least one of the patterns matches somewhere
    in ``text`` (it may also be true when none does: word patterns are tested by their prefilters)."""

    __slots__ = ("words", "others")

    def __init__(self, words: re.Pattern | None, others: tuple[re.Pattern, ...]):
        self.words = words  # the word patterns' literal prefilters in one
        self.others = others

    def search(self, text: str) -> bool:
        if self.words is not None and self.words.search(text):
            return True
        for p in self.others:
            if p.search(text):
                return True
        return False


def any_of(patterns: tuple[re.Pattern, ...]) -> AnyOf:
    """:class:`AnyOf` ``patterns``, made once per list of patterns (a rule pack's lists are few).

    Keyed by the patterns' ids: the entry holds the patterns, so no other object can take
    one of those ids while the entry exists."""
    key = tuple(map(id, patterns))
    entry = _UNIONS.get(key)
    if entry is None:
        if len(_UNIONS) >= 256:
            _UNIONS.clear()
        prefilters = [word_prefilter(p) for p in patterns]
        words = [f.pattern for f in prefilters if f is not None]
        others = tuple(p for p, f in zip(patterns, prefilters) if f is None)
        combined = _combine(others) if len(others) > 1 else None
        entry = _UNIONS[key] = (patterns, AnyOf(re.compile("|".join(f"(?:{w})" for w in words)) if words else None,
                                                (combined,) if combined is not None else others))
    return entry[1]
