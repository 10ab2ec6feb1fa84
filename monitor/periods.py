"""Report periods: calendar weeks (Monday to Sunday), months, calendar quarters, half-years
(H1 January-June, H2 July-December: the 半年度 statistics offices file) and years, in UTC.

A period runs from its first day at 00:00 UTC (included) to the first day of the next period at
00:00 UTC (excluded). Stored times are ISO 8601 UTC strings (``2026-04-01T08:00:00Z``), so "in
the period" is a plain string comparison against the two dates: ``start <= t < end``.

One home for the periods the reports (``monitor report --half 2026-H2``: the kind named first,
``parse_label``) and the 双随机 samples (``monitor sample --period 2026-Q4``: the kind read from
the label, ``parse_period``) are over; on the ground floor so that both services can import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton

from monitor.i18n import current, gettext as _

# The offices work on China's calendar: "today" (a complaint's received day, its working-day
# deadline, a referral's state day, the day a 双随机 draw is printed) is today in Beijing time,
# whatever zone the server runs in. Periods themselves stay in UTC, like the stored times.
OFFICE_ZONE = ZoneInfo("Asia/Shanghai")
KINDS = ("week", "month", "quarter", "half", "year")
# How a period is named on the command line: --half 2026-H2, --quarter 2026-Q4, --year 2026.
LABEL_FORMS = {"week": ("YYYY-Www", r"(\d{4})-W(\d{2})", "2026-W49"),
               "month": ("YYYY-MM", r"(\d{4})-(\d{2})", "2026-12"),
               "quarter": ("YYYY-Qn", r"(\d{4})-Q(\d)", "2026-Q4"),
               "half": ("YYYY-Hn", r"(\d{4})-H(\d)", "2026-H2"),
               "year": ("YYYY", r"(\d{4})()", "2026")}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day, included
    end: date  # first day of the next period, excluded

    @property
    def since(self) -> str:
        return self.start.isoformat()

    @property
    def until(self) -> str:
        return self.end.isoformat()

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        return str(self.start.year)

    @property
    def title(self) -> str:
        """The period as a report names it, in the current locale: 2026年下半年, 2026年第4季度."""
        year = self.start.year
        if self.kind == "half":
            return _("first half of %(year)s", year=year) if self.start.month == 1 else \
                _("second half of %(year)s", year=year)
        if self.kind == "year":
            return _("year %(year)s", year=year)
        if self.kind == "quarter":
            return _("Q%(n)s %(year)s", n=(self.start.month - 1) // 3 + 1, year=year)
        if self.kind == "month":
            return format_skeleton("yMMMM", self.start, locale=current())  # 2026年12月, December 2026
        return _("week %(label)s", label=self.label)

    @property
    def report_title(self) -> str:
        """半年度报告 / 年度报告 / 季度报告 ...: what the office files."""
        return {"half": _("Half-year report"), "year": _("Annual report"), "quarter": _("Quarterly report"),
                "month": _("Monthly report"), "week": _("Weekly report")}[self.kind]

    def bounds_local(self) -> str:
        """The bounds in the current locale's long dates (2026年7月1日 至 2026年12月31日)."""
        return _("%(first)s to %(last)s (UTC)", first=long_date(self.start), last=long_date(self.last_day))

    @property
    def bounds_text(self) -> str:
        return f"{self.since} 00:00 UTC to {self.until} 00:00 UTC (excluded)"

    @property
    def bucket_name(self) -> str:
        """What one bar of the period's timeline is (see ``buckets``)."""
        return {"week": "day", "month": "day", "quarter": "week (from Monday)", "half": "month",
                "year": "month"}[self.kind]

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_containing(self.kind, self.end)

    def contains(self, timestamp: str | None) -> bool:
        return bool(timestamp) and self.since <= timestamp < self.until

    def buckets(self) -> list[tuple[str, str, str]]:
        """Sub-periods for a timeline, as (label, since, until): days of a week or month, weeks
        (from Monday, cut at the period's edges) of a quarter, months of a year."""
        out: list[tuple[str, str, str]] = []
        if self.kind in ("week", "month"):
            day = self.start
            while day < self.end:
                nxt = day + timedelta(days=1)
                out.append((day.isoformat()[5:], day.isoformat(), nxt.isoformat()))
                day = nxt
        elif self.kind == "quarter":
            day = self.start
            while day < self.end:
                nxt = min(day + timedelta(days=7 - day.weekday()), self.end)
                out.append((day.isoformat()[5:], day.isoformat(), nxt.isoformat()))
                day = nxt
        else:
            day = self.start
            while day < self.end:
                nxt = _add_months(day, 1)
                out.append((day.strftime("%Y-%m"), day.isoformat(), nxt.isoformat()))
                day = nxt
        return out


def period_containing(kind: str, day: date) -> Period:
    if kind == "week":
        start = day - timedelta(days=day.weekday())  # Monday
        return Period(kind, start, start + timedelta(days=7))
    if kind == "month":
        start = date(day.year, day.month, 1)
        return Period(kind, start, _add_months(start, 1))
    if kind == "quarter":
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Period(kind, start, _add_months(start, 3))
    if kind == "half":
        start = date(day.year, 1 if day.month <= 6 else 7, 1)
        return Period(kind, start, _add_months(start, 6))
    if kind == "year":
        return Period(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1))
    raise ValueError(f"unknown period {kind!r}; use one of {', '.join(KINDS)}")


def office_today() -> date:
    """Today on the offices' calendar (Beijing time)."""
    return datetime.now(OFFICE_ZONE).date()


def last_complete(kind: str, today: date | None = None) -> Period:
    """The latest period that has ended (the one before the period containing today, UTC)."""
    today = today or datetime.now(timezone.utc).date()
    return period_containing(kind, today).previous()


def resolve(kind: str, day: str | date | None = None, *, today: date | None = None) -> Period:
    """The period of this kind containing ``day`` (YYYY-MM-DD), or the last complete one."""
    if day is None:
        return last_complete(kind, today)
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return period_containing(kind, day)


def long_date(day: date) -> str:
    """A date as the current locale writes it: 2026年12月7日, December 7, 2026 (Babel)."""
    return format_date(day, format="long", locale=current())


def parse_label(kind: str, text: str) -> Period:
    """The period a label names (``2026-H2``, ``2026-Q4``, ``2026``, ``2026-12``, ``2026-W49``);
    ValueError saying what was expected otherwise."""
    form, pattern, example = LABEL_FORMS[kind]
    match = re.fullmatch(pattern, text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a {kind}; use {form}, e.g. {example}")
    year, n = int(match.group(1)), int(match.group(2) or 0)
    limits = {"half": 2, "quarter": 4, "month": 12, "week": 53}
    if kind in limits and not 1 <= n <= limits[kind]:
        raise ValueError(f"{text!r}: there is no {kind} {n} in a year (1 to {limits[kind]}); "
                         f"use {form}, e.g. {example}")
    if kind == "half":
        return period_containing(kind, date(year, 1 if n == 1 else 7, 1))
    if kind == "quarter":
        return period_containing(kind, date(year, 3 * n - 2, 1))
    if kind == "month":
        return period_containing(kind, date(year, n, 1))
    if kind == "week":
        try:
            return period_containing(kind, date.fromisocalendar(year, n, 1))
        except ValueError:
            raise ValueError(f"{text!r}: {year} has no ISO week {n}; use {form}, e.g. {example}") from None
    return period_containing(kind, date(year, 1, 1))


class PeriodError(ValueError):
    """A period label that names none of the forms ``parse_period`` reads."""


SAMPLE_KINDS = ("half", "quarter", "month", "year")  # the periods a label alone names (no weeks)


def parse_period(text: str) -> Period:
    """``2026``, ``2026-H2``, ``2026-Q4`` or ``2026-11`` (any case) as the period it names, its kind
    read from the label; anything else is a PeriodError with the forms accepted."""
    label = (text or "").strip().upper()
    for kind in SAMPLE_KINDS:
        if re.fullmatch(LABEL_FORMS[kind][1], label):
            try:
                period = parse_label(kind, label)
            except ValueError:  # a half, quarter or month out of range, or no such year
                break
            if 1900 <= period.start.year <= 9999:
                return period
            break
    raise PeriodError(_("The period %(text)s is none of: a year (2026), a half (2026-H1, 2026-H2), "
                        "a quarter (2026-Q1 to 2026-Q4) or a month (2026-01 to 2026-12).", text=repr(text)))
