"""monitor/settings.py is the one home of every setting: the README's tables are generated from
it, every monitor.yaml key and MONITOR_* name in the tree is described there, every environment
read goes through it, and a bad value is an error naming the variable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_monitor
from monitor import settings
from monitor.alerts import config as alerts_config
from monitor.casework import complaints_rules, referrals_figures
from monitor.schedule import config as schedule_config

README = ROOT / "README.md"


def test_readme_tables_are_generated_from_settings():
    text = README.read_text(encoding="utf-8")
    assert settings.README_START in text and settings.README_END in text
    assert settings.readme_with_tables(text) == text, (
        "README.md's settings tables differ from monitor/settings.py: run "
        "`.venv/bin/python -m monitor.settings --write-readme README.md`")


def _schema_keys(prefix: str, schema: dict) -> set[str]:
    return {f"{prefix}{name}" for name in schema["properties"]}


def _yaml_keys_in_code() -> set[str]:
    keys = _schema_keys("settings.", schedule_config.SCHEMA["properties"]["settings"])
    # Top-level scalar keys (issue 14: `language`), described as they are.
    keys |= {name for name, sub in schedule_config.SCHEMA["properties"].items()
             if sub.get("type") in ("string", "integer", "number", "boolean")}
    keys |= _schema_keys("jobs[].", schedule_config.JOB_SCHEMA)
    keys |= _schema_keys("campaigns[].", schedule_config.CAMPAIGN_SCHEMA)
    keys |= {f"complaints.{key}" for key in complaints_rules._KEYS}
    keys |= set(referrals_figures.YAML_KEYS)
    sections = {"expected": alerts_config.EXPECTED_KEYS, "email": alerts_config.EMAIL_KEYS,
                "webhook": alerts_config.WEBHOOK_KEYS}
    for key in alerts_config.SECTION_KEYS:
        if key in sections:
            keys |= {f"alerts.{key}.{sub}" for sub in sections[key]}
        else:
            keys.add(f"alerts.{key}")
    return keys


def test_every_monitor_yaml_key_is_described_and_nothing_else():
    described = {k.path for k in settings.YAML}
    in_code = _yaml_keys_in_code()
    assert in_code - described == set(), "monitor.yaml keys the schemas accept but monitor/settings.py does not describe"
    assert described - in_code == set(), "keys monitor/settings.py describes that the schemas do not accept"
    # The top-level sections are the ones described.
    assert set(schedule_config.SCHEMA["properties"]) == {k.split(".")[0].removesuffix("[]") for k in described}


def test_schedule_and_alert_defaults_come_from_settings(tmp_path):
    path = tmp_path / "monitor.yaml"
    path.write_text("jobs:\n  - {id: one, site: greenmart, cron: '0 2 * * *'}\ncampaigns:\n"
                    "  - {name: c, start: 2026-11-01, end: 2026-11-11}\n", encoding="utf-8")
    config = schedule_config.load_config(path)
    assert config.timezone == settings.yaml_default("settings.timezone")
    assert config.misfire_grace_seconds == settings.yaml_default("settings.misfire_grace_seconds")
    assert config.max_parallel == settings.yaml_default("settings.max_parallel")
    assert config.kill_grace_seconds == settings.yaml_default("settings.kill_grace_seconds")
    assert config.jobs[0].time_limit == settings.yaml_default("settings.default_time_limit")
    assert config.jobs[0].priority == settings.yaml_default("jobs[].priority")
    assert config.campaigns[0].priority_boost == settings.yaml_default("campaigns[].priority_boost")
    alerts = alerts_config.AlertSettings.from_mapping({})
    assert alerts.no_runs_hours == settings.yaml_default("alerts.no_runs_hours")


def _tree_files():
    for folder in ("monitor", "spiders"):
        yield from (ROOT / folder).rglob("*.py")
    yield from (ROOT / p for p in ("tests/conftest.py", "dev.sh", ".ci/run", "README.md", "docs/architecture.md"))


def test_every_monitor_variable_named_in_the_tree_is_described():
    described = {s.name for s in settings.ENV}
    named: dict[str, str] = {}
    for path in _tree_files():
        if path.exists():
            for name in re.findall(r"\bMONITOR_[A-Z][A-Z0-9_]*\b", path.read_text(encoding="utf-8")):
                named.setdefault(name, str(path.relative_to(ROOT)))
    missing = {name: where for name, where in named.items() if name not in described}
    assert missing == {}, "MONITOR_* names not described in monitor/settings.py (name: first file)"


ENV_READ = re.compile(r"os\.environ\.get\(|os\.environ\[|os\.getenv\(")


def test_environment_is_read_only_through_settings():
    offenders = []
    for path in [*(ROOT / "monitor").rglob("*.py"), *(ROOT / "spiders").rglob("*.py"), ROOT / "tests/conftest.py"]:
        if path.name == "settings.py" and path.parent.name == "monitor":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # Handing PYTHONPATH on to a worker process is not a setting.
            if ENV_READ.search(line) and "PYTHONPATH" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "read the environment through monitor.settings.env() (one home)"


@pytest.mark.parametrize(("name", "value", "accepted"), [
    ("MONITOR_STORE_BATCH", "abc", "whole number of at least 1"),
    ("MONITOR_STORE_BATCH", "0", "whole number of at least 1"),
    ("MONITOR_RECHECK_LIMIT", "-3", "whole number of at least 0"),
    ("MONITOR_SCORE", "maybe", "1/0, true/false, yes/no or on/off"),
    ("MONITOR_EVIDENCE", "2", "1/0, true/false, yes/no or on/off"),
    ("MONITOR_LOG_LEVEL", "loud", "CRITICAL, ERROR, WARNING, INFO, DEBUG"),
])
def test_an_invalid_value_is_an_error_naming_variable_value_and_what_is_accepted(monkeypatch, name, value,
                                                                                  accepted):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingError) as caught:
        settings.env(name)
    message = str(caught.value)
    assert f"{name}={value!r}" in message and accepted in message


def test_values_and_defaults(monkeypatch):
    for name in ("MONITOR_SCORE", "MONITOR_STORE_BATCH", "MONITOR_PROFILE_DIRS", "MONITOR_DB", "MONITOR_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    assert settings.env("MONITOR_SCORE") is True
    assert settings.env("MONITOR_STORE_BATCH") == 200
    assert settings.env("MONITOR_PROFILE_DIRS") == ()
    assert settings.env("MONITOR_DB") is None
    monkeypatch.setenv("MONITOR_SCORE", " Off ")
    monkeypatch.setenv("MONITOR_STORE_BATCH", "7")
    monkeypatch.setenv("MONITOR_PROFILE_DIRS", "/a:/b")
    monkeypatch.setenv("MONITOR_LOG_LEVEL", "warning")
    monkeypatch.setenv("MONITOR_DB", "")  # empty is unset
    assert settings.env("MONITOR_SCORE") is False
    assert settings.env("MONITOR_STORE_BATCH") == 7
    assert settings.env("MONITOR_PROFILE_DIRS") == (Path("/a"), Path("/b"))
    assert settings.env("MONITOR_LOG_LEVEL") == "WARNING"
    assert settings.env("MONITOR_DB") is None
    with pytest.raises(KeyError, match="not a setting described"):
        settings.env("MONITOR_NOT_A_SETTING")


def test_check_names_every_bad_variable_in_a_subprocess():
    env = {"PATH": "/usr/bin:/bin", "MONITOR_SCORE": "maybe", "MONITOR_STORE_BATCH": "abc"}
    proc = subprocess.run([sys.executable, "-m", "monitor.settings", "--check"], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 2
    assert "MONITOR_SCORE='maybe'" in proc.stderr and "MONITOR_STORE_BATCH='abc'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_crawl_with_a_bad_batch_size_stops_with_the_variable_named(tmp_path):
    proc = run_monitor("crawl", "greenmart", "--max-pages", "1", db_path=tmp_path / "monitor.db",
                       env={"MONITOR_STORE_BATCH": "abc"}, timeout=120)
    assert proc.returncode != 0
    assert "MONITOR_STORE_BATCH='abc' is not valid: use a whole number of at least 1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rule_packs_and_profiles_are_package_data_read_from_the_checkout_in_an_editable_install():
    from monitor.categories import RULES_DIR
    from monitor.crawl.profile import PROFILES_DIR

    # monitor/rulepacks is the package-data name of rules/: an edit to rules/ is what the package reads.
    assert RULES_DIR == (ROOT / "rules").resolve()
    assert (ROOT / "monitor" / "rulepacks").resolve() == (ROOT / "rules").resolve()
    assert PROFILES_DIR.resolve() == (ROOT / "spiders" / "profiles").resolve()
    assert (RULES_DIR / "notices" / "default.en.txt.j2").is_file()
