"""The sampling pages on a real uvicorn server: a lead draws, lists, prints, exports and publishes
a sample; an analyst is refused those and checks the listings drawn for them, flagged or not."""

from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from monitor.casework.sampling import draw_sample, load_sample
from monitor.store import open_db, save_listings
from tests.test_sampling import make_store
from tests.web_fixtures import LiveServer, csrf_of, http_client, login

XSS = "<script>alert('sample-xss')</script>"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("sampling-web") / "monitor.db"
    kinds = make_store(path, {("cosmetics", "baihuo"): (3, 5), ("agri_inputs", "shangcheng"): (1, 3)},
                       users=(("ana", "analyst"), ("ben", "analyst"), ("lea", "lead")))
    db = open_db(path)
    save_listings(db, [{"site": "baihuo", "listing_id": "X1", "url": "https://baihuo.example/X1", "title": f"面霜 {XSS}",
                        "category": "cosmetics", "observed_at": "2026-11-12T08:00:00Z"}], source="import")
    db.close()
    with LiveServer(path) as server:
        yield SimpleNamespace(path=path, url=server.url, kinds=kinds)


@contextmanager
def signed_in(site, name):
    with http_client(site.url) as client:
        assert login(client, name).status_code == 200
        yield client


def draw(client, **fields):
    page = client.get("/sampling")
    return client.post("/sampling", data={"csrf_token": csrf_of(page.text), **fields})


def test_lead_draws_prints_exports_and_publishes(site):
    with signed_in(site, "lea") as lea:
        page = lea.get("/sampling")
        assert page.status_code == 200 and "双随机抽查" in page.text and "随机种子" in page.text
        drawn = draw(lea, period="2026-Q4", size="13", seed="4242", analysts="")
        assert drawn.status_code == 303
        sample_id = int(drawn.headers["location"].rsplit("/", 1)[1])
        shown = lea.get(f"/sampling/{sample_id}")
        assert shown.status_code == 200
        assert "4242" in shown.text and "分层" in shown.text and "查全率" in shown.text
        assert XSS not in shown.text and "&lt;script&gt;alert(" in shown.text  # scraped titles escaped
        db = open_db(site.path)
        try:
            sample = load_sample(db, sample_id)
        finally:
            db.close()
        assert sample["seed"] == 4242 and sample["drawn_by"] == "lea" and sample["drawn"] == 13
        for item in sample["items"]:
            assert item["listing_id"] in shown.text
        assert sorted(sample["analysts"]) == ["ana", "ben", "lea"]
        assert f'href="/sampling/{sample_id}"' in lea.get("/sampling").text  # listed
        export = lea.get(f"/sampling/{sample_id}/export.csv")
        assert export.status_code == 200 and export.text.startswith("\ufeff")
        rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
        assert len(rows) == 13 and all(not r["title"].startswith("=") for r in rows)
        publish = lea.post(f"/sampling/{sample_id}/publish", data={"csrf_token": csrf_of(shown.text)})
        assert publish.status_code == 303
        assert "标记为已公示" not in lea.get(f"/sampling/{sample_id}").text  # the button is gone once published
        again = lea.post(f"/sampling/{sample_id}/publish", data={"csrf_token": csrf_of(shown.text)})
        assert again.status_code == 409


def test_the_same_seed_through_the_page_draws_the_same_listings(site):
    with signed_in(site, "lea") as lea:
        ids = [int(draw(lea, period="2026-11", size="5", seed="77").headers["location"].rsplit("/", 1)[1])
               for _ in range(2)]
    db = open_db(site.path)
    try:
        first, second = (load_sample(db, i) for i in ids)
    finally:
        db.close()
    assert [(i["listing"], i["analyst"]) for i in first["items"]] == [(i["listing"], i["analyst"]) for i in second["items"]]


@pytest.mark.parametrize("fields, message", [
    ({"period": "2026-Q5", "size": "10"}, "2026-Q5"),
    ({"period": "2026-Q4", "size": "0"}, "0"),
    ({"period": "2026-Q4", "size": "ten"}, "ten"),
    ({"period": "2026-Q4", "size": "5", "seed": "-1"}, "-1"),
    ({"period": "2025-Q1", "size": "5"}, "2025-Q1"),
])
def test_bad_draws_are_refused_on_the_page(site, fields, message):
    with signed_in(site, "lea") as lea:
        answer = draw(lea, **fields)
    assert answer.status_code == 400 and message in answer.text


def test_an_analyst_cannot_draw_or_see_the_draw_pages(site):
    with signed_in(site, "ana") as ana:
        assert ana.get("/sampling").status_code == 403
        mine = ana.get("/sampling/mine")
        refused = ana.post("/sampling", data={"csrf_token": csrf_of(mine.text), "period": "2026-Q4", "size": "3"})
        assert refused.status_code == 403
        assert ana.get("/sampling/1").status_code == 403
        assert ana.get("/sampling/1/export.csv").status_code == 403


def test_the_drawn_analyst_checks_an_unflagged_listing(site):
    with signed_in(site, "lea") as lea:
        sample_id = int(draw(lea, period="2026", size="13", seed="9").headers["location"].rsplit("/", 1)[1])
    db = open_db(site.path)
    try:
        items = load_sample(db, sample_id)["items"]
    finally:
        db.close()
    unflagged = next(i for i in items if i["analyst"] == "ana" and not i["flagged_at_draw"])
    others = next(i for i in items if i["analyst"] == "ben")
    with signed_in(site, "ana") as ana:
        mine = ana.get("/sampling/mine")
        assert mine.status_code == 200 and "我的抽查商品" in mine.text
        assert f'/sampling/items/{unflagged["id"]}/check' in mine.text
        assert f'/sampling/items/{others["id"]}/check' not in mine.text
        # The title links to the listing page, which shows an unflagged listing too (no flag to decide).
        assert f'href="/listing/{unflagged["listing"]}"' in mine.text
        assert ana.get(f"/listing/{unflagged['listing']}").status_code == 200
        token = csrf_of(mine.text)
        no_reason = ana.post(f"/sampling/items/{unflagged['id']}/check", data={"csrf_token": token,
                                                                               "verdict": "dismissed"})
        assert no_reason.status_code == 400
        done = ana.post(f"/sampling/items/{unflagged['id']}/check",
                        data={"csrf_token": token, "verdict": "confirmed_counterfeit", "note": "规则未标记"})
        assert done.status_code == 303 and done.headers["location"] == "/sampling/mine?done=check"
        assert "审核结论已保存" in ana.get(done.headers["location"]).text
        not_mine = ana.post(f"/sampling/items/{others['id']}/check",
                            data={"csrf_token": token, "verdict": "confirmed_counterfeit"})
        assert not_mine.status_code == 403
        forged = ana.post(f"/sampling/items/{unflagged['id']}/check", data={"csrf_token": "x", "verdict": "escalate"})
        assert forged.status_code == 403
    db = open_db(site.path)
    try:
        row = db.execute("SELECT verdict, note, decided_by FROM sample_items WHERE id = ?", [unflagged["id"]]).fetchone()
    finally:
        db.close()
    assert row == ("confirmed_counterfeit", "规则未标记", "ana")
    with signed_in(site, "lea") as lea:
        page = lea.get(f"/sampling/{sample_id}").text
    # The estimates table counts the check: one confirmed, missed by the rules (it was unflagged).
    total = re.search(r'<tr class="total">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", total)
    assert cells[1:5] == ["13", "1", "1", "1"]


def test_dashboard_panel_counts_what_is_left_to_check(site):
    from monitor import i18n
    from monitor.casework.sampling_checks import panel
    from monitor.web.deps import make_templates

    db = open_db(site.path)
    try:
        for seed in (1, 2):  # all three analysts get some (12 over 3)
            draw_sample(db, "2026-Q4", 12, seed=seed, actor="lea")
        ana = panel(db, "ana")
        lea = panel(db, "lea", lead=True)
        assigned, checked = db.execute("SELECT COUNT(*), COUNT(verdict) FROM sample_items WHERE analyst = 'ana'"
                                       ).fetchone()
    finally:
        db.close()
    assert (ana["assigned"], ana["to_check"]) == (assigned, assigned - checked) and ana["recent"] == []
    assert lea["recent"] and lea["recent"][0]["id"] > lea["recent"][-1]["id"]  # newest first
    env = make_templates()
    if "gettext" not in env.globals:  # until the shared template setup installs gettext (issue 14)
        i18n.install_jinja(env)
    with i18n.use_locale("zh_CN"):
        html = env.get_template("sampling_panel.html").render(sampling_panel=lea)
    assert "双随机抽查" in html and f'href="/sampling/{lea["recent"][0]["id"]}"' in html
    with i18n.use_locale("en"):
        html = env.get_template("sampling_panel.html").render(sampling_panel=ana)
    assert f"{ana['to_check']} of your {ana['assigned']} sampled listings still to check" in html
