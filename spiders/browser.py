"""Settings and request meta for pages rendered in Chromium through scrapy-playwright."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from monitor.crawl.browser import crawl_connected, crawl_proxy, find_chromium, launch_options
from monitor.crawl.netguard import parse_networks, parse_servers

PLAYWRIGHT_HANDLER = "spiders.browser.GuardedPlaywrightHandler"


class GuardedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright, with the server address the guard proxy connected to: through the
    proxy Playwright reports the proxy's own address (127.0.0.1), which the evidence must not
    record as the shop's (WARC-IP-Address)."""

    async def _download_request(self, request, spider=None):
        response = await super()._download_request(request, spider)
        address = crawl_connected(urlsplit(response.url).hostname or "")
        if address:
            response = response.replace(ip_address=ipaddress.ip_address(address))
        return response
WAIT_TIMEOUT_MS = 15_000


def apply_browser_settings(settings: BaseSettings, priority: str = "spider") -> None:
    """Route downloads through scrapy-playwright. Only requests with meta playwright=True use
    the browser; the rest still go through Scrapy's own HTTP handler. Chromium connects only
    through the crawl's guard proxy (``monitor.crawl.browser.GuardProxy``), which vets each
    address where the connection is made, as the crawl's resolver does for Scrapy."""
    executable = find_chromium(settings.get("MONITOR_CHROMIUM"))
    proxy = crawl_proxy(servers=parse_servers(settings.get("MONITOR_DNS_SERVERS")),
                        allowed=parse_networks(settings.get("MONITOR_ALLOWED_NETWORKS")))
    settings.set(
        "DOWNLOAD_HANDLERS",
        {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
        priority=priority,
    )
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority=priority)
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(executable, proxy=proxy.url), priority=priority)


def browser_meta(wait_for: str | None, screenshot: bool = False) -> dict:
    methods = [PageMethod("wait_for_selector", wait_for, timeout=WAIT_TIMEOUT_MS)] if wait_for else []
    if screenshot:  # evidence: the whole page as rendered, after it is ready
        methods.append(PageMethod("screenshot", full_page=True, type="png", animations="disabled"))
    # playwright_include_page stays False: scrapy-playwright then closes every page itself,
    # on success and on error, so no page or context outlives its request.
    return {"playwright": True, "playwright_page_methods": methods}
