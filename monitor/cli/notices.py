"""`monitor notices`: the takedown notices written by `monitor export notice`, their status per
platform and the acceptance rate; `monitor notices mark` records what came of them."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.export.notices import list_notices, mark_notice
from monitor.review.outcomes import OUTCOMES, STATUSES, NoticeError, acceptance_by_platform
from monitor.store import open_db


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}%"


@click.group(invoke_without_command=True)
@click.option("--platform", metavar="SITE", help="Only notices to this platform.")
@click.option("--status", type=click.Choice(STATUSES), help="Only notices with this status.")
@click.option("--since", metavar="DATE", help="Acceptance rate over notices sent on or after this date (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="... and before this date (exclusive).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1), help="Notices listed.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (notices and per-platform rates).")
@click.pass_context
def notices(ctx, platform, status, since, until, limit, as_json):
    """List takedown notices, newest first (status: drafted, sent, accepted, rejected, removed),
    then per platform the count by status and the acceptance rate:
    (accepted + removed) / (accepted + removed + rejected). Platforms cut off notifiers below
    about 90%.

    `monitor notices mark ID STATUS` records that a notice was sent, or its outcome.

    Example:

        monitor notices

        monitor notices --platform baihuo --since 2026-10-01 --until 2027-01-01
    """
    if ctx.invoked_subcommand is not None:
        return
    db = open_db(ctx.obj.get("db_path"))
    try:
        rows = list_notices(db, platform=platform, status=status, limit=limit)
        rates = acceptance_by_platform(db, since=since, until=until)
    except NoticeError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until") from None
    finally:
        db.close()
    if platform:
        rates = [r for r in rates if r["platform"] == platform]
    if as_json:
        click.echo(json.dumps({"notices": rows, "platforms": rates}, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    if not rows:
        click.echo("No notices" + (f" to {platform}" if platform else "") + (f" with status {status}" if status else "")
                   + ". Write one with: monitor export notice --platform SITE --mark MARK --seller ID "
                     "--rights-holder FILE -o notice.txt")
    else:
        console.print(notices_table(rows))
    if rates:
        console.print(rates_table(rates, since, until))


def notices_table(rows: list[dict]) -> Table:
    table = Table(title="Notices")
    for name, kw in (("id", {"no_wrap": True}), ("platform", {}), ("mark", {}), ("lang", {}),
                     ("written", {"no_wrap": True}), ("status", {}), ("sent", {"no_wrap": True}),
                     ("outcome", {"no_wrap": True}), ("listings", {"justify": "right"}),
                     ("note", {"overflow": "fold", "ratio": 2})):
        table.add_column(name, **kw)
    for r in rows:
        removed = f" ({r['removed']} gone)" if r["removed"] else ""
        cells = [str(r["id"]), r["platform"], r["mark"], r["lang"] or "", (r["created_at"] or "")[:10], r["status"],
                 (r["sent_at"] or "")[:10], (r["outcome_at"] or "")[:10], f"{r['listings']}{removed}",
                 r["outcome_note"] or ""]
        table.add_row(*(escape(c) for c in cells))
    return table


def rates_table(rates: list[dict], since: str | None, until: str | None) -> Table:
    window = (f" (sent {since or '…'} to {until or '…'})" if since or until else "")
    table = Table(title=f"Acceptance per platform{window}")
    for name in ("platform", "notices", "drafted", "sent", "accepted", "removed", "rejected", "acceptance"):
        table.add_column(name, justify="left" if name == "platform" else "right")
    for r in rates:
        flag = " (below 90%)" if r["acceptance_rate"] is not None and r["acceptance_rate"] < 0.9 else ""
        table.add_row(escape(r["platform"]), *(str(r[k]) for k in ("notices", "drafted", "sent", "accepted",
                                                                   "removed", "rejected")),
                      _pct(r["acceptance_rate"]) + flag)
    return table


@notices.command("mark")
@click.argument("notice_id", type=int, metavar="ID")
@click.argument("status", type=click.Choice(OUTCOMES), metavar="sent|accepted|rejected|removed")
@click.option("--note", metavar="TEXT", help="E.g. the platform's complaint number, or its reason for rejecting.")
@click.option("--at", metavar="DATE", help="When it happened (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC); default now.")
@click.pass_context
def mark(ctx, notice_id, status, note, at):
    """Record that notice ID was sent, or its outcome: accepted (the platform agreed), rejected,
    or removed (the listings were taken down). `removed` also records, per listing, when a
    crawl saw it gone (listings.removed_at), where known. An outcome needs the notice to have
    been marked sent. Each change is kept in the audit log.

    Example:

        monitor notices mark 3 sent --note "IPP complaint 2026112400017"

        monitor notices mark 3 removed --at 2026-11-28
    """
    db = open_db(ctx.obj.get("db_path"))
    try:
        row = mark_notice(db, notice_id, status, note=note, at=at)
    except NoticeError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.close()
    when = row["sent_at"] if status == "sent" else row["outcome_at"]
    click.echo(f"notice {notice_id} ({row['platform']}, {row['mark']}): {status} at {when}")
    if status == "removed":
        missing = row["items"] - row["items_removed"]
        click.echo(f"{row['items_removed']} of {row['items']} listing(s) seen gone by a crawl"
                   + (f"; {missing} not yet (a re-check crawl records it)" if missing else ""))


COMMANDS = [notices]
