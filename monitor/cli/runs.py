"""`monitor runs`: the crawl run history."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table


@click.command()
@click.option("--site", help="Only runs of this site.")
@click.option("--status", type=click.Choice(["running", "completed", "degraded", "failed", "interrupted"]))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def runs(ctx, site, status, limit, as_json):
    """List crawl runs, newest first: status, pages, listings, errors, coverage.

    Example:

        monitor runs --status degraded --limit 5
    """
    from monitor.store import open_db

    db = open_db(ctx.obj.get("db_path"))
    where, params = [], []
    if site:
        where.append("site = ?")
        params.append(site)
    if status:
        where.append("status = ?")
        params.append(status)
    sql = "SELECT * FROM crawl_runs" + (" WHERE " + " AND ".join(where) if where else "")
    rows = list(db.execute_returning_dicts(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]))
    db.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("run", "site", "status", "started", "pages", "listings", "new", "errors", "title/price cov.", "note")
    for r in rows:
        cov = json.loads(r.get("coverage") or "{}")
        cov_text = f"{cov.get('title', 0):.0%}/{cov.get('price', 0):.0%}" if cov else "-"
        note = r.get("degraded_reason") or (r.get("finish_reason") if r["status"] in ("failed", "interrupted") else "")
        cells = [str(r["id"]), r["site"], r["status"], r["started_at"], str(r["pages"] or 0),
                 str(r["listings_seen"] or 0), str(r["listings_new"] or 0), str(r["errors"] or 0), cov_text, note or ""]
        table.add_row(*(escape(c) for c in cells))  # reasons quote page text and URLs: never markup
    Console(highlight=False).print(table)


COMMANDS = [runs]
