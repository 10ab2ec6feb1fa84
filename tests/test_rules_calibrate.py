"""`monitor rules calibrate`: llrs, priors and thresholds fitted from labelled listings."""

from __future__ import annotations

import random
import re
import shutil

import yaml

from monitor.quality.calibrate import Example, calibrate, fit
from monitor.quality.scoring_file import updated_scoring_text
from monitor.rules.scoring import Scoring
from monitor.rules.signals import Signal
from tests.conftest import ROOT, run_monitor

EVAL = ROOT / "tests" / "data" / "eval"


def rules_copy(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    return folder


def test_calibrate_on_the_eval_set_prints_the_tables(tmp_path):
    folder = rules_copy(tmp_path)
    before = (folder / "scoring.yaml").read_bytes()
    proc = run_monitor("rules", "calibrate", "--set", str(EVAL), "--rules", str(folder), check=True)
    out = proc.stdout
    assert "352 labelled listings" in out
    for heading in ("signal llr", "prior (percent)", "threshold", "5-fold cross-validation",
                    "before (shipped)", "after (fitted)"):
        assert heading in out, heading
    # a signal row: name, before, fitted, after, support, precision
    assert re.search(r"^\s+price_anomaly\s+-?\d+\.\d\d\s+-?\d+\.\d\d\s+-?\d+\.\d\d\s+\d+\s+\d+\.\d%$", out, re.M)
    assert re.search(r"^\s+authorised_seller \(m\)\s+-\d", out, re.M)
    for category in ("agri_inputs", "cosmetics", "auto_parts"):
        assert re.search(rf"^\s+{category}\s+\d+(\.\d)?\s+\d", out, re.M), category
    assert "not written" in out
    assert (folder / "scoring.yaml").read_bytes() == before  # nothing written without --write


def test_write_changes_numbers_keeps_comments_and_passes_check(tmp_path):
    folder = rules_copy(tmp_path)
    path = folder / "scoring.yaml"
    old_text = path.read_text(encoding="utf-8")
    old = yaml.safe_load(old_text)
    proc = run_monitor("rules", "calibrate", "--set", str(EVAL), "--rules", str(folder), "--write", check=True)
    assert "run `monitor rescore`" in proc.stdout
    version = re.search(r"rules version ([0-9a-f]{16})", proc.stdout).group(1)
    new_text = path.read_text(encoding="utf-8")
    new = yaml.safe_load(new_text)
    # every comment line and every trailing comment is still there, in order
    comments = [line.split("#", 1)[1] for line in old_text.splitlines() if "#" in line]
    kept = [line.split("#", 1)[1] for line in new_text.splitlines() if "#" in line]
    assert [c for c in kept if c in comments] == comments
    assert new["llr"] != old["llr"] and list(new["llr"])[:len(old["llr"])] == list(old["llr"])
    assert new["priors"] != old["priors"] or new["thresholds"] != old["thresholds"]
    for name, value in new["llr"].items():
        assert -20 <= value <= 20
        if name in old["mitigates"]:
            assert value <= 0
    assert new["calibrated"]["source"] == str(EVAL)
    assert new["calibrated"]["verdicts"] == 352 and new["calibrated"]["target_precision"] == 0.9
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", new["calibrated"]["at"])
    check = run_monitor("rules", "check", str(folder), check=True)
    assert f"version {version}" in check.stdout
    # a second calibration replaces the block instead of adding another one
    run_monitor("rules", "calibrate", "--set", str(EVAL), "--rules", str(folder), "--write", check=True)
    assert path.read_text(encoding="utf-8").count("\ncalibrated:") == 1


def test_a_write_that_would_be_invalid_is_refused_and_the_file_untouched(tmp_path):
    folder = rules_copy(tmp_path)
    path = folder / "scoring.yaml"
    # Valid as it stands (llr 0), but price_anomaly is an aggravating signal: the fit gives it
    # a positive llr, which the schema refuses for a name listed under mitigates.
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^  price_anomaly: [-0-9.]+", "  price_anomaly: 0.0", text, flags=re.M)
    text = text.replace("mitigates:", "mitigates:\n  price_anomaly: [price]", 1)
    path.write_text(text, encoding="utf-8")
    run_monitor("rules", "check", str(folder), check=True)
    before = path.read_bytes()
    proc = run_monitor("rules", "calibrate", "--set", str(EVAL), "--rules", str(folder), "--write", "--shrink", "0")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "would be invalid" in proc.stderr and "llr.price_anomaly" in proc.stderr
    assert str(folder) in proc.stderr and "calibrate-" not in proc.stderr  # the real path, not the temporary copy
    assert path.read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".scoring.yaml")]


def _examples(n: int, seed: int) -> list[Example]:
    """Listings where a look-alike mark is strong evidence and an unauthorised seller weak."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        flag = i % 2 == 0
        signals = []
        if rng.random() < (0.8 if flag else 0.05):
            signals.append(Signal("mark_lookalike", "trademark", rng.uniform(0.7, 1.0), "look-alike"))
        if rng.random() < (0.5 if flag else 0.4):
            signals.append(Signal("unauthorised_seller", "seller", 1.0, "not an authorised seller"))
        out.append(Example(tuple(signals), "cosmetics", flag))
    return out


def test_shrinkage_few_verdicts_move_the_llrs_less_than_many():
    # shipped values far from what the examples say
    shipped = Scoring(llr={"mark_lookalike": 0.5, "unauthorised_seller": 3.0}, priors={"cosmetics": 20.0},
                      thresholds={"cosmetics": 50.0})
    few, many = fit(shipped, _examples(10, 1)), fit(shipped, _examples(300, 1))
    for name in ("mark_lookalike", "unauthorised_seller"):
        moved_few = abs(few.llr[name] - shipped.llr[name])
        moved_many = abs(many.llr[name] - shipped.llr[name])
        assert moved_few < moved_many, (name, few.llr, many.llr)
    assert many.llr["mark_lookalike"] > 2 and many.llr["unauthorised_seller"] < 1.5
    # with shrink 0 the fit is taken as it is; with a huge k nothing moves
    assert fit(shipped, _examples(300, 1), shrink=0).llr["mark_lookalike"] >= many.llr["mark_lookalike"]
    frozen = fit(shipped, _examples(300, 1), shrink=1e9)
    assert frozen.llr == {"mark_lookalike": 0.5, "unauthorised_seller": 3.0}
    result = calibrate(shipped, _examples(10, 2), folds=5)
    assert result.thresholds[0].after == 50.0 and "fewer than 20" in result.thresholds[0].note


def test_writer_adds_missing_keys_at_the_end_of_their_block():
    text = ("# head\nllr:\n  a: 1.0   # one\n  # mitigating\n  b: -2.0\ndefault_llr: 1.0\n"
            "priors:\n  x: 20\nthresholds:\n  x: 50\n")
    new = updated_scoring_text(text, llr={"a": 1.5, "b": -2.0, "c": 0.25}, priors={"x": 31.5, "y": 12.0},
                               thresholds={"x": 40}, calibrated={"at": "2026-01-01T00:00:00Z", "source": "s",
                                                                 "verdicts": 3})
    assert new.startswith("# head\nllr:\n  a: 1.5   # one\n  # mitigating\n  b: -2.0\n  c: 0.25\ndefault_llr: 1.0\n")
    assert "priors:\n  x: 31.5\n  y: 12\nthresholds:\n  x: 40\n" in new
    assert yaml.safe_load(new)["calibrated"] == {"at": "2026-01-01T00:00:00Z", "source": "s", "verdicts": 3}


def test_from_store_uses_the_latest_verdicts(tmp_path):
    from monitor.quality.labelled import load_labelled
    from monitor.scoring.score import engine_for, score_keys
    from monitor.rules.packs import load_packs
    from monitor.store import open_db, save_listings
    from monitor.store.migrations_review import REVIEW_MIGRATIONS
    from monitor.review.accounts import User, add_user
    from monitor.review import Decision, record_verdicts

    db_path = tmp_path / "monitor.db"
    db = open_db(db_path)
    records = load_labelled(EVAL / "listings.jsonl")
    listings = [{k: v for k, v in r.items() if k not in ("label", "line")} for r in records]
    save_listings(db, listings, source="import")
    engine = engine_for(db, load_packs(ROOT / "rules", watchlist=EVAL / "watchlist.csv", prices=EVAL / "prices.csv"))
    score_keys(db, engine, [(x["site"], x["listing_id"]) for x in listings])
    REVIEW_MIGRATIONS.apply(db)
    add_user(db, "ana", "analyst", "correct horse battery")
    user = User(db.execute("SELECT id FROM users WHERE name = 'ana'").fetchone()[0], "ana", "analyst")
    flags = [r[0] for r in db.execute("SELECT id FROM flags WHERE status = 'open' ORDER BY id").fetchall()]
    assert len(flags) >= 40
    confirmed, dismissed = flags[:24], flags[24:36]
    record_verdicts(db, user, [Decision(f, "confirmed_counterfeit") for f in confirmed[:20]]
                    + [Decision(f, "regulatory_violation") for f in confirmed[20:]]
                    + [Decision(f, "dismissed", "genuine_goods") for f in dismissed])
    # a changed verdict: the latest one counts (now dismissed); an undecided one is left out
    record_verdicts(db, user, [Decision(confirmed[0], "dismissed", "authorised_seller"),
                               Decision(flags[36], "needs_test_purchase")])
    db.close()

    proc = run_monitor("rules", "calibrate", "--from-store", "--rules", str(rules_copy(tmp_path)),
                       db_path=db_path, check=True)
    assert "calibration from store verdicts: 36 labelled listings (23 flag)" in proc.stdout
    assert "signal llr" in proc.stdout and "after (fitted)" in proc.stdout
    assert "fewer than 20" in proc.stdout  # per category, fewer than 20 verdicts: threshold kept

    folder = tmp_path / "rules"
    proc = run_monitor("rules", "calibrate", "--from-store", "--rules", str(folder), "--write",
                       db_path=db_path, check=True)
    stamp = yaml.safe_load((folder / "scoring.yaml").read_text(encoding="utf-8"))["calibrated"]
    assert stamp["source"] == "store verdicts" and stamp["verdicts"] == 36


def test_no_source_or_both_is_an_error(tmp_path):
    proc = run_monitor("rules", "calibrate")
    assert proc.returncode == 2 and "--set DIR or --from-store" in proc.stderr
    empty = run_monitor("rules", "calibrate", "--from-store", db_path=tmp_path / "empty.db")
    assert empty.returncode == 2 and "nothing was fitted" in empty.stderr
