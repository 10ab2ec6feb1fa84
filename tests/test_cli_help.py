"""Every command is documented: --help works and shows an example."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
from click.testing import CliRunner

from monitor.cli import COMMANDS, main
from tests.conftest import run_monitor


def all_commands(group: click.Group, prefix=()):
    # list_commands/get_command rather than .commands: `monitor` loads its subcommands lazily.
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    names = []
    for path, _ in all_commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example:" in result.output, f"monitor {' '.join(path)} --help has no example"
        names.append(" ".join(path))
    assert {"crawl", "import", "extract", "runs", "demo", "marketplaces", "sites"} <= set(names)


def test_console_script_runs():
    proc = run_monitor("--help")
    assert proc.returncode == 0 and "Example:" in proc.stdout


def test_lazy_table_lists_every_command_module_offers():
    offered = {}
    for target in COMMANDS.values():
        module = importlib.import_module(target.split(":")[0])
        offered.update({command.name: f"{module.__name__}:{command.callback.__name__}" for command in module.COMMANDS})
    assert offered == COMMANDS


def test_top_level_help_lists_commands_without_importing_them():
    # The one-line help read from the source must be what click prints once the commands are loaded.
    code = """if True:
        import json, sys
        import click
        from click.testing import CliRunner
        from monitor.cli import COMMANDS, main
        lazy = CliRunner().invoke(main, ['--help']).output
        loaded = sorted(m for m in sys.modules if m.startswith('monitor.cli.'))
        for name in COMMANDS:
            main.get_command(click.Context(main), name)
        print(json.dumps([loaded, lazy, CliRunner().invoke(main, ['--help']).output]))
    """
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, lazy_help, loaded_help = json.loads(proc.stdout)
    assert loaded == [], f"monitor --help imported {loaded}"
    assert lazy_help == loaded_help
