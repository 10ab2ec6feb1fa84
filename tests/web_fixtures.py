"""Shared setup for the web app tests: a real SQLite store with listings, flags and users, and
the app served by a real uvicorn server on 127.0.0.1. Imported by the web, export and notice tests;
named without test_ so that pytest does not collect it as tests."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from monitor.rules.signals import Evidence, Signal
from monitor.store import open_db, save_listings
from monitor.store.db import write_transaction
from monitor.store.flags import record_assessment
from monitor.store.migrations_review import REVIEW_MIGRATIONS
from monitor.review.accounts import add_user

PASSWORD = "correct horse battery"
XSS_SCRIPT = "<script>alert('xss-title')</script>"
XSS_IMG = '"><img src=x onerror=alert("xss-img")>'
XSS_JS_URL = "javascript:alert('xss-url')"
HOSTILE_TITLE = f"B0SCH {XSS_SCRIPT} brake pads {XSS_IMG}"
HOSTILE_ATTR_NAME = '<img src=x onerror=alert("attr-name")>'
HOSTILE_ATTR_VALUE = f"B0SCH {XSS_SCRIPT}"
# A captured page written by the people under investigation: everything in it must stay inert.
HOSTILE_CAPTURE = (
    "<html><head><script>alert('cap-head')</script><meta http-equiv=refresh content=\"0;url=javascript:alert(2)\">"
    "<base href=\"http://evil.invalid/\"><link rel=stylesheet href=\"http://evil.invalid/a.css\"></head>"
    "<body onload=\"alert('cap-body')\"><h1>B0SCH brake pads CAPTURED-MARKER</h1>"
    "<img src=x onerror=\"alert('cap-img')\"><a href=\"javascript:alert('cap-link')\">click</a>"
    "<iframe srcdoc=\"<script>alert('cap-srcdoc')</script>\"></iframe><svg onload=\"alert('cap-svg')\"></svg>"
    "<form action=\"/logout\" method=post><button>go</button></form>"
    "<div style=\"background:url(http://evil.invalid/x.png)\">styled</div></body></html>")


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid PNG without an imaging library: grey pixels, one IDAT chunk."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def capture_hostile_page(db, path: Path) -> None:
    """Evidence for L0 as a crawl would keep it: a WARC response record and a screenshot."""
    from monitor.evidence.paths import evidence_root
    from monitor.evidence.records import record_evidence
    from monitor.evidence.warcfile import RunWarc

    warc = RunWarc(evidence_root(path), "shopa", 1, "listing-monitor/test")
    page = warc.write_exchange(url="https://shop.example/0", method="GET", request_headers={"Accept": "text/html"},
                               request_body=b"", status=200, reason="OK", protocol="HTTP/1.1",
                               response_headers={"Content-Type": "text/html; charset=utf-8"},
                               body=HOSTILE_CAPTURE.encode(), server_ip="127.0.0.1")
    rendered = warc.write_rendered(url="https://shop.example/0", html=HOSTILE_CAPTURE.encode(), status=200,
                                   response_headers={"Content-Type": "text/html"}, server_ip="127.0.0.1",
                                   screenshot=tiny_png(), browser="test")
    warc.close()
    record_evidence(db, [{"site": "shopa", "listing_id": "L0", "evidence": [page.to_dict()]},
                         {"site": "shopa", "listing_id": "L0", "evidence": [c.to_dict() for c in rendered]}],
                    run_id=None, user_agent="listing-monitor/test")


def _assessment(score, signals, version="v1"):
    return SimpleNamespace(score=score, flagged=True, threshold=50, signals=signals, rules_version=version,
                           price_points=[])


def _lookalike(field, text, value):
    start = text.index(value)
    return Signal("mark_lookalike", "trademark", 0.9, f'"{value}" looks like "BOSCH"',
                  [Evidence(field, start, start + len(value), value)], mark="Bosch", term=5.76)


def build_store(path: Path) -> dict:
    """Listings on two sites (one hostile), price history over three days, flags, users."""
    db = open_db(path)
    REVIEW_MIGRATIONS.apply(db)
    items = []
    for day, price_shift in ((1, 0.0), (2, -3.0), (3, -5.0)):
        for i in range(12):
            items.append({
                "site": "shopa" if i % 2 == 0 else "shopb", "listing_id": f"L{i}", "url": f"https://shop.example/{i}",
                "title": f"B0SCH brake pads model {i}" if i else HOSTILE_TITLE,
                "description": (f"Genuine-looking pads. Contact wechat abc{i}." if i else
                                f"Best B0SCH {XSS_SCRIPT} {XSS_IMG} see {XSS_JS_URL}"),
                "brand": "B0SCH" if i else f"B0SCH{XSS_IMG}",
                "category": "auto_parts" if i % 3 else "cosmetics",
                "price": 40.0 + i + price_shift, "currency": "CNY",
                "seller_id": "s-evil" if i == 0 else f"seller{i % 4}",
                "seller_name": f"Evil {XSS_IMG}" if i == 0 else f"Seller {i % 4}",
                "images": ([XSS_JS_URL, "https://img.example/a.jpg", f'https://img.example/b.jpg"><script>alert(9)</script>']
                           if i == 0 else [f"https://img.example/{i}.jpg"]),
                "attributes": ({HOSTILE_ATTR_NAME: HOSTILE_ATTR_VALUE, "型号": "BP-1"} if i == 0 else {"型号": f"BP-{i}"}),
                "observed_at": f"2026-11-0{day}T08:00:00Z",
            })
        save_listings(db, items[-12:], source="import")
    listings = {r["listing_id"]: r for r in db.execute_returning_dicts("SELECT * FROM listings")}
    with write_transaction(db):
        for i in range(12):
            listing = listings[f"L{i}"]
            signals = [_lookalike("title", listing["title"], "B0SCH")]
            if i == 0:
                signals.append(_lookalike("description", listing["description"], "B0SCH"))
                signals.append(_lookalike(f"attributes.{HOSTILE_ATTR_NAME}", HOSTILE_ATTR_VALUE, "B0SCH"))
                signals.append(Signal("counterfeit_terms", "counterfeit", 0.8, "names <script> in the title",
                                      [Evidence("title", 6, 6 + len(XSS_SCRIPT), XSS_SCRIPT)], mark="Bosch"))
            else:
                signals.append(Signal("offplatform_contact", "contact", 0.5, "WeChat id in the description",
                                      [Evidence("description", listing["description"].index("wechat"),
                                                listing["description"].index("wechat") + 6, "wechat")]))
            record_assessment(db, listing, _assessment(99 - i * 3, signals), now="2026-11-03T09:00:00Z")
    for name, role in (("ana", "analyst"), ("ben", "analyst"), ("lea", "lead"), ("adm", "admin")):
        add_user(db, name, role, PASSWORD)
    capture_hostile_page(db, path)
    ids = {k: v["id"] for k, v in listings.items()}
    flags = {r["listing"]: r["id"] for r in db.execute_returning_dicts("SELECT id, listing FROM flags")}
    evidence = {r["kind"]: r["id"] for r in db.execute_returning_dicts("SELECT id, kind FROM evidence ORDER BY id")}
    db.close()
    return {"listings": ids, "flags": flags, "evidence": evidence}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app on a real uvicorn server in a thread."""

    def __init__(self, db_path: Path, language: str | None = None):
        """``language``: the app's default (create_app); None reads monitor.yaml's (zh)."""
        import uvicorn

        from monitor.web import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(db_path, language=language), host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Sign in through the login form, as a browser would. Returns the final response."""
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": "/"}, follow_redirects=True)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "monitor.db"
    info = build_store(path)
    return SimpleNamespace(path=path, **info)


@pytest.fixture(scope="module")
def live(store):
    # The review app tests written before issue 14 read English pages: the app's default language
    # is English here (accounts and Accept-Language can still ask for Chinese).
    with LiveServer(store.path, language="en") as server:
        yield server


@pytest.fixture(scope="module")
def live_zh(store):
    """The review app on the module's store in monitor.yaml's language (zh), as the demo runs it."""
    with LiveServer(store.path) as server:
        yield server


def http_client(base_url: str, **kw) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=10, **kw)


@pytest.fixture
def english():
    """Direct calls of the review code in English (the tests written before issue 14 assert its
    English messages; the default locale is zh_CN)."""
    from monitor.i18n import use_locale

    with use_locale("en"):
        yield


def nightly_jobs(urls: dict[str, str]) -> str:
    """monitor.yaml ``jobs:`` entries, one nightly crawl per marketplace at its test address (so
    the deployment knows the sites a complaint names)."""
    return "".join(f"  - id: {site}-n\n    site: {site}\n    base_url: {url}\n    allow_private: true\n"
                   f"    cron: '0 2 * * *'\n" for site, url in urls.items())
