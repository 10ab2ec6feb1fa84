"""`monitor complaints`: complaint leads (投诉举报线索) in and out (issue 14)."""

from __future__ import annotations

import click


@click.group()
def complaints():
    """Complaint leads (投诉举报线索): import, list, close.

    Example:

        monitor complaints --help
    """


COMMANDS = [complaints]
