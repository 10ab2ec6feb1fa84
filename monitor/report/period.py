"""Report periods: calendar weeks (Monday to Sunday), months, calendar quarters and years, in UTC.

A period runs from its first day at 00:00 UTC (included) to the first day of the next period at
00:00 UTC (excluded). Stored times are ISO 8601 UTC strings (``2026-04-01T08:00:00Z``), so "in
the period" is a plain string comparison against the two dates: ``start <= t < end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

KINDS = ("week", "month", "quarter", "year")


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
        return str(self.start.year)

    @property
    def bounds_text(self) -> str:
        return f"{self.since} 00:00 UTC to {self.until} 00:00 UTC (excluded)"

    @property
    def bucket_name(self) -> str:
        """What one bar of the period's timeline is (see ``buckets``)."""
        return {"week": "day", "month": "day", "quarter": "week (from Monday)", "year": "month"}[self.kind]

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
    if kind == "year":
        return Period(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1))
    raise ValueError(f"unknown period {kind!r}; use one of {', '.join(KINDS)}")


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
