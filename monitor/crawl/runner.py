"""Running one crawl in this process and reading back its run record.

A Twisted reactor cannot be restarted, so each crawl gets its own process: `monitor crawl`
is that process, and the demo and the scheduler start it as a subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.listing import utc_now
from monitor.store import open_db, resolve_db_path
from monitor.store.db import private_dir
from monitor.store.runs import FAILURE_COUNTS, failure_counts, failure_text, mark_stale_runs_interrupted, tag_run


@dataclass
class CrawlOutcome:
    run: dict[str, Any] | None
    stats: dict[str, Any]
    log_path: Path | None = None

    @property
    def ok(self) -> bool:
        return bool(self.run) and self.run["status"] in ("completed", "degraded")


def project_settings(db_path: Path, *, log_file: Path | None, log_level: str, extra: dict | None = None):
    # lazy: Scrapy (and Twisted) cost ~0.5 s; `monitor runs` imports this module only to read runs
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.set("MONITOR_DB", str(db_path), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if log_file:
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        settings.set("LOG_FILE_APPEND", False, priority="cmdline")
    for key, value in (extra or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_log_path(db_path: Path, site: str) -> Path:
    """Logs live beside the database, one file per crawl, linked from the run record."""
    folder = private_dir(db_path.parent / "logs")  # logs quote pages and URLs: the store's owner only
    stamp = utc_now().replace(":", "").replace("-", "")
    return folder / f"{stamp}-{site}-{os.getpid()}.log"


def run_crawl(spider_cls, spider_kwargs: dict[str, Any], *, db_path: str | os.PathLike | None,
              verbose: bool = False, extra_settings: dict | None = None, site: str = "crawl",
              job: str | None = None, trigger: str | None = None, time_limit: int | None = None,
              exit_with_parent: bool = False) -> CrawlOutcome:
    # lazy: Scrapy (and Twisted) cost ~0.5 s; `monitor runs` imports this module only to read runs
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    path = resolve_db_path(db_path)
    db = open_db(path)  # create and migrate before Scrapy starts, so errors surface plainly
    try:
        # Runs of crawls that died (any site's) are closed by the next start, even one whose
        # spider never opens (a Scrapy start-up error); the store pipeline looks again.
        mark_stale_runs_interrupted(db)
    finally:
        db.close()
    log_file = None if verbose else run_log_path(path, site)
    extra = dict(extra_settings or {})
    if time_limit:
        # Scrapy closes the spider itself at this age, keeping what it stored: the bound that
        # holds even when nobody watches the process (the scheduler kills it harder, later).
        extra["CLOSESPIDER_TIMEOUT"] = time_limit
    settings = project_settings(path, log_file=log_file, log_level="DEBUG" if verbose else "INFO",
                                extra=extra)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    if job or trigger:
        # The store pipeline opens the run before spider_opened is sent; tag it at once so that
        # `monitor runs --job` shows a scheduled run while it is still going.
        def tag(spider):
            run_id = getattr(spider, "run_id", None)
            if run_id is not None:
                db = open_db(path)
                try:
                    tag_run(db, run_id, job=job, trigger=trigger)
                finally:
                    db.close()

        crawler.signals.connect(tag, signal=signals.spider_opened)
    if exit_with_parent:
        watch_parent()
    process.crawl(crawler, **spider_kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    run_id = stats.get("monitor/run_id")
    run = None
    if run_id is not None:
        db = open_db(path)
        run = db["crawl_runs"].get(run_id)
        db.close()
    return CrawlOutcome(run=run, stats=stats, log_path=log_file)


PARENT_POLL_SECONDS = 1.0
PARENT_GONE_KILL_SECONDS = 60.0


def watch_parent() -> None:
    """End this crawl when the process that started it dies (a scheduler killed with SIGKILL).

    The scheduler starts each crawl in a session of its own so that it can kill the crawl's
    whole process group; the price is that the crawl outlives a scheduler that dies without
    cleaning up. A thread notices that the parent is gone (this process is re-parented) and
    asks the crawl to stop as Ctrl-C would, so the run is closed as interrupted; if the crawl
    is still alive a minute later its process group is killed and the next scheduler start
    marks the run interrupted.
    """
    parent = os.getppid()
    main_thread = threading.main_thread().ident

    def watch():
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        # To the main thread: a signal taken by this thread would not wake the reactor.
        signal.pthread_kill(main_thread, signal.SIGTERM)
        time.sleep(PARENT_GONE_KILL_SECONDS)
        if os.getpgid(0) == os.getpid():  # never kill a group we do not lead (a user's shell)
            os.killpg(os.getpid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def run_summary_rows(run: dict[str, Any]) -> list[tuple[str, str]]:
    coverage = json.loads(run.get("coverage") or "{}")
    errors = json.loads(run.get("error_messages") or "[]")
    rows = [
        ("run", str(run["id"])),
        ("site", run["site"]),
        *([("job", f"{run['job']} ({run.get('trigger') or 'manual'})")] if run.get("job") else []),
        ("status", run["status"]),
        ("pages", str(run.get("pages") or 0)),
        ("listings", f"{run.get('listings_seen') or 0} seen, {run.get('listings_new') or 0} new, "
                     f"{run.get('listings_changed') or 0} changed, {run.get('listings_removed') or 0} removed"),
        ("coverage", ", ".join(f"{k} {v:.0%}" for k, v in sorted(coverage.items())) or "-"),
        ("flags", f"{run.get('flags_raised') or 0} raised"),
        ("errors", str(run.get("errors") or 0)),
        ("failures", failures_summary(run)),
    ]
    if run.get("degraded_reason"):
        rows.append(("degraded", run["degraded_reason"]))
    if run["status"] in ("failed", "interrupted") and run.get("finish_reason"):
        rows.append(("reason", run["finish_reason"]))
    rows += [("error", e) for e in errors[:5]]
    if run.get("log_path"):
        rows.append(("log", run["log_path"]))
    return rows


def failures_summary(run: dict[str, Any]) -> str:
    """The run's failure counts in words with their sources; "none", or "-" for a run from before
    they were counted."""
    if all(run.get(name) is None for name in FAILURE_COUNTS):
        return "-"
    return failure_text(failure_counts(run), sources=True) or "none"
