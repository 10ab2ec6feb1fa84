"""The review app's language: the account's choice, else the browser's Accept-Language, else
monitor.yaml's `language`; the header's switch stores the account's choice; the API answers in
English unless Accept-Language asks for Chinese; dates and money as the locale writes them."""

from __future__ import annotations

import pytest

from monitor import i18n
from monitor.review import accounts
from monitor.store import open_db
from monitor.web.language import accept_language, configured_language
from monitor.yamlfile import YamlError
from tests.web_fixtures import LiveServer, build_store, csrf_of, http_client, login


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("i18n") / "monitor.db"
    build_store(path)
    with LiveServer(path) as live:  # no language given: monitor.yaml's (language: zh)
        yield live, path


def test_accept_language_is_negotiated_with_q_values():
    assert accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh_CN"
    assert accept_language("en-US,en;q=0.9,zh-CN;q=0.5") == "en"
    assert accept_language("en;q=0.2, zh-TW;q=0.8") == "zh_CN"  # the Chinese catalogue serves zh-*
    assert accept_language("fr-FR, de;q=0.5") is None
    assert accept_language("zh;q=0, en") == "en"
    assert accept_language("") is None


def test_monitor_yaml_language(tmp_path):
    good = tmp_path / "a.yaml"
    good.write_text("language: en\njobs: []\n", encoding="utf-8")
    assert configured_language(good) == "en"
    (tmp_path / "b.yaml").write_text("jobs: []\n", encoding="utf-8")
    assert configured_language(tmp_path / "b.yaml") == "zh_CN"
    bad = tmp_path / "c.yaml"
    bad.write_text("jobs: []\nlanguage: fr\n", encoding="utf-8")
    with pytest.raises(YamlError) as caught:
        configured_language(bad)
    assert "c.yaml:2" in str(caught.value) and "language" in str(caught.value)


def test_dates_and_money_follow_the_locale():
    with i18n.use_locale("zh_CN"):
        assert i18n.format_date("2026-12-07T08:00:00Z") == "2026年12月7日"
        assert i18n.format_money(40.5, "CNY") == "¥40.50"
        assert i18n.format_datetime("2026-12-07T08:00:00Z") == "2026年12月7日 08:00 UTC"
    with i18n.use_locale("en"):
        assert i18n.format_date("2026-12-07") == "December 7, 2026"
        assert i18n.format_money(40.5, "CNY") == "CN¥40.50"
    assert i18n.format_date("not a date") == "not a date"  # shown as it is, never hidden


def test_config_then_browser_then_account_decide_and_the_switch_stores_the_choice(server):
    live, path = server
    with http_client(live.url) as c:
        login(c, "ana")
        page = c.get("/").text
        assert '<html lang="zh-CN">' in page and "待审核队列" in page and "¥" in page
        assert "2026年11月" in page  # first seen, as 2026年11月1日
        english = c.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
        assert '<html lang="en">' in english and "<title>Queue · Listing monitor</title>" in english
        assert "Sign out" in english and "退出登录" not in english
        # The header's switch: the account's choice wins over the browser's.
        switch = c.post("/account/language", data={"csrf_token": csrf_of(page), "language": "en", "next": "/dashboard"})
        assert switch.status_code == 303 and switch.headers["location"] == "/dashboard"
        dash = c.get("/dashboard", headers={"Accept-Language": "zh-CN"}).text
        assert "Dashboard" in dash and "工作台" not in dash
        # Without the CSRF token the switch is refused and nothing changes.
        assert c.post("/account/language", data={"language": "zh_CN"}).status_code == 403
        back = c.post("/account/language", data={"csrf_token": csrf_of(dash), "language": "zh_CN", "next": "/"},
                      follow_redirects=True)
        assert "待审核队列" in back.text
    db = open_db(path)
    try:
        assert db.execute("SELECT language FROM users WHERE name = 'ana'").fetchone()[0] == "zh_CN"
        changes = db.execute("SELECT after FROM audit WHERE action = 'user_language' ORDER BY id").fetchall()
        assert [row[0] for row in changes] == ['{"language": "en"}', '{"language": "zh_CN"}']
        with pytest.raises(accounts.AccountError):
            accounts.set_language(db, "ana", "fr", actor="test")
    finally:
        db.close()


def test_an_unknown_language_is_refused_on_the_page(server):
    live, _ = server
    with http_client(live.url) as c:
        page = login(c, "ben").text
        r = c.post("/account/language", data={"csrf_token": csrf_of(page), "language": "fr"})
        assert r.status_code == 400 and "语言必须是以下之一" in r.text


def test_api_errors_are_english_unless_accept_language_asks_for_chinese(server):
    live, _ = server
    with http_client(live.url) as c:
        r = c.get("/api/queue")
        assert r.status_code == 401 and r.json()["error"].startswith("authentication required")
        r = c.get("/api/queue", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert r.status_code == 401 and r.json()["error"].startswith("需要身份验证")
        login(c, "ana")  # ana's account chose Chinese for the pages: the API still speaks English
        r = c.get("/api/listing/999999")
        assert r.status_code == 404 and r.json()["error"] == "listing 999999 not found"
        r = c.get("/api/listing/999999", headers={"Accept-Language": "zh"})
        assert r.json()["error"] == "未找到商品 999999"


def test_stored_codes_are_shown_as_words_of_the_locale():
    from monitor.web.deps import availability_words, make_templates, signal_kind_words

    env = make_templates()
    # variables, not literals: Jinja folds a filter of a constant when it compiles the template
    page = env.from_string("{{ c|category }} {{ s|signal }} {{ a|availability }} {{ e|evidence_kind }} "
                           "{{ k|signal_kind }} {{ odd|availability }}")
    codes = {"c": "agri_inputs", "s": "price_anomaly", "a": "InStock", "e": "rendered", "k": "mitigating", "odd": "Sold"}
    with i18n.use_locale("zh_CN"):
        assert page.render(**codes) == "农资 价格明显偏低 有货 渲染页面 减轻因素 Sold"  # an unknown value as it is
        assert signal_kind_words("nonesuch") == "nonesuch"
    with i18n.use_locale("en"):
        assert page.render(**codes) == "Agricultural inputs price far below the usual in stock rendered page mitigating Sold"
        assert availability_words(None) == ""
