"""`monitor blocklist`: credit blacklists of shops and companies (黑名单, issue 14)."""

from __future__ import annotations

import click


@click.group()
def blocklist():
    """The block list (rules/blocklist.csv): shops, companies and 统一社会信用代码.

    Example:

        monitor blocklist --help
    """


COMMANDS = [blocklist]
