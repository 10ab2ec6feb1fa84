"""Measure extraction accuracy (precision, recall, F1) on the shared real product pages.

Usage: .venv/bin/python benchmarks/extraction_accuracy.py [PAGES_DIR] [--errors] [--json]

PAGES_DIR defaults to ../shared/data/product-pages relative to the repository root; it holds
``ground-truth.json`` and ``html/<sha256>.html.gz``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from monitor.extract.page import extract_listing  # noqa: E402
from monitor.extract.prices import currency_codes, parse_price  # noqa: E402

DEFAULT_PAGES = REPO.parent / "shared" / "data" / "product-pages"
FIELDS = ("price", "currency", "brand", "sku")


def _norm_text(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _price_value(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    # Ground truth writes prices as shown ("23.450" for 23450 rupees), so read it like a page.
    return parse_price(str(value)).amount


def is_match(field: str, predicted: Any, truth: list[Any]) -> bool:
    """Whether ``predicted`` (an extract_listing value) matches any of the annotated values."""
    if field == "price":
        for value in truth:
            expected = _price_value(value)
            if expected is not None and math.isclose(float(predicted), expected, rel_tol=1e-6, abs_tol=1e-6):
                return True
        return False
    if field == "currency":
        code, raw = predicted
        for value in truth:
            text = str(value).strip()
            if raw and _norm_text(raw) == _norm_text(text):
                return True
            if code and (code == text.upper() or code in currency_codes(text)):
                return True
        return False
    return any(_norm_text(predicted) == _norm_text(value) for value in truth)


def _prediction(field: str, listing: dict) -> Any:
    if field == "currency":
        if not listing.get("currency") and not listing.get("currency_raw"):
            return None
        return (listing.get("currency"), listing.get("currency_raw"))
    value = listing.get(field)
    return None if value in (None, "") else value


def score(pages_dir: Path | str = DEFAULT_PAGES) -> dict[str, Any]:
    """Run the extractor on every annotated page and count hits per field."""
    pages_dir = Path(pages_dir)
    truth = json.loads((pages_dir / "ground-truth.json").read_text(encoding="utf-8"))
    counts = {f: {"tp": 0, "fp": 0, "fn": 0} for f in FIELDS}
    errors: list[dict[str, Any]] = []
    started = time.perf_counter()
    for page_id, annotation in truth.items():
        html = gzip.decompress((pages_dir / "html" / f"{page_id}.html.gz").read_bytes())
        listing = extract_listing(html, annotation["url"])
        for field in FIELDS:
            expected = [v for v in annotation.get(field) or [] if v not in (None, "")]
            predicted = _prediction(field, listing)
            if predicted is None:
                if expected:
                    counts[field]["fn"] += 1
                    errors.append({"page": page_id, "url": annotation["url"], "field": field, "expected": expected, "got": None})
                continue
            if expected and is_match(field, predicted, expected):
                counts[field]["tp"] += 1
                continue
            # A wrong value is both a false positive and (when something was expected) a miss.
            counts[field]["fp"] += 1
            if expected:
                counts[field]["fn"] += 1
            errors.append({"page": page_id, "url": annotation["url"], "field": field, "expected": expected, "got": predicted})
    elapsed = time.perf_counter() - started
    metrics = {}
    for field, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics[field] = {**c, "precision": precision, "recall": recall, "f1": f1}
    return {"pages": len(truth), "seconds": elapsed, "metrics": metrics, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages_dir", nargs="?", default=str(DEFAULT_PAGES))
    parser.add_argument("--errors", action="store_true", help="list every wrong or missing value")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    pages_dir = Path(args.pages_dir)
    if not (pages_dir / "ground-truth.json").is_file():
        print(f"error: no ground-truth.json in {pages_dir}", file=sys.stderr)
        return 2
    result = score(pages_dir)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return 0
    if args.errors:
        for e in result["errors"]:
            print(f"{e['field']:9} {e['url'][:70]:70} expected={e['expected']} got={e['got']}")
        print()
    print(f"{result['pages']} pages in {result['seconds']:.1f} s")
    print(f"{'field':9} {'precision':>9} {'recall':>7} {'F1':>6}   tp  fp  fn")
    for field, m in result["metrics"].items():
        print(f"{field:9} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f}  {m['tp']:3} {m['fp']:3} {m['fn']:3}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
