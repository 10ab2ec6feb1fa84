"""A watched mark built into another brand name in the brand field: 妮维雅美, 马牌科技, "Chanel Style".

CNIPA practice holds a mark plus added words, used as a brand, similar to the mark; resellers
of genuine goods write the mark itself in the brand field, and the brand's own stores are
vouched for, so an extended brand from another seller is a look-alike (kind ``inserted_word``).
"""

from __future__ import annotations

import re

from monitor.rules.explain import Msg
from monitor.rules.normalise import fold
from monitor.rules.signals import Signal, span

# Separators between the names of one brand field ("NIVEA/妮维雅", "倩碧（CLINIQUE）").
_PARTS = re.compile(r"[/|()（）\[\]【】,，、&+·]+")
_NOISE = re.compile(r"[\s\-_.'’:：®™]+")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[a-z]{2,}")


def _leftover(text: str, neutral: re.Pattern | None) -> str:
    if neutral is not None:
        text = neutral.sub(" ", text)
    return _NOISE.sub(" ", text).strip()


def extension_signals(listing: dict, hits: list, neutral: re.Pattern | None = None) -> list[Signal]:
    """One ``mark_lookalike`` per mark that the brand field extends with words of its own;
    ``neutral`` (rules/vocabulary.yaml brand_neutral) matches the additions that do not count."""
    brand = listing.get("brand")
    if not brand or not isinstance(brand, str):
        return []
    spans = [h for h in hits if h.kind == "exact" and h.evidence.field == "brand"]
    if not spans:
        return []
    folded = fold(brand)
    # every mark's span is blanked, so "Dior迪奥" and a co-branded "A × B" leave nothing
    blanked = list(folded)
    for h in spans:
        for k in range(h.evidence.start, min(h.evidence.end, len(blanked))):
            blanked[k] = " "
    blanked_text = "".join(blanked)
    out, seen = [], set()
    pos = 0
    for piece in _PARTS.split(blanked_text):
        start = blanked_text.find(piece, pos)
        end = start + len(piece)
        pos = end
        inside = [h for h in spans if start <= h.evidence.start and h.evidence.end <= end]
        if not inside:
            continue
        # the brand must start with the mark: 海利尔 is not 利尔 extended (CNIPA: a different
        # first character makes a different mark), 马牌科技 is 马牌 extended
        if piece[:min(h.evidence.start for h in inside) - start].strip(" -_.·"):
            continue
        left = _leftover(piece, neutral)
        if not left:
            continue
        for h in inside:
            mark = h.mark
            if mark.name in seen:
                continue
            owner = fold(getattr(mark, "owner", "") or "")
            words = [w for w in _HAN.findall(left) + _LATIN.findall(left) if w not in owner]
            if not words:
                continue
            seen.add(mark.name)
            added = " ".join(words)
            out.append(Signal(
                "mark_lookalike", "trademark", 0.75,
                Msg('The brand field "%(brand)s" builds a brand on the watched mark %(mark)s with "%(added)s" '
                    "added: a mark plus added words, used as a brand, is similar to the mark (CNIPA practice)",
                    brand=brand, mark=mark.name, added=added),
                [span(listing, "brand", 0, len(brand))], mark=mark.name,
                details={"form": h.matched, "added": added,
                         "mechanisms": ["inserted_word"], "visual": 0.75, "phonetic": 0.8, "conceptual": 0.5}))
    return out


__all__ = ["extension_signals"]
