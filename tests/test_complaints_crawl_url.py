"""A complaint's crawl leaves the stored listing's URL alone (issue 14): the complainant's copy of
the address (a tracking query such as ?spm=...&utm_source=..., a trailing slash) fetches the page
and links the complaint to the listing; the listing keeps the URL it was stored with. The demo
marketplaces over real HTTP, the crawl in its own process as every complaint crawl."""

from __future__ import annotations

import datetime as dt
import os

import httpx
import pytest

from monitor.casework import complaints as service
from monitor.urls import strip_tracking
from monitor.review.accounts import add_user, new_api_token
from monitor.store import open_db
from tests.web_fixtures import PASSWORD, LiveServer, nightly_jobs

TRACKING = "?spm=a2141.7631565.0.0&utm_source=wechat&utm_medium=share"


def test_strip_tracking_drops_the_tracking_parameters_only():
    assert strip_tracking("http://s.example/p/1" + TRACKING) == "http://s.example/p/1"
    assert strip_tracking("http://s.example/p/1?id=7&spm=x&UTM_Campaign=y#top") == "http://s.example/p/1?id=7#top"
    assert strip_tracking("http://s.example/p/1?id=7&sku=2") == "http://s.example/p/1?id=7&sku=2"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, marketplaces):
    folder = tmp_path_factory.mktemp("complaints-crawl-url")
    db_path = folder / "monitor.db"
    db = open_db(db_path)
    add_user(db, "lea", "lead", PASSWORD)
    token = new_api_token(db, "lea")
    db.close()
    cfg = folder / "monitor.yaml"
    jobs = nightly_jobs(marketplaces.urls)
    cfg.write_text(f"jobs:\n{jobs}", encoding="utf-8")
    old = os.environ.get("MONITOR_CONFIG")
    os.environ["MONITOR_CONFIG"] = str(cfg)
    try:
        with LiveServer(db_path) as server:
            yield type("Deployment", (), {"db_path": db_path, "url": server.url, "token": token,
                                          "markets": marketplaces})
    finally:
        if old is None:
            os.environ.pop("MONITOR_CONFIG", None)
        else:
            os.environ["MONITOR_CONFIG"] = old


def _post(dep, url, text="疑似假冒", crawl_state="crawled"):
    with httpx.Client(base_url=dep.url, headers={"Authorization": f"Bearer {dep.token}"}, timeout=180) as api:
        r = api.post("/api/complaints", json={"url": url, "source": "12315", "text": text,
                                              "received_on": "2026-11-02"})
    assert r.status_code == 201, r.text
    complaint = r.json()["complaint"]
    assert complaint["crawl_state"] == crawl_state, complaint
    return complaint


def _listing(dep, pk):
    db = open_db(dep.db_path)
    try:
        return db["listings"].get(pk)
    finally:
        db.close()


def test_a_complaint_with_a_tracking_query_keeps_the_stored_listing_url(deployment):
    lid = sorted(deployment.markets.catalogue.live_ids("greenmart", 1))[1]
    plain = f"{deployment.markets.urls['greenmart']}/p/{lid}"
    first = _post(deployment, plain)
    assert _listing(deployment, first["listing"])["url"] == plain
    # While the first is open, the same page shared with tracking parameters is its duplicate, not crawled.
    again = _post(deployment, plain + TRACKING, text="微信分享的同一商品", crawl_state="duplicate")
    assert again["duplicate_of"] == first["id"] and again["crawl_run"] is None
    _answer(deployment, first["id"])
    tracked = _post(deployment, plain + TRACKING, text="微信分享的同一商品")
    assert tracked["duplicate_of"] is None and tracked["crawl_state"] == "crawled"  # the first answered: crawled ...
    assert tracked["url"] == plain + TRACKING  # ... kept as the complainant gave it ...
    assert tracked["listing"] == first["listing"]  # ... and linked to the same listing,
    assert _listing(deployment, first["listing"])["url"] == plain  # whose URL stays the stored one
    db = open_db(deployment.db_path)
    try:
        # The page fetched is kept as evidence under the address fetched.
        assert db.execute("SELECT count(*) FROM evidence WHERE run_id = ? AND url = ?",
                          [tracked["crawl_run"], plain + TRACKING]).fetchone()[0] >= 1
    finally:
        db.close()
    # Once it is answered too, a trailing slash is a new complaint crawled again: same listing, same URL.
    _answer(deployment, tracked["id"])
    slashed = _post(deployment, plain + "/", text="再次投诉")
    assert slashed["duplicate_of"] is None and slashed["crawl_run"] != tracked["crawl_run"]
    assert slashed["listing"] == first["listing"] and _listing(deployment, first["listing"])["url"] == plain


def _answer(deployment, complaint_id: int) -> None:
    db = open_db(deployment.db_path)
    try:
        service.set_status(db, complaint_id, "answered", actor="lea", outcome="已答复")
    finally:
        db.close()


def test_a_listing_first_met_through_a_tracked_link_is_stored_without_the_tracking(deployment):
    lid = sorted(deployment.markets.catalogue.live_ids("baihuo", 1))[2]
    page = f"{deployment.markets.urls['baihuo']}/item/{lid}.html"
    complaint = _post(deployment, page + TRACKING)
    assert complaint["url"] == page + TRACKING
    listing = _listing(deployment, complaint["listing"])
    assert listing["listing_id"] == lid and listing["url"] == page
    assert dt.date.fromisoformat(complaint["deadline"]) > dt.date(2026, 11, 2)
