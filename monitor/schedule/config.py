"""``monitor.yaml``: the crawl jobs, campaigns and alerts, validated with file, line and field.

Jobs are configuration, not code: an analyst adds a site or changes a schedule by editing
one YAML file, and a typo is reported as ``monitor.yaml:14: jobs.2.cron: ...`` before the
scheduler starts rather than as a crawl that silently never runs.

    settings:                       # optional; the defaults are shown
      timezone: UTC                 # cron expressions and campaign dates are read in this zone
      misfire_grace_seconds: 900    # a fire time missed by at most this much still runs, once
      max_parallel: 2               # crawls at once (each is its own process); others wait by priority
      kill_grace_seconds: 15        # SIGTERM, then SIGKILL this much later
      default_time_limit: 2h        # for jobs without time_limit
    jobs:
      - id: greenmart-nightly       # stable id: the scheduler's job id and crawl_runs.job
        site: greenmart             # a site profile ... or url: https://shop.example/
        categories: [agri_inputs]   # optional: the profile's categories to search
        keywords: [农药]             # optional: instead of the profile's keywords
        cron: "0 2 * * *"           # minute hour day month weekday ... or interval_seconds: 3600
        campaign_cron: "0 */4 * * *"    # optional: also this often while a campaign covers the job
        max_pages: 3
        time_limit: 30m             # seconds, or 90s / 30m / 2h
        priority: 5                 # 1-10; when crawls wait for a slot, higher goes first
        base_url: http://127.0.0.1:8101   # optional: point the profile at another host
        allow_private: true         # optional: allow private/loopback addresses
        recheck: true               # optional: revisit known listings the crawl did not meet
        capture_flagged: true       # optional: after a completed/degraded run, screenshots of its new flags
        enabled: true
    campaigns:                      # date windows of more frequent crawls (e.g. 双11)
      - name: double-11
        start: 2026-10-20
        end: 2026-11-12             # inclusive
        categories: [cosmetics]     # jobs searching these categories ...
        marks: [Lancome]            # ... or these marks (among their keywords); neither: every job
    alerts: {}                      # where alerts go: see monitor/alerts/config.py
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from monitor.alerts.config import located_alert_problems
from monitor.crawl.profile import load_profile, profile_paths
from monitor.settings import resolve_config_path, yaml_default
from monitor.yamlfile import LocatedYaml, YamlError, load_located, schema_problems

# Each key's type, default and meaning: monitor/settings.py (the README's table comes from there).
DEFAULT_TIMEZONE = yaml_default("settings.timezone")
# Seconds (15 minutes), not APScheduler's 1 s: a busy or restarting host is not a missed night.
DEFAULT_MISFIRE_GRACE = yaml_default("settings.misfire_grace_seconds")
DEFAULT_MAX_PARALLEL = yaml_default("settings.max_parallel")  # the machines this runs on have two cores
DEFAULT_KILL_GRACE = yaml_default("settings.kill_grace_seconds")
DEFAULT_TIME_LIMIT = yaml_default("settings.default_time_limit")
DEFAULT_PRIORITY = yaml_default("jobs[].priority")
# Queue points for open flags a campaign covers (see monitor/schedule/campaigns.py).
DEFAULT_PRIORITY_BOOST = yaml_default("campaigns[].priority_boost")
YEARLY_YEAR = 2000  # MM-DD campaign dates are kept in a leap year so 02-29 parses

_ID = "^[a-z0-9][a-z0-9_-]*$"
_DURATION = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": r"^\s*[0-9]+\s*[smh]?\s*$"},
    ]
}
DURATION_MESSAGE = "must be a number of seconds (e.g. 1800) or a duration like 90s, 30m or 2h"
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}

JOB_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": _ID, "maxLength": 64},
        "site": {"type": "string", "pattern": _ID},
        "url": {"type": "string", "pattern": "^https?://"},
        "categories": {**_STRINGS, "uniqueItems": True},
        "keywords": _STRINGS,
        "cron": {"type": "string", "minLength": 1},
        "interval_seconds": {"type": "integer", "minimum": 1},
        "campaign_cron": {"type": "string", "minLength": 1},
        "campaign_interval_seconds": {"type": "integer", "minimum": 1},
        "max_pages": {"type": "integer", "minimum": 1},
        "time_limit": _DURATION,
        "priority": {"type": "integer", "minimum": 1, "maximum": 10},
        "base_url": {"type": "string", "pattern": "^https?://"},
        "allow_private": {"type": "boolean"},
        "recheck": {"type": "boolean"},
        # Follow-up: fetch only the site's listings with a confirmed verdict (removed? changed?).
        "confirmed": {"type": "boolean"},
        # After a completed or degraded run: `monitor evidence capture --run ID` (screenshots).
        "capture_flagged": {"type": "boolean"},
        "enabled": {"type": "boolean"},
    },
}

# A campaign's dates: "2026-11-11" for one year, or "03-15" (month-day) for every year.
CAMPAIGN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "start", "end"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "start": {},  # a date (YAML reads 2026-11-11 as one) or "MM-DD"; checked below
        "end": {},
        "categories": _STRINGS,
        "marks": _STRINGS,
        # Queue priority: open flags it covers rank as if they scored this many points more.
        "priority_boost": {"type": "integer", "minimum": 0, "maximum": 100},
        "note": {"type": "string"},
    },
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["jobs"],
    "additionalProperties": False,
    "properties": {
        "settings": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "timezone": {"type": "string", "minLength": 1},
                "misfire_grace_seconds": {"type": "integer", "minimum": 1},
                "max_parallel": {"type": "integer", "minimum": 1, "maximum": 64},
                "kill_grace_seconds": {"type": "integer", "minimum": 1},
                "default_time_limit": _DURATION,
            },
        },
        "jobs": {"type": "array", "items": JOB_SCHEMA},
        "campaigns": {"type": "array", "items": CAMPAIGN_SCHEMA},
        "alerts": {},  # judged by monitor.alerts.config
        # Issue 14, each judged by the part that reads it: the default language of pages,
        # reports and notices (monitor.i18n), complaint deadlines (monitor.casework.complaints),
        # the referral thresholds (monitor.casework.referrals).
        "language": {"type": "string", "enum": ["zh", "zh_CN", "en"]},
        "office_name": {"type": "string", "maxLength": 200},
        "complaints": {"type": "object"},
        "referrals": {"type": "object"},
    },
}


@dataclass(frozen=True)
class JobSpec:
    id: str
    site: str | None = None
    url: str | None = None
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    cron: str | None = None
    interval_seconds: int | None = None
    campaign_cron: str | None = None
    campaign_interval_seconds: int | None = None
    max_pages: int | None = None
    time_limit: int = DEFAULT_TIME_LIMIT
    priority: int = DEFAULT_PRIORITY
    base_url: str | None = None
    allow_private: bool = False
    recheck: bool = True
    confirmed: bool = False
    capture_flagged: bool = False
    enabled: bool = True
    # The categories the job searches (its own, else all its profile's): what campaigns match on.
    covers: tuple[str, ...] = ()
    line: int | None = None

    @property
    def target(self) -> str:
        return self.site or self.url or "?"

    @property
    def schedule_text(self) -> str:
        text = f"cron {self.cron}" if self.cron else f"every {self.interval_seconds} s"
        if self.campaign_cron:
            text += f"; in campaigns cron {self.campaign_cron}"
        elif self.campaign_interval_seconds:
            text += f"; in campaigns every {self.campaign_interval_seconds} s"
        return text


@dataclass(frozen=True)
class Campaign:
    name: str
    start: date
    end: date  # inclusive
    categories: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()
    yearly: bool = False  # dates given as MM-DD: the window comes back every year
    priority_boost: int = DEFAULT_PRIORITY_BOOST

    def windows(self, around: date) -> list[tuple[date, date]]:
        """The campaign's [start, end] date windows near ``around`` (inclusive ends). A yearly
        window that wraps the new year (12-20 to 01-05) ends in the following year."""
        if not self.yearly:
            return [(self.start, self.end)]
        out = []
        for year in (around.year - 1, around.year, around.year + 1):
            start = _in_year(self.start, year)
            end = _in_year(self.end, year if self.end >= self.start else year + 1)
            out.append((start, end))
        return out

    def active_on(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.windows(day))

    def covers_flag(self, category: str | None, marks: list[str] | tuple[str, ...]) -> bool:
        """Does the campaign concern a flag of this category naming these marks?"""
        if not self.categories and not self.marks:
            return True
        if category and category in self.categories:
            return True
        wanted = {m.casefold() for m in self.marks}
        return any(m.casefold() in wanted for m in marks)

    def covers(self, job: JobSpec) -> bool:
        if not self.categories and not self.marks:
            return True
        if set(self.categories) & set(job.covers):
            return True
        words = [k.casefold() for k in job.keywords]
        return any(m.casefold() in w for m in self.marks for w in words)


@dataclass
class ScheduleConfig:
    path: Path
    jobs: list[JobSpec]
    timezone: str = DEFAULT_TIMEZONE
    misfire_grace_seconds: int = DEFAULT_MISFIRE_GRACE
    max_parallel: int = DEFAULT_MAX_PARALLEL
    kill_grace_seconds: int = DEFAULT_KILL_GRACE
    campaigns: list[Campaign] = field(default_factory=list)
    alerts: dict | None = None

    def job(self, job_id: str) -> JobSpec:
        for job in self.jobs:
            if job.id == job_id:
                return job
        raise LookupError(f"no job {job_id!r} in {self.path} (jobs: {', '.join(j.id for j in self.jobs) or 'none'})")

    @property
    def enabled_jobs(self) -> list[JobSpec]:
        return [j for j in self.jobs if j.enabled]

    def campaigns_for(self, job: JobSpec) -> list[Campaign]:
        return [c for c in self.campaigns if c.covers(job)]


def parse_duration(value: int | str) -> int:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*([0-9]+)\s*([smh]?)\s*", value)
    if not match:
        raise ValueError(f"not a duration: {value!r}")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{2}-\d{2}", text):  # every year: kept in leap year 2000 so 02-29 is valid
            return date.fromisoformat(f"{YEARLY_YEAR}-{text}")
        return date.fromisoformat(text)
    raise ValueError(f"expected a date like 2026-11-01 or 03-15 (every year), got {value!r}")


def _is_yearly(value: Any) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\d{2}-\d{2}", value.strip()))


def _in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 02-29 in a common year
        return date(year, 2, 28)


def _timezone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r}; use an IANA name such as UTC or Asia/Shanghai"
    return None


def cron_problem(expression: str, timezone: str) -> str | None:
    """Why a crontab expression is unusable, in APScheduler's words, or None."""
    try:
        CronTrigger.from_crontab(expression, timezone=timezone)
    except ValueError as exc:
        return f"invalid cron expression {expression!r} (minute hour day month weekday): {exc}"
    return None


def _job_problems(raw: dict, i: int, located: LocatedYaml, timezone: str) -> tuple[list, tuple[str, ...]]:
    """Checks JSON Schema cannot express; also the categories the job covers."""
    problems: list[tuple[int | None, str, str]] = []
    where = ("jobs", i)

    def add(key: str | None, message: str) -> None:
        path = (*where, key) if key else where
        problems.append((located.line_of(path), ".".join(map(str, path)), message))

    if bool(raw.get("site")) == bool(raw.get("url")):
        add(None, "give either site: (a site profile) or url: (a shop's start URL), not both")
    if ("cron" in raw) == ("interval_seconds" in raw):
        add(None, "give either cron: (e.g. \"0 2 * * *\") or interval_seconds:, not both")
    if "campaign_cron" in raw and "campaign_interval_seconds" in raw:
        add("campaign_interval_seconds", "give campaign_cron or campaign_interval_seconds, not both")
    for key in ("cron", "campaign_cron"):
        if key in raw:
            problem = cron_problem(raw[key], timezone)
            if problem:
                add(key, problem)
    covers: tuple[str, ...] = tuple(raw.get("categories") or ())
    if raw.get("confirmed") and (raw.get("categories") or raw.get("keywords")):
        add("confirmed", "a re-check of confirmed listings fetches those listings only; drop categories/keywords")
    if raw.get("url"):
        for key in ("categories", "keywords", "base_url", "confirmed"):
            if key in raw:
                add(key, "applies to site profiles, not to url: jobs")
    elif raw.get("site"):
        paths = profile_paths()
        if raw["site"] not in paths:
            add("site", f"no site profile named {raw['site']!r} (known: {', '.join(sorted(paths)) or 'none'})")
        else:
            try:
                profile = load_profile(paths[raw["site"]])
            except YamlError as exc:
                add("site", f"the profile {paths[raw['site']]} is invalid: {exc.render().splitlines()[0]}")
            else:
                known = set(profile.keywords) | ({profile.category} if profile.category else set())
                for j, category in enumerate(raw.get("categories") or ()):
                    if category not in known:
                        problems.append((located.line_of((*where, "categories", j)), f"jobs.{i}.categories.{j}",
                                         f"the profile {raw['site']} has no category {category!r} "
                                         f"(it has: {', '.join(sorted(known)) or 'none'})"))
                covers = covers or tuple(sorted(known))
    return problems, covers


def _semantic_problems(data: dict, located: LocatedYaml) -> tuple[list, dict]:
    problems: list[tuple[int | None, str, str]] = []
    settings = data.get("settings") or {}
    timezone = settings.get("timezone", DEFAULT_TIMEZONE)
    tz_problem = _timezone_problem(timezone)
    if tz_problem:
        problems.append((located.line_of(("settings", "timezone")), "settings.timezone", tz_problem))
        timezone = DEFAULT_TIMEZONE  # still check the cron expressions
    seen: dict[str, int] = {}
    covers: dict[int, tuple[str, ...]] = {}
    for i, raw in enumerate(data.get("jobs") or []):
        if raw["id"] in seen:
            problems.append((located.line_of(("jobs", i, "id")), f"jobs.{i}.id",
                             f"duplicate job id {raw['id']!r} (first at jobs.{seen[raw['id']]})"))
        seen.setdefault(raw["id"], i)
        job_problems, covers[i] = _job_problems(raw, i, located, timezone)
        problems += job_problems
    for i, raw in enumerate(data.get("campaigns") or []):
        dates = {}
        for key in ("start", "end"):
            try:
                dates[key] = _as_date(raw[key])
            except ValueError as exc:
                problems.append((located.line_of(("campaigns", i, key)), f"campaigns.{i}.{key}",
                                 f"expected a date like 2026-11-01: {exc}"))
        if len(dates) == 2 and _is_yearly(raw["start"]) != _is_yearly(raw["end"]):
            problems.append((located.line_of(("campaigns", i, "end")), f"campaigns.{i}.end",
                             "give both dates as MM-DD (every year) or both as YYYY-MM-DD (one year)"))
        elif len(dates) == 2 and dates["start"] > dates["end"] and not _is_yearly(raw["start"]):
            problems.append((located.line_of(("campaigns", i, "end")), f"campaigns.{i}.end",
                             f"ends ({dates['end']}) before it starts ({dates['start']})"))
    if "alerts" in data:  # judged by monitor.alerts, so one `monitor schedule --check` covers the whole file
        problems += located_alert_problems(located)
    return problems, covers


def load_config(path: str | os.PathLike | None = None) -> ScheduleConfig:
    """Load and validate ``monitor.yaml``; raises ``YamlError`` naming file, line and field."""
    path = resolve_config_path(path)
    located = load_located(path)
    data = located.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise YamlError(path, [(1, "", "the file must be a mapping with jobs: (and optionally settings:, "
                                        "campaigns:, alerts:)")])
    problems = [(line, fld, DURATION_MESSAGE if fld.endswith("time_limit") else message)
                for line, fld, message in schema_problems(located, SCHEMA)]
    covers: dict[int, tuple[str, ...]] = {}
    if not problems:
        problems, covers = _semantic_problems(data, located)
    if problems:
        raise YamlError(path, problems, "The schedule was not used. Fix the fields above; "
                                        "see README 'Scheduled crawls'.")
    settings = data.get("settings") or {}
    default_limit = parse_duration(settings.get("default_time_limit", DEFAULT_TIME_LIMIT))
    jobs = [_job_spec(raw, default_limit, covers.get(i, ()), located.line_of(("jobs", i)))
            for i, raw in enumerate(data.get("jobs") or [])]
    campaigns = [_campaign(raw) for raw in data.get("campaigns") or []]
    return ScheduleConfig(
        path=path,
        jobs=jobs,
        timezone=settings.get("timezone", DEFAULT_TIMEZONE),
        misfire_grace_seconds=settings.get("misfire_grace_seconds", DEFAULT_MISFIRE_GRACE),
        max_parallel=settings.get("max_parallel", DEFAULT_MAX_PARALLEL),
        kill_grace_seconds=settings.get("kill_grace_seconds", DEFAULT_KILL_GRACE),
        campaigns=campaigns,
        alerts=data.get("alerts"),
    )


def _job_spec(raw: dict, default_limit: int, covers: tuple[str, ...], line: int | None) -> JobSpec:
    """One validated job entry, its defaults filled in."""
    return JobSpec(
        id=raw["id"],
        site=raw.get("site"),
        url=raw.get("url"),
        categories=tuple(raw.get("categories") or ()),
        keywords=tuple(raw.get("keywords") or ()),
        cron=raw.get("cron"),
        interval_seconds=raw.get("interval_seconds"),
        campaign_cron=raw.get("campaign_cron"),
        campaign_interval_seconds=raw.get("campaign_interval_seconds"),
        max_pages=raw.get("max_pages"),
        time_limit=parse_duration(raw.get("time_limit", default_limit)),
        priority=raw.get("priority", DEFAULT_PRIORITY),
        base_url=raw.get("base_url"),
        allow_private=bool(raw.get("allow_private", False)),
        recheck=bool(raw.get("recheck", True)),
        confirmed=bool(raw.get("confirmed", False)),
        capture_flagged=bool(raw.get("capture_flagged", False)),
        enabled=bool(raw.get("enabled", True)),
        covers=covers,
        line=line,
    )


def _campaign(raw: dict) -> Campaign:
    return Campaign(name=raw["name"], start=_as_date(raw["start"]), end=_as_date(raw["end"]),
                    categories=tuple(raw.get("categories") or ()), marks=tuple(raw.get("marks") or ()),
                    yearly=_is_yearly(raw["start"]),
                    priority_boost=int(raw.get("priority_boost", DEFAULT_PRIORITY_BOOST)))
