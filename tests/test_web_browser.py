"""The review app in real Chromium (playwright): hostile scraped content stays inert, and an
analyst can triage with the keyboard. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import ARTIFACTS
from tests.web_fixtures import PASSWORD, live, store  # noqa: F401 (fixtures)

SHOTS = ARTIFACTS / "web"


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def page(browser, live):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=live.url)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    # nothing leaves 127.0.0.1 (image hosts of the fixtures do not exist)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live.url) else route.abort())
    page.set_default_timeout(8000)
    yield page
    context.close()


def sign_in(page, name="ana"):
    page.goto("/")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def assert_inert(page):
    """No injected element: only our own script, no event-handler attributes, no script URLs,
    no <img src=x>, and no dialog fired."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # give an injected onerror a chance to fire
    found = page.evaluate("""() => ({
        scripts: Array.from(document.scripts).map(s => s.getAttribute('src')),
        handlers: Array.from(document.querySelectorAll('*')).filter(
            e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
        jsLinks: Array.from(document.querySelectorAll('[href],[src],[action],[formaction]')).filter(
            e => /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action')
                                        || e.getAttribute('formaction') || '')).length,
        imgX: document.querySelectorAll('img[src="x"]').length,
    })""")
    assert found == {"scripts": ["/static/app.js"], "handlers": 0, "jsLinks": 0, "imgX": 0}, found
    assert page.dialogs == []


def test_hostile_content_is_shown_as_text_and_never_runs(page, store):
    sign_in(page)
    lid = store.listings["L0"]
    for path in (f"/listing/{lid}", f"/listing/{lid}?images=1", "/seller/shopa/s-evil", "/?q=script&status=all",
                 "/?status=all", "/dashboard"):
        page.goto(path)
        assert_inert(page)
    page.goto(f"/listing/{lid}?images=1")
    title = page.inner_text("h1.listing-title")
    assert "<script>alert('xss-title')</script>" in title and 'onerror=alert("xss-img")' in title
    assert page.locator("h1.listing-title mark").count() == 2  # evidence highlighted, as text
    assert '<img src=x onerror=alert("attr-name")>' in page.inner_text("table.kv")
    assert "javascript:alert('xss-url')" in page.inner_text("code.unsafe-url")  # shown, not linked
    images = page.evaluate("Array.from(document.images).map(i => i.getAttribute('src'))")
    shots = [i for i in images if i.startswith("/evidence/")]  # our own copy of the screenshot
    assert [i for i in images if i not in shots] == ["https://img.example/a.jpg",
                                                     'https://img.example/b.jpg"><script>alert(9)</script>']
    assert len(shots) == 1 and shots[0].endswith("/screenshot.png")
    assert page.inner_text(".seller-name").startswith('Evil "><img')
    shot(page, "listing-hostile")
    page.goto("/?status=all")
    assert "<script>alert('xss-title')</script>" in page.inner_text("table.queue")


def test_keyboard_triage_filter_verdicts_bulk_and_audit(page, store):
    sign_in(page, "ben")
    rows = page.locator("tr[data-row]")
    assert rows.count() == 12
    shot(page, "queue")
    page.keyboard.press("?")
    assert page.is_visible("#help")
    shot(page, "help")
    page.keyboard.press("Escape")
    assert not page.is_visible("#help")

    # a filter: site shopb
    page.select_option("select[name=site]", "shopb")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**site=shopb**")
    assert rows.count() == 6
    assert all(t.startswith("shopb") for t in page.locator("tr[data-row] .meta").all_inner_texts())

    # j/k move the cursor; Enter opens the listing
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.locator("tr.cursor").count() == 1
    first_href = rows.nth(0).get_attribute("data-href")
    assert page.locator("tr.cursor").get_attribute("data-href") == first_href
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first_href}")
    first_id = int(first_href.rsplit("/", 1)[1].split("?")[0])
    assert first_href.endswith("?status=open&site=shopb")  # the queue filters travel with the listing

    # c confirms and moves on to the next listing in the queue
    page.keyboard.press("c")
    page.wait_for_url(lambda url: f"/listing/{first_id}" not in url and "done=verdict" in url)
    assert "Verdict recorded." in page.inner_text("main")
    second_id = int(page.url.split("/listing/")[1].split("?")[0])
    assert "site=shopb" in page.url  # "next" stayed in the filtered queue
    assert page.inner_text(".meta").count("shopb") >= 1

    # d asks for a reason first, then d again dismisses
    page.keyboard.press("d")
    assert page.evaluate("document.activeElement.getAttribute('name')") == "reason"
    assert f"/listing/{second_id}" in page.url
    page.select_option("#verdict-form select[name=reason]", "genuine_goods")
    page.keyboard.press("d")
    page.wait_for_url(lambda url: f"/listing/{second_id}" not in url)

    db = sqlite3.connect(store.path)
    decided = db.execute("SELECT listing, verdict, reason, analyst FROM reviews ORDER BY id").fetchall()
    assert decided == [(first_id, "confirmed_counterfeit", None, "ben"), (second_id, "dismissed", "genuine_goods", "ben")]
    assert [r[0] for r in db.execute("SELECT status FROM flags WHERE listing IN (?, ?) ORDER BY listing = ?",
                                     [first_id, second_id, second_id])] == ["confirmed", "dismissed"]

    # k goes back up the queue (only open flags remain in it)
    page.keyboard.press("k")
    page.wait_for_load_state("load")

    # a bulk verdict from the queue: tick two rows, escalate with the form
    page.goto("/?status=open")
    boxes = page.locator("tr[data-row] input[name=flag]")
    flags = [boxes.nth(i).get_attribute("value") for i in (0, 1)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("#bulk select[name=verdict]", "escalate")
    page.click("#bulk [data-submit]")
    page.wait_for_url("**done=verdict**")
    assert "Recorded 2 verdicts." in page.inner_text("main")
    escalated = db.execute("SELECT flag FROM reviews WHERE verdict = 'escalate' ORDER BY flag").fetchall()
    assert sorted(int(f) for f in flags) == [r[0] for r in escalated]
    shot(page, "queue-after-bulk")

    # the audit entry is on the listing page
    page.goto(f"/listing/{first_id}")
    audit = page.inner_text("table.audit")
    assert "ben" in audit and "verdict" in audit and "verdict: confirmed counterfeit" in audit
    shot(page, "listing-audit")
    db.close()
    assert page.dialogs == []
