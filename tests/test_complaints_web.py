"""Complaint intake through the review app's form and `monitor complaints import` (issue 14):
a real uvicorn server and the real CLI in a subprocess; the complainant shown to leads only."""

from __future__ import annotations

import re

import pytest

from monitor.review.accounts import add_user
from monitor.store import open_db
from tests.conftest import run_monitor
from tests.web_fixtures import PASSWORD, LiveServer, csrf_of, http_client, login


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("complaints-web")
    db_path = folder / "monitor.db"
    db = open_db(db_path)
    add_user(db, "lea", "lead", PASSWORD)
    add_user(db, "ana", "analyst", PASSWORD)
    db.close()
    with LiveServer(db_path) as server:
        server.db_path = db_path
        yield server


def test_the_form_takes_a_complaint_and_only_leads_see_the_complainant(app):
    with http_client(app.url) as lead:
        login(lead, "lea")
        page = lead.get("/complaints", headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 200 and 'name="source"' in page.text
        for chinese in ("投诉举报线索", "投诉人", "受理日期", "答复期限", "12315 热线", "权利人"):
            assert chinese in page.text, chinese
        csrf = csrf_of(page.text)
        form = {"csrf_token": csrf, "url": "https://shop.elsewhere.example/item/77", "kind": "listing",
                "source": "12345", "received_on": "2026-09-30", "complainant": "赵六<script>",
                "text": "<b>售假</b> 请核查"}
        r = lead.post("/complaints", data=form, follow_redirects=False)
        assert r.status_code == 303, r.text
        target = r.headers["location"]
        assert re.fullmatch(r"/complaints/\d+", target)
        detail = lead.get(target).text
        # The default 15 working days from Sep 30 over 国庆: Oct 8-10 (Sat 10 a make-up day), 12-16, 19-23, 26, 27.
        assert "2026年10月27日" in detail  # as the reader writes a date, not 2026-10-27
        assert "赵六&lt;script&gt;" in detail and "赵六<script>" not in detail
        assert "&lt;b&gt;售假&lt;/b&gt;" in detail
        listing_page = lead.get("/complaints").text
        assert "赵六&lt;script&gt;" in listing_page
        # A bad date is refused with the field named, the form kept.
        bad = lead.post("/complaints", data={**form, "received_on": "2026-13-01"})
        assert bad.status_code == 400 and 'data-error="received_on"' in bad.text and "shop.elsewhere.example" in bad.text
        # Moving it on: answering needs the outcome.
        status_url = target + "/status"
        page = lead.get(target)
        refused = lead.post(status_url, data={"csrf_token": csrf_of(page.text), "status": "answered", "outcome": ""})
        assert refused.status_code == 400 and "outcome" in refused.text
        done = lead.post(status_url, data={"csrf_token": csrf_of(page.text), "status": "answered",
                                           "outcome": "已答复"}, follow_redirects=True)
        assert done.status_code == 200 and 'data-status>' in done.text and "已答复" in done.text
    with http_client(app.url) as analyst:
        login(analyst, "ana")
        assert "赵六" not in analyst.get("/complaints").text
        assert "赵六" not in analyst.get(target).text and "data-complainant" not in analyst.get(target).text
    with http_client(app.url) as anon:
        assert anon.get("/complaints", follow_redirects=False).status_code == 303  # to the login
    db = open_db(app.db_path)
    try:
        actions = [r[0] for r in db.execute("SELECT action FROM audit WHERE object = ? ORDER BY id",
                                            [target.strip("/").replace("complaints/", "complaint:")]).fetchall()]
        assert actions == ["complaint.create", "complaint.status"]
    finally:
        db.close()


def test_the_form_needs_its_csrf_token(app):
    with http_client(app.url) as lead:
        login(lead, "lea")
        r = lead.post("/complaints", data={"url": "https://a.example/1", "source": "12315", "text": "x"})
        assert r.status_code == 403


def test_csv_import_keeps_good_rows_and_names_each_bad_one(tmp_path):
    db_path = tmp_path / "monitor.db"
    cfg = tmp_path / "monitor.yaml"
    cfg.write_text("jobs: []\ncomplaints:\n  response_days: 5\n", encoding="utf-8")
    csv_file = tmp_path / "hotline.csv"
    csv_file.write_text(
        "url,source,received_on,text,complainant\n"
        "https://shop.a.example/p/1,12315,2026-09-30,疑似假冒,张三\n"
        "https://shop.a.example/p/2,weibo,2026-09-30,来源错误,李四\n"
        "https://shop.a.example/p/3,12345,2026-09-31,日期错误,\n"
        "https://shop.a.example/p/1/,platform,2026-10-08,重复投诉,王五\n", encoding="utf-8")
    proc = run_monitor("complaints", "import", str(csv_file), "--config", str(cfg), db_path=db_path)
    assert proc.returncode == 1, proc.stderr
    assert f"{csv_file}:3: source: weibo is not one of: 12315, 12345, platform, rights_holder, other" in proc.stderr
    assert f"{csv_file}:4: received_on: not a date: 2026-09-31" in proc.stderr
    assert "2 taken, 2 refused" in proc.stdout
    db = open_db(db_path)
    try:
        rows = db.execute_returning_dicts("SELECT * FROM complaints ORDER BY id")
    finally:
        db.close()
    assert [r["deadline"] for r in rows] == ["2026-10-13", "2026-10-14"]  # 5 working days over 国庆
    assert rows[0]["crawl_state"] == "no_profile" and rows[1]["duplicate_of"] == rows[0]["id"]
    listed = run_monitor("complaints", "list", db_path=db_path, check=True)
    assert "张三" not in listed.stdout and "duplicate of 1" in listed.stdout
    assert "张三" in run_monitor("complaints", "list", "--show-complainant", db_path=db_path, check=True).stdout
    closed = run_monitor("complaints", "close", "1", "--outcome", "已核查", db_path=db_path, check=True)
    assert "answered" in closed.stdout


def test_csv_import_refuses_a_file_without_the_columns(tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("link,source,text\nhttps://a.example/1,12315,x\n", encoding="utf-8")
    proc = run_monitor("complaints", "import", str(csv_file), db_path=tmp_path / "m.db")
    assert proc.returncode == 2 and f"{csv_file}:1: header: missing column(s) url" in proc.stderr


def test_the_dashboard_panel_renders_from_its_context(app):
    from starlette.requests import Request

    from monitor.i18n import gettext, use_locale
    from monitor.web.complaints import panel_context
    from monitor.web.deps import make_templates

    request = Request({"type": "http", "app": SimpleApp(), "headers": []})
    db = open_db(app.db_path)
    try:
        context = panel_context(request, db)
        with use_locale("zh_CN"):
            html = make_templates().get_template("complaints_panel.html").render(_=gettext, **context)
    finally:
        db.close()
    assert 'data-panel="complaints"' in html and "已超期" in html
    assert f'data-count="past">{context["counts"]["past_deadline"]}<' in html


class SimpleApp:
    state = type("State", (), {})()
