"""Captured evidence in the review app: the kept page is served inert from its own path with a
sandbox policy, the screenshot as a PNG, every view logged in the custody chain, an altered
record flagged; in real Chromium nothing in the captured page runs."""

from __future__ import annotations

import shutil

import pytest

from monitor.evidence import custody
from monitor.evidence.paths import evidence_root
from monitor.store import open_db
from tests.test_web_app import rows, signed_in
from tests.web_fixtures import PASSWORD, build_store, http_client, LiveServer, live, store  # noqa: F401


def test_captured_page_is_inert_sandboxed_and_logged(live, store):
    c = signed_in(live, "ana")
    page_id, shot_id = store.evidence["response"], store.evidence["screenshot"]
    before = rows(store, "SELECT count(*) AS n FROM custody WHERE action = 'view'")[0]["n"]
    r = c.get(f"/capture/{page_id}")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp and "script-src" not in csp
    assert "frame-ancestors 'self'" in csp and r.headers["x-frame-options"] == "SAMEORIGIN"
    body = r.text.lower()
    assert "CAPTURED-MARKER" in r.text
    for bad in ("<script", "onload", "onerror", "javascript:alert", "srcdoc", "<iframe", "<base", "<meta http-equiv",
                "evil.invalid/a.css", "url(http", "action="):
        assert bad not in body.replace('title="link: javascript:alert', ""), bad
    assert 'title="link: javascript:alert(' in r.text  # the link target stays readable, not live

    png = c.get(f"/evidence/{shot_id}/screenshot.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG") and png.headers["x-evidence-intact"] == "yes"
    assert png.headers["x-frame-options"] == "DENY"  # only the capture path may be framed

    listing = c.get(f"/listing/{store.listings['L0']}").text
    assert f'<iframe class="capture-frame" sandbox="" src="/capture/' in listing
    assert f'src="/evidence/{shot_id}/screenshot.png"' in listing

    views = rows(store, "SELECT * FROM custody WHERE action = 'view' ORDER BY id")
    assert len(views) == before + 2 and views[-1]["actor"] == "ana"
    db = open_db(store.path, migrate=False)
    assert list(custody.verify_chain(db)) == []
    db.close()
    assert c.get("/capture/999999").status_code == 404
    assert c.get(f"/capture/{shot_id}").status_code == 404  # a screenshot is not a page
    c.close()


def test_capture_needs_a_login(live, store):
    with http_client(live.url) as anon:
        r = anon.get(f"/capture/{store.evidence['response']}")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert anon.get(f"/evidence/{store.evidence['screenshot']}/screenshot.png").status_code == 303


def test_an_altered_record_is_shown_with_a_warning(tmp_path):
    path = tmp_path / "monitor.db"
    info = build_store(path)
    warc = next((evidence_root(path) / "warc").rglob("*.warc.gz"))
    # Re-write the first captured page's gzip member with one byte of the page changed.
    import gzip

    db = open_db(path, migrate=False)
    row = db["evidence"].get(info["evidence"]["response"])
    db.close()
    data = warc.read_bytes()
    start, end = row["offset"], row["offset"] + row["length"]
    member = gzip.decompress(data[start:end]).replace(b"CAPTURED-MARKER", b"CAPTURED-MARKEX")
    warc.write_bytes(data[:start] + gzip.compress(member) + data[end:])
    shot = next((evidence_root(path) / "screenshots").rglob("*.png"))
    shot.write_bytes(shot.read_bytes()[:-1] + b"\x00")
    with LiveServer(path, language="en") as server:
        c = signed_in(server, "ana")
        page = c.get(f"/capture/{info['evidence']['response']}").text
        assert "no longer matches the SHA-256" in page and "CAPTURED-MARKEX" in page
        png = c.get(f"/evidence/{info['evidence']['screenshot']}/screenshot.png")
        assert png.headers["x-evidence-intact"] == "NO"
        c.close()


def test_captured_page_never_runs_in_chromium(live, store, chromium):
    from playwright.sync_api import sync_playwright

    from tests.conftest import ARTIFACTS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1360, "height": 1000}, base_url=live.url)
        page = context.new_page()
        dialogs, outside = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def route(r):
            if r.request.url.startswith(live.url):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto("/")
        page.fill("input[name=name]", "ana")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"/listing/{store.listings['L0']}")
        frame_el = page.wait_for_selector("iframe.capture-frame")
        frame_el.scroll_into_view_if_needed()
        frame = frame_el.content_frame()
        frame.wait_for_load_state("load")
        page.wait_for_timeout(300)  # an injected handler would have fired by now
        assert "CAPTURED-MARKER" in frame.inner_text("body")
        found = frame.evaluate("""() => ({
            scripts: document.scripts.length,
            handlers: Array.from(document.querySelectorAll('*')).filter(
                e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
            links: document.querySelectorAll('[href],[src],[action],[srcdoc]').length,
        })""")
        assert found == {"scripts": 0, "handlers": 0, "links": 0}, found
        assert dialogs == [] and outside == []
        assert page.url.endswith(f"/listing/{store.listings['L0']}")  # the refresh did not navigate
        assert page.evaluate("document.querySelector('img.capture-shot').naturalWidth") == 4
        out = ARTIFACTS / "web"
        out.mkdir(parents=True, exist_ok=True)
        page.locator("section.capture").screenshot(path=str(out / "listing-captured-page.png"))
        context.close()
        browser.close()


def test_a_lead_downloads_the_sellers_case_package(tmp_path):
    from monitor.export.package import verify_package
    from tests.test_relisting import confirm
    from tests.web_fixtures import csrf_of

    path = tmp_path / "monitor.db"
    info = build_store(path)
    db = open_db(path, migrate=False)
    confirm(db, info["listings"]["L0"])
    db.close()
    with LiveServer(path, language="en") as server:
        ana, lea = signed_in(server, "ana"), signed_in(server, "lea")
        page = ana.get("/seller/shopa/s-evil").text
        assert "Download the case package" not in page  # analysts review; leads export
        token = csrf_of(page)
        assert ana.post("/case/shopa/s-evil", data={"csrf_token": token}).status_code == 403
        page = lea.get("/seller/shopa/s-evil").text
        assert "Download the case package" in page
        assert lea.post("/case/shopa/s-evil", data={}).status_code == 403  # no CSRF token
        r = lea.post("/case/shopa/s-evil", data={"csrf_token": csrf_of(page)})
        assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
        assert 'filename="case-shopa-s-evil.wacz"' in r.headers["content-disposition"]
        out = tmp_path / "case.wacz"
        out.write_bytes(r.content)
        report = verify_package(out)
        assert report.ok and report.manifest["listings"] == [info["listings"]["L0"]], report.problems
        assert lea.post("/case/shopb/seller1", data={"csrf_token": csrf_of(page)}).status_code == 409  # none confirmed
        ana.close()
        lea.close()
    exports = rows_of(path, "SELECT actor, sha256 FROM custody WHERE action = 'export'")
    assert exports == [{"actor": "lea", "sha256": r.headers["x-package-sha256"]}]


def rows_of(path, sql):
    db = open_db(path, migrate=False)
    try:
        return list(db.execute_returning_dicts(sql))
    finally:
        db.close()
