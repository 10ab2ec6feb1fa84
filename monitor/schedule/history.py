"""What the scheduler decided about each job (``job_events``) and each job's last run.

Every decision is a row, including the runs that did not happen (skipped because the job
was still running, missed while the scheduler was down): "why did greenmart not run last
night?" is answered from the store, not from a log that has rotated away.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlite_utils import Database

from monitor.listing import utc_now
from monitor.store.db import write_transaction

EVENTS = ("started", "finished", "skipped_running", "missed", "killed_timeout", "interrupted")


def iso_utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def record_event(db: Database, job: str, event: str, *, scheduled_for: datetime | str | None = None,
                 run_id: int | None = None, pid: int | None = None, detail: str | None = None) -> int:
    if event not in EVENTS:
        raise ValueError(f"unknown job event {event!r}; expected one of {', '.join(EVENTS)}")
    if isinstance(scheduled_for, datetime):
        scheduled_for = iso_utc(scheduled_for)
    with write_transaction(db):
        table = db["job_events"]
        table.insert({"job": job, "at": utc_now(), "event": event, "scheduled_for": scheduled_for,
                      "run_id": run_id, "pid": pid, "detail": detail})
        return int(table.last_pk)


def last_runs(db: Database) -> dict[str, dict[str, Any]]:
    """job id -> its latest crawl run (any outcome)."""
    rows = db.execute_returning_dicts(
        "SELECT r.* FROM crawl_runs r JOIN (SELECT job, max(id) AS id FROM crawl_runs WHERE job IS NOT NULL "
        "GROUP BY job) last ON last.id = r.id")
    return {row["job"]: row for row in rows}


def last_started_at(db: Database, job: str) -> str | None:
    """When the job last started a crawl: its latest run, or a 'started' event whose crawl never
    opened a run (it died at once). The reference point of "due"."""
    row = db.execute(
        "SELECT max(t) FROM (SELECT max(started_at) AS t FROM crawl_runs WHERE job = ? "
        "UNION ALL SELECT max(at) FROM job_events WHERE job = ? AND event = 'started')", [job, job]).fetchone()
    return row[0] if row else None


def last_events(db: Database) -> dict[str, dict[str, Any]]:
    """job id -> its latest event."""
    rows = db.execute_returning_dicts(
        "SELECT e.* FROM job_events e JOIN (SELECT job, max(id) AS id FROM job_events GROUP BY job) last "
        "ON last.id = e.id")
    return {row["job"]: row for row in rows}


def events_of_run(db: Database, run_id: int) -> list[dict[str, Any]]:
    return list(db.execute_returning_dicts("SELECT * FROM job_events WHERE run_id = ? ORDER BY id", [run_id]))
