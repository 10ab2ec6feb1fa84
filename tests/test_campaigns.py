"""Campaigns: yearly (MM-DD) and one-off windows, and open flags they cover ranked higher in the
queue with the campaign's name; flags outside go back to priority = score."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from monitor.rules.signals import Evidence, Signal
from monitor.schedule.campaigns import active_campaigns, apply_campaigns
from monitor.schedule.config import load_config
from monitor.store import save_listings
from monitor.store.db import write_transaction
from monitor.store.flags import record_assessment
from monitor.yamlfile import YamlError
from tests.conftest import ROOT, run_monitor

JOB = "jobs:\n  - {id: j, site: greenmart, cron: '0 2 * * *'}\n"


def config(tmp_path, campaigns: str):
    path = tmp_path / "monitor.yaml"
    path.write_text(JOB + "campaigns:\n" + campaigns, encoding="utf-8")
    return load_config(path)


def test_yearly_windows_come_back_and_may_wrap_the_year(tmp_path):
    c = config(tmp_path, "  - {name: spring, start: '02-15', end: '05-31', categories: [agri_inputs]}\n"
                         "  - {name: newyear, start: '12-20', end: '01-05'}\n"
                         "  - {name: d11, start: 2026-11-01, end: 2026-11-11, marks: [Lancome], priority_boost: 30}\n")
    names = lambda day: [x.name for x in active_campaigns(c, day)]  # noqa: E731
    assert names(date(2027, 3, 1)) == ["spring"] and names(date(2031, 5, 31)) == ["spring"]
    assert names(date(2027, 6, 1)) == []
    assert names(date(2026, 12, 31)) == ["newyear"] and names(date(2027, 1, 5)) == ["newyear"]
    assert names(date(2026, 11, 11)) == ["d11"] and names(date(2027, 11, 11)) == []
    assert c.campaigns[2].priority_boost == 30 and c.campaigns[0].priority_boost == 10


def test_campaign_dates_are_validated_with_their_line(tmp_path):
    with pytest.raises(YamlError) as err:
        config(tmp_path, "  - {name: a, start: '02-15', end: 2027-05-31}\n  - {name: b, start: '13-01', end: '13-02'}\n")
    text = str(err.value)
    assert ":4: campaigns.0.end: give both dates as MM-DD" in text
    assert ":5: campaigns.1.start: expected a date" in text
    with pytest.raises(YamlError) as err:
        config(tmp_path, "  - {name: c, start: '01-01', end: '01-02', boost: 3}\n")
    assert ":4: campaigns.0.boost: unknown field" in str(err.value)


def test_the_shipped_defaults_cover_the_key_periods():
    c = load_config(ROOT / "monitor.yaml")
    on = lambda day: {x.name for x in active_campaigns(c, day)}  # noqa: E731
    assert "spring-planting" in on(date(2027, 2, 15)) and "spring-planting" in on(date(2027, 5, 31))
    assert "consumer-rights-day" in on(date(2027, 3, 15)) and "world-ip-day" in on(date(2027, 4, 26))
    assert "summer-sowing" in on(date(2027, 6, 20))


def _flag(db, lid, category, mark, score):
    save_listings(db, [{"site": "s", "listing_id": lid, "url": f"https://s.example/{lid}", "title": f"{mark} x",
                        "category": category, "observed_at": "2026-11-01T00:00:00Z"}], source="import")
    listing = db.execute_returning_dicts("SELECT * FROM listings WHERE listing_id = ?", [lid])[0]
    signal = Signal("mark_lookalike", "trademark", 0.9, "x", [Evidence("title", 0, 1, "x")], mark=mark)
    with write_transaction(db):
        record_assessment(db, listing, SimpleNamespace(score=score, flagged=True, threshold=50, signals=[signal],
                                                       rules_version="v1", price_points=[]))


def test_apply_raises_covered_open_flags_and_resets_the_rest(db, tmp_path):
    _flag(db, "1", "agri_inputs", "Syngenta", 60)
    _flag(db, "2", "cosmetics", "Lancome", 70)
    _flag(db, "3", "auto_parts", "Bosch", 65)
    c = config(tmp_path, "  - {name: spring, start: '02-15', end: '05-31', categories: [agri_inputs]}\n"
                         "  - {name: d11, start: 2026-11-01, end: 2026-11-11, marks: [Lancome], priority_boost: 30}\n")
    counts = apply_campaigns(db, active_campaigns(c, date(2027, 3, 1)))
    rows = {r["category"]: r for r in db.execute_returning_dicts("SELECT category, priority, campaign, score FROM flags")}
    assert rows["agri_inputs"]["priority"] == 70 and rows["agri_inputs"]["campaign"] == "spring"
    assert rows["cosmetics"]["priority"] == 70 and rows["cosmetics"]["campaign"] is None
    assert counts == {"spring": 1, "": 2}
    apply_campaigns(db, active_campaigns(c, date(2026, 11, 5)))
    rows = {r["category"]: r for r in db.execute_returning_dicts("SELECT category, priority, campaign, score FROM flags")}
    assert rows["agri_inputs"]["priority"] == 60 and rows["agri_inputs"]["campaign"] is None  # window closed
    assert rows["cosmetics"]["priority"] == 100 and rows["cosmetics"]["campaign"] == "d11"
    assert all(r["score"] in (60, 70, 65) for r in rows.values())  # the score itself never changes


def test_campaigns_cli(db_path):
    out = run_monitor("campaigns", "--date", "2027-03-12", db_path=db_path, check=True).stdout
    assert "consumer-rights" in out and "yes" in out
    applied = run_monitor("campaigns", "--date", "2027-03-12", "apply", db_path=db_path, check=True).stdout
    assert "open flags in campaigns" in applied


def test_the_queue_ranks_campaign_flags_first_and_names_the_campaign(tmp_path):
    import re

    from monitor.store import open_db
    from tests.test_web_app import signed_in
    from tests.web_fixtures import LiveServer, build_store

    path = tmp_path / "monitor.db"
    build_store(path)
    c = config(tmp_path, "  - {name: beauty-week, start: 2026-11-20, end: 2026-11-30, categories: [cosmetics], "
                         "priority_boost: 30}\n")
    db = open_db(path)
    apply_campaigns(db, active_campaigns(c, date(2026, 11, 24)))
    db.close()
    with LiveServer(path, language="en") as server:
        client = signed_in(server, "ana")
        page = client.get("/").text
        client.close()
    cats = re.findall(r'<div class="meta">[^·<]*· (\w+)', page)
    assert cats[:4] == ["Cosmetics"] * 4 and "Cosmetics" not in cats[4:], cats  # categories shown as words
    assert page.count("campaign: beauty-week") == 4
