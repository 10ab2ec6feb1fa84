"""Browser captures of newly flagged listings (``monitor evidence capture``).

A crawl over plain HTTP keeps each page as a WARC ``response`` record, but no picture of it.
After a run, this opens every listing the run newly flagged in headless Chromium (Playwright,
not Scrapy) and keeps what an analyst would have seen: the rendered HTML and the navigation's
status and headers (a ``resource`` + ``metadata`` record in ``warc/<site>/capture-….warc.gz``)
and a full-page screenshot. The ``rendered`` row refers to the listing's latest ``response``
row, the screenshot to the rendered row; ``record_evidence`` writes the custody entries.

It fetches as politely and as safely as the crawler: the crawler's User-Agent, robots.txt
obeyed (for that User-Agent) by the crawl's own policy (``monitor/crawl/robots.py``: RFC 9309,
an unreachable robots.txt refuses the whole host, Crawl-delay kept), the network guard on the
listing URL, on robots.txt (and each of its redirects) and on every request the page makes (a
redirect the guard refuses voids the capture), images, fonts and media not loaded, one page
at a time with a pause between pages of one host, and a navigation timeout. One browser serves the batch; every listing gets a fresh context (no
cookies carried between pages), and page, context and browser are closed whatever happens.
A listing that fails is reported and the batch goes on.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlite_utils import Database

from monitor.crawl.browser import GuardProxy, find_chromium, is_heavy, launch_options
from monitor.crawl.netguard import BlockedURL, Policy, check_url
from monitor.crawl.robots import (
    MAX_REDIRECTS,
    ROBOTS_MAX_BYTES,
    ROBOTS_RETRIES,
    ROBOTS_TIMEOUT,
    RobotsRules,
    crawl_delay_max,
    host_delay,
    rules_for_status,
    unreachable,
)
from monitor.evidence.records import record_evidence
from monitor.evidence.warcfile import RunWarc
from monitor.listing import utc_now

logger = logging.getLogger(__name__)

CUSTODY_ACTOR = "capture"
DEFAULT_TIMEOUT = 30  # seconds for the navigation (and again for the screenshot)
SETTLE_MS = 3_000  # after "load", wait at most this long for the network to go quiet (scripted shops)
HOST_DELAY = 0.5  # seconds between two pages of one host (the crawler's DOWNLOAD_DELAY); robots' Crawl-delay wins
VIEWPORT = {"width": 1280, "height": 1000}


@dataclass
class Target:
    """A flagged listing to capture."""

    listing: int
    site: str
    listing_id: str
    url: str | None
    flag: int
    score: int
    response_id: int | None  # the listing's latest `response` evidence row
    response_run: int | None  # the run that fetched it

    @property
    def name(self) -> str:
        return f"{self.site}/{self.listing_id}"


@dataclass
class Outcome:
    captured: list[tuple[Target, int]] = field(default_factory=list)  # evidence rows written
    skipped: list[tuple[Target, str, str]] = field(default_factory=list)  # (target, kind of reason, why)
    failed: list[tuple[Target, str]] = field(default_factory=list)
    already: int = 0  # flagged listings that had a screenshot already
    files: set[str] = field(default_factory=set)
    interrupted: str | None = None  # why the batch stopped early (SIGTERM)


class CaptureError(Exception):
    """This listing could not be captured; the message says why."""


def run_window(db: Database, run_id: int) -> tuple[str, str, str]:
    """(site, started_at, finished_at) of a run; a run still going counts up to now."""
    row = db.execute("SELECT site, started_at, finished_at FROM crawl_runs WHERE id = ?", [run_id]).fetchone()
    if row is None:
        raise LookupError(f"no crawl run {run_id} (see `monitor runs`)")
    site, started, finished = row
    return site, started, finished or utc_now()


def flagged_targets(db: Database, *, run_id: int | None = None, since: str | None = None,
                    until: str | None = None) -> tuple[list[Target], int]:
    """Listings with an open flag created by run ``run_id`` (within its start..finish, on its
    site) or since ``since``, that have no screenshot yet, highest queue priority first; and
    how many such listings already have one."""
    params: list = []
    if run_id is not None:
        site, start, end = run_window(db, run_id)
        where = "l.site = ? AND f.created_at >= ? AND f.created_at <= ?"
        params += [site, start, end]
    else:
        where = "f.created_at >= ?"
        params.append(since)
        if until:
            where += " AND f.created_at <= ?"
            params.append(until)
    rows = db.execute(
        f"""
        SELECT l.id, l.site, l.listing_id, l.url, max(f.id), max(coalesce(f.priority, f.score)) AS rank,
               max(f.score),
               (SELECT e.id FROM evidence e WHERE e.listing = l.id AND e.kind = 'response'
                ORDER BY e.captured_at DESC, e.id DESC LIMIT 1) AS response_id,
               EXISTS (SELECT 1 FROM evidence s WHERE s.listing = l.id AND s.kind = 'screenshot') AS has_shot
        FROM flags f JOIN listings l ON l.id = f.listing
        WHERE f.status = 'open' AND {where}
        GROUP BY l.id
        ORDER BY rank DESC, l.id
        """, params).fetchall()
    targets, already = [], 0
    for listing, site, listing_id, url, flag, _rank, score, response_id, has_shot in rows:
        if has_shot:
            already += 1
            continue
        response_run = None
        if response_id is not None:
            response_run = db.execute("SELECT run_id FROM evidence WHERE id = ?", [response_id]).fetchone()[0]
        targets.append(Target(listing, site, listing_id, url, flag, score, response_id, response_run))
    return targets, already


# --- robots.txt ------------------------------------------------------------------------------


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """robots.txt redirects go through the network guard too, at most MAX_REDIRECTS of them."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        asyncio.run(check_url(newurl, allow_private=self.allow_private))  # runs in a worker thread
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_robots(origin: str, user_agent: str, *, allow_private: bool, timeout: float,
                 proxy: str | None = None) -> RobotsRules:
    """The origin's robots.txt, fetched with our User-Agent and read by the crawl's policy
    (``monitor.crawl.robots``): 2xx parsed, 4xx everything allowed, and when it cannot be had
    (5xx or 429 after one more try, no answer, a redirect refused or past the fifth) nothing
    is captured from that host (``rules.reachable`` is False, ``rules.why`` says why). With
    ``proxy`` (the batch's ``GuardProxy.url``) the connection is made, and its address vetted,
    by the guard proxy."""
    url = origin + "/robots.txt"
    rules = _fetch_robots_once(url, user_agent, allow_private=allow_private, timeout=min(timeout, ROBOTS_TIMEOUT),
                               proxy=proxy)
    for _ in range(ROBOTS_RETRIES):
        if rules.reachable:
            break
        rules = _fetch_robots_once(url, user_agent, allow_private=allow_private,
                                   timeout=min(timeout, ROBOTS_TIMEOUT), proxy=proxy)
    if not rules.reachable:
        logger.warning("robots.txt %s unreachable (%s): nothing captured from %s", url, rules.why, origin)
    return rules


def _fetch_robots_once(url: str, user_agent: str, *, allow_private: bool, timeout: float,
                       proxy: str | None = None) -> RobotsRules:
    through = [urllib.request.ProxyHandler({"http": proxy, "https": proxy})] if proxy else []
    opener = urllib.request.build_opener(*through, _GuardedRedirects(allow_private))
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with opener.open(request, timeout=timeout) as answer:
            # One byte past the limit tells the policy the file was cut (it drops the cut line).
            return rules_for_status(url, answer.status, answer.read(ROBOTS_MAX_BYTES + 1))
    except BlockedURL as exc:
        return unreachable(url, f"it redirected to a refused address: {exc}")
    except urllib.error.HTTPError as exc:  # 4xx, 5xx, and a redirect past the fifth or without Location
        exc.close()
        return rules_for_status(url, exc.code)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return unreachable(url, f"it could not be fetched: {reason}")


# --- the browser -----------------------------------------------------------------------------


@dataclass
class Page:
    url: str  # where the navigation ended
    status: int
    headers: list[tuple[str, str]]
    server_ip: str | None
    html: bytes
    screenshot: bytes


async def _render(browser, url: str, *, user_agent: str, allow_private: bool, timeout_ms: int,
                  dns_cache: dict, proxy: GuardProxy | None = None) -> Page:
    """Open ``url`` in a fresh context and keep the rendered page and a full-page screenshot."""
    # lazy: Playwright (and its driver) load only when a capture runs
    from playwright.async_api import Error as PlaywrightError

    refused: list[str] = []

    async def guard(route):
        request = route.request
        try:
            if is_heavy(request):
                await route.abort()
                return
            if not request.url.startswith(("data:", "blob:")):
                try:
                    await check_url(request.url, allow_private=allow_private, cache=dns_cache)
                except BlockedURL as exc:
                    refused.append(str(exc))
                    await route.abort("blockedbyclient")
                    return
            await route.continue_()
        except PlaywrightError:
            pass  # the page closed while the request waited (a timeout): nothing left to route

    context = await browser.new_context(user_agent=user_agent, service_workers="block", accept_downloads=False,
                                        viewport=VIEWPORT, java_script_enabled=True)
    try:
        page = await context.new_page()
        try:
            page.set_default_timeout(timeout_ms)
            await page.route("**/*", guard)
            response = await _navigate(page, url, timeout_ms, refused)
            await _check_redirects(response, allow_private=allow_private, dns_cache=dns_cache)
            return await _keep_page(page, response, timeout_ms, proxy)
        finally:
            await page.close()
    finally:
        await context.close()


async def _navigate(page, url: str, timeout_ms: int, refused: list[str]):
    """``page.goto`` with its failures said as a CaptureError (the guard's refusal first)."""
    # lazy: Playwright (and its driver) load only when a capture runs
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        response = await page.goto(url, wait_until="load", timeout=timeout_ms)
    except PlaywrightTimeout:
        raise CaptureError(f"the page did not load within {timeout_ms // 1000} s") from None
    except PlaywrightError as exc:
        if refused:
            raise CaptureError(f"refused by the network guard: {refused[0]}") from None
        raise CaptureError(f"navigation failed: {str(exc).splitlines()[0]}") from None
    if response is None:
        raise CaptureError("the navigation had no response")
    return response


async def _check_redirects(response, *, allow_private: bool, dns_cache: dict) -> None:
    """Chromium follows redirects before the route sees them: check every hop afterwards, and
    keep nothing from a page the guard would have refused."""
    hop, chain = response.request, []
    while hop is not None:
        chain.append(hop.url)
        hop = hop.redirected_from
    for hop_url in chain:
        try:
            await check_url(hop_url, allow_private=allow_private, cache=dns_cache)
        except BlockedURL as exc:
            raise CaptureError(f"redirected to a refused address; nothing kept: {exc}") from None


async def _keep_page(page, response, timeout_ms: int, proxy: GuardProxy | None = None) -> Page:
    """The page once settled: its HTML, a full-page screenshot, the answer's headers and address
    (through the guard proxy the browser sees only the proxy's: the proxy says where it connected)."""
    # lazy: Playwright (and its driver) load only when a capture runs
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:  # scripted shops fill the page after "load"
        await page.wait_for_load_state("networkidle", timeout=min(SETTLE_MS, timeout_ms))
    except PlaywrightTimeout:
        pass
    html = (await page.content()).encode("utf-8")
    screenshot = await page.screenshot(full_page=True, type="png", animations="disabled", timeout=timeout_ms)
    headers = [(h["name"], h["value"]) for h in await response.headers_array()]
    server_ip = proxy.connected.get(urlsplit(response.url).hostname or "") if proxy is not None else None
    if server_ip is None:
        address = await response.server_addr()
        server_ip = address["ipAddress"] if address else None
    return Page(url=response.url, status=response.status, headers=headers,
                server_ip=server_ip, html=html, screenshot=screenshot)


async def _capture_all(db: Database, root: Path, targets: list[Target], outcome: Outcome, *, run_id: int | None,
                       stem: str, user_agent: str, allow_private: bool, timeout: float,
                       report: Callable[[str, Target, str], None], guard: GuardProxy) -> None:
    timeout_ms = int(timeout * 1000)
    dns_cache: dict[str, list[str]] = {}
    robots: dict[str, RobotsRules] = {}

    def skip(target: Target, kind: str, why: str) -> None:
        outcome.skipped.append((target, kind, why))
        report("skipped", target, f"({kind}) {why}")

    # Listings the guard or robots.txt refuse are known before any browser starts.
    todo: list[Target] = []
    for target in targets:
        url = target.url
        if not url:
            skip(target, "no URL", "the listing has no URL")
            continue
        try:
            await check_url(url, allow_private=allow_private, cache=dns_cache)
        except BlockedURL as exc:
            skip(target, "network guard", str(exc))
            continue
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in robots:
            robots[origin] = await asyncio.to_thread(fetch_robots, origin, user_agent, allow_private=allow_private,
                                                     timeout=timeout, proxy=guard.url)
        rules = robots[origin]
        if not rules.allowed(url, user_agent):
            skip(target, "robots.txt", rules.refusal(parts.path or "/"))
            continue
        todo.append(target)
    if not todo:
        return

    executable = find_chromium()
    options = launch_options(executable, proxy=guard.url)
    # SIGTERM (the scheduler's time limit) cancels the batch where it waits: the finally
    # blocks below close page, context, browser and WARC file; what was recorded stays.
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    on_main_thread = threading.current_thread() is threading.main_thread()
    if on_main_thread:
        def terminated() -> None:
            outcome.interrupted = "stopped by SIGTERM"
            task.cancel()

        loop.add_signal_handler(signal.SIGTERM, terminated)
    try:
        await _browse(db, root, todo, outcome, robots, dns_cache, executable=executable, options=options,
                      run_id=run_id, stem=stem, user_agent=user_agent, allow_private=allow_private,
                      timeout_ms=timeout_ms, report=report, guard=guard)
    finally:
        if on_main_thread:
            loop.remove_signal_handler(signal.SIGTERM)


async def _browse(db: Database, root: Path, todo: list[Target], outcome: Outcome, robots: dict, dns_cache: dict, *,
                  executable: str, options: dict, run_id: int | None, stem: str, user_agent: str,
                  allow_private: bool, timeout_ms: int, report: Callable[[str, Target, str], None],
                  guard: GuardProxy) -> None:
    # lazy: Playwright (and its driver) load only when a capture runs
    from playwright.async_api import async_playwright

    last_fetch: dict[str, float] = {}
    warcs: dict[str, RunWarc] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**options)
        try:
            label = f"chromium {browser.version} via playwright (monitor evidence capture)"
            for target in todo:
                if not browser.is_connected():  # it crashed or was killed: no use trying the rest
                    why = "the browser closed during the batch (crashed or killed); not tried"
                    outcome.failed.append((target, why))
                    report("failed", target, why)
                    continue
                await _keep_host_delay(target, robots, last_fetch, user_agent)
                try:
                    page = await _render(browser, target.url, user_agent=user_agent, allow_private=allow_private,
                                         timeout_ms=timeout_ms, dns_cache=dns_cache, proxy=guard)
                    warc = warcs.get(target.site)
                    if warc is None:
                        warc = warcs[target.site] = RunWarc(root, target.site, run_id, user_agent,
                                                            stem=stem, actor=CUSTODY_ACTOR)
                    report("captured", target, _record(db, warc, target, page, outcome, run_id=run_id,
                                                       user_agent=user_agent, label=label))
                except CaptureError as exc:
                    outcome.failed.append((target, str(exc)))
                    report("failed", target, str(exc))
                except Exception as exc:  # noqa: BLE001 - one listing's failure must not end the batch
                    logger.debug("Capture of %s failed", target.url, exc_info=True)
                    why = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
                    outcome.failed.append((target, why))
                    report("failed", target, why)
        finally:
            for warc in warcs.values():
                warc.close()
            await browser.close()


async def _keep_host_delay(target: Target, robots: dict, last_fetch: dict[str, float], user_agent: str) -> None:
    """Wait out the host's crawl delay (robots.txt's, at least HOST_DELAY, at most MONITOR_CRAWL_DELAY_MAX)."""
    parts = urlsplit(target.url)
    rules = robots[f"{parts.scheme}://{parts.netloc}"]
    delay, _capped = host_delay(rules.crawl_delay(user_agent), floor=HOST_DELAY, ceiling=crawl_delay_max())
    wait = last_fetch.get(parts.netloc, 0.0) + delay - time.monotonic()
    if wait > 0:
        await asyncio.sleep(wait)
    last_fetch[parts.netloc] = time.monotonic()


def _record(db: Database, warc: RunWarc, target: Target, page: Page, outcome: Outcome, *, run_id: int | None,
            user_agent: str, label: str) -> str:
    """Write the rendered page and its screenshot to the WARC file and the evidence table (the
    rendered page referring to the crawl's response record); the line that reports it."""
    captured = warc.write_rendered(url=page.url, html=page.html, status=page.status,
                                   response_headers=page.headers, server_ip=page.server_ip,
                                   screenshot=page.screenshot, browser=label)
    rows = [c.to_dict() for c in captured]
    for row in rows:
        if row["kind"] == "rendered":
            row["refers_to"] = target.response_id
    count = record_evidence(
        db, [{"site": target.site, "listing_id": target.listing_id, "evidence": rows}],
        run_id=run_id if run_id is not None else target.response_run, user_agent=user_agent,
        actor=CUSTODY_ACTOR)
    outcome.captured.append((target, count))
    outcome.files.add(warc.relative)
    shot = next((c for c in captured if c.kind == "screenshot"), None)
    return (f"HTTP {page.status}, screenshot {len(page.screenshot) // 1024} KB"
            + (f" ({shot.path})" if shot else "")
            + (f", refers to response {target.response_id}" if target.response_id
               else ", no response record to refer to"))


def capture_flagged(db: Database, root: Path, targets: list[Target], *, run_id: int | None, stem: str,
                    user_agent: str, allow_private: bool = False, timeout: float = DEFAULT_TIMEOUT,
                    report: Callable[[str, Target, str], None] | None = None) -> Outcome:
    """Capture ``targets`` in one browser; evidence rows carry ``run_id`` (else the run of the
    response they refer to). ``report(status, target, text)`` hears each listing's outcome."""
    outcome = Outcome()
    # Chromium and the robots.txt fetches connect only through the guard proxy, which vets the
    # address it connects to (the checks above run before the connection: DNS rebinding).
    with GuardProxy(Policy(allow_private=allow_private)) as guard:
        try:
            asyncio.run(_capture_all(db, root, targets, outcome, run_id=run_id, stem=stem, user_agent=user_agent,
                                     allow_private=allow_private, timeout=timeout,
                                     report=report or (lambda *a: None), guard=guard))
        except asyncio.CancelledError:
            if outcome.interrupted is None:
                raise
    return outcome


def capture_stem(run_id: int | None) -> str:
    """The capture file's name: per run, or per invocation for --since."""
    if run_id is not None:
        return f"capture-run-{run_id}"
    return f"capture-{utc_now().replace(':', '')}-{socket.gethostname()}"
