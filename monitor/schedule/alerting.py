"""After each scheduled run, and on a timer, let monitor.alerts raise and deliver its alerts.

monitor.alerts (another part of issue 5) decides what deserves an alert (a failed or
degraded run, a site without runs) and sends it; the scheduler only says when to look.
Nothing here may stop the scheduler: a missing module or a failing mail server is logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

from monitor.schedule.config import ScheduleConfig
from monitor.store import open_db

logger = logging.getLogger("monitor.schedule")

CHECK_EVERY_SECONDS = 15 * 60  # the "no runs for a day" alert has no run to follow


def check_alerts(config: ScheduleConfig, db_path: str | Path) -> None:
    try:
        from monitor.alerts import AlertSettings, check_and_deliver
    except ImportError:
        return
    try:
        settings = AlertSettings.from_mapping(config.alerts)
        db = open_db(db_path)
        try:
            result = check_and_deliver(db, settings)
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
