"""Pack sizes in titles ("500ml", "25kg/袋", "4支装", "100g×2") so prices compare per unit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# unit word -> (dimension, factor to the base unit: ml, g, piece)
_UNITS = {
    "ml": ("volume", 1.0), "毫升": ("volume", 1.0), "l": ("volume", 1000.0), "升": ("volume", 1000.0),
    "g": ("mass", 1.0), "克": ("mass", 1.0), "kg": ("mass", 1000.0), "公斤": ("mass", 1000.0),
    "千克": ("mass", 1000.0), "斤": ("mass", 500.0), "吨": ("mass", 1_000_000.0), "t": ("mass", 1_000_000.0),
    "pcs": ("count", 1.0), "pc": ("count", 1.0), "pieces": ("count", 1.0), "piece": ("count", 1.0),
    "个": ("count", 1.0), "只": ("count", 1.0), "支": ("count", 1.0), "片": ("count", 1.0), "瓶": ("count", 1.0),
    "袋": ("count", 1.0), "盒": ("count", 1.0), "套": ("count", 1.0), "粒": ("count", 1.0),
}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_QTY = re.compile(rf"(\d+(?:\.\d+)?)\s*({_UNIT_RE})(?![a-z])", re.IGNORECASE)
_TIMES = re.compile(r"^\s*(?:[x×*]\s*(\d{1,3})(?!\d)|/?\s*(\d{1,3})\s*(?:瓶|袋|盒|支|只|个|片)?装)", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    amount: float  # in ml, g or pieces
    dimension: str  # volume | mass | count


def parse_quantity(text: str | None) -> Quantity | None:
    """The first pack size in ``text``, with a multiplier right after it ("500ml×2")."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    for match in _QTY.finditer(text):
        dimension, factor = _UNITS[match.group(2).lower()]
        amount = float(match.group(1)) * factor
        if amount <= 0:
            continue
        times = _TIMES.match(text[match.end():])
        if times and dimension != "count":
            amount *= int(times.group(1) or times.group(2))
        return Quantity(amount, dimension)
    return None
