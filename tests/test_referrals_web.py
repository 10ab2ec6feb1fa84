"""The referrals pages (线索移送, issue 14) on a real uvicorn server: the list in Chinese with its
state filter, a referral moved through every state by a lead's form with its timeline and audit,
a bad transition refused on the page with a clear message, analysts kept out of changes, and the
police mark with its figures."""

from __future__ import annotations

import html
import json
import sqlite3

import pytest

from monitor.casework import referrals as service
from monitor.store import open_db, save_listings
from tests.web_fixtures import LiveServer, build_store, csrf_of, http_client, login


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("refweb") / "monitor.db"
    info = build_store(path)
    db = open_db(path)
    save_listings(db, [{"site": "shopb", "listing_id": "L1", "url": "https://shop.example/1", "title": "B0SCH pads 1",
                        "price": 41.0, "currency": "CNY", "sales_count": 2000, "observed_at": "2026-11-04T08:00:00Z"}],
                  source="import")
    rid = service.create_referral(db, actor="lea", listings=[info["listings"]["L1"], info["listings"]["L3"]],
                                  reference="XS-2026-101", drafted_on="2026-12-01")
    small = service.create_referral(db, actor="lea", listings=[info["listings"]["L3"]], reference="XS-2026-102",
                                    drafted_on="2026-12-01")
    db.close()
    with LiveServer(path) as server:
        yield server, path, rid, small


def text_of(page: str) -> str:
    return html.unescape(page)


def move(client, rid, **fields):
    page = client.get(f"/referrals/{rid}")
    return client.post(f"/referrals/{rid}/move", data={"csrf_token": csrf_of(page.text), **fields})


def test_a_lead_moves_a_referral_through_every_state_on_the_page(site):
    server, path, rid, _ = site
    with http_client(server.url) as client:
        login(client, "lea")
        listing = client.get("/referrals", headers={"Accept-Language": "zh-CN"})
        assert listing.status_code == 200
        assert "线索移送" in listing.text and "XS-2026-101" in listing.text and "已起草" in listing.text
        for fields in ({"state": "sent", "day": "2026-12-02", "authority": "示例市公安局",
                        "authority_kind": "public_security"},
                       {"state": "received", "day": "2026-12-03"},
                       {"state": "filed", "day": "2026-12-04", "note": "已立案侦查"},
                       {"state": "closed", "day": "2026-12-06", "outcome": "transferred_to_police"}):
            done = move(client, rid, **fields)
            assert done.status_code == 303 and done.headers["location"] == f"/referrals/{rid}?done=1", done.text
        page = text_of(client.get(f"/referrals/{rid}").text)
        assert "已办结" in page and "移送公安机关" in page and "示例市公安局" in page and "已立案侦查" in page
        timeline = page[page.index('<ol class="timeline">'):]
        assert timeline.index("已起草") < timeline.index("已移送") < timeline.index("已接收") < \
            timeline.index("已立案") < timeline.index("已办结")
        assert "更新状态" not in page  # a closed referral has nothing left to move to
        filtered = client.get("/referrals?state=closed").text
        assert "XS-2026-101" in filtered and "XS-2026-102" not in filtered
    conn = sqlite3.connect(path)
    try:
        states = [r[0] for r in conn.execute("SELECT to_state FROM referral_history WHERE referral = ? ORDER BY id",
                                             [rid])]
        trail = conn.execute("SELECT actor, action, after, ip FROM audit WHERE object = ? AND action = "
                             "'referral_state' ORDER BY id", [f"referral:{rid}"]).fetchall()
    finally:
        conn.close()
    assert states == ["drafted", "sent", "received", "filed", "closed"]
    assert [t[0] for t in trail] == ["lea"] * 4 and trail[0][3] == "127.0.0.1"
    assert json.loads(trail[-1][2])["outcome"] == "transferred_to_police"


def test_a_bad_move_is_refused_on_the_page_and_analysts_cannot_move(site):
    server, path, _, small = site
    with http_client(server.url) as client:
        login(client, "lea")
        refused = move(client, small, state="closed", day="2026-12-02")
        assert refused.status_code == 400
        page = text_of(refused.text)
        assert "未更改" in page and "办结须填写处理结果" in page and "移送前请填写接收机关" in page
        # The outcomes and authority kinds by their labels, as the form lists them, not their codes.
        assert "办结须填写处理结果（不予立案、行政处罚、" in page and "no_case" not in page.split("<form")[0]
        for code in ("administrative_penalty", "transferred_to_police", "public_security"):
            assert f"{code}," not in page and f"（{code}" not in page and f"、{code}" not in page
        refused = move(client, small, state="sent", day="2026-11-01", authority="A", authority_kind="department")
        assert "2026-11-01 早于该线索“已起草”的日期（2026-12-01）" in text_of(refused.text)
        refused = move(client, small, state="closed", authority="A", authority_kind="department",
                       outcome="administrative_penalty", penalty_amount="很多")
        assert refused.status_code == 400 and "不是有效金额" in text_of(refused.text)
    with http_client(server.url) as client:
        login(client, "ana")
        page = client.get(f"/referrals/{small}")
        assert page.status_code == 200 and "仅组长可以更新线索状态" in page.text
        forbidden = client.post(f"/referrals/{small}/move", data={"csrf_token": csrf_of(page.text), "state": "sent"})
        assert forbidden.status_code == 403
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT state FROM referrals WHERE id = ?", [small]).fetchone() == ("drafted",)
    finally:
        conn.close()


def test_the_police_mark_shows_with_its_figures(site):
    server, _, rid, small = site
    with http_client(server.url) as client:
        login(client, "lea")
        page = text_of(client.get(f"/referrals/{rid}").text)
        # 2000 × ¥41 = ¥82,000 ≥ ¥50,000; L3 shows no sales count and is not counted.
        assert "涉嫌犯罪：应移送公安机关" in page and "¥82,000.00" in page and "¥50,000.00" in page
        assert "页面未显示销量" in page and "合计（计入 1 个商品）" in page
        other = text_of(client.get(f"/referrals/{small}").text)
        assert "涉嫌犯罪" not in other and "无销量数据，无法计算经营额" in other
        english = text_of(client.get(f"/referrals/{rid}", headers={"Accept-Language": "en"}).text)
        assert "Suspected crime: transfer to the police" in english and "涉嫌犯罪" not in english


def test_no_sales_count_is_an_unknown_amount_never_below_the_threshold(site, tmp_path):
    """XS-2026-102's only listing shows no sales count: its amount is unknown, not ¥0.00, and
    unknown is neither below nor above the threshold. A referral whose listing does show one
    (10 × ¥40) is compared as before."""
    from tests.conftest import run_monitor

    server, path, _, small = site
    db = open_db(path)
    try:
        save_listings(db, [{"site": "shopb", "listing_id": "L5", "url": "https://shop.example/5", "title": "B0SCH pads 5",
                            "price": 40.0, "currency": "CNY", "sales_count": 10,
                            "observed_at": "2026-11-04T08:00:00Z"}], source="import")
        l5 = db.execute("SELECT id FROM listings WHERE site = 'shopb' AND listing_id = 'L5'").fetchone()[0]
        below = service.create_referral(db, actor="lea", listings=[l5], reference="XS-2026-105")
    finally:
        db.close()
    with http_client(server.url) as client:
        login(client, "lea")
        missing = text_of(client.get(f"/referrals/{small}").text)
        assert "无销量数据，无法计算经营额" in missing and 'data-figures="missing"' in missing
        assert "低于" not in missing and "¥0.00" not in missing and "涉嫌犯罪" not in missing
        counted = text_of(client.get(f"/referrals/{below}").text)
        assert "估算非法经营数额 ¥400.00，低于刑事立案追诉标准 ¥50,000.00。" in counted
        assert "无销量数据" not in counted
        listing = text_of(client.get("/referrals").text)
    row = listing[listing.index("XS-2026-102"):]
    row = row[:row.index("</tr>")]
    assert "无销量数据" in row and "¥0.00" not in row
    row = listing[listing.index("XS-2026-105"):]
    assert "¥400.00" in row[:row.index("</tr>")]
    absent = str(tmp_path / "absent.yaml")
    shown = run_monitor("referrals", "show", "XS-2026-102", "--config", absent, db_path=path)
    assert "unknown, no listing shows a sales count" in shown.stdout and ": below" not in shown.stdout, shown.stdout
    shown = run_monitor("referrals", "show", "XS-2026-105", "--config", absent, db_path=path)
    assert "400.00 CNY, threshold 50000.00 CNY: below" in shown.stdout, shown.stdout


def test_money_carries_its_unit_once(site):
    """¥ on the value (Babel's format through the |money filter, in the reader's locale) and no
    (元) on the label beside it: "罚没金额 ¥50,000.00", never "罚没金额（元） ¥50,000.00". The
    form's input, a bare number, keeps its unit on the label."""
    server, path, _, _ = site
    db = open_db(path)
    try:
        listing = db.execute("SELECT id FROM listings WHERE listing_id = 'L2'").fetchone()[0]
        fined = service.create_referral(db, actor="lea", listings=[listing], reference="XS-2026-106",
                                        authority="示例市市场监督管理局", authority_kind="department")
        service.move(db, fined, service.Change("closed", outcome="administrative_penalty", penalty_amount=50000),
                     actor="lea")
        open_one = service.create_referral(db, actor="lea", listings=[listing], reference="XS-2026-107")
    finally:
        db.close()
    with http_client(server.url) as client:
        login(client, "lea")
        page = text_of(client.get(f"/referrals/{fined}").text)
        listing_page = text_of(client.get("/referrals").text)
        form = text_of(client.get(f"/referrals/{open_one}").text)
        english = text_of(client.get(f"/referrals/{fined}", headers={"Accept-Language": "en"}).text)
    assert "行政处罚 · 罚没金额 ¥50,000.00" in page and "（元） ¥" not in page and "元）</dt>" not in page
    head = listing_page[listing_page.index("<thead>"):listing_page.index("</thead>")]
    assert "<th>罚没金额</th>" in head and "元" not in head
    row = listing_page[listing_page.index("XS-2026-106"):]
    assert "¥50,000.00" in row[:row.index("</tr>")]
    assert "罚没金额（元） <input" in form
    assert "Penalty amount CN¥50,000.00" in english and "(CNY) CN¥" not in english


def test_the_dashboard_panel_counts_states_and_names_police_cases(site):
    from monitor.web.deps import connect, make_templates
    from monitor.web.referrals import panel

    server, path, rid, small = site
    db = connect(path)
    try:
        listing = db.execute("SELECT listing FROM referral_listings WHERE referral = ? ORDER BY listing LIMIT 1",
                             [rid]).fetchone()[0]
        over = service.create_referral(db, actor="lea", listings=[listing], reference="XS-2026-103")
        data = panel(db)
        expected = dict(db.execute("SELECT state, count(*) FROM referrals GROUP BY state").fetchall())
    finally:
        db.close()
    assert {s: n for s, n in data["counts"].items() if n} == expected
    html_text = make_templates().get_template("referrals_panel.html").render(referrals_panel=data)
    assert 'href="/referrals?state=drafted"' in html_text
    assert f'<a href="/referrals/{over}">XS-2026-103</a>' in html_text  # open, 2000 × ¥41 ≥ ¥50,000
    assert "XS-2026-102" not in html_text  # open, below the threshold


def test_a_bad_threshold_in_monitor_yaml_is_shown_not_silently_replaced(site, tmp_path, monkeypatch):
    server, _, rid, _ = site
    bad = tmp_path / "monitor.yaml"
    bad.write_text("referrals:\n  criminal_thresholds:\n    illegal_business_amount: -1\n", encoding="utf-8")
    monkeypatch.setenv("MONITOR_CONFIG", str(bad))
    with http_client(server.url) as client:
        login(client, "lea")
        page = text_of(client.get(f"/referrals/{rid}").text)
    assert "monitor.yaml 中的线索移送追诉标准无法使用" in page
    assert f"{bad}:3: referrals.criminal_thresholds.illegal_business_amount: -1 is not an amount" in page
