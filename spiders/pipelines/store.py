"""Store listings in batches and record the crawl run: counts, errors, field coverage, status."""

from __future__ import annotations

import logging
from collections import Counter

from itemadapter import ItemAdapter
from scrapy import signals

from monitor.evidence.records import record_evidence
from monitor.ingest.write import listing_keys, write_batch
from monitor.listing import COVERAGE_FIELDS, Removal, is_filled
from monitor.scoring.active import active_engine, fallback_note
from monitor.store import finish_run, mark_stale_runs_interrupted, open_db, start_run
from monitor.store.db import checkpoint
from monitor.store.listings import SaveResult
from monitor.store.removals import record_removals
from monitor.store.runs import FAILURE_COUNTS
from spiders.pipelines.reasons import judge
from spiders.pipelines.scoring import ScoringWorker

logger = logging.getLogger(__name__)

# Scrapy's own stats for the failures a run counts (monitor.store.runs.FAILURE_COUNTS).
STAT_OF = {"retries_exhausted": "retry/max_reached", "robots_refused": "robotstxt/forbidden",
           "offsite_filtered": "offsite/filtered"}
# A download cancelled at DOWNLOAD_MAXSIZE (announced or streamed) ends as this exception, which
# Scrapy's DownloaderStats counts; nothing else in a crawl cancels a download.
SIZE_CAP_STAT = "downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError"
# A body over DOWNLOAD_MAXSIZE once decompressed is dropped by HttpCompressionMiddleware with a
# warning and an IgnoreRequest that no stat counts: the warning is counted (SizeCapLog).
DECOMPRESSION_LOGGER = "scrapy.downloadermiddlewares.httpcompression"


class SizeCapLog(logging.Handler):
    """Counts HttpCompressionMiddleware's "exceeded DOWNLOAD_MAXSIZE" warnings."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        if "DOWNLOAD_MAXSIZE" in record.getMessage():
            self.count += 1


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("MONITOR_DB")
        self.batch_size = settings.getint("MONITOR_STORE_BATCH", 200)
        self.buffer: list[dict] = []
        self.removal_buffer: list[dict] = []
        self.removed = 0
        self.saved = SaveResult()
        self.keys: set[tuple[str, str]] = set()
        self.filled = {name: 0 for name in COVERAGE_FIELDS}
        self.pages = 0
        self.callback_errors: list[str] = []
        self.items_failed = 0  # items a later pipeline raised on or dropped (item_error, item_dropped)
        self.size_cap_log = SizeCapLog()
        self.db = None
        self.run_id: int | None = None
        self.engine = None
        self.worker = None
        self.flag_outcomes = Counter()
        self.rules_problem: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        crawler.signals.connect(pipeline.item_failed, signal=signals.item_error)
        crawler.signals.connect(pipeline.item_failed, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # -- lifecycle ---------------------------------------------------------------------
    def open_spider(self):
        spider = self.crawler.spider
        logging.getLogger(DECOMPRESSION_LOGGER).addHandler(self.size_cap_log)
        self.db = open_db(self.db_path)
        stale = mark_stale_runs_interrupted(self.db)
        if stale:
            logger.warning("Marked runs %s as interrupted: their crawl process is gone", stale)
        self.run_id = start_run(
            self.db,
            site=getattr(spider, "site", spider.name),
            spider=spider.name,
            kind=getattr(spider, "kind", "profile"),
            args=getattr(spider, "run_args", {}),
            log_path=self.crawler.settings.get("LOG_FILE"),
        )
        spider.run_id = self.run_id
        self.crawler.stats.set_value("monitor/run_id", self.run_id)
        self.engine = self.load_engine()

    def load_engine(self):
        """Listings are scored as they are stored, by a scoring process beside the crawl (or
        in this process with MONITOR_SCORE_WORKER off); broken rules fall back to the last
        good ones."""
        settings = self.crawler.settings
        if not settings.getbool("MONITOR_SCORE", True):
            return None
        rules_dir = settings.get("MONITOR_RULES") or None
        if settings.getbool("MONITOR_SCORE_WORKER", True):
            self.worker = ScoringWorker(str(self.db.conn.execute("PRAGMA database_list").fetchone()[2]), rules_dir)
            return None
        engine, problem = active_engine(self.db, rules_dir)
        if problem is not None:
            self.rules_problem = fallback_note(engine.packs.version if engine else None, str(problem))
        return engine

    def response_received(self, response, request, spider):
        if not response.url.endswith("/robots.txt") and response.status < 400:
            self.pages += 1

    def spider_error(self, failure, response, spider):
        self.callback_errors.append(f"{response.url}: {failure.getErrorMessage()}")

    def item_failed(self, item, spider, **_kwargs):
        self.items_failed += 1

    def failures(self) -> dict[str, int]:
        """This crawl's FAILURE_COUNTS, from Scrapy's stats and what this pipeline saw."""
        stats = self.crawler.stats
        counts = {name: int(stats.get_value(stat, 0) or 0) for name, stat in STAT_OF.items()}
        counts["pages_dropped"] = int(stats.get_value(SIZE_CAP_STAT, 0) or 0) + self.size_cap_log.count
        refused = getattr(self.saved, "refused", 0)  # listings the store refused (invalid text)
        refused = refused if isinstance(refused, int) else len(refused or ())
        counts["items_failed"] = len(self.callback_errors) + self.items_failed + refused
        assert set(counts) == set(FAILURE_COUNTS)
        for name, value in counts.items():
            stats.set_value(f"monitor/{name}", value)
        return counts

    def process_item(self, item):
        if isinstance(item, Removal):
            self.removal_buffer.append(ItemAdapter(item).asdict())
            if len(self.removal_buffer) >= self.batch_size:
                self.flush()
            return item
        data = ItemAdapter(item).asdict()
        key = (data["site"], data["listing_id"])
        if key not in self.keys:
            self.keys.add(key)
            for name in COVERAGE_FIELDS:
                if is_filled(data.get(name)):
                    self.filled[name] += 1
        self.buffer.append(data)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self):
        if self.db is None:
            return
        if self.buffer:
            # Stored (and, with the engine in this process, scored) as `monitor import` stores
            # its batches. Scoring before the evidence rows are linked changes nothing: neither
            # reads the other, and the scoring process scores whenever it gets to a batch.
            saved, flags = write_batch(self.db, self.buffer, source="crawl", run_id=self.run_id, engine=self.engine)
            self.saved.add(saved)
            self.store_evidence(self.buffer)
            self.crawler.stats.inc_value("monitor/stored", len(self.buffer))
            if self.worker is not None:
                self.worker.send(listing_keys(self.buffer))
            elif self.engine is not None:
                self.flag_outcomes += flags
                self.crawler.stats.set_value("monitor/flags_raised", self.flag_outcomes["flagged"])
            self.buffer = []
        if self.removal_buffer:
            self.removed += record_removals(self.db, self.removal_buffer, run_id=self.run_id)
            self.store_evidence(self.removal_buffer)
            self.crawler.stats.set_value("monitor/removed", self.removed)
            self.removal_buffer = []

    def store_evidence(self, items: list[dict]) -> None:
        """Link the pages kept by the evidence middleware to their listings (after the listings
        are stored, so a new listing has its id)."""
        if any(i.get("evidence") for i in items):
            n = record_evidence(self.db, items, run_id=self.run_id,
                                user_agent=self.crawler.settings.get("USER_AGENT"))
            self.crawler.stats.inc_value("monitor/evidence_rows", n)

    def close_spider(self):
        self.flush()

    def spider_closed(self, spider, reason):
        if self.db is None or self.run_id is None:
            return
        self.flush()  # whatever the order of close_spider and this signal, nothing is left behind
        if self.worker is not None:
            outcomes, problem = self.worker.finish()
            if self.worker.peak_rss_kb:
                self.crawler.stats.set_value("monitor/scoring_peak_rss_kb", self.worker.peak_rss_kb)
                logger.info("Scoring process peak RSS: %.0f MiB", self.worker.peak_rss_kb / 1024)
            self.flag_outcomes += outcomes
            self.rules_problem = self.rules_problem or problem
            self.worker = None
        seen = len(self.keys)
        coverage = {name: round(count / seen, 4) for name, count in self.filled.items()} if seen else {}
        logging.getLogger(DECOMPRESSION_LOGGER).removeHandler(self.size_cap_log)
        errors = [*getattr(spider, "crawl_errors", []), *self.callback_errors]
        crawl_errors = len(errors)  # a broken rule pack, added next, is reported but degrades nothing
        if self.rules_problem:
            errors.append(self.rules_problem)
        threshold = getattr(getattr(spider, "profile", None), "coverage_threshold", 0.9)
        failures = self.failures()
        status, why, degraded = self.judge(reason, seen, errors, coverage, threshold,
                                           kind=getattr(spider, "kind", "profile"), failures=failures,
                                           crawl_errors=crawl_errors,
                                           robots_unreachable=int(self.crawler.stats.get_value("robotstxt/unreachable", 0) or 0))
        finish_run(
            self.db,
            self.run_id,
            status=status,
            finish_reason=why,
            pages=self.pages,
            listings_seen=seen,
            listings_new=self.saved.new,
            listings_changed=self.saved.changed,
            listings_removed=self.removed,
            flags_raised=self.flag_outcomes["flagged"],
            errors=errors,
            coverage=coverage,
            degraded_reason=degraded,
            failures=failures,
        )
        self.crawler.stats.set_value("monitor/run_status", status)
        # A crawl writes hundreds of batches; fold its WAL into the database while no one waits.
        logger.info("WAL checkpoint after the crawl: %s", checkpoint(self.db, "PASSIVE"))
        self.db.close()

    judge = staticmethod(judge)
