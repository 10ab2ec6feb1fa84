"""Chinese look-alikes: same-sound and shape-similar characters, component splits, number swaps,
inserted words and reordered characters.

Data: sounds from ``pypinyin`` (toneless reading); character shape from ``char-similar-z``
(four-corner codes, structure, radical, stroke count, stroke order and the decomposition of a
character into its parts, e.g. 旺 = 日 + 王). Nothing here is a hand-written table except the
Chinese numerals.

``align(mark, text)`` finds the cheapest way to read a stretch of ``text`` as ``mark`` and
returns the mechanisms used; ``mark_keys`` gives the keys of the pair index that finds where to
try, and ``within_budget`` rules out most candidates before any alignment.
"""

from __future__ import annotations

import functools
import json
import operator
from dataclasses import dataclass
from importlib.resources import files

from pypinyin import Style, lazy_pinyin

NUMERALS = frozenset("一二三四五六七八九十百千万两零壹贰叁肆伍陆柒捌玖拾")

SHAPE_THRESHOLD = 0.62  # shape similarity above which a swap counts as "shape-similar"
SHAPE_NEIGHBOURS = 12  # per mark character, the most shape-similar characters indexed
COMMON_CHARS = 5000  # neighbours are looked for among the most frequent characters only


@functools.cache
def _data(name: str) -> dict:
    return json.loads(files("char_similar_z.data").joinpath(f"char_{name}.dict").read_text("utf-8"))


# A Chinese word this frequent (wordfreq Zipf scale) is an ordinary word: 雪花膏 (vanishing
# cream), 鲁北 (northern Shandong) are words of the language, not knock-offs of 雪花秀, 鲁西.
# Invented look-alikes (妮薇雅, 康帅傅) are not in the word list at all.
ORDINARY_ZIPF = 1.5


@functools.cache
def _chinese_words() -> dict[str, float]:
    # lazy: wordfreq costs 0.1 s to import and only the ordinary-word filter of Chinese marks needs it
    from wordfreq import get_frequency_dict

    return get_frequency_dict("zh", wordlist="best")


def is_ordinary_word(word: str) -> bool:
    """Whether ``word`` (Simplified characters) is a word of general Chinese text."""
    return len(word) >= 2 and _chinese_words().get(word, 0.0) >= 10 ** (ORDINARY_ZIPF - 9)


@functools.lru_cache(maxsize=65536)
def sound(ch: str) -> str:
    """Toneless pinyin of one character ("" for a non-Han character)."""
    out = lazy_pinyin(ch, style=Style.NORMAL, errors=lambda _: [""])
    return out[0] if out else ""


@functools.lru_cache(maxsize=65536)
def parts(ch: str) -> tuple[str, ...]:
    """The parts a character splits into (旺 → 日, 王), () when unknown."""
    return tuple(_data("stroke").get(ch) or ())


def _shape_features(ch: str):
    return (
        _data("fourangle").get(ch, ""),
        _data("struct").get(ch, ""),
        _data("component").get(ch, ""),
        _data("number").get(ch, 0),
        frozenset(_data("stroke").get(ch) or ()),
        frozenset(_data("order").get(ch, "")),
    )


_features = functools.lru_cache(maxsize=65536)(_shape_features)


@functools.lru_cache(maxsize=65536)
def shape_similarity(a: str, b: str) -> float:
    """0..1 shape similarity after char-similar's weights (frequency left out: not about shape).

    Weights: structure 8, four-corner code 7, stroke count 6, shared parts 4 (doubled here:
    the parts are what a reader sees), stroke-order set 3, radical 2.
    """
    if a == b:
        return 1.0
    return _shape_score(_features(a), _features(b))


def _shape_score(fa, fb) -> float:
    """``shape_similarity`` of two different characters from their features (not cached: the
    neighbour search scores hundreds of thousands of pairs once each)."""
    if not fa[0] or not fb[0]:
        return 0.0
    four = sum(map(operator.eq, fa[0][:4], fb[0][:4])) / 4
    struct = 1.0 if fa[1] and fa[1] == fb[1] else 0.0
    radical = 1.0 if fa[2] and fa[2] == fb[2] else 0.0
    na, nb = fa[3], fb[3]
    number = 1 - abs(na - nb) / max(na, nb) if na and nb else 0.0
    parts_sim = len(fa[4] & fb[4]) / len(fa[4] | fb[4]) if fa[4] and fb[4] else 0.0
    order = len(fa[5] & fb[5]) / len(fa[5] | fb[5]) if fa[5] and fb[5] else 0.0
    score = (8 * struct + 7 * four + 6 * number + 8 * parts_sim + 3 * order + 2 * radical) / 34
    return round(score, 4)


@functools.cache
def _common_chars() -> tuple[str, ...]:
    freq = _data("frequency")
    ranked = sorted(freq, key=lambda c: -float(freq[c] or 0))
    return tuple(c for c in ranked[:COMMON_CHARS] if "\u4e00" <= c <= "\u9fff")


@functools.cache
def _part_index() -> dict[str, tuple[str, ...]]:
    """Part → common characters that contain it (to find shape neighbours without a full scan)."""
    index: dict[str, list[str]] = {}
    for ch in _common_chars():
        for p in parts(ch):
            index.setdefault(p, []).append(ch)
        fc = _data("fourangle").get(ch, "")
        if fc:
            index.setdefault("#" + fc[:4], []).append(ch)
    return {k: tuple(v) for k, v in index.items()}


@functools.lru_cache(maxsize=65536)
def shape_neighbours(ch: str) -> tuple[str, ...]:
    """The common characters most similar in shape to ``ch`` (score ≥ SHAPE_THRESHOLD)."""
    index = _part_index()
    pool: set[str] = set()
    for p in parts(ch):
        pool.update(index.get(p, ()))
    fc = _data("fourangle").get(ch, "")
    if fc:
        pool.update(index.get("#" + fc[:4], ()))
    pool.discard(ch)
    fch = _features(ch)
    scored = sorted(((_shape_score(fch, _features(c)), c) for c in pool), reverse=True)
    return tuple(c for s, c in scored[:SHAPE_NEIGHBOURS] if s >= SHAPE_THRESHOLD)


def similar_shape(a: str, b: str) -> bool:
    # The neighbour lists hold only characters scoring at least SHAPE_THRESHOLD and the score is
    # symmetric, so "b is a neighbour of a (or a of b)" adds nothing to the score test itself;
    # not building neighbour lists for every character of every listing saves much time.
    return shape_similarity(a, b) >= SHAPE_THRESHOLD


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


# --- candidate index keys ------------------------------------------------------------------
# A look-alike of a mark of two or more characters keeps, for some pair of mark positions
# (i, j) with j - i in (1, 2): both characters (in either order); or both sounds; or one
# character and a shape-similar character / part / other numeral in place of the other.
# Index names: "p1"/"p2" character pairs at distance 1/2, "s1"/"s2" sound pairs.

_SOUNDS: dict[str, str] = {}


def sounds_of(text: str) -> list[str]:
    out = []
    cache = _SOUNDS
    for c in text:
        s = cache.get(c)
        if s is None:
            s = cache[c] = sound(c)
        out.append(s)
    return out


# Sounds as small integers, for integer index keys: 0 is "no sound" (never indexed).
_SOUND_IDS: dict[str, int] = {"": 0}
_CHAR_SOUND_IDS: dict[str, int] = {}


def sound_id(ch: str) -> int:
    """A number for the toneless sound of ``ch`` (equal sounds, equal numbers; 0 = none)."""
    sid = _CHAR_SOUND_IDS.get(ch)
    if sid is None:
        s = sound(ch)
        sid = _SOUND_IDS.get(s)
        if sid is None:
            sid = _SOUND_IDS[s] = len(_SOUND_IDS)
        if len(_CHAR_SOUND_IDS) > 200_000:
            _CHAR_SOUND_IDS.clear()
        _CHAR_SOUND_IDS[ch] = sid
    return sid


def sound_ids(text: str) -> list[int]:
    get = _CHAR_SOUND_IDS.get
    out = [get(c) for c in text]
    if None in out:
        out = [sound_id(c) for c in text]
    return out


def pair_key(a: int, b: int) -> int:
    """Index key of two characters (code points), in the order written."""
    return a << 21 | b


def sound_pair_key(a: int, b: int) -> int:
    """Index key of two sounds (``sound_id`` numbers); negative, so it never equals a ``pair_key``."""
    return -((a << 16) | b) - 1


def mark_keys(form: str) -> dict[tuple[int, int], None]:
    """(gap, key, mark position of the pair's first character) for one Chinese mark form, in a
    fixed order. ``gap`` is 1 or 2 (the pair's distance in the mark); ``key`` is a ``pair_key``
    of the two characters (also reordered, and with a shape-similar character, a part or another
    numeral in place of one of them) or a ``sound_pair_key`` of their sounds."""
    keys: dict[tuple[int, int, int], None] = {}
    n = len(form)
    snd = sound_ids(form)
    for i in range(n):
        for gap in (1, 2):
            j = i + gap
            if j >= n:
                continue
            a, b = form[i], form[j]
            oa, ob = ord(a), ord(b)
            keys[gap, pair_key(oa, ob), i] = None
            keys[gap, pair_key(ob, oa), i] = None  # reordered
            if snd[i] and snd[j]:
                keys[gap, sound_pair_key(snd[i], snd[j]), i] = None
            for v in (*shape_neighbours(a), *parts(a), *(NUMERALS if a in NUMERALS else ())):
                if v != a and is_han(v):
                    keys[gap, pair_key(ord(v), ob), i] = None
            for v in (*shape_neighbours(b), *parts(b), *(NUMERALS if b in NUMERALS else ())):
                if v != b and is_han(v):
                    keys[gap, pair_key(oa, ord(v)), i] = None
    return keys


# --- verification -------------------------------------------------------------------------

SIMILAR_COST = 0.5
OTHER_COST = 1.0
SPLIT_COST = 0.45  # a bit below a same-sound swap: 日王仔 is a split of 旺, not 王 for 旺
INSERT_COST = 0.25
MAX_INSERT = 4


@dataclass
class Alignment:
    start: int  # text offsets of the look-alike (end exclusive)
    end: int
    cost: float
    mechanisms: tuple[str, ...]
    steps: tuple[tuple[str, str, str], ...]  # (mechanism, mark part, text part) per change


_SUB_CACHE: dict[tuple[str, str], tuple[float, str] | None] = {}


def _sub(m: str, t: str) -> tuple[float, str] | None:
    if m == t:
        return _SAME
    k = (m, t)
    try:
        return _SUB_CACHE[k]
    except KeyError:
        pass
    if len(_SUB_CACHE) > 500_000:
        _SUB_CACHE.clear()
    out = _SUB_CACHE[k] = _sub_uncached(m, t)
    return out


_SAME = (0.0, "")


def _sub_uncached(m: str, t: str) -> tuple[float, str] | None:
    if sound(m) and sound(m) == sound(t):
        return SIMILAR_COST, "same_sound_char"
    if m in NUMERALS and t in NUMERALS:
        return SIMILAR_COST, "number_swap"
    if similar_shape(m, t):
        return SIMILAR_COST, "shape_similar_char"
    return None


def within_budget(form: str, window: str) -> bool:
    """A quick test that ``window`` may hold a look-alike of ``form``: false only when ``align``
    (and the reordering and two-character shortcuts before it) cannot succeed.

    Each mark character costs at least: nothing if it is in the window; a split if both its
    parts stand side by side; a swap if some window character is same-sound / shape-similar /
    another numeral; otherwise a changed character (never the first one, only in marks of 3+
    characters). The sum of these lower bounds must fit the budget.
    """
    missing = [idx for idx, c in enumerate(form) if c not in window]
    if not missing:
        return True
    n = len(form)
    limit = budget(n) + 1e-9
    if len(missing) * SPLIT_COST > limit:  # SPLIT_COST is the cheapest step that is not "equal"
        return False
    total = 0.0
    for idx in missing:
        c = form[idx]
        p = parts(c)
        if len(p) == 2 and p[0] + p[1] in window:
            total += SPLIT_COST
        else:
            for t in window:
                if _sub(c, t) is not None:
                    total += SIMILAR_COST
                    break
            else:
                if idx == 0 or n < 3:
                    return False
                total += OTHER_COST
        if total > limit:
            return False
    return True


def close(m: str, t: str) -> bool:
    """Whether ``t`` can stand for mark character ``m`` in some way (for a cheap pre-filter)."""
    return _sub(m, t) is not None or t in parts(m)


def budget(n: int) -> float:
    if n <= 2:
        return SIMILAR_COST
    if n == 3:
        return 1.0
    return 1.25


def align(form: str, text: str, lo: int, hi: int) -> Alignment | None:
    """Best reading of ``text[lo:hi]`` (a stretch of Han characters) as ``form``.

    Semi-global alignment: free text before and after; inside, mark characters are matched
    equal, swapped for a same-sound / shape-similar / other numeral character, split into
    two characters that are its parts (旺 → 日王), and up to MAX_INSERT text characters may be
    inserted between mark characters (六个石磨核桃). A swap for an unrelated character costs
    OTHER_COST and is allowed for marks of 3+ characters, never on the first character.
    """
    n = len(form)
    seg = text[lo:hi]
    m = len(seg)
    inf = float("inf")
    limit = budget(n)
    # best[i][j]: cost of reading form[:i] ending exactly before seg[j]; back pointers in how.
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    how: list[list[tuple | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        best[0][j] = 0.0
    for i in range(1, n + 1):
        c = form[i - 1]
        row, prev = best[i], best[i - 1]
        for j in range(1, m + 1):
            t = seg[j - 1]
            cand = inf
            step = None
            if prev[j - 1] < inf:
                sub = _sub(c, t)
                if sub is not None:
                    cost = prev[j - 1] + sub[0]
                    if cost < cand:
                        cand, step = cost, (sub[1], c, t, 1)
                elif i > 1 and n >= 3 and prev[j - 1] + OTHER_COST < cand:
                    cand, step = prev[j - 1] + OTHER_COST, ("one_char_changed", c, t, 1)
            if j >= 2 and prev[j - 2] < inf:
                p = parts(c)
                if len(p) == 2 and seg[j - 2] == p[0] and t == p[1]:
                    cost = prev[j - 2] + SPLIT_COST
                    if cost < cand:
                        cand, step = cost, ("component_split", c, seg[j - 2 : j], 2)
            # inserted characters before this mark character (not before the first one)
            if i > 1 and n >= 3:
                for k in range(1, MAX_INSERT + 1):
                    if j - 1 - k < 0:
                        break
                    base = prev[j - 1 - k]
                    if base == inf:
                        continue
                    sub = _sub(c, t)
                    if sub is None:
                        break
                    cost = base + INSERT_COST * k + sub[0]
                    if cost < cand:
                        cand, step = cost, ("inserted_word", c, seg[j - 1 - k : j], k + 1)
            row[j] = cand
            how[i][j] = step
    end = min(range(m + 1), key=lambda j: (best[n][j], j))
    total = best[n][end]
    if total == inf or total > limit + 1e-9:
        return None
    steps = []
    i, j = n, end
    while i > 0:
        step = how[i][j]
        if step is None:  # pragma: no cover - defensive
            return None
        mech, c, t, width = step
        if mech == "inserted_word":
            # the inserted block precedes the matched character
            steps.append(("inserted_word", "", t[:-1]))
            sub = _sub(c, t[-1])
            if sub and sub[1]:
                steps.append((sub[1], c, t[-1]))
        elif mech:
            steps.append((mech, c, t))
        j -= width
        i -= 1
    steps.reverse()
    start = j
    mechanisms = tuple(dict.fromkeys(s[0] for s in steps))
    return Alignment(lo + start, lo + end, total, mechanisms, tuple(steps))


def reordered(form: str, window: str) -> bool:
    return len(form) >= 2 and window != form and sorted(window) == sorted(form)
