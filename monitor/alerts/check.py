"""Raise and deliver in one call that never raises: what the scheduler runs after each crawl and
on a timer (a day without runs has no run to follow)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from sqlite_utils import Database

from monitor.alerts.config import AlertSettings
from monitor.alerts.detect import raise_alerts
from monitor.alerts.send import DeliveryReport, _error, deliver

logger = logging.getLogger("monitor.alerts")


@dataclass
class CheckResult:
    new: list[dict] = field(default_factory=list)  # the alerts raised by this call
    report: DeliveryReport | None = None  # None when delivery was not asked for
    errors: list[str] = field(default_factory=list)  # raising failed (delivery errors are in report)

    @property
    def ok(self) -> bool:
        return not self.errors and (self.report is None or self.report.ok)


def check_and_deliver(db: Database, settings: AlertSettings | None = None, *, send: bool = True,
                      now: datetime | str | None = None, problems: Iterable[tuple[str, str]] = ()) -> CheckResult:
    """``raise_alerts`` (with ``problems``: degraded parts of the monitor, see there) then
    ``deliver``; a failure of either is returned, never raised."""
    settings = settings or AlertSettings()
    result = CheckResult()
    try:
        result.new = raise_alerts(db, settings, now=now, problems=problems)
    except Exception as exc:  # noqa: BLE001 (the caller is the scheduler: keep it running)
        logger.exception("raising alerts failed")
        result.errors.append(_error("raise", exc))
    if send:
        result.report = deliver(db, settings)
    return result
