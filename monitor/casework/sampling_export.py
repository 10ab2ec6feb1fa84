"""A sample as CSV for publication (公示): the listings drawn, their stratum and analyst. Titles
are scraped text: every cell goes through the export's formula guard (monitor/export/sheets.py)."""

from __future__ import annotations

import io
from typing import Any

from monitor.export.sheets import write_csv

COLUMNS = ("sample", "period", "seed", "category", "site", "listing_id", "title", "url", "analyst", "verdict",
           "decided_at")


def sample_rows(sample: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"sample": sample["id"], "period": sample["period"], "seed": str(sample["seed"]), **item}
            for item in sample["items"]]


def write_sample_csv(sample: dict[str, Any], out: io.TextIOBase) -> int:
    """Write the sample's rows (the seed as text: a spreadsheet would round a long number)."""
    return write_csv(sample_rows(sample), COLUMNS, out)


def sample_csv(sample: dict[str, Any]) -> str:
    out = io.StringIO()
    write_sample_csv(sample, out)
    return out.getvalue()
