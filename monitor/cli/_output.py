"""What the commands print, the same way in each: JSON for scripts (non-ASCII as it is, indented),
tables through rich for people. Not a command module (no COMMANDS): the commands import it."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console


def table_console(piped_width: int = 160) -> Console:
    """A console for tables: the terminal's width, or ``piped_width`` columns when the output goes
    to a file or a pipe (rich would otherwise take 80); no highlighting of numbers and URLs."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else piped_width)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def printed_without_table(rows: list, as_json: bool, empty: str) -> bool:
    """Print ``rows`` as JSON when asked, else ``empty`` when there are none; True when that was
    all there is to print, False when the caller's table is wanted."""
    if as_json:
        echo_json(rows)
        return True
    if not rows:
        click.echo(empty)
        return True
    return False


def blocklist_counts(blocklist: Any) -> str:
    """A block list's entries by kind, as `monitor blocklist` and `monitor rules check` say them:
    ``2 shops, 2 companies, 2 codes`` (an entry may name a shop and a company both)."""
    counts = blocklist.counts()
    return f"{counts['shops']} shops, {counts['companies']} companies, {counts['codes']} codes"
