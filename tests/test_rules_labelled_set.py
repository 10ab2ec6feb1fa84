"""The labelled-folder loader (both formats) and the ranking and calibration metrics, on
small sets written here."""

from __future__ import annotations

import json

import pytest

from monitor.quality.evaluate import calibration, evaluate
from monitor.quality.labelled import LabelledSetError, load_labelled_set
from monitor.quality.metrics import average_precision, expected_calibration_error, reliability_table


def _listing(i, title="某品牌 面霜 50ml"):
    return {"site": "shopx", "id": f"x-{i}", "url": f"https://shopx.example/{i}", "title": title,
            "category": "cosmetics", "price": 10 + i, "currency": "CNY", "seller_id": f"s{i}", "seller_name": "店"}


def _write(folder, listings, labels):
    (folder / "listings.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in listings),
                                           encoding="utf-8")
    (folder / "labels.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in labels),
                                         encoding="utf-8")


def test_labels_beside_listings_are_joined_on_id_in_any_order(tmp_path):
    _write(tmp_path, [_listing(1), _listing(2)],
           [{"id": "x-2", "flag": False, "kind": "genuine", "note": "own store."},
            {"id": "x-1", "flag": True, "kind": "lookalike_zh_sound", "note": "a sound-alike."}])
    records = {r["listing_id"]: r["label"] for r in load_labelled_set(tmp_path)}
    assert records["x-1"]["flagged"] and records["x-1"]["kinds"] == ["trademark"]
    assert records["x-1"]["case"] == "lookalike_zh_sound" and records["x-1"]["split"] == "dev"
    assert not records["x-2"]["flagged"] and records["x-2"]["kinds"] == []


def test_every_problem_is_named_with_file_and_line(tmp_path):
    _write(tmp_path, [_listing(1), _listing(2), _listing(2)],
           [{"id": "x-1", "flag": "yes", "kind": "genuine", "note": "."},
            {"id": "x-9", "flag": True, "kind": "offplatform", "note": "."}])
    with pytest.raises(LabelledSetError) as info:
        load_labelled_set(tmp_path)
    text = str(info.value)
    assert "labels.jsonl: flag: 'yes' is not true or false" in text
    assert "listing x-2 has no label" in text and "id x-2 is already on line 2" in text
    assert "label x-9 has no listing" in text and "nothing was evaluated" in text


def test_average_precision_and_calibration_by_hand():
    # a perfect ranking, then one negative above a positive
    assert average_precision([True, False], [90, 10]) == 1.0
    assert average_precision([True, False, True], [90, 80, 10]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([False, False], [1, 2]) is None
    table = reliability_table([True, False, True, True], [0.95, 0.05, 0.75, 0.72])
    assert [b.n for b in table if b.n] == [1, 2, 1]
    # bins: 0.0-0.1 predicted 0.05 observed 0; 0.7-0.8 predicted 0.735 observed 1; 0.9-1.0 0.95 vs 1
    assert expected_calibration_error(table) == pytest.approx(0.25 * 0.05 + 0.5 * 0.265 + 0.25 * 0.05)


def test_report_carries_scores_for_the_ranking(tmp_path):
    _write(tmp_path, [_listing(1), _listing(2)],
           [{"id": "x-1", "flag": True, "kind": "offplatform", "note": "."},
            {"id": "x-2", "flag": False, "kind": "genuine", "note": "."}])
    scores = {"x-1": 80, "x-2": 30}
    report = evaluate(load_labelled_set(tmp_path), lambda l: (scores[l["listing_id"]] >= 50, [], scores[l["listing_id"]]))
    ap, ece, table = calibration(report)
    assert ap == 1.0 and ece == pytest.approx(0.5 * 0.2 + 0.5 * 0.3) and sum(b.n for b in table) == 2
