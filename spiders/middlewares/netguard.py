"""Refuse non-http(s) URLs and private, loopback or link-local hosts unless the site allows them.

Host names are vetted where the connection is made, by ``spiders.resolver.GuardedResolver``
(TWISTED_DNS_RESOLVER): a check here, before the download resolves the name again, is what DNS
rebinding beats. This middleware refuses what needs no lookup (odd schemes, an address in the
URL), refuses at once the hosts the resolver already refused, and turns the resolver's
refusals and failed lookups into errors of the run that say what happened and how to allow it.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from twisted.internet.error import DNSLookupError

from monitor.crawl.browser import crawl_refusal
from monitor.crawl.netguard import BlockedURL, Policy, check_literal, parse_networks
from spiders.resolver import GUARD, GuardedResolver

logger = logging.getLogger(__name__)
DNS_ERRORS = (DNSLookupError, CannotResolveHostError)


class NetGuardMiddleware:
    def __init__(self, crawler, allow_private: bool, allowed_networks=()):
        self.crawler = crawler
        self.allow_private_setting = allow_private
        self.allowed = tuple(allowed_networks)
        self.guard = GUARD

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler, crawler.settings.getbool("MONITOR_ALLOW_PRIVATE"),
                         parse_networks(crawler.settings.get("MONITOR_ALLOWED_NETWORKS")))
        crawler.signals.connect(middleware.install_resolver, signal=signals.engine_started)
        return middleware

    def install_resolver(self) -> None:
        """Make the guarded resolver the reactor's, unless TWISTED_DNS_RESOLVER already did:
        with this middleware on, no download resolves a name unvetted. Not earlier: Scrapy
        installs TWISTED_DNS_RESOLVER when the reactor starts, after the middlewares exist."""
        # lazy: the installed reactor is only known once Scrapy has chosen it
        from twisted.internet import reactor

        if not isinstance(reactor.nameResolver, GuardedResolver):
            GuardedResolver.from_crawler(self.crawler, reactor).install_on_reactor()

    def policy(self) -> Policy:
        spider = self.crawler.spider
        allow = self.allow_private_setting or bool(getattr(spider, "allow_private", False))
        return Policy(allow_private=allow, allowed=self.allowed)

    def _refuse(self, message: str):
        spider = self.crawler.spider
        self.crawler.stats.inc_value("netguard/blocked")
        errors = getattr(spider, "crawl_errors", None)
        if errors is not None:
            errors.append(message)
        logger.error(message)
        raise IgnoreRequest(message) from None

    async def process_request(self, request: Request):
        self.install_resolver()
        try:
            host = check_literal(request.url, self.policy())
        except BlockedURL as exc:
            self._refuse(str(exc))
        refused = self.guard.refused.get(host)
        if refused and not self.policy().allow_private:
            self._refuse(f"{request.url}: {refused}")
        return None

    def process_response(self, request: Request, response):
        """A browser page the guard proxy refused (its 403, for a host it did refuse)."""
        if request.meta.get("playwright") and response.headers.get("X-Monitor-Netguard") == b"refused":
            reason = crawl_refusal(urlsplit(request.url).hostname or "")
            if reason:
                self._refuse(f"{request.url}: {reason}")
        return response

    def process_exception(self, request: Request, exception: BaseException):
        """After the retries: a DNS error the resolver explained, or a browser navigation the
        guard proxy refused (https: Chromium only says the tunnel failed), is reported in the
        guard's words (a refused name, or a lookup that failed: never a silent pass)."""
        host = urlsplit(request.url).hostname or ""
        if request.meta.get("playwright"):
            reason = crawl_refusal(host)
        elif isinstance(exception, DNS_ERRORS) or isinstance(exception.__cause__, DNS_ERRORS):
            reason = self.guard.reason(host)
        else:
            reason = None
        if reason:
            self._refuse(f"{request.url}: {reason}")
        return None
