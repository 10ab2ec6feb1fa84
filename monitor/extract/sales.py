"""The sales count a shop displays ("月销 1.2万+", "已售 356 件", "销量 2000+", "10万+人付款").

One rule, because the figure feeds an estimate of the illegal business amount (非法经营数额,
monitor/casework/referrals*.py) that a referral may put before the police: take the LOWER
bound of what the page claims. "2000+" is 2000, "1.2万+" is 12,000 (万 = 10,000, 千 = 1,000,
k = 1,000, w = 万 as shops abbreviate it), a range "100-200" is 100; a decimal without a unit
is cut to its whole part. Thousands separators ("1,234") are read as such. A text with no
number in it is no sales count (None), never 0: "暂无销量" is not evidence of zero sales.
Pure: no store, no network.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["parse_sales_count", "SALES_UNITS"]

SALES_UNITS = {"万": 10_000, "w": 10_000, "W": 10_000, "千": 1_000, "k": 1_000, "K": 1_000}
# The first number of the text, with its unit if one follows: "1.2万", "2,000", "356".
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(万|千|[kKwW](?![A-Za-z]))?")


def parse_sales_count(value: Any) -> int | None:
    """The displayed sales count as a whole number (its lower bound), or None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value == value and value >= 0 else None  # NaN is no count
    text = str(value).strip()
    # Full-width digits and separators as shops sometimes print them ("１２３４").
    text = text.translate(_FULL_WIDTH)
    match = _NUMBER.search(text)
    if not match:
        return None
    try:
        number = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only matches decimal numbers
        return None
    factor = SALES_UNITS.get(match.group(2) or "", 1)
    return int(number * factor)


_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "，": ",", "．": ".", "＋": "+"})
