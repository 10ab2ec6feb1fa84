"""`monitor alerts`: failed and degraded runs and quiet sites, raised once and delivered by e-mail
or webhook (the `alerts:` section of monitor.yaml)."""

from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.alerts.check import check_and_deliver
from monitor.alerts.config import AlertSettings, load_alert_settings
from monitor.alerts.detect import delivery_text, recent_alerts
from monitor.cli._output import echo_json, printed_without_table
from monitor.settings import env, resolve_config_path
from monitor.store import open_db
from monitor.yamlfile import YamlError


@click.group(invoke_without_command=True)
@click.option("--days", default=7, show_default=True, type=click.IntRange(min=1), help="Alerts raised this recently.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def alerts(ctx, days, limit, as_json):
    """List recent alerts, newest first: failed runs, degraded runs (the site changed its layout)
    and sites without a completed run, with how each was delivered.

    `monitor alerts check` raises new alerts and sends them.

    Example:

        monitor alerts --days 30
    """
    if ctx.invoked_subcommand is not None:
        return
    db = open_db(ctx.obj.get("db_path"))
    try:
        rows = recent_alerts(db, days=days, limit=limit)
    finally:
        db.close()
    if printed_without_table(rows, as_json, f"No alerts in the last {days} days."):
        return
    table = Table()
    table.add_column("alert", no_wrap=True)
    table.add_column("raised (UTC)", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("site / job", overflow="fold", max_width=24)
    table.add_column("message", ratio=3, overflow="fold")
    table.add_column("delivery", ratio=1, overflow="fold")
    for r in rows:
        who = (r.get("site") or "-") + (f" / {r['job']}" if r.get("job") else "")
        cells = [str(r["id"]), r["at"].replace("T", " ").rstrip("Z")[:16], r["kind"], who, r["message"],
                 delivery_text(r)]
        table.add_row(*(escape(c) for c in cells))  # messages quote page text and URLs: never markup
    Console(highlight=False).print(table)


def _settings(config_path: str | None):
    """(settings, the file read or None). Raises YamlError for a bad file or alerts: section."""
    path = resolve_config_path(config_path)
    if not path.exists():
        if config_path or env("MONITOR_CONFIG"):  # named, so it must be there
            raise YamlError(path, [(None, "", "file not found")], "Give --config the scheduler's monitor.yaml.")
        return AlertSettings(), None
    return load_alert_settings(path), path


@alerts.command("check")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="The scheduler's file with an alerts: section [env MONITOR_CONFIG; default ./monitor.yaml, "
                   "else the project's].")
@click.option("--send/--no-send", default=True, show_default=True,
              help="Deliver the alerts not yet sent (e-mail, webhook), or only raise them.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def check(ctx, config_path, send, as_json):
    """Raise alerts for failed and degraded runs and quiet sites now, and deliver every alert not yet
    sent by the configured channels (a failed delivery is retried on the next check).

    Exit status: 0 when everything configured was delivered, 1 when a delivery failed (the alerts
    stay pending), 2 for a bad alerts: section (file, line and field are named).

    Example:

        monitor alerts check --config monitor.yaml --no-send
    """
    try:
        settings, path = _settings(config_path)
    except YamlError as exc:
        click.echo(exc.render(), err=True)
        ctx.exit(2)
    db = open_db(ctx.obj.get("db_path"))
    try:
        result = check_and_deliver(db, settings, send=send)
    finally:
        db.close()
    report = result.report
    if as_json:
        echo_json({
            "config": str(path) if path else None,
            "new": result.new,
            "errors": result.errors,
            "delivery": None if report is None else {
                "channels": list(report.channels), "pending": report.pending, "email_sent": report.email_sent,
                "webhook_sent": report.webhook_sent, "errors": report.errors},
        })
    else:
        source = f"settings from {path}" if path else "no monitor.yaml: default settings, no delivery channel"
        click.echo(f"{len(result.new)} new alert{'s' if len(result.new) != 1 else ''} ({source})")
        for alert in result.new:
            click.echo(f"  [{alert['kind']}] {alert['message']}")
        for error in result.errors:
            click.echo(f"error: {error}", err=True)
        if report is not None:
            click.echo(f"delivery: {report.summary()}")
        else:
            click.echo("delivery: not attempted (--no-send)")
    if not result.ok:
        ctx.exit(1)


COMMANDS = [alerts]
