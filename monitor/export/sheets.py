"""Writing rows as CSV, XLSX or JSON, safe to open in a spreadsheet.

Scraped text is written by the people under investigation. A cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and LibreOffice (and
openpyxl turns such a string into a formula cell by itself), so text cells get a leading
apostrophe (OWASP's CSV injection advice) in every format meant for spreadsheets, and XLSX
cells are typed as strings besides. Numbers stay numbers. JSON is data, not a sheet: kept as is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx", "json")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell_text(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    return neutralise(value)


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: io.TextIOBase) -> int:
    writer = csv.writer(out)
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell_text(row.get(c)) for c in columns])
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
                text = _cell_text(value)
                text = str(text)[:32000]  # Excel's cell limit is 32,767 characters
                cell.value = text
                cell.data_type = "s"  # never a formula, whatever openpyxl guessed
                if column in link_columns and _http(value):
                    cell.hyperlink = value
                    cell.style = "Hyperlink"
            widths[j - 1] = max(widths[j - 1], min(60, len(str(cell.value or ""))))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n + 1}"
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(8, width + 2)
    wb.save(path)
    return n
