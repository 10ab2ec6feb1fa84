"""`monitor sample`: 双随机 random sampling of stored listings (issue 14)."""

from __future__ import annotations

import click


@click.group()
def sample():
    """双随机 random samples of stored listings, assigned to randomly drawn analysts.

    Example:

        monitor sample --help
    """


COMMANDS = [sample]
