"""The report's crawl runs are the monitoring's (scheduled and manual crawls); the one-page crawls
of pages complaints named are casework, said apart and not counted among them."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.i18n import use_locale
from monitor.periods import Period
from monitor.report import build_report
from monitor.report.data import report_data
from monitor.store import open_db
from monitor.store.runs import start_run

H2 = Period("half", date(2026, 7, 1), date(2027, 1, 1))


def _run(db, status: str, started_at: str, **tags) -> int:
    run = start_run(db, site="shopa", spider="shopa", kind="profile")
    db.execute("UPDATE crawl_runs SET status = ?, started_at = ?, job = ?, trigger = ? WHERE id = ?",
               [status, started_at, tags.get("job"), tags.get("trigger"), run])
    return run


def _complaint(db, run: int, n: int) -> None:
    db.execute("INSERT INTO complaints (url, url_key, kind, source, received_on, text, response_days, deadline, "
               "crawl_state, crawl_run, created_by, created_at) VALUES (?, ?, 'listing', '12315', '2026-08-03', "
               "'仿冒', 15, '2026-08-24', 'crawled', ?, 'lea', '2026-08-03T02:00:00Z')",
               [f"https://shopa.example/item/{n}", f"shopa.example/item/{n}", run])


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "monitor.db")
    _run(db, "completed", "2026-08-01T01:00:00Z", job="shopa-daily", trigger="schedule")
    _run(db, "failed", "2026-08-02T01:00:00Z", job="shopa-daily", trigger="catch-up")
    _run(db, "degraded", "2026-09-01T01:00:00Z")  # `monitor crawl` by hand
    for n in range(2):
        _complaint(db, _run(db, "failed", f"2026-08-03T02:0{n}:00Z"), n)
    _run(db, "completed", "2026-06-30T23:59:00Z")  # before the period
    db.conn.commit()
    yield db
    db.close()


def test_complaint_crawls_are_not_counted_among_the_crawl_runs(db):
    runs = report_data(db, H2)["current"]["runs"]
    assert runs == {"runs": 3, "failed": 1, "degraded": 1, "complaint_runs": 2}


def test_the_sentence_says_the_complaint_crawls_apart_in_both_languages(db):
    with use_locale("en"):
        text = report_data(db, H2)["sentences"]["crawling"]
    assert text.startswith("3 crawl runs started (1 failed, 1 degraded); ")
    assert text.endswith(" Besides, 2 crawls of pages complaints named, not counted above."), text
    with use_locale("zh_CN"):
        zh = report_data(db, H2)["sentences"]["crawling"]
    assert zh.startswith("启动采集3次（失败1次，部分完成1次）；") and zh.endswith("另有投诉举报线索所涉商品页采集2次，未计入上述次数。"), zh
    html = build_report(db, H2, "html", lang="zh")[0].decode("utf-8")
    assert "启动采集3次" in html and "单独统计" in html  # the sentence, and the definition


def test_without_complaint_crawls_the_sentence_is_as_before(tmp_path):
    db = open_db(tmp_path / "m.db")
    try:
        _run(db, "completed", "2026-08-01T01:00:00Z")
        with use_locale("en"):
            text = report_data(db, H2)["sentences"]["crawling"]
        assert text == "1 crawl run started (0 failed, 0 degraded); 0 listings seen for the first time."
    finally:
        db.close()
