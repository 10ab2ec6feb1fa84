"""The listing page as a Chinese analyst reads it (the walk-through of the review app, s13): the
audit trail's before/after as words and text as written (not JSON with \\u escapes), the
complaint that put a listing in the queue, the captured page's banner in the reader's language.
A real uvicorn server on a real SQLite store (tests/web_fixtures.py)."""

from __future__ import annotations

import re

import pytest

from monitor.store import open_db
from monitor.store.db import write_transaction
from tests.web_fixtures import csrf_of, http_client, live_zh, login, store  # noqa: F401 (fixtures)

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def site(store, live_zh):  # the app in monitor.yaml's language (zh); the browsers below ask for one
    return live_zh, store.path, vars(store)


def _audit_table(html: str) -> str:
    return re.search(r'<table class="grid audit">.*?</table>', html, re.S).group(0)


def test_the_audit_trail_reads_as_words_and_keeps_chinese_text(site):
    live, _path, info = site
    listing = info["listings"]["L4"]
    with http_client(live.url, headers=ZH) as ana:
        login(ana, "ana")
        page = ana.get(f"/listing/{listing}")
        r = ana.post(f"/listing/{listing}/verdict", data={
            "csrf_token": csrf_of(page.text), "flag": info["flags"][listing], "verdict": "dismissed",
            "reason": "genuine_goods", "note": "与正品比对，包装不符<b>", "then": "stay"}, follow_redirects=True)
        assert r.status_code == 200
        trail = _audit_table(r.text)
        assert "\\u" not in trail and "{&#34;" not in trail and "&#34;" not in trail
        assert "与正品比对，包装不符&lt;b&gt;" in trail  # as written, escaped
        assert 'data-action="verdict">登记审核结论<' in trail
        assert "审核结论：</span>已排除" in trail and "理由：</span>正品" in trail
        assert "状态：</span>待审核" in trail  # before: the flag was open
        assert "genuine_goods" not in trail and "dismissed" not in trail.replace('data-action="verdict"', "")
    with http_client(live.url, headers=EN) as ana:
        login(ana, "ana")
        trail = _audit_table(ana.get(f"/listing/{listing}").text)
        assert "verdict recorded" in trail and "Reason: </span>genuine goods" in trail


def test_a_listing_queued_by_a_complaint_says_so_with_its_deadline(site):
    live, path, info = site
    listing = info["listings"]["L9"]
    db = open_db(path)
    try:
        with write_transaction(db):
            complaint = db["complaints"].insert({
                "url": "https://shop.example/9", "url_key": "shop.example/9", "kind": "listing", "site": "shopb",
                "listing": listing, "source": "12315", "received_on": "2026-12-03", "text": "售假",
                "response_days": 15, "deadline": "2026-12-24", "status": "open", "crawl_state": "crawled",
                "created_by": "lea", "created_at": "2026-12-03T08:00:00Z"}).last_pk
            db.execute("UPDATE flags SET complaint = ? WHERE id = ?", [complaint, info["flags"][listing]])
    finally:
        db.close()
    with http_client(live.url, headers=ZH) as ana:
        login(ana, "ana")
        page = ana.get(f"/listing/{listing}").text
        assert f'<a href="/complaints/{complaint}" class="badge s60" data-complaint="{complaint}">' in page
        assert f"投诉 {complaint} · 2026年12月24日 前答复" in page
        assert "data-complaint-reason" in page and "2026-12-24" not in page
        other = ana.get(f"/listing/{info['listings']['L7']}").text
        assert "data-complaint" not in other and "data-complaint-reason" not in other


def test_the_captured_page_banner_is_in_the_readers_language(site):
    live, _path, info = site
    capture = info["evidence"]["response"]
    with http_client(live.url, headers=ZH) as ana:
        login(ana, "ana")
        page = ana.get(f"/capture/{capture}")
        assert page.status_code == 200 and "CAPTURED-MARKER" in page.text
        assert "页面存档（已作无害化处理：脚本、链接和外部资源均已移除）。" in page.text
        assert "Captured page, made inert" not in page.text and "<script" not in page.text
        listing = ana.get(f"/listing/{info['listings']['L0']}").text
        assert re.search(r"UTC 从 127\.0\.0\.1 抓取(，经 Chromium 渲染)?。以无害方式显示", listing)
    with http_client(live.url, headers=EN) as ana:
        login(ana, "ana")
        assert "Captured page, made inert: scripts" in ana.get(f"/capture/{capture}").text
