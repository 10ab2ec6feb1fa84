"""The referral pages in real Chromium: laid out by the app's stylesheet like the other pages
(the facts as the app's key/value table, the forms in a row, the police mark and missing
figures boxed, the timeline drawn). Screenshots go to test-artifacts/web/ (look at them)."""

from __future__ import annotations

import pytest

from monitor.casework import referrals as service
from monitor.store import open_db, save_listings
from tests.conftest import ARTIFACTS
from tests.test_relisting import confirm
from tests.web_fixtures import PASSWORD, LiveServer, build_store

SHOTS = ARTIFACTS / "web"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("refbrowser") / "monitor.db"
    ids = build_store(path)["listings"]
    db = open_db(path, migrate=False)
    try:
        save_listings(db, [{"site": "shopb", "listing_id": "L1", "url": "https://shop.example/1",
                            "title": "B0SCH pads 1", "price": 41.0, "currency": "CNY", "sales_count": 2000,
                            "observed_at": "2026-11-04T08:00:00Z"}], source="import")
        confirm(db, ids["L1"])
        over = service.create_referral(db, actor="lea", listings=[ids["L1"], ids["L3"]], reference="XS-2026-301",
                                       drafted_on="2026-12-01")
        service.move(db, over, service.Change("sent", on="2026-12-02", authority="示例市公安局",
                                              authority_kind="public_security"), actor="lea")
        unknown = service.create_referral(db, actor="lea", listings=[ids["L3"]], reference="XS-2026-302")
    finally:
        db.close()
    with LiveServer(path) as server:
        yield server, over, unknown


@pytest.fixture(scope="module")
def page(chromium, site):
    from playwright.sync_api import sync_playwright

    server = site[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url, locale="zh-CN")
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                   else route.abort())
        page.goto("/login")
        page.fill("input[name=name]", "lea")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        yield page
        browser.close()


def style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_referral_page_is_laid_out_by_the_app_s_stylesheet(page, site):
    _, over, unknown = site
    page.goto(f"/referrals/{over}")
    assert page.evaluate("() => [...document.styleSheets].some(s => (s.href || '').endsWith('/static/app.css'))")
    shot(page, "referral-police")
    assert style(page, "header.top", "background-color") == "rgb(16, 42, 67)"  # the app's header, as elsewhere
    assert style(page, "table.referral-facts th", "color") == "rgb(97, 110, 124)"  # table.grid's muted headings
    assert style(page, "p.police-mark", "background-color") == "rgb(253, 232, 232)"
    assert style(page, "p.police-mark", "border-left-color") == "rgb(200, 30, 30)"
    assert style(page, "form.referral-move", "display") == "flex"
    assert style(page, "form.referral-package", "display") == "flex"
    assert style(page, "ol.timeline", "list-style-type") == "none"
    assert style(page, "ol.timeline li", "position") == "relative"
    assert "示例市公安局（公安机关）" in page.inner_text("table.referral-facts")
    page.goto(f"/referrals/{unknown}")
    shot(page, "referral-no-figures")
    assert style(page, "p.figures-missing", "border-left-color") == "rgb(217, 119, 6)"
    assert "无销量数据" in page.inner_text("p.figures-missing")


def test_the_referrals_list_and_its_start_form_use_the_app_s_layout(page, site):
    page.goto("/referrals")
    shot(page, "referrals-list")
    assert style(page, "form.filters", "display") == "flex"
    assert style(page, "table.referrals th", "font-weight") == "600"
    assert style(page, "form.referral-start", "display") == "flex"
    assert style(page, "form.referral-start label", "flex-direction") == "column"
    assert "已起草（1）" in page.inner_text("form.filters select")
