"""The network guard: http(s) only; private, loopback and link-local hosts refused unless allowed."""

from __future__ import annotations

import asyncio

import pytest

from monitor.crawl.netguard import (BlockedURL, LookupFailed, Policy, check_literal, check_url, is_private_address,
                                   parse_networks, vet_addresses)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.5", "169.254.169.254",
                                     "::1", "fe80::1", "fc00::1", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.1"])
def test_private_addresses(address):
    assert is_private_address(address)


@pytest.mark.parametrize("address", [
    "::127.0.0.1", "[::127.0.0.1]", "::8.8.8.8",  # IPv4-compatible (deprecated): refused whatever it embeds
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe",  # NAT64 well-known prefix: 127.0.0.1, 10.0.0.1, metadata
    "64:ff9b:1::7f00:1", "64:ff9b:1:0:808:800:8::",  # local-use NAT64 (RFC 8215): the embedding is the translator's
    "2002:7f00:1::", "2002:a00:1::1", "2002:a9fe:a9fe::",  # 6to4 of 127.0.0.1, 10.0.0.1, 169.254.169.254
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1 (stored inverted)
    "2001:0:7f00:1::1",  # Teredo whose server is 127.0.0.1
    "::ffff:0:7f00:1",  # IPv4-translated (RFC 2765) 127.0.0.1
    "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::", "0.0.0.0", "0.1.2.3", "fec0::1", "fe80::1%eth0",
    "100.64.0.1", "192.0.2.1", "ff02::1",
])
def test_addresses_embedding_a_private_ipv4_or_reserved_are_private(address):
    assert is_private_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111",
                                     "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"])
def test_public_addresses(address):
    """Embedding forms are judged by what they embed: NAT64 and 6to4 of a public address are public."""
    assert not is_private_address(address)


def test_a_policy_allows_private_addresses_or_only_the_listed_networks():
    strict = Policy()
    assert strict.refused(["8.8.8.8", "127.0.0.2", "::1"]) == ["127.0.0.2", "::1"]
    assert Policy(allow_private=True).refused(["127.0.0.1", "10.0.0.1"]) == []
    intranet = Policy(allowed=parse_networks("10.1.2.0/24, 127.0.0.2"))
    assert intranet.refused(["10.1.2.7", "127.0.0.2", "127.0.0.1", "10.1.3.1"]) == ["127.0.0.1", "10.1.3.1"]
    with pytest.raises(ValueError, match="MONITOR_ALLOWED_NETWORKS: 'intranet' is not a network"):
        parse_networks("intranet")


def test_one_private_answer_refuses_the_name_and_no_answer_is_a_failed_lookup():
    with pytest.raises(BlockedURL, match=r"shop.example resolves to a private.*\(127.0.0.1\); refused.*allow-private"):
        vet_addresses("x", "shop.example", ["93.184.216.34", "127.0.0.1"], Policy())
    with pytest.raises(LookupFailed, match="DNS lookup failed for shop.example"):
        vet_addresses("x", "shop.example", [], Policy())
    assert vet_addresses("x", "shop.example", ["93.184.216.34"], Policy()) == ["93.184.216.34"]


def test_a_failed_lookup_is_refused_with_its_reason_not_passed():
    """A name that cannot be looked up (here a label over 63 characters, refused before any
    query leaves the machine) is refused with the reason, not passed to the download."""
    host = "a" * 64 + ".example"

    async def go():
        with pytest.raises(LookupFailed, match=rf"http://{host}/: DNS lookup failed for {host} \(.*label"):
            await check_url(f"http://{host}/", allow_private=False)

    asyncio.run(go())


def test_address_literals_are_checked_without_dns_and_names_left_to_the_resolver():
    with pytest.raises(BlockedURL, match=r"\(::127.0.0.1\); refused"):
        check_literal("http://[::127.0.0.1]:8080/", Policy())
    with pytest.raises(BlockedURL, match="2002:7f00:1::"):
        check_literal("http://[2002:7f00:1::]/", Policy())
    assert check_literal("http://rebind.invalid/", Policy()) == "rebind.invalid"  # vetted at connection time
    assert check_literal("http://127.0.0.1:8080/", Policy(allow_private=True)) == "127.0.0.1"


def test_check_url_refuses_private_and_odd_schemes():
    async def go():
        with pytest.raises(BlockedURL, match="resolves to a private, loopback or link-local address"):
            await check_url("http://127.0.0.1:8080/x", allow_private=False)
        with pytest.raises(BlockedURL, match="resolves to a private"):
            await check_url("http://localhost/", allow_private=False)
        with pytest.raises(BlockedURL, match="169.254.169.254"):
            await check_url("http://169.254.169.254/latest/meta-data/", allow_private=False)
        for url in ("file:///etc/passwd", "ftp://example.com/", "javascript:alert(1)"):
            with pytest.raises(BlockedURL, match="only http and https"):
                await check_url(url, allow_private=True)
        await check_url("http://127.0.0.1:8080/x", allow_private=True)  # explicitly allowed

    asyncio.run(go())


def test_browser_sub_requests_to_private_hosts_are_refused_unless_allowed():
    """Scripts and XHR of a rendered page bypass Scrapy's middlewares; the abort predicate guards them."""
    import asyncio
    from types import SimpleNamespace

    from monitor.crawl import browser

    def aborted(url, kind="xhr"):
        return asyncio.run(browser.abort_heavy_resources(SimpleNamespace(url=url, resource_type=kind)))

    saved = browser.ALLOW_PRIVATE
    try:
        browser.ALLOW_PRIVATE = False
        assert aborted("http://10.0.0.1/admin") and aborted("http://169.254.169.254/latest/meta-data/")
        assert aborted("http://127.0.0.1:8080/x", "script")
        assert not aborted("data:text/javascript,1") and aborted("https://img.example/a.png", "image")
        browser.ALLOW_PRIVATE = True
        assert not aborted("http://127.0.0.1:8080/x", "script")  # a site allowed on loopback (the demo)
    finally:
        browser.ALLOW_PRIVATE = saved
