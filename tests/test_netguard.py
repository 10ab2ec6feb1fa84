"""The network guard: http(s) only; private, loopback and link-local hosts refused unless allowed."""

from __future__ import annotations

import asyncio

import pytest

from monitor.crawl.netguard import BlockedURL, check_url, is_private_address


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.5", "169.254.169.254",
                                     "::1", "fe80::1", "fc00::1", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.1"])
def test_private_addresses(address):
    assert is_private_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses(address):
    assert not is_private_address(address)


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
