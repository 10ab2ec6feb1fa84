"""Complaint intake (issue 14, deliverable 2): working-day deadlines, the API, the crawl at once
through the profile spider (demo marketplaces on 127.0.0.1), duplicates, confidentiality."""

from __future__ import annotations

import datetime as dt
import os
import zipfile

import httpx
import pytest

from monitor.casework import complaints as service
from monitor.casework.complaints_rules import ComplaintError, deadline, load_settings, url_key, working_days_left
from monitor.casework.complaints_stats import complaint_counts, summary
from monitor.i18n import use_locale
from monitor.review import QueueFilters, queue_page
from monitor.review.accounts import User, add_user, new_api_token
from monitor.store import open_db
from monitor.yamlfile import YamlError
from tests.web_fixtures import PASSWORD, LiveServer, http_client, nightly_jobs

D = dt.date


# ------------------------------------------------------------------------------ working days
def test_deadline_across_national_day_2026_counts_working_days_and_make_up_days():
    # 国庆 2026: Oct 1-7 off; Sat Oct 10 is a make-up working day (chinese_calendar's data).
    # Received Wed Sep 30: Oct 8 (1), Oct 9 (2), Sat Oct 10 (3), Mon Oct 12 (4), Tue Oct 13 (5).
    assert deadline(D(2026, 9, 30), 5) == D(2026, 10, 13)
    # Received Mon Sep 28, 15 working days: Sep 29, 30, Oct 8, 9, 10, 12-16, 19-23 -> Fri Oct 23.
    assert deadline(D(2026, 9, 28), 15) == D(2026, 10, 23)
    # Fri Sep 18, one working day: Sun Sep 20 is the make-up day before 国庆.
    assert deadline(D(2026, 9, 18), 1) == D(2026, 9, 20)
    # 中秋 Sep 25-27 (Fri-Sun) off: received Thu Sep 24, 1 day -> Mon Sep 28.
    assert deadline(D(2026, 9, 24), 1) == D(2026, 9, 28)
    assert working_days_left(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert working_days_left(D(2026, 10, 13), D(2026, 10, 13)) == 0
    assert working_days_left(D(2026, 10, 14), D(2026, 10, 13)) == -1  # one working day late


def test_a_deadline_beyond_the_calendar_years_counts_weekdays_with_a_warning(caplog):
    # chinese-calendar 1.11 knows 2026's holidays, not 2027's: intake goes on, Monday to Friday
    # counting in 2027, and the log says to update the package.
    import chinese_calendar

    last = max(chinese_calendar.holidays).year
    start = D(last, 12, 24)  # a Thursday in 2026; Dec 25 and 28-31 are working days there
    with caplog.at_level("WARNING"):
        due = deadline(start, 15)
    known = sum(1 for n in range(1, 8) if chinese_calendar.is_workday(start + dt.timedelta(days=n)))
    weekdays_after = [start + dt.timedelta(days=n) for n in range(8, 40)
                      if (start + dt.timedelta(days=n)).weekday() < 5]
    assert due == weekdays_after[15 - known - 1]
    assert f"does not know the holidays of {last + 1}" in caplog.text and "pip install -U chinese-calendar" in caplog.text


def test_complaints_section_of_monitor_yaml_is_checked(tmp_path):
    cfg = tmp_path / "monitor.yaml"
    cfg.write_text("jobs: []\ncomplaints:\n  response_days: 0\n  answer_days: 3\n", encoding="utf-8")
    with pytest.raises(YamlError) as err:
        load_settings(cfg)
    text = str(err.value)
    assert "complaints.response_days" in text and "from 1 to 365" in text and ":3" in text
    assert "complaints.answer_days" in text and "unknown key" in text
    cfg.write_text("complaints: {response_days: 7}\n", encoding="utf-8")
    assert load_settings(cfg).response_days == 7
    assert load_settings(tmp_path / "absent.yaml").response_days == 15


def test_url_key_finds_the_same_page_however_it_was_pasted():
    assert url_key("HTTP://Shop.Example:80/p/1/#x") == url_key("http://shop.example/p/1")
    assert url_key("https://shop.example/p/1?a=1") != url_key("https://shop.example/p/1?a=2")
    # shared from an app or a campaign: the same page, so a duplicate of the open complaint on it
    assert url_key("https://shop.example/p/1?id=7&spm=a21.b&utm_source=wx") == url_key("https://shop.example/p/1?id=7")


# ------------------------------------------------------------------------------ the API, crawling
@pytest.fixture(scope="module")
def deployment(tmp_path_factory, marketplaces):
    """A store with a lead and an analyst, a monitor.yaml whose jobs point the profiles at the
    demo shops' free ports (as a deployment's base_url does), and the app on a real server."""
    folder = tmp_path_factory.mktemp("complaints")
    db_path = folder / "monitor.db"
    db = open_db(db_path)
    add_user(db, "lea", "lead", PASSWORD)
    add_user(db, "ana", "analyst", PASSWORD)
    tokens = {"lea": new_api_token(db, "lea"), "ana": new_api_token(db, "ana")}
    db.close()
    cfg = folder / "monitor.yaml"
    jobs = nightly_jobs(marketplaces.urls)
    cfg.write_text(f"jobs:\n{jobs}complaints:\n  response_days: 15\n", encoding="utf-8")
    old = os.environ.get("MONITOR_CONFIG")
    os.environ["MONITOR_CONFIG"] = str(cfg)
    try:
        with LiveServer(db_path) as server:
            yield type("Deployment", (), {"db_path": db_path, "config": cfg, "url": server.url, "tokens": tokens,
                                          "markets": marketplaces})
    finally:
        if old is None:
            os.environ.pop("MONITOR_CONFIG", None)
        else:
            os.environ["MONITOR_CONFIG"] = old


def _post(dep, body, who="lea"):
    with httpx.Client(base_url=dep.url, headers={"Authorization": f"Bearer {dep.tokens[who]}"}, timeout=120) as api:
        return api.post("/api/complaints", json=body)


def _listing_url(dep, site="greenmart"):
    lid = next(iter(dep.markets.catalogue.live_ids(site, 1)))
    return f"{dep.markets.urls[site]}/p/{lid}"


def test_a_complaint_posted_through_the_api_is_crawled_scored_and_queued_with_its_deadline(deployment):
    url = _listing_url(deployment)
    # A fixed date: one near the end of the year would run past the calendar's last year.
    received = D(2026, 9, 28)
    r = _post(deployment, {"url": url, "source": "12315", "text": "消费者反映该农药疑似假冒", "complainant": "张三 13800000000",
                           "received_on": received.isoformat()})
    assert r.status_code == 201, r.text
    body = r.json()
    c = body["complaint"]
    assert c["crawl_state"] == "crawled" and c["site"] == "greenmart" and c["listing"]
    assert c["deadline"] == "2026-10-23" and c["complainant"] == "张三 13800000000"  # 15 working days over 国庆
    db = open_db(deployment.db_path)
    try:
        run = db["crawl_runs"].get(c["crawl_run"])
        assert run["status"] in ("completed", "degraded") and '"listing_url"' in run["args"]
        stored = db["complaints"].get(c["id"])
        assert stored["crawl_note"] == f"crawled in run {run['id']} ({run['status']})"
        with use_locale("zh_CN"):  # the note's template, in the reader's words
            assert service.stored_text(stored["crawl_note"], stored["crawl_note_template"]) == \
                f"已在第 {run['id']} 次抓取中采集（{'已完成' if run['status'] == 'completed' else '降级'}）"
        listing = db["listings"].get(c["listing"])
        assert listing["url"] == url and listing["score"] is not None  # scored by the crawl's pipeline
        warc = db.execute("SELECT count(*) FROM evidence WHERE run_id = ? AND url = ?", [run["id"], url]).fetchone()[0]
        assert warc >= 1  # the page kept as evidence
        flag = db.execute_returning_dicts("SELECT * FROM flags WHERE id = ?", [body["flag"]])[0]
        assert flag["status"] == "open" and flag["complaint"] == c["id"] and flag["listing"] == c["listing"]
        # In the queue even when the score is below the category's threshold: a complaint is a lead.
        page = queue_page(db, QueueFilters(status="open"), User(1, "lea", "lead"), limit=500, counts=False)
        assert body["flag"] in {item["flag_id"] for item in page["items"]}
        audit = [r["action"] for r in db.execute_returning_dicts(
            "SELECT action FROM audit WHERE object = ?", [f"complaint:{c['id']}"])]
        assert audit == ["complaint.create", "complaint.crawl"]
        assert "张三" not in " ".join(str(r) for r in db.execute("SELECT after FROM audit").fetchall())
        runs_before = db.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    finally:
        db.close()

    # The same page again, pasted differently: linked to the open complaint, not crawled again.
    again = _post(deployment, {"url": url + "/#reviews", "source": "12345", "text": "同一链接", "complainant": "李四",
                               "received_on": "2026-09-29"}, who="ana")
    assert again.status_code == 201, again.text
    dup = again.json()["complaint"]
    assert dup["duplicate_of"] == c["id"] and dup["crawl_state"] == "duplicate" and dup["listing"] == c["listing"]
    assert "complainant" not in dup  # an analyst does not see who complained
    db = open_db(deployment.db_path)
    try:
        assert db.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == runs_before
        # Answering the original answers its duplicate; the counts see both.
        service.set_status(db, c["id"], "answered", actor="lea", outcome="已下架，已答复")
        assert db["complaints"].get(dup["id"])["status"] == "answered"
        period = summary(db, D(2026, 9, 28), D(2026, 9, 29), today=D(2026, 12, 7))
        # Answered today (December), after the October deadlines: late, not in time.
        assert period["received"] == 2 and period["answered_late"] == 2 and period["answered_in_time"] == 0
        assert period["by_source"]["12315"] == 1 and period["by_source"]["12345"] == 1 and period["duplicates"] == 1
    finally:
        db.close()


def test_a_page_of_an_unknown_site_is_kept_and_not_crawled(deployment):
    r = _post(deployment, {"url": "https://shop.unknown-site.example/item/9", "source": "rights_holder",
                           "text": "假冒我司商标", "received_on": "2026-11-02"})
    assert r.status_code == 201, r.text
    c = r.json()["complaint"]
    assert c["crawl_state"] == "no_profile" and c["site"] is None and c["listing"] is None
    assert c["crawl_note"] == "not crawled: no profile for host shop.unknown-site.example"


def test_a_complained_page_that_is_gone_is_recorded_as_a_failed_crawl_not_queued(deployment):
    url = f"{deployment.markets.urls['greenmart']}/p/NOSUCHITEM"
    r = _post(deployment, {"url": url, "source": "12345", "text": "链接已失效？", "received_on": "2026-11-02"})
    assert r.status_code == 201, r.text
    c = r.json()["complaint"]
    assert c["crawl_state"] == "crawl_failed" and c["listing"] is None and c["crawl_run"]
    assert f"stored no listing from {url}" in c["crawl_note"] and r.json()["flag"] is None


def test_the_api_refuses_bad_complaints_with_the_field(deployment):
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = _post(deployment, {"url": "https://a.example/1", "source": "12315", "text": "x", "received_on": future})
    assert r.status_code == 400 and r.json()["error"].startswith("received_on:")
    r = _post(deployment, {"url": "javascript:alert(1)", "source": "12315", "text": "x"})
    assert r.status_code == 400 and r.json()["error"].startswith("url:")
    r = _post(deployment, {"url": "https://a.example/1", "source": "weibo", "text": "x"})
    assert r.status_code == 422 and r.json()["detail"]
    with http_client(deployment.url) as anon:
        assert anon.post("/api/complaints", json={"url": "https://a.example/1", "source": "12315",
                                                  "text": "x"}).status_code == 401


def test_the_complainant_is_in_no_case_package(deployment, tmp_path):
    from monitor.export.case import CaseSpec, build_case  # lazy: only this test builds a package

    url = _listing_url(deployment, "baihuo").replace("/p/", "/item/") + ".html"
    r = _post(deployment, {"url": url, "source": "platform", "text": "平台转来的投诉", "complainant": "王五-机密",
                           "received_on": "2026-11-02"})
    assert r.status_code == 201, r.text
    c = r.json()["complaint"]
    assert c["crawl_state"] == "crawled", c
    db = open_db(deployment.db_path)
    try:
        out = tmp_path / "case.zip"
        build_case(db, deployment.db_path, CaseSpec(listings=(c["listing"],), include_open=True), out)
    finally:
        db.close()
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
        assert names
        for name in names:
            data = package.read(name)
            assert "王五-机密".encode() not in data, name
    # And no export reads the complaints table at all.
    from pathlib import Path
    export = Path(__file__).resolve().parents[1] / "monitor" / "export"
    for source in export.rglob("*.py"):
        assert "complaint" not in source.read_text(encoding="utf-8").lower(), source


def test_dashboard_counts_near_and_past_deadline(tmp_path):
    db = open_db(tmp_path / "m.db")
    try:
        from monitor.casework.complaints_rules import ComplaintSettings
        settings = ComplaintSettings(response_days=5)
        for received in ("2026-09-30", "2026-10-09", "2026-10-12"):  # deadlines Oct 13, Oct 16, Oct 19
            service.intake(db, {"url": f"https://x.example/{received}", "source": "other", "text": "t",
                                "received_on": received}, actor="t", settings=settings, db_path=tmp_path / "m.db",
                           today=D(2026, 10, 14))
        counts = complaint_counts(db, D(2026, 10, 14), near_days=2)
        # Oct 13 is past; Oct 16 has 2 working days left (near); Oct 19 has 3 (not near).
        assert counts["by_status"]["open"] == 3 and counts["past_deadline"] == 1 and counts["near_deadline"] == 1
    finally:
        db.close()


def test_a_complaint_flag_survives_a_rescore_below_the_threshold_and_its_marker_carries_over(tmp_path):
    from types import SimpleNamespace

    from monitor.casework.complaints_rules import ComplaintSettings
    from monitor.store import save_listings
    from monitor.store.db import write_transaction
    from monitor.store.flags import record_assessment

    db = open_db(tmp_path / "m.db")
    try:
        save_listings(db, [{"site": "shopa", "listing_id": "L1", "url": "https://shop.example/1", "title": "农药 1",
                            "category": "agri_inputs", "price": 10.0, "currency": "CNY",
                            "observed_at": "2026-10-01T08:00:00Z"}], source="import")
        listing = db.execute_returning_dicts("SELECT * FROM listings")[0]
        row = service.intake(db, {"url": "https://shop.example/1", "source": "12315", "text": "t",
                                  "received_on": "2026-09-30"}, actor="t", settings=ComplaintSettings(),
                             db_path=tmp_path / "m.db", today=D(2026, 10, 9))
        assert row["crawl_state"] == "no_profile"  # shopa has no profile: nothing crawled ...
        with write_transaction(db):  # ... so put the stored listing in the queue by hand
            db.execute("UPDATE complaints SET listing = ? WHERE id = ?", [listing["id"], row["id"]])
            flag_id = service.queue_flag(db, row["id"], listing["id"], actor="t")
        clear = SimpleNamespace(score=3, flagged=False, threshold=50, signals=[], rules_version="v2", price_points=[])
        with write_transaction(db):
            record_assessment(db, listing, clear)
        assert db["flags"].get(flag_id)["status"] == "open"  # a complaint is a lead by itself
        flagged = SimpleNamespace(score=80, flagged=True, threshold=50, signals=[], rules_version="v3", price_points=[])
        with write_transaction(db):
            record_assessment(db, {**listing, "title": "农药 1 高仿"}, flagged)
        new = db.execute_returning_dicts("SELECT * FROM flags WHERE status = 'open'")
        assert len(new) == 1 and new[0]["id"] != flag_id and new[0]["complaint"] == row["id"]
        service.set_status(db, row["id"], "closed", actor="t", outcome="不属本局管辖")
        with write_transaction(db):
            record_assessment(db, listing, clear)
        assert db.execute("SELECT count(*) FROM flags WHERE status = 'open'").fetchone()[0] == 0
    finally:
        db.close()
