"""The labelled evaluation set and `monitor.quality.evaluate`: loading, validation, metric arithmetic."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from monitor.categories import known_categories
from monitor.ingest.normalise import normalise_row
from monitor.quality.evaluate import EvalReport, evaluate, format_report
from monitor.quality.labelled import LABEL_KINDS, LabelledSetError, load_labelled
from monitor.rules.signals import Signal

SET_DIR = Path(__file__).resolve().parent / "data" / "eval"


def row(id_, title, *, flagged, kinds=(), case="c", split="tune", category="cosmetics", **extra):
    return {"site": "t", "id": id_, "url": f"https://t.example/{id_}", "title": title, "category": category,
            "label": {"flagged": flagged, "kinds": list(kinds), "case": case, "split": split, "note": "n"}, **extra}


def write_lines(path: Path, lines: list) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


# --------------------------------------------------------------------------- load_labelled


def test_load_labelled_returns_normalised_listings_with_label_and_line(tmp_path):
    path = write_lines(tmp_path / "set.jsonl", [row("1", "高仿 兰蔻", flagged=True, kinds=["counterfeit"], price="¥12.50"),
                                               "", row("2", "hand cream", flagged=False)])
    records = load_labelled(path)
    assert [r["listing_id"] for r in records] == ["1", "2"]
    assert [r["line"] for r in records] == [1, 3]
    assert records[0]["price"] == 12.5 and records[0]["label"]["kinds"] == ["counterfeit"]


def test_load_labelled_names_every_bad_line(tmp_path):
    good = row("1", "ok", flagged=False)
    bad_kind = row("2", "x", flagged=True, kinds=["fake"])
    no_kinds = row("3", "x", flagged=True)
    neg_with_kinds = row("4", "x", flagged=False, kinds=["price"])
    bad_split = row("5", "x", flagged=False, split="test")
    bad_url = {**row("6", "x", flagged=False), "url": "nope"}
    no_label = {k: v for k, v in row("7", "x", flagged=False).items() if k != "label"}
    duplicate = row("1", "again", flagged=False)
    flagged_text = row("8", "x", flagged="yes")
    path = write_lines(tmp_path / "set.jsonl", [good, bad_kind, no_kinds, neg_with_kinds, bad_split, "{not json",
                                               bad_url, no_label, duplicate, "[1, 2]", flagged_text])
    with pytest.raises(LabelledSetError) as info:
        load_labelled(path)
    message = str(info.value)
    by_line = {}
    for line, problem in info.value.problems:
        by_line.setdefault(line, []).append(problem)
    assert 1 not in by_line
    assert "unknown kind(s) fake" in by_line[2][0]
    assert "needs at least one expected kind" in by_line[3][0]
    assert "must be empty when flagged is false" in by_line[4][0]
    assert "label.split: 'test'" in by_line[5][0]
    assert by_line[6][0].startswith("not valid JSON")
    assert by_line[7][0].startswith("url:")
    assert by_line[8][0].startswith("label: missing")
    assert "already on line 1" in by_line[9][0]
    assert by_line[10] == ["a line must be a JSON object"]
    assert "label.flagged: 'yes'" in by_line[11][0]
    assert f"{path}:7: url:" in message and "nothing was evaluated" in message


def test_load_labelled_rejects_a_missing_or_empty_file(tmp_path):
    with pytest.raises(LabelledSetError, match="file not found"):
        load_labelled(tmp_path / "absent.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(LabelledSetError, match="no labelled listings"):
        load_labelled(tmp_path / "empty.jsonl")


# --------------------------------------------------------------------------- metric arithmetic


def fake_scorer(listing):
    """Flags titles with 'fake'; a 'cheap' title adds a price signal; never sees the label."""
    assert "label" not in listing and "line" not in listing
    title = listing["title"]
    signals = []
    if "fake" in title:
        signals.append(Signal("counterfeit_terms", "counterfeit", 0.9, "fake"))
    if "cheap" in title:
        signals.append(Signal("price_anomaly", "price", 0.5, "cheap"))
    return "fake" in title, signals


RECORDS = [
    # tp: flagged and expected, kinds counterfeit+price, only counterfeit produced
    {**row("1", "fake bag", flagged=True, kinds=["counterfeit", "price"], case="cf", category="cosmetics"), "listing_id": "1"},
    # tp: both kinds produced
    {**row("2", "fake cheap", flagged=True, kinds=["counterfeit", "price"], case="cf", category="auto_parts"), "listing_id": "2"},
    # fn: expected, not flagged, price signal produced
    {**row("3", "cheap pads", flagged=True, kinds=["price"], case="price", split="holdout", category="auto_parts"),
     "listing_id": "3"},
    # fp: not expected, flagged
    {**row("4", "fake grey phone shell", flagged=False, case="common_word", category="auto_parts"), "listing_id": "4"},
    # tn, with a price signal on a negative
    {**row("5", "cheap promo", flagged=False, case="promo", split="holdout"), "listing_id": "5"},
    # tn
    {**row("6", "hand cream", flagged=False, case="promo"), "listing_id": "6"},
]


def test_evaluate_counts_precision_recall_and_f1():
    report = evaluate(RECORDS, fake_scorer)
    c = report.overall
    assert (c.tp, c.fp, c.fn, c.tn) == (2, 1, 1, 2)
    assert report.precision == pytest.approx(2 / 3)
    assert report.recall == pytest.approx(2 / 3)
    assert report.f1 == pytest.approx(2 / 3)
    auto = report.by_category["auto_parts"]
    assert (auto.tp, auto.fp, auto.fn, auto.tn) == (1, 1, 1, 0)
    cos = report.by_category["cosmetics"]
    assert (cos.tp, cos.fp, cos.fn, cos.tn) == (1, 0, 0, 2) and cos.precision == 1.0
    assert (report.by_split["holdout"].fn, report.by_split["holdout"].tn) == (1, 1)
    assert report.by_case["cf"].tp == 2 and report.by_case["common_word"].fp == 1


def test_evaluate_by_expected_kind():
    report = evaluate(RECORDS, fake_scorer)
    cf, price = report.by_kind["counterfeit"], report.by_kind["price"]
    assert (cf.expected, cf.flagged, cf.detected, cf.on_negatives) == (2, 2, 2, 1)
    assert (price.expected, price.flagged, price.detected, price.on_negatives) == (3, 2, 2, 1)
    assert price.recall == pytest.approx(2 / 3) and price.detection == pytest.approx(2 / 3)
    assert report.by_kind["seller"].expected == 0 and report.by_kind["seller"].recall == 0.0
    assert set(report.by_kind) == set(LABEL_KINDS)


def test_evaluate_lists_errors_with_case_score_and_signal_names():
    report = evaluate(RECORDS, lambda l: (*fake_scorer(l), 42 if "fake" in l["title"] else 7))
    assert [(e.kind, e.listing_id, e.case, e.score) for e in report.errors] == [
        ("false negative", "3", "price", 7), ("false positive", "4", "common_word", 42)]
    assert report.false_negatives[0].signals == ["price_anomaly"]
    assert report.false_positives[0].signals == ["counterfeit_terms"]
    assert report.false_negatives[0].expected_kinds == ["price"]


def test_evaluate_one_split_only():
    report = evaluate(RECORDS, fake_scorer, split="holdout")
    assert report.overall.total == 2 and set(report.by_split) == {"holdout"}
    assert report.recall == 0.0 and report.precision == 0.0  # nothing flagged: precision is reported as 0
    with pytest.raises(ValueError, match="not one of"):
        evaluate(RECORDS, fake_scorer, split="test")


def test_evaluate_accepts_an_assessment_like_object_and_dict_signals():
    class Result:
        def __init__(self, flagged):
            self.flagged, self.score = flagged, 80 if flagged else 10
            self.signals = [{"name": "mark_exact", "kind": "trademark"}] if flagged else []

    report = evaluate(RECORDS, lambda l: Result("fake" in l["title"]))
    assert report.overall.tp == 2 and report.by_kind["trademark"].on_negatives == 1
    assert report.false_positives[0].score == 80
    with pytest.raises(TypeError, match="flagged, signals"):
        evaluate(RECORDS, lambda l: True)


def test_format_report_is_a_plain_table():
    report = evaluate(RECORDS, fake_scorer)
    text = format_report(report)
    assert text.splitlines()[0] == "labelled set: 6 listings (split: all)"
    assert re.search(r"^all\s+6\s+2\s+1\s+1\s+2\s+66\.7%\s+66\.7%\s+66\.7%$", text, re.M)
    assert re.search(r"^  auto_parts\s+3\s+1\s+1\s+1\s+0", text, re.M)
    assert re.search(r"^  price\s+3\s+2\s+66\.7%\s+2\s+66\.7%\s+1$", text, re.M)
    assert "1 false positive(s), 1 false negative(s) (--errors lists them)" in text
    assert "t/4" not in text
    detailed = format_report(report, errors=True)
    assert "false positives:" in detailed and "t/4 [common_word, auto_parts, tune]" in detailed
    assert "expected price; signals: price_anomaly" in detailed
    assert isinstance(EvalReport().precision, float)


# --------------------------------------------------------------------------- the set itself


@pytest.fixture(scope="module")
def labelled():
    return load_labelled(SET_DIR / "listings.jsonl")


def test_the_set_is_large_balanced_and_covers_every_kind(labelled):
    assert len(labelled) >= 320
    assert {r["category"] for r in labelled} == {"agri_inputs", "cosmetics", "auto_parts"}
    han = sum(bool(re.search(r"[\u4e00-\u9fff]", r["title"])) for r in labelled)
    latin_only = sum(not re.search(r"[\u4e00-\u9fff]", r["title"]) for r in labelled)
    assert han >= 100 and latin_only >= 60  # both languages, in quantity
    flagged_kinds = {k for r in labelled if r["label"]["flagged"] for k in r["label"]["kinds"]}
    assert flagged_kinds == set(LABEL_KINDS)
    negatives = sum(not r["label"]["flagged"] for r in labelled)
    assert negatives / len(labelled) >= 0.35
    for category in ("agri_inputs", "cosmetics", "auto_parts"):
        rows = [r for r in labelled if r["category"] == category]
        assert {r["label"]["flagged"] for r in rows} == {True, False}, category


def test_the_holdout_is_a_third_spread_over_categories_and_cases(labelled):
    holdout = [r for r in labelled if r["label"]["split"] == "holdout"]
    assert len(holdout) / len(labelled) >= 0.30
    for category in ("agri_inputs", "cosmetics", "auto_parts"):
        rows = [r for r in labelled if r["category"] == category]
        share = sum(r["label"]["split"] == "holdout" for r in rows) / len(rows)
        assert 0.25 <= share <= 0.45, (category, share)
    cases = Counter(r["label"]["case"] for r in labelled)
    held = Counter(r["label"]["case"] for r in holdout)
    assert all(held[case] >= 1 for case, n in cases.items() if n >= 2)
    assert {r["label"]["flagged"] for r in holdout} == {True, False}


def test_every_flagged_mark_is_watched_and_every_genuine_seller_authorised(labelled):
    with (SET_DIR / "watchlist.csv").open(encoding="utf-8", newline="") as handle:
        watch = {r["mark"]: r for r in csv.DictReader(handle)}
    for r in labelled:
        mark = r["label"].get("mark")
        if r["label"]["flagged"] and mark:
            assert mark in watch, (r["line"], mark)
        if r["label"]["case"] in ("genuine_flagship", "genuine_authorised_dealer"):
            assert f"{r['site']}:{r['seller_id']}" in watch[mark]["authorized_sellers"].split("|"), r["line"]
        if r["label"]["case"] == "genuine_reseller":
            assert f"{r['site']}:{r['seller_id']}" not in watch[mark]["authorized_sellers"].split("|"), r["line"]
    with (SET_DIR / "prices.csv").open(encoding="utf-8", newline="") as handle:
        priced = {r["mark"] for r in csv.DictReader(handle)}
    assert {r["label"]["mark"] for r in labelled if r["label"]["case"] == "genuine_flagship"} <= priced


def test_every_row_is_importable():
    categories = known_categories()
    lines = (SET_DIR / "listings.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        raw = json.loads(line)
        listing = normalise_row(raw, default_site=None, default_time="2026-01-01T00:00:00Z", csv_mode=False,
                                categories=categories)
        assert listing["listing_id"] and listing["category"] in categories, number


def test_the_rule_files_of_the_set_load():
    from monitor.rules.prices import load_prices
    from monitor.rules.watchlist import load_watchlist

    watchlist = load_watchlist(SET_DIR / "watchlist.csv", known_categories())
    assert watchlist.get("Syngenta") and watchlist.get("先正达") is None  # aliases are not mark names
    assert len(load_prices(SET_DIR / "prices.csv")) >= 40


def test_the_files_are_what_the_build_script_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_build_set", SET_DIR / "build_set.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("listings.jsonl", "watchlist.csv", "prices.csv"):
        assert (tmp_path / name).read_bytes() == (SET_DIR / name).read_bytes(), f"{name}: run tests/data/eval/build_set.py"
