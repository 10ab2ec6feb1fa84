"""What came of the takedown notices: their statuses and the acceptance rate per platform
(accepted + removed) / (accepted + removed + rejected), the figure platforms judge notifiers by.

Read by the review app's dashboard, the statistics reports and ``monitor notices``; the notices
are written and marked by ``monitor.export.notices``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from sqlite_utils import Database

STATUSES = ("drafted", "sent", "accepted", "rejected", "removed")
OUTCOMES = ("sent", "accepted", "rejected", "removed")


class NoticeError(ValueError):
    """Something the store or the files refuse about a notice (unknown notice, bad date, broken
    template). Defined here, below the notice writer, so that the outcome queries and the writer
    raise the one error."""


def parse_when(value: str | date | datetime | None) -> str | None:
    """YYYY-MM-DD or an ISO 8601 time as the store's UTC text; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            date.fromisoformat(text)
        except ValueError:
            raise NoticeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
        return text
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise NoticeError(f"{text!r} is not a date or time; use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    return parse_when(dt)


def acceptance_by_platform(db: Database, since: str | date | None = None,
                           until: str | date | None = None) -> list[dict[str, Any]]:
    """Per platform: notices by status and the acceptance rate.

    Counts the notices sent (those never marked sent: drafted) at or after ``since`` and
    before ``until`` (dates as YYYY-MM-DD, ``date`` objects or ISO times; ``until`` is
    exclusive, so ``until="2026-10-01"`` ends with September). ``acceptance_rate`` =
    (accepted + removed) / (accepted + removed + rejected); None when no notice has an outcome.
    One dict per platform, sorted by platform: ``platform, notices, drafted, sent, accepted,
    removed, rejected, decided, acceptance_rate``.
    """
    where, params = [], []
    start, stop = parse_when(since), parse_when(until)
    if start:
        where.append("coalesce(sent_at, created_at) >= ?")
        params.append(start)
    if stop:
        where.append("coalesce(sent_at, created_at) < ?")
        params.append(stop)
    sql = (f"SELECT platform, status, count(*) FROM notices {'WHERE ' + ' AND '.join(where) if where else ''} "
           "GROUP BY platform, status ORDER BY platform")
    out: dict[str, dict[str, Any]] = {}
    for platform, status, n in db.execute(sql, params):
        row = out.setdefault(platform, {"platform": platform, "notices": 0, **{s: 0 for s in STATUSES}})
        row["notices"] += n
        if status in STATUSES:
            row[status] += n
    for row in out.values():
        good = row["accepted"] + row["removed"]
        row["decided"] = good + row["rejected"]
        row["acceptance_rate"] = good / row["decided"] if row["decided"] else None
    return list(out.values())
