"""Raising alerts: one row per problem, deduplicated by key, so a check can run as often as wanted.

- a run that finished ``failed`` or ``degraded``: key ``run:<id>``;
- an expected site with no completed or degraded run started in the last ``no_runs_hours``:
  key ``no_runs:<site>:<UTC date>`` (so at most one such alert per site and day);
- an expected job likewise: key ``no_runs:job:<job>:<UTC date>``;
- a part of the monitor that runs degraded (the caller names it, e.g. ``t2s`` when OpenCC did not
  load): kind ``setup``, key ``setup:<name>:<UTC date>`` (so at most one such alert per problem and day).

Interrupted runs are not alerts: someone (or the scheduler shutting down) stopped them. A run
whose crawl process died without closing it (killed with SIGKILL, the OOM killer, a crash; marked
interrupted by ``mark_stale_runs_interrupted``) is: nobody stopped it, so it is raised as ``failed``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from sqlite_utils import Database

from monitor.alerts.config import DEFAULT_EXPECTED_DAYS, AlertSettings
from monitor.store.db import write_transaction
from monitor.store.runs import DIED_REASON

# Failed and degraded runs older than this when alerts are first checked are history, not news.
RUN_LOOKBACK_DAYS = 7
ALERT_KINDS = ("failed", "degraded", "no_runs", "setup")
_MAX_REASON = 500


def as_utc(now: datetime | str | None = None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if isinstance(now, str):
        now = datetime.fromisoformat(now.replace("Z", "+00:00"))
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """The store's one time format: ``2026-11-24T08:00:00Z``."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def _one_line(text: Any, limit: int = _MAX_REASON) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _who(run: dict) -> str:
    job = f" (job {run['job']})" if run.get("job") else ""
    return f"{run.get('site') or '?'}{job}"


def _run_message(run: dict) -> str:
    if run["status"] == "interrupted":
        return _one_line(f"Run {run['id']} of {_who(run)} died: its crawl {DIED_REASON}; "
                         f"see the end of its log (monitor runs {run['id']})")
    if run["status"] == "degraded":
        reason = run.get("degraded_reason") or "field coverage fell below the profile's threshold"
        return _one_line(f"Run {run['id']} of {_who(run)} is degraded: {reason}")
    reason = run.get("finish_reason") or "no reason recorded"
    return _one_line(f"Run {run['id']} of {_who(run)} failed: {reason}")


def _hours_text(hours: float) -> str:
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def _last_run_text(last: dict | None) -> str:
    if not last:
        return "no run recorded"
    return f"last run {last['id']}: {last['status']}, started {last['started_at']}"


def _quiet(db: Database, column: str, value: str, since: str) -> tuple[bool, dict | None]:
    """Whether ``column = value`` had no completed/degraded run started since ``since`` (a run
    still in progress that started in the window counts as not quiet), and the last run."""
    ok = db.execute(
        f"SELECT 1 FROM crawl_runs WHERE {column} = ? AND started_at >= ? "
        "AND status IN ('completed', 'degraded', 'running') LIMIT 1", [value, since]).fetchone()
    last = list(db.execute_returning_dicts(
        f"SELECT id, site, job, status, started_at FROM crawl_runs WHERE {column} = ? "
        "ORDER BY started_at DESC, id DESC LIMIT 1", [value]))
    return ok is None, (last[0] if last else None)


def _candidates(db: Database, settings: AlertSettings, now: datetime) -> list[dict]:
    out: list[dict] = []
    since_runs = iso(now - timedelta(days=RUN_LOOKBACK_DAYS))
    for run in db.execute_returning_dicts(
            "SELECT r.* FROM crawl_runs r WHERE (r.status IN ('failed', 'degraded') "
            "OR (r.status = 'interrupted' AND r.finish_reason = ?)) AND r.finished_at IS NOT NULL "
            "AND r.finished_at >= ? AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.key = 'run:' || r.id) "
            "ORDER BY r.id", [DIED_REASON, since_runs]):
        out.append({"kind": "degraded" if run["status"] == "degraded" else "failed", "key": f"run:{run['id']}", "site": run.get("site"), "job": run.get("job"),
                    "run_id": run["id"], "message": _run_message(run)})

    since = iso(now - timedelta(hours=settings.no_runs_hours))
    day = now.date().isoformat()
    if settings.expected_sites is None:
        recent = iso(now - timedelta(days=DEFAULT_EXPECTED_DAYS))
        sites = [r[0] for r in db.execute(
            "SELECT DISTINCT site FROM crawl_runs WHERE started_at >= ? ORDER BY site", [recent]).fetchall()]
    else:
        sites = list(dict.fromkeys(settings.expected_sites))
    window = _hours_text(settings.no_runs_hours)
    for site in sites:
        quiet, last = _quiet(db, "site", site, since)
        if quiet:
            out.append({"kind": "no_runs", "key": f"no_runs:{site}:{day}", "site": site, "job": None,
                        "run_id": last["id"] if last else None,
                        "message": _one_line(f"No completed run of {site} in the last {window} "
                                             f"({_last_run_text(last)})")})
    for job in dict.fromkeys(settings.expected_jobs):
        quiet, last = _quiet(db, "job", job, since)
        if quiet:
            out.append({"kind": "no_runs", "key": f"no_runs:job:{job}:{day}", "site": last["site"] if last else None,
                        "job": job, "run_id": last["id"] if last else None,
                        "message": _one_line(f"No completed run of job {job} in the last {window} "
                                             f"({_last_run_text(last)})")})
    return out


def _setup_candidates(problems: Iterable[tuple[str, str]], now: datetime) -> list[dict]:
    day = now.date().isoformat()
    return [{"kind": "setup", "key": f"setup:{name}:{day}", "site": None, "job": None, "run_id": None,
             "message": _one_line(message)} for name, message in problems]


def raise_alerts(db: Database, settings: AlertSettings | None = None,
                 now: datetime | str | None = None, problems: Iterable[tuple[str, str]] = ()) -> list[dict]:
    """Insert the alerts that are due and not yet raised; return the new rows (oldest first).

    ``problems`` are ``(name, message)`` pairs for parts of the monitor that run degraded (the
    scheduler's start-up checks): each is raised as a ``setup`` alert once per day.

    Safe to call from several processes at once: the unique key and the write lock mean each
    problem is raised once.
    """
    settings = settings or AlertSettings()
    moment = as_utc(now)
    at = iso(moment)
    new: list[dict] = []
    with write_transaction(db):
        for alert in _candidates(db, settings, moment) + _setup_candidates(problems, moment):
            cursor = db.execute(
                "INSERT OR IGNORE INTO alerts (at, kind, key, site, job, run_id, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [at, alert["kind"], alert["key"], alert["site"], alert["job"], alert["run_id"], alert["message"]])
            if cursor.rowcount == 1:
                new.append({"id": cursor.lastrowid, "at": at, **alert, "email_sent_at": None,
                            "webhook_sent_at": None, "last_error": None})
    return new


_DETAIL_SQL = """
SELECT a.*, r.status AS run_status, r.started_at AS run_started_at, r.finished_at AS run_finished_at,
       r.log_path AS run_log_path,
       CASE WHEN r.status = 'degraded' THEN r.degraded_reason ELSE r.finish_reason END AS run_reason
FROM alerts a LEFT JOIN crawl_runs r ON r.id = a.run_id
"""


def alerts_with_runs(db: Database, where: str = "", params: list | tuple = (), order: str = "a.id",
                     limit: int | None = None) -> list[dict]:
    """Alerts joined with their run: ``run_status``, ``run_reason``, ``run_log_path`` and times."""
    sql = _DETAIL_SQL + (f" WHERE {where}" if where else "") + f" ORDER BY {order}"
    params = list(params)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return list(db.execute_returning_dicts(sql, params))


def recent_alerts(db: Database, days: int = 7, limit: int = 200, now: datetime | str | None = None) -> list[dict]:
    """Alerts raised in the last ``days`` days, newest first, with their run's details. An empty list
    on a database from before the alerts table (opened without migrations)."""
    if not db["alerts"].exists():
        return []
    since = iso(as_utc(now) - timedelta(days=days))
    return alerts_with_runs(db, "a.at >= ?", [since], order="a.at DESC, a.id DESC", limit=limit)


def delivery_text(alert: dict) -> str:
    """How far an alert got: the channels that delivered it, the last error, or "not sent"."""
    parts = []
    if alert.get("email_sent_at"):
        parts.append(f"e-mailed {alert['email_sent_at']}")
    if alert.get("webhook_sent_at"):
        parts.append(f"webhook {alert['webhook_sent_at']}")
    if alert.get("last_error"):
        parts.append(f"error: {alert['last_error']}")
    return "; ".join(parts) or "not sent"
