"""Alerts (issue 5): a failed run, a degraded run (field coverage fell: the site changed its layout)
or a site without runs, raised once into the ``alerts`` table and delivered by e-mail and webhook.

- ``config``: the ``alerts:`` section of ``monitor.yaml``, validated field by field.
- ``detect``: ``raise_alerts`` (new rows, deduplicated by key) and ``recent_alerts``.
- ``send``: ``deliver`` (SMTP and webhook; a failure is kept and retried on the next call).
- ``check``: ``check_and_deliver``, both at once, never raising: what the scheduler calls after a run.
"""

from monitor.alerts.check import CheckResult, check_and_deliver
from monitor.alerts.config import AlertSettings, alert_problems, load_alert_settings, located_alert_problems
from monitor.alerts.detect import raise_alerts, recent_alerts
from monitor.alerts.send import DeliveryReport, deliver

__all__ = ["AlertSettings", "alert_problems", "load_alert_settings", "located_alert_problems", "raise_alerts",
           "recent_alerts", "DeliveryReport", "deliver", "CheckResult", "check_and_deliver"]
