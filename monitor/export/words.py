"""Words and times of the packages' cover pages (HTML and PDF) in the reader's language:
the kinds of kept evidence, a notice's status, a capture time."""

from __future__ import annotations

from datetime import datetime, timezone

from monitor.i18n import N_, format_date, label

# The kinds of kept evidence, as the cover pages name them.
EVIDENCE_KINDS = {"response": N_("HTTP response"), "rendered": N_("rendered page"), "screenshot": N_("screenshot")}


def evidence_kind(kind: str | None) -> str:
    return label(EVIDENCE_KINDS, kind)


def capture_time(value: str | None) -> str:
    """A capture time as the reader writes the day, to the second, in UTC (2026年12月7日 08:00:13 UTC):
    the second is what a reader compares with the WARC record. The stored ISO text otherwise."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return f"{format_date(moment)} {moment:%H:%M:%S} UTC"


# A notice's status as a referral's reader reads it (the review app's words).
NOTICE_STATUS = {"drafted": N_("drafted"), "sent": N_("sent"), "accepted": N_("accepted"),
                 "rejected": N_("rejected"), "removed": N_("removed")}


def notice_status(status: str | None) -> str:
    return label(NOTICE_STATUS, status)
