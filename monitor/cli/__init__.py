"""The ``monitor`` command: one group, one module per subcommand, each module imported only when
its command runs (or shows its own --help).

`monitor --help` lists every command without importing any of them: the one-line help is read
from the command function's docstring in the module's source. The crawl subprocesses the demo
and the scheduler start (`python -m monitor crawl ...`) therefore load the crawl command alone.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from functools import cache

import click

from monitor import __version__
from monitor.i18n import use_locale

# Command name -> "module:function" of the click command. The module's COMMANDS list is what it
# offers; tests/test_cli_help.py fails when this table and those lists differ.
COMMANDS = {
    "alerts": "monitor.cli.alerts:alerts",
    "backup": "monitor.cli.backup:backup",
    "blocklist": "monitor.cli.blocklist:blocklist",
    "campaigns": "monitor.cli.schedule:campaigns",
    "complaints": "monitor.cli.complaints:complaints",
    "crawl": "monitor.cli.crawl:crawl",
    "demo": "monitor.cli.demo:demo",
    "evidence": "monitor.cli.evidence:evidence",
    "export": "monitor.cli.export:export",
    "extract": "monitor.cli.extract:extract",
    "import": "monitor.cli.importing:import_",
    "jobs": "monitor.cli.schedule:jobs",
    "marketplaces": "monitor.cli.marketplaces:marketplaces",
    "notices": "monitor.cli.notices:notices",
    "prices": "monitor.cli.rules:prices",
    "referrals": "monitor.cli.referrals:referrals",
    "report": "monitor.cli.report:report",
    "restore": "monitor.cli.backup:restore",
    "rescore": "monitor.cli.rules:rescore_cmd",
    "rules": "monitor.cli.rules:rules",
    "runs": "monitor.cli.runs:runs",
    "sample": "monitor.cli.sampling:sample",
    "schedule": "monitor.cli.schedule:schedule",
    "score": "monitor.cli.rules:score",
    "serve": "monitor.cli.web:serve",
    "sites": "monitor.cli.crawl:sites",
    "users": "monitor.cli.web:users",
    "watchlist": "monitor.cli.rules:watchlist",
}

DB_HELP = "SQLite database file [env MONITOR_DB; default data/monitor.db]."


def _set_db_path(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    # Parsed after `monitor --db` has run its callback, so the value after the subcommand wins.
    if value is not None:
        ctx.ensure_object(dict)["db_path"] = value


def _with_db_option(command: click.Command) -> click.Command:
    """Give COMMAND (and, for a group, each of its subcommands) the `--db FILE` option of `monitor`."""
    if not any(param.name == "db_after_command" for param in command.params):
        command.params.append(click.Option(
            ["--db", "db_after_command"], type=click.Path(dir_okay=False), default=None, expose_value=False,
            callback=_set_db_path, help="SQLite database file, as `monitor --db FILE` (this one wins)."))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_db_option(sub)
    return command


@cache
def _short_help(target: str) -> str:
    """The command's docstring, read from its module's source without importing the module."""
    module, function = target.split(":")
    spec = importlib.util.find_spec(module)
    source = spec.loader.get_source(module) if spec and spec.loader else None
    for node in ast.parse(source or "").body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return ast.get_docstring(node) or ""
    return ""


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (click's documented LazyGroup),
    each given the `--db` option."""

    def __init__(self, *args, lazy_commands: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        module, function = self.lazy_commands[cmd_name].split(":")
        command = getattr(importlib.import_module(module), function)
        self.add_command(_with_db_option(command), cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click.Group.format_commands, with the help text taken from the source.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                rows.append((name, click.utils.make_default_short_help(_short_help(self.lazy_commands[name]), limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", envvar="MONITOR_DB", type=click.Path(dir_okay=False), default=None, help=DB_HELP)
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def main(ctx: click.Context, db_path: str | None) -> None:
    """Crawl marketplace listings and flag likely counterfeits for review.

    Example:

        monitor demo --no-serve
    """
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path
    # The CLI speaks English (its messages, the services' refusals); what it writes for a person
    # (reports, notices, packages) takes the language of its --lang option or monitor.yaml.
    ctx.with_resource(use_locale("en"))
