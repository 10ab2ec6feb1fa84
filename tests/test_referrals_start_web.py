"""Starting a referral and downloading its package in the review app (线索移送, issue 14), on a
real uvicorn server over a real store: a lead starts one from a confirmed listing's page (the
form of /referrals filled in with it) or from the referrals page; unconfirmed or unknown
listings, analysts and a missing CSRF token are refused; the package `monitor export referral`
builds comes down from the referral's page in the reader's language with a safe file name, and
its zip, referral.json and PDF open. Both acts are in the audit trail, the package in the custody
log."""

from __future__ import annotations

import html
import io
import json
import re
import sqlite3
import zipfile
from urllib.parse import unquote

import pytest

from monitor.casework import referrals as service
from monitor.store import open_db
from tests.test_relisting import confirm
from tests.web_fixtures import LiveServer, build_store, csrf_of, http_client, login


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("refstart") / "monitor.db"
    info = build_store(path)
    ids = info["listings"]
    db = open_db(path, migrate=False)
    for key in ("L2", "L6", "L3"):  # seller2 on shopa: L2, L6 (L10 stays open); seller3 on shopb: L3
        confirm(db, ids[key])
    db.close()
    with LiveServer(path) as server:  # monitor.yaml's language: Chinese
        yield server, path, ids


def text_of(page: str) -> str:
    return html.unescape(page)


def rows(path, sql, params=()):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def start(client, **fields):
    page = client.get("/referrals")
    return client.post("/referrals", data={"csrf_token": csrf_of(page.text), **fields})


def test_a_lead_starts_a_referral_from_a_confirmed_listing_s_page(site):
    server, path, ids = site
    with http_client(server.url) as lea:
        login(lea, "lea")
        listing_page = lea.get(f"/listing/{ids['L2']}").text
        link = f'href="/referrals?listing={ids["L2"]}#new-referral"'
        assert link in listing_page and "以此商品发起线索移送" in listing_page
        assert "data-referral-start" not in lea.get(f"/listing/{ids['L10']}").text  # still open: no referral yet
        form = lea.get(f"/referrals?listing={ids['L2']}").text
        assert f'name="listings" required placeholder="12, 40" value="{ids["L2"]}"' in form
        done = lea.post("/referrals", data={"csrf_token": csrf_of(form), "listings": f"{ids['L2']}， {ids['L6']}",
                                            "authority": "示例市市场监督管理局", "authority_kind": "department",
                                            "reference": "XS-2026-201", "note": "两件已确认"})
        assert done.status_code == 303, done.text
        rid = int(re.fullmatch(r"/referrals/(\d+)\?done=created", done.headers["location"]).group(1))
        page = text_of(lea.get(done.headers["location"]).text)
        assert "已保存线索（已起草）。" in page and "XS-2026-201" in page and "示例市市场监督管理局" in page
        assert "已起草" in page and "B0SCH brake pads model 6" in page
    covered = rows(path, "SELECT listing FROM referral_listings WHERE referral = ? ORDER BY listing", [rid])
    assert [c["listing"] for c in covered] == sorted([ids["L2"], ids["L6"]])
    row = rows(path, "SELECT seller_site, seller_id, created_by, state FROM referrals WHERE id = ?", [rid])[0]
    assert row == {"seller_site": "shopa", "seller_id": "seller2", "created_by": "lea", "state": "drafted"}
    trail = rows(path, "SELECT actor, after, ip FROM audit WHERE object = ? AND action = 'referral_create'",
                 [f"referral:{rid}"])
    assert len(trail) == 1 and trail[0]["actor"] == "lea" and trail[0]["ip"] == "127.0.0.1"
    assert json.loads(trail[0]["after"])["listings"] == sorted([ids["L2"], ids["L6"]])
    assert rows(path, "SELECT source FROM referral_history WHERE referral = ?", [rid]) == [{"source": "web"}]


def test_unconfirmed_or_unknown_listings_analysts_and_forged_forms_are_refused(site):
    server, path, ids = site
    before = rows(path, "SELECT count(*) AS n FROM referrals")[0]["n"]
    with http_client(server.url) as lea:
        login(lea, "lea")
        refused = start(lea, listings=f"{ids['L6']} {ids['L10']}")
        assert refused.status_code == 400
        page = text_of(refused.text)
        assert f"商品 {ids['L10']} 尚未确认" in page and "未保存：" in page
        assert f'value="{ids["L6"]} {ids["L10"]}"' in page  # what the lead typed is kept
        assert "不是商品编号" in text_of(start(lea, listings="12; <b>x</b>").text)
        assert "<b>x</b>" not in start(lea, listings="<b>x</b>").text  # escaped where it is shown
        assert "没有编号为 999999 的商品" in text_of(start(lea, listings="999999").text)
        assert start(lea, listings="").status_code == 400
        no_token = lea.post("/referrals", data={"listings": str(ids["L6"])})
        assert no_token.status_code == 403
    with http_client(server.url) as ana:
        login(ana, "ana")
        page = ana.get("/referrals").text
        assert "仅组长可以发起线索移送" in page and 'method="post" action="/referrals"' not in page
        assert "data-referral-start" not in ana.get(f"/listing/{ids['L2']}").text
        forbidden = ana.post("/referrals", data={"csrf_token": csrf_of(page), "listings": str(ids["L6"])})
        assert forbidden.status_code == 403 and "组长" in text_of(forbidden.text)
    assert rows(path, "SELECT count(*) AS n FROM referrals")[0]["n"] == before


def _package(client, rid, **fields):
    page = client.get(f"/referrals/{rid}")
    return client.post(f"/referrals/{rid}/package", data={"csrf_token": csrf_of(page.text), **fields})


def _pdf_text(data: bytes) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        assert len(pdf) >= 1
        return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def test_the_referral_package_downloads_in_the_reader_s_language_and_opens(site, tmp_path):
    from monitor.export.package import verify_package

    server, path, ids = site
    db = open_db(path, migrate=False)
    try:
        rid = service.create_referral(db, actor="lea", listings=[ids["L2"], ids["L6"]], seller_site="shopa",
                                      seller_id="seller2", reference="XS-2026-202")
    finally:
        db.close()
    org = {"organisation": "示例市市场监督管理局", "contact": "王科长 010-12345678"}
    with http_client(server.url) as lea:
        login(lea, "lea")
        page = text_of(lea.get(f"/referrals/{rid}").text)
        assert "下载移送材料包" in page and '<option value="zh" selected>' in page
        missing = _package(lea, rid, organisation="", contact="")
        assert missing.status_code == 400 and "请填写移送单位" in text_of(missing.text)
        zh = _package(lea, rid, **org)
        en = _package(lea, rid, **org, lang="en")
        reader_en = lea.post(f"/referrals/{rid}/package", headers={"Accept-Language": "en"},
                             data={"csrf_token": csrf_of(lea.get(f"/referrals/{rid}").text), **org})
        shown = text_of(lea.get(f"/referrals/{rid}").text)
    assert zh.status_code == 200 and zh.headers["content-type"] == "application/zip", zh.text[:500]
    assert zh.headers["content-disposition"].startswith('attachment; filename="referral-XS-2026-202-zh.wacz"')
    assert 'filename="referral-XS-2026-202-en.wacz"' in en.headers["content-disposition"]
    assert 'filename="referral-XS-2026-202-en.wacz"' in reader_en.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(zh.content)) as wacz:
        assert wacz.testzip() is None
        document = json.loads(wacz.read("package/referral.json"))
        zh_pdf, en_pdf = wacz.read("package/summary.pdf"), zipfile.ZipFile(io.BytesIO(en.content)).read(
            "package/summary.pdf")
    assert document["case_reference"] == "XS-2026-202" and document["created_by"] == "lea"
    assert sorted(item["id"] for item in document["listings"]) == sorted([ids["L2"], ids["L6"]])
    assert document["issuing_organisation"]["name"] == "示例市市场监督管理局"
    assert "XS-2026-202" in _pdf_text(zh_pdf) and "线索移送" in _pdf_text(zh_pdf)
    assert "Referral XS-2026-202" in _pdf_text(en_pdf) and "线索移送" not in _pdf_text(en_pdf)
    out = tmp_path / "referral.wacz"
    out.write_bytes(zh.content)
    report = verify_package(out)
    assert report.ok, report.problems
    exports = rows(path, "SELECT actor, object, sha256, detail FROM custody WHERE action = 'export' ORDER BY id")
    assert [(e["actor"], e["object"]) for e in exports] == [("lea", "referral:referral-XS-2026-202-zh.wacz"),
                                                           ("lea", "referral:referral-XS-2026-202-en.wacz"),
                                                           ("lea", "referral:referral-XS-2026-202-en.wacz")]
    assert exports[0]["sha256"] == zh.headers["x-package-sha256"] and json.loads(exports[0]["detail"])["referral"] == rid
    trail = rows(path, "SELECT actor, after, ip FROM audit WHERE object = ? AND action = 'referral_package' "
                       "ORDER BY id", [f"referral:{rid}"])
    assert [(t["actor"], json.loads(t["after"])["lang"], t["ip"]) for t in trail] == \
        [("lea", "zh", "127.0.0.1"), ("lea", "en", "127.0.0.1"), ("lea", "en", "127.0.0.1")]
    assert reader_en.headers["x-package-sha256"] in shown  # the package last handed over, on the page


def test_analysts_cannot_make_a_package_and_a_hostile_reference_makes_a_safe_file_name(site):
    server, path, ids = site
    hostile = '京市监〔2026〕"3"号/../..\\x\r\n'
    db = open_db(path, migrate=False)
    try:
        rid = service.create_referral(db, actor="lea", listings=[ids["L3"]], reference=hostile.strip())
    finally:
        db.close()
    org = {"organisation": "示例市公安局", "contact": "李警官 010-1"}
    with http_client(server.url) as ana:
        login(ana, "ana")
        page = text_of(ana.get(f"/referrals/{rid}").text)
        assert "仅组长可以制作移送材料包" in page and "下载移送材料包" not in page
        assert _package(ana, rid, **org).status_code == 403
    with http_client(server.url) as lea:
        login(lea, "lea")
        assert lea.post(f"/referrals/{rid}/package", data=org).status_code == 403  # no CSRF token
        got = _package(lea, rid, **org)
    assert got.status_code == 200, got.text[:500]
    header = got.headers["content-disposition"]
    plain = re.search(r'filename="([^"]*)"', header).group(1)
    assert re.fullmatch(r"referral-[A-Za-z0-9._-]+-zh\.wacz", plain) and ".." not in plain.split("-", 1)[1][:3]
    readable = unquote(re.search(r"filename\*=UTF-8''(\S+)", header).group(1))
    assert readable.startswith("referral-京市监〔2026〕_3_号_.._.._x") and not re.search(r'[/\\"\r\n]', readable)
    assert rows(path, "SELECT count(*) AS n FROM custody WHERE action = 'export' AND actor = 'ana'")[0]["n"] == 0


def test_the_package_covers_the_referral_s_listings_not_all_the_seller_s(site):
    """seller2 has two confirmed listings (L2, L6); a referral of L2 alone hands over L2 alone (the
    builder used to package every confirmed listing of the seller, so the page had to warn)."""
    server, path, ids = site
    db = open_db(path, migrate=False)
    try:
        rid = service.create_referral(db, actor="lea", listings=[ids["L2"]], seller_site="shopa", seller_id="seller2",
                                      reference="XS-2026-204")
    finally:
        db.close()
    with http_client(server.url) as lea:
        login(lea, "lea")
        got = _package(lea, rid, organisation="示例市市场监督管理局", contact="王科长 010-12345678")
    assert got.status_code == 200, got.text[:500]
    with zipfile.ZipFile(io.BytesIO(got.content)) as wacz:
        document = json.loads(wacz.read("package/referral.json"))
    assert [item["id"] for item in document["listings"]] == [ids["L2"]]
