"""`monitor runs`: the crawl run history, and one run in detail with its log."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timedelta, timezone

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.crawl.runner import run_summary_rows
from monitor.store import mark_stale_runs_interrupted, open_db
from monitor.store.runs import FAILURE_COUNTS

RUN_STATUSES = ["running", "completed", "degraded", "failed", "interrupted"]


def parse_since(text: str, now: datetime | None = None) -> str:
    """``24h``, ``7d``, ``30m`` ago, or a date / date-time (UTC unless it says otherwise), as the
    store writes times (``2026-11-24T02:00:00Z``), so that text comparison orders them."""
    now = now or datetime.now(timezone.utc)
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text)
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match.group(2)]
        moment = now - timedelta(**{unit: int(match.group(1))})
    else:
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise click.BadParameter(f"{text!r}: give a date (2026-11-20), a time (2026-11-20T08:00) "
                                     "or an age (30m, 24h, 7d, 2w)") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def duration_seconds(run: dict, now: datetime | None = None) -> int | None:
    """From start to finish; a running run counts up to now."""
    start = _parse(run.get("started_at"))
    if start is None:
        return None
    end = _parse(run.get("finished_at")) or (now or datetime.now(timezone.utc) if run["status"] == "running" else None)
    return None if end is None else max(0, int((end - start).total_seconds()))


def format_duration(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def alerts_by_run(db, run_ids: list[int]) -> dict[int, list[dict]]:
    """The alerts raised about these runs (table ``alerts``, filled by monitor.alerts)."""
    if not run_ids or not db["alerts"].exists():
        return {}
    marks = ",".join("?" * len(run_ids))
    found: dict[int, list[dict]] = {}
    for row in db.execute_returning_dicts(
            f"SELECT * FROM alerts WHERE run_id IN ({marks}) ORDER BY id", run_ids):
        found.setdefault(row["run_id"], []).append(row)
    return found


def tail(path: str | None, lines: int) -> list[str]:
    if not path or lines <= 0:
        return []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()[-lines:]
    except OSError as exc:
        return [f"(log not readable: {exc.strerror or exc})"]


def print_run(run: dict, console: Console | None = None) -> None:
    """One run's summary: status in colour, then counts, coverage and errors."""
    console = console or Console()
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in run_summary_rows(run):
        table.add_row(key, escape(value))  # error messages quote URLs and page text: no markup
    colour = {"completed": "green", "degraded": "yellow"}.get(run["status"], "red")
    console.print(f"[{colour}]Crawl {run['status']}[/{colour}]")
    console.print(table)


def show_run(db, run_id: int, log_lines: int, console: Console) -> None:
    run = db["crawl_runs"].get(run_id)
    print_run(run, console)
    console.print(f"[bold]started[/bold] {run['started_at']}  [bold]finished[/bold] {run.get('finished_at') or '-'}  "
                  f"[bold]took[/bold] {format_duration(duration_seconds(run))}"
                  + (f"  [bold]trigger[/bold] {escape(run['trigger'])}" if run.get("trigger") else ""))
    for alert in alerts_by_run(db, [run_id]).get(run_id, []):
        console.print(f"[red]alert[/red] {escape(alert['kind'])} at {alert['at']}: {escape(alert['message'])}")
    if db["job_events"].exists():
        for event in db.execute_returning_dicts("SELECT * FROM job_events WHERE run_id = ? ORDER BY id", [run_id]):
            console.print(f"job event {escape(event['event'])} at {event['at']}"
                          + (f": {escape(event['detail'])}" if event.get("detail") else ""))
    lines = tail(run.get("log_path"), log_lines)
    if lines:
        console.print(f"[bold]last {len(lines)} lines of {escape(run['log_path'])}[/bold]")
        for line in lines:
            console.print(line, markup=False)  # log lines quote page text: never markup


@click.command()
@click.argument("run_id", required=False, type=int)
@click.option("--site", help="Only runs of this site.")
@click.option("--status", type=click.Choice(RUN_STATUSES))
@click.option("--job", help="Only runs started by this scheduled job (see `monitor jobs`).")
@click.option("--since", help="Only runs started since: a date, a date-time (UTC) or an age such as 24h or 7d.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--logs", "show_logs", is_flag=True, help="Add a column with each run's log file.")
@click.option("--log-lines", default=20, show_default=True, type=click.IntRange(min=0),
              help="With RUN_ID: how many of the log's last lines to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def runs(ctx, run_id, site, status, job, since, limit, show_logs, log_lines, as_json):
    """List crawl runs, newest first: job, status, duration, listings, flags, errors, coverage.

    The failures column adds up what a crawl gave up on: pages given up after their retries,
    pages dropped at the size cap (DOWNLOAD_MAXSIZE), requests refused by robots.txt, offsite
    requests and redirects, failed items; any of them makes a run degraded and the note names
    them. A run whose crawl process is gone is marked interrupted first.

    With RUN_ID, show that run in full: counts, errors, reason, its alerts and scheduler
    events, and the end of its log. Alerts raised about listed runs are printed below the
    table.

    Example:

        monitor runs --status degraded --limit 5

        monitor runs --job greenmart-nightly --since 7d

        monitor runs 42 --log-lines 50
    """
    db = open_db(ctx.obj.get("db_path"))
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    try:
        # A run whose crawl process is gone (killed, crashed) is shown as what it is, not 'running'.
        mark_stale_runs_interrupted(db)
        if run_id is not None:
            if db["crawl_runs"].count_where("id = ?", [run_id]) == 0:
                raise click.UsageError(f"no run {run_id}")
            if as_json:
                run = db["crawl_runs"].get(run_id)
                run["duration_seconds"] = duration_seconds(run)
                run["alerts"] = alerts_by_run(db, [run_id]).get(run_id, [])
                click.echo(json.dumps(run, ensure_ascii=False, indent=2))
            else:
                show_run(db, run_id, log_lines, console)
            return
        rows = recent_runs(db, site=site, status=status, job=job, since=since, limit=limit)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    print_runs_table(rows, show_logs, console)


def recent_runs(db, *, site, status, job, since, limit) -> list[dict]:
    """Runs newest first, filtered, each with its duration and the alerts raised about it."""
    where, params = [], []
    for column, value in (("site", site), ("status", status), ("job", job)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if since:
        where.append("started_at >= ?")
        params.append(parse_since(since))
    sql = "SELECT * FROM crawl_runs" + (" WHERE " + " AND ".join(where) if where else "")
    rows = list(db.execute_returning_dicts(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]))
    alerts = alerts_by_run(db, [r["id"] for r in rows])
    for r in rows:
        r["duration_seconds"] = duration_seconds(r)
        r["alerts"] = alerts.get(r["id"], [])
    return rows


def failures_cell(run: dict) -> str:
    """The total of the run's failure counts (the note names them); "-" for a run from before
    they were counted."""
    values = [run.get(name) for name in FAILURE_COUNTS]
    return "-" if all(v is None for v in values) else str(sum(v or 0 for v in values))


def print_runs_table(rows: list[dict], show_logs: bool, console: Console) -> None:
    columns = ["run", "site", "job", "status", "started", "took", "pages", "listings", "new", "flags", "errors",
               "failures", "title/price cov.", "note"]
    table = Table(*columns)
    if show_logs:
        table.add_column("log", overflow="fold")
    for r in rows:
        cov = json.loads(r.get("coverage") or "{}")
        cov_text = f"{cov.get('title', 0):.0%}/{cov.get('price', 0):.0%}" if cov else "-"
        note = r.get("degraded_reason") or (r.get("finish_reason") if r["status"] in ("failed", "interrupted") else "")
        job_text = f"{r['job']} ({r['trigger']})" if r.get("job") and r.get("trigger") not in (None, "schedule") \
            else (r.get("job") or "")
        cells = [str(r["id"]), r["site"], job_text, r["status"], r["started_at"],
                 format_duration(r["duration_seconds"]), str(r["pages"] or 0), str(r["listings_seen"] or 0),
                 str(r["listings_new"] or 0), str(r.get("flags_raised") or 0), str(r["errors"] or 0),
                 failures_cell(r), cov_text, note or ""]
        if show_logs:
            cells.append(r.get("log_path") or "")
        table.add_row(*(escape(c) for c in cells))  # reasons quote page text and URLs: never markup
    console.print(table)
    for r in rows:
        for alert in r["alerts"]:
            sent = " (sent)" if alert.get("email_sent_at") or alert.get("webhook_sent_at") else ""
            console.print(f"[red]alert[/red] run {r['id']}: {escape(alert['kind'])}: {escape(alert['message'])}{sent}")
    if rows and not show_logs:
        console.print("`monitor runs RUN_ID` shows one run in full with the end of its log; --logs lists the log files.")

COMMANDS = [runs]
