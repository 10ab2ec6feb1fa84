"""Retries with exponential backoff, and a ``Retry-After`` that pauses the whole host.

A 429 or 503 with ``Retry-After`` (seconds or an HTTP date, RFC 9110 10.2.3) is the host
saying "not now", not "not this page": every request to that host waits, not only the retried
one. The pause is put on the host's download slot the moment the answer is downloaded
(``response_downloaded``, before Scrapy takes the slot's next request), so the requests
already queued in the slot wait too, and requests still on their way wait in
``process_request``.

A pause longer than ``MONITOR_RETRY_AFTER_MAX`` (default 3600 s) is not waited out, nor cut
short: the host is given up for the run (logged as an error of the run, its remaining requests
dropped and counted in ``retry_after/dropped``, the host in ``retry_after/hosts_given_up``); the
next run asks again. Waiting the maximum and then going on would fetch from a host sooner than
it asked. Retries that run out are Scrapy's ``retry/max_reached``. When the crawl closes
during a pause (time limit, SIGTERM), the requests it holds are let go, not sent
(``spiders/middlewares/slots.py``).

Other retried answers (5xx without Retry-After, 408, ...) wait RETRY_BACKOFF_BASE doubled per
retry (at most RETRY_BACKOFF_MAX) before the one request is tried again.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.response import response_status_message

from monitor.settings import env
from spiders.middlewares.slots import WATCH_SECONDS, ClosingWatch, crawl_closing, drop_queued

logger = logging.getLogger(__name__)

PAUSE_STATUSES = (429, 503)  # the answers whose Retry-After speaks for the whole host


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds from a Retry-After header: either delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("MONITOR_RETRY_AFTER_MAX", env("MONITOR_RETRY_AFTER_MAX"))
        self.paused_until: dict[str, float] = {}  # slot key -> time.monotonic() the pause ends
        self.given_up: dict[str, str] = {}  # slot key -> why

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        # A pause must not hold the crawl open past its time limit (spiders/middlewares/slots.py).
        middleware.watch = ClosingWatch(crawler, middleware._paused_keys,
                                        why="the crawl closed during the host's Retry-After pause",
                                        stat="retry_after/dropped")
        return middleware

    def _paused_keys(self) -> list[str]:
        now = time.monotonic()
        return [key for key, until in self.paused_until.items() if until > now]

    def _slot_key(self, request) -> str:
        return request.meta.get("download_slot") or self.crawler.engine.downloader.get_slot_key(request)

    def response_downloaded(self, response, request, spider=None) -> None:
        """Pause the slot before the downloader sends its next request to that host."""
        if response.status not in PAUSE_STATUSES:
            return
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if delay is None:
            return
        key = self._slot_key(request)
        if delay > self.retry_after_max:
            if key not in self.given_up:
                self._give_up(key, request, response, delay)
            return
        until = time.monotonic() + delay
        if until <= self.paused_until.get(key, 0.0):
            return
        self.paused_until[key] = until
        self.crawler.stats.inc_value("retry_after/pauses")
        self.crawler.stats.max_value("retry_after/longest_pause_seconds", delay)
        logger.info("%s answered %s with Retry-After: %g s; pausing every request to %s",
                    request.url, response.status, delay, key)
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None:
            # The slot's next request goes out `delay` after `lastseen` (its own download delay
            # on top, so never sooner than the host asked).
            slot.lastseen = max(slot.lastseen, until)
        self.watch.start()

    def _give_up(self, key: str, request, response, delay: float) -> None:
        why = (f"{key} asked to wait {delay:.0f} s (Retry-After on {request.url}, HTTP {response.status}), longer "
               f"than MONITOR_RETRY_AFTER_MAX ({self.retry_after_max:.0f} s): nothing more is fetched from it "
               f"in this run; the next run tries again (raise MONITOR_RETRY_AFTER_MAX to wait that long)")
        self.given_up[key] = why
        self.crawler.stats.inc_value("retry_after/hosts_given_up")
        logger.error(why)
        errors = getattr(self.crawler.spider, "crawl_errors", None)
        if errors is not None:
            errors.append(why)
        # Requests already queued in the slot fail here, later ones in process_request.
        drop_queued(self.crawler, key, why, "retry_after/dropped")

    async def process_request(self, request):
        key = self._slot_key(request)
        if key in self.given_up:
            self.crawler.stats.inc_value("retry_after/dropped")
            raise IgnoreRequest(f"not fetched: {self.given_up[key]}")
        while (wait := self.paused_until.get(key, 0.0) - time.monotonic()) > 0:
            if crawl_closing(self.crawler):
                self.crawler.stats.inc_value("retry_after/dropped")
                raise IgnoreRequest("not fetched: the crawl closed during the host's Retry-After pause")
            await asyncio.sleep(min(wait, WATCH_SECONDS))
        return None

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if self._slot_key(request) in self.given_up:
            return response  # the host asked for longer than we wait: no retry, nothing more
        retries = request.meta.get("retry_times", 0)
        new_request = get_retry_request(
            request,
            reason=response_status_message(response.status),
            spider=self.crawler.spider,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            stats_base_key="retry",
        )
        if new_request is None:
            return response
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if delay is not None and response.status in PAUSE_STATUSES:
            return new_request  # the slot's pause holds it (and every other request to the host)
        if delay is None:
            delay = self.backoff_base * (2**retries)
        delay = min(delay, self.backoff_max)
        self.crawler.stats.inc_value("retry/backoff_seconds", delay)
        await asyncio.sleep(delay)
        return new_request
