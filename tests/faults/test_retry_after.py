"""Retry-After pauses the whole host, up to MONITOR_RETRY_AFTER_MAX (issue 13, defect 3).

Real crawls of the hostile shop: one page answers 429 or 503 with Retry-After, and the shop's
log of hits (``hostile.hits``) shows whether any request reached the host during the pause.
"""

from __future__ import annotations

import email.utils
import re
import time
from pathlib import Path

import pytest

from tests.conftest import run_monitor
from tests.faults.hostile import links_html, product_html, reply

PRODUCTS = [f"/p/{n}" for n in range(1, 7)]


def products(hostile, status: int | None = None, retry_after=None, *, always: bool = False) -> list[str]:
    """The shop: a start page linking six products. The first product asked for (whichever the
    crawler takes first) answers ``status`` with ``Retry-After: retry_after()``, once (or
    ``always``); the list it returns gets that path."""
    throttled: list[str] = []
    hostile.routes["/robots.txt"] = reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain")
    hostile.routes["/"] = reply(200, links_html(PRODUCTS))

    def product(path):
        page = reply(200, product_html(f"item {path[-1]}", sku=path[-1]))

        def send(handler):
            if status is not None and (not throttled or (always and throttled[0] == path)):
                if not throttled:
                    throttled.append(path)
                return reply(status, "not now", headers={"Retry-After": retry_after()})(handler)
            return page(handler)
        return send

    for path in PRODUCTS:
        hostile.routes[path] = product(path)
    return throttled


def crawl(hostile, tmp_path: Path, env: dict | None = None):
    db_path = tmp_path / "m.db"
    proc = run_monitor("crawl", "--url", hostile.url("/"), "--allow-private", "--max-pages", "30",
                       db_path=db_path, env=env, timeout=180)
    logs = sorted((tmp_path / "logs").glob("*.log"))
    return proc, logs[-1].read_text(encoding="utf-8") if logs else ""


def stat(log: str, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize(("status", "retry_after", "pause"), [
    pytest.param(429, lambda: "3", 3.0, id="429-seconds"),
    pytest.param(503, lambda: email.utils.formatdate(time.time() + 4, usegmt=True), 3.0, id="503-http-date"),
])
def test_retry_after_pauses_every_request_to_the_host(hostile, tmp_path, status, retry_after, pause):
    throttled = products(hostile, status, retry_after)
    proc, log = crawl(hostile, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    asked = hostile.times(throttled[0])[0]
    later = [hit.path for hit in hostile.hits if hit.at > asked]
    assert len(set(later) & set(PRODUCTS)) >= 4, later  # other products were still to come: the pause is tested
    during = [(hit.path, round(hit.at - asked, 2)) for hit in hostile.hits if asked < hit.at < asked + pause - 0.1]
    assert during == [], f"requests reached the host during its Retry-After pause: {during}"
    assert set(PRODUCTS) <= set(hostile.paths())  # all fetched after the pause, the throttled one again
    assert len(hostile.times(throttled[0])) == 2
    assert stat(log, "retry_after/pauses") == 1


def test_a_retry_after_beyond_the_maximum_gives_the_host_up_for_the_run(hostile, tmp_path):
    # 7200 s is more than MONITOR_RETRY_AFTER_MAX's default hour: nothing more is asked of the host.
    throttled = products(hostile, 429, lambda: "7200")
    started = time.monotonic()
    proc, log = crawl(hostile, tmp_path)
    asked = hostile.times(throttled[0])[0]
    after = [hit.path for hit in hostile.hits if hit.at > asked]
    assert after == [], f"the host was asked again after it asked for two hours: {after}"
    assert time.monotonic() - started < 60  # neither waited out nor cut to a shorter wait
    assert stat(log, "retry_after/hosts_given_up") == 1 and stat(log, "retry_after/dropped") >= 4
    assert "longer than MONITOR_RETRY_AFTER_MAX (3600 s)" in log
    assert "MONITOR_RETRY_AFTER_MAX" in proc.stdout  # among the run's errors


def test_the_maximum_is_configured_by_monitor_retry_after_max(hostile, tmp_path):
    throttled = products(hostile, 429, lambda: "5")
    proc, log = crawl(hostile, tmp_path, env={"MONITOR_RETRY_AFTER_MAX": "2"})
    asked = hostile.times(throttled[0])[0]
    assert [hit.path for hit in hostile.hits if hit.at > asked] == []
    assert "longer than MONITOR_RETRY_AFTER_MAX (2 s)" in log


def test_exhausted_retries_are_counted(hostile, tmp_path):
    throttled = products(hostile, 503, lambda: "1", always=True)
    proc, log = crawl(hostile, tmp_path)
    assert len(hostile.times(throttled[0])) == 4  # the first try and RETRY_TIMES (3) retries
    assert stat(log, "retry/max_reached") == 1


def test_a_pause_does_not_hold_the_crawl_past_its_time_limit(hostile, tmp_path):
    # Retry-After 3000 s is within the maximum, so the host is paused, not given up; the crawl's
    # time limit (CLOSESPIDER_TIMEOUT) must still end it: Scrapy waits for every request in
    # progress before closing, and the paused ones are let go (dropped, not sent) when it closes.
    products(hostile, 429, lambda: "3000", always=True)
    started = time.monotonic()
    run_monitor("crawl", "--url", hostile.url("/"), "--allow-private", "--time-limit", "5",
                db_path=tmp_path / "m.db", timeout=120)
    assert time.monotonic() - started < 40
    logs = sorted((tmp_path / "logs").glob("*.log"))
    log = logs[-1].read_text(encoding="utf-8")
    assert stat(log, "retry_after/pauses") == 1 and stat(log, "retry_after/dropped") >= 1
    assert len([p for p in hostile.paths() if p.startswith("/p/")]) == 1  # nothing sent during the pause
