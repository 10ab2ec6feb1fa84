"""The one robots.txt policy (monitor/crawl/robots.py) and the evidence capture's fetch of it.

The crawl's side runs in real crawls in tests/faults/test_robots.py; here the capture's
``fetch_robots`` meets the same hostile shop (issue 13, defect 2 and deliverable 2).
"""

from __future__ import annotations

import time

import pytest
from protego import Protego

from monitor.crawl.robots import ROBOTS_MAX_BYTES, host_delay, parse_body, rules_for_status, unreachable
from monitor.evidence.capture import fetch_robots
from spiders.settings import USER_AGENT
from tests.faults.hostile import HostileShop, hang, reply, reset

UA = USER_AGENT


@pytest.mark.parametrize(("status", "reachable", "allowed"), [
    (200, True, False),  # parsed: the body below disallows /x
    (404, True, True), (410, True, True), (401, True, True), (403, True, True),  # RFC 9309 2.3.1.3
    (429, False, False),  # a host asking us to slow down has not said "no rules"
    (500, False, False), (503, False, False), (301, False, False),  # RFC 9309 2.3.1.4; a redirect not followed
])
def test_status_decides(status, reachable, allowed):
    rules = rules_for_status("http://shop/robots.txt", status, b"User-agent: *\nDisallow: /x\n")
    assert rules.reachable is reachable
    assert rules.allowed("http://shop/x", UA) is allowed
    if not reachable:
        assert rules.why and "unreachable" in rules.refusal("/x")


def test_our_group_wins_over_star_and_crawl_delay_is_read():
    rules = parse_body("u", b"User-agent: *\nDisallow: /\nCrawl-delay: 9\n\n"
                            b"User-agent: listing-monitor\nDisallow: /private/\nCrawl-delay: 2\n")
    assert rules.allowed("http://shop/item/1", UA) and not rules.allowed("http://shop/private/1", UA)
    assert rules.crawl_delay(UA) == 2.0
    assert unreachable("u", "x").crawl_delay(UA) is None


def test_only_the_first_512_kib_are_parsed_and_a_cut_line_is_dropped():
    head = b"User-agent: *\nDisallow: /a\nDisallow: /private/\n"
    # The limit falls inside "Allow: /private/public", after "Allow: /private/p": parsed half, that
    # line would be the longest match for /private/pdf and allow it.
    pad = b"#" * (ROBOTS_MAX_BYTES - len(head) - len(b"Allow: /private/p") - 1) + b"\n"
    body = head + pad + b"Allow: /private/public\n" + b"Disallow: /b\n"
    assert body.index(b"Allow: /private/public") + len(b"Allow: /private/p") == ROBOTS_MAX_BYTES
    rules = parse_body("u", body)
    assert not rules.allowed("http://shop/a", UA)
    assert not rules.allowed("http://shop/private/pdf", UA)
    assert rules.allowed("http://shop/b", UA)  # past the limit: ignored
    # The check above is only worth something if the half line would have allowed it.
    half = Protego.parse(body[:ROBOTS_MAX_BYTES].decode())
    assert half.can_fetch("http://shop/private/pdf", UA)


def test_host_delay_bounds():
    assert host_delay(None, floor=0.5, ceiling=60) == (0.5, False)
    assert host_delay(0.1, floor=0.5, ceiling=60) == (0.5, False)  # never faster than our own delay
    assert host_delay(10, floor=0.5, ceiling=60) == (10, False)
    assert host_delay(600, floor=0.5, ceiling=60) == (60, True)


@pytest.fixture
def shop():
    with HostileShop() as hostile:
        yield hostile


def fetch(shop, timeout=5.0):
    return fetch_robots(shop.base, UA, allow_private=True, timeout=timeout)


@pytest.mark.parametrize("behaviour", [reply(503), reply(500), reply(429), reset()], ids=["503", "500", "429", "reset"])
def test_capture_refuses_a_host_whose_robots_txt_is_unreachable_after_one_more_try(shop, behaviour):
    shop.routes["/robots.txt"] = behaviour
    rules = fetch(shop)
    assert not rules.reachable and not rules.allowed(shop.url("/item/1"), UA)
    assert shop.paths() == ["/robots.txt", "/robots.txt"]


def test_capture_refuses_a_host_whose_robots_txt_hangs(shop):
    shop.routes["/robots.txt"] = hang()
    started = time.monotonic()
    rules = fetch(shop, timeout=1.0)
    assert not rules.reachable and "timed out" in rules.why
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("status", [404, 401, 403])
def test_capture_reads_a_missing_robots_txt_as_allow_all(shop, status):
    # Before: urllib's robotparser read 401/403 as "nothing allowed"; RFC 9309 2.3.1.3 says allow.
    shop.routes["/robots.txt"] = reply(status)
    rules = fetch(shop)
    assert rules.reachable and rules.allowed(shop.url("/item/1"), UA)


def test_capture_follows_five_redirects_and_not_a_sixth(shop):
    for hop in range(6):
        source = "/robots.txt" if hop == 0 else f"/r{hop}"
        shop.routes[source] = reply(302, "", headers={"Location": f"/r{hop + 1}"})
    shop.routes["/r5"] = reply(200, "User-agent: *\nDisallow: /x\n", content_type="text/plain")
    rules = fetch(shop)  # robots.txt -> r1 -> ... -> r5: five redirects
    assert rules.reachable and not rules.allowed(shop.url("/x"), UA) and rules.allowed(shop.url("/y"), UA)
    shop.routes["/r5"] = reply(302, "", headers={"Location": "/r6"})
    shop.routes["/r6"] = reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain")
    rules = fetch(shop)
    assert not rules.reachable and "/r6" not in shop.paths()


def test_capture_keeps_crawl_delay_and_a_large_robots_txt_is_cut(shop):
    body = "User-agent: *\nCrawl-delay: 3\nDisallow: /a\n" + ("#" * 1000 + "\n") * 600 + "Disallow: /b\n"
    shop.routes["/robots.txt"] = reply(200, body, content_type="text/plain")
    rules = fetch(shop)
    assert rules.crawl_delay(UA) == 3.0
    assert not rules.allowed(shop.url("/a"), UA) and rules.allowed(shop.url("/b"), UA)


def test_capture_does_not_follow_a_robots_redirect_the_network_guard_refuses(shop):
    # The origin itself was checked before (and allowed); its robots.txt redirecting to a private
    # address (here loopback, with private addresses not allowed) is refused: nothing captured.
    shop.routes["/robots.txt"] = reply(302, "", headers={"Location": "http://127.0.0.1:9/robots.txt"})
    rules = fetch_robots(shop.base, UA, allow_private=False, timeout=5)
    assert not rules.reachable and "refused address" in rules.why
