"""`monitor schedule` (the scheduler, as a service or once) and `monitor jobs` (the jobs' state)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime, timezone

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.schedule.campaigns import active_campaigns, apply_campaigns
from monitor.schedule.config import load_config
from monitor.schedule.history import iso_utc, last_events, last_runs, last_started_at
from monitor.schedule.jobstore import jobstore_path, stored_next_run_times
from monitor.schedule.service import ScheduleService, due_jobs, run_now
from monitor.schedule.triggers import build_trigger, is_due, parse_utc
from monitor.store import open_db, resolve_db_path
from monitor.yamlfile import YamlError


CONFIG_HELP = "Jobs file [env MONITOR_CONFIG; default monitor.yaml here, else the project's]."


def _load(config_path):
    try:
        return load_config(config_path)
    except YamlError as exc:
        click.echo(f"error: the schedule is invalid:\n{exc}", err=True)
        sys.exit(2)


def _setup_logging(verbose: bool) -> None:
    # To stderr, one line per event: under systemd this is the journal.
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


@click.command("schedule")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--once", is_flag=True, help="Run the jobs that are due now (highest priority first), then exit.")
@click.option("--run", "run_jobs", multiple=True, metavar="JOB",
              help="Run this job now whether due or not (repeatable), then exit; recorded as trigger manual.")
@click.option("--check", is_flag=True, help="Only validate the jobs file.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging, APScheduler's included.")
@click.pass_context
def schedule(ctx, config_path, once, run_jobs, check, verbose):
    """Run the crawl jobs of monitor.yaml on their schedules, in the foreground.

    Each crawl runs as its own process group, killed whole at the job's time limit; a job
    never runs twice at once (a firing while it runs is skipped and recorded); fire times
    missed while the scheduler was down run once if within the grace period, older ones are
    recorded as missed; runs left running by a dead scheduler are marked interrupted at
    start. SIGTERM or Ctrl-C stops it cleanly: running crawls are ended and recorded as
    interrupted. The APScheduler job store is a SQLite file beside the database
    (data/monitor.jobs.db). Logs go to stderr (the journal under systemd).

    --once runs what is due and exits (for cron or a systemd timer): a job is due when a
    fire time of its schedule has passed since its last recorded run started, or when it has
    never run and its schedule fired in the last 7 days. Exit code 1 when a run failed or was interrupted, 2 when the file is invalid.

    Example:

        monitor schedule

        monitor schedule --once

        monitor schedule --check --config /etc/monitor/monitor.yaml

        monitor schedule --run greenmart-daily
    """
    config = _load(config_path)
    if check:
        enabled = len(config.enabled_jobs)
        click.echo(f"{config.path}: {len(config.jobs)} job(s), {enabled} enabled, "
                   f"{len(config.campaigns)} campaign(s); valid")
        return
    _setup_logging(verbose)
    db_path = resolve_db_path(ctx.obj.get("db_path"))
    open_db(db_path).close()  # create and migrate first, so errors surface plainly
    if once or run_jobs:
        run_once(config, db_path, run_jobs)
        return
    ScheduleService(config, db_path).serve()


def run_once(config, db_path, run_jobs: tuple[str, ...]) -> None:
    """Run RUN_JOBS now (or, with none named, the jobs that are due) and print how each went; exit 1 if one failed."""
    if run_jobs:
        try:
            chosen = [(config.job(job_id), None) for job_id in run_jobs]
        except LookupError as exc:
            raise click.UsageError(str(exc)) from None
        results = run_now(config, db_path, chosen, trigger="manual")
    else:
        due = due_jobs(config, db_path)
        if not due:
            click.echo("Nothing is due.")
            return
        results = run_now(config, db_path, due, trigger="schedule")
    table = Table("job", "outcome", "run", "detail", title="Scheduled crawls")
    for result in results:
        colour = "green" if result.ok else "red"
        table.add_row(escape(result.job), f"[{colour}]{escape(result.outcome)}[/{colour}]",
                      str(result.run_id or "-"), escape(result.detail))
    Console(highlight=False, width=None if sys.stdout.isatty() else 160).print(table)
    if not all(result.ok for result in results):
        sys.exit(1)


def _fmt_time(moment: datetime | None) -> str:
    return iso_utc(moment) or "-"


@click.command("jobs")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def jobs(ctx, config_path, as_json):
    """List the crawl jobs: schedule, next run, whether due, last run and its status.

    The next run is the one the scheduler has stored (data/monitor.jobs.db); a job the
    scheduler has not taken up yet shows when it would fire if it started now, marked *.
    "due" is what `monitor schedule --once` would run now.

    Example:

        monitor jobs

        monitor jobs --config ops/monitor.yaml --json
    """
    config = _load(config_path)
    rows = job_rows(config, resolve_db_path(ctx.obj.get("db_path")))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    print_jobs(rows, config)


def job_rows(config, db_path) -> list[dict]:
    """Each job with its schedule, next fire time (stored, else as if the scheduler started now), due, last run."""
    db = open_db(db_path)
    runs, events = last_runs(db), last_events(db)
    last_started = {job.id: parse_utc(last_started_at(db, job.id)) for job in config.jobs}
    db.close()
    stored = stored_next_run_times(jobstore_path(db_path))
    now = datetime.now(timezone.utc)
    rows = []
    for job in config.jobs:
        if not job.enabled:
            next_run, planned = None, False
        elif stored.get(job.id) is not None:
            next_run, planned = datetime.fromtimestamp(stored[job.id], timezone.utc), True
        else:
            next_run, planned = build_trigger(job, config).get_next_fire_time(None, now), False
        run, event = runs.get(job.id), events.get(job.id)
        rows.append({
            "job": job.id, "target": job.target, "categories": list(job.categories), "schedule": job.schedule_text,
            "time_limit": job.time_limit, "priority": job.priority, "enabled": job.enabled,
            "next_run": _fmt_time(next_run) if next_run else None, "next_run_stored": planned,
            "due": job.enabled and is_due(job, config, last_started[job.id], now),
            "last_run": run and {"id": run["id"], "status": run["status"], "started_at": run["started_at"],
                                 "trigger": run.get("trigger"), "finish_reason": run.get("finish_reason")},
            "last_event": event and {"event": event["event"], "at": event["at"], "detail": event["detail"]},
        })
    return rows


def print_jobs(rows: list[dict], config) -> None:
    table = Table("job", "target", "schedule", "limit", "prio", "next run", "due", "last run", "status",
                  "last event", title=f"Jobs in {config.path}")
    for r in rows:
        last = r["last_run"]
        next_text = "disabled" if not r["enabled"] else (r["next_run"] or "-") + ("" if r["next_run_stored"] else " *")
        colour = {"completed": "green", "degraded": "yellow", "running": "cyan"}.get(last["status"], "red") if last else ""
        cells = [
            r["job"], r["target"] + (f" ({', '.join(r['categories'])})" if r["categories"] else ""), r["schedule"],
            f"{r['time_limit']} s", str(r["priority"]), next_text, "yes" if r["due"] else "",
            f"#{last['id']} {last['started_at']}" if last else "never",
        ]
        event = r["last_event"]
        table.add_row(*(escape(c) for c in cells),
                      f"[{colour}]{escape(last['status'])}[/{colour}]" if last else "",
                      escape(f"{event['event']} {event['at']}") if event else "")
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    console.print(table)
    if any(r["enabled"] and not r["next_run_stored"] for r in rows):
        console.print("* not in the scheduler's job store yet: when it would fire if `monitor schedule` started now")


@click.group("campaigns", invoke_without_command=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--date", "on_date", metavar="YYYY-MM-DD", help="Which campaigns are active on this day (default today).")
@click.pass_context
def campaigns(ctx, config_path, on_date):
    """The campaigns of the jobs file: their windows, what they cover, whether active today.

    Active campaigns make the jobs they cover fire on their campaign_cron too, and raise the
    open flags they cover in the review queue by their priority_boost (`monitor campaigns
    apply`; the scheduler does it on its own).

    Example:

        monitor campaigns --date 2027-03-15
    """
    ctx.ensure_object(dict)
    config = _load(config_path)
    try:
        day = date.fromisoformat(on_date) if on_date else None
    except ValueError:
        raise click.BadParameter(f"{on_date!r} is not a date like 2027-03-15", param_hint="--date") from None
    ctx.obj["schedule_config"], ctx.obj["campaign_day"] = config, day
    if ctx.invoked_subcommand:
        return
    active = {c.name for c in active_campaigns(config, day)}
    table = Table("campaign", "window", "covers", "queue boost", "active")
    for c in config.campaigns:
        window = (f"every year {c.start:%m-%d} to {c.end:%m-%d}" if c.yearly else f"{c.start} to {c.end}")
        covers = ", ".join([*c.categories, *c.marks]) or "everything"
        table.add_row(escape(c.name), window, escape(covers), f"+{c.priority_boost}", "yes" if c.name in active else "")
    Console(highlight=False).print(table)


@campaigns.command("apply")
@click.pass_context
def campaigns_apply(ctx):
    """Rank the open flags that active campaigns cover higher in the queue, now.

    Example:

        monitor campaigns apply
    """
    config, day = ctx.obj["schedule_config"], ctx.obj["campaign_day"]
    db = open_db(ctx.obj.get("db_path"))
    counts = apply_campaigns(db, active_campaigns(config, day))
    db.close()
    active = {k: v for k, v in sorted(counts.items()) if k}
    click.echo("open flags in campaigns: " + (", ".join(f"{k} {v}" for k, v in active.items()) or "none")
               + f"; outside: {counts.get('', 0)}")


COMMANDS = [schedule, jobs, campaigns]
