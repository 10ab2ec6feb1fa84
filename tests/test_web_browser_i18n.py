"""The review app in Chinese, in real Chromium: an analyst whose account chose Chinese loads the
queue, a listing and the dashboard and finds no English message of the catalogues in the visible
text; switched to English, the same check finds them (so it can fail). Listing content, names,
codes, numbers and URLs are not messages and are not checked."""

from __future__ import annotations

import re

import pytest

from monitor.i18n import AREAS, catalogues
from monitor.review.accounts import add_user, set_language
from monitor.rules.explain import Msg
from monitor.rules.signals import Evidence, Signal
from monitor.store import open_db, save_listings
from monitor.store.db import write_transaction
from monitor.store.flags import record_assessment
from monitor.store.migrations_review import REVIEW_MIGRATIONS
from tests.conftest import ARTIFACTS
from tests.web_fixtures import PASSWORD, LiveServer, _assessment

SHOTS = ARTIFACTS / "web"
# The visible text of the page: text nodes of rendered elements, the options of its selects and
# the placeholders and titles a person reads; not inside <code> (paths, commands, hashes) nor
# marked translate="no".
VISIBLE_TEXT = """() => {
  const out = [];
  const skip = el => el.closest('code, script, style, [translate="no"], [hidden]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement, text = n.textContent.trim();
    if (!text || !el || skip(el) || el.getClientRects().length === 0) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll('option, [placeholder], [title], [aria-label]')) {
    if (skip(el)) continue;
    for (const t of [el.tagName === 'OPTION' ? el.textContent : '', el.getAttribute('placeholder'),
                     el.getAttribute('title'), el.getAttribute('aria-label')]) {
      if (t && t.trim()) out.push(t.trim());
    }
  }
  out.push(document.title);
  return out;
}"""


def _patterns() -> list[tuple[str, re.Pattern, bool]]:
    """(message id, its regex with each %(name)s a wildcard, whether it may match inside a longer
    text) for every English message of every area that has words to read."""
    out = []
    for area in AREAS:
        for message in catalogues.extract(area):
            for msgid in ([message.id] if isinstance(message.id, str) else list(message.id)):
                if not msgid:
                    continue
                literal = re.split(r"%\([a-z_]+\)[sdr]|%%", msgid)
                words = re.findall(r"[A-Za-z]{3,}", " ".join(literal))
                if not words:
                    continue
                regex = ".+?".join(re.escape(part) for part in literal)
                # A long message is found inside a text node; a word or two only as the whole node
                # (a listing's own text may hold the word "open" or "site").
                inside = len(words) >= 3 or len("".join(literal).strip()) >= 24
                out.append((msgid, re.compile(regex if inside else rf"\s*{regex}\s*[.:]?\s*", re.S), inside))
    return out


def untranslated(texts: list[str], patterns) -> list[tuple[str, str]]:
    found = []
    for text in texts:
        norm = " ".join(text.split())
        for msgid, pattern, inside in patterns:
            if (pattern.search(norm) if inside else pattern.fullmatch(norm)):
                found.append((msgid, norm[:120]))
                break
    return found


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("web-zh") / "monitor.db"
    db = open_db(path)
    REVIEW_MIGRATIONS.apply(db)
    items = [{"site": "shopa", "listing_id": f"Z{i}", "url": f"https://shop.example/z{i}",
              "title": f"妮维稚 润肤霜 {i}号", "description": f"正品保证 加微信 nv{i}888 下单",
              "brand": "妮维稚", "category": "cosmetics", "price": 39.9 + i, "currency": "CNY",
              "seller_id": f"s{i % 2}", "seller_name": f"美妆店{i % 2}", "attributes": {"规格": "50ml"}, "sales_count": 120 + i,
              "observed_at": f"2026-12-0{1 + i % 3}T08:00:00Z"} for i in range(4)]
    save_listings(db, items, source="import")
    rows = list(db.execute_returning_dicts("SELECT * FROM listings ORDER BY id"))
    with write_transaction(db):
        for listing in rows:
            contact = listing["description"].index("nv")
            signals = [
                Signal("mark_lookalike", "trademark", 0.9,
                       Msg('"%(matched)s" in %(the_field)s is %(target)s', matched="妮维稚", the_field="title",
                           target=Msg('the mark "%(mark)s"', mark="妮维雅")),
                       [Evidence("title", 0, 3, "妮维稚")], mark="Nivea", term=4.2),
                Signal("offplatform_contact", "contact", 0.5,
                       Msg("Off-platform contact: %(contacts)s (rules/vocabulary.yaml)", contacts="微信"),
                       [Evidence("description", contact, contact + 7, listing["description"][contact:contact + 7])]),
            ]
            record_assessment(db, listing, _assessment(88, signals), now="2026-12-03T09:00:00Z")
    add_user(db, "wang", "analyst", PASSWORD)
    set_language(db, "wang", "zh_CN", actor="test")
    listing_id = rows[0]["id"]
    db.close()
    with LiveServer(path, language="en") as live:  # Chinese comes from the account alone
        yield live, listing_id


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def test_queue_listing_and_dashboard_have_no_english_messages_in_chinese(browser, app):
    live, listing_id = app
    patterns = _patterns()
    assert len(patterns) > 200  # every area's messages, not a handful
    context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=live.url, locale="en-US")
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live.url) else route.abort())
    page.set_default_timeout(8000)
    try:
        page.goto("/login")
        page.fill("input[name=name]", "wang")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        pages = {"queue": "/", "listing": f"/listing/{listing_id}", "dashboard": "/dashboard"}
        SHOTS.mkdir(parents=True, exist_ok=True)
        seen = {}
        for name, url in pages.items():
            page.goto(url)
            texts = page.evaluate(VISIBLE_TEXT)
            seen[name] = texts
            page.screenshot(path=str(SHOTS / f"zh-{name}.png"))
            problems = untranslated(texts, patterns)
            assert problems == [], f"{name}: {problems}"
        joined = "\n".join(seen["listing"])
        assert "待审核队列" in "\n".join(seen["queue"]) and "¥39.90" in "\n".join(seen["queue"])
        assert "2026年12月" in joined and "审核结论" in joined
        assert "¥39.90" in joined and "页面显示销量" in joined and "120" in joined
        assert "标题中的「妮维稚」即受保护商标「妮维雅」" in joined  # the signal explained in Chinese
        assert "工作台" in "\n".join(seen["dashboard"])
        # The casework pages are linked from the header (they exist in this app).
        assert {"投诉举报", "线索移送"} <= set(seen["dashboard"])

        # Switched to English (the header's switch), the same check finds the English messages.
        page.click("[data-language-choice=en]")
        page.wait_for_load_state("load")
        for name, url in pages.items():
            page.goto(url)
            english = untranslated(page.evaluate(VISIBLE_TEXT), patterns)
            assert len(english) >= 15, (name, english)
        assert "Record verdict" in page.goto(pages["listing"]).text()
        assert 'in the title is the mark "妮维雅"' in page.inner_text("body")
    finally:
        context.close()
