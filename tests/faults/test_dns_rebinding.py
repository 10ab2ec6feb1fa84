"""DNS answers that change: the address a crawl connects to is the address it checked.

A scripted name server on 127.0.0.1 (UDP, a few lines of wire format) answers a name first
with a "public" address and then with 127.0.0.1, where the hostile shop listens. No traffic
leaves the machine: the "public" address is 127.0.0.2, also loopback, where a stand-in of
the real shop listens on the hostile shop's port. The crawl lets 127.0.0.2 through with
MONITOR_ALLOWED_NETWORKS=127.0.0.2/32 (the operator's allow-list of networks, a real
setting) while every other private address, 127.0.0.1 included, stays refused: so 127.0.0.2
plays a public host without an address outside being contacted, and without a test-only
switch in the guard. A TEST-NET address (192.0.2.x) would not do: it is reserved, so the
guard refuses it, and were it allowed a connection would be sent off the machine.

The crawl points at the name server with MONITOR_DNS_SERVERS and runs through the crawl
runner in a subprocess, as `monitor crawl --url` does.
"""

from __future__ import annotations

import http.server
import json
import socket
import struct
import subprocess
import sys
import threading

import pytest

from tests.conftest import ROOT
from tests.faults.hostile import links_html, product_html, reply

STAND_IN = "127.0.0.2"
A, AAAA = 1, 28


class ScriptedNameServer:
    """Answers A queries for ``script[name]`` in turn (the last answer repeats; a tuple is an
    answer of several records; None is NXDOMAIN); AAAA queries get no record. Every query is
    kept in ``queries``."""

    def __init__(self, script: dict[str, list[str | tuple[str, ...] | None]]):
        self.script = {name: list(answers) for name, answers in script.items()}
        self.asked: dict[str, int] = {}
        self.queries: list[tuple[str, int]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.stopping = threading.Event()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def a_queries(self, name: str) -> int:
        return sum(1 for n, t in self.queries if n == name and t == A)

    def _answer(self, packet: bytes) -> bytes:
        query_id, _, qdcount = struct.unpack("!HHH", packet[:6])
        labels, at = [], 12
        while packet[at]:
            labels.append(packet[at + 1: at + 1 + packet[at]].decode("ascii").lower())
            at += 1 + packet[at]
        qtype = struct.unpack("!H", packet[at + 1: at + 3])[0]
        question = packet[12: at + 5]
        name = ".".join(labels)
        self.queries.append((name, qtype))
        records, rcode = [], 0
        if name not in self.script:
            rcode = 3
        elif qtype == A:
            answers = self.script[name]
            index = self.asked.get(name, 0)
            self.asked[name] = index + 1
            answer = answers[min(index, len(answers) - 1)]
            if answer is None:
                rcode = 3
            for address in (answer,) if isinstance(answer, str) else answer or ():
                # a pointer to the question's name, type A, class IN, TTL 0, four bytes
                records.append(struct.pack("!HHHIH", 0xC00C, A, 1, 0, 4) + socket.inet_aton(address))
        header = struct.pack("!HHHHHH", query_id, 0x8180 | rcode, qdcount, len(records), 0, 0)
        return header + question + b"".join(records)

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                packet, peer = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            except OSError:
                return
            self.sock.sendto(self._answer(packet), peer)

    def __enter__(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.sock.close()


class StandInShop:
    """The "public" shop on 127.0.0.2, on the hostile shop's port. HTTP/1.0: each response
    closes its connection, so every request makes a new connection (and, without the DNS
    cache, a new lookup)."""

    def __init__(self, port: int, routes: dict):
        self.hits: list[str] = []
        shop = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                shop.hits.append(self.path)
                routes.get(self.path, reply(404, "not found"))(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((STAND_IN, port), Handler)
        self.server.daemon_threads = True

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def shop_routes() -> dict:
    return {
        "/robots.txt": reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/": reply(200, links_html(["/item/1", "/item/2"])),
        "/item/1": reply(200, product_html("Sprayer one")),
        "/item/2": reply(200, product_html("Sprayer two")),
    }


CRAWL = """
import json, sys
from monitor.crawl.profile import load_profile
from monitor.crawl.runner import run_crawl
from spiders.shop import ShopSpider
from spiders.sites import spider_class
url, db, settings, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
if url.endswith(".yaml"):  # a site profile
    spider, kwargs = spider_class(load_profile(url)), {"category": "cosmetics", "max_pages": 1, "recheck": False}
else:
    spider, kwargs = ShopSpider, {"url": url, "max_pages": 10}
outcome = run_crawl(spider, {**kwargs, **extra}, db_path=db, extra_settings=settings, site="rebind")
print(json.dumps({"run": outcome.run, "blocked": outcome.stats.get("netguard/blocked", 0)}))
"""


def crawl(url: str, db_path, dns: ScriptedNameServer, spider_args: dict | None = None, **settings) -> dict:
    settings = {"MONITOR_DNS_SERVERS": dns.address, "MONITOR_ALLOWED_NETWORKS": f"{STAND_IN}/32",
                "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 1, "DNS_TIMEOUT": 5,
                "MONITOR_EVIDENCE": False, "MONITOR_SCORE": False, "MONITOR_RECHECK_LIMIT": 0, **settings}
    proc = subprocess.run([sys.executable, "-c", CRAWL, url, str(db_path), json.dumps(settings),
                           json.dumps(spider_args or {})],
                          capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def errors_of(result: dict) -> str:
    run = result["run"]
    return " ".join([run.get("error_messages") or "", run.get("finish_reason") or ""])


@pytest.fixture
def stand_in(hostile):
    for path, behaviour in shop_routes().items():
        hostile.routes[path] = behaviour  # the same shop, had the crawl been let through to it
    try:
        with StandInShop(hostile.server.server_port, shop_routes()) as shop:
            yield shop
    except OSError as exc:  # pragma: no cover - a loopback with 127.0.0.1 only
        pytest.skip(f"cannot listen on {STAND_IN} ({exc}); the loopback network here is not 127.0.0.0/8")


def test_a_name_rebound_to_127_0_0_1_after_the_check_never_reaches_it(tmp_path, hostile, stand_in):
    """Without the DNS cache every connection looks the name up: the first answer (the stand-in)
    is fetched, the next (127.0.0.1) is refused at connection time, with the reason."""
    port = hostile.server.server_port
    with ScriptedNameServer({"rebind.test": [STAND_IN, "127.0.0.1"]}) as dns:
        result = crawl(f"http://rebind.test:{port}/", tmp_path / "m.db", dns, DNSCACHE_ENABLED=False)
    assert hostile.hits == [], f"the hostile shop at 127.0.0.1 was reached: {hostile.paths()}"
    assert stand_in.hits[:1] == ["/robots.txt"]
    assert dns.a_queries("rebind.test") >= 2  # the name was looked up again, and answered 127.0.0.1
    errors = errors_of(result)
    assert "rebind.test resolves to a private, loopback or link-local address (127.0.0.1); refused" in errors
    assert "--allow-private" in errors and result["blocked"] >= 1


def test_the_vetted_answer_is_the_one_connected_to(tmp_path, hostile, stand_in):
    """With the cache (the default) the name is resolved once; every page comes from the
    vetted address though the name server would answer 127.0.0.1 from the second query on."""
    port = hostile.server.server_port
    with ScriptedNameServer({"rebind.test": [STAND_IN, "127.0.0.1"]}) as dns:
        result = crawl(f"http://rebind.test:{port}/", tmp_path / "m.db", dns)
    assert hostile.hits == []
    # Every page the crawl asked for (the shop spider also tries /sitemap.xml) came from the vetted address.
    assert set(stand_in.hits) >= {"/", "/item/1", "/item/2", "/robots.txt"}
    assert dns.a_queries("rebind.test") == 1
    assert result["run"]["listings_seen"] == 2 and result["blocked"] == 0


def test_one_private_record_in_the_answer_refuses_the_name(tmp_path, hostile, stand_in):
    """A public and a private record in one answer: the connection could take either, so
    neither is used."""
    port = hostile.server.server_port
    with ScriptedNameServer({"mixed.test": [(STAND_IN, "127.0.0.1")]}) as dns:
        result = crawl(f"http://mixed.test:{port}/", tmp_path / "m.db", dns)
    assert hostile.hits == [] and stand_in.hits == []
    assert "mixed.test resolves to a private, loopback or link-local address (127.0.0.1); refused" \
        in errors_of(result)
    assert result["run"]["status"] == "failed"


def test_a_failed_lookup_is_reported_not_passed(tmp_path, hostile):
    port = hostile.server.server_port
    with ScriptedNameServer({"gone.test": [None]}) as dns:
        result = crawl(f"http://gone.test:{port}/", tmp_path / "m.db", dns)
    assert hostile.hits == []
    errors = errors_of(result)
    assert "DNS lookup failed for gone.test" in errors and "not fetched: no address could be checked" in errors
    assert result["run"]["status"] == "failed"


@pytest.mark.parametrize("how", ["setting", "spider"])
def test_allow_private_still_reaches_a_private_name_per_run(tmp_path, hostile, how):
    """The site allowed on private addresses (the demo, a shop on the intranet) still works:
    by MONITOR_ALLOW_PRIVATE, or per run (`monitor crawl --allow-private`, a profile's
    allow_private: the spider's argument)."""
    for path, behaviour in shop_routes().items():
        hostile.routes[path] = behaviour
    port = hostile.server.server_port
    with ScriptedNameServer({"local.test": ["127.0.0.1"]}) as dns:
        if how == "setting":
            result = crawl(f"http://local.test:{port}/", tmp_path / "m.db", dns, MONITOR_ALLOW_PRIVATE=True)
        else:
            result = crawl(f"http://local.test:{port}/", tmp_path / "m.db", dns, spider_args={"allow_private": "true"})
    assert "/item/1" in hostile.paths() and result["run"]["listings_seen"] == 2


# -- the browser: Chromium resolves by itself, so it connects only through the guard proxy ----

def browser_page(port: int) -> str:
    """A page whose scripts reach for the operator's network by name and by address."""
    return ("<html><body><h1>shop</h1><script>"
            f"fetch('http://inside.test:{port}/by-name').catch(() => 0);"
            f"fetch('http://127.0.0.1:{port}/by-address').catch(() => 0);"
            f"</script><script src='http://inside.test:{port}/script.js'></script></body></html>")


def test_the_browser_connects_only_to_vetted_addresses(hostile, chromium):
    from playwright.sync_api import sync_playwright

    from monitor.crawl.browser import GuardProxy, launch_options
    from monitor.crawl.netguard import Policy, parse_networks

    port = hostile.server.server_port
    routes = {"/": reply(200, browser_page(port))}
    with StandInShop(port, routes) as shop, \
            ScriptedNameServer({"rebind.test": [STAND_IN, "127.0.0.1"], "inside.test": ["127.0.0.1"]}) as dns, \
            GuardProxy(Policy(allowed=parse_networks(f"{STAND_IN}/32")), servers=[dns.sock.getsockname()]) as guard, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(chromium, proxy=guard.url))
        try:
            page = browser.new_page()
            for _ in range(2):  # the second visit asks no name server: the vetted answer is kept
                page.goto(f"http://rebind.test:{port}/", wait_until="load")
                page.wait_for_load_state("networkidle")
            refused = page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
        finally:
            browser.close()
    assert hostile.hits == [], f"the browser reached 127.0.0.1: {hostile.paths()}"
    assert shop.hits.count("/") == 2 and guard.connected["rebind.test"] == STAND_IN
    assert dns.a_queries("rebind.test") == 1
    assert refused.status == 403 and refused.headers.get("x-monitor-netguard") == "refused"
    said = " ".join(guard.refusals)
    assert "inside.test resolves to a private, loopback or link-local address (127.0.0.1); refused" in said
    assert "127.0.0.1 resolves to a private" in said and "--allow-private" in said


def test_the_browser_reaches_private_addresses_when_the_run_allows_them(hostile, chromium):
    from playwright.sync_api import sync_playwright

    from monitor.crawl.browser import GuardProxy, launch_options
    from monitor.crawl.netguard import Policy

    hostile.routes["/"] = reply(200, "<html><body>demo shop</body></html>")
    # Chromium's own background requests (update checks) ask this name server, not the world's.
    with ScriptedNameServer({}) as dns, GuardProxy(Policy(allow_private=True), servers=[dns.sock.getsockname()]) \
            as guard, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(chromium, proxy=guard.url))
        try:
            answer = browser.new_page().goto(hostile.url("/"), wait_until="load")
        finally:
            browser.close()
    assert answer.status == 200 and hostile.paths()[0] == "/" and guard.connected[hostile.server.server_address[0]]


def test_a_tunnel_to_a_refused_host_is_never_opened(hostile):
    """CONNECT (https, wss): refused before any byte reaches the host; a vetted one is piped."""
    from monitor.crawl.browser import GuardProxy
    from monitor.crawl.netguard import Policy

    hostile.routes["/"] = reply(200, "tunnelled")
    port = hostile.server.server_port

    def connect(guard, target: str) -> bytes:
        with socket.create_connection(("127.0.0.1", guard.port), timeout=10) as sock:
            sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
            first = sock.recv(4096)
            if b" 200 " in first.split(b"\r\n", 1)[0]:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                while chunk := sock.recv(4096):
                    first += chunk
            return first

    with GuardProxy(Policy()) as strict:
        answer = connect(strict, f"127.0.0.1:{port}")
    assert answer.startswith(b"HTTP/1.1 403") and b"127.0.0.1 resolves to a private" in answer
    assert hostile.hits == []
    with GuardProxy(Policy(allow_private=True)) as allowed:
        answer = connect(allowed, f"127.0.0.1:{port}")
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"tunnelled") and hostile.paths() == ["/"]


def test_a_browser_crawl_refuses_the_rebound_name_the_crawl_resolved_first(tmp_path, hostile, stand_in, chromium):
    """A JavaScript shop (render: browser): Scrapy's resolver gets the stand-in for robots.txt,
    Chromium's guard proxy asks again and gets 127.0.0.1: the page is refused, with the reason."""
    port = hostile.server.server_port
    profile = (ROOT / "spiders" / "profiles" / "kuaigou.yaml").read_text(encoding="utf-8")
    profile = profile.replace("allow_private: true", "allow_private: false")
    profile = profile.replace("allowed_domains: [127.0.0.1]", "allowed_domains: [rebind.test]")
    profile = profile.replace("base_url: http://127.0.0.1:8103", f"base_url: http://rebind.test:{port}")
    path = tmp_path / "rebind.yaml"
    path.write_text(profile.replace("site: kuaigou", "site: rebind"), encoding="utf-8")
    with ScriptedNameServer({"rebind.test": [STAND_IN, "127.0.0.1"]}) as dns:
        result = crawl(str(path), tmp_path / "m.db", dns)
    assert hostile.hits == [], f"the browser reached 127.0.0.1: {hostile.paths()}"
    assert stand_in.hits[:1] == ["/robots.txt"] and dns.a_queries("rebind.test") == 2
    errors = errors_of(result)
    assert "/search?q=" in errors and "at connection time (browser)" in errors
    assert "rebind.test resolves to a private, loopback or link-local address (127.0.0.1); refused" in errors
    assert result["blocked"] >= 1 and result["run"]["status"] == "failed"


def test_a_browser_page_records_the_shops_address_not_the_proxys(tmp_path):
    """Through the guard proxy Playwright sees only the proxy (127.0.0.1); the evidence of a
    rendered page must carry the address the proxy connected to (the shop on 127.0.0.2 here)."""
    import sqlite3

    from monitor.demo.marketplaces import DemoMarketplaces

    try:
        markets = DemoMarketplaces(host=STAND_IN, base_port=None, day=1).__enter__()
    except OSError as exc:  # pragma: no cover - a loopback with 127.0.0.1 only
        pytest.skip(f"cannot listen on {STAND_IN} ({exc})")
    try:
        base = markets.urls["kuaigou"]
        profile = (ROOT / "spiders" / "profiles" / "kuaigou.yaml").read_text(encoding="utf-8")
        path = tmp_path / "kuaigou.yaml"
        path.write_text(profile.replace("allowed_domains: [127.0.0.1]", f"allowed_domains: [{STAND_IN}]")
                        .replace("base_url: http://127.0.0.1:8103", f"base_url: {base}"), encoding="utf-8")
        with ScriptedNameServer({}) as dns:  # Chromium's own background requests ask no one outside
            result = crawl(str(path), tmp_path / "m.db", dns, MONITOR_EVIDENCE=True,
                           spider_args={"category": None, "keyword": "防晒"})
    finally:
        markets.__exit__(None, None, None)
    assert result["run"]["listings_seen"] >= 1, result
    db = sqlite3.connect(tmp_path / "m.db")
    addresses = {row[0] for row in db.execute("SELECT server_ip FROM evidence WHERE kind = 'rendered'")}
    assert addresses == {STAND_IN}, addresses


def test_concurrent_connections_to_one_name_share_one_lookup():
    """Four pages opening at once must not each ask (and so each get a different answer)."""
    import asyncio

    from monitor.crawl.browser import GuardProxy
    from monitor.crawl.netguard import Policy, parse_networks

    with ScriptedNameServer({"rebind.test": [STAND_IN, "127.0.0.1"]}) as dns:
        guard = GuardProxy(Policy(allowed=parse_networks(f"{STAND_IN}/32")), servers=[dns.sock.getsockname()])

        async def many():
            return await asyncio.gather(*[guard.vetted("rebind.test") for _ in range(4)])

        answers = asyncio.run(many())
    assert answers == [[STAND_IN]] * 4 and dns.a_queries("rebind.test") == 1
