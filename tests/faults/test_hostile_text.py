"""Hostile text never loses a batch (issue 13, defect 1).

A shop can put a lone surrogate (JSON-LD ``"\\ud800"``), a NUL or other control characters in
a product's name. SQLite's UTF-8 encoder refuses a lone surrogate, and before the fix one such
listing made the whole batch's ``executemany`` fail: every listing of the batch lost, the run
left ``running``. Now such text is repaired where listings become rows (``monitor.listing.repair_fields``):
lone surrogates become U+FFFD, C0 control characters other than tab, line feed and carriage
return are removed, and the repair is reported.
"""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import run_monitor
from tests.faults.hostile import links_html, product_html, reply

# name as served -> name as stored
HOSTILE_NAMES = {
    "Bosch brake pads \ud800 front": "Bosch brake pads \ufffd front",
    "NGK spark\x00 plug": "NGK spark plug",
    "Wiper \x1b[31mblades\x1b[0m": "Wiper [31mblades[0m",
    "Castrol\x07 oil\x7f 5W-30": "Castrol oil\x7f 5W-30",
    "pair \ud83d\ude00 kept": "pair \U0001f600 kept",
}
PLAIN = [f"Plain product {n}" for n in range(6)]


def _rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_crawl_stores_every_listing_of_a_batch_with_hostile_names(hostile, tmp_path):
    names = [*HOSTILE_NAMES, *PLAIN]
    paths = [f"/p/{n}.html" for n in range(len(names))]
    hostile.routes["/robots.txt"] = reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain")
    hostile.routes["/"] = reply(200, links_html(paths))
    for n, (path, name) in enumerate(zip(paths, names)):
        # One hostile sku too: the listing's identity is repaired the same way.
        sku = "SKU-\ud800-bad" if n == 0 else f"SKU-{n}"
        hostile.routes[path] = reply(200, product_html(name, sku=sku, extra_ld={"description": f"about {name}"}))
    db_path = tmp_path / "m.db"
    proc = run_monitor("crawl", "--url", hostile.url("/"), "--max-pages", "40", "--allow-private",
                       "--no-recheck", db_path=db_path, env={"MONITOR_STORE_BATCH": "200"})
    run = _rows(db_path, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["status"] != "running", proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stored = {r["listing_id"]: r for r in _rows(db_path, "SELECT * FROM listings")}
    assert len(stored) == len(names), (sorted(stored), proc.stdout + proc.stderr)
    titles = sorted(r["title"] for r in stored.values())
    assert titles == sorted([*HOSTILE_NAMES.values(), *PLAIN])
    assert "SKU-\ufffd-bad" in stored
    assert stored["SKU-\ufffd-bad"]["description"] == "about Bosch brake pads \ufffd front"
    # Scored too: the scoring process got the repaired keys and found the stored rows.
    assert all(r["scored_at"] for r in stored.values()), proc.stderr
    # The evidence rows of every page are linked to their (repaired) listings.
    linked = _rows(db_path, "SELECT DISTINCT listing FROM evidence WHERE listing IS NOT NULL")
    assert len(linked) == len(names)
    # Not silent: the run's log names each repaired listing and what was done.
    log = open(run["log_path"], encoding="utf-8").read()
    assert "SKU-\ufffd-bad stored with its text repaired: listing_id: 1 lone surrogate replaced by U+FFFD; " \
           "title: 1 lone surrogate replaced by U+FFFD" in log
    assert "stored with its text repaired: title: 1 control character removed (U+0000)" in log


def _jsonl(path, rows):
    # ensure_ascii=True: a lone surrogate and the controls are written as \\u escapes, as JSON allows.
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _import_rows():
    rows = [{"site": "shop", "id": f"L{n}", "url": f"https://shop.example/{n}", "title": f"listing {n}"}
            for n in range(6)]
    rows[2]["title"] = "bad \ud800 title"
    rows[3]["description"] = "nul\x00 and esc\x1b here"
    rows[3]["attributes"] = {"产地\ud800": "value\x00"}
    rows[4]["seller_name"] = "tab\tand\nline kept"
    return rows


def test_import_repairs_a_line_with_hostile_text_and_stores_the_rest(tmp_path):
    src = tmp_path / "in.jsonl"
    _jsonl(src, _import_rows())
    # U+2028, U+2029 and U+0085 are allowed unescaped in JSON (ensure_ascii=False writes them
    # so) and are no line break of a JSON Lines file: kept, the row stored.
    with open(src, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"site": "shop", "id": "L6", "url": "https://shop.example/6",
                             "title": "line\u2028sep\u2029par\x85nel"}, ensure_ascii=False) + "\n")
    db_path = tmp_path / "m.db"
    proc = run_monitor("import", str(src), "--no-score", db_path=db_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stored = {r["listing_id"]: r for r in _rows(db_path, "SELECT * FROM listings")}
    assert sorted(stored) == [f"L{n}" for n in range(7)]
    assert stored["L6"]["title"] == "line\u2028sep\u2029par\x85nel"
    assert stored["L2"]["title"] == "bad \ufffd title"
    assert stored["L3"]["description"] == "nul and esc here"
    assert json.loads(stored["L3"]["attributes"]) == {"产地\ufffd": "value"}
    assert stored["L4"]["seller_name"] == "tab\tand\nline kept"
    # Each repaired line is reported with its line number, the field and what was done.
    out = proc.stdout
    assert f"{src}:3: repaired: title: 1 lone surrogate replaced by U+FFFD" in out, out
    assert f"{src}:4: repaired: description: 2 control characters removed (U+0000, U+001B)" in out, out
    assert "attributes" in [line for line in out.splitlines() if f"{src}:4:" in line][0]
    assert "7 rows: 7 stored (7 new, 0 changed), 0 skipped, 2 repaired" in out, out


def test_import_of_a_csv_with_control_characters(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("site,id,url,title,brand\n"
                   "shop,C1,https://shop.example/c1,plain,Bosch\n"
                   "shop,C2,https://shop.example/c2,\"bell\x07 and\x00nul\",\x1bBosch\n",
                   encoding="utf-8")
    db_path = tmp_path / "m.db"
    proc = run_monitor("import", str(src), "--no-score", db_path=db_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stored = {r["listing_id"]: r for r in _rows(db_path, "SELECT * FROM listings")}
    assert stored["C2"]["title"] == "bell andnul" and stored["C2"]["brand"] == "Bosch"
    assert f"{src}:3: repaired: title: 2 control characters removed (U+0007, U+0000); brand: 1 control " \
           "character removed (U+001B)" in proc.stdout, proc.stdout
