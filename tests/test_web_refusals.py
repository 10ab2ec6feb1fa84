"""Refusals and errors as pages of the app (the Chinese walk-through of the review app, s13):
the header and navigation when signed in, the reason in the reader's language, "back" to the
page the user came from; a refused bulk verdict comes back to the queue with its rows still
ticked; zxcvbn's advice in the reader's language; the favicon. A real uvicorn server on a real
SQLite store (tests/web_fixtures.py)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from monitor import i18n
from monitor.review import accounts
from monitor.store import open_db
from tests.web_fixtures import csrf_of, http_client, live_zh, login, store  # noqa: F401 (fixtures)

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def site(store, live_zh):  # the app in monitor.yaml's language (zh); the browsers below ask for one
    return live_zh, store.path, vars(store)


@contextmanager
def _signed_in(live, name, headers):
    with http_client(live.url, headers=headers) as client:
        login(client, name)
        yield client


def test_a_role_refusal_has_the_nav_the_role_labels_and_a_way_back(site):
    live, _path, _info = site
    with _signed_in(live, "ana", ZH) as ana:
        page = ana.get("/admin/users", headers={"Referer": f"{live.url}/dashboard"})
        assert page.status_code == 403
        assert '<nav>' in page.text and 'href="/dashboard"' in page.text and "/logout" in page.text
        assert "此操作需要“管理员”或更高角色；您的角色是“审核员”。" in page.text
        assert "admin" not in re.search(r"data-error-message>([^<]*)<", page.text).group(1)
        assert 'href="/dashboard" data-back' in page.text and "返回上一页" in page.text
        assert 'href="/" data-queue' in page.text
    with _signed_in(live, "lea", EN) as lea:
        page = lea.get("/admin/users")
        assert page.status_code == 403
        message = re.search(r"data-error-message>([^<]*)<", page.text).group(1)
        assert message == "This needs the “admin” role or a higher one; your role is “lead”."
        assert "data-back" not in page.text  # no Referer: only the queue


def test_a_foreign_or_missing_referer_leads_back_to_the_queue_only(site):
    live, _path, _info = site
    with _signed_in(live, "ana", ZH) as ana:
        for referer in ("https://evil.example/dashboard", f"{live.url}//evil.example/x", "not a url"):
            page = ana.get("/admin/users", headers={"Referer": referer})
            assert page.status_code == 403 and "data-back" not in page.text, referer
            assert 'href="/" data-queue' in page.text


def test_404s_are_pages_of_the_app_in_the_readers_language(site):
    live, _path, info = site
    with _signed_in(live, "ana", ZH) as ana:
        page = ana.get("/no-such-page", headers={"Referer": f"{live.url}/?status=all"})
        assert page.status_code == 404 and "<nav>" in page.text
        assert "页面不存在" in page.text and "没有地址为 /no-such-page 的页面。" in page.text
        assert "Not Found" not in page.text and "GET /no-such-page" not in page.text
        assert 'href="/?status=all" data-back' in page.text
        # A reload of the missing page (Referer: itself) has no "back" to itself.
        again = ana.get("/no-such-page", headers={"Referer": f"{live.url}/no-such-page"})
        assert "data-back" not in again.text
        missing = ana.get("/listing/999999")
        assert missing.status_code == 404 and "<nav>" in missing.text and "未找到" in missing.text
    with http_client(live.url, headers=ZH) as anon:  # signed out: the page, without the nav
        page = anon.get("/static/nothing.css")
        assert page.status_code == 404
        page = anon.get("/no-such-page")
        assert page.status_code == 404 and "页面不存在" in page.text and "<nav>" not in page.text


def test_a_refused_form_comes_back_with_a_link_to_the_form(site):
    live, _path, info = site
    with _signed_in(live, "ana", ZH) as ana:
        listing = info["listings"]["L5"]
        form_page = ana.get(f"/listing/{listing}")
        r = ana.post(f"/listing/{listing}/verdict", headers={"Referer": f"{live.url}/listing/{listing}"},
                     data={"csrf_token": csrf_of(form_page.text), "flag": info["flags"][listing],
                           "verdict": "dismissed", "reason": ""})
        assert r.status_code == 400 and "<nav>" in r.text
        assert f'href="/listing/{listing}" data-back' in r.text
        assert "未能完成" in r.text and "理由" in r.text


def test_bulk_dismiss_needs_a_reason_and_a_refusal_keeps_the_ticked_rows(site):
    live, path, info = site
    with _signed_in(live, "lea", ZH) as lea:
        queue = lea.get("/?site=shopb")
        assert queue.status_code == 200
        # The reason list is required while "dismissed" is chosen (app.js), and the server checks it.
        assert "reason.required = select.value === \"dismissed\"" in lea.get("/static/app.js").text
        flags = [info["flags"][info["listings"][k]] for k in ("L1", "L3")]
        form = {"csrf_token": csrf_of(queue.text), "flag": [str(f) for f in flags], "verdict": "dismissed",
                "reason": "", "note": "与正品比对<b>", "back": "/?site=shopb"}
        r = lea.post("/bulk", data=form, follow_redirects=False)
        assert r.status_code == 400
        assert "排除须选择理由" in r.text and "data-bulk-error" in r.text and '<nav>' in r.text
        for f in flags:
            assert re.search(rf'name="flag" value="{f}" checked', r.text), f
        assert len(re.findall(r'name="flag" value="\d+" checked', r.text)) == 2
        assert re.search(r'<option value="dismissed" selected>', r.text)
        assert re.search(r'name="reason" data-reason required', r.text)
        assert 'value="与正品比对&lt;b&gt;"' in r.text
        assert 'name="back" value="/?site=shopb"' in r.text
        assert "shopa" not in re.sub(r"<select name=\"site\">.*?</select>", "", r.text, flags=re.S)  # still filtered
        # Nothing ticked: the same page, the message, nothing recorded.
        r = lea.post("/bulk", data={**form, "flag": [], "reason": "genuine_goods"})
        assert r.status_code == 400 and "至少" in r.text and "data-bulk-error" in r.text
        db = open_db(path)
        try:
            assert db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
        finally:
            db.close()
        # With the reason, recorded as before.
        done = lea.post("/bulk", data={**form, "reason": "genuine_goods"}, follow_redirects=False)
        assert done.status_code == 303 and "done=verdict&n=2" in done.headers["location"]


def test_weak_password_advice_is_in_the_readers_language(site):
    live, _path, _info = site
    with _signed_in(live, "ben", ZH) as ben:
        page = ben.get("/account/password")
        r = ben.post("/account/password", data={"csrf_token": csrf_of(page.text), "current": "correct horse battery",
                                                "new": "password1234", "confirm": "password1234"})
        assert r.status_code == 400
        error = re.search(r'<p class="error" role="alert">([^<]*)</p>', r.text).group(1)
        assert "该密码太容易被猜中" in error and "这是非常常见的密码" in error
        assert not re.search(r"[A-Za-z]{3,}", error), error  # not a word of zxcvbn's English
    with i18n.use_locale("zh_CN"):
        assert accounts._zxcvbn_text("A warning of a newer zxcvbn.") == "密码太容易被猜到，请加长或换用不常见的词组。"
        assert "aaa" in accounts.password_problem("aaaaaaaaaaaaaaa") and "重复" in accounts.password_problem("aaaaaaaaaaaaaaa")
    with i18n.use_locale("en"):
        assert accounts._zxcvbn_text("A warning of a newer zxcvbn.") == "A warning of a newer zxcvbn."
        assert "this is a very common password" in accounts.password_problem("password1234")


def test_the_favicon_is_served_from_the_app(site):
    live, _path, _info = site
    with _signed_in(live, "ana", ZH) as ana:
        assert '<link rel="icon" href="/static/favicon.svg"' in ana.get("/").text
        icon = ana.get("/favicon.ico", follow_redirects=True)
        assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
        assert icon.text.startswith("<svg") and "http" not in icon.text.replace("http://www.w3.org/2000/svg", "")
