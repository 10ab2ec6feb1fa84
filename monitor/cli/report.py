"""`monitor report`: statistics reports for a week, month, quarter or year (HTML or PDF)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from monitor.report import resolve, write_report
from monitor.store import open_db


@click.command()
@click.option("--period", "kind", type=click.Choice(["week", "month", "quarter", "year"]), default="month",
              show_default=True, help="Length of the period reported on.")
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help="A day inside the period to report on [default: the last complete period].")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default=None,
              help="Output format [default: from the -o file's extension, else html].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write [default: report-<period>.<format> in the current folder].")
@click.pass_context
def report(ctx, kind, day, fmt, output):
    """A statistics report for one period: flagged and confirmed listings by category, site and
    signal; top sellers and repeat infringers; notices sent, acceptance rate and time to
    takedown; review throughput; each headline figure against the previous period. Tables and
    charts, as one self-contained HTML file (nothing loaded from outside) or a PDF.

    Periods are in UTC, from the first day 00:00 to the next period's first day 00:00
    (excluded); weeks start on Monday, quarters are calendar quarters. The report is written to
    the custody log with its SHA-256.

    Example:

        monitor report --period quarter --date 2026-05-15 --format pdf -o q2.pdf

        monitor report --period week    # the last complete week
    """
    if day is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        raise click.BadParameter(f"{day!r} is not a date; use YYYY-MM-DD, e.g. 2026-05-15", param_hint="--date")
    try:
        period = resolve(kind, day)
    except ValueError as exc:
        raise click.BadParameter(f"{day!r}: {exc}", param_hint="--date") from None
    if fmt is None:
        fmt = "pdf" if output is not None and output.suffix.lower() == ".pdf" else "html"
    if output is None:
        output = Path(f"report-{period.label}.{fmt}")
    db = open_db(ctx.obj.get("db_path"))
    try:
        digest = write_report(db, period, fmt, output)
    finally:
        db.close()
    click.echo(f"{period.kind} {period.label} ({period.bounds_text}): {fmt.upper()} report written to {output} "
               f"(SHA-256 {digest})", err=True)


COMMANDS = [report]
