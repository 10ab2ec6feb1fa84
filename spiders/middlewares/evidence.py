"""Keep every fetched page as evidence: request and response into the run's WARC file.

Sits next to the downloader (after the cache, before decompression), so the response is
recorded with the bytes and headers the server sent, and evidence requests are marked
``dont_cache`` so that a configured HTTP cache never stands in for a fresh capture. Where the
record landed goes into ``request.meta["monitor_evidence"]``; the spider copies it onto the
listing item and the store pipeline links it to the listing.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path

from scrapy import signals

from monitor.evidence.paths import evidence_root
from monitor.evidence.warcfile import RunWarc
from monitor.store import resolve_db_path

logger = logging.getLogger(__name__)

META_KEY = "monitor_evidence"


class EvidenceMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("MONITOR_EVIDENCE", True)
        self.root: Path = evidence_root(resolve_db_path(crawler.settings.get("MONITOR_DB")))
        self.user_agent = crawler.settings.get("USER_AGENT")
        self.warc: RunWarc | None = None

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _warc(self) -> RunWarc:
        if self.warc is None:
            spider = self.crawler.spider
            self.warc = RunWarc(self.root, getattr(spider, "site", spider.name), getattr(spider, "run_id", None),
                                self.user_agent)
        return self.warc

    def process_request(self, request):
        if self.enabled:
            request.meta["dont_cache"] = True
        return None

    def process_response(self, request, response):
        if not self.enabled or request.url.endswith("/robots.txt") or "cached" in response.flags:
            return response
        try:
            if "playwright" in response.flags:
                captured = self._warc().write_rendered(
                    url=response.url, html=response.body, status=response.status, response_headers=response.headers,
                    server_ip=str(response.ip_address) if response.ip_address else None,
                    screenshot=_screenshot(request), browser="chromium via scrapy-playwright")
            else:
                captured = [self._warc().write_exchange(
                    url=response.url, method=request.method, request_headers=request.headers,
                    request_body=request.body, status=response.status, reason=_reason(response.status),
                    protocol=response.protocol or "HTTP/1.1", response_headers=response.headers, body=response.body,
                    server_ip=str(response.ip_address) if response.ip_address else None)]
        except OSError as exc:  # a full disk must be loud, but must not lose the crawl's data
            logger.error("Evidence for %s was not written: %s", response.url, exc)
            self.crawler.stats.inc_value("monitor/evidence_errors")
            return response
        # A redirect or retry reaches the callback with the final response only; keep the last.
        request.meta[META_KEY] = [c.to_dict() for c in captured]
        self.crawler.stats.inc_value("monitor/evidence_records", len(captured))
        return response

    def spider_closed(self, spider):
        if self.warc is not None:
            self.warc.close()


def _screenshot(request) -> bytes | None:
    for method in request.meta.get("playwright_page_methods") or []:
        if getattr(method, "method", None) == "screenshot" and isinstance(getattr(method, "result", None), bytes):
            return method.result
    return None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
