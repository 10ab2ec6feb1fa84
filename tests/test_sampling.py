"""双随机 random sampling (issue 14, deliverable 3): periods, proportional allocation, reproducible
draws through real `monitor sample` subprocesses on a real SQLite store, analysts drawn, the
stored draw, CSV export, and the recall/precision estimates against a hand computation."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from monitor.casework.sampling import SampleError, allocate, draw_sample, load_sample, publish
from monitor.casework.sampling_checks import my_items, record_check
from monitor.casework.sampling_estimates import estimates
from monitor.casework.sampling_export import sample_csv
from monitor.periods import PeriodError, parse_period
from monitor.review.accounts import User, add_user
from monitor.store import open_db, save_listings
from monitor.store.db import write_transaction
from monitor.store.flags import record_assessment

PASSWORD = "correct horse battery"


def make_store(path: Path, strata: dict[tuple[str, str], tuple[int, int]], users=(("ana", "analyst"),
               ("ben", "analyst"), ("cai", "analyst"), ("lea", "lead"), ("adm", "admin"))) -> dict:
    """Listings seen in November 2026: per (category, site), (flagged, unflagged) counts. Returns
    {listing_id: (category, site, flagged)}."""
    db = open_db(path)
    items, kinds = [], {}
    for (category, site), (flagged, clean) in strata.items():
        for n in range(flagged + clean):
            lid = f"{category}-{site}-{n}"
            kinds[lid] = (category, site, n < flagged)
            items.append({"site": site, "listing_id": lid, "url": f"https://{site}.example/{lid}",
                          "title": f"=HYPERLINK(\"x\") {lid}" if n == 0 else f"商品 {lid}", "category": category,
                          "price": 10.0 + n, "currency": "CNY", "observed_at": "2026-11-10T08:00:00Z"})
    save_listings(db, items, source="import")
    rows = {r["listing_id"]: r for r in db.execute_returning_dicts("SELECT * FROM listings")}
    with write_transaction(db):
        for lid, (_, _, flagged) in kinds.items():
            if flagged:
                record_assessment(db, rows[lid], SimpleNamespace(score=80, flagged=True, threshold=50, signals=[],
                                                                 rules_version="v1", price_points=[]),
                                  now="2026-11-11T08:00:00Z")
    for name, role in users:
        add_user(db, name, role, PASSWORD)
    db.close()
    return kinds


def get_user(db, name: str) -> User:
    row = db.execute("SELECT id, name, role FROM users WHERE name = ?", [name]).fetchone()
    return User(*row)


def monitor(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MONITOR_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "monitor", "sample", *args], capture_output=True, text=True,
                          env=env, timeout=60)


# --- periods and allocation ---------------------------------------------------------------

@pytest.mark.parametrize("label, since, until", [
    ("2026-Q4", "2026-10-01", "2027-01-01"), ("2026-H2", "2026-07-01", "2027-01-01"),
    ("2026-h1", "2026-01-01", "2026-07-01"), ("2026-11", "2026-11-01", "2026-12-01"),
    ("2026-12", "2026-12-01", "2027-01-01"), ("2026", "2026-01-01", "2027-01-01")])
def test_periods(label, since, until):
    period = parse_period(label)
    assert (period.since, period.until) == (since, until)


@pytest.mark.parametrize("bad", ["2026-Q5", "2026-Q0", "2026-H3", "2026-13", "2026-00", "26-Q4", "2026Q4", "",
                                 "2026-W49", "1899", "0000"])
def test_bad_periods_are_refused_with_the_forms_accepted(bad):
    with pytest.raises(PeriodError, match="2026-H2"):
        parse_period(bad)


def test_allocation_is_proportional_by_largest_remainder():
    # 80 listings, 20 seats: quotas 10, 5, 2.5, 1.5, 0.75, 0.25 -> whole parts 10, 5, 2, 1, 0, 0;
    # the two empty strata get their one seat, which makes the 20.
    sizes = {("a", "x"): 40, ("a", "y"): 20, ("b", "x"): 10, ("b", "y"): 6, ("c", "x"): 3, ("c", "y"): 1}
    assert allocate(sizes, 20) == {("a", "x"): 10, ("a", "y"): 5, ("b", "x"): 2, ("b", "y"): 1, ("c", "x"): 1,
                                   ("c", "y"): 1}
    # 10 seats of 30 + 20 + 10: quotas 5, 3.33, 1.67 -> 5, 3, 1 and the largest remainder (0.67) the tenth.
    assert allocate({("a", "x"): 30, ("b", "x"): 20, ("c", "x"): 10}, 10) == {("a", "x"): 5, ("b", "x"): 3,
                                                                             ("c", "x"): 2}
    # 4 seats of 50 + 30 + 1: quotas 2.47, 1.48, 0.05 -> 2, 1, 0 -> one each -> 2, 1, 1.
    assert allocate({("a", "x"): 50, ("b", "x"): 30, ("c", "x"): 1}, 4) == {("a", "x"): 2, ("b", "x"): 1, ("c", "x"): 1}
    # Fewer seats than strata: no minimum, the largest quotas win (ties by name).
    assert allocate({("a", "x"): 5, ("b", "x"): 5, ("c", "x"): 5}, 2) == {("a", "x"): 1, ("b", "x"): 1, ("c", "x"): 0}
    # A size at or over the population takes everyone.
    assert allocate({("a", "x"): 2, ("b", "x"): 3}, 9) == {("a", "x"): 2, ("b", "x"): 3}
    for size in range(1, 81):
        seats = allocate(sizes, size)
        assert sum(seats.values()) == size and all(seats[k] <= sizes[k] for k in sizes)


# --- draws through the CLI ----------------------------------------------------------------

@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("sampling") / "monitor.db"
    spec = {("cosmetics", "baihuo"): (10, 30), ("cosmetics", "shangcheng"): (5, 15), ("agri_inputs", "baihuo"): (2, 8),
            ("agri_inputs", "shangcheng"): (1, 5), ("auto_parts", "baihuo"): (1, 2), ("auto_parts", "shangcheng"): (0, 1)}
    kinds = make_store(path, spec)
    return SimpleNamespace(path=path, kinds=kinds)


def _drawn(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_same_seed_same_draw_other_seed_other_draw(big_store):
    first = _drawn(monitor(big_store.path, "--period", "2026-Q4", "--size", "20", "--seed", "20261207", "--json"))
    second = _drawn(monitor(big_store.path, "--period", "2026-Q4", "--size", "20", "--seed", "20261207", "--json"))
    other = _drawn(monitor(big_store.path, "--period", "2026-Q4", "--size", "20", "--seed", "7", "--json"))
    picks = lambda s: [(i["listing_id"], i["analyst"]) for i in s["items"]]  # noqa: E731
    assert first["id"] != second["id"]  # two draws kept
    assert picks(first) == picks(second) and len(picks(first)) == 20
    assert [i["listing_id"] for i in other["items"]] != [i["listing_id"] for i in first["items"]]
    # Strata proportional: 40/20/10/6/3/1 of 80 listings, 20 seats (the first case of the allocation
    # test), and the items drawn match the allocation.
    seats = {(s["category"], s["site"]): s["allocated"] for s in first["strata"]}
    assert seats == {("cosmetics", "baihuo"): 10, ("cosmetics", "shangcheng"): 5, ("agri_inputs", "baihuo"): 2,
                     ("agri_inputs", "shangcheng"): 1, ("auto_parts", "baihuo"): 1, ("auto_parts", "shangcheng"): 1}
    assert Counter((i["category"], i["site"]) for i in first["items"]) == Counter(seats)
    # Flagged and unflagged both drawn, each marked as the store had it.
    assert {i["flagged_at_draw"] for i in first["items"]} == {0, 1}
    assert all(bool(i["flagged_at_draw"]) == big_store.kinds[i["listing_id"]][2] for i in first["items"])
    # Analysts: every active analyst and lead (not the admin), loads even.
    assert sorted(first["analysts"]) == ["ana", "ben", "cai", "lea"]
    loads = Counter(i["analyst"] for i in first["items"])
    assert max(loads.values()) - min(loads.values()) <= 1


def test_analysts_drawn_reproducibly(big_store):
    runs = [_drawn(monitor(big_store.path, "--period", "2026-11", "--size", "9", "--seed", str(seed),
                           "--analysts", "2", "--json")) for seed in (5, 5, 6, 11)]
    assert runs[0]["analysts"] == runs[1]["analysts"] and len(runs[0]["analysts"]) == 2
    assert [i["analyst"] for i in runs[0]["items"]] == [i["analyst"] for i in runs[1]["items"]]
    assert {i["analyst"] for i in runs[0]["items"]} == set(runs[0]["analysts"])
    assert len({tuple(r["analysts"]) for r in runs}) > 1  # other seeds draw other analysts


def test_without_seed_one_is_drawn_printed_and_kept(big_store):
    result = monitor(big_store.path, "--period", "2026-H2", "--size", "5")
    assert result.returncode == 0, result.stderr
    seed = int(result.stdout.split("drew seed ")[1].split()[0])
    sample_id = int(result.stdout.split("Sample ")[1].split(":")[0])
    db = open_db(big_store.path)
    try:
        assert load_sample(db, sample_id)["seed"] == seed
    finally:
        db.close()
    again = _drawn(monitor(big_store.path, "--period", "2026-H2", "--size", "5", "--seed", str(seed), "--json"))
    db = open_db(big_store.path)
    try:
        assert [i["listing"] for i in load_sample(db, sample_id)["items"]] == [i["listing"] for i in again["items"]]
    finally:
        db.close()


@pytest.mark.parametrize("args, where, what", [
    (("--period", "2026-Q5", "--size", "10"), "--period", "2026-Q5"),
    (("--period", "2026-Q4", "--size", "0"), "--size", "0 is not a sample size"),
    (("--period", "2026-Q4", "--size", "10", "--seed", "-3"), "--seed", "-3 is not a seed"),
    (("--period", "2026-Q4", "--size", "10", "--analysts", "9"), "--analysts", "ana, ben, cai, lea"),
    (("--period", "2025-Q1", "--size", "10"), "--period", "2025-Q1 (2025-01-01 to 2025-04-01"),
    (("--size", "10"), "--period", "needs --period and --size"),
])
def test_bad_input_is_refused_clearly(big_store, args, where, what):
    db = open_db(big_store.path)
    before = db.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
    db.close()
    result = monitor(big_store.path, *args)
    assert result.returncode != 0
    assert where in result.stderr and what in result.stderr, result.stderr
    db = open_db(big_store.path)
    assert db.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == before  # nothing half-applied
    db.close()


def test_show_list_export_publish(big_store):
    drawn = _drawn(monitor(big_store.path, "--period", "2026-Q4", "--size", "8", "--seed", "99", "--by", "lea",
                           "--json"))
    shown = monitor(big_store.path, "show", str(drawn["id"]))
    assert shown.returncode == 0 and "seed 99" in shown.stdout and "drawn" in shown.stdout
    assert all(i["listing_id"] in shown.stdout for i in drawn["items"])
    listed = monitor(big_store.path, "list")
    assert listed.returncode == 0 and str(drawn["seed"]) in listed.stdout
    exported = monitor(big_store.path, "export", str(drawn["id"]))
    assert exported.returncode == 0
    rows = list(csv.DictReader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    assert [r["listing_id"] for r in rows] == [i["listing_id"] for i in drawn["items"]]
    assert {r["seed"] for r in rows} == {"99"}
    assert all(not r["title"].startswith("=") for r in rows)  # formula-guarded
    assert json.loads(monitor(big_store.path, "show", str(drawn["id"]), "--json").stdout) == \
        json.loads(json.dumps(drawn, ensure_ascii=False))  # the same stored sample
    for command in ("show", "export"):
        missing = monitor(big_store.path, command, "99999")
        assert missing.returncode == 2 and "SAMPLE_ID" in missing.stderr and "99999" in missing.stderr, missing.stderr
    none = monitor(big_store.path, "estimates", "--period", "2031")
    assert none.returncode == 0 and none.stdout.strip() == "No samples drawn in 2031."
    assert json.loads(monitor(big_store.path, "estimates", "--period", "2031", "--json").stdout) == []
    assert monitor(big_store.path, "publish", str(drawn["id"]), "--by", "lea").returncode == 0
    again = monitor(big_store.path, "publish", str(drawn["id"]))
    assert again.returncode != 0 and "lea" in again.stderr


def test_csv_guards_hostile_titles(tmp_path):
    make_store(tmp_path / "m.db", {("cosmetics", "baihuo"): (1, 1)})
    db = open_db(tmp_path / "m.db")
    try:
        text = sample_csv(draw_sample(db, "2026", 2, seed=1))
    finally:
        db.close()
    titles = [r["title"] for r in csv.DictReader(io.StringIO(text))]
    assert "'=HYPERLINK(\"x\") cosmetics-baihuo-0" in titles


# --- checks and estimates -----------------------------------------------------------------

def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_recall_and_precision_match_a_hand_computation(tmp_path):
    # cosmetics: 6 flagged, 4 not; agri_inputs: 2 flagged, 2 not; one site. The sample takes all
    # 14 (every weight 1), so the verdicts below are the whole of it.
    kinds = make_store(tmp_path / "m.db", {("cosmetics", "baihuo"): (6, 4), ("agri_inputs", "baihuo"): (2, 2)},
                       users=(("ana", "analyst"), ("lea", "lead")))
    db = open_db(tmp_path / "m.db")
    try:
        sample = draw_sample(db, "2026-Q4", 14, seed=3, actor="lea")
        lead, ana = get_user(db, "lea"), get_user(db, "ana")
        verdicts = {  # listing_id -> verdict
            # cosmetics flagged: 4 confirmed, 2 dismissed
            "cosmetics-baihuo-0": "confirmed_counterfeit", "cosmetics-baihuo-1": "confirmed_infringement",
            "cosmetics-baihuo-2": "regulatory_violation", "cosmetics-baihuo-3": "confirmed_counterfeit",
            "cosmetics-baihuo-4": "dismissed", "cosmetics-baihuo-5": "dismissed",
            # cosmetics unflagged: 1 confirmed (missed by the rules), 2 dismissed, 1 escalated (not decided)
            "cosmetics-baihuo-6": "confirmed_counterfeit", "cosmetics-baihuo-7": "dismissed",
            "cosmetics-baihuo-8": "dismissed", "cosmetics-baihuo-9": "escalate",
            # agri_inputs flagged: 1 confirmed, 1 dismissed; unflagged: 1 confirmed, 1 dismissed
            "agri_inputs-baihuo-0": "confirmed_counterfeit", "agri_inputs-baihuo-1": "dismissed",
            "agri_inputs-baihuo-2": "regulatory_violation", "agri_inputs-baihuo-3": "dismissed",
        }
        for item in sample["items"]:
            who = ana if item["analyst"] == "ana" else lead
            verdict = verdicts[item["listing_id"]]
            record_check(db, who, item["id"], verdict, "genuine_goods" if verdict == "dismissed" else None)
        rows = {r["category"]: r for r in estimates(db, sample["id"])}
        by_period = estimates(db, "2026-H2")
    finally:
        db.close()
    assert all(kinds[i["listing_id"]][2] == bool(i["flagged_at_draw"]) for i in sample["items"])
    cos, agri, total = rows["cosmetics"], rows["agri_inputs"], rows[None]
    # cosmetics: confirmed 4 flagged + 1 unflagged = 5 -> recall 4/5 = 0.8; flagged decided 6 ->
    # precision 4/6; Wilson 95% for 4 of 5: centre (0.8 + 3.8415/10) / (1 + 3.8415/5) = 0.6697,
    # half-width 1.96 * sqrt(0.032 + 0.0384) / 1.7683 = 0.2941 -> (0.3755, 0.9638).
    assert (cos["sampled"], cos["decided"], cos["confirmed"], cos["confirmed_flagged"], cos["missed"]) == (10, 9, 5, 4, 1)
    assert cos["recall"] == pytest.approx(0.8) and cos["precision"] == pytest.approx(4 / 6)
    assert cos["recall_ci"] == pytest.approx((0.3755, 0.9638), abs=1e-4)
    assert cos["recall_ci"] == pytest.approx(wilson_by_hand(4, 5))
    assert cos["precision_ci"] == pytest.approx(wilson_by_hand(4, 6))
    assert cos["recall_weighted"] == pytest.approx(0.8)
    # agri_inputs: 1 of 2 confirmed were flagged; 1 of 2 flagged confirmed.
    assert (agri["recall"], agri["precision"]) == (0.5, 0.5)
    assert agri["recall_ci"] == pytest.approx(wilson_by_hand(1, 2))
    # all: confirmed 7, of which flagged 5 -> 5/7; flagged decided 8 -> 5/8.
    assert total["recall"] == pytest.approx(5 / 7) and total["precision"] == pytest.approx(5 / 8)
    assert total["missed"] == 2
    assert [r["category"] for r in by_period] == ["agri_inputs", "cosmetics", None]
    assert by_period[-1]["recall"] == pytest.approx(5 / 7)


def test_checks_are_the_drawn_analysts_and_need_a_reason_to_dismiss(tmp_path):
    make_store(tmp_path / "m.db", {("cosmetics", "baihuo"): (1, 3)}, users=(("ana", "analyst"), ("ben", "analyst")))
    db = open_db(tmp_path / "m.db")
    try:
        sample = draw_sample(db, "2026-11", 4, seed=12)
        item = next(i for i in sample["items"] if i["analyst"] == "ana")
        ben = get_user(db, "ben")
        with pytest.raises(SampleError, match="ana") as refused:
            record_check(db, ben, item["id"], "confirmed_counterfeit")
        assert refused.value.status == 403
        with pytest.raises(SampleError):
            record_check(db, get_user(db, "ana"), item["id"], "dismissed")  # no reason
        with pytest.raises(SampleError):
            record_check(db, get_user(db, "ana"), item["id"], "looks_fine")
        assert load_sample(db, sample["id"])["checked"] == 0
        record_check(db, get_user(db, "ana"), item["id"], "dismissed", "genuine_goods", "正品")
        mine = my_items(db, "ana")
        assert {i["id"] for i in mine} == {i["id"] for i in sample["items"] if i["analyst"] == "ana"}
        assert mine[-1]["verdict"] == "dismissed"  # unchecked first
        audit = db.execute("SELECT action, actor FROM audit WHERE action LIKE 'sample_%' ORDER BY id").fetchall()
        assert audit == [("sample_draw", "cli"), ("sample_check", "ana")]
        publish(db, sample["id"], "lea")
        with pytest.raises(SampleError):
            publish(db, sample["id"], "lea")
    finally:
        db.close()
