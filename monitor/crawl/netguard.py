"""Which URLs a crawl may fetch: http(s) only, and no private or local addresses unless allowed.

A scraped page chooses the links we follow; without this check a hostile listing could
point the crawler at a router's admin page or a cloud metadata endpoint.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")


class BlockedURL(Exception):
    """The URL must not be fetched; the message says why and how to allow it if intended."""


def is_private_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_scheme(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        raise BlockedURL(f"{url}: only http and https URLs are crawled, not {parts.scheme or 'no scheme'!r}")
    if not parts.hostname:
        raise BlockedURL(f"{url}: no host name in the URL")
    return parts.hostname


async def resolve(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


async def check_url(url: str, *, allow_private: bool, cache: dict[str, list[str]] | None = None) -> None:
    """Raise ``BlockedURL`` when the URL may not be fetched. DNS failures pass through to the download."""
    host = check_scheme(url)
    if allow_private:
        return
    if cache is not None and host in cache:
        addresses = cache[host]
    else:
        try:
            addresses = await resolve(host)
        except OSError:
            return  # the download itself reports the DNS failure, with Scrapy's own message
        if cache is not None:
            cache[host] = addresses
    private = [a for a in addresses if is_private_address(a)]
    if private:
        raise BlockedURL(
            f"{url}: {host} resolves to a private, loopback or link-local address ({', '.join(private)}); "
            "refused. If this site is meant to be crawled, set allow_private: true in its profile "
            "or pass --allow-private."
        )
