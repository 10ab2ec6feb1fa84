"""Writing rows as CSV, XLSX or JSON, safe to open in a spreadsheet.

Scraped text is written by the people under investigation. A cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and LibreOffice (and
openpyxl turns such a string into a formula cell by itself), so text cells get a leading
apostrophe (OWASP's CSV injection advice) in every format meant for spreadsheets, and XLSX
cells are typed as strings besides. Numbers stay numbers. JSON is data, not a sheet: kept as is
(JSON escapes control characters itself).

``sheet_text`` is the one rule for a spreadsheet's text cell, CSV and XLSX alike: first the
text is repaired as the store repairs it (``monitor.listing.clean_text``: C0 control
characters but tab and line breaks removed, lone surrogates made U+FFFD; XLSX cannot hold
those characters at all, and a store written before issue 13 may still have them), then the
formula guard looks at what is left, so a NUL or ESC before ``=`` hides no formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.listing import clean_text, repair_value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx", "json")


def neutralise(value: Any) -> Any:
    """A string that a spreadsheet would take for a formula, with a leading apostrophe.
    Expects text already repaired (``sheet_text`` does both)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_text(value: Any) -> Any:
    """A value as a spreadsheet's text cell: lists joined with "; ", objects as JSON, text
    repaired (``clean_text``), then formulas guarded (``neutralise``). Numbers and None as they are."""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in repair_value(list(value))[0])
    elif isinstance(value, dict):
        value = json.dumps(repair_value(value)[0], ensure_ascii=False)
    elif isinstance(value, str):
        value = clean_text(value)
    return neutralise(value)


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: io.TextIOBase) -> int:
    writer = csv.writer(out)
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow(["" if row.get(c) is None else sheet_text(row.get(c)) for c in columns])
        n += 1
    return n


def write_json(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: io.TextIOBase) -> int:
    items = [{c: row.get(c) for c in columns} for row in rows]
    json.dump(items, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(items)


def _http(url: Any) -> bool:
    return isinstance(url, str) and urlsplit(url).scheme in ("http", "https") and len(url) < 2000


def write_xlsx(rows: Iterable[dict[str, Any]], columns: Sequence[str], path: Path, *, title: str = "leads",
               link_columns: Sequence[str] = ("url",)) -> int:
    """A sheet an analyst can use at once: frozen header, filters, links, readable widths."""
    # lazy: openpyxl costs ~0.2 s, needed only for --format xlsx
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(c) for c in columns]
    n = 0
    for row in rows:
        n += 1
        for j, column in enumerate(columns, start=1):
            value = row.get(column)
            cell = ws.cell(row=n + 1, column=j)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.value = value
            elif value is not None:
                text = sheet_text(value)
                text = str(text)[:32000]  # Excel's cell limit is 32,767 characters
                cell.value = text
                cell.data_type = "s"  # never a formula, whatever openpyxl guessed
                if column in link_columns and _http(value):
                    cell.hyperlink = clean_text(value)  # a link's target is XML text as well
                    cell.style = "Hyperlink"
            widths[j - 1] = max(widths[j - 1], min(60, len(str(cell.value or ""))))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n + 1}"
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(8, width + 2)
    wb.save(path)
    return n
