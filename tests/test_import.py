"""`monitor import`: JSON Lines and CSV, bad rows reported by line and skipped, idempotent."""

from __future__ import annotations

import json
import os

from monitor.importer import import_file
from tests.conftest import run_monitor

CSV = (
    "site,id,url,title,description,brand,category,price,currency,seller_id,seller_name,seller_url,"
    "seller_location,images,attributes,observed_at\n"
    'tb,1001,https://item.tb.example/1001,先正达 阿米西达 25%嘧菌酯 悬浮剂,"多行\n描述",先正达,agri_inputs,89.5,CNY,'
    's1,农资店,https://shop.tb.example/s1,山东,https://img.example/1.jpg|https://img.example/2.jpg,'
    '"{""农药登记证号"": ""PD20092927""}",2026-11-20T08:00:00+08:00\n'
    "tb,1002,https://item.tb.example/1002,博世 刹车片,,Bosch,auto_parts,¥1299.00,CNY,s2,汽配店,,,,,\n"
    "tb,1003,not-a-url,bad url,,,cosmetics,10,CNY,,,,,,,\n"
    "tb,1004,https://item.tb.example/1004,bad price,,,cosmetics,cheap,CNY,,,,,,,\n"
    "tb,1005,https://item.tb.example/1005,bad category,,,toys,10,CNY,,,,,,,\n"
    "tb,,https://item.tb.example/1006,missing id,,,cosmetics,10,CNY,,,,,,,\n"
    'tb,1007,https://item.tb.example/1007,bad attributes,,,cosmetics,10,CNY,,,,,,"{not json",\n'
)


def dump(db):
    return {t: list(db[t].rows) for t in ("listings", "observations", "sellers")}


def test_csv_rows_are_validated_by_line_and_good_rows_stored(tmp_path, db):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    report = import_file(db, path)
    assert report.stored.seen == 2
    # The first record spans two physical lines (a quoted newline), so line numbers shift.
    assert [line for line, _ in report.skipped] == [5, 6, 7, 8, 9]
    reasons = dict(report.skipped)
    assert reasons[5].startswith("url:")
    assert reasons[6] == "price: 'cheap' is not a number"
    assert "category: 'toys' is not a configured category" in reasons[7]
    assert reasons[8] == "id: required but empty"
    assert reasons[9].startswith("attributes: not a valid JSON object")
    row = db.execute("SELECT * FROM listings WHERE listing_id = '1001'").fetchone()
    listing = dict(zip([d[0] for d in db.execute("SELECT * FROM listings").description], row))
    assert listing["price"] == 89.5 and listing["description"] == "多行\n描述"
    assert json.loads(listing["images"]) == ["https://img.example/1.jpg", "https://img.example/2.jpg"]
    assert json.loads(listing["attributes"]) == {"农药登记证号": "PD20092927"}
    assert listing["last_seen"] == "2026-11-20T00:00:00Z"  # converted to UTC
    assert db.execute("SELECT price FROM listings WHERE listing_id = '1002'").fetchone()[0] == 1299.0


def test_importing_the_same_file_twice_changes_nothing(tmp_path, db):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    import_file(db, path)
    before = dump(db)
    again = import_file(db, path)
    assert (again.stored.new, again.stored.changed) == (0, 0)
    assert dump(db) == before


def test_jsonl_with_site_option_and_bad_lines(tmp_path, db):
    lines = [
        {"id": "a1", "url": "https://m.example/a1", "title": "Lancôme Génifique 50ml", "price": 760,
         "currency": "CNY", "images": ["https://img.example/a1.jpg"], "attributes": {"备案编号": "国妆网备进字（沪）2019000123"},
         "observed_at": "2026-11-01T00:00:00Z"},
        "not json at all",
        {"id": "a2", "url": "https://m.example/a2", "title": "no images list", "images": "https://x"},
        {"id": "a3", "url": "https://m.example/a3", "title": "no site given"},
    ]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(l if isinstance(l, str) else json.dumps(l, ensure_ascii=False) for l in lines) + "\n",
                    encoding="utf-8")
    report = import_file(db, path, site="mall")
    assert report.stored.seen == 2
    assert [line for line, _ in report.skipped] == [2, 3]
    assert report.skipped[0][1].startswith("not valid JSON")
    assert report.skipped[1][1] == "images: must be a JSON list of URLs"
    assert {r[0] for r in db.execute("SELECT site FROM listings")} == {"mall"}


def test_csv_without_required_columns_is_refused_whole(tmp_path, db):
    path = tmp_path / "wrong.csv"
    path.write_text("name,link\nx,y\n", encoding="utf-8")
    proc = run_monitor("import", str(path), "--site", "x", db_path=tmp_path / "m.db")
    assert proc.returncode == 2
    assert "wrong.csv:1: the header lacks required column(s) id, url, title" in proc.stderr


def test_cli_reports_lines_and_exit_code(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    db_file = tmp_path / "m.db"
    proc = run_monitor("import", str(path), db_path=db_file)
    assert proc.returncode == 1, proc.stderr
    assert f"{path}:6: skipped: price: 'cheap' is not a number\n" in proc.stdout
    assert "2 stored (2 new, 0 changed), 5 skipped" in proc.stdout
    proc = run_monitor("import", str(path), env={"MONITOR_DB": str(db_file)})
    assert "2 stored (0 new, 0 changed), 5 skipped" in proc.stdout
    assert os.path.exists(db_file)
