"""The referral lifecycle (线索移送, issue 14): records made with a referral package or by
`monitor referrals create`, moved drafted → sent → received → filed → closed by
`monitor referrals update FILE.csv` (all or nothing, each bad row named by line), validated
transitions, history and audit, the criminal threshold with its figures, and the period summary."""

from __future__ import annotations

import json
import sqlite3

import pytest

from monitor.casework import referrals as service
from monitor.casework.referrals_figures import load_thresholds, referral_figures
from monitor.i18n import use_locale
from monitor.store import open_db, save_listings
from monitor.yamlfile import YamlError
from tests.conftest import run_monitor
from tests.web_fixtures import build_store


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "monitor.db"
    info = build_store(path)
    db = open_db(path)
    # Three listings of seller1 display sales: 2000 × 41 + 356 × 45 + none (L9: no count shown).
    save_listings(db, [{"site": "shopb", "listing_id": lid, "url": f"https://shop.example/{n}",
                        "title": f"B0SCH brake pads model {n}", "price": price, "currency": "CNY",
                        "sales_count": sales, "observed_at": "2026-11-04T08:00:00Z"}
                       for lid, n, price, sales in (("L1", 1, 41.0, 2000), ("L5", 5, 45.0, 356))], source="import")
    db.close()
    return path, info


def rows(path, sql, params=()):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def create(path, info, *extra):
    proc = run_monitor("referrals", "create", "--listing", str(info["listings"]["L1"]), "--listing",
                       str(info["listings"]["L5"]), "--listing", str(info["listings"]["L9"]),
                       "--reference", "XS-2026-014", "--date", "2026-12-01", *extra, db_path=path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return rows(path, "SELECT * FROM referrals WHERE reference = 'XS-2026-014'")[0]


def test_a_referral_moves_through_every_state_by_csv_with_history_and_audit(store, tmp_path):
    path, info = store
    referral = create(path, info)
    assert referral["state"] == "drafted" and referral["drafted_at"] == "2026-12-01"
    replies = tmp_path / "replies.csv"
    replies.write_text(
        "referral,state,date,authority,authority_kind,outcome,penalty_amount,note\n"
        "XS-2026-014,sent,2026-12-02,示例市市场监督管理局,department,,,函送\n"
        f"{referral['id']},received,2026-12-03,,,,,\n"
        "XS-2026-014,filed,2026-12-05,,,,,立案\n"
        "XS-2026-014,closed,2026-12-06,,,administrative_penalty,\"¥50,000\",罚没款\n", encoding="utf-8")
    proc = run_monitor("referrals", "update", str(replies), db_path=path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 change(s) applied" in proc.stdout
    done = rows(path, "SELECT * FROM referrals WHERE id = ?", [referral["id"]])[0]
    assert {k: done[k] for k in ("state", "drafted_at", "sent_at", "received_at", "filed_at", "closed_at", "outcome",
                                 "penalty_amount", "authority", "authority_kind")} == {
        "state": "closed", "drafted_at": "2026-12-01", "sent_at": "2026-12-02", "received_at": "2026-12-03",
        "filed_at": "2026-12-05", "closed_at": "2026-12-06", "outcome": "administrative_penalty",
        "penalty_amount": 50000.0, "authority": "示例市市场监督管理局", "authority_kind": "department"}
    timeline = rows(path, "SELECT from_state, to_state, state_date, source FROM referral_history WHERE referral = ? "
                          "ORDER BY id", [referral["id"]])
    assert [(t["from_state"], t["to_state"], t["state_date"]) for t in timeline] == [
        (None, "drafted", "2026-12-01"), ("drafted", "sent", "2026-12-02"), ("sent", "received", "2026-12-03"),
        ("received", "filed", "2026-12-05"), ("filed", "closed", "2026-12-06")]
    assert timeline[-1]["source"] == "csv:replies.csv:5"
    trail = rows(path, "SELECT actor, action, before, after FROM audit WHERE object = ? ORDER BY id",
                 [f"referral:{referral['id']}"])
    assert [t["action"] for t in trail] == ["referral_create"] + ["referral_state"] * 4
    assert json.loads(trail[-1]["before"])["state"] == "filed"
    assert json.loads(trail[-1]["after"])["outcome"] == "administrative_penalty"
    # The history is append-only.
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn = sqlite3.connect(path)
        conn.execute("DELETE FROM referral_history")
    db = open_db(path)
    try:
        got = service.summary(db, "2026-07-01", "2026-12-31")
    finally:
        db.close()
    assert got["by_state"]["closed"] == 1 and got["by_outcome"]["administrative_penalty"] == 1
    assert got["penalties_total_cny"] == 50000.0 and got["transferred_to_police"] == 0 and got["created"] == 1


def test_a_bad_csv_row_is_named_by_line_and_nothing_applies(store, tmp_path):
    path, info = store
    referral = create(path, info)
    replies = tmp_path / "bad.csv"
    replies.write_text(
        "referral,state,date,authority,authority_kind,outcome,penalty_amount\n"
        "XS-2026-014,sent,2026-12-02,示例市公安局,public_security,,\n"  # good, but the file is refused
        "XS-2026-014,closed,2026-12-03,,,,\n"  # closing without an outcome
        "XS-2026-999,received,2026-12-03,,,,\n"  # no such referral
        "XS-2026-014,drafted,2026-12-04,,,,\n"  # backwards
        "XS-2026-014,received,12/05/2026,,,,\n", encoding="utf-8")  # not a date
    proc = run_monitor("referrals", "update", str(replies), db_path=path)
    assert proc.returncode == 1
    err = proc.stderr
    assert f"{replies}:3: outcome: closing a referral needs its outcome" in err, err
    assert f"{replies}:4: referral: no referral with id or reference 'XS-2026-999'" in err, err
    assert f"{replies}:5: state: referral {referral['id']} is Sent: it cannot go back to Drafted" in err, err
    assert f"{replies}:6: date: '12/05/2026' is not a date; write it as YYYY-MM-DD" in err, err
    assert f"{replies}:2:" not in err and "nothing was changed" in err
    after = rows(path, "SELECT state, sent_at FROM referrals WHERE id = ?", [referral["id"]])[0]
    assert after == {"state": "drafted", "sent_at": None}
    assert len(rows(path, "SELECT * FROM referral_history WHERE referral = ?", [referral["id"]])) == 1
    unknown = tmp_path / "cols.csv"
    unknown.write_text("referral,stat\nXS-2026-014,sent\n", encoding="utf-8")
    proc = run_monitor("referrals", "update", str(unknown), db_path=path)
    assert proc.returncode == 1 and f"{unknown}:1: the header lacks column(s) state" in proc.stderr


def test_bad_transitions_are_refused_with_a_clear_message(store):
    path, info = store
    db = open_db(path)
    try:
        with use_locale("en"):
            rid = service.create_referral(db, actor="t", listings=[info["listings"]["L1"]], drafted_on="2026-12-01")
            with pytest.raises(service.ReferralError) as refused:
                service.move(db, rid, service.Change("sent", on="2026-12-02"), actor="t")
            assert dict(refused.value.problems) == {
                "authority": "name the receiving authority before the referral is sent",
                "authority_kind": "say what kind of authority receives it (Another department, Public security, "
                                  "Platform, Another region's office)"}
            service.move(db, rid, service.Change("received", on="2026-12-02", authority="XX市公安局",
                                                 authority_kind="public_security"), actor="t")  # skipping sent is allowed
            for change, field, text in (
                    (service.Change("sent"), "state", f"referral {rid} is Received: it cannot go back to Sent"),
                    (service.Change("received"), "state", f"referral {rid} is already Received"),
                    (service.Change("filed", on="2026-11-30"), "date",
                     "2026-11-30 is before the referral was Received (2026-12-02)"),
                    (service.Change("filed", on="2999-01-01"), "date", "2999-01-01 is in the future"),
                    (service.Change("filed", outcome="no_case"), "outcome",
                     "an outcome is recorded when the referral is closed"),
                    (service.Change("closed", outcome="administrative_penalty"), "penalty_amount",
                     "an administrative penalty needs its amount (CNY)"),
                    (service.Change("closed", outcome="administrative_penalty", penalty_amount=-5), "penalty_amount",
                     "the penalty amount must be more than 0 CNY"),
                    (service.Change("closed", outcome="no_case", penalty_amount=100), "penalty_amount",
                     "an amount is only recorded with an administrative penalty"),
                    (service.Change("closed", outcome="fined"), "outcome",
                     "'fined' is not an outcome; use one of no_case, administrative_penalty, transferred_to_police"),
                    (service.Change("archived"), "state",
                     "'archived' is not a state; use one of drafted, sent, received, filed, closed")):
                with pytest.raises(service.ReferralError) as refused:
                    service.move(db, rid, change, actor="t")
                assert (field, text) in refused.value.problems, refused.value.problems
            service.move(db, rid, service.Change("closed", outcome="transferred_to_police"), actor="t")
            assert service.get_referral(db, rid)["state"] == "closed"
        with use_locale("zh_CN"):  # the same refusal as a Chinese page shows it
            with pytest.raises(service.ReferralError) as refused:
                service.move(db, rid, service.Change("sent"), actor="t")
            assert "已办结" in str(refused.value) and "已移送" in str(refused.value)
    finally:
        db.close()


def test_a_referral_over_the_threshold_is_marked_with_its_figures(store, tmp_path):
    path, info = store
    referral = create(path, info)
    db = open_db(path)
    try:
        figures = referral_figures(db, referral["id"], load_thresholds(tmp_path / "absent.yaml"))
    finally:
        db.close()
    # 2000 × ¥41 + 356 × ¥45; L9 shows no sales count and is listed as not counted.
    assert figures.amount == 2000 * 41 + 356 * 45 == 98_020
    assert (figures.counted, figures.uncounted, figures.threshold, figures.reached) == (2, 1, 50_000, True)
    assert [line.get("amount") for line in figures.lines] == [82_000, 16_020, None]
    proc = run_monitor("referrals", "list", "--config", str(tmp_path / "absent.yaml"), db_path=path)
    assert proc.returncode == 0, proc.stderr
    assert "est. illegal business amount 98020.00 CNY (threshold 50000) POLICE (threshold reached)" in proc.stdout
    high = tmp_path / "monitor.yaml"
    high.write_text("jobs: []\nreferrals:\n  criminal_thresholds:\n    illegal_business_amount: 150000\n"
                    "    currency: CNY\n", encoding="utf-8")
    proc = run_monitor("referrals", "list", "--config", str(high), db_path=path)
    assert "(threshold 150000)" in proc.stdout and "POLICE" not in proc.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("referrals:\n  criminal_thresholds:\n    illegal_business_amount: lots\n    currency: USD\n"
                   "  police: yes\n", encoding="utf-8")
    with pytest.raises(YamlError) as refused:
        load_thresholds(bad)
    text = str(refused.value)
    assert f"{bad}:3: referrals.criminal_thresholds.illegal_business_amount: 'lots' is not an amount" in text
    assert f"{bad}:4: referrals.criminal_thresholds.currency: 'USD': only CNY is supported" in text
    assert f"{bad}:5: referrals.police: unknown field" in text
    proc = run_monitor("referrals", "list", "--config", str(bad), db_path=path)
    assert proc.returncode == 1 and "'lots' is not an amount" in proc.stderr
    proc = run_monitor("referrals", "show", "XS-2026-014", "--config", str(tmp_path / "absent.yaml"), db_path=path)
    assert proc.returncode == 0, proc.stderr
    assert ("estimated illegal business amount (displayed sales x price): 98020.00 CNY, threshold 50000.00 CNY: "
            "SUSPECTED CRIME") in proc.stdout
    assert f"listing {info['listings']['L9']} shopb: price 44.0, sales None: not counted (no sales count displayed)" \
        in proc.stdout, proc.stdout
    assert "2026-12-01 drafted (by cli" in proc.stdout


def test_making_a_referral_package_records_a_drafted_referral(store, tmp_path):
    path, info = store
    out = tmp_path / "referral.wacz"
    proc = run_monitor("export", "referral", "--seller", "seller1", "--include-open", "--organisation",
                       "示例市市场监督管理局", "--contact", "王科长 010-12345678", "--case-ref", "XS-2026-020",
                       "--to", "示例市公安局", "--to-kind", "public_security", "-o", str(out), db_path=path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import hashlib

    referral = rows(path, "SELECT * FROM referrals WHERE reference = 'XS-2026-020'")[0]
    assert referral["state"] == "drafted" and referral["package_file"] == "referral.wacz"
    assert referral["package_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert (referral["authority"], referral["authority_kind"], referral["seller_id"]) == (
        "示例市公安局", "public_security", "seller1")
    covered = {r["listing"] for r in rows(path, "SELECT listing FROM referral_listings WHERE referral = ?",
                                          [referral["id"]])}
    assert covered == {info["listings"][k] for k in ("L1", "L5", "L9")}
    assert f"referral {referral['id']} recorded (state drafted)" in proc.stdout
    again = run_monitor("export", "referral", "--seller", "seller1", "--include-open", "--organisation", "X",
                        "--contact", "Y", "--case-ref", "XS-2026-020", "-o", str(tmp_path / "again.wacz"), db_path=path)
    assert again.returncode == 1 and "recorded already" in again.stderr and not (tmp_path / "again.wacz").exists()


def test_the_period_summary_counts_states_outcomes_penalties_and_police(store):
    path, info = store
    db = open_db(path)
    try:
        with use_locale("en"):
            ids = info["listings"]
            penalty = service.create_referral(db, actor="t", listings=[ids["L1"]], drafted_on="2026-07-02",
                                              authority="A", authority_kind="department")
            service.move(db, penalty, service.Change("closed", on="2026-08-01", outcome="administrative_penalty",
                                                     penalty_amount=1234.5), actor="t")
            police = service.create_referral(db, actor="t", listings=[ids["L3"]], drafted_on="2026-09-01",
                                             authority="B", authority_kind="public_security")
            service.move(db, police, service.Change("closed", on="2026-10-01", outcome="transferred_to_police"),
                         actor="t")
            service.create_referral(db, actor="t", listings=[ids["L5"]], drafted_on="2026-06-01")  # before, still open
            old = service.create_referral(db, actor="t", listings=[ids["L7"]], drafted_on="2026-01-05",
                                          authority="C", authority_kind="platform")
            service.move(db, old, service.Change("closed", on="2026-02-01", outcome="no_case"), actor="t")
        got = service.summary(db, "2026-07-01", "2026-12-31")
    finally:
        db.close()
    assert got["created"] == 2 and len(got["referrals"]) == 3  # the one closed in February is not in H2
    assert got["by_state"] == {"drafted": 1, "sent": 0, "received": 0, "filed": 0, "closed": 2}
    assert got["by_outcome"] == {"no_case": 0, "administrative_penalty": 1, "transferred_to_police": 1}
    assert got["penalties_total_cny"] == 1234.5 and got["transferred_to_police"] == 1
    assert got["over_threshold"] == 1  # L1: 2000 × ¥41


def test_the_referral_words_are_the_glossary_s_with_full_width_punctuation():
    """One word per idea across the app (已办结, 平台, 卖家, 商品, 处理结果, 保存; full-width
    punctuation in Chinese): a referral page must not call a closed case 已结案 when the
    glossary says 已办结. A clash that remains is the other area's word (catalogues.clashes())."""
    import re

    from monitor.i18n import catalogues

    with use_locale("zh_CN"):
        assert service.state_label("closed") == "已办结"
        assert service.kind_label("platform") == "平台"
    catalogue = catalogues.read_catalogue("referrals")
    glossary = {"Closed": "已办结", "Platform": "平台", "Outcome": "处理结果", "Seller": "卖家", "Listing": "商品",
                "Site": "平台", "Record": "保存"}
    assert {m: catalogue[m].string for m in glossary} == glossary
    ascii_marks = [m.string for m in catalogue if m.id and re.search(r"[():;]", re.sub(r"%\(\w+\)s", "", m.string))]
    assert ascii_marks == []
