"""Listings carry the sales count their page displays (issue 14, the referrals' illegal business
amount): parsed from the Chinese forms by one rule (the lower bound, 万 = 10,000), read by a site
profile's selector in a real crawl of the demo 百货网, and accepted by `monitor import`."""

from __future__ import annotations

import sqlite3

import pytest

from monitor.extract.page import extract_listing
from monitor.extract.sales import parse_sales_count
from tests.conftest import run_monitor


@pytest.mark.parametrize("text, count", [
    ("月销 1.2万+", 12_000), ("已售 356 件", 356), ("销量 2000+", 2_000), ("10万+人付款", 100_000),
    ("月销2.7w+", 27_000), ("已售 1,234 件", 1_234), ("3.5k+ sold", 3_500), ("100-200", 100),
    ("月销１２３", 123), ("已售0", 0), (356, 356), ("2.5", 2), ("月销 3千+", 3_000),
])
def test_the_chinese_forms_give_their_lower_bound(text, count):
    assert parse_sales_count(text) == count


@pytest.mark.parametrize("text", ["暂无销量", "", None, "new", -5, float("nan"), True])
def test_no_number_is_no_sales_count_never_zero(text):
    assert parse_sales_count(text) is None


def test_a_profile_selector_reads_it_from_the_page():
    html = '<h1>x</h1><div class="p"><span class="sold">月销 1.2万+</span></div>'
    got = extract_listing(html, "https://shop.example/1", fields={"sales_count": {"css": "span.sold::text"}})
    assert got["sales_count"] == 12_000
    assert extract_listing("<h1>x</h1>", "https://shop.example/1")["sales_count"] is None


def _rows(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def test_a_demo_crawl_stores_each_listings_displayed_sales(marketplaces, tmp_path):
    from monitor.demo.catalogue import Catalogue

    db_path = tmp_path / "m.db"
    proc = run_monitor("crawl", "baihuo", "--base-url", marketplaces.urls["baihuo"], "--category", "cosmetics",
                       "--max-pages", "1", "--no-recheck", db_path=db_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listings = _rows(db_path, "SELECT id, listing_id, sales_count FROM listings WHERE site = 'baihuo'")
    assert len(listings) >= 5
    catalogue = Catalogue()
    for row in listings:
        shown = catalogue.get("baihuo", row["listing_id"], day=1)["sales_text"]
        assert row["sales_count"] == parse_sales_count(shown), (row, shown)
    assert any(r["sales_count"] and r["sales_count"] >= 1000 for r in listings)
    # Each crawl's observation keeps what it saw.
    observed = _rows(db_path, "SELECT listing, sales_count FROM observations")
    assert {o["listing"]: o["sales_count"] for o in observed} == {r["id"]: r["sales_count"] for r in listings}


def test_an_import_accepts_a_sales_count_column(tmp_path):
    csv_file = tmp_path / "in.csv"
    csv_file.write_text(
        "site,id,url,title,price,currency,sales_count\n"
        "shop,1,https://shop.example/1,面霜,45,CNY,月销 1.2万+\n"
        "shop,2,https://shop.example/2,精华,99,CNY,356\n"
        "shop,3,https://shop.example/3,防晒,20,CNY,\n", encoding="utf-8")
    db_path = tmp_path / "m.db"
    proc = run_monitor("import", str(csv_file), "--no-score", db_path=db_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = {r["listing_id"]: r["sales_count"] for r in _rows(db_path, "SELECT listing_id, sales_count FROM listings")}
    assert got == {"1": 12_000, "2": 356, "3": None}
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text('{"site": "shop", "id": "4", "url": "https://shop.example/4", "title": "t", "sales_count": 7}\n',
                     encoding="utf-8")
    assert run_monitor("import", str(jsonl), "--no-score", db_path=db_path).returncode == 0
    assert _rows(db_path, "SELECT sales_count FROM listings WHERE listing_id = '4'") == [{"sales_count": 7}]


def test_an_import_names_a_bad_sales_count_by_line(tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("site,id,url,title,sales_count\nshop,1,https://shop.example/1,t,很多\n", encoding="utf-8")
    proc = run_monitor("import", str(csv_file), "--no-score", db_path=tmp_path / "m.db")
    out = proc.stdout + proc.stderr
    assert f"{csv_file}:2: skipped: sales_count: '很多' is not a sales count" in out, out


def test_the_parallel_import_stages_the_same_sales_counts(tmp_path):
    # Big files are parsed in a worker process and staged (monitor.ingest.worker): same counts.
    from monitor.ingest.importing import import_file
    from monitor.store import open_db

    csv_file = tmp_path / "in.csv"
    csv_file.write_text("site,id,url,title,sales_count\n" + "".join(
        f"shop,{i},https://shop.example/{i},t{i},{form}\n"
        for i, form in enumerate(["月销 1.2万+", "已售 356 件", "", "销量 2000+"])), encoding="utf-8")
    db = open_db(tmp_path / "m.db")
    try:
        import_file(db, csv_file, engine=None, parallel=True)
        got = dict(db.execute("SELECT listing_id, sales_count FROM listings").fetchall())
        observed = sorted(r[0] for r in db.execute("SELECT sales_count FROM observations") if r[0] is not None)
    finally:
        db.close()
    assert got == {"0": 12_000, "1": 356, "2": None, "3": 2_000}
    assert observed == [356, 2_000, 12_000]
