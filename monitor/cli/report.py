"""`monitor report`: statistics reports for a week, month, quarter, half-year or year (HTML or
PDF), for the whole office or one province or city, in Chinese (the default) or English."""

from __future__ import annotations

import re
from pathlib import Path

import click

from monitor.report import parse_label, period_warning, region_filter, resolve, write_report
from monitor.schedule.config import load_config
from monitor.store import open_db
from monitor.yamlfile import YamlError, load_located


def _period(kind, day, quarter, half, year):
    named = [(k, v) for k, v in (("quarter", quarter), ("half", half), ("year", year)) if v]
    if len(named) > 1 or (named and day):
        raise click.UsageError("give one period: --half, --quarter, --year, or --period with --date")
    if named:
        which, text = named[0]
        try:
            return parse_label(which, text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=f"--{which}") from None
    if day is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        raise click.BadParameter(f"{day!r} is not a date; use YYYY-MM-DD, e.g. 2026-05-15", param_hint="--date")
    try:
        return resolve(kind, day)
    except ValueError as exc:
        raise click.BadParameter(f"{day!r}: {exc}", param_hint="--date") from None


@click.command()
@click.option("--half", metavar="YYYY-Hn", help="A half-year: 2026-H1 (January-June) or 2026-H2 (July-December).")
@click.option("--year", metavar="YYYY", help="A calendar year, e.g. 2026.")
@click.option("--quarter", metavar="YYYY-Qn", help="A calendar quarter, e.g. 2026-Q4.")
@click.option("--period", "kind", type=click.Choice(["week", "month", "quarter", "half", "year"]), default="month",
              show_default=True, help="Length of the period reported on (with --date).")
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help="A day inside the period to report on [default: the last complete period].")
@click.option("--region", metavar="NAME|CODE",
              help="Only sellers located in this province or city: a name (浙江, 金华市) or its GB/T 2260 "
                   "code (330000, 330700).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the report [default: monitor.yaml language:, else Chinese].")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="The monitor.yaml whose campaigns are the key periods [default: MONITOR_CONFIG, ./monitor.yaml, "
                   "else the project's].")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default=None,
              help="Output format [default: from the -o file's extension, else html].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write [default: report-<period>.<format> in the current folder].")
@click.pass_context
def report(ctx, half, year, quarter, kind, day, region, lang, config_path, fmt, output):
    """A statistics report for one period, as filed by a market-regulation office (半年度报告,
    年度报告): flagged and confirmed listings by region (province, then city, GB/T 2260), category,
    site, signal and key period (the campaigns of monitor.yaml: 春耕, 3·15, 618, 双11 ...); top
    sellers and repeat infringers; notices and takedowns; review throughput; complaints handled,
    双随机 samples with their estimated recall and precision, referrals by state and outcome. Each
    headline figure is set against the previous period. One self-contained HTML file (nothing
    loaded from outside) or a PDF, in Chinese unless --lang en or monitor.yaml says otherwise.

    Periods are in UTC, from the first day 00:00 to the next period's first day 00:00
    (excluded); weeks start on Monday, quarters are calendar quarters, H1 is January to June.
    The report is written to the custody log with its SHA-256.

    Example:

        monitor report --half 2026-H2 --format pdf -o 2026-H2.pdf

        monitor report --year 2026 --region 浙江 --lang en

        monitor report --period week    # the last complete week
    """
    period = _period(kind, day, quarter, half, year)
    try:
        config = load_config(config_path)
    except YamlError as exc:
        raise click.ClickException(f"the report reads its key periods and language from {exc}") from None
    language = lang or _configured_language(config.path)
    if fmt is None:
        fmt = "pdf" if output is not None and output.suffix.lower() == ".pdf" else "html"
    db = open_db(ctx.obj.get("db_path"))
    try:
        where = None
        if region:
            try:
                where = region_filter(region)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--region") from None
        if output is None:
            output = Path(f"report-{period.label}{'-' + where.code if where else ''}.{fmt}")
        digest = write_report(db, period, fmt, output, lang=language, region=where, campaigns=config.campaigns)
    finally:
        db.close()
    click.echo(f"{period.kind} {period.label} ({period.bounds_text})"
               f"{f', sellers located in {where.name} ({where.code})' if where else ''}: {fmt.upper()} report "
               f"written to {output} (SHA-256 {digest})", err=True)
    warning = period_warning(period)
    if warning:
        click.echo(f"warning: {warning}", err=True)


def _configured_language(path: Path) -> str | None:
    """monitor.yaml's ``language:`` (validated by load_config: zh, zh_CN or en), if set; read
    again for this one key, which ScheduleConfig does not keep."""
    data = load_located(path).data
    return data.get("language") if isinstance(data, dict) else None


COMMANDS = [report]
