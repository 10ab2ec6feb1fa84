"""`monitor complaints`: complaint leads (投诉举报线索) in and out (issue 14)."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import click

from monitor.casework import complaints as service
from monitor.casework.complaints_rules import STATUSES, ComplaintError, load_settings
from monitor.casework.complaints_stats import complaint_counts
from monitor.i18n import use_locale
from monitor.periods import office_today
from monitor.settings import resolve_config_path
from monitor.store import open_db, resolve_db_path
from monitor.yamlfile import YamlError

CSV_COLUMNS = ("url", "source", "received_on", "text", "complainant", "kind")
REQUIRED_COLUMNS = ("url", "source", "text")


@click.group()
@click.pass_context
def complaints(ctx):
    """Complaint leads (投诉举报线索): import, list, close.

    Example:

        monitor complaints import hotline-2026-12.csv

        monitor complaints list --status open
    """
    ctx.with_resource(use_locale("en"))  # the CLI speaks English (its messages, the checks' refusals)


def _settings(config):
    try:
        return load_settings(resolve_config_path(config))
    except YamlError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@complaints.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--config", type=click.Path(dir_okay=False), help="monitor.yaml (its complaints: section and jobs' base_url).")
@click.option("--actor", default="cli", show_default=True, help="Recorded as who took the complaints.")
@click.option("--no-crawl", is_flag=True, help="Store the complaints without crawling their pages now.")
@click.pass_context
def import_(ctx, file, config, actor, no_crawl):
    """Take complaints from a CSV file (UTF-8, a header row).

    Columns: url (listing or shop page, http/https), source (12315, 12345, platform,
    rights_holder, other), received_on (YYYY-MM-DD, default today), text, complainant
    (optional, confidential), kind (listing or shop, default listing). Each good row is
    taken (a listing of a known site crawled at once, a duplicate of an open complaint
    linked); each bad row is reported as FILE:LINE: field: problem and skipped. The exit
    code is 1 when a row was refused.

    Example:

        monitor complaints import hotline-2026-12.csv

        monitor --db data/monitor.db complaints import 12345.csv --no-crawl
    """
    settings = _settings(config)
    db_path = resolve_db_path(ctx.obj.get("db_path") if ctx.obj else None)
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            unknown = [c for c in header if c not in CSV_COLUMNS]
            if missing or unknown:
                problem = (f"missing column(s) {', '.join(missing)}" if missing else "") + \
                          ("; " if missing and unknown else "") + \
                          (f"unknown column(s) {', '.join(unknown)}" if unknown else "")
                click.echo(f"{file}:1: header: {problem} (columns: {', '.join(CSV_COLUMNS)})", err=True)
                sys.exit(2)
            rows = [(reader.line_num, {(k or "").strip(): v for k, v in row.items()}) for row in reader]
    except UnicodeDecodeError as exc:
        click.echo(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}): save the file as UTF-8 CSV", err=True)
        sys.exit(2)
    db = open_db(db_path)
    taken = refused = 0
    try:
        for line, row in rows:
            try:
                stored = service.intake(db, row, actor=actor, settings=settings, db_path=db_path, crawl=not no_crawl)
            except ComplaintError as exc:
                refused += 1
                click.echo(f"{file}:{line}: {exc.field}: {exc.problem}", err=True)
                continue
            taken += 1
            click.echo(f"complaint {stored['id']}: {stored['url']} deadline {stored['deadline']} "
                       f"({stored['crawl_state']}{': ' + stored['crawl_note'] if stored['crawl_note'] else ''})")
    finally:
        db.close()
    click.echo(f"{taken} taken, {refused} refused")
    if refused:
        sys.exit(1)


@complaints.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only complaints in this status.")
@click.option("--show-complainant", is_flag=True, help="Also print who complained (confidential).")
@click.pass_context
def list_(ctx, status, show_complainant):
    """List complaints: open ones by deadline, with working days left.

    Example:

        monitor complaints list --status open
    """
    db = open_db(ctx.obj.get("db_path") if ctx.obj else None)
    today = office_today()
    try:
        for row in service.list_complaints(db, status=status, limit=10000):
            view = service.complaint_view(row, lead=show_complainant, today=today)
            left = "" if view["days_left"] is None else f"{view['days_left']} working days left"
            who = f"\t{view.get('complainant') or '-'}" if show_complainant else ""
            dup = f"\tduplicate of {row['duplicate_of']}" if row["duplicate_of"] else ""
            click.echo(f"{row['id']}\t{row['status']}\t{row['source']}\t{row['received_on']}\t{row['deadline']}\t"
                       f"{left}\t{row['url']}{who}{dup}")
        counts = complaint_counts(db, today)
        click.echo(f"near deadline {counts['near_deadline']}, past deadline {counts['past_deadline']}")
    finally:
        db.close()


@complaints.command("close")
@click.argument("complaint_id", type=click.IntRange(min=1))
@click.option("--status", type=click.Choice(("answered", "closed", "in_progress")), default="answered",
              show_default=True, help="answered: the complainant was answered; closed: ended otherwise.")
@click.option("--outcome", required=True, help="The answer given, or why it was closed.")
@click.option("--actor", default="cli", show_default=True)
@click.pass_context
def close(ctx, complaint_id, status, outcome, actor):
    """Record the answer to a complaint (or close it); its duplicates end with it.

    Example:

        monitor complaints close 12 --outcome "已核查，链接已下架，答复投诉人"
    """
    db = open_db(ctx.obj.get("db_path") if ctx.obj else None)
    try:
        row = service.set_status(db, complaint_id, status, actor=actor, outcome=outcome)
    except (ComplaintError, LookupError) as exc:
        click.echo(f"error: complaint {complaint_id}: {exc}", err=True)
        sys.exit(2)
    finally:
        db.close()
    click.echo(f"complaint {row['id']}: {row['status']} at {row['closed_at'] or '-'}")


COMMANDS = [complaints]
