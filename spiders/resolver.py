"""The crawl's DNS resolver: each name is looked up once and its answers vetted before the
connection uses them (TWISTED_DNS_RESOLVER = "spiders.resolver.GuardedResolver").

A check that resolves a name and lets the download resolve it again is beaten by DNS
rebinding: the hostile name server answers the check with a public address and the
connection, a moment later, with 127.0.0.1. Here the address the connection gets is the
address that was checked. A name with any private, loopback or link-local answer (see
``monitor.crawl.netguard.is_private_address``) is refused: the connection gets no address,
Twisted fails it with a DNS lookup error, and the reason, with the host, the address and
how to allow it, is kept in ``GUARD`` for the network guard middleware to report. A failed
lookup is reported the same way, never passed.

Allowed per run: MONITOR_ALLOW_PRIVATE, or a spider whose ``allow_private`` is set (the
profile's ``allow_private``, ``monitor crawl --allow-private``); MONITOR_ALLOWED_NETWORKS
lets listed networks through without opening every private address. MONITOR_DNS_SERVERS
("127.0.0.1:5353") asks these name servers instead of the system's (the tests' hostile name
server; also for a deployment that must use a particular resolver).
"""

from __future__ import annotations

import logging
import socket
import urllib.parse
import urllib.request
from typing import Any

from twisted.internet import defer, threads
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from twisted.python.failure import Failure
from zope.interface import implementer

from monitor.crawl.netguard import (BlockedURL, LookupFailed, Policy, lookup_failure_message, parse_networks,
                                    parse_servers, query_name_servers, vet_addresses)

logger = logging.getLogger(__name__)
WHERE = "at connection time"


class GuardLog:
    """What the resolver refused, by host, for the middleware (one crawl per process)."""

    def __init__(self):
        self.refused: dict[str, str] = {}  # private answers: the host stays refused for the run
        self.failed: dict[str, str] = {}  # lookup failures: the next request looks the name up again

    def reason(self, host: str) -> str | None:
        return self.refused.get(host) or self.failed.get(host)


GUARD = GuardLog()


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # HostnameEndpoint never cancels a resolution
        pass


def _proxy_hosts() -> set[str]:
    """Proxies of the environment (http_proxy, ...): the operator's choice, not a page's, so
    their address is not refused. Through a proxy the target is resolved by the proxy."""
    hosts = set()
    for url in urllib.request.getproxies().values():
        host = urllib.parse.urlsplit(url if "://" in url else f"http://{url}").hostname
        if host:
            hosts.add(host)
    return hosts


@implementer(IHostnameResolver)
class GuardedResolver:
    def __init__(self, reactor, crawler_or_process, settings):
        self.reactor = reactor
        self.owner = crawler_or_process
        self.settings = settings
        self.timeout = settings.getfloat("DNS_TIMEOUT", 60)
        self.cache_size = settings.getint("DNSCACHE_SIZE", 10000) if settings.getbool("DNSCACHE_ENABLED", True) else 0
        self.cache: dict[str, list[str]] = {}
        self.waiting: dict[str, list[defer.Deferred]] = {}  # lookups in flight: one per name
        self.allowed = parse_networks(settings.get("MONITOR_ALLOWED_NETWORKS"))
        self.exempt = _proxy_hosts()
        self.servers = parse_servers(settings.get("MONITOR_DNS_SERVERS"))

    @classmethod
    def from_crawler(cls, crawler, reactor):
        # Scrapy builds the resolver from the CrawlerProcess (its settings are the project's).
        return cls(reactor, crawler, crawler.settings)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    # -- policy --------------------------------------------------------------------------
    def _crawlers(self) -> list:
        crawlers = getattr(self.owner, "crawlers", None)
        return list(crawlers) if crawlers is not None else [self.owner]

    def policy(self) -> Policy:
        allow = self.settings.getbool("MONITOR_ALLOW_PRIVATE")
        for crawler in self._crawlers():
            settings = getattr(crawler, "settings", None)
            if settings is not None and settings.getbool("MONITOR_ALLOW_PRIVATE"):
                allow = True
            if getattr(getattr(crawler, "spider", None), "allow_private", False):
                allow = True
        return Policy(allow_private=allow, allowed=self.allowed)

    # -- lookups -------------------------------------------------------------------------
    def _lookup(self, host: str) -> defer.Deferred:
        """getaddrinfo (the system's resolver), or the MONITOR_DNS_SERVERS, in a thread."""
        def lookup():
            if self.servers:
                return query_name_servers(host, self.servers, self.timeout)
            infos = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM)
            # In the system's order of preference (RFC 6724), each address once.
            return list(dict.fromkeys(info[4][0] for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)))
        return threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), lookup)

    def vetted(self, host: str) -> defer.Deferred:
        """Deferred list of the addresses a connection to ``host`` may use; fails with
        ``BlockedURL`` (its message says why and how to allow it) otherwise."""
        if host in self.cache:
            return defer.succeed(self.cache[host])
        if host in self.waiting:  # a lookup of this name is in flight: its answer, not a second one
            waiter: defer.Deferred = defer.Deferred()
            self.waiting[host].append(waiter)
            return waiter
        self.waiting[host] = []
        d = self._lookup(host)
        d.addTimeout(self.timeout, self.reactor)

        def failed(failure):
            if failure.check(BlockedURL):
                return failure
            reason = _lookup_reason(failure, self.timeout)
            raise LookupFailed(lookup_failure_message(WHERE, host, reason))

        def check(addresses: list[str]) -> list[str]:
            if host not in self.exempt:
                vet_addresses(WHERE, host, addresses, self.policy())
            if self.cache_size:
                if len(self.cache) >= self.cache_size:
                    self.cache.pop(next(iter(self.cache)))
                self.cache[host] = addresses
            GUARD.failed.pop(host, None)
            return addresses

        def share(result):
            for waiter in self.waiting.pop(host, []):
                (waiter.errback if isinstance(result, Failure) else waiter.callback)(result)
            return result
        return d.addCallbacks(check, failed).addBoth(share)

    def resolveHostName(self, resolutionReceiver, hostName: str, portNumber: int = 0,
                        addressTypes: Any = None, transportSemantics: str = "TCP"):
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)

        def deliver(addresses: list[str]) -> None:
            for address in addresses:
                cls = IPv6Address if ":" in address else IPv4Address
                if addressTypes and cls not in addressTypes:
                    continue
                resolutionReceiver.addressResolved(cls("TCP", address, portNumber))

        def refuse(failure) -> None:
            message = str(failure.value)
            (GUARD.failed if failure.check(LookupFailed) else GUARD.refused)[hostName] = message
            logger.warning("%s", message)  # the middleware reports it again, with the URL, as a run error

        d = self.vetted(hostName)
        d.addCallbacks(deliver, refuse)
        # No address: HostnameEndpoint fails the connection with a DNS lookup error.
        d.addBoth(lambda _: resolutionReceiver.resolutionComplete())
        return resolution


def _lookup_reason(failure, timeout: float) -> str:
    if failure.check(defer.TimeoutError):
        return f"no answer within {timeout:g} s (DNS_TIMEOUT)"
    return str(failure.value) or type(failure.value).__name__
