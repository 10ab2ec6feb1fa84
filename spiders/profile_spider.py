"""The profile spider: search, paginate and read listings as a site profile describes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from w3lib.url import add_or_replace_parameter

from monitor.crawl import browser
from monitor.crawl.profile import Profile
from monitor.crawl.errors import describe_failure
from monitor.extract.page import extract_listing
from monitor.extract.selectors import apply_selectors
from monitor.listing import Listing, Removal
from monitor.store import open_db
from monitor.store.removals import confirmed_to_recheck, listings_to_recheck
from spiders.browser import apply_browser_settings, browser_meta
from spiders.middlewares.evidence import META_KEY as EVIDENCE_KEY

CATEGORY_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _as_list(value: Any) -> list[str]:
    """Scrapy's -a arguments arrive as strings: "a,b" means two values."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def default_listing_id(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.strip("/") or "/"
    return f"{path}?{parts.query}" if parts.query else path


class ProfileSpider(scrapy.Spider):
    """Base class; ``spiders.sites`` makes one subclass per profile, named after the site."""

    profile: Profile
    kind = "profile"

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        p = cls.profile
        settings.set("ROBOTSTXT_OBEY", p.obey_robots, priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", p.concurrency, priority="spider")
        settings.set("AUTOTHROTTLE_ENABLED", p.autothrottle, priority="spider")
        if p.download_delay is not None:
            settings.set("DOWNLOAD_DELAY", p.download_delay, priority="spider")
        if p.user_agent:
            settings.set("USER_AGENT", p.user_agent, priority="spider")
        if p.render == "browser":
            apply_browser_settings(settings)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.evidence = crawler.settings.getbool("MONITOR_EVIDENCE", True)
        crawler.signals.connect(spider.recheck_unseen, signal=signals.spider_idle)
        return spider

    def __init__(self, category=None, keyword=None, max_pages=None, base_url=None, allow_private=None,
                 recheck=True, confirmed=None, listing_url=None, **kwargs):
        super().__init__(**kwargs)
        profile = type(self).profile
        if base_url:
            profile = profile.with_base_url(base_url)
        self.profile = profile
        self.site = profile.site
        self.allowed_domains = list(profile.allowed_domains)
        self.allow_private = profile.allow_private or str(allow_private).lower() in ("1", "true", "yes")
        if profile.render == "browser":
            browser.ALLOW_PRIVATE = self.allow_private  # the page's own sub-requests (see abort_heavy_resources)
        self.categories = _as_list(category)
        self.keywords = _as_list(keyword)
        self.max_pages = int(max_pages) if max_pages else profile.max_pages
        unknown = [c for c in self.categories if c not in profile.keywords and c != profile.category]
        if unknown:
            raise ValueError(
                f"profile {profile.path} has no keywords for categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(unknown)}; it knows: {', '.join(sorted(profile.keywords)) or 'none'}"
            )
        self.crawl_errors: list[str] = []
        # A keyword search is a spot check, not a census: listings it did not meet are not missing.
        self.recheck = str(recheck).lower() not in ("0", "false", "no") and not self.keywords
        self.rechecked = False
        # Follow-up of reported listings: fetch only the listings with a confirmed verdict.
        self.confirmed_only = str(confirmed).lower() in ("1", "true", "yes")
        if self.confirmed_only:
            self.kind = "recheck"
            self.recheck = False
        # One listing page only (a complaint names it: monitor/casework/complaints_crawl.py):
        # no search, and no recheck of the others, which this run did not set out to meet.
        self.listing_url = listing_url or None
        if self.listing_url:
            self.recheck = False
        self.run_args = {
            "categories": self.categories,
            "keywords": self.keywords,
            "max_pages": self.max_pages,
            "base_url": profile.base_url,
            "profile": str(profile.path),
            **({"confirmed": True} if self.confirmed_only else {}),
            **({"listing_url": self.listing_url} if self.listing_url else {}),
        }

    # -- planning ------------------------------------------------------------------------
    def search_plan(self) -> list[tuple[str | None, str]]:
        """(category, keyword) pairs to search: --keyword overrides the profile's keywords."""
        p = self.profile
        if not p.search_url:
            return []
        categories = self.categories or list(p.keywords)
        if self.keywords:
            category = categories[0] if len(categories) == 1 else None
            return [(category, k) for k in self.keywords]
        return [(c, k) for c in categories for k in p.keywords.get(c, [])]

    def request(self, url: str, callback, *, wait_for: str | None = None, **meta) -> scrapy.Request:
        if self.profile.render == "browser":
            meta.update(browser_meta(wait_for, screenshot=callback == self.parse_listing and getattr(self, "evidence", False)))
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    async def start(self) -> AsyncIterator[Any]:
        p = self.profile
        if self.listing_url:
            yield self.request(self.listing_url, self.parse_listing, wait_for=p.wait_for_listing,
                               category=p.category)
            return
        if self.confirmed_only:
            for request in self.confirmed_requests():
                yield request
            return
        if not self.keywords and (not self.categories or p.category in self.categories):
            for url in p.start_urls:
                yield self.request(url, self.parse_results, wait_for=p.wait_for_results, category=p.category, page=1)
        for category, keyword in self.search_plan():
            url = p.search_url.replace("{keyword}", quote(keyword))
            yield self.request(url, self.parse_results, wait_for=p.wait_for_results,
                               category=category, keyword=keyword, page=1)

    # -- pages ---------------------------------------------------------------------------
    def parse_results(self, response):
        p = self.profile
        page = response.meta.get("page", 1)
        carry = {"category": response.meta.get("category"), "keyword": response.meta.get("keyword")}
        links = apply_selectors(response.selector, response.url, {"links": {**p.listing_links, "all": True}}).get("links") or []
        for link in links:
            yield self.request(response.urljoin(link), self.parse_listing, wait_for=p.wait_for_listing, **carry)
        if page >= self.max_pages or not links:
            return
        next_url = None
        if p.next_page:
            found = apply_selectors(response.selector, response.url, {"next": p.next_page}).get("next")
            next_url = response.urljoin(found) if found else None
        elif p.page_param:
            next_url = add_or_replace_parameter(response.url, p.page_param, str(page + 1))
        if next_url:
            yield self.request(next_url, self.parse_results, wait_for=p.wait_for_results, page=page + 1, **carry)

    def recheck_unseen(self):
        """When the search is done, revisit known listings this run did not meet.

        That is how a removal shows up: the listing's page answers 404/410 or the shop's
        "item gone" page, recorded as an observation. Bounded by MONITOR_RECHECK_LIMIT.
        """
        if not self.recheck or self.rechecked or getattr(self, "run_id", None) is None:
            return
        self.rechecked = True
        limit = self.settings.getint("MONITOR_RECHECK_LIMIT", 200)
        if limit <= 0:
            return
        db = open_db(self.settings.get("MONITOR_DB"), migrate=False)
        try:
            rows = listings_to_recheck(db, self.site, run_id=self.run_id, categories=self.categories or None,
                                       limit=limit)
        finally:
            db.close()
        for row in rows:
            request = self.request(row["url"], self.parse_listing, wait_for=self.profile.wait_for_listing,
                                   category=row["category"], recheck=row["listing_id"],
                                   handle_httpstatus_list=[404, 410])
            self.crawler.engine.crawl(request)
        if rows:
            self.crawler.stats.set_value("monitor/rechecked", len(rows))
            raise DontCloseSpider

    def confirmed_requests(self) -> list[scrapy.Request]:
        """One request per confirmed listing of the site; a 404/410 or the profile's item_gone
        page records a removal, a live page a new observation (changed or not)."""
        limit = self.settings.getint("MONITOR_CONFIRMED_RECHECK_LIMIT", 1000)
        db = open_db(self.settings.get("MONITOR_DB"), migrate=False)
        try:
            rows = confirmed_to_recheck(db, self.site, limit=limit)
        finally:
            db.close()
        self.crawler.stats.set_value("monitor/rechecked", len(rows))
        return [self.request(row["url"], self.parse_listing, wait_for=self.profile.wait_for_listing,
                             category=row["category"], recheck=row["listing_id"], handle_httpstatus_list=[404, 410])
                for row in rows]

    def is_gone(self, response) -> bool:
        gone = self.profile.item_gone or {}
        if gone.get("text") and gone["text"] in response.text:
            return True
        return bool(gone.get("css") and response.css(gone["css"]))

    def listing_id(self, response) -> str:
        spec = self.profile.listing_id
        if spec and "url_regex" in spec:
            match = re.search(spec["url_regex"], response.url)
            if match:
                return match.group(1)
        elif spec:
            found = apply_selectors(response.selector, response.url, {"id": spec}).get("id")
            if found:
                return str(found).strip()
        return default_listing_id(response.url)

    def parse_listing(self, response):
        if response.status in (404, 410) or self.is_gone(response):
            self.crawler.stats.inc_value("monitor/listings_gone")
            if response.meta.get("recheck"):
                yield Removal(site=self.site, listing_id=response.meta["recheck"], url=response.url,
                              http_status=response.status, evidence=response.meta.get(EVIDENCE_KEY) or [])
            return
        p = self.profile
        fields = extract_listing(response.text, response.url, fields=p.fields, number_format=p.number_format)
        category = fields.get("category")
        if not (isinstance(category, str) and CATEGORY_ID.match(category)):
            fields["category"] = response.meta.get("category") or p.category
        fields = {k: v for k, v in fields.items() if k in Listing.__dataclass_fields__}
        fields.pop("url", None)
        yield Listing(site=self.site, listing_id=self.listing_id(response), url=response.url,
                      http_status=response.status, evidence=response.meta.get(EVIDENCE_KEY) or [], **fields)

    def on_error(self, failure):
        if failure.check(IgnoreRequest):
            return  # robots.txt or the network guard; the guard records its own reason
        request = failure.request
        reason = describe_failure(failure)
        self.crawl_errors.append(f"{request.url}: {reason}")
        self.logger.error("Failed %s: %s", request.url, reason)
