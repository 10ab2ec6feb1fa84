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

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from sqlite_utils import Database

from monitor.alerts.config import DEFAULT_EXPECTED_DAYS, AlertSettings
from monitor.store.db import write_transaction
from monitor.i18n import N_, format_datetime, gettext, label
from monitor.rules.explain import Msg, render_json
from monitor.store.runs import DIED_REASON, template_json

# Failed and degraded runs older than this when alerts are first checked are history, not news.
RUN_LOOKBACK_DAYS = 7
ALERT_KINDS = ("failed", "degraded", "no_runs", "setup")
# The kinds as the dashboard and e-mails name them.
ALERT_KIND_WORDS = {"failed": N_("run failed"), "degraded": N_("run degraded"), "no_runs": N_("no runs"),
                    "setup": N_("setup problem")}
_MAX_REASON = 500
# Run statuses as an alert names them ("last run 12: failed").
RUN_STATUS_WORDS = {"running": N_("running"), "completed": N_("completed"), "degraded": N_("degraded"),
                    "failed": N_("failed"), "interrupted": N_("interrupted")}


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


def _who(run: dict) -> Msg | str:
    site = run.get("site") or "?"
    return Msg("%(site)s (job %(job)s)", site=site, job=run["job"]) if run.get("job") else site


def _reason(run: dict, column: str, default: str) -> Msg | str:
    """A run's recorded reason: its message template when the crawl stored one (migration 0015),
    else the text as recorded (runs from before, Scrapy's own close reasons)."""
    stored = run.get(f"{column}_template")
    if stored:
        try:
            value = json.loads(stored)
            return Msg(value["message"], **(value.get("params") or {}))
        except (ValueError, KeyError, TypeError):
            pass  # a damaged template: the English text is still there
    return run.get(column) or Msg(default)


def _run_message(run: dict) -> Msg:
    if run["status"] == "interrupted":
        return Msg("Run %(id)s of %(who)s died: its crawl %(reason)s; see the end of its log (monitor runs %(id)s)",
                   id=run["id"], who=_who(run), reason=Msg(DIED_REASON))
    if run["status"] == "degraded":
        return Msg("Run %(id)s of %(who)s is degraded: %(reason)s", id=run["id"], who=_who(run),
                   reason=_reason(run, "degraded_reason", "field coverage fell below the profile's threshold"))
    return Msg("Run %(id)s of %(who)s failed: %(reason)s", id=run["id"], who=_who(run),
               reason=_reason(run, "finish_reason", "no reason recorded"))


HOURS = (N_("%(n)s hour"), N_("%(n)s hours"))  # (one, more)


def _hours_text(hours: float) -> Msg:
    return Msg(HOURS[hours != 1], n=format(hours, "g"))


def _last_run_text(last: dict | None) -> Msg:
    if not last:
        return Msg("no run recorded")
    return Msg("last run %(id)s: %(status)s, started %(started)s", id=last["id"], status=Msg(RUN_STATUS_WORDS.get(
        last["status"], last["status"])), started=last["started_at"])


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
                        "message": Msg("No completed run of %(site)s in the last %(window)s (%(last)s)",
                                       site=site, window=window, last=_last_run_text(last))})
    for job in dict.fromkeys(settings.expected_jobs):
        quiet, last = _quiet(db, "job", job, since)
        if quiet:
            out.append({"kind": "no_runs", "key": f"no_runs:job:{job}:{day}", "site": last["site"] if last else None,
                        "job": job, "run_id": last["id"] if last else None,
                        "message": Msg("No completed run of job %(job)s in the last %(window)s (%(last)s)",
                                       job=job, window=window, last=_last_run_text(last))})
    return out


def _setup_candidates(problems: Iterable[tuple[str, str]], now: datetime) -> list[dict]:
    day = now.date().isoformat()
    return [{"kind": "setup", "key": f"setup:{name}:{day}", "site": None, "job": None, "run_id": None,
             "message": message} for name, message in problems]


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
                "INSERT OR IGNORE INTO alerts (at, kind, key, site, job, run_id, message, message_template) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [at, alert["kind"], alert["key"], alert["site"], alert["job"], alert["run_id"],
                 _one_line(alert["message"]), template_json(alert["message"])])
            if cursor.rowcount == 1:
                new.append({"id": cursor.lastrowid, "at": at, **alert, "message": _one_line(alert["message"]),
                            "message_template": template_json(alert["message"]), "email_sent_at": None,
                            "webhook_sent_at": None, "last_error": None})
    return new


_DETAIL_SQL = """
SELECT a.*, r.status AS run_status, r.started_at AS run_started_at, r.finished_at AS run_finished_at,
       r.log_path AS run_log_path,
       CASE WHEN r.status = 'degraded' THEN r.degraded_reason ELSE r.finish_reason END AS run_reason,
       CASE WHEN r.status = 'degraded' THEN r.degraded_reason_template ELSE r.finish_reason_template END
           AS run_reason_template
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


def alert_kind_words(kind: str) -> str:
    return label(ALERT_KIND_WORDS, kind)


def run_status_words(status: str) -> str:
    return label(RUN_STATUS_WORDS, status)


def alert_message(alert: dict) -> str:
    """What an alert says, in the current locale: from its message template when it has one
    (alerts raised since migration 0015), else the English it was raised with."""
    return render_json(alert.get("message_template"), alert.get("message") or "")


def run_reason(alert: dict) -> str:
    """The reason of the alert's run (``alerts_with_runs``), in the current locale when the crawl
    stored its template; else as recorded."""
    return render_json(alert.get("run_reason_template"), alert.get("run_reason") or "")


def delivery_text(alert: dict) -> str:
    """How far an alert got, in the current locale: the channels that delivered it, the last
    error, or "not sent"."""
    parts = []
    if alert.get("email_sent_at"):
        parts.append(gettext("e-mailed %(at)s", at=format_datetime(alert["email_sent_at"])))
    if alert.get("webhook_sent_at"):
        parts.append(gettext("webhook %(at)s", at=format_datetime(alert["webhook_sent_at"])))
    if alert.get("last_error"):
        parts.append(gettext("error: %(error)s", error=alert["last_error"]))
    return gettext("; ").join(parts) or gettext("not sent")
