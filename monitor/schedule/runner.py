"""One scheduled crawl: a subprocess in its own process group, a time limit, a lock per job.

Why a subprocess: a Twisted reactor cannot restart, and a crawl that crashes, leaks memory
or hangs in a browser must not take the scheduler or the other crawls with it.

Why its own process group (``start_new_session``): a crawl has children (the scoring
process, Chromium for browser sites). Killing only the crawl would orphan them; killing
the group ends every process the crawl started, whatever they do with signals.

Why a lock file per job besides APScheduler's ``max_instances=1``: max_instances only
knows the jobs of its own scheduler. The lock (``flock``) also keeps a second scheduler
process, ``monitor schedule --once`` and a restarted scheduler from starting a crawl of a
job that is still running. The crawl process inherits the locked descriptor, so the lock
is held for exactly as long as the crawl lives, even if the scheduler that started it died;
the kernel releases it when the last holder exits, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import heapq
import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from monitor.listing import utc_now
from monitor.schedule import campaigns
from monitor.schedule.alerting import check_alerts
from monitor.schedule.config import JobSpec, ScheduleConfig
from monitor.schedule.history import record_event
from monitor.store import finish_run, mark_stale_runs_interrupted, open_db, start_run
from monitor.store.db import checkpoint, write_transaction
from monitor.store.runs import close_run, run_of_process, tag_run

logger = logging.getLogger("monitor.schedule")

OK_STATUSES = ("completed", "degraded")
POLL_SECONDS = 0.2


@dataclass
class JobResult:
    job: str
    outcome: str  # a run status (completed, degraded, failed, interrupted) or skipped_running
    run_id: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in (*OK_STATUSES, "skipped_running")


def job_lock_path(db_path: str | Path, job_id: str) -> Path:
    """Beside the database, so every scheduler of one database shares the locks."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.name}.job-{job_id}.lock")


class JobLock:
    """An exclusive ``flock`` on the job's lock file; the file names the holder for humans."""

    def __init__(self, path: Path):
        self.path = path
        self._file = None
        self.holder = ""

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            self.holder = handle.read().strip()
            handle.close()
            return False
        self._file = handle
        return True

    def note(self, text: str) -> None:
        self._file.seek(0)
        self._file.truncate()
        self._file.write(text + "\n")
        self._file.flush()

    def fileno(self) -> int:
        return self._file.fileno()

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # the lock goes with the last descriptor (the crawl's is gone by now)
            self._file = None


class CrawlSlots:
    """At most ``size`` crawls at once (two cores: more would only slow each other down);
    waiting crawls start by priority, then in order of arrival."""

    def __init__(self, size: int):
        self._free = size
        self._waiting: list[tuple[int, int]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()

    def acquire(self, priority: int, cancelled: threading.Event) -> bool:
        with self._cond:
            ticket = (-priority, next(self._order))
            heapq.heappush(self._waiting, ticket)
            try:
                while not (self._free > 0 and self._waiting[0] == ticket):
                    if cancelled.is_set():
                        return False
                    self._cond.wait(0.5)
                self._free -= 1
                return True
            finally:
                self._waiting.remove(ticket)
                heapq.heapify(self._waiting)
                self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._free += 1
            self._cond.notify_all()


def soft_time_limit(job: JobSpec, kill_grace: int) -> int:
    """When the crawl closes itself (Scrapy's CLOSESPIDER_TIMEOUT): ``kill_grace`` seconds before
    the hard limit, so that a slow but healthy crawl ends cleanly, keeping what it stored,
    before the scheduler has to kill it. It is also the bound that holds when no scheduler
    watches the crawl any more. A hung download keeps Scrapy from closing; the kill does not
    wait for it."""
    return max(1, job.time_limit - kill_grace)


def crawl_command(job: JobSpec, db_path: Path, trigger: str, kill_grace: int) -> list[str]:
    """`monitor crawl` for the job. The crawl itself records job and trigger on its run (so
    `monitor runs --job` shows it while it runs) and stops when its parent dies."""
    cmd = [sys.executable, "-m", "monitor", "--db", str(db_path), "crawl"]
    if job.site:
        cmd.append(job.site)
        for category in job.categories:
            cmd += ["--category", category]
        for keyword in job.keywords:
            cmd += ["--keyword", keyword]
        if job.base_url:
            cmd += ["--base-url", job.base_url]
        if job.confirmed:
            cmd.append("--confirmed")
        elif not job.recheck:
            cmd.append("--no-recheck")
    else:
        cmd += ["--url", job.url]
    if job.max_pages:
        cmd += ["--max-pages", str(job.max_pages)]
    if job.allow_private:
        cmd.append("--allow-private")
    cmd += ["--time-limit", str(soft_time_limit(job, kill_grace)), "--job", job.id, "--trigger", trigger,
            "--exit-with-parent"]
    return cmd


def capture_command(job: JobSpec, db_path: Path, run_id: int) -> list[str]:
    """`monitor evidence capture` for a run's newly flagged listings (a job with capture_flagged)."""
    cmd = [sys.executable, "-m", "monitor", "--db", str(db_path), "evidence", "capture", "--run", str(run_id)]
    if job.allow_private:
        cmd.append("--allow-private")
    return cmd


def _exited(pid: int) -> bool:
    """Has the process ended? Without reaping it: while it is a zombie its pid, and so its
    process group id, cannot be reused, so the group can still be killed safely."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _tail(path: Path, lines: int = 1) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return " | ".join(text.splitlines()[-lines:])


class JobRunner:
    """Runs jobs' crawls; shared by the scheduler's threads and by ``--once``."""

    def __init__(self, config: ScheduleConfig, db_path: str | Path):
        self.config = config
        self.db_path = Path(db_path).resolve()
        self.slots = CrawlSlots(config.max_parallel)
        self.stopping = threading.Event()  # set on SIGTERM: running crawls are ended, no new ones start
        self._running: dict[str, int] = {}
        self._guard = threading.Lock()

    @property
    def running(self) -> dict[str, int]:
        """job id -> crawl pid, for the crawls running now."""
        with self._guard:
            return dict(self._running)

    def _event(self, job: str, event: str, **kwargs) -> None:
        db = open_db(self.db_path)
        try:
            record_event(db, job, event, **kwargs)
        finally:
            db.close()

    def run(self, job: JobSpec, *, trigger: str = "schedule", scheduled_for: datetime | None = None) -> JobResult:
        if self.stopping.is_set():
            return JobResult(job.id, "interrupted", detail="the scheduler is stopping")
        lock = JobLock(job_lock_path(self.db_path, job.id))
        if not lock.acquire():
            detail = f"a crawl of this job is still running ({lock.holder or 'lock held'}); this firing is skipped"
            logger.warning("Job %s: %s", job.id, detail)
            self._event(job.id, "skipped_running", scheduled_for=scheduled_for, detail=detail)
            return JobResult(job.id, "skipped_running", detail=detail)
        try:
            if not self.slots.acquire(job.priority, self.stopping):
                detail = "not started: the scheduler stopped while the job waited for a crawl slot"
                self._event(job.id, "interrupted", scheduled_for=scheduled_for, detail=detail)
                return JobResult(job.id, "interrupted", detail=detail)
            try:
                return self._crawl(job, trigger, scheduled_for, lock)
            finally:
                self.slots.release()
        finally:
            lock.release()

    def _crawl(self, job: JobSpec, trigger: str, scheduled_for: datetime | None, lock: JobLock) -> JobResult:
        started_at = utc_now()
        logs = self.db_path.parent / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        # The crawl logs to its own run log; this file only catches what it prints (the summary,
        # or why it could not start), and is kept only when the run did not go well.
        out_path = logs / f"{started_at.replace(':', '').replace('-', '')}-job-{job.id}.out"
        with open(out_path, "wb") as out:
            proc = subprocess.Popen(crawl_command(job, self.db_path, trigger, self.config.kill_grace_seconds),
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True, pass_fds=(lock.fileno(),))
        lock.note(f"scheduler pid {os.getpid()}, crawl pid {proc.pid}, since {started_at}")
        with self._guard:
            self._running[job.id] = proc.pid
        logger.info("Job %s: crawl started (pid %s, trigger %s, time limit %s s)", job.id, proc.pid, trigger,
                    job.time_limit)
        self._event(job.id, "started", scheduled_for=scheduled_for, pid=proc.pid, detail=f"trigger {trigger}")
        try:
            why = self._wait(job, proc, started_at)
        finally:
            with self._guard:
                self._running.pop(job.id, None)
        return self._record(job, trigger, scheduled_for, proc, why, started_at, out_path)

    def _run_closed(self, pid: int, started_at: str) -> bool:
        """Has the crawl already closed its run (its work is done, only its process lingers)?"""
        db = open_db(self.db_path)
        try:
            run = run_of_process(db, pid, since=started_at)
        finally:
            db.close()
        return run is not None and run["status"] != "running"

    def _wait(self, job: JobSpec, proc: subprocess.Popen, started_at: str) -> str | None:
        """Wait for the crawl; end its whole group at the time limit or when the scheduler stops.
        Returns None, "timeout" or "stopped" ("lingered" when the crawl had already closed its
        run: its outcome stands, only the process is ended)."""
        deadline = time.monotonic() + job.time_limit
        grace = self.config.kill_grace_seconds
        why, kill_at = None, None
        while not _exited(proc.pid):
            now = time.monotonic()
            if why is None and (now >= deadline or self.stopping.is_set()):
                cause = "timeout" if now >= deadline else "stopped"
                why = "lingered" if self._run_closed(proc.pid, started_at) else cause
                logger.warning("Job %s: %s%s; sending SIGTERM to process group %s", job.id,
                               f"past its time limit of {job.time_limit} s" if cause == "timeout" else "scheduler stopping",
                               " (its run was already closed)" if why == "lingered" else "", proc.pid)
                _signal_group(proc.pid, signal.SIGTERM)  # Scrapy closes the run cleanly if it can
                kill_at = now + grace
            elif kill_at is not None and now >= kill_at:
                logger.warning("Job %s: still running %s s after SIGTERM; SIGKILL to process group %s",
                               job.id, grace, proc.pid)
                _signal_group(proc.pid, signal.SIGKILL)
                kill_at = float("inf")
            time.sleep(POLL_SECONDS)
        # The crawl has exited (not yet reaped, so its group id is still ours): whatever it left
        # behind in its group, a scoring process or a browser, goes with it.
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
        return why

    def _record(self, job: JobSpec, trigger: str, scheduled_for: datetime | None, proc: subprocess.Popen,
                why: str | None, started_at: str, out_path: Path) -> JobResult:
        db = open_db(self.db_path)
        try:
            run = run_of_process(db, proc.pid, since=started_at)
            if run is not None:
                tag_run(db, run["id"], job=job.id, trigger=trigger)  # again: the crawl may have died first
            if why == "timeout":
                status, reason, event = "failed", f"killed at its time limit of {job.time_limit} s", "killed_timeout"
            elif why == "stopped":
                status, reason, event = "interrupted", "the scheduler was stopped (SIGTERM) and ended the crawl", \
                    "interrupted"
            else:  # it ended by itself (or had closed its run before it was ended): its outcome stands
                status, reason, event = None, None, "finished"
            if run is None:
                # The crawl never opened a run (a bad profile, killed while starting): record one
                # anyway, so the history shows the failure where people look for it.
                run = self._placeholder_run(db, job, trigger, started_at, out_path,
                                            status or "failed",
                                            reason or f"the crawl exited with code {proc.returncode} before it "
                                                      f"started: {_tail(out_path) or 'no output'}")
            elif status is not None:
                close_run(db, run["id"], status=status, finish_reason=reason)
            elif run["status"] == "running":
                mark_stale_runs_interrupted(db)  # it died without closing its run (killed, crashed)
            run = db["crawl_runs"].get(run["id"])
            detail = f"{run['status']}" + (f": {run['finish_reason']}" if run["status"] not in OK_STATUSES
                                           and run.get("finish_reason") else "")
            if why == "lingered":
                detail += "; the crawl had closed its run, its process was ended while it exited"
            record_event(db, job.id, event, scheduled_for=scheduled_for, run_id=run["id"], pid=proc.pid,
                         detail=detail)
        finally:
            db.close()
        if run["status"] in OK_STATUSES:
            out_path.unlink(missing_ok=True)
        logger.info("Job %s: run %s %s", job.id, run["id"], detail)
        check_alerts(self.config, self.db_path)  # a failed or degraded run is news at once
        campaigns.refresh(self.config, self.db_path)  # the run's new flags join their campaign
        if job.capture_flagged and run["status"] in OK_STATUSES and not self.stopping.is_set():
            self._capture_flagged(job, run["id"])  # still holding the job's lock and crawl slot
        return JobResult(job.id, run["status"], run["id"], detail)

    def _capture_flagged(self, job: JobSpec, run_id: int) -> None:
        """Screenshots of the run's newly flagged listings (`monitor evidence capture --run`), in
        a process group of its own, ended like a crawl at the job's time limit or when the
        scheduler stops. Whatever goes wrong is logged; the run's outcome stands."""
        try:
            stamp = utc_now().replace(":", "").replace("-", "")
            out_path = self.db_path.parent / "logs" / f"{stamp}-job-{job.id}-capture-run-{run_id}.out"
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with open(out_path, "wb") as out:
                proc = subprocess.Popen(capture_command(job, self.db_path, run_id), stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            logger.info("Job %s: capturing the newly flagged listings of run %s (pid %s)", job.id, run_id, proc.pid)
            deadline = time.monotonic() + job.time_limit
            grace = self.config.kill_grace_seconds
            ended, kill_at = None, None
            while not _exited(proc.pid):
                now = time.monotonic()
                if ended is None and (now >= deadline or self.stopping.is_set()):
                    ended = f"ended at its time limit of {job.time_limit} s" if now >= deadline \
                        else "ended: the scheduler is stopping"
                    _signal_group(proc.pid, signal.SIGTERM)
                    kill_at = now + grace
                elif kill_at is not None and now >= kill_at:
                    _signal_group(proc.pid, signal.SIGKILL)
                    kill_at = float("inf")
                time.sleep(POLL_SECONDS)
            # Whatever is left in its group; Chromium (a group of its own) exits with its driver.
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
            summary = _tail(out_path) or "no output"
            if ended is None and proc.returncode == 0:
                logger.info("Job %s: capture of run %s: %s", job.id, run_id, summary)
                out_path.unlink(missing_ok=True)
            else:
                logger.warning("Job %s: capture of run %s %s: %s (output kept in %s)", job.id, run_id,
                               ended or f"exited with code {proc.returncode}", summary, out_path)
        except Exception:  # noqa: BLE001 - a capture problem must never stop the scheduler
            logger.exception("Job %s: the capture of run %s could not run", job.id, run_id)

    def _placeholder_run(self, db, job: JobSpec, trigger: str, started_at: str, out_path: Path, status: str,
                         reason: str) -> dict:
        site = job.site or (urlsplit(job.url).hostname or "shop").removeprefix("www.")
        run_id = start_run(db, site=site, spider=job.site or "shop", kind="profile" if job.site else "url",
                           args={"job": job.id}, log_path=str(out_path))
        finish_run(db, run_id, status=status, finish_reason=reason)
        tag_run(db, run_id, job=job.id, trigger=trigger)
        with write_transaction(db):
            db["crawl_runs"].update(run_id, {"started_at": started_at})
        return db["crawl_runs"].get(run_id)


def recover_interrupted_runs(db_path: str | Path, when: str = "at scheduler start") -> list[int]:
    """At scheduler start and on its timer: runs left 'running' by a crawl whose process is gone
    (the scheduler, or the machine, died under it) become interrupted, and their jobs say so."""
    db = open_db(db_path)
    try:
        stale = mark_stale_runs_interrupted(db)
        for run_id in stale:
            run = db["crawl_runs"].get(run_id)
            if run.get("job"):
                record_event(db, run["job"], "interrupted", run_id=run_id, pid=run.get("pid"),
                             detail=f"the crawl process was gone {when}; run marked interrupted")
        return stale
    finally:
        db.close()


def checkpoint_store(db_path: str | Path) -> None:
    """Fold the write-ahead log back into the database and empty it (see monitor.store.db);
    from the scheduler's timer, so that a store that is never idle still gets its WAL emptied.
    Never raises."""
    try:
        db = open_db(db_path)
        try:
            result = checkpoint(db, "TRUNCATE")
        finally:
            db.close()
    except Exception:  # noqa: BLE001 - a checkpoint problem must never stop the scheduler
        logger.exception("Checkpointing the store's write-ahead log failed")
        return
    if result.busy:
        logger.info("WAL checkpoint: %s", result)
