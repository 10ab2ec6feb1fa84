"""Which URLs a crawl may fetch: http(s) only, and no private or local addresses unless allowed.

A scraped page chooses the links we follow; without this check a hostile listing could
point the crawler at a router's admin page or a cloud metadata endpoint.

The address check must be made on the address actually connected to: a check that
resolves the name first and lets the download resolve it again is beaten by DNS
rebinding (a public answer for the check, 127.0.0.1 a moment later for the connection).
So Scrapy's downloads resolve through ``spiders.resolver.GuardedResolver``, which looks a
name up once, vets every answer with ``vet_addresses`` and hands only vetted answers to
the connection; the browser goes through ``monitor.crawl.guardproxy``, a local proxy that
does the same. ``check_url`` (resolve, then check) remains for early, readable refusals.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Refused whatever the embedded address: ::/96 holds the deprecated IPv4-compatible
# addresses (RFC 4291 2.5.5.1; ::127.0.0.1 reaches 127.0.0.1 on some stacks) besides :: and
# ::1; 64:ff9b:1::/48 is the local-use NAT64 prefix (RFC 8215), whose IPv4 sits at a
# position only the local translator knows; fec0::/10 is the deprecated site-local range.
# Python 3.11's is_global calls all three global.
_NEVER_GLOBAL = tuple(ipaddress.ip_network(n) for n in ("::/96", "64:ff9b:1::/48", "fec0::/10"))
# Prefixes that carry an IPv4 address in their last 32 bits: the NAT64 well-known prefix
# (RFC 6052; a translator connects to the embedded address) and IPv4-translated addresses
# (RFC 2765).
_EMBED_LAST_32 = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "::ffff:0:0:0/96"))

ALLOW_HINT = ("If this site is meant to be crawled, set allow_private: true in its profile "
              "or pass --allow-private.")


class BlockedURL(Exception):
    """The URL must not be fetched; the message says why and how to allow it if intended."""


class LookupFailed(BlockedURL):
    """The host name could not be resolved, so there is no address that could be vetted."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses a connection to ``ip`` may end up at: IPv4-mapped, NAT64, 6to4, Teredo."""
    found = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if any(ip in net for net in _EMBED_LAST_32):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour:  # 2002:AABB:CCDD::/48 routes through the 6to4 relay at AA.BB.CC.DD
        found.append(ip.sixtofour)
    if ip.teredo:  # 2001::/32: the Teredo server and the (obfuscated) client address
        found.extend(ip.teredo)
    return found


def _is_private_ip(ip: Address) -> bool:
    if not ip.is_global or ip.is_multicast or ip.is_unspecified:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in _NEVER_GLOBAL):
            return True
        return any(_is_private_ip(inner) for inner in _embedded_ipv4(ip))
    return False


def parse_address(address: str) -> Address:
    """An IP address as the resolver or the URL gives it: brackets and a zone (``%eth0``) dropped."""
    return ipaddress.ip_address(address.strip("[]").split("%", 1)[0])


def is_private_address(address: str) -> bool:
    """Private, loopback, link-local, multicast, unspecified or reserved, also when an IPv6
    address embeds such an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo)."""
    return _is_private_ip(parse_address(address))


def parse_networks(value: str | Iterable[str] | None) -> tuple[Network, ...]:
    """The networks of MONITOR_ALLOWED_NETWORKS ("10.1.2.3/32, fd00::/8" or a list)."""
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    networks = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"MONITOR_ALLOWED_NETWORKS: {item!r} is not a network; write it as "
                             "10.1.2.0/24 or 10.1.2.3 (comma-separated)") from None
    return tuple(networks)


@dataclass(frozen=True)
class Policy:
    """What a crawl may connect to: public addresses, plus private ones if ``allow_private``,
    plus the operator's ``allowed`` networks (a shop on the intranet without opening all of it)."""

    allow_private: bool = False
    allowed: tuple[Network, ...] = ()

    def refused(self, addresses: Iterable[str]) -> list[str]:
        """The addresses among ``addresses`` this policy does not let a connection reach."""
        if self.allow_private:
            return []
        out = []
        for address in addresses:
            ip = parse_address(address)
            if _is_private_ip(ip) and not any(ip.version == n.version and ip in n for n in self.allowed):
                out.append(address)
        return out


def refusal_message(where: str, host: str, private: list[str]) -> str:
    return (f"{where}: {host} resolves to a private, loopback or link-local address ({', '.join(private)}); "
            f"refused. {ALLOW_HINT}")


def lookup_failure_message(where: str, host: str, reason: str) -> str:
    return (f"{where}: DNS lookup failed for {host} ({reason}); not fetched: no address could be "
            "checked. Check the host name and this machine's DNS.")


def vet_addresses(where: str, host: str, addresses: list[str], policy: Policy) -> list[str]:
    """The addresses, if every one may be connected to; else ``BlockedURL``. One private
    answer refuses the name: a hostile name server mixes a public and a private answer."""
    if not addresses:
        raise LookupFailed(lookup_failure_message(where, host, "no address in the answer"))
    private = policy.refused(addresses)
    if private:
        raise BlockedURL(refusal_message(where, host, private))
    return addresses


def check_scheme(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        raise BlockedURL(f"{url}: only http and https URLs are crawled, not {parts.scheme or 'no scheme'!r}")
    if not parts.hostname:
        raise BlockedURL(f"{url}: no host name in the URL")
    return parts.hostname


def literal_address(host: str) -> str | None:
    """The host as an IP address when the URL gives one (no DNS involved), else None."""
    try:
        return str(parse_address(host))
    except ValueError:
        return None


def check_literal(url: str, policy: Policy) -> str:
    """Scheme, and the address when the URL names one; names are vetted at connection time by
    the resolver. Returns the host."""
    host = check_scheme(url)
    literal = literal_address(host)
    if literal is not None:
        vet_addresses(url, host, [host.strip("[]")], policy)
    return host


async def resolve(host: str) -> list[str]:
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


async def check_url(url: str, *, allow_private: bool, cache: dict[str, list[str]] | None = None,
                    policy: Policy | None = None) -> None:
    """Raise ``BlockedURL`` when the URL may not be fetched, ``LookupFailed`` when its host
    cannot be resolved. A check before the connection: the connection itself must go through
    the guarded resolver or the guard proxy, which vet the address they connect to."""
    host = check_scheme(url)
    policy = policy or Policy(allow_private=allow_private)
    if policy.allow_private:
        return
    if cache is not None and host in cache:
        addresses = cache[host]
    else:
        try:
            addresses = await resolve(host)
        except OSError as exc:
            raise LookupFailed(lookup_failure_message(url, host, str(exc) or type(exc).__name__)) from None
        if cache is not None:
            cache[host] = addresses
    vet_addresses(url, host, addresses, policy)
