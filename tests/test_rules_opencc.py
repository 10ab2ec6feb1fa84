"""OpenCC's Traditional to Simplified fold: a load failure is a warning naming what is degraded,
and `monitor rules check` reports it. The failure is real: OpenCC asked for a config it does not have."""

from __future__ import annotations

import logging

from click.testing import CliRunner

from monitor.cli.rules import rules_check
from monitor.rules import normalise

MISSING = "no-such-opencc-config"


def test_the_shipped_conversion_loads_and_folds():
    assert normalise.T2S_PROBLEM is None
    assert normalise.normalise("這個").folded == "这个"


def test_a_conversion_that_does_not_load_is_a_warning_saying_what_is_degraded(caplog):
    with caplog.at_level(logging.WARNING, logger="monitor.rules"):
        converter, problem = normalise.load_t2s(MISSING)
    assert converter is None
    assert MISSING in problem and "Traditional-script look-alikes of watched marks are not found" in problem
    assert [r.getMessage() for r in caplog.records if r.name == "monitor.rules"] == [problem]


def test_rules_check_reports_the_degraded_fold(monkeypatch):
    converter, problem = normalise.load_t2s(MISSING)
    monkeypatch.setattr(normalise, "_T2S", converter)
    monkeypatch.setattr(normalise, "T2S_PROBLEM", problem)
    assert normalise.normalise("這個").folded == "這個"  # what the warning says: not folded
    result = CliRunner().invoke(rules_check, [])
    assert result.exit_code == 0, result.output
    assert f"  warning: {problem}" in result.output
