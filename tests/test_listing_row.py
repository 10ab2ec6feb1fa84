"""The stored listing row (monitor.listing): one column list, the store's schema, seller_key."""

import sqlite3

import pytest

from monitor.listing import (IMPORT_FIELDS, LATE_FIELDS, LISTING_COLUMNS, LISTING_FIELDS, listing_columns,
                             listing_row, seller_key)
from monitor.store.db import open_db


def test_the_column_list_is_the_migrated_listings_table(tmp_path):
    db = open_db(tmp_path / "m.db")
    assert tuple(r[1] for r in db.execute("PRAGMA table_info(listings)")) == LISTING_COLUMNS


def test_the_stored_columns_start_with_the_listings_fields():
    stored = tuple(f for f in LISTING_FIELDS if f not in ("observed_at", *LATE_FIELDS))
    assert LISTING_COLUMNS[1:1 + len(stored)] == stored
    # Fields added later: their columns were appended, so they end the table, in their order.
    assert LISTING_COLUMNS[-len(LATE_FIELDS):] == LATE_FIELDS == LISTING_FIELDS[-len(LATE_FIELDS):]
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


def test_clean_text_repairs_surrogates_and_controls_and_keeps_the_rest():
    from monitor.listing import clean_text

    assert clean_text("a\ud800b") == "a\ufffdb"  # a lone half
    assert clean_text("\udc00") == "\ufffd"
    assert clean_text("x\ud83d\ude00y") == "x\U0001f600y"  # two halves of a pair: the character
    assert clean_text("N\x00i\x1bk\x07e\x0b\x0c\x1f") == "Nike"
    assert clean_text("tab\tline\ncr\r del\x7f c1\x85 ls\u2028 \ufffd") == "tab\tline\ncr\r del\x7f c1\x85 ls\u2028 \ufffd"
    plain = "先正达 阿米西达"
    assert clean_text(plain) is plain
    # The result can be encoded as UTF-8 (what SQLite's binding needs).
    clean_text("\ud800\udbff\udfff\x00").encode("utf-8")


def test_repair_notes_say_what_was_done_per_field():
    from monitor.listing import repair_fields, repair_listing, repair_value

    assert repair_value(["ok", {"k\ud800": ("v\x00", 3)}]) == (["ok", {"k\ufffd": ("v", 3)}],
                                                                 "1 lone surrogate replaced by U+FFFD, "
                                                                 "1 control character removed (U+0000)")
    assert repair_value("plain") == ("plain", None)
    row = {"title": "a\ud800\ud801", "price": 3.0, "brand": "\x00\x00\x1b\x01\x02\x03\x04\x05", "sku": "x"}
    assert repair_fields(row) == ["title: 2 lone surrogates replaced by U+FFFD",
                                  "brand: 8 control characters removed (U+0000, U+001B, U+0001, U+0002, U+0003, ...)"]
    assert row == {"title": "a\ufffd\ufffd", "price": 3.0, "brand": "", "sku": "x"}
    assert repair_value("\ud83d\ude00")[1] == "1 surrogate pair joined into one character"
    # A listing: repaired in place (a dict), its evidence records left as captured.
    item = {"site": "s", "listing_id": "1\x00", "images": ["https://i/\x01"], "evidence": [{"url": "\x00"}]}
    same, notes = repair_listing(item)
    assert same is item and item["listing_id"] == "1" and item["images"] == ["https://i/"]
    assert item["evidence"] == [{"url": "\x00"}] and notes == ["listing_id: 1 control character removed (U+0000)",
                                                             "images: 1 control character removed (U+0001)"]
    clean = {"site": "s", "listing_id": "1", "price": 2, "evidence": [{"url": "\x00"}]}
    assert repair_listing(clean) == (clean, [])
