"""False-positive check on real shops: pages from legitimate sites, their brands watched.

The product pages of ``../shared/data/product-pages`` (beside the checkout, when present) come from legitimate shops. With each
page's own brand put on the watchlist, a good engine flags close to none of them.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from monitor.extract.page import extract_listing
from monitor.rules.engine import Engine
from monitor.rules.packs import load_packs
from monitor.rules.watchlist import Watchlist, WatchedMark, write_watchlist


@dataclass
class RealPagesReport:
    pages: int = 0
    with_brand: int = 0
    flagged: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (url, score, signal names)


def check_real_pages(pages_dir: Path, rules_dir: Path | None = None) -> RealPagesReport:
    """Each page of ``pages_dir`` (``ground-truth.json`` and ``html/<digest>.html.gz``) extracted
    and assessed with its own brand watched; the report lists the flagged ones."""
    truth = json.loads((pages_dir / "ground-truth.json").read_text(encoding="utf-8"))
    listings = []
    for digest, meta in sorted(truth.items()):
        html = gzip.decompress((pages_dir / "html" / f"{digest}.html.gz").read_bytes())
        fields = extract_listing(html, meta["url"])
        listings.append({"site": "real", "listing_id": digest[:12], "url": meta["url"], **fields,
                         "brand_truth": (meta.get("brand") or [None])[0]})
    brands = sorted({b for l in listings if (b := l["brand_truth"] or l.get("brand"))})
    marks = [WatchedMark(name=b, owner=b, categories=("agri_inputs", "cosmetics", "auto_parts")) for b in brands]
    with tempfile.TemporaryDirectory() as tmp:
        watchlist_path = Path(tmp) / "watchlist.csv"
        write_watchlist(watchlist_path, Watchlist(marks))
        engine = Engine(load_packs(rules_dir, watchlist=watchlist_path))
        report = RealPagesReport(pages=len(listings), with_brand=sum(1 for l in listings if l["brand_truth"]))
        for listing in listings:
            result = engine.assess(listing)
            if result.flagged:
                report.flagged.append((listing["url"], result.score, sorted({s.name for s in result.signals})))
    return report
