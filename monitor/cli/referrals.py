"""`monitor referrals`: the referral lifecycle (线索移送, issue 14)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from monitor.casework import referrals as service
from monitor.casework.referrals_csv import COLUMNS, apply_csv
from monitor.casework.referrals_figures import load_thresholds, referral_figures
from monitor.export.case import CaseError, CaseSpec, case_listings
from monitor.i18n import use_locale
from monitor.store import open_db
from monitor.yamlfile import YamlError


@click.group()
def referrals():
    """Referrals to other authorities (线索移送): their states and outcomes.

    A referral is recorded (state drafted) when `monitor export referral` makes its package,
    or with `monitor referrals create`. It moves drafted → sent → received → filed (立案) →
    closed, with the day of each state, in the review app (leads) or with `monitor referrals
    update FILE.csv`; closing records the outcome: no_case (不予立案), administrative_penalty
    (行政处罚, with the amount) or transferred_to_police (移送公安机关). Every change is in the
    audit trail. See docs/referrals.md.

    Example:

        monitor referrals list --state sent

        monitor referrals update replies-2026-12.csv
    """


def _kind_choice():
    return click.Choice(service.KINDS)


def _thresholds(config):
    """monitor.yaml's referral thresholds; a broken file is the command's error (file, line, field)."""
    try:
        return load_thresholds(config)
    except YamlError as exc:
        raise click.ClickException(str(exc)) from None


@referrals.command("list")
@click.option("--state", type=click.Choice(service.STATES), help="Only referrals in this state.")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
              help="monitor.yaml with the referrals: thresholds [env MONITOR_CONFIG].")
@click.pass_context
def list_command(ctx, state, config):
    """One line per referral: id, reference, state and its day, receiving authority, outcome,
    penalty, and the estimated illegal business amount (sales count × price) with a
    POLICE mark when it reaches the criminal threshold of monitor.yaml.

    Example:

        monitor referrals list

        monitor referrals list --state closed
    """
    with use_locale("en"):
        thresholds = _thresholds(config)
        db = open_db(ctx.obj.get("db_path"))
        try:
            rows = service.list_referrals(db, state)
            if not rows:
                click.echo("no referrals" + (f" in state {state}" if state else ""))
            for r in rows:
                figures = referral_figures(db, r["id"], thresholds)
                day = r[service.DATE_COLUMN[r["state"]]]
                outcome = f" {r['outcome']}" if r["outcome"] else ""
                penalty = f" {r['penalty_amount']:.2f} CNY" if r["penalty_amount"] else ""
                mark = " POLICE (threshold reached)" if figures.reached else ""
                estimate = (f"est. illegal business amount {figures.amount:.2f} CNY" if figures.known else
                            "est. illegal business amount unknown (no listing shows a sales count)")
                click.echo(f"{r['id']}\t{r['reference']}\t{r['state']} {day}\t{r['authority'] or '-'}"
                           f" ({r['authority_kind'] or '-'})\t{r['listings']} listing(s){outcome}{penalty}\t"
                           f"{estimate} (threshold {figures.threshold:.0f}){mark}")
        finally:
            db.close()


@referrals.command("show")
@click.argument("referral")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
              help="monitor.yaml with the referrals: thresholds [env MONITOR_CONFIG].")
@click.pass_context
def show(ctx, referral, config):
    """One referral: its authority, state, outcome, package, the figures against the criminal
    threshold (each listing's price × displayed sales count) and its timeline.

    Example:

        monitor referrals show XS-2026-014

        monitor referrals show 3
    """
    with use_locale("en"):
        thresholds = _thresholds(config)
        db = open_db(ctx.obj.get("db_path"))
        try:
            row = service.find_referral(db, referral)
            if row is None:
                raise click.ClickException(f"no referral with id or reference {referral!r}; see `monitor referrals list`")
            figures = referral_figures(db, row["id"], thresholds)
            timeline = service.history(db, row["id"])
        finally:
            db.close()
    click.echo(f"referral {row['id']} {row['reference']}: {row['state']} {row[service.DATE_COLUMN[row['state']]]}")
    click.echo(f"  to: {row['authority'] or '(not named yet)'} ({row['authority_kind'] or '-'})")
    if row["seller_id"]:
        click.echo(f"  seller: {row['seller_id']}" + (f" on {row['seller_site']}" if row["seller_site"] else ""))
    if row["outcome"]:
        penalty = f", penalty {row['penalty_amount']:.2f} CNY" if row["penalty_amount"] else ""
        click.echo(f"  outcome: {row['outcome']}{penalty}")
    if row["package_file"]:
        click.echo(f"  package: {row['package_file']} SHA-256 {row['package_sha256']}")
    if figures.known:
        click.echo(f"  estimated illegal business amount (displayed sales x price): {figures.amount:.2f} CNY, "
                   f"threshold {figures.threshold:.2f} CNY"
                   + (": SUSPECTED CRIME, mark for transfer to the police" if figures.reached else ": below"))
    else:  # unknown is not 0: never "below" without a figure
        click.echo(f"  estimated illegal business amount: unknown, no listing shows a sales count with a CNY price "
                   f"(threshold {figures.threshold:.2f} CNY)")
    for line in figures.lines:
        what = f"{line['amount']:.2f} CNY" if "amount" in line else f"not counted ({line['why_not']})"
        click.echo(f"    listing {line['id']} {line['site']}: price {line['price']}, sales {line['sales_count']}: {what}")
    click.echo("  timeline:")
    for h in timeline:
        extra = f" {h['outcome']}" if h["outcome"] else ""
        click.echo(f"    {h['state_date']} {h['to_state']}{extra} (by {h['actor']} at {h['at']}, {h['source']})"
                   + (f": {h['note']}" if h["note"] else ""))


@referrals.command("create")
@click.option("--to", "authority", metavar="NAME", help="The receiving authority (接收机关).")
@click.option("--kind", "kind", type=_kind_choice(), help="What kind of authority it is.")
@click.option("--seller", metavar="ID", help="The seller: its confirmed listings are covered (see --include-open).")
@click.option("--site", help="Only the seller's listings on this site.")
@click.option("--include-open", is_flag=True, help="Also the seller's listings whose flag is still open.")
@click.option("--listing", "listings", multiple=True, type=int, metavar="ID", help="A listing id (repeatable).")
@click.option("--reference", metavar="REF", help="The case reference (default: LM-R<day>-<id>).")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day it was drafted (default: today).")
@click.option("--note", help="A note.")
@click.pass_context
def create(ctx, authority, kind, seller, site, include_open, listings, reference, day, note):
    """Record a referral (state drafted) without making a package: for a clue passed on by
    letter, or before the package is made. It covers the listings given, or the seller's.

    Example:

        monitor referrals create --to "XX市公安局食药环侦支队" --kind public_security --seller 10931 --site baihuo

        monitor referrals create --listing 12 --listing 40 --reference XS-2026-014
    """
    with use_locale("en"):
        db = open_db(ctx.obj.get("db_path"))
        try:
            ids = list(listings)
            if seller and not ids:
                try:
                    ids = [r["id"] for r in case_listings(db, CaseSpec(seller=seller, site=site,
                                                                       include_open=include_open))]
                except CaseError as exc:
                    raise click.ClickException(str(exc)) from None
            try:
                referral_id = service.create_referral(
                    db, actor="cli", listings=ids, authority=authority, authority_kind=kind, seller_site=site,
                    seller_id=seller, reference=reference, drafted_on=day, note=note, source="cli")
            except service.ReferralError as exc:
                raise click.ClickException("\n".join(f"{f}: {m}" for f, m in exc.problems)) from None
            row = service.get_referral(db, referral_id)
        finally:
            db.close()
    click.echo(f"referral {referral_id} ({row['reference']}) drafted on {row['drafted_at']}, {len(ids)} listing(s)")


@referrals.command("update")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def update(ctx, file):
    """Move referrals on from a CSV file: one row per state change, applied in file order,
    ALL OR NOTHING (any bad row: every problem is printed as FILE:LINE: field: problem and
    nothing is changed; exit code 1).

    \b
    Columns (header row; UTF-8):
      referral        id or case reference (required)
      state           sent | received | filed | closed (required)
      date            YYYY-MM-DD (empty: today)
      authority       receiving authority (needed by the time it is sent)
      authority_kind  department | public_security | platform | other_region
      outcome         closing: no_case | administrative_penalty | transferred_to_police
      penalty_amount  with administrative_penalty: CNY
      note            free text

    Example:

    \b
        monitor referrals update replies.csv
    \b
      replies.csv:
        referral,state,date,authority,authority_kind,outcome,penalty_amount,note
        LM-R20261201-0001,sent,2026-12-01,XX市市场监督管理局,department,,,
        LM-R20261201-0001,closed,2026-12-20,,,administrative_penalty,50000,罚没款
    """
    with use_locale("en"):
        db = open_db(ctx.obj.get("db_path"))
        try:
            result = apply_csv(db, file, actor="cli")
        finally:
            db.close()
    if result.problems:
        for problem in result.problems:
            click.echo(problem, err=True)
        click.echo(f"{file}: {len(result.problems)} problem(s); nothing was changed (the file applies all or "
                   f"nothing). Columns: {', '.join(COLUMNS)}", err=True)
        sys.exit(1)
    for a in result.applied:
        click.echo(f"{file}:{a['line']}: referral {a['referral']} ({a['reference']}) {a['from']} -> {a['to']}")
    click.echo(f"{len(result.applied)} change(s) applied")


COMMANDS = [referrals]
