"""monitor.yaml: validation that names file, line and field; what "due" means; campaign windows; slots."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from monitor.schedule.config import Campaign, load_config
from monitor.schedule.triggers import build_trigger, is_due, next_fire_after, schedule_fingerprint
from monitor.settings import PROJECT_CONFIG
from monitor.yamlfile import YamlError
from tests.conftest import run_monitor

BAD = """\
settings:
  timezone: Mars/Olympus
jobs:
  - id: gm
    site: greenmart
    cron: "0 2 * *"
    categories: [agri_inputs, toys]
  - id: gm
    url: https://shop.example/
    interval_seconds: 60
    keywords: [x]
  - id: both
    site: greenmart
    url: https://shop.example/
    cron: "61 * * * *"
  - id: unknown-site
    site: nosuch
    interval_seconds: 60
campaigns:
  - name: late
    start: 2026-11-12
    end: 2026-11-01
"""


def problems_of(path) -> list[str]:
    with pytest.raises(YamlError) as info:
        load_config(path)
    return info.value.render().splitlines()


def test_errors_name_file_line_and_field(tmp_path):
    path = tmp_path / "monitor.yaml"
    path.write_text(BAD, encoding="utf-8")
    lines = problems_of(path)
    expected = [
        f"{path}:2: settings.timezone: unknown time zone 'Mars/Olympus'",
        f"{path}:6: jobs.0.cron: invalid cron expression '0 2 * *'",
        f"{path}:7: jobs.0.categories.1: the profile greenmart has no category 'toys'",
        f"{path}:8: jobs.1.id: duplicate job id 'gm'",
        f"{path}:11: jobs.1.keywords: applies to site profiles, not to url: jobs",
        f"{path}:12: jobs.2: give either site: (a site profile) or url:",
        f"{path}:15: jobs.2.cron: invalid cron expression '61 * * * *'",
        f"{path}:17: jobs.3.site: no site profile named 'nosuch'",
        f"{path}:22: campaigns.0.end: ends (2026-11-01) before it starts (2026-11-12)",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), f"missing {start!r} in:\n" + "\n".join(lines)


def test_schema_errors_name_the_field(tmp_path):
    path = tmp_path / "jobs.yaml"
    path.write_text("jobs:\n  - id: gm\n    site: greenmart\n    cron: '0 2 * * *'\n    priorty: 3\n"
                    "    time_limit: ten minutes\n  - site: baihuo\n    interval_seconds: 0\n", encoding="utf-8")
    lines = problems_of(path)
    assert any(line.startswith(f"{path}:5: jobs.0.priorty: unknown field; expected one of:") for line in lines), lines
    assert f"{path}:6: jobs.0.time_limit: must be a number of seconds (e.g. 1800) or a duration like 90s, 30m or 2h" \
        in lines
    assert any(line.startswith(f"{path}:7: jobs.1: 'id' is a required property") for line in lines), lines
    assert any(line.startswith(f"{path}:8: jobs.1.interval_seconds: 0 is less than the minimum") for line in lines)


def test_alerts_section_is_judged_by_the_alerts_module(tmp_path):
    path = tmp_path / "monitor.yaml"
    path.write_text("jobs: []\nalerts:\n  no_runs_hours: -1\n", encoding="utf-8")
    lines = problems_of(path)
    assert any(line.startswith(f"{path}:3: alerts.no_runs_hours:") for line in lines), lines


def test_check_command_reports_problems_and_exits_2(tmp_path):
    path = tmp_path / "monitor.yaml"
    path.write_text(BAD, encoding="utf-8")
    proc = run_monitor("schedule", "--check", "--config", str(path), timeout=60)
    assert proc.returncode == 2
    assert f"{path}:6: jobs.0.cron: invalid cron expression" in proc.stderr


def test_the_shipped_jobs_file_is_valid():
    config = load_config(PROJECT_CONFIG)
    assert {"greenmart-nightly", "baihuo-nightly", "kuaigou-nightly"} <= {job.id for job in config.jobs}
    for job in config.jobs:
        assert job.base_url.startswith("http://127.0.0.1:") and job.allow_private
    proc = run_monitor("schedule", "--check", "--config", str(PROJECT_CONFIG), timeout=60)
    assert proc.returncode == 0 and "valid" in proc.stdout


def _config(tmp_path, jobs: str, extra: str = ""):
    path = tmp_path / "monitor.yaml"
    path.write_text("settings: {timezone: UTC}\njobs:\n" + jobs + extra, encoding="utf-8")
    return load_config(path)


def test_due_means_a_fire_time_passed_since_the_last_run(tmp_path):
    config = _config(tmp_path, "  - {id: nightly, site: greenmart, cron: '0 2 * * *'}\n"
                               "  - {id: hourly, url: 'https://shop.example/', interval_seconds: 3600}\n")
    nightly, hourly = config.jobs
    at = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
    assert is_due(nightly, config, None, at)  # never ran
    assert not is_due(nightly, config, datetime(2026, 11, 24, 2, 0, 5, tzinfo=timezone.utc), at)
    assert is_due(nightly, config, datetime(2026, 11, 23, 2, 0, 5, tzinfo=timezone.utc), at)  # last night's missed
    assert next_fire_after(nightly, config, at) == datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
    assert not is_due(hourly, config, at - timedelta(minutes=59), at)
    assert is_due(hourly, config, at - timedelta(minutes=60), at)
    assert is_due(hourly, config, None, at)  # an interval job that never ran: at once


def test_a_seasonal_job_that_never_ran_waits_for_its_season(tmp_path):
    config = _config(tmp_path, "  - {id: spraying, site: greenmart, cron: '0 8-20/4 * 3-9 *'}\n")
    (job,) = config.jobs
    assert not is_due(job, config, None, datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc))
    assert is_due(job, config, None, datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc))


def test_campaign_adds_fire_times_inside_its_window_only(tmp_path):
    config = _config(tmp_path,
                     "  - {id: cos, site: greenmart, categories: [cosmetics], cron: '0 2 * * *', "
                     "campaign_cron: '0 */4 * * *'}\n"
                     "  - {id: agri, site: greenmart, categories: [agri_inputs], cron: '0 2 * * *', "
                     "campaign_cron: '0 */4 * * *'}\n",
                     "campaigns:\n  - {name: d11, start: 2026-11-10, end: 2026-11-11, categories: [cosmetics]}\n")
    cos, agri = config.jobs
    assert config.campaigns == [Campaign("d11", date(2026, 11, 10), date(2026, 11, 11), ("cosmetics",))]
    trigger = build_trigger(cos, config)
    times, moment = [], datetime(2026, 11, 9, 0, 0, tzinfo=timezone.utc)
    for _ in range(16):
        moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        times.append(moment.strftime("%d %H"))
    # Nightly before and after; on the 10th and 11th (inclusive) also every 4 hours.
    assert times == ["09 02", "10 00", "10 02", "10 04", "10 08", "10 12", "10 16", "10 20", "11 00", "11 02",
                     "11 04", "11 08", "11 12", "11 16", "11 20", "12 02"]
    # A job in other categories keeps its plain schedule.
    assert next_fire_after(agri, config, datetime(2026, 11, 10, 3, tzinfo=timezone.utc)).day == 11
    assert next_fire_after(cos, config, datetime(2026, 11, 10, 3, tzinfo=timezone.utc)).hour == 4
    # The fingerprint follows the schedule, so a restart keeps a pending fire time only when unchanged.
    assert schedule_fingerprint(cos, config) != schedule_fingerprint(agri, config)


def test_waiting_crawls_start_by_priority():
    import threading
    import time

    from monitor.schedule.runner import CrawlSlots

    slots, never = CrawlSlots(1), threading.Event()
    assert slots.acquire(5, never)
    order = []

    def wait(priority):
        assert slots.acquire(priority, never)
        order.append(priority)
        slots.release()

    threads = []
    for priority in (1, 9, 5):
        threads.append(threading.Thread(target=wait, args=(priority,)))
        threads[-1].start()
        time.sleep(0.05)  # all three queue behind the held slot
    slots.release()
    for thread in threads:
        thread.join(5)
    assert order == [9, 5, 1]
    stop = threading.Event()
    stop.set()
    assert slots.acquire(5, never) and not slots.acquire(5, stop)  # a stopping scheduler gives up waiting
