"""The rules of a complaint lead (投诉举报线索): its vocabulary, the checks on what is given,
the ``complaints:`` section of monitor.yaml, and the response deadline in working days.

Statuses (a small set, each a step an office records):

- ``open``: received, nobody has answered yet (the default);
- ``in_progress``: an analyst or lead is handling it (optional step);
- ``answered``: the complainant was answered (the outcome note says what);
- ``closed``: ended without an answer on the merits (a duplicate, withdrawn, not ours).

open and in_progress count against the deadline; answered and closed end it (``closed_at``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import chinese_calendar

from monitor.i18n import gettext as _
from monitor.settings import yaml_default
from monitor.store.migrations_complaints import SOURCES_C0001, STATUSES_C0001
from monitor.urls import safe_http_url, strip_tracking

logger = logging.getLogger(__name__)
from monitor.yamlfile import YamlError, load_located

SOURCES = SOURCES_C0001
STATUSES = STATUSES_C0001
OPEN_STATUSES = ("open", "in_progress")
DONE_STATUSES = ("answered", "closed")
KINDS = ("listing", "shop")
MAX_TEXT = 20000  # a complaint's text: a hotline ticket is a few hundred characters; this bounds abuse
MAX_COMPLAINANT = 500
MAX_OUTCOME = 4000

# Default: 15 working days. 《市场监督管理行政处罚程序规定》 art. 18 gives 15 working days from
# receiving a lead to check it and decide whether to file a case (立案); the 12315 and 12345
# platforms track that figure. Offices with a shorter rule (7 working days to accept or refuse
# a 投诉, 《市场监督管理投诉举报处理暂行办法》 art. 19) set `complaints: {response_days: 7}`.
DEFAULT_RESPONSE_DAYS = yaml_default("complaints.response_days")
DEFAULT_NEAR_DAYS = yaml_default("complaints.near_days")  # "near deadline": this many working days left or fewer
DEFAULT_CRAWL_TIME_LIMIT = yaml_default("complaints.crawl_time_limit")  # one page, while the person who typed it waits


def source_labels() -> dict[str, str]:
    """Each source's name in the current locale."""
    return {"12315": _("12315 hotline"), "12345": _("12345 hotline"), "platform": _("Platform"),
            "rights_holder": _("Rights holder"), "other": _("Other")}


def status_labels() -> dict[str, str]:
    return {"open": _("Open"), "in_progress": _("In progress"), "answered": _("Answered"), "closed": _("Closed")}


def field_labels() -> dict[str, str]:
    """Each field as the review app's forms label it, in the current locale."""
    return {"url": _("Listing or shop URL"), "kind": _("Page kind"), "source": _("Source"),
            "received_on": _("Received on"), "text": _("Complaint text"), "complainant": _("Complainant"),
            "response_days": _("Working days to answer"), "status": _("Status"), "outcome": _("Outcome")}


class ComplaintError(ValueError):
    """A complaint refused, naming the field: ``field`` and ``problem`` (for forms, CSV rows, the API).
    ``str()`` names the field by its code (the CSV column, the API's JSON field); ``shown()`` by
    its label, for a person at the form."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem

    def shown(self) -> str:
        """The refusal as the form says it: "受理日期：2027-01-05 晚于今天……"."""
        label = field_labels().get(self.field, self.field)
        return _("%(field)s: %(problem)s", field=label, problem=self.problem)


# ------------------------------------------------------------------------------ monitor.yaml
@dataclass(frozen=True)
class SiteOverride:
    """A deployment's pointer of a site profile at another host (a monitor.yaml job's base_url)."""
    site: str
    base_url: str
    allow_private: bool


@dataclass(frozen=True)
class ComplaintSettings:
    response_days: int = DEFAULT_RESPONSE_DAYS
    near_days: int = DEFAULT_NEAR_DAYS
    crawl_time_limit: int = DEFAULT_CRAWL_TIME_LIMIT
    overrides: tuple[SiteOverride, ...] = ()
    source: str = "defaults"


_KEYS = {"response_days": (1, 365), "near_days": (0, 60), "crawl_time_limit": (10, 3600)}


def load_settings(path: str | Path | None) -> ComplaintSettings:
    """The ``complaints:`` section of monitor.yaml (``response_days``, ``near_days``,
    ``crawl_time_limit``) and the jobs' ``base_url`` per site; a missing file gives the defaults.
    A bad value is a YamlError naming file, line and field."""
    if path is None or not Path(path).exists():
        return ComplaintSettings()
    located = load_located(path)
    data = located.data if isinstance(located.data, dict) else {}
    section = data.get("complaints")
    problems = []
    values: dict[str, int] = {}
    if section is not None and not isinstance(section, dict):
        problems.append((located.line_of(("complaints",)), "complaints", "must be a mapping, e.g. {response_days: 15}"))
        section = {}
    for key, value in (section or {}).items():
        where = f"complaints.{key}"
        line = located.line_of(("complaints", key))
        if key not in _KEYS:
            problems.append((line, where, f"unknown key; known: {', '.join(_KEYS)}"))
            continue
        low, high = _KEYS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append((line, where, f"must be a whole number from {low} to {high}, not {value!r}"))
            continue
        values[key] = value
    if problems:
        raise YamlError(path, problems, hint="see docs/complaints.md")
    overrides = []
    for job in data.get("jobs") or []:
        if isinstance(job, dict) and job.get("site") and isinstance(job.get("base_url"), str):
            overrides.append(SiteOverride(str(job["site"]), job["base_url"], bool(job.get("allow_private"))))
    return ComplaintSettings(**values, overrides=tuple(overrides), source=str(path))


# ------------------------------------------------------------------------------ checks
def url_key(url: str) -> str:
    """The URL as duplicates are compared: scheme and host lower-case, default port, fragment,
    tracking parameters (``?spm=…``, ``utm_*``: urls.strip_tracking) and a trailing slash dropped
    (the same page however the complainant pasted it or from wherever it was shared). A literal
    IPv6 host keeps its brackets (``http://[::1]:8101/x``): without them its colons would read
    as a port."""
    parts = urlsplit(strip_tracking(url))
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def _malformed(text: str) -> ComplaintError:
    return ComplaintError("url", _("not a valid address: %(url)s (the host or port cannot be read; an IPv6 "
                                   "address is written in brackets, e.g. http://[2001:db8::1]:8080/)", url=text[:200]))


def check_url(value: Any) -> str:
    """The complaint's URL as ``safe_http_url`` prints it (an IPv6 host in its brackets, in its
    shortest form); a ComplaintError on ``url`` for anything else."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ComplaintError("url", _("required: the listing or shop URL the complaint names"))
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - reading it checks it (a port out of range, not a number)
    except ValueError:
        raise _malformed(text) from None
    if ":" in (parts.hostname or ""):
        after = parts.netloc.rpartition("@")[2].partition("]")[2]
        try:
            literal = ipaddress.IPv6Address(parts.hostname)
        except ValueError:
            raise _malformed(text) from None
        if literal.scope_id or not re.fullmatch(r"(:\d*)?", after):  # a zone (%eth0) names no page; "[::1]x"
            raise _malformed(text)
    safe = safe_http_url(text)
    if safe is None:
        raise ComplaintError("url", _("not an http(s) address: %(url)s (write the full address, "
                                      "starting with http:// or https://)", url=value.strip()[:200]))
    return safe


def check_choice(field: str, value: Any, choices: tuple[str, ...]) -> str:
    text = str(value).strip() if value is not None else ""
    if text not in choices:
        raise ComplaintError(field, _("%(value)s is not one of: %(choices)s", value=text[:50] or "(empty)",
                                      choices=", ".join(choices)))
    return text


def check_date(field: str, value: Any, *, today: dt.date) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ComplaintError(field, _("not a date: %(value)s (write YYYY-MM-DD, e.g. 2026-12-07)",
                                          value=str(value)[:40] or "(empty)")) from None
    if day > today:
        raise ComplaintError(field, _("%(day)s is in the future (today is %(today)s)", day=day.isoformat(),
                                      today=today.isoformat()))
    return day


def check_text(field: str, value: Any, *, limit: int, required: bool) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if required:
            raise ComplaintError(field, _("required"))
        return None
    if len(text) > limit:
        raise ComplaintError(field, _("too long: %(n)s characters, at most %(limit)s", n=len(text), limit=limit))
    return text


# ------------------------------------------------------------------------------ working days
def _workday(day: dt.date) -> bool:
    """A working day by chinese-calendar's statutory holidays and make-up days. A year it does not
    know yet (the State Council publishes each year's holidays in the autumn before) counts Monday
    to Friday, with a warning to update the package: refusing every complaint whose deadline runs
    into the next year would stop intake each December, and a deadline a holiday could move is
    better than none (the page shows the computed date; an analyst can correct response_days)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning("chinese-calendar %s does not know the holidays of %s: deadlines in that year count "
                           "Monday to Friday; update it (pip install -U chinese-calendar) once the State "
                           "Council has published them", chinese_calendar.__version__, day.year)
        return day.weekday() < 5


_warned_years: set[int] = set()


def deadline(received: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``received`` (statutory holidays off, make-up working
    days on): periods "from receipt" start the next day (民法典 art. 201)."""
    day, left = received, days
    while left > 0:
        day += dt.timedelta(days=1)
        if _workday(day):
            left -= 1
    return day


def working_days_left(today: dt.date, due: dt.date) -> int:
    """Working days from tomorrow to ``due`` inclusive; 0 when due today, negative once past
    (the working days it is late)."""
    start, end, sign = (today, due, 1) if due >= today else (due, today, -1)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += _workday(day)
    return sign * count
