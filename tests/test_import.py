"""`monitor import`: JSON Lines and CSV, bad rows reported by line and skipped, idempotent."""

from __future__ import annotations

import json
import os

import pytest

from monitor.ingest.importing import import_file
from monitor.listing import needs_repair
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


def _odd_rows():
    """Rows that exercise every branch: bad values, duplicates, older sightings, NaN, fallbacks."""
    rows = []
    for i in range(40):
        lid = str(i % 13)  # duplicates, within and across batches
        rows.append({"site": "tb", "id": lid, "url": f"https://item.tb.example/{lid}", "title": f"先正达 阿米西达 {i}",
                     "description": "多行\n描述" if i % 3 else None, "price": [89.5, "¥12.30", "nan", "1,000", None, 3][i % 6],
                     "currency": ["CNY", "¥", ""][i % 3], "seller_id": "" if i % 4 else f"s{i % 5}",
                     "seller_name": "农资店" if i % 2 else None, "seller_url": "https://shop/1" if i % 5 == 1 else "",
                     "images": [[], ["https://img/1.jpg", " https://img/2.jpg "], "https://img/3.jpg|https://img/4.jpg"][i % 3],
                     "attributes": [{"农药登记证号": "PD20092927"}, {"n": 1, "m": None}, {}][i % 3],
                     "observed_at": ["2026-11-20T08:00:00+08:00", "2026-11-01T00:00:00Z", "2026-10-01T00:00:00Z",
                                     None, "2026-11-02T03:04:05"][i % 5]})
    rows[7]["url"] = "not-a-url"
    rows[11]["price"] = "cheap"
    rows[17]["observed_at"] = "2026-13-01T00:00:00Z"
    rows[23]["category"] = "toys"
    rows[29]["title"] = ""
    # Hostile text (issue 13): repaired and reported, or (nothing left of the title) skipped.
    rows[3]["title"] = "先正达 \ud800 3"
    rows[9]["seller_name"] = "农\x00资店"
    rows[13]["attributes"] = {"n\x1b": "v\ud800"}
    rows[15]["description"] = "多行\x0b描述\u0085\u2028"
    rows[31]["title"] = "\x00\x01"
    return rows


def _write_odd_files(tmp_path):
    rows = _odd_rows()
    jsonl = tmp_path / "odd.jsonl"
    # Every other line with \\u escapes (a lone surrogate can only be written so).
    lines = [json.dumps(r, ensure_ascii=n % 2 == 1 or "\ud800" in str(r)) for n, r in enumerate(rows)]
    lines[5:5] = ["not json", "", "  ", "[1, 2]"]
    jsonl.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    csv_path = tmp_path / "odd.csv"
    out = [",".join(("site", "id", "url", "title", "description", "price", "currency", "seller_id", "seller_name",
                     "seller_url", "images", "attributes", "observed_at", "extra"))]
    for n, r in enumerate(rows):
        images = r["images"] if isinstance(r["images"], str) else "|".join(r["images"])
        cells = [r["site"], r["id"], r["url"], r["title"], r["description"] or "", r["price"], r["currency"],
                 r["seller_id"], r["seller_name"] or "", r["seller_url"], images, json.dumps(r["attributes"], ensure_ascii=False),
                 r["observed_at"] or "", ""]
        # UTF-8 holds no lone surrogate: in the CSV a unit separator (a control) stands in for it.
        out.append(",".join('"' + str("" if c is None else c).replace('"', '""').replace("\ud800", "\x1f") + '"'
                            for c in cells))
        if n % 9 == 4:
            out.append("")  # a blank line
        if n == 20:
            out.append("tb,x,https://x/1,t,,,,,,,,,,,surplus")
    csv_path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return jsonl, csv_path


def test_parallel_import_stores_and_reports_exactly_what_the_sequential_one_does(tmp_path, monkeypatch):
    from monitor.ingest import batches
    from monitor.store import open_db

    monkeypatch.setattr(batches, "BATCH", 4)  # many batch boundaries; the worker is told the size
    for path in _write_odd_files(tmp_path):
        results = []
        for parallel in (False, True):
            db = open_db(tmp_path / f"{path.suffix[1:]}-{parallel}.db")
            reports, dumps = [], []
            for _ in range(2):  # the second import must change nothing, both ways
                r = import_file(db, path, parallel=parallel)
                reports.append((r.rows, r.skipped, r.stored, r.unknown_columns, r.repaired))
                dumps.append(dump(db))
            # (Re-import counts as "changed" the listings whose last row in a batch is an
            # older sighting than the stored state, as it always has; the store is unchanged.)
            assert dumps[0] == dumps[1] and reports[1][2].new == 0
            results.append((reports, dumps[1]))
            db.close()
        assert results[0] == results[1]
        reports = results[0][0]
        assert reports[0][2].seen > 20 and reports[0][2].changed > 0 and len(reports[0][1]) >= 5
        repaired = dict(reports[0][4])
        assert len(repaired) >= 4 and all(note.count(":") >= 1 for note in repaired.values()), repaired
        assert any("title: 1 " in note for note in repaired.values())
        for table in results[0][1].values():  # nothing unstorable left anywhere, JSON decoded too
            for row in table:
                for value in row.values():
                    if isinstance(value, str):
                        decoded = json.loads(value) if value[:1] in "[{" and value[:2] != "[]" else value
                        assert not needs_repair(decoded), row


def test_parallel_import_refuses_unreadable_files_before_storing(tmp_path, db):
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("id,url,title\n1,https://x/1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8 text"):
        import_file(db, bad, parallel=True)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,link\nx,y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="the header lacks required column"):
        import_file(db, wrong, parallel=True)
    assert db["listings"].count == 0


def test_parallel_import_works_from_a_script_without_a_main_guard(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    code = ("from monitor.store import open_db\nfrom monitor.ingest.importing import import_file\n"
            f"r = import_file(open_db({str(tmp_path / 'm.db')!r}), {str(path)!r}, parallel=True)\n"
            "print(r.stored.seen, [line for line, _ in r.skipped])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2 [5, 6, 7, 8, 9]"


def test_csv_rows_are_numbered_as_dictreader_numbers_them(tmp_path):
    import csv
    import io
    from pathlib import Path

    from monitor.ingest.parse import read_records

    text = ('id,url,title\n1,a,b\n\n2,a,b\n"3","multi\nline",b\n\n\n4,a,b\n,,\n5,a,b,extra\n6\r\n7,a,b\r8,a,b\n')

    def reference():  # the importer's previous reader, csv.DictReader
        reader = csv.DictReader(io.StringIO(text, newline=""))
        start = 2
        for row in reader:
            if None in row:
                yield start, None, f"{len(row[None])} more cells than the header has columns"
            elif not all(v in (None, "") for v in row.values()):
                yield start, row, None
            start = reader.line_num + 1

    assert list(read_records(Path("x.csv"), text, "csv")) == list(reference())


def test_timestamps_in_store_form_are_checked_not_reparsed():
    from monitor.ingest.normalise import RowError, _timestamp

    assert _timestamp("2026-11-24T08:30:00Z") == "2026-11-24T08:30:00Z"
    assert _timestamp("2026-11-24T16:30:00+08:00") == "2026-11-24T08:30:00Z"
    for bad in ("2026-13-24T08:30:00Z", "2026-02-30T00:00:00Z", "0000-01-01T00:00:00Z"):
        with pytest.raises(RowError, match="is not an ISO 8601 time"):
            _timestamp(bad)


def test_the_workers_staged_rows_are_stage_rows_of_the_normalised_values(tmp_path):
    # The import worker builds staging rows itself (staged_row); they must be what
    # monitor.store.staging.stage_rows makes of normalise's values, row for row.
    from monitor.categories import known_categories
    from monitor.ingest.normalise import RowError, normalised_values
    from monitor.ingest.parse import read_file, read_records
    from monitor.ingest.worker import staged_row
    from monitor.store.staging import stage_rows

    categories = known_categories()
    compared = 0
    for path in _write_odd_files(tmp_path):
        text, fmt, _ = read_file(path)
        for _, raw, error in read_records(path, text, fmt):
            if error:
                continue
            args = (raw, "tb", "2026-11-24T00:00:00Z", fmt == "csv", categories)
            try:
                values = normalised_values(*args)
            except RowError:
                with pytest.raises(RowError):
                    staged_row(*args)
                continue
            assert repr([staged_row(*args)]) == repr(stage_rows([values]))  # repr: NaN prices equal
            compared += 1
    assert compared > 40
