"""``monitor schedule``: APScheduler in the foreground, as a service; and ``--once``.

APScheduler 3.11's BackgroundScheduler fires the jobs; the main thread only waits for
SIGTERM/SIGINT. Its settings, and why:

- job store in its own SQLite file (``jobstore.py``), jobs added under their config ids with
  ``replace_existing=True``: a restart updates the jobs instead of adding copies;
- ``coalesce=True``: fire times missed while the scheduler was down run once, not once each;
- ``misfire_grace_time`` of minutes (``settings.misfire_grace_seconds``, 900 s by default): a catch-up run after
  a short outage is useful, yesterday's crawl run at noon is not (it is recorded as missed);
- ``max_instances=1``: a job whose crawl is still running is skipped (recorded), never doubled;
  the per-job lock file extends that across processes (``runner.py``).

A restart keeps each unchanged job's stored next fire time (a changed schedule starts
afresh), so what fell due during the outage is caught up or recorded as missed.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.schedule import campaigns
from monitor.schedule.alerting import CHECK_EVERY_SECONDS, check_alerts, startup_problems
from monitor.schedule.config import JobSpec, ScheduleConfig
from monitor.schedule.history import iso_utc, last_started_at, record_event
from monitor.schedule.jobstore import SQLiteJobStore, jobstore_path
from monitor.schedule.runner import JobResult, JobRunner, checkpoint_store, recover_interrupted_runs
from monitor.schedule.triggers import build_trigger, is_due, next_fire_after, parse_utc, schedule_fingerprint
from monitor.store import open_db

logger = logging.getLogger("monitor.schedule")

# The service of this process. APScheduler stores a job's function as a textual reference
# ("monitor.schedule.service:fire"), so the function is module-level and finds its
# service here.
_ACTIVE: "ScheduleService | None" = None
_fire_time = threading.local()
MAX_CATCH_UP_SCAN = 10_000
# How often the running scheduler looks for runs whose crawl process is gone: one indexed query.
SWEEP_EVERY_SECONDS = 60


def fire(job_id: str, schedule: str | None = None) -> None:
    """The function every stored job calls. ``schedule`` is the job's fingerprint, kept in the
    job store so that a restart can tell an unchanged schedule from a changed one."""
    service = _ACTIVE
    if service is None:
        raise RuntimeError("no schedule service is running in this process")
    service.fire(job_id, getattr(_fire_time, "value", None))


def _run_with_fire_time(job, jobstore_alias, run_times, logger_name):
    # APScheduler does not pass the scheduled fire time to the job function; the job events
    # record it (scheduled_for) and it tells a catch-up run from an ordinary one.
    _fire_time.value = run_times[-1] if run_times else None
    try:
        return run_job(job, jobstore_alias, run_times, logger_name)
    finally:
        _fire_time.value = None


class CrawlExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, passing each run's fire time to ``fire``."""

    def _do_submit_job(self, job, run_times):
        def callback(f):
            exc = f.exception()
            if exc:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, f.result())

        self._pool.submit(_run_with_fire_time, job, job._jobstore_alias, run_times, self._logger.name) \
            .add_done_callback(callback)


class ScheduleService:
    def __init__(self, config: ScheduleConfig, db_path: str | Path):
        self.config = config
        self.db_path = Path(db_path).resolve()
        self.runner = JobRunner(config, self.db_path)
        self.jobs = {job.id: job for job in config.enabled_jobs}
        self.started_at: datetime | None = None
        self.scheduler: BackgroundScheduler | None = None
        self.problems: list[tuple[str, str]] = []  # what runs degraded (startup_problems), alerted daily
        self._stop = threading.Event()

    # -- the scheduler's side ------------------------------------------------------------
    def fire(self, job_id: str, scheduled_for: datetime | None) -> None:
        job = self.jobs.get(job_id)
        if job is None:
            logger.warning("Job %s fired but is not in %s any more; ignored", job_id, self.config.path)
            return
        catch_up = scheduled_for is not None and self.started_at is not None and scheduled_for < self.started_at
        self.runner.run(job, trigger="catch-up" if catch_up else "schedule", scheduled_for=scheduled_for)

    def _on_event(self, event) -> None:
        db = open_db(self.db_path)
        try:
            if event.code == EVENT_JOB_MAX_INSTANCES:
                detail = ("the job's previous firing is still running or waiting for a crawl slot (max_instances=1); "
                          "this firing is skipped")
                logger.warning("Job %s: %s", event.job_id, detail)
                record_event(db, event.job_id, "skipped_running", scheduled_for=event.scheduled_run_times[-1],
                             detail=detail)
            elif event.code == EVENT_JOB_MISSED:
                late = (datetime.now(timezone.utc) - event.scheduled_run_time).total_seconds()
                record_event(db, event.job_id, "missed", scheduled_for=event.scheduled_run_time,
                             detail=f"missed by {late:.0f} s, more than the grace of "
                                    f"{self.config.misfire_grace_seconds} s; not run")
            elif event.code == EVENT_JOB_ERROR:
                logger.error("Job %s failed in the scheduler: %r\n%s", event.job_id, event.exception, event.traceback)
        finally:
            db.close()

    # -- start and stop ------------------------------------------------------------------
    def start(self) -> None:
        global _ACTIVE
        _ACTIVE = self
        stale = recover_interrupted_runs(self.db_path)
        if stale:
            logger.warning("Runs %s were left running by a crawl that is gone; marked interrupted", stale)
        self.problems = startup_problems(self.config)
        if self.problems:
            check_alerts(self.config, self.db_path, self.problems)
        campaigns.refresh(self.config, self.db_path)
        tz = ZoneInfo(self.config.timezone)
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLiteJobStore(jobstore_path(self.db_path))},
            # One thread per job at most (max_instances=1); the crawl slots bound the processes.
            executors={"default": CrawlExecutor(max_workers=max(1, len(self.jobs)))},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": self.config.misfire_grace_seconds},
            timezone=tz,
        )
        self.scheduler.add_listener(self._on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        # Paused: the store is open, nothing fires until the jobs are brought in line with the file.
        self.scheduler.start(paused=True)
        self.started_at = datetime.now(timezone.utc)
        self._sync_jobs()
        self.scheduler.resume()
        for job in self.scheduler.get_jobs():
            logger.info("Job %s: next run %s", job.id, job.next_run_time)

    def _sync_jobs(self) -> None:
        stored = {job.id: job for job in self.scheduler.get_jobs()}
        now = datetime.now(timezone.utc)
        for job_id in set(stored) - set(self.jobs):
            logger.info("Job %s is no longer in %s; removed from the schedule", job_id, self.config.path)
            self.scheduler.remove_job(job_id)
        for job in self.jobs.values():
            trigger = build_trigger(job, self.config)
            fingerprint = schedule_fingerprint(job, self.config)
            old = stored.get(job.id)
            if old is not None and old.kwargs.get("schedule") == fingerprint and old.next_run_time is not None:
                next_run = old.next_run_time
                self._record_skipped_fire_times(job, trigger, next_run, now)
            else:
                next_run = trigger.get_next_fire_time(None, now)
            self.scheduler.add_job(fire, trigger=trigger, id=job.id, name=job.id,
                                   kwargs={"job_id": job.id, "schedule": fingerprint},
                                   replace_existing=True, next_run_time=next_run)

    def _record_skipped_fire_times(self, job: JobSpec, trigger, next_run: datetime, now: datetime) -> None:
        """Fire times that passed while no scheduler ran. APScheduler, coalescing, judges only the
        latest (a catch-up run within the grace, else a missed event); the earlier ones would
        vanish without a trace, so they are recorded here as one missed event."""
        times, moment = [], next_run
        while moment is not None and moment <= now and len(times) < MAX_CATCH_UP_SCAN:
            times.append(moment)
            moment = trigger.get_next_fire_time(moment, now)
        earlier = times[:-1]
        if earlier:
            db = open_db(self.db_path)
            try:
                record_event(db, job.id, "missed", scheduled_for=earlier[-1],
                             detail=f"{len(earlier)} fire time(s) from {iso_utc(earlier[0])} to {iso_utc(earlier[-1])} "
                                    "passed while no scheduler was running; coalesced into at most one catch-up run")
            finally:
                db.close()

    def request_stop(self, *_args) -> None:
        self._stop.set()

    def serve(self) -> None:
        """Run until SIGTERM or SIGINT, then stop cleanly."""
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        self.start()
        logger.info("Scheduler running with %d job(s) from %s; job store %s", len(self.jobs), self.config.path,
                    jobstore_path(self.db_path))
        self.loop()
        self.stop()

    def loop(self) -> None:
        """The main thread's work until a stop is requested: the timers (runs whose crawl is gone,
        alerts, campaign windows, WAL checkpoints); the jobs fire in APScheduler's threads."""
        next_alert_check = time.monotonic() + CHECK_EVERY_SECONDS
        next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
        while not self._stop.wait(1.0):
            if time.monotonic() >= next_sweep:
                self.sweep()
                next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
            if time.monotonic() >= next_alert_check:
                check_alerts(self.config, self.db_path, self.problems)
                campaigns.refresh(self.config, self.db_path)  # windows open and close at midnight
                checkpoint_store(self.db_path)
                next_alert_check = time.monotonic() + CHECK_EVERY_SECONDS

    def sweep(self) -> list[int]:
        """Runs left 'running' by a crawl that is gone (killed by hand, the OOM killer, a crash
        of a crawl started outside this scheduler) become interrupted and their jobs say so:
        on the timer, not only when the next crawl starts. Never raises: the scheduler keeps
        running."""
        try:
            stale = recover_interrupted_runs(self.db_path, when="while the scheduler ran")
        except Exception:  # noqa: BLE001 - a locked or broken store must not stop the scheduler
            logger.exception("Looking for runs whose crawl is gone failed")
            return []
        if stale:
            logger.warning("Runs %s were left running by a crawl that is gone; marked interrupted", stale)
        return stale

    def stop(self) -> None:
        """No new firings; the running crawls' groups get SIGTERM, then SIGKILL after the grace,
        and their runs are recorded as interrupted before this returns."""
        global _ACTIVE
        if self.scheduler is None:
            return
        running = self.runner.running
        logger.info("Stopping the scheduler%s", f"; ending crawls {running}" if running else "")
        self.scheduler.pause()
        self.runner.stopping.set()
        self.scheduler.shutdown(wait=True)
        self.scheduler = None
        _ACTIVE = None


def due_jobs(config: ScheduleConfig, db_path: str | Path, now: datetime | None = None) -> list[tuple[JobSpec, datetime | None]]:
    """The enabled jobs that are due (see ``triggers``), highest priority first, each with the
    fire time that made it due (None for a job that never ran)."""
    now = now or datetime.now(timezone.utc)
    db = open_db(db_path)
    try:
        due = []
        for job in config.enabled_jobs:
            last = parse_utc(last_started_at(db, job.id))
            if is_due(job, config, last, now):
                due.append((job, next_fire_after(job, config, last) if last else None))
    finally:
        db.close()
    return sorted(due, key=lambda pair: -pair[0].priority)


def run_now(config: ScheduleConfig, db_path: str | Path, jobs: list[tuple[JobSpec, datetime | None]],
            trigger: str) -> list[JobResult]:
    """Run these jobs now, up to max_parallel at once, and wait; SIGTERM/SIGINT end them as
    interrupted. ``monitor schedule --once`` and ``--run``."""
    recover_interrupted_runs(db_path)
    problems = startup_problems(config)
    if problems:
        check_alerts(config, db_path, problems)
    runner = JobRunner(config, db_path)
    results: dict[str, JobResult] = {}

    def work(job: JobSpec, scheduled_for: datetime | None) -> None:
        try:
            results[job.id] = runner.run(job, trigger=trigger, scheduled_for=scheduled_for)
        except Exception as exc:  # a broken database must not leave the other jobs unwaited
            logger.exception("Job %s failed", job.id)
            results[job.id] = JobResult(job.id, "failed", detail=str(exc))

    previous = {sig: signal.signal(sig, lambda *_: runner.stopping.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        threads = [threading.Thread(target=work, args=pair, name=f"job-{pair[0].id}") for pair in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)  # short joins: the main thread must stay free to take signals
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return [results[job.id] for job, _ in jobs if job.id in results]
