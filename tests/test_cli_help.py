"""Every command is documented: --help works and shows an example."""

from __future__ import annotations

import click
from click.testing import CliRunner

from monitor.cli import main
from tests.conftest import run_monitor


def all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
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
