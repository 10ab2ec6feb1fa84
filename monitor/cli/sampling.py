"""`monitor sample`: 双随机 random sampling of stored listings (issue 14)."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from monitor.casework.sampling import SEED_MAX, SIZE_MAX, SampleError, draw_sample, list_samples, load_sample, publish
from monitor.casework.sampling_estimates import estimates
from monitor.casework.sampling_export import write_sample_csv
from monitor.casework.sampling_office import office_name
from monitor.cli._output import echo_json, printed_without_table, table_console
from monitor.store import open_db
from monitor.yamlfile import YamlError


def _fail(exc: SampleError, hint: str | None = None) -> click.ClickException:
    return click.BadParameter(str(exc), param_hint=hint) if hint else click.ClickException(str(exc))


@click.group(invoke_without_command=True)
@click.option("--period", metavar="PERIOD", help="2026 (year), 2026-H2 (half), 2026-Q4 (quarter) or 2026-11 (month).")
@click.option("--size", type=int, metavar="N", help=f"How many listings to draw (1 to {SIZE_MAX}).")
@click.option("--seed", type=int, metavar="N",
              help=f"The random seed (0 to {SEED_MAX}); without it one is drawn at random and printed.")
@click.option("--analysts", type=int, metavar="N", help="How many analysts to draw (default: every active analyst and lead).")
@click.option("--by", "actor", default="cli", show_default=True, metavar="NAME",
              help="Who draws the sample, for the record and the audit trail.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored sample as JSON.")
@click.pass_context
def sample(ctx, period, size, seed, analysts, actor, as_json):
    """Draw a 双随机 sample: a reproducible stratified random sample (strata: category × site,
    proportional allocation) of the stored listings seen in PERIOD, flagged or not, each assigned
    to a randomly drawn analyst. The same store and seed draw the same listings. The draw is kept:
    `monitor sample show ID` prints it for publication (公示), `monitor sample export ID` writes it
    as CSV, `monitor sample estimates` gives the recall and precision the checks show.

    Example:

        monitor sample --period 2026-Q4 --size 200 --seed 20261207

        monitor sample --period 2026-H2 --size 50 --analysts 3 --by lea

        monitor sample list

        monitor sample show 1
    """
    if ctx.invoked_subcommand is not None:
        return
    if period is None or size is None:
        raise click.UsageError("drawing a sample needs --period and --size "
                               "(e.g. monitor sample --period 2026-Q4 --size 200), or a subcommand: list, show, "
                               "export, publish, estimates")
    if size < 1 or size > SIZE_MAX:
        raise click.BadParameter(f"{size} is not a sample size: use 1 to {SIZE_MAX}", param_hint="--size")
    if seed is not None and not 0 <= seed <= SEED_MAX:
        raise click.BadParameter(f"{seed} is not a seed: use 0 to {SEED_MAX}", param_hint="--seed")
    db = open_db(ctx.obj.get("db_path"))
    try:
        drawn = draw_sample(db, period, size, seed=seed, analysts=analysts, actor=actor)
    except SampleError as exc:
        raise _fail(exc, f"--{exc.field}" if exc.field else None) from None
    finally:
        db.close()
    if as_json:
        echo_json(drawn)
        return
    if seed is None:
        click.echo(f"No --seed given: drew seed {drawn['seed']} at random (kept with the sample; publish it).")
    if drawn["drawn"] < size:
        click.echo(f"The period has only {drawn['population']} listings: all of them are drawn.")
    _print(drawn)


def _print(s: dict) -> None:
    console = table_console()
    published = f", published {s['published_at'][:10]} by {s['published_by']}" if s["published_at"] else ""
    click.echo(f"Sample {s['id']}: {s['period']} ({s['since']} to {s['until']}, excluded), seed {s['seed']}, "
               f"{s['drawn']} of {s['population']} listings (asked {s['size']}), drawn {s['drawn_at']} by "
               f"{s['drawn_by']}{published}; analysts: {', '.join(s['analysts'])}; checked {s['checked']}.")
    strata = Table(title="Strata (category × site)")
    for name in ("category", "site", "population", "drawn"):
        strata.add_column(name, justify="right" if name in ("population", "drawn") else "left")
    for st in s["strata"]:
        strata.add_row(escape(st["category"] or "-"), escape(st["site"]), str(st["population"]), str(st["allocated"]))
    console.print(strata)
    items = Table(title="Drawn listings")
    for name in ("category", "site", "listing", "title", "flagged", "analyst", "verdict"):
        items.add_column(name, overflow="fold" if name == "title" else "ellipsis")
    for i in s["items"]:
        items.add_row(escape(i["category"] or "-"), escape(i["site"]), escape(i["listing_id"]),
                      escape(i["title"] or ""), "yes" if i["flagged_at_draw"] else "no", escape(i["analyst"]),
                      escape(i["verdict"] or ""))
    console.print(items)


@sample.command("list")
def list_cmd():
    """List the samples drawn, newest first.

    Example:

        monitor sample list
    """
    db = open_db(click.get_current_context().obj.get("db_path"))
    try:
        rows = list_samples(db)
    finally:
        db.close()
    if not rows:
        click.echo("No samples yet. Draw one with: monitor sample --period 2026-Q4 --size 200")
        return
    table = Table(title="Samples")
    for name in ("id", "period", "seed", "drawn", "population", "checked", "drawn at", "by", "published"):
        table.add_column(name)
    for r in rows:
        table.add_row(str(r["id"]), r["period"], str(r["seed"]), str(r["drawn"]), str(r["population"]),
                      str(r["checked"]), r["drawn_at"][:16], escape(r["drawn_by"]), (r["published_at"] or "")[:10])
    table_console().print(table)


def _load(sample_id: int) -> dict:
    """The stored sample, for show and export; a missing one is a usage error naming SAMPLE_ID."""
    db = open_db(click.get_current_context().obj.get("db_path"))
    try:
        return load_sample(db, sample_id)
    except SampleError as exc:
        raise _fail(exc, "SAMPLE_ID") from None
    finally:
        db.close()


@sample.command("show")
@click.argument("sample_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--config", type=click.Path(dir_okay=False), help="monitor.yaml (its office_name: the issuer printed).")
def show(sample_id, as_json, config):
    """Print a sample: who issues it (monitor.yaml's office_name), its seed, strata with counts
    and the listings drawn with their analysts (the printable page for publication is
    /sampling/ID in the review app).

    Example:

        monitor sample show 1
    """
    s = _load(sample_id)
    if as_json:
        echo_json(s)
        return
    try:
        office = office_name(config)
    except YamlError as exc:
        raise click.ClickException(str(exc)) from None
    # No office configured: a line for the name and seal, as the printed page leaves one.
    click.echo(f"Issued by: {office or '_' * 24 + ' (name of the office, and its seal)'}")
    _print(s)


@sample.command("export")
@click.argument("sample_id", type=int)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8-sig"), default="-", show_default=True,
              help="CSV file to write (UTF-8 with a byte-order mark, which spreadsheets read as UTF-8).")
def export_cmd(sample_id, output):
    """Write a sample's listings as CSV for publication: site, listing id, title, stratum,
    analyst, verdict (cells that a spreadsheet would read as a formula are guarded).

    Example:

        monitor sample export 1 -o sample-1.csv
    """
    write_sample_csv(_load(sample_id), output)


@sample.command("publish")
@click.argument("sample_id", type=int)
@click.option("--by", "actor", default="cli", show_default=True, metavar="NAME", help="Who publishes it.")
def publish_cmd(sample_id, actor):
    """Record that a sample was published (公示); once per sample, in the audit trail.

    Example:

        monitor sample publish 1 --by lea
    """
    db = open_db(click.get_current_context().obj.get("db_path"))
    try:
        s = publish(db, sample_id, actor)
    except SampleError as exc:
        raise _fail(exc) from None
    finally:
        db.close()
    click.echo(f"Sample {sample_id} marked published at {s['published_at']}.")


def _pct(value, ci) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f}% ({100 * ci[0]:.1f}–{100 * ci[1]:.1f}%)"


@sample.command("estimates")
@click.argument("sample_id", type=int, required=False)
@click.option("--period", metavar="PERIOD", help="Every sample drawn inside this period (2026-H2, 2026, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def estimates_cmd(sample_id, period, as_json):
    """The rules' recall and precision per category, with Wilson 95% intervals, from the checks
    of one sample (its id) or of every sample drawn inside a period (--period).

    Example:

        monitor sample estimates 1

        monitor sample estimates --period 2026-H2
    """
    if (sample_id is None) == (period is None):
        raise click.UsageError("give a sample id or --period (one of them)")
    db = open_db(click.get_current_context().obj.get("db_path"))
    try:
        rows = estimates(db, sample_id if period is None else period)
    except SampleError as exc:
        raise _fail(exc, "--period" if period else "SAMPLE_ID") from None
    finally:
        db.close()
    if printed_without_table(rows, as_json, f"No samples drawn in {period}."):
        return
    table = Table(title="Estimates (Wilson 95% intervals)")
    for name in ("category", "sampled", "decided", "confirmed", "missed", "recall", "precision"):
        table.add_column(name)
    for r in rows:
        table.add_row(escape("(all)" if r["category"] is None else r["category"] or "-"), str(r["sampled"]),
                      str(r["decided"]), str(r["confirmed"]), str(r["missed"]), _pct(r["recall"], r["recall_ci"]),
                      _pct(r["precision"], r["precision_ci"]))
    table_console().print(table)


COMMANDS = [sample]
