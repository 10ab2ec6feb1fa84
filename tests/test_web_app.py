"""The review app over real HTTP (uvicorn on 127.0.0.1): accounts, CSRF and Origin checks, roles,
verdicts with their audit rows, bulk verdicts, claims, the queue, the API, the append-only audit."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from click.testing import CliRunner

from monitor.store import open_db
from monitor.review import accounts
from monitor.urls import safe_http_url
from monitor.web.render import highlight
from tests.conftest import run_monitor
from tests.web_fixtures import PASSWORD, csrf_of, english, http_client, live, login, store  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def client(live):
    with http_client(live.url) as c:
        yield c


def signed_in(live, name):
    c = http_client(live.url)
    response = login(c, name)
    assert response.status_code == 200 and "Sign out" in response.text, response.text[:500]
    return c


def rows(store, sql, params=()):
    db = open_db(store.path, migrate=False)
    try:
        return list(db.execute_returning_dicts(sql, list(params)))
    finally:
        db.close()


# -- accounts -----------------------------------------------------------------------------

def test_every_page_needs_a_login(client, store):
    lid = store.listings["L1"]
    for path in ("/", f"/listing/{lid}", "/seller/shopa/seller1", "/dashboard", "/admin/users", "/export.csv",
                 "/?status=all&q=brake"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    assert client.get("/api/queue").status_code == 401
    assert client.get("/api/listing/1", headers={"Authorization": "Bearer nope"}).status_code == 401
    # a signed-in redirect goes back where the user wanted to be, never off-site
    r = login(client, "ana")
    assert str(r.url).endswith("/")


def test_login_sets_a_new_httponly_lax_session_and_logout_ends_it(live):
    c = http_client(live.url)
    login(c, "ana")
    first = c.cookies.get("monitor_session")
    set_cookie = None
    page = c.get("/login")
    r = c.post("/login", data={"name": "ana", "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "/"})
    assert r.status_code == 303
    set_cookie = r.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie.replace("Lax", "lax")
    assert "Secure" not in set_cookie  # plain http here; https requests get Secure
    second = c.cookies.get("monitor_session")
    assert second and second != first
    # the old session id is dead once a new one was issued
    with http_client(live.url, cookies={"monitor_session": first}) as old:
        assert old.get("/").status_code == 303
    home = c.get("/")
    r = c.post("/logout", data={"csrf_token": csrf_of(home.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    with http_client(live.url, cookies={"monitor_session": second}) as after:
        assert after.get("/").status_code == 303
    c.close()


def test_wrong_password_and_throttling(live, store):
    db = open_db(store.path, migrate=False)
    accounts.add_user(db, "thr", "analyst", PASSWORD)
    db.close()
    with http_client(live.url) as c:
        r = login(c, "thr", "wrong password")
        assert r.status_code == 401 and "Wrong user name or password" in r.text
        for _ in range(4):
            login(c, "thr", "wrong password")
        r = login(c, "thr")  # right password, but locked for now
        assert r.status_code == 429 and "Too many failed sign-ins for this account" in r.text
        assert c.cookies.get("monitor_session") is None


def test_throttling_per_ip(tmp_path):
    from monitor.store.migrations_review import REVIEW_MIGRATIONS

    db = open_db(tmp_path / "t.db")
    REVIEW_MIGRATIONS.apply(db)
    for i in range(accounts.MAX_FAILURES_PER_IP):
        db["login_failures"].insert({"name": f"user{i}", "ip": "10.0.0.9", "at": accounts.utc_now()})
    assert "from your address" in accounts.throttled(db, "someone-else", "10.0.0.9")
    assert accounts.throttled(db, "someone-else", "10.0.0.8") is None
    db.close()


@pytest.mark.parametrize("password, problem", [
    ("password123", "at least 12 characters"),  # the audit's example (issue 13, defect 6)
    ("password1234", "common password"),
    ("qwertyuiop123", "common password"),
    ("aaaaaaaaaaaaaaaa", "too easy to guess"),
    ("alice-alice-alice", "too easy to guess"),  # the user's own name, repeated
    ("x" * (accounts.MAX_PASSWORD_LENGTH + 1), "at most 128 characters"),
])
def test_weak_and_common_passwords_are_refused(tmp_path, password, problem):
    from monitor.store.migrations_review import REVIEW_MIGRATIONS

    assert problem in accounts.password_problem(password, name="alice")
    db = open_db(tmp_path / "p.db")
    REVIEW_MIGRATIONS.apply(db)
    with pytest.raises(accounts.AccountError, match=problem):
        accounts.add_user(db, "alice", "analyst", password)
    accounts.add_user(db, "alice", "analyst", "violet anchor drifts slowly")
    with pytest.raises(accounts.AccountError, match=problem):
        accounts.set_password(db, "alice", password, actor="test")
    assert not db.execute("SELECT count(*) FROM audit WHERE action = 'user_password'").fetchone()[0]
    db.close()


def test_strong_passwords_pass_the_policy():
    for password in (PASSWORD, "violet anchor drifts slowly", accounts.generate_password(), "y" * 12 + "Q7#kd!"):
        assert accounts.password_problem(password) is None, password


def test_login_form_needs_its_csrf_token(client):
    r = client.post("/login", data={"name": "ana", "password": PASSWORD})
    assert r.status_code == 403 and client.cookies.get("monitor_session") is None


# -- CSRF, Origin, GET is safe -------------------------------------------------------------

def test_post_without_csrf_token_is_refused(live, store):
    c = signed_in(live, "ana")
    flag = store.flags[store.listings["L11"]]
    before = rows(store, "SELECT count(*) AS n FROM reviews")[0]["n"]
    for path, data in ((f"/listing/{store.listings['L11']}/verdict", {"flag": flag, "verdict": "escalate"}),
                       ("/bulk", {"flag": flag, "verdict": "escalate"}),
                       (f"/listing/{store.listings['L11']}/claim", {"action": "claim"}),
                       ("/logout", {})):
        assert c.post(path, data=data).status_code == 403, path
        assert c.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert rows(store, "SELECT count(*) AS n FROM reviews")[0]["n"] == before
    assert c.get("/").status_code == 200  # still signed in: logout was refused too
    c.close()


def test_foreign_origin_or_referer_is_refused(live, store):
    c = signed_in(live, "ana")
    token = csrf_of(c.get("/").text)
    lid = store.listings["L11"]
    data = {"csrf_token": token, "action": "claim"}
    r = c.post(f"/listing/{lid}/claim", data=data, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "Cross-site" in r.text
    r = c.post(f"/listing/{lid}/claim", data=data, headers={"Referer": "https://evil.example/page"})
    assert r.status_code == 403
    r = c.post(f"/listing/{lid}/claim", data=data, headers={"Origin": "null"})
    assert r.status_code == 403
    assert not rows(store, "SELECT * FROM assignments WHERE listing = ?", [lid])
    r = c.post(f"/listing/{lid}/claim", data=data, headers={"Origin": live.url})  # own origin is fine
    assert r.status_code == 303
    assert rows(store, "SELECT analyst FROM assignments WHERE listing = ?", [lid]) == [{"analyst": "ana"}]
    c.post(f"/listing/{lid}/claim", data={**data, "action": "release"})
    c.close()


def snapshot(store):
    return {t: rows(store, f"SELECT * FROM {t} ORDER BY 1") for t in
            ("reviews", "assignments", "flags", "users", "listings")} | {
        "audit": rows(store, "SELECT * FROM audit WHERE action NOT IN ('login', 'logout') ORDER BY id")}


def test_no_get_changes_state(live, store):
    c = signed_in(live, "adm")
    before = snapshot(store)
    lid, flag = store.listings["L7"], store.flags[store.listings["L7"]]
    for path in ("/", "/?status=all", f"/listing/{lid}", f"/listing/{lid}?images=1", "/seller/shopb/seller3",
                 "/dashboard", "/admin/users", "/export.csv", "/api/queue", f"/api/listing/{lid}",
                 f"/listing/{lid}/verdict?flag={flag}&verdict=confirmed_counterfeit",
                 f"/bulk?flag={flag}&verdict=escalate", f"/listing/{lid}/claim?action=claim", "/logout",
                 "/admin/users/ana/disable", "/api/verdict", "/api/openapi.json"):
        r = c.get(path)
        assert r.status_code in (200, 404, 405), (path, r.status_code)
    assert snapshot(store) == before
    assert c.get("/").status_code == 200  # GET /logout did not sign out
    c.close()


# -- roles --------------------------------------------------------------------------------

def test_roles(live, store):
    ana = signed_in(live, "ana")
    token = csrf_of(ana.get("/").text)
    assert ana.get("/admin/users").status_code == 403
    assert ana.post("/admin/users", data={"csrf_token": token, "name": "mallory", "role": "admin"}).status_code == 403
    assert ana.post("/admin/users/ana/role", data={"csrf_token": token, "role": "admin"}).status_code == 403
    assert ana.get("/export.csv").status_code == 403
    assert "/admin/users" not in ana.get("/").text
    assert rows(store, "SELECT role FROM users WHERE name IN ('ana', 'mallory')") == [{"role": "analyst"}]

    lea = signed_in(live, "lea")
    assert lea.get("/admin/users").status_code == 403
    csv_text = lea.get("/export.csv").text
    assert csv_text.startswith("flag_id,listing_id") and "shopa" in csv_text

    adm = signed_in(live, "adm")
    page = adm.get("/admin/users")
    assert page.status_code == 200
    r = adm.post("/admin/users", data={"csrf_token": csrf_of(page.text), "name": "newbie", "role": "analyst"})
    assert r.status_code == 200 and "newbie" in r.text and "shown once" in r.text
    assert rows(store, "SELECT action, actor FROM audit WHERE object = 'user:newbie'") == [
        {"action": "user_add", "actor": "adm"}]
    for c in (ana, lea, adm):
        c.close()


# -- verdicts -----------------------------------------------------------------------------

def test_verdict_writes_review_audit_and_flag_status(live, store):
    c = signed_in(live, "ana")
    lid = store.listings["L10"]
    flag = store.flags[lid]
    page = c.get(f"/listing/{lid}")
    r = c.post(f"/listing/{lid}/verdict", data={"csrf_token": csrf_of(page.text), "flag": flag,
                                               "verdict": "confirmed_counterfeit", "note": "fake hologram",
                                               "then": "stay"})
    assert r.status_code == 303 and r.headers["location"] == f"/listing/{lid}?done=verdict"
    [review] = rows(store, "SELECT * FROM reviews WHERE flag = ?", [flag])
    assert review["verdict"] == "confirmed_counterfeit" and review["analyst"] == "ana"
    assert review["note"] == "fake hologram" and review["listing"] == lid
    assert rows(store, "SELECT status FROM flags WHERE id = ?", [flag]) == [{"status": "confirmed"}]
    [entry] = rows(store, "SELECT * FROM audit WHERE object = ? AND action = 'verdict'", [f"listing:{lid}"])
    assert entry["actor"] == "ana" and '"status": "open"' in entry["before"]
    assert '"verdict": "confirmed_counterfeit"' in entry["after"]

    # A changed verdict is a new row; escalate reopens the flag. The page shows the audit trail.
    page = c.get(f"/listing/{lid}")
    assert "audit-row" in page.text and "confirmed_counterfeit" in page.text
    c.post(f"/listing/{lid}/verdict", data={"csrf_token": csrf_of(page.text), "flag": flag, "verdict": "escalate",
                                           "then": "stay"})
    assert [r["verdict"] for r in rows(store, "SELECT verdict FROM reviews WHERE flag = ? ORDER BY id", [flag])] == [
        "confirmed_counterfeit", "escalate"]
    assert rows(store, "SELECT status FROM flags WHERE id = ?", [flag]) == [{"status": "open"}]
    page = c.get(f"/listing/{lid}")
    assert page.text.count('class="audit-row"') == 2
    c.close()


def test_dismissed_needs_a_reason_and_is_not_raised_again(live, store):
    c = signed_in(live, "ben")
    lid = store.listings["L9"]
    flag = store.flags[lid]
    token = csrf_of(c.get(f"/listing/{lid}").text)
    r = c.post(f"/listing/{lid}/verdict", data={"csrf_token": token, "flag": flag, "verdict": "dismissed"})
    assert r.status_code == 400 and "needs a reason" in r.text
    assert not rows(store, "SELECT * FROM reviews WHERE flag = ?", [flag])
    r = c.post(f"/listing/{lid}/verdict", data={"csrf_token": token, "flag": flag, "verdict": "dismissed",
                                               "reason": "genuine_goods"})
    assert r.status_code == 303 and r.headers["location"].startswith("/listing/")  # on to the next listing
    assert rows(store, "SELECT status FROM flags WHERE id = ?", [flag]) == [{"status": "dismissed"}]
    # the engine then does not raise the same content again
    from monitor.store.db import write_transaction
    from monitor.store.flags import record_assessment
    from tests.web_fixtures import _assessment, _lookalike

    db = open_db(store.path, migrate=False)
    listing = db.execute_returning_dicts("SELECT * FROM listings WHERE id = ?", [lid])[0]
    with write_transaction(db):
        outcome = record_assessment(db, listing, _assessment(80, [_lookalike("title", listing["title"], "B0SCH")],
                                                             version="v2"))
    db.close()
    assert outcome == "dismissed-before"
    # unknown verdicts are refused too
    r = c.post(f"/listing/{lid}/verdict", data={"csrf_token": token, "flag": flag, "verdict": "burn_it"})
    assert r.status_code == 400
    c.close()


def test_bulk_verdict(live, store):
    c = signed_in(live, "ana")
    flags = [store.flags[store.listings[k]] for k in ("L6", "L5", "L4")]
    page = c.get("/")
    assert page.text.count("data-row") >= 3
    r = c.post("/bulk", data={"csrf_token": csrf_of(page.text), "flag": flags, "verdict": "dismissed",
                              "back": "/?status=open"})
    assert r.status_code == 400  # dismissing needs a reason: nothing written
    assert not rows(store, f"SELECT * FROM reviews WHERE flag IN ({','.join('?' * 3)})", flags)
    r = c.post("/bulk", data={"csrf_token": csrf_of(page.text), "flag": flags, "verdict": "regulatory_violation",
                              "back": "/?status=open"})
    assert r.status_code == 303 and r.headers["location"] == "/?status=open&done=verdict&n=3"
    got = rows(store, f"SELECT flag, verdict, analyst FROM reviews WHERE flag IN ({','.join('?' * 3)}) ORDER BY flag",
               flags)
    assert [g["verdict"] for g in got] == ["regulatory_violation"] * 3
    assert {r["status"] for r in rows(store, f"SELECT status FROM flags WHERE id IN ({','.join('?' * 3)})",
                                      flags)} == {"confirmed"}
    assert len(rows(store, "SELECT * FROM audit WHERE action = 'verdict' AND json_extract(after, '$.flag') IN "
                           f"({','.join('?' * 3)})", flags)) == 3
    assert "Recorded 3 verdicts" in c.get("/?done=verdict&n=3").text
    c.close()


def test_audit_and_reviews_are_append_only(store):
    db = sqlite3.connect(store.path)
    db.execute("INSERT INTO audit (at, actor, action, object) VALUES ('2026-01-01', 'x', 'test', 'listing:0')")
    db.commit()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET actor = 'y'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM reviews")
    with pytest.raises(sqlite3.DatabaseError, match="dismissal reason"):
        db.execute("INSERT INTO reviews (listing, flag, verdict, analyst, decided_at) VALUES (1, 1, 'dismissed', "
                   "'x', '2026')")
    db.close()


# -- claims, queue, seller, dashboard -----------------------------------------------------

def test_claims(live, store):
    lid = store.listings["L3"]
    ana, ben, lea = (signed_in(live, n) for n in ("ana", "ben", "lea"))
    r = ana.post(f"/listing/{lid}/claim", data={"csrf_token": csrf_of(ana.get("/").text), "action": "claim",
                                                "back": "/"})
    assert r.status_code == 303
    queue = ben.get("/").text
    assert '<span class="claimed ">ana</span>' in queue
    r = ben.post(f"/listing/{lid}/claim", data={"csrf_token": csrf_of(queue), "action": "claim"})
    assert r.status_code == 409 and "ana already has this listing" in r.text
    r = ben.post(f"/listing/{lid}/claim", data={"csrf_token": csrf_of(queue), "action": "claim", "assignee": "ben"})
    assert r.status_code == 409
    r = lea.post(f"/listing/{lid}/claim", data={"csrf_token": csrf_of(lea.get("/").text), "action": "claim",
                                                "assignee": "ben"})
    assert r.status_code == 303
    assert rows(store, "SELECT analyst, assigned_by FROM assignments WHERE listing = ?", [lid]) == [
        {"analyst": "ben", "assigned_by": "lea"}]
    assert "ben" in ben.get("/?mine=1").text and ben.get("/?mine=1").text.count("data-row") == 1
    for c in (ana, ben, lea):
        c.close()


def test_queue_order_filters_search_and_pagination(live, store):
    c = signed_in(live, "lea")
    seen, after = [], ""
    while True:
        page = c.get("/api/queue", params={"status": "all", "limit": 5, "after": after}).json()
        seen += page["items"]
        if not page["next"]:
            break
        after = page["next"]
    assert len(seen) == len({r["flag_id"] for r in seen}) == 12
    keys = [(-r["score"], r["category"] or "", r["flag_id"]) for r in seen]
    assert keys == sorted(keys)
    by = lambda **p: c.get("/api/queue", params={"status": "all", **p}).json()["items"]  # noqa: E731
    assert {r["site"] for r in by(site="shopb")} == {"shopb"}
    assert all(r["category"] == "cosmetics" for r in by(category="cosmetics"))
    assert all("offplatform_contact" in r["signals"] for r in by(signal="offplatform_contact")) and by(
        signal="offplatform_contact")
    assert all(50 <= r["score"] <= 80 for r in by(min_score=50, max_score=80))
    assert [r["title"] for r in by(q="model 11")] == ["B0SCH brake pads model 11"]  # trigram index
    assert len(by(q="brake")) == 12
    assert by(seller="Seller 1") and all(r["seller_name"] == "Seller 1" for r in by(seller="Seller 1"))
    assert by(mark="bosch") and not by(mark="toyota")
    assert len(by(seen_from="2026-11-01")) == 12 and not by(seen_from="2026-12-01")
    html = c.get("/", params={"site": "shopb", "status": "all"}).text
    assert html.count("data-row") == 6 and "shopa ·" not in html
    assert '<span class="count">' in html
    c.close()


def test_listing_seller_and_dashboard_pages(live, store):
    c = signed_in(live, "ana")
    page = c.get(f"/listing/{store.listings['L2']}").text
    assert '<mark data-signals="mark_lookalike" title="look-alike of a protected mark">B0SCH</mark>' in page and "<polyline" in page
    # each signal's term in the log-odds is shown (issue 11)
    assert "How the score came about" in page and re.search(r'data-signal="mark_lookalike">look-alike of a protected mark [+]\d+\.\d\d', page)
    assert '<span class="kind">trademark</span>' in page  # signal names and kinds as words
    assert "Seller 2" in page and "2026-11-01" in page
    seller = c.get("/seller/shopa/seller2").text
    assert "B0SCH brake pads model 2" in seller and "B0SCH brake pads model 6" in seller
    assert c.get("/seller/shopa/nobody").status_code == 404
    assert c.get("/listing/999999").status_code == 404
    dash = c.get("/dashboard").text
    assert "Open by category" in dash and '<tr data-key="auto_parts"><td>Auto parts</td>' in dash and "Throughput per analyst" in dash
    c.close()


def test_security_headers_everywhere(live, store):
    c = signed_in(live, "ana")
    for path in ("/", "/login", "/static/app.js", "/dashboard", "/api/queue", "/nope", f"/listing/{store.listings['L1']}"):
        h = c.get(path).headers
        csp = h["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY", path
        assert h["referrer-policy"] == "same-origin", path
    assert "<script>" not in c.get("/").text.replace('<script src="/static/app.js" defer></script>', "")
    c.close()


# -- the API ------------------------------------------------------------------------------

def test_api_tokens_and_csrf(live, store):
    db = open_db(store.path, migrate=False)
    token = accounts.new_api_token(db, "lea")
    db.close()
    lid = store.listings["L8"]
    flag = store.flags[lid]
    with http_client(live.url, headers={"Authorization": f"Bearer {token}"}) as api:
        detail = api.get(f"/api/listing/{lid}").json()
        assert detail["listing"]["id"] == lid and detail["flag"]["signals"][0]["evidence"][0]["text"] == "B0SCH"
        assert api.get("/api/seller/shopa/seller0").json()["listings"]
        r = api.post("/api/verdict", json={"flags": [flag], "verdict": "dismissed"})  # the schema says: reason
        assert r.status_code == 422 and "dismissing needs a reason" in r.json()["detail"][0]["msg"], r.text
        r = api.post("/api/verdict", json={"flags": [flag], "verdict": "needs_test_purchase"})
        assert r.status_code == 200 and r.json()["listings"] == [lid]
        assert rows(store, "SELECT analyst FROM reviews WHERE flag = ?", [flag]) == [{"analyst": "lea"}]
        assert api.post("/api/verdict", json={"flags": [flag], "verdict": "bogus"}).status_code == 422
    # session cookie: writes need X-CSRF-Token
    c = signed_in(live, "ana")
    assert c.post("/api/verdict", json={"flags": [flag], "verdict": "escalate"}).status_code == 403
    csrf = c.get("/api/me").json()["csrf"]
    assert c.post("/api/verdict", json={"flags": [flag], "verdict": "escalate"},
                  headers={"X-CSRF-Token": csrf}).status_code == 200
    spec = c.get("/api/openapi.json").json()
    assert {"/api/queue", "/api/listing/{listing_id}", "/api/verdict"} <= set(spec["paths"])
    assert "/login" not in spec["paths"]
    c.close()


# -- helpers and the CLI ------------------------------------------------------------------

def test_highlight_splits_original_text():
    segs = highlight("<b>B0SCH</b> pads", [(3, 8, "B0SCH", "mark_lookalike"), (0, 3, "<b>", "x"), (99, 100, "", "y")])
    assert [(s.text, s.marked) for s in segs] == [("<b>B0SCH", True), ("</b> pads", False)]
    # stale offsets are found again by their text, or skipped
    assert [(s.text, s.marked) for s in highlight("xx B0SCH", [(0, 5, "B0SCH", "m")])] == [("xx ", False),
                                                                                            ("B0SCH", True)]
    assert [s.marked for s in highlight("abc", [(0, 2, "zz", "m")])] == [False]


def test_only_http_urls_are_links():
    assert safe_http_url("https://a.example/x.jpg") == "https://a.example/x.jpg"
    for bad in ("javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,<script>", "//evil.example/x",
                "/relative", "https://a.example/\nx", None, 5, "http:///nohost", "http://[fe80::1::2]/x"):
        assert safe_http_url(bad) is None, bad
    # an IPv6 literal keeps the brackets a URL needs (it came back as http://::1:8101/x), in its short form
    assert safe_http_url("http://[::1]:8101/x") == "http://[::1]:8101/x"
    assert safe_http_url("https://[2001:0db8:0:0::1]/a?q=1") == "https://[2001:db8::1]/a?q=1"


def test_users_cli(tmp_path):
    import click

    from monitor.cli import web

    group = click.Group(commands={"users": web.users, "serve": web.serve})
    runner = CliRunner()
    db_path = str(tmp_path / "cli.db")
    r = runner.invoke(group, ["users", "add", "alice", "--role", "lead", "--generate"], obj={"db_path": db_path})
    assert r.exit_code == 0 and "Password: " in r.output, r.output
    r = runner.invoke(group, ["users", "add", "bob"], obj={"db_path": db_path},
                      input="a long password\na long password\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(group, ["users", "add", "carl"], obj={"db_path": db_path}, input="short\nshort\n")
    assert r.exit_code != 0 and "at least 12 characters" in r.output
    # a common password is refused however long (issue 13, defect 6)
    r = runner.invoke(group, ["users", "add", "carl"], obj={"db_path": db_path},
                      input="password1234\npassword1234\n")
    assert r.exit_code != 0 and "too easy to guess" in r.output and "common password" in r.output, r.output
    r = runner.invoke(group, ["users", "password", "bob"], obj={"db_path": db_path},
                      input="qwertyuiop123\nqwertyuiop123\n")
    assert r.exit_code != 0 and "too easy to guess" in r.output, r.output
    r = runner.invoke(group, ["users", "password", "bob"], obj={"db_path": db_path},
                      input="violet anchor drifts slowly\nviolet anchor drifts slowly\n")
    assert r.exit_code == 0 and "New password set for bob" in r.output, r.output
    r = runner.invoke(group, ["users", "password", "nobody", "--generate"], obj={"db_path": db_path})
    assert r.exit_code != 0 and "no user 'nobody'" in r.output
    r = runner.invoke(group, ["users", "token", "alice"], obj={"db_path": db_path})
    assert r.exit_code == 0 and r.output.startswith("mt_")
    r = runner.invoke(group, ["users", "list"], obj={"db_path": db_path})
    assert "alice\tlead\tactive\tlanguage=browser\ttoken=yes" in r.output and "bob\tanalyst" in r.output
    for path in (["serve"], ["users"], ["users", "add"], ["users", "list"], ["users", "token"], ["users", "role"],
                 ["users", "disable"], ["users", "password"], ["users", "language"]):
        r = runner.invoke(group, [*path, "--help"])
        assert r.exit_code == 0 and "Example:" in r.output, path


def test_users_language_sets_the_pages_language_and_audits_it(tmp_path):
    path = tmp_path / "m.db"
    run_monitor("users", "add", "bob", "--generate", db_path=path, check=True)
    out = run_monitor("users", "language", "bob", "en", db_path=path, check=True).stdout
    assert "bob's pages are now in en" in out
    assert "bob\tanalyst\tactive\tlanguage=en\t" in run_monitor("users", "list", db_path=path, check=True).stdout
    run_monitor("users", "language", "bob", "browser", db_path=path, check=True)
    assert "language=browser" in run_monitor("users", "list", db_path=path, check=True).stdout
    refused = run_monitor("users", "language", "nobody", "zh", db_path=path)
    assert refused.returncode != 0 and "no user 'nobody'" in refused.stderr  # in English: the CLI's language
    bad = run_monitor("users", "language", "bob", "fr", db_path=path)
    assert bad.returncode == 2 and "'fr' is not one of" in bad.stderr
    db = open_db(path)
    trail = [json.loads(r["after"]) for r in db.execute_returning_dicts(
        "SELECT after FROM audit WHERE action = 'user_language' ORDER BY id")]
    assert trail == [{"language": "en"}, {"language": None}]


# -- pagination both ways, filters carried to the listing page, idle sessions, passwords ---

def test_queue_pages_forwards_and_backwards(live, store, monkeypatch):
    c = signed_in(live, "lea")
    forward, after = [], ""
    while True:
        page = c.get("/api/queue", params={"status": "all", "limit": 5, "after": after}).json()
        forward.append([r["flag_id"] for r in page["items"]])
        assert (page["prev"] is None) == (after == "")
        if not page["next"]:
            break
        after = page["next"]
    assert [len(p) for p in forward] == [5, 5, 2]
    # back from the last page with `prev`: the same pages in reverse; the first has no prev
    backward, before = [], page["prev"]
    while before:
        page = c.get("/api/queue", params={"status": "all", "limit": 5, "before": before}).json()
        backward.append([r["flag_id"] for r in page["items"]])
        assert page["next"]
        before = page["prev"]
    assert backward == forward[:-1][::-1]

    # the HTML queue: next, then previous, back to the first page
    from monitor import review

    monkeypatch.setattr(review, "PAGE_SIZE", 5)
    first = c.get("/", params={"status": "all"}).text
    assert "data-prev-page" not in first and "data-next-page" in first
    next_url = re.search(r'href="(/\?[^"]*after=[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = c.get(next_url).text
    assert "status=all" in next_url and "data-prev-page" in second
    prev_url = re.search(r'href="(/\?[^"]*before=[^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    again = c.get(prev_url).text
    ids = lambda html: re.findall(r'data-flag="(\d+)"', html)  # noqa: E731
    assert ids(again) == ids(first) and len(ids(first)) == 5 and not set(ids(first)) & set(ids(second))
    assert "data-prev-page" not in again
    c.close()


def test_listing_prev_next_follow_the_queue_filters(live, store):
    c = signed_in(live, "ben")
    filters = {"status": "all", "site": "shopb"}
    order = [r["listing_id"] for r in c.get("/api/queue", params={**filters, "limit": 50}).json()["items"]]
    assert len(order) == 6
    lid = order[2]
    # the queue links to listings with its filters
    assert f'href="/listing/{lid}?status=all&amp;site=shopb"' in c.get("/", params=filters).text
    page = c.get(f"/listing/{lid}", params=filters).text
    assert f'href="/listing/{order[1]}?status=all&amp;site=shopb" rel="prev" data-prev' in page
    assert f'href="/listing/{order[3]}?status=all&amp;site=shopb" rel="next" data-next' in page
    assert 'href="/?status=all&amp;site=shopb" data-queue' in page
    # without filters: the open queue of every site
    plain = c.get(f"/listing/{lid}").text
    assert "site=shopb" not in plain
    # "record verdict, then next" stays in the filtered queue
    flag = store.flags[lid]
    r = c.post(f"/listing/{lid}/verdict", data={"csrf_token": csrf_of(page), "flag": flag, "verdict": "escalate",
                                               "then": "next", "queue": "status=all&site=shopb&evil=1"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/listing/{order[3]}?status=all&site=shopb&done=verdict"
    last = c.get(f"/listing/{order[-1]}", params=filters).text
    assert "data-next" not in last
    r = c.post(f"/listing/{order[-1]}/verdict", data={"csrf_token": csrf_of(page), "flag": store.flags[order[-1]],
                                                     "verdict": "escalate", "then": "next",
                                                     "queue": "status=all&site=shopb"})
    assert r.headers["location"] == "/?status=all&site=shopb&done=verdict&n=1"
    c.close()


def _session_row(store, client):
    import hashlib

    token = client.cookies.get("monitor_session")
    return hashlib.sha256(token.encode()).hexdigest()


def _set_last_seen(store, session_id, hours_ago):
    from datetime import datetime, timedelta, timezone

    at = (datetime.now(timezone.utc) - timedelta(hours=hours_ago)).replace(microsecond=0)
    db = sqlite3.connect(store.path)
    db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", [at.isoformat().replace("+00:00", "Z"), session_id])
    db.commit()
    db.close()
    return at.isoformat().replace("+00:00", "Z")


def test_idle_sessions_end(live, store):
    c = signed_in(live, "ana")
    sid = _session_row(store, c)
    # 7 hours idle: still signed in, and the visit is recorded
    old = _set_last_seen(store, sid, 7)
    assert c.get("/").status_code == 200
    assert rows(store, "SELECT last_seen FROM sessions WHERE id = ?", [sid])[0]["last_seen"] > old
    # 9 hours idle: signed out, although the 7 days have not passed
    _set_last_seen(store, sid, accounts.SESSION_IDLE_HOURS + 1)
    r = c.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert c.get("/api/queue").status_code == 401
    c.close()


def test_change_password(live, store):
    db = open_db(store.path, migrate=False)
    accounts.add_user(db, "pwuser", "analyst", PASSWORD)
    db.close()
    c, other = signed_in(live, "pwuser"), signed_in(live, "pwuser")
    form = c.get("/account/password")
    assert form.status_code == 200 and 'name="current"' in form.text
    assert 'href="/account/password"' in c.get("/").text
    new = "a brand new passphrase"
    data = {"current": PASSWORD, "new": new, "confirm": new}
    assert c.post("/account/password", data=data).status_code == 403  # no CSRF token
    assert c.post("/account/password", data={**data, "csrf_token": "forged"}).status_code == 403
    token = csrf_of(form.text)
    r = c.post("/account/password", data={**data, "current": "wrong password", "csrf_token": token})
    assert r.status_code == 400 and "current password is wrong" in r.text
    r = c.post("/account/password", data={**data, "confirm": "something else!", "csrf_token": token})
    assert r.status_code == 400 and "differ" in r.text
    r = c.post("/account/password", data={**data, "new": "short", "confirm": "short", "csrf_token": token})
    assert r.status_code == 400 and "at least" in r.text
    r = c.post("/account/password", data={**data, "new": "password1234", "confirm": "password1234",
                                          "csrf_token": token})
    assert r.status_code == 400 and "too easy to guess" in r.text
    assert not rows(store, "SELECT * FROM audit WHERE action = 'password_change'")
    r = c.post("/account/password", data={**data, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/account/password?done=1"
    assert "Password changed." in c.get(r.headers["location"]).text
    assert c.get("/").status_code == 200  # this session stays
    assert other.get("/").status_code == 303  # the others end
    audit_rows = rows(store, "SELECT actor, object, before, after FROM audit WHERE action = 'password_change'")
    assert audit_rows == [{"actor": "pwuser", "object": "user:pwuser", "before": None,
                           "after": '{"other_sessions_ended": 1}'}]
    assert not rows(store, "SELECT * FROM audit WHERE after LIKE ? OR after LIKE ?", [f"%{new}%", f"%{PASSWORD}%"])
    with http_client(live.url) as fresh:
        assert login(fresh, "pwuser").status_code == 401  # the old password no longer works
        assert login(fresh, "pwuser", new).status_code == 200
    c.close()
    other.close()


# -- the site filter on the flag's own site column (migration 0006, review migration 0003) --

def test_site_filter_uses_the_flag_site_including_backfilled_flags(tmp_path):
    """Flags raised before main migration 0006 get their listing's site from the backfill; new
    flags from record_assessment. The queue, its counts and the dashboard filter on it, and a
    site tab is a range of the flags_queue_site index."""
    import sqlite_utils

    from monitor.store import save_listings
    from monitor.store.db import write_transaction
    from monitor.store.flags import record_assessment
    from monitor import review
    from monitor.store.migrations import MIGRATIONS
    from tests.web_fixtures import _assessment, _lookalike

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    MIGRATIONS.apply(old, stop_before="0006_flags_site")
    save_listings(old, [{"site": "shopa" if i % 3 else "shopb", "listing_id": f"L{i}", "url": f"https://s.example/{i}",
                         "title": f"B0SCH brake pads {i}", "category": "auto_parts", "price": 10.0 + i}
                        for i in range(9)], source="import")
    assert "site" not in old["flags"].columns_dict
    pks = {r[0]: r[1] for r in old.execute("SELECT listing_id, id FROM listings")}
    for i in range(9):  # as the flag writer of that version did: no site column yet
        old.execute("INSERT INTO flags (listing, status, score, threshold, category, signals, signal_names, marks, "
                    "rules_version, content_hash, created_at) VALUES (?, ?, ?, 50, 'auto_parts', '[]', "
                    "'mark_lookalike', 'Bosch', 'v0', ?, '2026-01-01T00:00:00Z')",
                    [pks[f"L{i}"], "confirmed" if i == 6 else "open", 90 - i, f"h{i}"])
    old.conn.commit()
    old.close()

    db = open_db(path)  # 0006 backfills flags.site; review migrations add the queue indexes
    try:
        assert db.execute("SELECT count(*) FROM flags WHERE site IS NULL").fetchone()[0] == 0
        save_listings(db, [{"site": "shopb", "listing_id": "N1", "url": "https://s.example/n1",
                            "title": "B0SCH brake pads new", "category": "auto_parts", "price": 5.0}], source="import")
        new = db.execute_returning_dicts("SELECT * FROM listings WHERE listing_id = 'N1'")[0]
        with write_transaction(db):
            record_assessment(db, new, _assessment(95, [_lookalike("title", new["title"], "B0SCH")]))
        site_of = {r[0]: r[1] for r in db.execute("SELECT f.id, l.site FROM flags f JOIN listings l ON l.id = f.listing")}
        assert dict(db.execute("SELECT id, site FROM flags").fetchall()) == site_of

        def ids(**kw):
            page = review.queue_page(db, review.QueueFilters(**kw), None, limit=50)
            return [r["flag_id"] for r in page["items"]], page["counts"]

        def of_site(site, status=None):  # in queue order (one category here: score, then id)
            return [r[0] for r in db.execute(
                "SELECT f.id FROM flags f JOIN listings l ON l.id = f.listing WHERE l.site = ? "
                "AND (? IS NULL OR f.status = ?) ORDER BY f.score DESC, f.id", [site, status, status])]

        got, counts = ids(site="shopb", status="all")
        assert got == of_site("shopb") and len(got) == 4  # L0, L3, L6 (backfilled), N1 (new)
        got, counts = ids(site="shopb")
        assert got == of_site("shopb", "open") and len(got) == 3
        assert counts == {"open": 3, "confirmed": 1, "dismissed": 0, "superseded": 0}
        assert ids(site="shopa", q="brake")[0] == of_site("shopa", "open") and len(of_site("shopa")) == 6
        assert ids(site="nowhere")[0] == []
        by_site = {r["key"]: r["n"] for r in review.dashboard(db)["by_site"]}
        assert by_site == {"shopa": 6, "shopb": 3}

        # a site tab is read from the (status, site, score, ...) index, with no sort
        sql, params = review.queue_sql(review.QueueFilters(site="shopb"), None)
        plan = " | ".join(r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "flags_queue_site" in plan and "TEMP B-TREE" not in plan, plan
        # the counts of a site filter do not read the listings
        statements = []
        db.conn.set_trace_callback(statements.append)
        review.status_counts(db, review.QueueFilters(site="shopb"), None)
        db.conn.set_trace_callback(None)
        assert statements and not any("listings" in s for s in statements), statements
    finally:
        db.close()



def test_count_cache_sends_a_kind_of_filter_set_that_ran_out_of_budget_to_the_background(store, monkeypatch):
    import time

    from monitor.review import counts as review

    calls = []
    real = review.status_counts
    # Slow: well past the budget; fast: an answer at once (counted before the clock starts).
    delay = {"s": 1.5}

    def counts(db, filters, user, budget_ms=None):
        calls.append((filters.seller, budget_ms))
        if budget_ms is not None:
            return None  # ran out of budget
        if not delay["s"]:
            return dict(fast)  # within the budget whatever the machine's load (a real count missed 1 s in CI)
        time.sleep(delay["s"])
        return real(db, filters, user)

    monkeypatch.setattr(review, "status_counts", counts)
    cache = review.CountCache(store.path, budget_ms=1000)
    db = open_db(store.path, migrate=False)
    fast = real(db, review.QueueFilters(seller="Seller 3"), None)
    try:
        assert cache.get(db, review.QueueFilters(seller="Seller 1"), None) is None  # tried in the page, then later
        cache.wait_idle()
        assert cache.get(db, review.QueueFilters(seller="Seller 1"), None)["open"] >= 1  # the background's count
        assert calls == [("Seller 1", 1000), ("Seller 1", None)]
        # another seller: not tried in the page again (same kind of filter set), straight to the background
        assert cache.get(db, review.QueueFilters(seller="Seller 2"), None) is None
        cache.wait_idle()
        assert calls[2:] == [("Seller 2", None)]
        # that count was slow too; one within the budget lifts it
        delay["s"] = 0
        assert cache.get(db, review.QueueFilters(seller="Seller 3"), None) is None
        cache.wait_idle()
        assert cache.get(db, review.QueueFilters(seller="Seller 0"), None) is None
        assert calls[3:] == [("Seller 3", None), ("Seller 0", 1000)]
        cache.wait_idle()
        # other kinds were never affected
        assert cache.get(db, review.QueueFilters(category="cosmetics"), None) is None
        cache.wait_idle()
        assert calls[-2:] == [("", 1000), ("", None)]
    finally:
        db.close()
