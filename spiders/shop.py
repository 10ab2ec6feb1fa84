"""The shop spider: crawl an unknown shop from one URL using structured data alone.

It follows the shop's sitemaps (from robots.txt and /sitemap.xml), product links and
pagination within the start URL's host, and stores every page that carries Product data.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from monitor.crawl.errors import describe_failure
from monitor.extract.page import extract_listing
from spiders.middlewares.evidence import META_KEY as EVIDENCE_KEY
from monitor.listing import Listing
from spiders.profile_spider import default_listing_id

# Links that usually lead to products or to the next page of a listing grid go first,
# so a page budget is spent on listings rather than on "about us" pages.
PRODUCT_HINT = re.compile(r"/(p|product|products|item|items|dp|goods|detail|sku)[/-]|[?&](id|item|sku)=|\.html?$", re.I)
PAGINATION_HINT = re.compile(r"[?&](page|p|pg|start|offset)=\d+|/page/\d+", re.I)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


class ShopSpider(scrapy.Spider):
    name = "shop"
    kind = "url"
    custom_settings = {"DEPTH_PRIORITY": 0}

    def __init__(self, url: str | None = None, max_pages=200, allow_private=None, site: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if not url or not re.match(r"^https?://", url):
            raise ValueError("give the shop's start URL: scrapy crawl shop -a url=https://shop.example/")
        self.start_url = url
        host = urlsplit(url).hostname or ""
        self.allowed_domains = [host]
        self.site = site or re.sub(r"^www\.", "", host)
        self.max_pages = int(max_pages)
        self.allow_private = str(allow_private).lower() in ("1", "true", "yes")
        self.crawl_errors: list[str] = []
        self.host = host
        # Filtered by host below: LinkExtractor's allow_domains misses hosts given with a port.
        self.links = LinkExtractor()
        self.run_args = {"url": url, "max_pages": self.max_pages}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The page budget; counted by Scrapy's CloseSpider extension over every response.
        crawler.settings.set("CLOSESPIDER_PAGECOUNT", spider.max_pages, priority="cmdline")
        return spider

    async def start(self) -> AsyncIterator[Any]:
        root = urljoin(self.start_url, "/")
        yield scrapy.Request(self.start_url, callback=self.parse_page, errback=self.on_error, priority=10)
        yield scrapy.Request(urljoin(root, "robots.txt"), callback=self.parse_robots, errback=self.ignore, priority=20)
        yield scrapy.Request(urljoin(root, "sitemap.xml"), callback=self.parse_sitemap, errback=self.ignore, priority=20)

    def parse_robots(self, response):
        for url in sitemap_urls_from_robots(response.text, base_url=response.url):
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.ignore, priority=20)

    def parse_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
            except ValueError:
                return
        try:
            sitemap = Sitemap(body)
        except Exception:  # not XML: a shop without a sitemap often answers with its home page
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.ignore, priority=20)
            else:
                yield scrapy.Request(loc, callback=self.parse_page, errback=self.on_error, priority=5)

    def parse_page(self, response):
        if not isinstance(response, TextResponse):
            return
        fields = extract_listing(response.text, response.url)
        # A product page: structured data gave at least a title and a price or brand/sku.
        if fields.get("title") and (fields.get("price") is not None or fields.get("sku") or fields.get("brand")):
            fields = {k: v for k, v in fields.items() if k in Listing.__dataclass_fields__}
            fields.pop("url", None)
            listing_id = fields.get("sku") or default_listing_id(response.url)
            yield Listing(site=self.site, listing_id=str(listing_id), url=response.url,
                          http_status=response.status, evidence=response.meta.get(EVIDENCE_KEY) or [], **fields)
        for link in self.links.extract_links(response):
            url = link.url
            if urlsplit(url).hostname != self.host:
                continue
            priority = 3 if PRODUCT_HINT.search(url) else 2 if PAGINATION_HINT.search(url) else 0
            yield scrapy.Request(url, callback=self.parse_page, errback=self.on_error, priority=priority)

    def ignore(self, failure):
        return None

    def on_error(self, failure):
        if failure.check(IgnoreRequest):
            return
        reason = describe_failure(failure)
        self.crawl_errors.append(f"{failure.request.url}: {reason}")
        self.logger.error("Failed %s: %s", failure.request.url, reason)
