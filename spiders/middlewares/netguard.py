"""Refuse non-http(s) URLs and private, loopback or link-local hosts unless the site allows them."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from monitor.crawl.netguard import BlockedURL, check_url

logger = logging.getLogger(__name__)


class NetGuardMiddleware:
    def __init__(self, crawler, allow_private: bool):
        self.crawler = crawler
        self.allow_private_setting = allow_private
        self.cache: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getbool("MONITOR_ALLOW_PRIVATE"))

    async def process_request(self, request: Request):
        spider = self.crawler.spider
        allow = self.allow_private_setting or bool(getattr(spider, "allow_private", False))
        try:
            await check_url(request.url, allow_private=allow, cache=self.cache)
        except BlockedURL as exc:
            self.crawler.stats.inc_value("netguard/blocked")
            errors = getattr(spider, "crawl_errors", None)
            if errors is not None:
                errors.append(str(exc))
            logger.error(str(exc))
            raise IgnoreRequest(str(exc)) from None
        return None
