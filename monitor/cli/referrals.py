"""`monitor referrals`: the referral lifecycle (线索移送, issue 14)."""

from __future__ import annotations

import click


@click.group()
def referrals():
    """Referrals to other authorities (线索移送): their states and outcomes.

    Example:

        monitor referrals --help
    """


COMMANDS = [referrals]
