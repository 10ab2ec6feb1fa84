"""Alerts in the reader's language (issue 14): a crawl stores its reasons as message templates
beside the English, an alert keeps its template, and the dashboard and e-mails render both in
the locale of who reads them; rows from before the templates show the English they hold."""

from __future__ import annotations

import json

from monitor.alerts import AlertSettings, raise_alerts, recent_alerts
from monitor.alerts.detect import alert_message, delivery_text, run_reason
from monitor.i18n import use_locale
from monitor.store import open_db
from monitor.store.runs import finish_run, start_run
from spiders.pipelines.reasons import judge

NO_EXPECTED = AlertSettings.from_mapping({"expected": {"sites": []}})


def degraded_run(db, site="greenmart"):
    """A run closed the way the crawl's pipeline closes one: low title coverage, two pages given
    up after retries."""
    status, why, degraded = judge("finished", 40, [], {"title": 0.5, "price": 1.0}, 0.9,
                                  failures={"retries_exhausted": 2})
    run = start_run(db, site=site, spider="profile", kind="profile")
    finish_run(db, run, status=status, finish_reason=why, degraded_reason=degraded, listings_seen=40,
               failures={"retries_exhausted": 2})
    return run


def test_a_crawls_reason_keeps_its_english_text_and_its_template(tmp_path):
    db = open_db(tmp_path / "m.db")
    run = degraded_run(db)
    row = db["crawl_runs"].get(run)
    assert row["degraded_reason"] == (
        "field coverage below 90%: title 50%; the site's layout may have changed, check the profile's selectors "
        "with `monitor extract`; failures: 2 given up after retries")
    template = json.loads(row["degraded_reason_template"])
    assert template["message"] == "%(parts)s" and len(template["params"]["parts"]["join"]) == 2
    assert row["finish_reason"] == "finished" and row["finish_reason_template"] is None  # Scrapy's own word


def test_an_alert_reads_in_chinese_and_in_english_as_stored(tmp_path):
    db = open_db(tmp_path / "m.db")
    run = degraded_run(db)
    [alert] = raise_alerts(db, NO_EXPECTED)
    assert alert["message"].startswith(f"Run {run} of greenmart is degraded: field coverage below 90%: title 50%")
    [stored] = recent_alerts(db)
    with use_locale("en"):
        assert alert_message(stored) == stored["message"]  # English is the stored text, to the letter
        assert delivery_text(stored) == "not sent"
    with use_locale("zh_CN"):
        text = alert_message(stored)
        assert text.startswith(f"greenmart 的第 {run} 次运行降级：字段覆盖率低于 90%：标题 50%")
        assert "2 个页面重试后放弃" in text and "field coverage" not in text
        assert run_reason(stored).startswith("字段覆盖率低于 90%")
        assert delivery_text(stored) == "未发送"


def test_alerts_and_runs_from_before_the_templates_show_their_english(tmp_path):
    db = open_db(tmp_path / "m.db")
    run = start_run(db, site="kuaigou", spider="profile", kind="profile")
    finish_run(db, run, status="failed", finish_reason="an old reason written as text")
    raise_alerts(db, NO_EXPECTED)
    db.execute("UPDATE alerts SET message_template = NULL")  # as raised before migration 0015
    [stored] = recent_alerts(db)
    with use_locale("zh_CN"):
        assert alert_message(stored) == stored["message"] == f"Run {run} of kuaigou failed: an old reason written as text"
        assert run_reason(stored) == "an old reason written as text"
    db.execute("UPDATE alerts SET message_template = '{not json'")  # a damaged row does not break the page
    with use_locale("zh_CN"):
        assert alert_message(recent_alerts(db)[0]) == stored["message"]


def test_the_dashboard_shows_alerts_and_codes_in_chinese(tmp_path):
    from tests.web_fixtures import LiveServer, build_store, http_client, login

    path = tmp_path / "monitor.db"
    build_store(path)
    db = open_db(path)
    run = degraded_run(db, site="shopa")
    raise_alerts(db, NO_EXPECTED)
    db.close()
    with LiveServer(path, language="zh") as live, http_client(live.url) as c:
        login(c, "ana")
        page = c.get("/dashboard").text
        assert f"shopa 的第 {run} 次运行降级：字段覆盖率低于 90%" in page
        assert "运行降级" in page and "未发送" in page
        assert "field coverage" not in page and "not sent" not in page and "degraded" not in page.replace(
            'data-alert="degraded"', "")
        # the open flags by category and signal name them in words, keeping the code as data
        assert '<tr data-key="auto_parts"><td>汽车配件</td>' in page
        assert '<tr data-key="cosmetics"><td>化妆品</td>' in page
        assert ">auto_parts<" not in page and ">mark_exact<" not in page
    with LiveServer(path, language="en") as live, http_client(live.url) as c:
        login(c, "ana")
        page = c.get("/dashboard").text
        assert '<tr data-key="auto_parts"><td>Auto parts</td>' in page and f"Run {run} of shopa is degraded" in page


def test_the_cli_lists_alerts_in_english(tmp_path):
    from tests.conftest import run_monitor

    path = tmp_path / "m.db"
    db = open_db(path)
    degraded_run(db)
    raise_alerts(db, NO_EXPECTED)
    db.close()
    out = run_monitor("alerts", "--days", "7", db_path=path, check=True, env={"COLUMNS": "400"}).stdout
    assert "not sent" in out and "field coverage below 90%" in out
    assert "未发送" not in out and "字段覆盖率" not in out
