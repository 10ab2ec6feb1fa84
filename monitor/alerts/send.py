"""Delivering alerts: one e-mail per batch (plain text, UTF-8) and one webhook POST per batch.

Each channel keeps its own mark (``email_sent_at``, ``webhook_sent_at``), written as soon as the
server accepted the batch; a failure is kept in ``last_error`` and the alert stays pending for the
next call. Nothing here raises: the scheduler calls ``deliver`` after every run and a mail server
that is down must not stop the crawls.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import smtplib
import socket
import ssl
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from monitor.alerts.config import AlertSettings, EmailSettings, WebhookSettings, webhook_url_problem
from monitor.alerts.detect import (ALERT_KINDS, alert_kind_words, alert_message, alerts_with_runs, as_utc, iso,
                                   run_reason, run_status_words)
from monitor.i18n import N_, format_datetime, ngettext, use_locale
from monitor.i18n import gettext as _
from monitor.store.db import write_transaction

logger = logging.getLogger("monitor.alerts")

BATCH_SIZE = 100  # alerts per e-mail and per webhook POST
MAX_PENDING = 1000  # alerts looked at per call; the rest wait for the next one
_MAX_ERROR = 500


class DeliveryError(Exception):
    """A delivery refused or answered with an error; the message says which and why."""


@dataclass
class DeliveryReport:
    pending: int = 0  # alerts that had at least one configured channel still to go
    email_sent: int = 0  # alerts delivered by e-mail in this call
    webhook_sent: int = 0
    errors: list[str] = field(default_factory=list)
    channels: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        if not self.channels:
            return "no delivery channel configured (alerts: email: or webhook: in monitor.yaml)"
        parts = [f"{self.pending} pending"]
        if "email" in self.channels:
            parts.append(f"{self.email_sent} sent by e-mail")
        if "webhook" in self.channels:
            parts.append(f"{self.webhook_sent} sent by webhook")
        text = ", ".join(parts)
        if self.errors:
            text += "; " + "; ".join(self.errors)
        return text


def _clean(text: Any, limit: int = _MAX_ERROR) -> str:
    """One line, no control characters (reasons quote page text and URLs), bounded."""
    text = " ".join(str(text if text is not None else "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(channel: str, exc: BaseException | str) -> str:
    if isinstance(exc, (DeliveryError, LookupError)):
        detail = str(exc).strip("'\"")
    elif isinstance(exc, BaseException):
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    else:
        detail = exc
    return _clean(f"{channel}: {detail}")


# -- what is sent ----------------------------------------------------------------------------

def alert_payload(alert: dict) -> dict:
    """One alert as the webhook's JSON shows it."""
    return {
        "id": alert["id"],
        "at": alert["at"],
        "kind": alert["kind"],
        "key": alert["key"],
        "site": alert.get("site"),
        "job": alert.get("job"),
        "run_id": alert.get("run_id"),
        "status": alert.get("run_status") if alert["kind"] != "no_runs" else None,
        "reason": alert.get("run_reason") if alert["kind"] != "no_runs" else None,
        "log_path": alert.get("run_log_path") if alert["kind"] != "no_runs" else None,
        "started_at": alert.get("run_started_at"),
        "finished_at": alert.get("run_finished_at"),
        "message": alert["message"],
    }


# The kinds as a message names them ("2 failed", "1 no runs"), translated with the e-mail.
KIND_WORDS = {"failed": N_("%(n)s failed"), "degraded": N_("%(n)s degraded"), "no_runs": N_("%(n)s no runs"),
              "setup": N_("%(n)s setup")}


def alert_text(alert: dict) -> str:
    """One alert as a few lines of plain text, in the current locale (the stored message as written)."""
    parts = []
    if alert.get("run_id") and alert["kind"] != "no_runs":
        parts.append(_("run %(id)s", id=alert["run_id"]))
    parts.append(_("site %(site)s", site=_clean(alert.get("site") or "-", 120)))
    if alert.get("job"):
        parts.append(_("job %(job)s", job=_clean(alert["job"], 120)))
    head = f"[{alert_kind_words(alert['kind'])}] " + " · ".join(parts)
    lines = [head, f"  {_clean(alert_message(alert), 1000)}"]
    if alert["kind"] != "no_runs" and alert.get("run_id"):
        lines.append("  " + _("status: %(status)s", status=run_status_words(alert.get("run_status") or "?")))
        lines.append("  " + _("reason: %(reason)s", reason=_clean(run_reason(alert) or "-", 1000)))
        lines.append("  " + _("started: %(started)s  finished: %(finished)s", started=format_datetime(alert.get("run_started_at")) or "-",
                              finished=format_datetime(alert.get("run_finished_at")) or "-"))
        lines.append("  " + _("log: %(log)s", log=_clean(alert.get("run_log_path") or "-", 500)))
    lines.append("  " + _("raised: %(at)s  (alert %(id)s)", at=format_datetime(alert["at"]), id=alert["id"]))
    return "\n".join(lines)


def batch_text(alerts: list[dict]) -> str:
    intro = (ngettext("%(num)d new alert from the listing monitor on %(host)s.",
                      "%(num)d new alerts from the listing monitor on %(host)s.", len(alerts), host=socket.gethostname())
             + "\n" + _("See `monitor alerts` and `monitor runs`, or the review app's dashboard.") + "\n")
    return intro + "\n" + "\n\n".join(alert_text(a) for a in alerts) + "\n"


def batch_subject(prefix: str, alerts: list[dict]) -> str:
    counts = Counter(a["kind"] for a in alerts)
    kinds = _(", ").join(_(KIND_WORDS[k], n=counts[k]) for k in ALERT_KINDS if counts[k])
    sites = sorted({_clean(a.get("site") or a.get("job") or ("monitor" if a["kind"] == "setup" else "?"), 60)
                    for a in alerts})
    shown = ", ".join(sites[:5]) + (f" +{len(sites) - 5}" if len(sites) > 5 else "")
    return _clean(ngettext("%(prefix)s %(num)d alert (%(kinds)s): %(sites)s",
                           "%(prefix)s %(num)d alerts (%(kinds)s): %(sites)s", len(alerts),
                           prefix=prefix, kinds=kinds, sites=shown), 200)


# -- channels --------------------------------------------------------------------------------

def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def send_email(settings: EmailSettings, alerts: list[dict]) -> list[str]:
    """Send one message listing ``alerts``. Raises on failure; returns the refused recipients
    (the message went to the others)."""
    password = settings.password()  # LookupError when the variable is unset: nothing is sent
    if settings.username and not (settings.ssl or settings.starttls) and not _is_loopback(settings.host):
        raise DeliveryError("refusing to send the SMTP password unencrypted; set starttls: true or ssl: true")
    message = EmailMessage()
    message["Subject"] = batch_subject(settings.subject_prefix, alerts)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.to)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="listing-monitor.invalid")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(batch_text(alerts), charset="utf-8")
    context = ssl.create_default_context()
    if settings.ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        client.ehlo()
        if settings.starttls:
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, password or "")
        refused = client.send_message(message)
    return sorted(refused)


def send_webhook(settings: WebhookSettings, alerts: list[dict]) -> None:
    """POST ``{"alerts": [...], "text": "..."}``; raises unless the answer is 2xx."""
    # lazy: httpx costs ~50 ms and only the webhook channel needs it (`monitor schedule` loads this module)
    import httpx

    problem = webhook_url_problem(settings.url)
    if problem:
        raise DeliveryError(f"alerts.webhook.url: {problem}")
    headers = {"User-Agent": "listing-monitor-alerts", **settings.all_headers()}
    payload = {"alerts": [alert_payload(a) for a in alerts], "text": batch_text(alerts)}
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers["Content-Type"] = "application/json; charset=utf-8"
    with httpx.Client(timeout=settings.timeout, follow_redirects=False) as client:
        response = client.post(settings.url, content=body, headers=headers)
    if not 200 <= response.status_code < 300:
        parts = urlsplit(settings.url)
        where = f"{parts.scheme}://{parts.netloc}"  # never the path: it often carries the hook's secret
        extra = " (redirects are not followed: configure the final URL)" if 300 <= response.status_code < 400 else ""
        raise DeliveryError(f"HTTP {response.status_code} from {where}{extra}")


# -- delivery --------------------------------------------------------------------------------

def _mark_sent(db: Database, column: str, ids: list[int], at: str) -> None:
    with write_transaction(db):
        db.conn.executemany(f"UPDATE alerts SET {column} = ? WHERE id = ? AND {column} IS NULL",
                            [(at, i) for i in ids])


def deliver(db: Database, settings: AlertSettings, now: datetime | str | None = None) -> DeliveryReport:
    """Send every alert not yet delivered by each configured channel. Never raises."""
    report = DeliveryReport(channels=settings.channels if settings else ())
    if not report.channels:
        return report
    try:
        _deliver(db, settings, as_utc(now), report)
    except Exception as exc:  # the store itself failed: report it, the alerts stay pending
        logger.exception("alert delivery failed")
        report.errors.append(_error("delivery", exc))
    return report


def _in(language: str, send, *args):
    """Send in the office's language (monitor.yaml ``language:``)."""
    with use_locale(language):
        return send(*args)


def _deliver(db: Database, settings: AlertSettings, now: datetime, report: DeliveryReport) -> None:
    conditions = [f"a.{c}_sent_at IS NULL" for c in report.channels]
    pending = alerts_with_runs(db, " OR ".join(conditions), order="a.id", limit=MAX_PENDING)
    report.pending = len(pending)
    if not pending:
        return
    errors: dict[int, list[str]] = {a["id"]: [] for a in pending}
    senders = {"email": lambda batch: _in(settings.language, send_email, settings.email, batch),
               "webhook": lambda batch: send_webhook(settings.webhook, batch)}
    for channel in report.channels:
        column = f"{channel}_sent_at"
        todo = [a for a in pending if a[column] is None]
        for start in range(0, len(todo), BATCH_SIZE):
            batch = todo[start:start + BATCH_SIZE]
            try:
                refused = senders[channel](batch)
            except Exception as exc:  # noqa: BLE001 (any failure: keep it, retry next time)
                message = _error(channel, exc)
                logger.warning("alerts not delivered: %s", message)
                report.errors.append(message)
                for alert in todo[start:]:  # this batch and the ones not tried after it
                    errors[alert["id"]].append(message)
                break
            _mark_sent(db, column, [a["id"] for a in batch], iso(now))
            if channel == "email":
                report.email_sent += len(batch)
                if refused:
                    message = _error("email", f"refused by the server for {', '.join(refused)}")
                    report.errors.append(message)
                    for alert in batch:
                        errors[alert["id"]].append(message)
            else:
                report.webhook_sent += len(batch)
    with write_transaction(db):
        db.conn.executemany("UPDATE alerts SET last_error = ? WHERE id = ?",
                       [("; ".join(errs) or None, alert_id) for alert_id, errs in errors.items()])
