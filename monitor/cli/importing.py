"""`monitor import`: bring listings from platform exports or API dumps into the store."""

from __future__ import annotations

import sys

import click

from monitor.ingest.importing import import_file
from monitor.scoring.active import active_engine
from monitor.store import open_db


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--site", help="Site name for rows without a site column.")
@click.option("--no-score", is_flag=True, help="Store only; do not score with the rule engine.")
@click.pass_context
def import_(ctx, file, site, no_score):
    """Import listings from a JSON Lines or CSV file.

    Columns: site, id, url, title, description, brand, category, price, currency,
    seller_id, seller_name, seller_url, seller_location, images (JSON list; in CSV
    |-separated URLs), attributes (JSON object), observed_at (ISO 8601, UTC if no zone;
    the file's modification time if empty). id, url and title are required. Optional:
    availability, seller_rating, seller_rating_count, sku, mpn, gtin.

    Bad rows are reported with their line number and skipped; good rows are stored.
    Text that cannot be stored as it is, is repaired and the row reported with its
    line number ("repaired"): lone surrogates become U+FFFD, control characters
    other than tab and line breaks are removed. Importing the same file twice
    changes nothing. Exit code 1 if any row was skipped.

    Example:

        monitor import exports/platform-2026-11.csv --site taobao
    """
    db = open_db(ctx.obj.get("db_path"))
    engine = None
    if not no_score:
        engine, problem = active_engine(db)
        if problem is not None:
            used = "using the last good version " + engine.packs.version if engine else "listings stored unscored"
            click.echo(f"warning: rule packs invalid; {used}:\n{problem}", err=True)
    try:
        report = import_file(db, file, site=site, engine=engine)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        db.close()
    # Plain lines, never wrapped: "FILE:LINE: reason" is what editors and grep understand.
    for line, reason in report.skipped:
        click.echo(f"{file}:{line}: skipped: {reason}")
    for line, what in report.repaired:
        click.echo(f"{file}:{line}: repaired: {what}")
    if report.unknown_columns:
        click.echo(f"note: ignored unknown columns: {', '.join(report.unknown_columns)}")
    s = report.stored
    click.echo(
        f"{report.rows} rows: {s.seen} stored ({s.new} new, {s.changed} changed), {len(report.skipped)} skipped"
        + (f", {len(report.repaired)} repaired" if report.repaired else "")
    )
    if engine is not None:
        if report.caught_up:
            click.echo(f"also scored {report.caught_up} listings stored earlier without a score "
                       "(an interrupted import or crawl, or an import with --no-score)")
        click.echo(f"scored with rules {engine.packs.version}: {report.flags['flagged']} new flags")
    if report.skipped:
        sys.exit(1)


COMMANDS = [import_]
