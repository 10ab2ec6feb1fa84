"""A referral's figures against the criminal threshold: the illegal business amount (非法经营数额)
estimated as the displayed sales count × price of each of its listings, summed, and whether it
reaches the threshold that marks the case for transfer to the police (移送公安机关).

The threshold is ``monitor.yaml``'s ``referrals: criminal_thresholds: illegal_business_amount``
(CNY). Its default, 50,000 CNY, is the illegal business amount at which 假冒注册商标罪 and
销售假冒注册商标的商品罪 are "情节严重 / 数额较大" under the judicial interpretations on IP
crimes. Offices MUST check the interpretation in force (the 2025 两高 interpretation on
infringing intellectual property crimes, 最高人民法院、最高人民检察院《关于办理侵犯知识产权刑事
案件适用法律若干问题的解释》) and set the figure their prosecutors apply. The amount here is an
ESTIMATE from what the shop displays (a displayed count is a lower bound the shop chose to
show, possibly inflated or including genuine goods): a lead for the police to verify from the
platform's order records, never a finding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from monitor.i18n import gettext as _
from monitor.settings import resolve_config_path, yaml_default
from monitor.yamlfile import YamlError, load_located

# CNY; see the module docstring: check the interpretation in force.
DEFAULT_ILLEGAL_BUSINESS_AMOUNT = float(yaml_default("referrals.criminal_thresholds.illegal_business_amount"))
CURRENCY = "CNY"
_KNOWN = {"criminal_thresholds": {"illegal_business_amount", "currency"}}
# The monitor.yaml keys this module reads (for tests/test_settings.py and monitor/settings.py's YAML table).
YAML_KEYS = tuple(sorted(f"referrals.{section}.{key}" for section, keys in _KNOWN.items() for key in keys))


@dataclass(frozen=True)
class Thresholds:
    illegal_business_amount: float = DEFAULT_ILLEGAL_BUSINESS_AMOUNT
    currency: str = CURRENCY
    source: str = "default"  # the file it came from, or "default"


@dataclass
class Figures:
    """The estimate for one referral: per listing (price, sales count, amount or why none), the total
    of those counted, the threshold and whether it is reached."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    amount: float = 0.0
    counted: int = 0
    uncounted: int = 0
    threshold: float = DEFAULT_ILLEGAL_BUSINESS_AMOUNT
    currency: str = CURRENCY

    @property
    def known(self) -> bool:
        """Whether there is an estimate at all: with no listing counted (no sales count, no CNY
        price) the amount is unknown, not 0, and says nothing about the threshold either way."""
        return self.counted > 0

    @property
    def reached(self) -> bool:
        return self.known and self.amount >= self.threshold


def load_thresholds(path: str | os.PathLike | None = None) -> Thresholds:
    """The thresholds of monitor.yaml's ``referrals:`` section (defaults where it says nothing; no
    file: the defaults). YamlError naming file, line and field for a bad value."""
    path = resolve_config_path(path)  # as `monitor schedule` finds it
    if not path.exists():
        return Thresholds()
    located = load_located(path)
    data = located.data if isinstance(located.data, dict) else {}
    section = data.get("referrals")
    if section is None:
        return Thresholds(source=str(path))
    problems: list[tuple[int | None, str, str]] = []
    if not isinstance(section, dict):
        raise YamlError(path, [(located.line_of(("referrals",)), "referrals",
                                "must be a mapping, e.g. referrals: {criminal_thresholds: {illegal_business_amount: "
                                "50000, currency: CNY}}")])
    for key, value in section.items():
        if key not in _KNOWN:
            problems.append((located.line_of(("referrals", key)), f"referrals.{key}",
                             f"unknown field; expected one of: {', '.join(sorted(_KNOWN))}"))
    limits = section.get("criminal_thresholds") or {}
    if not isinstance(limits, dict):
        problems.append((located.line_of(("referrals", "criminal_thresholds")), "referrals.criminal_thresholds",
                         "must be a mapping: {illegal_business_amount: 50000, currency: CNY}"))
        limits = {}
    for key in limits:
        if key not in _KNOWN["criminal_thresholds"]:
            problems.append((located.line_of(("referrals", "criminal_thresholds", key)),
                             f"referrals.criminal_thresholds.{key}",
                             f"unknown field; expected one of: {', '.join(sorted(_KNOWN['criminal_thresholds']))}"))
    amount = limits.get("illegal_business_amount", DEFAULT_ILLEGAL_BUSINESS_AMOUNT)
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not amount > 0:
        problems.append((located.line_of(("referrals", "criminal_thresholds", "illegal_business_amount")),
                         "referrals.criminal_thresholds.illegal_business_amount",
                         f"{amount!r} is not an amount; write a number of yuan more than 0, e.g. 50000"))
    currency = limits.get("currency", CURRENCY)
    if currency != CURRENCY:
        problems.append((located.line_of(("referrals", "criminal_thresholds", "currency")),
                         "referrals.criminal_thresholds.currency",
                         f"{currency!r}: only CNY is supported (the amounts are estimated from prices in CNY)"))
    if problems:
        raise YamlError(path, problems, "The referral thresholds were not used. Fix the fields above; "
                                        "see docs/referrals.md.")
    return Thresholds(float(amount), CURRENCY, str(path))


def referral_figures(db: Database, referral_id: int, thresholds: Thresholds | None = None) -> Figures:
    """The illegal business amount of a referral's listings (sales count × price, in CNY)."""
    thresholds = thresholds or load_thresholds()
    figures = Figures(threshold=thresholds.illegal_business_amount, currency=thresholds.currency)
    rows = db.execute_returning_dicts(
        "SELECT l.id, l.site, l.listing_id, l.title, l.url, l.price, l.currency, l.sales_count FROM referral_listings r "
        "JOIN listings l ON l.id = r.listing WHERE r.referral = ? ORDER BY l.id", [referral_id])
    for row in rows:
        line = dict(row)
        if row["sales_count"] is None:
            line["why_not"] = _("no sales count displayed")
        elif row["price"] is None:
            line["why_not"] = _("no price")
        elif (row["currency"] or CURRENCY) != CURRENCY:
            line["why_not"] = _("price in %(currency)s, not CNY", currency=row["currency"])
        else:
            line["amount"] = round(float(row["price"]) * int(row["sales_count"]), 2)
            figures.amount += line["amount"]
            figures.counted += 1
        if "amount" not in line:
            figures.uncounted += 1
        figures.lines.append(line)
    figures.amount = round(figures.amount, 2)
    return figures
