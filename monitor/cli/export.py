"""`monitor export ...`: leads for enforcement (case packages, notices and referrals follow)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import click


@click.group()
def export():
    """Exports for enforcement: leads as CSV, XLSX or JSON.

    Example:

        monitor export leads --status confirmed --format xlsx -o leads.xlsx
    """


@export.command()
@click.option("--status", default="confirmed", show_default=True,
              type=click.Choice(["open", "confirmed", "dismissed", "superseded", "all"]),
              help="Flag status (confirmed = confirmed counterfeit, infringement or regulatory violation).")
@click.option("--since", metavar="DATE", help="Decided (or, undecided, flagged) on or after this date, YYYY-MM-DD.")
@click.option("--category", help="Only this category.")
@click.option("--site", help="Only this site.")
@click.option("--analyst", help="Only verdicts by this analyst.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (default: standard output for csv/json; required for xlsx).")
@click.pass_context
def leads(ctx, status, since, category, site, analyst, fmt, output):
    """One row per listing: site, URL, title, seller, price, marks, signals, score, verdict,
    analyst, decided at and the SHA-256 of its kept evidence.

    Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or
    carriage return) are prefixed with an apostrophe in CSV and XLSX. The export is written
    to the custody log with the file's SHA-256.

    Example:

        monitor export leads --status confirmed --since 2026-11-01 --format xlsx -o leads.xlsx

        monitor export leads --analyst alice --format csv > alice.csv
    """
    import io
    import re

    from monitor.evidence import custody
    from monitor.export.leads import LEAD_COLUMNS, LeadFilter, lead_rows
    from monitor.export.sheets import write_csv, write_json, write_xlsx
    from monitor.store import open_db
    from monitor.store.db import write_transaction

    if since and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        raise click.BadParameter(f"{since!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-01", param_hint="--since")
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs -o FILE (a workbook is not text for the terminal)")
    db = open_db(ctx.obj.get("db_path"))
    rows = lead_rows(db, LeadFilter(status=status, since=since, category=category, site=site, analyst=analyst))
    if fmt == "xlsx":
        n = write_xlsx(rows, LEAD_COLUMNS, output)
        data = output.read_bytes()
    else:
        buffer = io.StringIO()
        n = (write_csv if fmt == "csv" else write_json)(rows, LEAD_COLUMNS, buffer)
        data = buffer.getvalue().encode("utf-8")
        if output:
            output.write_bytes(data)
        else:
            sys.stdout.write(buffer.getvalue())
    digest = hashlib.sha256(data).hexdigest()
    with write_transaction(db):
        custody.append(db, actor="cli", action="export", obj=f"leads:{output.name if output else 'stdout'}",
                       sha256=digest, detail={"format": fmt, "rows": n, "status": status, "since": since,
                                              "category": category, "site": site, "analyst": analyst})
    db.close()
    if output:
        click.echo(f"{n} leads written to {output} (SHA-256 {digest})", err=True)


COMMANDS = [export]
