"""The periods a sample is drawn over: a year (2026), a half (2026-H2), a quarter (2026-Q4) or a
month (2026-11), from its first day at 00:00 UTC (included) to the next period's first day
(excluded), like the report periods (monitor/report/period.py).

Its own parser, written while the report periods (issue 14, in parallel) learnt half-years and
labels: a sample is named by its label alone (2026-Q4), whatever its kind, where a report asks
for the kind first (--half 2026-H2). Once both have settled this may become a wrapper of theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from monitor.i18n import gettext as _

_LABEL = re.compile(r"^(\d{4})(?:-(?:(H)([12])|(Q)([1-4])|(\d{2})))?$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class SamplePeriod:
    label: str
    start: date
    end: date  # excluded

    @property
    def since(self) -> str:
        return self.start.isoformat()

    @property
    def until(self) -> str:
        return self.end.isoformat()

    def within(self, other: SamplePeriod) -> bool:
        """This period lies inside ``other`` (a quarter inside its half, a month inside its year)."""
        return other.start <= self.start and self.end <= other.end


def _month_start(year: int, month: int) -> date:
    """The first day of ``month`` (1-based, may run past 12 into the next year)."""
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(text: str) -> SamplePeriod:
    """``2026``, ``2026-H2``, ``2026-Q4`` or ``2026-11`` as a period; anything else is refused
    with the forms accepted."""
    label = (text or "").strip().upper()
    match = _LABEL.match(label)
    month = int(match.group(6)) if match and match.group(6) else None
    if not match or (month is not None and not 1 <= month <= 12) or not 1900 <= int(match.group(1)) <= 9999:
        raise PeriodError(_("The period %(text)s is none of: a year (2026), a half (2026-H1, 2026-H2), "
                            "a quarter (2026-Q1 to 2026-Q4) or a month (2026-01 to 2026-12).", text=repr(text)))
    year = int(match.group(1))
    if match.group(2):
        first, months = 1 + 6 * (int(match.group(3)) - 1), 6
    elif match.group(4):
        first, months = 1 + 3 * (int(match.group(5)) - 1), 3
    elif month is not None:
        first, months = month, 1
    else:
        first, months = 1, 12
    return SamplePeriod(label, _month_start(year, first), _month_start(year, first + months))
