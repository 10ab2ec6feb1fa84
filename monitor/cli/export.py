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


@export.command()
@click.option("--seller", help="The seller id (as the site shows it); the package holds its confirmed listings.")
@click.option("--site", help="Only the seller's listings on this site.")
@click.option("--listing", "listings", multiple=True, type=int, help="A listing id (repeatable), instead of --seller.")
@click.option("--include-open", is_flag=True, help="Also listings whose flag is still open.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The zip file to write.")
@click.pass_context
def case(ctx, seller, site, listings, include_open, output):
    """A case package: a zip with a readable summary (HTML and PDF), and per listing the kept
    WARC records, screenshots, extracted fields, signals and verdict history, plus
    manifest.json with the SHA-256 of every file and of the manifest itself.

    Check it anywhere with `monitor evidence verify PACKAGE.zip` (no database needed).

    Example:

        monitor export case --seller gm-generic-1 -o case-gm-generic-1.zip

        monitor export case --listing 12 --listing 40 -o case.zip
    """
    from monitor.evidence import custody
    from monitor.export.case import CaseError, CaseSpec, build_case
    from monitor.store import open_db, resolve_db_path
    from monitor.store.db import write_transaction

    if not seller and not listings:
        raise click.UsageError("name a seller (--seller ID) or listings (--listing ID ...)")
    path = resolve_db_path(ctx.obj.get("db_path"))
    db = open_db(path)
    try:
        manifest = build_case(db, path, CaseSpec(seller=seller, site=site, listings=tuple(listings),
                                                 include_open=include_open), output)
    except CaseError as exc:
        db.close()
        raise click.ClickException(str(exc)) from None
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    with write_transaction(db):
        custody.append(db, actor="cli", action="export", obj=f"case:{output.name}", sha256=digest,
                       detail={"seller": seller, "site": site, "listings": manifest["listings"],
                               "files": len(manifest["files"]), "manifest_sha256": manifest["manifest_sha256"]})
    db.close()
    click.echo(f"{output}: {len(manifest['listings'])} listing(s), {len(manifest['files'])} files, "
               f"manifest SHA-256 {manifest['manifest_sha256']}, package SHA-256 {digest}")


COMMANDS = [export]
