"""The ``monitor`` command: one group, one module per subcommand."""

from __future__ import annotations

import click

from monitor import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    envvar="MONITOR_DB",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite database file [env MONITOR_DB; default data/monitor.db].",
)
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def main(ctx: click.Context, db_path: str | None) -> None:
    """Crawl marketplace listings and flag likely counterfeits for review.

    Example:

        monitor demo --no-serve
    """
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path


def _register() -> None:
    # Imported here so that `monitor --help` stays fast and each command lives in its own module.
    from monitor.cli import (alerts, crawl, demo, evidence, export, extract, importing, marketplaces, notices,
                             report, rules, runs, schedule, web)

    for module in (alerts, crawl, demo, evidence, export, extract, importing, marketplaces, notices, report, rules,
                   runs, schedule, web):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
