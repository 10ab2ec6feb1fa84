"""Letting go of requests a host's slot holds back (a Crawl-delay, a Retry-After pause) once the crawl closes.

Scrapy waits for every request in progress before it closes a spider, and a request waiting in
a download slot's queue is in progress: with Crawl-delay 60 and eight requests queued, a crawl
at its time limit stayed open eight more minutes, and a Retry-After pause of an hour held it an
hour. Once the crawl is closing (time limit, page budget, SIGTERM), :class:`ClosingWatch` fails
the requests queued in those slots with IgnoreRequest (counted; nothing is sent to the host).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

WATCH_SECONDS = 0.5  # how often the watch looks whether the crawl is closing


def crawl_closing(crawler) -> bool:
    """The crawl is closing or stopped: nothing held back should keep it open."""
    engine = crawler.engine
    # Scrapy has no public "closing" flag; the engine slot's `closing` is what its own
    # needs_backout() reads. tests/faults/ (time-limit tests of test_robots and test_retry_after) pin it.
    slot = getattr(engine, "_slot", None)
    return not engine.running or (slot is not None and slot.closing is not None)


def drop_queued(crawler, key: str, why: str, stat: str) -> int:
    """Fail the requests waiting in slot ``key``'s queue (they passed every process_request)."""
    slot = crawler.engine.downloader.slots.get(key)
    dropped = 0
    while slot is not None and slot.queue:
        _queued, waiting = slot.queue.popleft()
        crawler.stats.inc_value(stat)
        waiting.errback(IgnoreRequest(f"not fetched: {why}"))
        dropped += 1
    return dropped


class ClosingWatch:
    """From :meth:`start` until the spider closes: once the crawl is closing, every tick, drop
    what waits in the slots ``holding()`` names (again each tick: a retried request may queue up)."""

    def __init__(self, crawler, holding: Callable[[], list[str]], *, why: str, stat: str):
        self.crawler = crawler
        self.holding = holding
        self.why = why
        self.stat = stat
        self.running = False
        self.closed = False
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)

    def _spider_closed(self, spider=None, reason=None) -> None:
        self.closed = True

    def start(self) -> None:
        if not self.running and not self.closed:
            self.running = True
            asyncio.ensure_future(self._watch())

    async def _watch(self) -> None:
        try:
            while not self.closed:
                if crawl_closing(self.crawler):
                    for key in self.holding():
                        drop_queued(self.crawler, key, self.why, self.stat)
                await asyncio.sleep(WATCH_SECONDS)
        finally:
            self.running = False
