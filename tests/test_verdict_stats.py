"""Signals over recent verdicts and the "calibration due" rule (monitor/review/verdict_stats.py),
on real SQLite stores built through the real service functions, and the dashboard's table over
real HTTP."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest

from monitor.review import decisions as review
from monitor.review import verdict_stats
from monitor.review.accounts import User, add_user
from monitor.rules.signals import Evidence, Signal
from monitor.store import open_db, save_listings
from monitor.store.db import write_transaction
from monitor.store.flags import record_assessment
from tests.conftest import ROOT
from tests.web_fixtures import PASSWORD, _assessment, _lookalike, english, http_client, live, login, store  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

ANA = User(id=1, name="ana", role="analyst")


def _signal(name: str, kind: str = "counterfeit") -> Signal:
    return Signal(name, kind, 0.8, f"{name} seen", [Evidence("title", 0, 5, "B0SCH")])


def make_store(path, signal_sets: list[list[str]]):
    """One listing and one open flag per entry, carrying those signals (mark_lookalike twice:
    title and description, as for a listing naming two look-alikes). Returns (db, flag ids)."""
    db = open_db(path)
    add_user(db, "ana", "analyst", PASSWORD)
    save_listings(db, [{"site": "shopa", "listing_id": f"L{i}", "url": f"https://s.example/{i}",
                        "title": f"B0SCH pads {i}", "description": f"B0SCH genuine {i}", "category": "auto_parts",
                        "price": 10.0 + i} for i in range(len(signal_sets))], source="import")
    listings = {r["listing_id"]: r for r in db.execute_returning_dicts("SELECT * FROM listings")}
    with write_transaction(db):
        for i, names in enumerate(signal_sets):
            listing = listings[f"L{i}"]
            signals = []
            for name in names:
                if name == "mark_lookalike":
                    signals += [_lookalike("title", listing["title"], "B0SCH"),
                                _lookalike("description", listing["description"], "B0SCH")]
                else:
                    signals.append(_signal(name))
            record_assessment(db, listing, _assessment(90, signals), now="2026-11-01T08:00:00Z")
    flags = [r[0] for r in db.execute("SELECT f.id FROM flags f JOIN listings l ON l.id = f.listing "
                                      "ORDER BY CAST(substr(l.listing_id, 2) AS INTEGER)")]
    return db, flags


def decide(db, flag: int, verdict: str, reason: str | None = None) -> None:
    review.record_verdicts(db, ANA, [review.Decision(flag, verdict, reason)])


def test_signal_precision_uses_the_latest_verdict_per_flag(tmp_path):
    db, f = make_store(tmp_path / "m.db", [
        ["mark_lookalike", "offplatform_contact"],  # 0 confirmed
        ["mark_lookalike", "offplatform_contact"],  # 1 dismissed: reseller
        ["mark_lookalike", "offplatform_contact"],  # 2 confirmed, then dismissed: genuine goods (latest counts)
        ["mark_lookalike", "offplatform_contact"],  # 3 escalated: not decided, not counted
        ["mark_lookalike"],                         # 4 dismissed: reseller
        ["mark_lookalike"],                         # 5 dismissed: model toy
        ["counterfeit_terms"],                      # 6 infringement, then regulatory violation: confirmed once
        ["price_anomaly"],                          # 7 dismissed, then escalated: not counted
        ["seller_history"],                         # 8 no verdict at all
    ])
    try:
        decide(db, f[0], "confirmed_counterfeit")
        decide(db, f[1], "dismissed", "reseller")
        decide(db, f[2], "confirmed_counterfeit")
        decide(db, f[2], "dismissed", "genuine_goods")
        decide(db, f[3], "escalate")
        decide(db, f[4], "dismissed", "reseller")
        decide(db, f[5], "dismissed", "model_toy")
        decide(db, f[6], "confirmed_infringement")
        decide(db, f[6], "regulatory_violation")
        decide(db, f[7], "dismissed", "other_brand")
        decide(db, f[7], "escalate")

        rows = {r["signal"]: r for r in verdict_stats.signal_precision(db)}
        assert set(rows) == {"mark_lookalike", "offplatform_contact", "counterfeit_terms"}
        look = rows["mark_lookalike"]  # counted once per flag although it is on each flag twice
        assert (look["confirmed"], look["dismissed"], look["support"]) == (1, 4, 5)
        assert look["precision"] == pytest.approx(0.2)
        # the two most common reasons; a tie goes by name (genuine_goods before model_toy)
        assert [(r["reason"], r["n"]) for r in look["reasons"]] == [("reseller", 2), ("genuine_goods", 1)]
        assert look["reasons"][0]["label"] == "reseller of genuine goods"
        contact = rows["offplatform_contact"]
        assert (contact["confirmed"], contact["dismissed"]) == (1, 2)
        assert contact["precision"] == pytest.approx(1 / 3)
        assert [r["reason"] for r in contact["reasons"]] == ["genuine_goods", "reseller"]
        terms = rows["counterfeit_terms"]
        assert (terms["confirmed"], terms["dismissed"], terms["precision"], terms["reasons"]) == (1, 0, 1.0, [])
        # lowest precision first
        assert [r["signal"] for r in verdict_stats.signal_precision(db)] == [
            "mark_lookalike", "offplatform_contact", "counterfeit_terms"]

        # a flag without signal_names (written by hand, an old tool): its signals JSON is read
        db.execute("UPDATE flags SET signal_names = NULL WHERE id IN (?, ?)", [f[0], f[6]])
        again = {r["signal"]: r for r in verdict_stats.signal_precision(db)}
        assert again["counterfeit_terms"]["confirmed"] == 1 and again["mark_lookalike"]["confirmed"] == 1
        assert again["offplatform_contact"]["confirmed"] == 1

        # the window: verdicts older than N days are left out
        later = datetime.now(timezone.utc) + timedelta(days=91)
        assert verdict_stats.signal_precision(db, 90, now=later) == []
        assert len(verdict_stats.signal_precision(db, 92, now=later)) == 3
        assert verdict_stats.decided_flags_since(db) == 6  # f0, f1, f2, f4, f5, f6 decided; f3, f7, f8 not
    finally:
        db.close()


def test_calibration_due_by_verdict_count(tmp_path, monkeypatch):
    db, flags = make_store(tmp_path / "m.db", [["counterfeit_terms"]] * 60)
    try:
        monkeypatch.setattr(review, "utc_now", lambda: "2026-10-01T10:00:00Z")
        for flag in flags[:20]:
            decide(db, flag, "confirmed_counterfeit")
        monkeypatch.setattr(review, "utc_now", lambda: "2026-11-20T10:00:00Z")
        for flag in flags[20:]:
            decide(db, flag, "confirmed_counterfeit")

        def status(calibrated):
            return verdict_stats.calibration_status(db, calibrated, verdict_stats.signal_precision(db))

        never = status(None)  # 60 verdicts in all, never calibrated
        assert never["due"] and never["verdicts"] == 60 and "never calibrated" in never["reasons"][0]
        # calibrated in between: 40 since then, below 50, and the signal's precision is 1.0
        between = status({"at": "2026-11-01T00:00:00Z", "source": "monitor rules calibrate", "verdicts": 20})
        assert not between["due"] and between["verdicts"] == 40 and between["since"] == "2026-11-01T00:00:00Z"
        # calibrated before all of them: 60 since
        before = status({"at": "2026-09-01T08:00:00+08:00", "source": "x"})
        assert before["due"] and before["verdicts"] == 60 and before["since"] == "2026-09-01T00:00:00Z"
        # a date alone is midnight UTC; an unreadable one counts as never calibrated
        assert status({"at": "2026-11-20", "source": "x"})["verdicts"] == 40
        odd = status({"at": "last spring", "source": "x"})
        assert odd["due"] and odd["unreadable_at"] == "last spring" and odd["since"] is None

        # fewer than 50 in all and never calibrated: not due
        few_db, few = make_store(tmp_path / "few.db", [["counterfeit_terms"]] * 49)
        try:
            for flag in few:
                decide(few_db, flag, "confirmed_counterfeit")
            got = verdict_stats.calibration_status(few_db, None, verdict_stats.signal_precision(few_db))
            assert not got["due"] and got["verdicts"] == 49
            decide(few_db, few[0], "escalate")  # its latest verdict no longer decides it
            assert verdict_stats.decided_flags_since(few_db) == 48
        finally:
            few_db.close()
    finally:
        db.close()


def test_calibration_due_by_a_weak_signal_with_support(tmp_path):
    # 12 flags with mark_lookalike: 9 confirmed, 3 dismissed = 0.75 over 12 (due);
    # 4 flags with price_anomaly: all dismissed, but support 4 < 10 (not a reason by itself)
    db, f = make_store(tmp_path / "m.db", [["mark_lookalike"]] * 12 + [["price_anomaly"]] * 4)
    try:
        for flag in f[:9]:
            decide(db, flag, "confirmed_counterfeit")
        for flag in f[9:12]:
            decide(db, flag, "dismissed", "common_word")
        for flag in f[12:]:
            decide(db, flag, "dismissed", "exempt_product")
        now_cal = {"at": verdict_stats.store_time(datetime.now(timezone.utc) - timedelta(days=1)), "source": "t"}
        got = verdict_stats.calibration_status(db, now_cal, verdict_stats.signal_precision(db))
        assert got["due"] and got["weak"] == ["mark_lookalike"] and got["verdicts"] == 16
        assert got["reasons"] == ["mark_lookalike: precision 0.75 below 0.80 over 12 verdicts"]
        # one more confirmation: 10/13 = 0.77, still below; at 0.8 exactly it is not
        db2, g = make_store(tmp_path / "m2.db", [["mark_lookalike"]] * 10)
        try:
            for flag in g[:8]:
                decide(db2, flag, "confirmed_counterfeit")
            for flag in g[8:]:
                decide(db2, flag, "dismissed", "reseller")
            got = verdict_stats.calibration_status(db2, now_cal, verdict_stats.signal_precision(db2))
            assert not got["due"] and got["weak"] == [] and got["verdicts"] == 10
        finally:
            db2.close()
    finally:
        db.close()


def test_last_calibration_is_read_from_the_rule_packs(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    scoring = rules / "scoring.yaml"
    text = scoring.read_text(encoding="utf-8")
    if "\ncalibrated:" in "\n" + text:
        text = "\n".join(line for line in text.split("\n")  # drop an existing block: test both ways
                         if not line.startswith(("calibrated:", "  at:", "  source:", "  verdicts:")))
        scoring.write_text(text, encoding="utf-8")
    assert verdict_stats.last_calibration(rules) == (None, None)
    scoring.write_text(text.rstrip("\n") + '\ncalibrated:\n  at: "2026-11-02T09:30:00Z"\n  source: "monitor rules '
                       'calibrate on 120 verdicts"\n  verdicts: 120\n', encoding="utf-8")
    record, problem = verdict_stats.last_calibration(rules)  # a changed file is read again
    assert problem is None and record["at"] == "2026-11-02T09:30:00Z" and record["verdicts"] == 120
    scoring.write_text("llr: [not, a, mapping]\n", encoding="utf-8")
    record, problem = verdict_stats.last_calibration(rules)
    assert record is None and "could not be loaded" in problem


def test_dashboard_shows_signals_over_recent_verdicts(live, store, monkeypatch):
    c = http_client(live.url)
    login(c, "ana")
    csrf = c.get("/api/me").json()["csrf"]
    headers = {"X-CSRF-Token": csrf}
    confirm = [store.flags[store.listings[k]] for k in ("L1", "L2", "L3")]
    dismiss = [store.flags[store.listings[k]] for k in ("L4", "L5")]
    assert c.post("/api/verdict", json={"flags": confirm, "verdict": "confirmed_counterfeit"},
                  headers=headers).status_code == 200
    assert c.post("/api/verdict", json={"flags": dismiss, "verdict": "dismissed", "reason": "reseller"},
                  headers=headers).status_code == 200
    monkeypatch.setattr(verdict_stats, "last_calibration", lambda folder=None: (
        {"at": "2026-01-01T00:00:00Z", "source": "<script>alert('cal')</script>", "verdicts": 7}, None))
    r = c.get("/dashboard")
    assert r.status_code == 200
    page = r.text
    assert "Signals over recent verdicts" in page and "last 90 days" in page
    row = page.split('<tr data-signal="mark_lookalike">')[1].split("</tr>")[0]
    assert row == ('<td>look-alike of a protected mark</td><td class="num">3</td><td class="num">2</td><td class="num">0.60</td>'
                   "<td>reseller of genuine goods 2</td>")
    assert 'data-calibration="not-due"' in page
    assert "calibration not due (5 verdicts since January 1, 2026 00:00 UTC)" in page
    assert "on 7 verdicts (&lt;script&gt;alert(&#39;cal&#39;)&lt;/script&gt;)" in page
    assert "<script>alert" not in page
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    # a shorter window: the same verdicts (made today) are still in
    assert '<tr data-signal="offplatform_contact">' in c.get("/dashboard?signal_days=7").text
    assert c.get("/dashboard?signal_days=0").status_code in (400, 422)

    monkeypatch.setattr(verdict_stats, "last_calibration", lambda folder=None: (None, None))
    monkeypatch.setattr(verdict_stats, "CALIBRATION_VERDICTS", 5)
    page = c.get("/dashboard").text
    assert 'data-calibration="due"' in page
    assert "<strong>calibration due</strong>: 5 verdicts and never calibrated." in page
    monkeypatch.setattr(verdict_stats, "CALIBRATION_VERDICTS", 50)
    assert "calibration not due (5 verdicts in all, never calibrated)" in c.get("/dashboard").text
    c.close()
