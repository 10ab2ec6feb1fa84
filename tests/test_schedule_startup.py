"""The scheduler's start-up checks: what would run degraded is a warning at start-up and an alert."""

from __future__ import annotations

import logging

import pytest

from monitor.rules import normalise as normalise_module
from monitor.schedule.alerting import T2S_PROBE, check_alerts, startup_problems
from monitor.schedule.config import load_config
from monitor.schedule.service import ScheduleService
from tests.test_alerts import HookReceiver

JOBS = """\
jobs:
  - id: gm
    site: greenmart
    cron: "0 2 * * *"
  - id: kg
    site: kuaigou
    cron: "0 3 * * *"
{alerts}
"""


def config_file(tmp_path, alerts: str = "", jobs: str = JOBS):
    path = tmp_path / "monitor.yaml"
    path.write_text(jobs.format(alerts=alerts), encoding="utf-8")
    return load_config(path)


def setup_alerts(db) -> list[dict]:
    return list(db.execute_returning_dicts("SELECT * FROM alerts WHERE kind = 'setup' ORDER BY id"))


@pytest.fixture
def no_t2s(monkeypatch):
    """The state a failed OpenCC load leaves monitor.rules.normalise in: no t2s converter."""
    monkeypatch.setattr(normalise_module, "_T2S", None)
    assert normalise_module.normalise(T2S_PROBE[0]).folded != T2S_PROBE[1]


def test_a_working_setup_has_no_problems(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_CHROMIUM", raising=False)
    config = config_file(tmp_path, jobs="jobs:\n  - id: gm\n    site: greenmart\n    cron: \"0 2 * * *\"\n{alerts}\n")
    assert startup_problems(config) == []


def test_traditional_chinese_not_folded_is_a_warning_and_a_delivered_alert(tmp_path, db, db_path, caplog, no_t2s):
    with HookReceiver() as hook:
        config = config_file(tmp_path, alerts=f"alerts:\n  webhook:\n    url: {hook.url}\n  expected:\n    sites: []")
        with caplog.at_level(logging.WARNING, logger="monitor.schedule"):
            problems = startup_problems(config)
        assert [name for name, _ in problems] == ["t2s"]
        assert "Traditional-script look-alikes of watched marks are not found" in problems[0][1]
        assert any("Degraded: Traditional Chinese is not folded" in r.getMessage() for r in caplog.records)
        check_alerts(config, db_path, problems)
        rows = setup_alerts(db)
        assert len(rows) == 1 and rows[0]["key"].startswith("setup:t2s:") and rows[0]["webhook_sent_at"]
        assert [a["kind"] for a in hook.posts[0]["json"]["alerts"]] == ["setup"]
        check_alerts(config, db_path, problems)  # once a day, not once a check
        assert len(setup_alerts(db)) == 1 and len(hook.posts) == 1


def test_no_browser_for_the_jobs_that_need_one(tmp_path, monkeypatch):
    missing = tmp_path / "no-chromium-here"
    monkeypatch.setenv("MONITOR_CHROMIUM", str(missing))
    problems = dict(startup_problems(config_file(tmp_path)))
    assert set(problems) == {"chromium"}
    assert problems["chromium"].startswith("jobs kg need a browser") and str(missing) in problems["chromium"]


def test_the_service_raises_its_problems_when_it_starts(tmp_path, db, db_path, no_t2s):
    config = config_file(tmp_path, jobs="jobs: []\n{alerts}\n")
    service = ScheduleService(config, db_path)
    service.start()
    try:
        assert [name for name, _ in service.problems] == ["t2s"]
    finally:
        service.stop()
    assert [r["key"].split(":")[1] for r in setup_alerts(db)] == ["t2s"]
