"""`monitor blocklist`: credit blacklists of shops and companies (黑名单, issue 14)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from monitor.categories import rules_dir as default_rules
from monitor.cli._output import blocklist_counts
from monitor.export.sheets import sheet_text
from monitor.rules.blocklist import COLUMNS, SOURCES, Blocklist, load_blocklist, merge, read_blocklist, write_blocklist
from monitor.yamlfile import YamlError

_RULES = click.option("--rules", "rules_dir", type=click.Path(file_okay=False),
                      help="Another rule folder (default: the configured rules/).")


@click.group()
def blocklist():
    """The block list (rules/blocklist.csv): shops, companies and 统一社会信用代码.

    A seller on it carries the seller_history signal: matched by a 统一社会信用代码 its listing
    shows, by its shop (site and seller id), or by its company name. Columns: site, seller_id,
    company, uscc, source, listed_on, reason. See docs/blocklist.md.

    Example:

        monitor blocklist check 失信名单.csv
        monitor blocklist import 失信名单.csv
        monitor blocklist list
    """


def _current(rules_dir) -> tuple[Path, Blocklist]:
    path = (Path(rules_dir) if rules_dir else default_rules()) / "blocklist.csv"
    try:
        return path, load_blocklist(path)
    except YamlError as exc:
        click.echo(f"error: the block list in use is invalid; fix it first:\n{exc}", err=True)
        sys.exit(2)


def _merged(file: str, rules_dir):
    path, current = _current(rules_dir)
    try:
        incoming = read_blocklist(Path(file))
        result = merge(current, incoming)
    except YamlError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    return path, incoming, result


def _summary(result) -> str:
    return f"{len(result.added)} added, {len(result.updated)} updated, {len(result.unchanged)} unchanged"


@blocklist.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_RULES
def blocklist_check(file, rules_dir):
    """Validate FILE as `import` would, and say what importing it would change; writes nothing.

    Each bad row is reported as FILE:LINE: field: problem; exit code 2 if any. A 统一社会信用代码
    must have 18 characters and a check character (GB 32100) that matches the first 17.

    Example:

        monitor blocklist check 失信名单.csv
    """
    path, incoming, result = _merged(file, rules_dir)
    click.echo(f"{file}: valid, {len(incoming)} rows ({blocklist_counts(incoming)}); importing it into {path} "
               f"would give {_summary(result)}")


@blocklist.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_RULES
def blocklist_import(file, rules_dir):
    """Merge the rows of FILE into rules/blocklist.csv, all or nothing.

    A row updates the entry of the same shop, code or company (what it leaves empty is kept)
    and is added otherwise. One bad row, reported as FILE:LINE: field: problem, and the block
    list is not changed (exit code 2). Sources: serious_illegal (严重违法失信名单),
    abnormal_operations (经营异常名录), court (失信被执行人名单), platform (平台), own_office
    (本单位认定); dates as 2026-03-05.

    Example:

        monitor blocklist import 失信名单.csv
    """
    path, incoming, result = _merged(file, rules_dir)
    write_blocklist(path, result.blocklist)
    click.echo(f"block list: {len(incoming)} rows imported ({_summary(result)}), "
               f"{len(result.blocklist)} entries in all ({path})")


@blocklist.command("list")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with the file's columns (cells safe for spreadsheets).")
@_RULES
def blocklist_list(as_csv, rules_dir):
    """List the entries of the block list in use.

    Example:

        monitor blocklist list
        monitor blocklist list --csv > blocklist-copy.csv
    """
    path, current = _current(rules_dir)
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for entry in current.entries:
            writer.writerow({k: sheet_text(v) for k, v in entry.to_row().items()})
        return
    labels = {s.id: s.names[1] for s in SOURCES}
    click.echo(f"{path}: {len(current)} entries ({blocklist_counts(current)})")
    for e in current.entries:
        who = " ".join(p for p in (f"{e.site}:{e.seller_id}" if e.shop else "", e.company, e.uscc) if p)
        listed = " ".join(p for p in (labels.get(e.source, ""), e.listed_on) if p)
        click.echo(f"  line {e.line}: {who}" + (f" [{listed}]" if listed else "") + (f" - {e.reason}" if e.reason else ""))


COMMANDS = [blocklist]
