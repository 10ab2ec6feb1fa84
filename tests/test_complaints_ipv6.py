"""A complaint naming a page on a literal IPv6 host (http://[::1]:8101/item/1): taken through the
API, the form and `monitor complaints import`, the brackets kept; a malformed bracketed host
refused naming the url field (it was an HTTP 500: url_key split the host's colons as a port)."""

from __future__ import annotations

import httpx
import pytest

from monitor.casework.complaints_rules import ComplaintError, check_url, url_key
from monitor.review.accounts import add_user, new_api_token
from monitor.store import open_db
from tests.conftest import run_monitor
from tests.web_fixtures import PASSWORD, LiveServer, csrf_of, http_client, login


def test_a_literal_ipv6_host_keeps_its_brackets_in_the_url_and_its_key():
    assert check_url("http://[::1]:8101/item/1") == "http://[::1]:8101/item/1"
    assert check_url("http://[2001:DB8::1]/x") == "http://[2001:db8::1]/x"
    assert url_key("http://[2001:db8::1]/x") == "http://[2001:db8::1]/x"
    # The same page however the address was written: zeros, case, default port, trailing slash.
    assert url_key(check_url("HTTP://[2001:0db8:0:0::1]:80/x/#top")) == url_key(check_url("http://[2001:db8::1]/x"))
    assert url_key(check_url("http://[::1]:8101/item/1")) != url_key(check_url("http://[::1]:8102/item/1"))


@pytest.mark.parametrize("bad", ["http://[::1/x", "http://[::1]x/", "http://[not-an-ip]/x", "http://[::1]:99999/x"])
def test_a_malformed_bracketed_host_is_refused_naming_the_url(bad):
    with pytest.raises(ComplaintError) as err:
        check_url(bad)
    assert err.value.field == "url" and bad[:40] in err.value.problem


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("complaints-ipv6")
    db_path = folder / "monitor.db"
    db = open_db(db_path)
    add_user(db, "lea", "lead", PASSWORD)
    token = new_api_token(db, "lea")
    db.close()
    with LiveServer(db_path) as live:
        live.db_path, live.token = db_path, token
        yield live


def _post(server, body):
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}, timeout=60) as api:
        return api.post("/api/complaints", json=body)


def test_the_api_takes_an_ipv6_page_and_refuses_a_malformed_one(server):
    r = _post(server, {"url": "http://[::1]:8101/item/1", "source": "12315", "text": "疑似假冒",
                       "received_on": "2026-11-02"})
    assert r.status_code == 201, r.text
    c = r.json()["complaint"]
    assert c["url"] == "http://[::1]:8101/item/1" and c["crawl_state"] == "no_profile"
    assert c["crawl_note"] == "not crawled: no profile for host [::1]:8101"
    again = _post(server, {"url": "http://[0:0::1]:8101/item/1/", "source": "12345", "text": "同一页面",
                           "received_on": "2026-11-03"})
    assert again.status_code == 201, again.text
    assert again.json()["complaint"]["duplicate_of"] == c["id"]
    bad = _post(server, {"url": "http://[::1/x", "source": "12315", "text": "x", "received_on": "2026-11-02"})
    assert bad.status_code == 400, bad.text
    assert bad.json()["error"].startswith("url:") and "http://[::1/x" in bad.json()["error"]


def test_the_form_takes_an_ipv6_page_and_refuses_a_malformed_one(server):
    with http_client(server.url) as lead:
        login(lead, "lea")
        page = lead.get("/complaints")
        form = {"csrf_token": csrf_of(page.text), "url": "http://[2001:db8::1]/x", "kind": "listing",
                "source": "12345", "received_on": "2026-11-02", "text": "售假"}
        r = lead.post("/complaints", data=form, follow_redirects=False)
        assert r.status_code == 303, r.text
        assert "http://[2001:db8::1]/x" in lead.get(r.headers["location"]).text
        bad = lead.post("/complaints", data={**form, "url": "http://[2001:db8::1/x"},
                        headers={"Accept-Language": "zh-CN"})
        assert bad.status_code == 400 and 'data-error="url"' in bad.text
        assert "商品或店铺链接：不是有效的网址：http://[2001:db8::1/x（" in bad.text and "方括号" in bad.text


def test_csv_import_takes_an_ipv6_row_and_names_a_malformed_one(tmp_path):
    csv_file = tmp_path / "hotline.csv"
    csv_file.write_text("url,source,received_on,text\n"
                        "http://[2001:db8::1]:8443/p/9,12315,2026-11-02,疑似假冒\n"
                        "http://[2001:db8::1:8443/p/9,12315,2026-11-02,括号缺失\n", encoding="utf-8")
    proc = run_monitor("complaints", "import", str(csv_file), "--no-crawl", db_path=tmp_path / "m.db")
    assert proc.returncode == 1, proc.stderr
    assert "complaint 1: http://[2001:db8::1]:8443/p/9" in proc.stdout and "1 taken, 1 refused" in proc.stdout
    assert f"{csv_file}:3: url: " in proc.stderr and "Traceback" not in proc.stderr
