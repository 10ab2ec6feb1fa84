"""After each scheduled run, and on a timer, let monitor.alerts raise and deliver its alerts; at
start-up, say what would run degraded.

monitor.alerts decides what deserves an alert (a failed or degraded run, a site without runs, a
degraded set-up) and sends it; the scheduler only says when to look. Nothing here may stop the
scheduler: a failing mail server is logged.

Start-up checks (``startup_problems``) find what would otherwise degrade without a word while the
scheduler runs for weeks: Traditional Chinese not folded to Simplified (OpenCC did not load), or
no Chromium for the jobs that need one. Each is logged as a warning and raised as a ``setup``
alert, again each day while it lasts.
"""

from __future__ import annotations

import logging
from pathlib import Path

from monitor.alerts import AlertSettings, check_and_deliver
from monitor.crawl.browser import BrowserNotFound, find_chromium
from monitor.crawl.profile import load_profile, profile_paths
from monitor.rules.normalise import normalise
from monitor.schedule.config import JobSpec, ScheduleConfig
from monitor.store import open_db
from monitor.yamlfile import YamlError

logger = logging.getLogger("monitor.schedule")

CHECK_EVERY_SECONDS = 15 * 60  # the "no runs for a day" alert has no run to follow

# A Traditional word and its Simplified form: what the mark matcher's fold must turn one into the other.
T2S_PROBE = ("這個", "这个")


def _t2s_problem() -> str | None:
    if normalise(T2S_PROBE[0]).folded == T2S_PROBE[1]:
        return None
    return ("Traditional Chinese is not folded to Simplified (OpenCC's t2s conversion did not load; see the "
            "warning from monitor.rules.normalise): Traditional-script look-alikes of watched marks are not "
            "found. Reinstall the opencc package (pip install --force-reinstall opencc).")


def _needs_browser(job: JobSpec) -> bool:
    if job.capture_flagged:
        return True
    path = profile_paths().get(job.site) if job.site else None
    try:
        return path is not None and load_profile(path).render == "browser"
    except YamlError:  # a profile broken since the jobs were checked: its runs fail and alert themselves
        return False


def _browser_problem(config: ScheduleConfig) -> str | None:
    jobs = [job.id for job in config.enabled_jobs if _needs_browser(job)]
    if not jobs:
        return None
    try:
        find_chromium()
    except BrowserNotFound as exc:
        return f"jobs {', '.join(jobs)} need a browser (render: browser or capture_flagged) and will fail: {exc}"
    return None


def startup_problems(config: ScheduleConfig) -> list[tuple[str, str]]:
    """``(name, message)`` for each part that would run degraded; logged as a warning each."""
    problems = []
    for name, check in (("t2s", _t2s_problem), ("chromium", lambda: _browser_problem(config))):
        message = check()
        if message:
            logger.warning("Degraded: %s", message)
            problems.append((name, message))
    return problems


def check_alerts(config: ScheduleConfig, db_path: str | Path, problems: list[tuple[str, str]] | None = None) -> None:
    """Raise and deliver what is due; ``problems`` (from ``startup_problems``) become setup alerts."""
    try:
        settings = AlertSettings.from_mapping(config.alerts)
        db = open_db(db_path)
        try:
            result = check_and_deliver(db, settings, problems=problems or ())
        finally:
            db.close()
    except Exception:  # noqa: BLE001 - alerts must never take the scheduler down
        logger.exception("Checking alerts failed")
        return
    for alert in result.new:
        logger.warning("Alert raised: %s", alert.get("message"))
    for error in result.errors:
        logger.error("Alerts: %s", error)
    if result.report is not None and not result.report.ok:
        logger.error("Alerts: delivery failed: %s", result.report)
