"""Politeness against a real local shop: robots.txt obeyed, Retry-After honoured, honest User-Agent."""

from __future__ import annotations

import http.server
import threading
import time

import pytest
import sqlite_utils

from tests.conftest import run_monitor


def product(name):
    return f"""<html><head><title>{name}</title><script type="application/ld+json">
{{"@type": "Product", "name": "{name}", "sku": "{name}", "brand": "Bosch",
  "offers": {{"price": "99.00", "priceCurrency": "CNY"}}}}</script></head><body><h1>{name}</h1></body></html>"""


class Shop(http.server.BaseHTTPRequestHandler):
    hits: list = []
    throttled: set = set()

    def do_GET(self):
        Shop.hits.append((self.path, time.monotonic(), self.headers.get("User-Agent", "")))
        if self.path == "/robots.txt":
            return self.reply(200, "User-agent: *\nDisallow: /private/\n", "text/plain")
        if self.path == "/":
            links = "".join(f'<a href="{p}">x</a>' for p in ("/product/1", "/product/2", "/private/product/3"))
            return self.reply(200, f"<html><body>{links}</body></html>")
        if self.path == "/product/2" and self.path not in Shop.throttled:
            Shop.throttled.add(self.path)
            return self.reply(429, "slow down", headers={"Retry-After": "2"})
        if self.path.startswith(("/product/", "/private/product/")):
            return self.reply(200, product(self.path.rsplit("/", 1)[-1]))
        return self.reply(404, "not found")

    def reply(self, status, body, content_type="text/html; charset=utf-8", headers=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def shop():
    Shop.hits, Shop.throttled = [], set()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_robots_retry_after_and_user_agent(shop, tmp_path):
    db_path = tmp_path / "m.db"
    proc = run_monitor("crawl", "--url", shop + "/", "--allow-private", "--max-pages", "20", db_path=db_path,
                       env={"MONITOR_CONTACT": "brand-protection@example.org"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    paths = [p for p, _, _ in Shop.hits]
    assert "/private/product/3" not in paths  # disallowed by robots.txt
    assert paths.index("/robots.txt") < paths.index("/")  # robots.txt is read first
    tries = [t for p, t, _ in Shop.hits if p == "/product/2"]
    assert len(tries) == 2 and tries[1] - tries[0] >= 1.9  # waited as Retry-After asked
    assert all("listing-monitor/" in ua and "brand-protection@example.org" in ua for _, _, ua in Shop.hits)
    db = sqlite_utils.Database(db_path)
    assert sorted(r[0] for r in db.execute("SELECT listing_id FROM listings")) == ["1", "2"]


def test_a_crawl_has_a_memory_limit():
    # Issue 13 defect 10: MEMUSAGE_LIMIT_MB was unset, so a crawl fed something hostile could
    # take the machine's memory; Scrapy's MemoryUsage extension closes it at the limit instead.
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    assert settings.getbool("MEMUSAGE_ENABLED")
    assert 512 <= settings.getint("MEMUSAGE_LIMIT_MB") <= 8192
    assert 0 < settings.getint("MEMUSAGE_WARNING_MB") < settings.getint("MEMUSAGE_LIMIT_MB")


def test_a_crawl_over_its_memory_limit_is_closed(tmp_path):
    # The limit really stops a crawl of these settings (a limit below what Python itself takes).
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.faults.hostile import HostileShop, hang

    with HostileShop() as hostile:
        hostile.default = hang(60)
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "shop", "-a", f"url={hostile.url('/')}", "-a", "allow_private=1",
             "-s", f"MONITOR_DB={tmp_path / 'm.db'}", "-s", "MEMUSAGE_LIMIT_MB=20",
             "-s", "MEMUSAGE_CHECK_INTERVAL_SECONDS=0.5"],
            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "memusage_exceeded" in proc.stderr, proc.stderr[-3000:]


def test_a_crawl_started_by_a_large_process_is_judged_on_its_own_memory(tmp_path):
    # Linux keeps ru_maxrss (the peak) across fork and exec: Scrapy's own MemoryUsage closed a
    # crawl started by a process that once held more than the limit before its first request.
    # spiders/memusage.py reads the crawl's current memory instead.
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.faults.hostile import HostileShop, links_html, product_html, reply

    with HostileShop() as hostile:
        hostile.routes["/"] = reply(200, links_html(["/p/1"]))
        hostile.routes["/p/1"] = reply(200, product_html("drill", sku="1"))
        starter = (
            "import subprocess, sys\n"
            "held = b'x' * (300 * 1024 * 1024)  # resident: written, not just reserved\n"
            f"sys.exit(subprocess.run([sys.executable, '-m', 'scrapy', 'crawl', 'shop', '-a', 'url={hostile.url('/')}', "
            f"'-a', 'allow_private=1', '-s', 'MONITOR_DB={tmp_path / 'm.db'}', '-s', 'MEMUSAGE_LIMIT_MB=250', "
            "'-s', 'MEMUSAGE_CHECK_INTERVAL_SECONDS=0.5'], close_fds=False).returncode)\n")
        proc = subprocess.run([sys.executable, "-c", starter], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert "memusage_exceeded" not in proc.stderr, proc.stderr[-3000:]
    assert "'item_scraped_count': 1" in proc.stderr, proc.stderr[-3000:]
