"""robots.txt obeyed as RFC 9309 says, and its Crawl-delay kept per host.

Scrapy's RobotsTxtMiddleware reads an unreachable robots.txt (5xx after retries, a reset, a
timeout) as "everything allowed" (``_robots_error`` stores no parser, and no parser lets every
request through). This one replaces its fetch and its reading of the answer with the shared
policy of ``monitor/crawl/robots.py`` (also the evidence capture's): 2xx parsed, 4xx allow
all, 5xx and network errors disallow all, at most 512 KiB parsed, five redirects followed
through the network guard (NetGuardMiddleware runs before this one on every hop).

Every refused request counts in ``robotstxt/forbidden`` (Scrapy's stat; an unreachable
robots.txt also counts each host in ``robotstxt/unreachable``), and an unreachable robots.txt
is a warning and one of the run's errors, so a run that fetched nothing says why.

A ``Crawl-delay`` becomes the host's download slot delay (at least DOWNLOAD_DELAY, at most
MONITOR_CRAWL_DELAY_MAX), without jitter (Scrapy's ±50% would go below it) and out of
AutoThrottle's hands (it would lower the delay again after a fast answer). When the crawl
closes (time limit, page budget), requests still waiting for their turn are let go, not sent.
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from monitor.crawl.errors import describe_failure
from monitor.crawl.robots import (
    ROBOTS_RETRIES,
    ROBOTS_TIMEOUT,
    RobotsRules,
    crawl_delay_max,
    host_delay,
    rules_for_status,
    unreachable,
    unreachable_warning,
)
from spiders.middlewares.slots import ClosingWatch

logger = logging.getLogger(__name__)


class RobotsMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.delay_floor = settings.getfloat("DOWNLOAD_DELAY")
        self.delay_max = settings.getfloat("MONITOR_CRAWL_DELAY_MAX", crawl_delay_max())
        self.timeout = min(settings.getfloat("DOWNLOAD_TIMEOUT"), ROBOTS_TIMEOUT)
        self._delay_told: set[str] = set()  # slot keys given the site's Crawl-delay
        # A long Crawl-delay must not hold the crawl open past its time limit (slots.py).
        self.watch = ClosingWatch(crawler, lambda: list(self._delay_told),
                                  why="the crawl closed while the request waited for the site's Crawl-delay",
                                  stat="robotstxt/crawl_delay_dropped")

    async def robot_parser(self, request: Request) -> RobotsRules:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = waiting = Deferred()
            rules = await self._fetch(f"{url.scheme}://{netloc}/robots.txt")
            self._parsers[netloc] = rules
            waiting.callback(rules)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            # Every waiter after the first gets the previous callback's result (None), not the
            # rules: read what the fetch stored once it is done.
            await maybe_deferred_to_future(parser)
            return self._parsers[netloc]
        return parser

    async def _fetch(self, robots_url: str) -> RobotsRules:
        stats = self._stats
        meta = {
            "dont_obey_robotstxt": True,
            "download_timeout": self.timeout,
            "max_retry_times": ROBOTS_RETRIES,
            # RFC 9309 2.3.1.2: redirects are followed across hosts too (each hop still guarded).
            "allow_offsite": True,
        }
        request = Request(robots_url, priority=self.DOWNLOAD_PRIORITY, meta=meta, callback=NO_CALLBACK)
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:  # the network guard refused a hop, or more than five redirects
            rules = unreachable(robots_url, f"not followed: {exc}")
        except Exception as exc:  # noqa: BLE001 - every failure to fetch means "unreachable"
            stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            rules = unreachable(robots_url, describe_failure(Failure(exc)))
        else:
            stats.inc_value("robotstxt/response_count")
            stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            rules = rules_for_status(robots_url, response.status, response.body)
        stats.inc_value("robotstxt/request_count")
        if not rules.reachable:
            stats.inc_value("robotstxt/unreachable")
            message = unreachable_warning(rules)
            logger.warning(message)
            errors = getattr(self.crawler.spider, "crawl_errors", None)
            if errors is not None:
                errors.append(message)
        elif rules.allow_all:
            logger.info("robots.txt %s: %s", robots_url, rules.why)
        return rules

    def process_request_2(self, rp: RobotsRules, request: Request) -> None:
        useragent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
        if not rp.allowed(request.url, useragent):
            logger.debug("Forbidden by robots.txt: %s (%s)", request, rp.refusal(request.url))
            self._stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(f"Forbidden by robots.txt: {rp.refusal(request.url)}")
        wanted = rp.crawl_delay(useragent)
        if wanted is not None:
            self._keep_crawl_delay(request, wanted)

    def _keep_crawl_delay(self, request: Request, wanted: float) -> None:
        delay, capped = host_delay(wanted, floor=self.delay_floor, ceiling=self.delay_max)
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        if key not in self._delay_told:
            self._delay_told.add(key)
            self.watch.start()
            if capped:
                self._stats.inc_value("robotstxt/crawl_delay_capped")
                logger.warning("robots.txt of %s asks Crawl-delay: %g s; waiting %g s between its pages, the "
                               "most MONITOR_CRAWL_DELAY_MAX allows (raise it to honour the site fully)",
                               key, wanted, delay)
            else:
                logger.info("robots.txt of %s asks Crawl-delay: %g s; keeping %g s between its pages",
                            key, wanted, delay)
        request.meta["autothrottle_dont_adjust_delay"] = True
        slot = downloader.slots.get(key)
        if slot is None:  # its robots.txt came through another slot, or the slot was collected idle
            downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, jitter=0.0)
            return
        slot.delay = max(slot.delay, delay)
        slot.jitter = 0.0
