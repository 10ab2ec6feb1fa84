"""Which URLs a crawl may fetch: http(s) only, and no private or local addresses unless allowed.

A scraped page chooses the links we follow; without this check a hostile listing could
point the crawler at a router's admin page or a cloud metadata endpoint.

The address check must be made on the address actually connected to: a check that
resolves the name first and lets the download resolve it again is beaten by DNS
rebinding (a public answer for the check, 127.0.0.1 a moment later for the connection).
So Scrapy's downloads resolve through ``spiders.resolver.GuardedResolver``, which looks a
name up once, vets every answer with ``vet_addresses`` and hands only vetted answers to
the connection; the browser goes through ``monitor.crawl.browser.GuardProxy``, a local
proxy that does the same. ``check_url`` (resolve, then check) remains for early, readable refusals.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import struct
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
    return list(dict.fromkeys(info[4][0] for info in infos))  # the system's order of preference


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
        except (OSError, UnicodeError) as exc:  # UnicodeError: a label IDNA cannot encode (over 63 characters)
            raise LookupFailed(lookup_failure_message(url, host, str(exc) or type(exc).__name__)) from None
        if cache is not None:
            cache[host] = addresses
    vet_addresses(url, host, addresses, policy)


# -- asking a given name server (MONITOR_DNS_SERVERS) -------------------------------------------

_RCODES = {1: "the name server could not read the query (FORMERR)", 2: "the name server failed (SERVFAIL)",
           3: "no such host name (NXDOMAIN)", 4: "the name server does not implement the query (NOTIMP)",
           5: "the name server refused the query (REFUSED)"}
_A, _AAAA = 1, 28


def parse_servers(value) -> list[tuple[str, int]]:
    """MONITOR_DNS_SERVERS: "127.0.0.1:5353, 10.0.0.53" (port 53 unless given)."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    servers = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        host, port = (item.rsplit(":", 1) if item.count(":") == 1 else (item, "53"))
        if not port.isdigit() or literal_address(host) is None:
            raise ValueError(f"MONITOR_DNS_SERVERS: {item!r} is not ADDRESS[:PORT] (for example 127.0.0.1:53)")
        servers.append((literal_address(host), int(port)))
    return servers


def _skip_name(packet: bytes, at: int) -> int:
    while True:
        length = packet[at]
        if length & 0xC0 == 0xC0:  # a compression pointer ends the name
            return at + 2
        if length == 0:
            return at + 1
        at += 1 + length


def _query(host: str, qtype: int, server: tuple[str, int], timeout: float) -> list[str]:
    query_id = int.from_bytes(os.urandom(2), "big")
    name = b"".join(bytes([len(label)]) + label for label in host.rstrip(".").encode("idna").split(b".")) + b"\0"
    packet = struct.pack("!HHHHHH", query_id, 0x0100, 1, 0, 0, 0) + name + struct.pack("!HH", qtype, 1)
    family = socket.AF_INET6 if ":" in server[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect(server)
        sock.send(packet)
        while True:
            answer = sock.recv(4096)
            if len(answer) >= 12 and struct.unpack("!H", answer[:2])[0] == query_id:
                break  # anything else is a stray or spoofed datagram
    _, flags, qdcount, ancount, _, _ = struct.unpack("!HHHHHH", answer[:12])
    if flags & 0xF:
        raise OSError(_RCODES.get(flags & 0xF, f"the name server answered with error code {flags & 0xF}"))
    at = 12
    for _ in range(qdcount):
        at = _skip_name(answer, at) + 4
    found = []
    for _ in range(ancount):
        at = _skip_name(answer, at)
        rtype, _, _, length = struct.unpack("!HHIH", answer[at: at + 10])
        data = answer[at + 10: at + 10 + length]
        at += 10 + length
        if rtype == _A and length == 4:
            found.append(socket.inet_ntop(socket.AF_INET, data))
        elif rtype == _AAAA and length == 16:
            found.append(socket.inet_ntop(socket.AF_INET6, data))
    return found


def query_name_servers(host: str, servers: list[tuple[str, int]], timeout: float) -> list[str]:
    """The A and AAAA answers for ``host`` from the first of ``servers`` that answers (UDP;
    blocking, so run it in a thread). ``OSError`` says why none did."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    last: OSError = OSError("no name server configured")
    for server in servers:
        try:
            found = _query(host, _A, server, timeout)
            try:
                found += _query(host, _AAAA, server, timeout)
            except OSError:
                pass  # an A answer is enough; some servers fail AAAA queries
            return list(dict.fromkeys(found))  # IPv4 first, as the answers came
        except TimeoutError:
            last = OSError(f"no answer from {server[0]}:{server[1]} within {timeout:g} s")
        except OSError as exc:
            last = exc
            if "NXDOMAIN" in str(exc):
                break  # the name does not exist; another server of the same zone says the same
    raise last
