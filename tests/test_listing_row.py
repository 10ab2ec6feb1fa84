"""The stored listing row (monitor.listing): one column list, the store's schema, seller_key."""

import sqlite3

import pytest

from monitor.listing import (IMPORT_FIELDS, LISTING_COLUMNS, LISTING_FIELDS, listing_columns, listing_row,
                             seller_key)
from monitor.store.db import open_db


def test_the_column_list_is_the_migrated_listings_table(tmp_path):
    db = open_db(tmp_path / "m.db")
    assert tuple(r[1] for r in db.execute("PRAGMA table_info(listings)")) == LISTING_COLUMNS


def test_the_stored_columns_start_with_the_listings_fields():
    stored = tuple(f for f in LISTING_FIELDS if f != "observed_at")
    assert LISTING_COLUMNS[1:1 + len(stored)] == stored
    assert IMPORT_FIELDS == tuple(f for f in LISTING_FIELDS if f != "http_status")


def test_select_text_and_rows():
    assert listing_columns("l", ("id", "site"), {"id": "listing"}) == "l.id AS listing, l.site"
    with pytest.raises(ValueError, match="'nope' is not a column of the listings table"):
        listing_columns("l", ("site", "nope"))
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT 1 AS id, 'tb' AS site").fetchone()
    assert listing_row(row) == {"id": 1, "site": "tb"}
    assert listing_row((1, "tb"), ("id", "site")) == {"id": 1, "site": "tb"}
    with pytest.raises(ValueError, match="a listing row of 2 values for 1 columns"):
        listing_row((1, "tb"), ("id",))


def test_seller_key_falls_back_to_url_then_name():
    assert seller_key("s1", "Shop", "https://shop/1") == "s1"
    assert seller_key(None, "Shop", "https://shop/1") == "https://shop/1"
    assert seller_key("", "Shop") == "name:Shop"
    assert seller_key("", None) == ""
    assert seller_key(None, "") is None
