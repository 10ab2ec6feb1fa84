"""When a job fires: cron or interval, more often inside campaign windows, and when it is "due".

"Due" (used by ``monitor schedule --once`` and shown by ``monitor jobs``): a job is due when
a fire time of its schedule lies after the start of its last recorded run and not after now
(the run that fire time asked for has not happened yet). A job that has never run is due
when its schedule fired in the last 7 days (an interval job: at once), so a seasonal job
(cron months 3-9) does not run out of season on the first ``--once``.
For ``interval_seconds: N`` the fire times are counted from the last run: due once N seconds
have passed since it started. Runs of any outcome count, so a failed crawl is retried at
the next fire time, not in a loop.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.schedule.config import JobSpec, ScheduleConfig

_TICK = timedelta(microseconds=1)


def campaign_windows(job: JobSpec, config: ScheduleConfig) -> list[tuple[datetime, datetime]]:
    """[start, end) of each campaign covering the job, from midnight to midnight in the config's zone."""
    tz = ZoneInfo(config.timezone)
    today = datetime.now(tz).date()
    windows = [
        (datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz))
        for c in config.campaigns_for(job) for start, end in c.windows(today)
    ]
    return sorted(windows)


def _has_campaign_schedule(job: JobSpec) -> bool:
    return bool(job.campaign_cron or job.campaign_interval_seconds)


class CampaignTrigger(BaseTrigger):
    """Fires on the job's own schedule, and also on its campaign schedule inside campaign windows.

    The union rather than a switch: a campaign only ever adds crawls. Pickled into the job
    store like APScheduler's own triggers, so it is a plain module-level class.
    """

    def __init__(self, base: BaseTrigger, campaign: BaseTrigger, windows: list[tuple[datetime, datetime]]):
        self.base = base
        self.campaign = campaign
        self.windows = windows

    def get_next_fire_time(self, previous_fire_time, now):
        candidates = [self.base.get_next_fire_time(previous_fire_time, now), self._in_window(previous_fire_time, now)]
        candidates = [c for c in candidates if c is not None]
        return min(candidates) if candidates else None

    def _in_window(self, previous_fire_time, now):
        # Always strictly after the previous fire time, so APScheduler's catch-up loop ends.
        start = previous_fire_time + _TICK if previous_fire_time else now
        for window_start, window_end in self.windows:
            if window_end <= start:
                continue
            fire = self.campaign.get_next_fire_time(None, max(start, window_start))
            if fire is not None and fire < window_end:
                return fire
        return None

    def __str__(self):
        return f"campaign[{self.base}; {self.campaign} in {len(self.windows)} window(s)]"


def _single(cron: str | None, seconds: int | None, tz: ZoneInfo) -> BaseTrigger:
    if cron:
        return CronTrigger.from_crontab(cron, timezone=tz)
    return IntervalTrigger(seconds=seconds, timezone=tz)


def build_trigger(job: JobSpec, config: ScheduleConfig) -> BaseTrigger:
    tz = ZoneInfo(config.timezone)
    base = _single(job.cron, job.interval_seconds, tz)
    windows = campaign_windows(job, config)
    if _has_campaign_schedule(job) and windows:
        return CampaignTrigger(base, _single(job.campaign_cron, job.campaign_interval_seconds, tz), windows)
    return base


def schedule_fingerprint(job: JobSpec, config: ScheduleConfig) -> str:
    """Changes exactly when the job's fire times change; kept with the stored job so that a
    restart keeps an unchanged job's pending fire time (and so its catch-up) but starts a
    changed one afresh."""
    windows = campaign_windows(job, config) if _has_campaign_schedule(job) else []
    text = repr((job.cron, job.interval_seconds, job.campaign_cron, job.campaign_interval_seconds,
                 config.timezone, [(a.isoformat(), b.isoformat()) for a, b in windows]))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def next_fire_after(job: JobSpec, config: ScheduleConfig, after: datetime) -> datetime | None:
    """The first fire time strictly after ``after`` (an interval counts from ``after``)."""
    tz = ZoneInfo(config.timezone)
    after = after.astimezone(tz)
    if job.cron:
        base = CronTrigger.from_crontab(job.cron, timezone=tz).get_next_fire_time(None, after + _TICK)
    else:
        base = after + timedelta(seconds=job.interval_seconds)
    candidates = [base] if base else []
    if _has_campaign_schedule(job):
        for window_start, window_end in campaign_windows(job, config):
            if window_end <= after:
                continue
            if job.campaign_cron:
                fire = CronTrigger.from_crontab(job.campaign_cron, timezone=tz).get_next_fire_time(
                    None, max(after + _TICK, window_start))
            else:
                fire = max(after + timedelta(seconds=job.campaign_interval_seconds), window_start)
            if fire is not None and fire < window_end:
                candidates.append(fire)
                break
    return min(candidates) if candidates else None


# A job that has never run is due when its schedule fired within this long: a nightly job runs
# on the first `--once`, a seasonal one (March to September) waits for its season.
NEW_JOB_LOOKBACK = timedelta(days=7)


def is_due(job: JobSpec, config: ScheduleConfig, last_run_at: datetime | None, now: datetime | None = None) -> bool:
    """See the module docstring."""
    now = now or datetime.now(timezone.utc)
    if last_run_at is None:
        if job.interval_seconds and not job.cron:
            return True
        fire = next_fire_after(job, config, now - NEW_JOB_LOOKBACK)
        return fire is not None and fire <= now
    fire = next_fire_after(job, config, last_run_at)
    return fire is not None and fire <= now


def parse_utc(text: str | None) -> datetime | None:
    """The store's timestamps (``2026-11-24T02:00:00Z``) as aware datetimes."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
