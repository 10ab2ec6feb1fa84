"""Complaint figures: the dashboard panel's counts and the report's summary of a period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from monitor.casework.complaints_rules import (DEFAULT_NEAR_DAYS, OPEN_STATUSES, SOURCES, STATUSES, ComplaintError,
                                               working_days_left)
from monitor.periods import OFFICE_ZONE, office_today


def complaint_counts(db: Database, today: dt.date, *, near_days: int = DEFAULT_NEAR_DAYS) -> dict[str, Any]:
    """``{"by_status": {status: n}, "near_deadline": n, "past_deadline": n, "unknown_deadline": n}``.

    Near: open (or in progress) with at most ``near_days`` working days left, due today
    included; past: open after its deadline; unknown: a deadline beyond the working-day
    calendar's years (counted, never guessed)."""
    by_status = dict.fromkeys(STATUSES, 0)
    for status, n in db.execute("SELECT status, count(*) FROM complaints GROUP BY status").fetchall():
        by_status[status] = n
    near = past = unknown = 0
    marks = ", ".join("?" * len(OPEN_STATUSES))
    for (due,) in db.execute(f"SELECT deadline FROM complaints WHERE status IN ({marks})", OPEN_STATUSES).fetchall():
        try:
            left = working_days_left(today, dt.date.fromisoformat(due))
        except ComplaintError:
            unknown += 1
            continue
        if dt.date.fromisoformat(due) < today:
            past += 1
        elif left <= near_days:
            near += 1
    return {"by_status": by_status, "near_deadline": near, "past_deadline": past, "unknown_deadline": unknown,
            "near_days": near_days}


def _office_day(stamp: str | None) -> str:
    """The Beijing date (YYYY-MM-DD) of a stored UTC time; "" for none (counted in time, as before)."""
    if not stamp:
        return ""
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:  # the store writes UTC ("...Z"); a bare time is UTC as well
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(OFFICE_ZONE).date().isoformat()


def summary(db: Database, start: dt.date, end: dt.date, *, today: dt.date | None = None) -> dict[str, Any]:
    """Complaints received from ``start`` to ``end`` (inclusive, by received date)::

        {"received": n, "by_source": {source: n}, "by_status": {status: n}, "duplicates": n,
         "answered_in_time": n, "answered_late": n, "closed": n, "open": n, "overdue": n}

    answered_in_time: answered on or before the deadline, by the offices' date (Beijing time)
    of ``closed_at`` (stored in UTC: 17:30Z on Dec 7 is Dec 8 in Beijing, a day late);
    overdue: still open (or in progress) after its deadline as of ``today`` (default: the
    period's end or today, whichever is earlier)."""
    if today is None:
        today = min(office_today(), end)
    rows = db.execute_returning_dicts(
        "SELECT source, status, deadline, closed_at, duplicate_of FROM complaints "
        "WHERE received_on >= ? AND received_on <= ?", [start.isoformat(), end.isoformat()])
    out: dict[str, Any] = {"received": len(rows), "by_source": dict.fromkeys(SOURCES, 0),
                           "by_status": dict.fromkeys(STATUSES, 0), "duplicates": 0, "answered_in_time": 0,
                           "answered_late": 0, "closed": 0, "open": 0, "overdue": 0}
    for row in rows:
        out["by_source"][row["source"]] += 1
        out["by_status"][row["status"]] += 1
        out["duplicates"] += row["duplicate_of"] is not None
        if row["status"] == "answered":
            key = "answered_in_time" if _office_day(row["closed_at"]) <= row["deadline"] else "answered_late"
            out[key] += 1
        elif row["status"] == "closed":
            out["closed"] += 1
        else:
            out["open"] += 1
            out["overdue"] += row["deadline"] < today.isoformat()
    return out
