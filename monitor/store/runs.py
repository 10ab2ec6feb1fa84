"""Crawl runs: one row per crawl, opened before the first request and closed at the end."""

from __future__ import annotations

import json
import os
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

from monitor.i18n import N_
from monitor.listing import utc_now
from monitor.store.db import write_transaction

RUN_STATUSES = ("running", "completed", "degraded", "failed", "interrupted")
MAX_ERROR_MESSAGES = 20
# The finish reason of a run closed by mark_stale_runs_interrupted: nobody stopped that crawl
# (monitor.alerts raises it as a failure, unlike a crawl someone interrupted).
DIED_REASON = N_("process ended without closing the run (killed or crashed)")

# The failures a crawl counts (crawl_runs columns, migration 0012), each with the words a run
# summary uses (singular, plural: message templates, translated where an alert shows them) and
# where the count comes from. Any of them above 0 makes a run degraded.
FAILURE_COUNTS = {
    "retries_exhausted": (N_("%(n)s given up after retries"), N_("%(n)s given up after retries"),
                          "Scrapy stat retry/max_reached"),
    "pages_dropped": (N_("%(n)s dropped at the size cap"), N_("%(n)s dropped at the size cap"),
                      "DOWNLOAD_MAXSIZE, in transfer or decompression"),
    "robots_refused": (N_("%(n)s refused by robots.txt"), N_("%(n)s refused by robots.txt"),
                       "Scrapy stat robotstxt/forbidden"),
    "offsite_filtered": (N_("%(n)s offsite request or redirect filtered"),
                         N_("%(n)s offsite requests or redirects filtered"), "Scrapy stat offsite/filtered"),
    "items_failed": (N_("%(n)s item failed"), N_("%(n)s items failed"),
                     "callback errors, items dropped or refused by the store"),
}


def failure_counts(run: dict[str, Any]) -> dict[str, int]:
    """The run's non-zero failure counts, in FAILURE_COUNTS order ({} for a run from before they
    were counted)."""
    return {name: int(run[name]) for name in FAILURE_COUNTS if run.get(name)}


def failure_template(name: str, n: int) -> str:
    """The message template of ``n`` failures of kind ``name`` (``%(n)s`` in it)."""
    singular, plural, _source = FAILURE_COUNTS[name]
    return singular if n == 1 else plural


def failure_text(counts: dict[str, int], *, sources: bool = False) -> str:
    """``2 given up after retries, 1 refused by robots.txt``; "" when nothing failed."""
    parts = []
    for name, (_one, _many, source) in FAILURE_COUNTS.items():
        if counts.get(name):
            parts.append(failure_template(name, counts[name]) % {"n": counts[name]} + (f" ({source})" if sources else ""))
    return ", ".join(parts)


def process_start(pid: int) -> str | None:
    """``<boot id>:<start time>`` of process ``pid``, which no later process with the same pid
    shares; None where /proc does not tell (not Linux, the process is gone)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            boot = handle.read().strip()
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None  # field 22 of proc(5): starttime


def start_run(db: Database, *, site: str, spider: str, kind: str, args: dict[str, Any] | None = None,
              log_path: str | None = None) -> int:
    with write_transaction(db):
        table = db["crawl_runs"]
        table.insert(
            {
                "site": site,
                "spider": spider,
                "kind": kind,
                "args": json.dumps(args or {}, ensure_ascii=False, sort_keys=True),
                "started_at": utc_now(),
                "status": "running",
                "pid": os.getpid(),
                "hostname": socket.gethostname(),
                "pages": 0,
                "listings_seen": 0,
                "listings_new": 0,
                "listings_changed": 0,
                "errors": 0,
                "log_path": log_path,
                "process_start": process_start(os.getpid()),
            }
        )
        return int(table.last_pk)


def finish_run(db: Database, run_id: int, *, status: str, finish_reason: str | None = None,
               pages: int = 0, listings_seen: int = 0, listings_new: int = 0, listings_changed: int = 0,
               listings_removed: int = 0, flags_raised: int = 0,
               errors: list[str] | None = None, error_count: int | None = None,
               coverage: dict[str, float] | None = None, degraded_reason: str | None = None,
               failures: dict[str, int] | None = None) -> None:
    """Close run ``run_id``; ``failures`` holds the FAILURE_COUNTS (those not given are 0)."""
    unknown = set(failures or {}) - set(FAILURE_COUNTS)
    if unknown:
        raise ValueError(f"unknown failure counts {sorted(unknown)}; expected some of {', '.join(FAILURE_COUNTS)}")
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}; expected one of {', '.join(RUN_STATUSES)}")
    errors = errors or []
    with write_transaction(db):
        db["crawl_runs"].update(
            run_id,
            {
                "finished_at": utc_now(),
                "status": status,
                "finish_reason": finish_reason,
                "pages": pages,
                "listings_seen": listings_seen,
                "listings_new": listings_new,
                "listings_changed": listings_changed,
                "listings_removed": listings_removed,
                "flags_raised": flags_raised,
                "errors": error_count if error_count is not None else len(errors),
                "error_messages": json.dumps(errors[:MAX_ERROR_MESSAGES], ensure_ascii=False),
                "coverage": json.dumps(coverage or {}, sort_keys=True),
                "degraded_reason": degraded_reason,
                "finish_reason_template": template_json(finish_reason),
                "degraded_reason_template": template_json(degraded_reason),
                **{name: int((failures or {}).get(name) or 0) for name in FAILURE_COUNTS},
            },
        )


def template_json(text: Any) -> str | None:
    """The message template of ``text`` as stored (JSON), when it is a translatable message
    (monitor.rules.explain.Msg: it has ``stored()``); None for plain text, shown as written."""
    stored = getattr(text, "stored", None)
    return json.dumps(stored(), ensure_ascii=False, sort_keys=True) if callable(stored) else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped: an orphaned crawl whose new parent reaps slowly) is
    # as dead as a crawl gets; kill(pid, 0) still succeeds on it.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return True  # no /proc (not Linux): trust kill()
    return stat[stat.rfind(")") + 2:][:1] != "Z"


def _process_gone(pid: int | None, started: str | None) -> bool:
    """Whether the crawl process that opened a run is gone: no such pid, a zombie, or a pid now
    held by a later process (its start time differs from the one the run recorded)."""
    if not pid or not _pid_alive(int(pid)):
        return True
    if not started:  # a run from before start times were kept: the pid alone decides
        return False
    now = process_start(int(pid))
    return now is not None and now != started


def mark_stale_runs_interrupted(db: Database) -> list[int]:
    """Close runs left 'running' by a crawl process that no longer exists (killed, crashed).

    Only runs started on this host are judged: a pid means nothing on another machine. Every
    site's runs are judged, whoever calls: the next crawl to start, `monitor runs`, and the
    scheduler at start, after each crawl and on its timer.
    """
    host = socket.gethostname()
    stale = [
        row["id"]
        for row in db.execute_returning_dicts(
            "SELECT * FROM crawl_runs WHERE status = 'running' AND hostname = ?", [host]
        )
        if _process_gone(row["pid"], row.get("process_start"))
    ]
    if stale:
        with write_transaction(db):
            for run_id in stale:
                db["crawl_runs"].update(
                    run_id,
                    {
                        "status": "interrupted",
                        "finished_at": utc_now(),
                        "finish_reason": DIED_REASON,
                    },
                )
    return stale


def tag_run(db: Database, run_id: int, *, job: str | None = None, trigger: str | None = None) -> None:
    """Record which scheduled job started a run and why (crawl_runs.job, crawl_runs.trigger).

    Written from outside the pipeline that opened the run: by the crawl process once the run
    exists, and again by the scheduler after the crawl ends (the crawl may die before it can).
    """
    values = {k: v for k, v in (("job", job), ("trigger", trigger)) if v is not None}
    if values:
        with write_transaction(db):
            db["crawl_runs"].update(run_id, values)


def run_of_process(db: Database, pid: int, *, since: str | None = None) -> dict[str, Any] | None:
    """The run opened by crawl process ``pid`` on this host (started at or after ``since``)."""
    sql = "SELECT * FROM crawl_runs WHERE pid = ? AND hostname = ?"
    params: list[Any] = [pid, socket.gethostname()]
    if since:
        sql += " AND started_at >= ?"
        params.append(since)
    rows = db.execute_returning_dicts(sql + " ORDER BY id DESC LIMIT 1", params)
    return rows[0] if rows else None


def close_run(db: Database, run_id: int, *, status: str, finish_reason: str) -> None:
    """Overrule a run's outcome from outside its crawl (killed at its time limit, scheduler stopped),
    keeping the counts the crawl recorded."""
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}; expected one of {', '.join(RUN_STATUSES)}")
    with write_transaction(db):
        row = db["crawl_runs"].get(run_id)
        db["crawl_runs"].update(run_id, {"status": status, "finish_reason": finish_reason,
                                         "finished_at": row.get("finished_at") or utc_now()})
