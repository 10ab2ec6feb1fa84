"""Importing listings obtained elsewhere (platform exports, API dumps) from JSON Lines or CSV."""

from __future__ import annotations

import codecs
import csv
import sqlite3
from collections import Counter
from contextlib import contextmanager
import json
import os
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain, tee
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

from monitor.categories import known_categories
from monitor.listing import AVAILABILITY_VALUES
from monitor.store.listings import IMPORT_FIELDS, STAGED_GROUP, SaveResult, _dumps, save_listings

COLUMNS = (
    "site", "id", "url", "title", "description", "brand", "category", "price", "currency",
    "seller_id", "seller_name", "seller_url", "seller_location", "images", "attributes", "observed_at",
)
OPTIONAL_COLUMNS = ("availability", "seller_rating", "seller_rating_count", "sku", "mpn", "gtin", "currency_raw")
REQUIRED = ("id", "url", "title")
BATCH = 5000
SITE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
URL = re.compile(r"^https?://\S+$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


class RowError(ValueError):
    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


@dataclass
class ImportReport:
    path: str
    stored: SaveResult = field(default_factory=SaveResult)
    rows: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    unknown_columns: list[str] = field(default_factory=list)
    flags: Counter = field(default_factory=Counter)  # scoring outcomes: flagged, unchanged, clear ...


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    return text or None


# Already in the store's form: 2026-11-24T08:30:00Z (ASCII digits, seconds, UTC).
_CANONICAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z").fullmatch
_from_iso = datetime.fromisoformat


def _timestamp(value: Any) -> str:
    text = str(value).strip()
    if _CANONICAL_TIME(text):
        # Converting a valid time of this form gives the same text back; only check it is valid.
        try:
            _from_iso(text[:19])
            return text
        except ValueError:
            pass  # the full parse below words the error
    return _parse_timestamp(text)


@lru_cache(maxsize=4096)  # exports repeat their timestamps; parsing one is the costly part
def _parse_timestamp(text: str) -> str:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError("observed_at", f"{text!r} is not an ISO 8601 time, e.g. 2026-11-24T08:30:00Z") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # documented: times without a zone are UTC
    return when.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _number(name: str, value: Any, kind=float):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return kind(value)
    text = str(value).strip().replace(",", "") if kind is int else str(value).strip()
    try:
        return kind(text)
    except ValueError:
        if kind is float:
            from monitor.extract.prices import parse_price

            parsed = parse_price(text)
            if parsed.amount is not None:
                return parsed.amount
        raise RowError(name, f"{text!r} is not a number") from None


def _list(value: Any, *, csv_mode: bool) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                items = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise RowError("images", f"not a valid JSON list ({exc.msg})") from None
        elif csv_mode:
            items = stripped.split("|")
        else:
            raise RowError("images", "must be a JSON list of URLs")
    else:
        raise RowError("images", "must be a list of URLs")
    if items.__class__ is list:
        # Fast path: every item a str with an http(s) URL after stripping.
        try:
            out = [item.strip() for item in items]
        except AttributeError:
            pass
        else:
            for url in out:
                if not url.startswith(("http://", "https://")):
                    break
            else:
                if all(item.__class__ is str for item in items):
                    return out
    out = []
    for item in items:
        if not isinstance(item, str):
            raise RowError("images", f"{item!r} is not an http(s) URL")
        url = item.strip()
        if not url.startswith(("http://", "https://")):  # as re.match(r"^https?://", url)
            raise RowError("images", f"{item!r} is not an http(s) URL")
        out.append(url)
    return out


def _attributes(value: Any) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RowError("attributes", f"not a valid JSON object ({exc.msg})") from None
    if not isinstance(value, dict):
        raise RowError("attributes", "must be a JSON object of name -> value")
    if value.__class__ is dict:
        for k, v in value.items():
            if k.__class__ is not str or v.__class__ is not str:
                break
        else:
            return dict(value)  # names and values already text
    return {str(k): "" if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
            for k, v in value.items()}


_AVAILABILITY = frozenset(AVAILABILITY_VALUES)
_site_match = SITE_ID.match
_url_match = URL.match
_code_match = CURRENCY_CODE.match


def normalise_row(raw: dict[str, Any], *, default_site: str | None, default_time: str, csv_mode: bool,
                  categories: tuple[str, ...]) -> dict[str, Any]:
    """One input row -> a listing for the store; raises RowError naming the field."""
    return dict(zip(IMPORT_FIELDS, _normalise(raw, default_site, default_time, csv_mode, categories)))


_FREE_TEXT = ("description", "brand", "seller_id", "seller_name", "seller_url", "seller_location", "sku", "mpn",
              "gtin")


def _normalise(raw: dict[str, Any], default_site: str | None, default_time: str, csv_mode: bool,
               categories: tuple[str, ...], staged: bool = False) -> tuple:
    """normalise_row's values, in IMPORT_FIELDS order; with ``staged`` the row of a staging
    file instead (monitor.store.listings.stage_rows of those values)."""
    # Hot path of a bulk import: strings (all CSV cells, most JSON values) are stripped
    # inline; anything else goes through the helpers. Checks run in the documented order,
    # so a row with several problems reports the same first one.
    get = raw.get
    v = get("id")
    listing_id = (v.strip() or None) if v.__class__ is str else _text(v)
    v = get("url")
    url = (v.strip() or None) if v.__class__ is str else _text(v)
    v = get("title")
    title = (v.strip() or None) if v.__class__ is str else _text(v)
    if not listing_id:
        raise RowError("id", "required but empty")
    if not url:
        raise RowError("url", "required but empty")
    if not title:
        raise RowError("title", "required but empty")
    v = get("site")
    site = ((v.strip() or None) if v.__class__ is str else _text(v)) or default_site
    if not site:
        raise RowError("site", "empty; add a site column or pass --site NAME")
    if not _site_match(site):
        raise RowError("site", f"{site!r} is not a site name (letters, digits, . _ -)")
    if not _url_match(url):
        raise RowError("url", f"{url!r} is not an http(s) URL")
    v = get("category")
    category = (v.strip() or None) if v.__class__ is str else _text(v)
    if category and category not in categories:
        raise RowError("category", f"{category!r} is not a configured category ({', '.join(categories)}); "
                                   "add it to rules/categories.yaml or fix the value")
    v = get("currency")
    currency = (v.strip() or None) if v.__class__ is str else _text(v)
    v = get("currency_raw")
    currency_raw = (v.strip() or None) if v.__class__ is str else _text(v)
    if currency and not _code_match(currency):
        # "as shown otherwise": keep the symbol or word, but not as an ISO code
        currency_raw, currency = currency_raw or currency, None
    v = get("availability")
    availability = (v.strip() or None) if v.__class__ is str else _text(v)
    if availability and availability not in _AVAILABILITY:
        raise RowError("availability", f"{availability!r}: use one of {', '.join(AVAILABILITY_VALUES)}")
    v = get("observed_at")
    observed = (v.strip() or None) if v.__class__ is str else _text(v)
    v = get("price")
    price = v if v.__class__ is float else (None if v is None or v == "" else _number("price", v))
    v = get("seller_rating")
    seller_rating = None if v is None or v == "" else _number("seller_rating", v)
    v = get("seller_rating_count")
    seller_rating_count = None if v is None or v == "" else _number("seller_rating_count", v, int)
    v = get("images")
    images = [] if v is None or v == "" or v == [] else _list(v, csv_mode=csv_mode)
    v = get("attributes")
    attributes = {} if v is None or v == "" or v == {} else _attributes(v)
    # The columns that are free text, checked by nothing: stripped in one pass, inline.
    description, brand, seller_id, seller_name, seller_url, seller_location, sku, mpn, gtin = [
        (v.strip() or None) if v.__class__ is str else _text(v) for v in map(get, _FREE_TEXT)]
    observed = _timestamp(observed) if observed else default_time
    if not staged:
        return (site, listing_id, url, title, description, brand, category, price, currency, currency_raw,
                availability, seller_id, seller_name, seller_url, seller_location, seller_rating,
                seller_rating_count, images, attributes, sku, mpn, gtin, observed)
    # stage_rows' conversion, here where the values are at hand (the import worker's rows,
    # ≈ 1 µs less than building the tuple above and taking it apart again there): the seller
    # id falls back to the seller's URL or name, images and attributes as JSON, then whether
    # the row has a seller and whether its price is NaN. tests/test_import.py compares the two.
    if not seller_id:
        if seller_url:
            seller_id = seller_url
        elif seller_name:
            seller_id = "name:" + seller_name
    return (site, listing_id, url, title, description, brand, category, price, currency, currency_raw, availability,
            seller_id, seller_name, seller_url, seller_location, seller_rating, seller_rating_count,
            _dumps(images) if images else None, _dumps(attributes) if attributes else None, sku, mpn, gtin,
            observed, 1 if seller_id else 0, 1 if price.__class__ is float and price != price else 0)


def _detect_format(path: Path, head: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "jsonl" if head.lstrip().startswith("{") else "csv"


def _pieces(text: str | Iterator[str], size: int = 1 << 20) -> Iterator[str]:
    """text in pieces of about ``size`` characters, each ending just after a "\n" (or at the
    end). No line break spans such a cut ("\r\n" ends with the "\n"), so splitting the
    pieces into lines gives the lines of the whole text. Pieces are passed through."""
    if not isinstance(text, str):
        yield from text
        return
    start, end = 0, len(text)
    while start < end:
        cut = text.find("\n", start + size)
        cut = end if cut < 0 else cut + 1
        yield text[start:cut]
        start = cut


def _splitlines(text: str | Iterator[str]) -> Iterator[str]:
    """text.splitlines(), a megabyte at a time: the first rows are read without splitting the
    whole file first (≈ 0.2 s for 138 MB, which the writer would wait for)."""
    return chain.from_iterable(map(str.splitlines, _pieces(text)))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _csv_lines(text: str | Iterator[str], newline: str = "") -> Iterator[str]:
    """The lines of ``io.StringIO(text, newline=newline)`` for csv.reader: with "" a line ends
    at "\n", "\r\n" or a lone "\r", with "\n" (StringIO's default) only at "\n"; ends kept.
    The same lines without copying the file into a StringIO first: for 94 MB that copy took
    0.6 s (newline="") before the first row could be read."""

    def lines(piece: str) -> list[str]:
        if newline == "" and piece.count("\r") != piece.count("\r\n"):  # a lone "\r" ends a line too
            return _LINE.findall(piece)
        found = piece.split("\n")
        last = found.pop()
        found = [line + "\n" for line in found]
        if last:
            found.append(last)
        return found

    return chain.from_iterable(map(lines, _pieces(text)))


# What json.loads runs on a line (a decoder with the default settings, as json.loads uses).
_scan_json = json.JSONDecoder().scan_once


def read_records(path: Path, text: str | Iterator[str], fmt: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row or None, error) for each record; ``text`` is the file's text, or its
    pieces (see _pieces)."""
    if fmt == "jsonl":
        loads = json.loads
        scan = _scan_json
        decode_error = json.JSONDecodeError
        for number, line in enumerate(_splitlines(text), start=1):
            if not line or line.isspace():  # as `not line.strip()`
                continue
            # json.loads(line) is this scan plus Python layers around it (≈ 1 µs a line): a
            # line that is one JSON value, without surrounding whitespace, is scanned directly;
            # any other line goes through json.loads itself, for the same value or error.
            try:
                row, end = scan(line, 0)
                if end != len(line):
                    raise ValueError
            except (ValueError, StopIteration):
                try:
                    row = loads(line)
                except decode_error as exc:
                    yield number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
                    continue
            if row.__class__ is not dict and not isinstance(row, dict):
                yield number, None, "a line must be a JSON object"
                continue
            yield number, row, None
        return
    # csv.DictReader, without its per-row Python layers: the same rows, the same line numbers.
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.reader(_csv_lines(text), dialect=dialect)
    try:
        header = next(reader)
    except StopIteration:
        return
    width = len(header)
    next_cells = reader.__next__
    start = 2
    while True:
        try:
            cells = next_cells()
            while not cells:  # DictReader skips blank lines without yielding
                cells = next_cells()
        except StopIteration:
            return
        if len(cells) > width:
            yield start, None, f"{len(cells) - width} more cells than the header has columns"
        else:
            row = dict(zip(header, cells))
            if len(cells) < width:
                for name in header[len(cells):]:
                    row[name] = None
            if any(row.values()):  # else every value is None or "": an empty row, skipped
                yield start, row, None
        # As before: the next record is numbered from the end of this one, so a record after
        # blank lines is reported at the first blank line (DictReader numbering, kept as is).
        start = reader.line_num + 1


def _store(db: Database, batch: list[dict[str, Any]], report: "ImportReport", engine) -> None:
    report.stored.add(save_listings(db, batch, source="import"))
    if engine is not None:
        from monitor.flagging import score_keys

        report.flags += score_keys(db, engine, [(r["site"], r["listing_id"]) for r in batch])


def read_file(path: Path) -> tuple[str, str, list[str]]:
    """(text, format, unknown columns); ValueError for a file that cannot be imported at all."""
    raw_bytes = path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8-sig")  # Excel writes a BOM before UTF-8 CSV
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    del raw_bytes
    fmt = _detect_format(path, text[:200])
    unknown: list[str] = []
    if fmt == "csv":
        header = next(csv.reader(_csv_lines(text, newline="\n")), [])  # as csv.reader(io.StringIO(text))
        unknown = _check_header(path, header)
    return text, fmt, unknown


def _check_header(path: Path, header: list[str]) -> list[str]:
    """The unknown columns of a CSV header; ValueError if a required one is missing."""
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValueError(f"{path}:1: the header lacks required column(s) {', '.join(missing)}; "
                         f"expected columns: {', '.join(COLUMNS)}")
    return [c for c in header if c not in COLUMNS and c not in OPTIONAL_COLUMNS]


def check_utf8(path: Path) -> None:
    """read_file's encoding check alone, reading the file in parts: the same ValueError for a
    file that is not UTF-8 text, without holding its text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            for part in iter(lambda: fh.read(1 << 24), b""):
                decoder.decode(part)
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        read_file(path)  # raises the ValueError, naming the byte as it always has
        raise


def _decoded_pieces(path: Path, raw: bytes, size: int = 1 << 22) -> Iterator[str]:
    """raw.decode("utf-8-sig") in pieces (see _pieces), decoded as they are needed. Cuts are
    made just after a b"\n": that byte is never part of a longer UTF-8 sequence, so each
    piece decodes on its own to the text between the cuts."""
    start, end = 0, len(raw)
    while start < end:
        cut = raw.find(b"\n", start + size)
        cut = end if cut < 0 else cut + 1
        try:
            yield raw[start:cut].decode("utf-8-sig" if start == 0 else "utf-8")
        except UnicodeDecodeError:
            read_file(path)  # raises the ValueError of a whole-file read
            raise
        start = cut


def _read_pieces(path: Path) -> tuple[Iterator[str], str, list[str]]:
    """read_file for the import worker: the same format, columns and errors, but the text as
    pieces decoded while the rows are read, so that the first batch is ready without
    decoding the whole file first (≈ 0.15 s for 138 MB). The writer checks the whole file's
    encoding meanwhile (check_utf8) and stores nothing before that check has passed."""
    raw = path.read_bytes()
    pieces = _decoded_pieces(path, raw)
    first = next(pieces, "")
    pieces = chain([first], pieces)
    fmt = _detect_format(path, first[:200])  # a piece is the whole text or far longer than 200
    unknown: list[str] = []
    if fmt == "csv":
        pieces, header_pieces = tee(pieces)
        header = next(csv.reader(_csv_lines(header_pieces, newline="\n")), [])  # as in read_file
        del header_pieces
        unknown = _check_header(path, header)
    return pieces, fmt, unknown


def _batches(path: Path, text: str | Iterator[str], fmt: str, *, site: str | None, default_time: str,
             categories: tuple[str, ...], staged: bool = False, size: int | None = None) -> Iterator[tuple[int, list[tuple[int, str]], list]]:
    """(records read, bad rows, good rows) per batch of BATCH good rows, the last one short.
    Good rows are normalise_row dicts, or with ``staged`` rows for a staging file
    (``monitor.store.listings.stage_batch``).

    The only place rows are read and validated, for both ways of importing, so both store
    the same batches and report the same lines."""
    csv_mode = fmt == "csv"
    size = size or BATCH
    normalise = (lambda raw, site, default_time, csv_mode, categories: _normalise(
        raw, site, default_time, csv_mode, categories, True)) if staged else (
        lambda raw, site, default_time, csv_mode, categories: normalise_row(
            raw, default_site=site, default_time=default_time, csv_mode=csv_mode, categories=categories))
    batch: list = []
    skipped: list[tuple[int, str]] = []
    rows = 0
    append = batch.append
    for line, raw, error in read_records(path, text, fmt):
        rows += 1
        if error:
            skipped.append((line, error))
            continue
        try:
            append(normalise(raw, site, default_time, csv_mode, categories))
        except RowError as exc:
            skipped.append((line, str(exc)))
            continue
        if len(batch) >= size:
            yield rows, skipped, batch
            batch, skipped, rows = [], [], 0
            append = batch.append
    yield rows, skipped, batch


# Files at least this big are parsed and validated in a second process while this one
# writes; below it, starting that process (about 0.3 s) costs more than it saves.
PARALLEL_MIN_BYTES = 8_000_000
# Batches the worker may run ahead of the writer (each a staging file of about 3 MB): enough
# for a writer that is the slower side to find STAGED_GROUP batches ready at once.
_AHEAD = 2 * STAGED_GROUP
# The store connection's page cache during an import, in KiB (SQLite's default is 2 MiB). A
# batch inserts at random places in the listings indexes (last seen, seller id and name) and
# the full-text index; with the default cache most of those pages were read again from the
# file for every batch (≈ 7 µs per listing at 200,000 listings). Set back afterwards.
IMPORT_CACHE_KIB = 64 * 1024
# The connection's WAL auto-checkpoint during an import, in pages (SQLite's default: 1,000). A
# transaction of the import writes more than that, so with the default every commit was
# followed by a checkpoint copying all its pages into the database file (and two fsyncs); at
# 16,384 pages (64 MiB) it runs after every second or third transaction and copies the pages
# they share (index and full-text pages) once. The WAL file grows larger (105 MB in a
# 200,000-row import, 35 MB before); SQLite reuses it.
IMPORT_WAL_AUTOCHECKPOINT = 16384


def import_file(db: Database, path: str | Path, *, site: str | None = None, engine=None,
                parallel: bool | None = None) -> ImportReport:
    """Store every good row, report every bad one by line; a second import changes nothing.

    With an ``engine`` (``monitor.flagging.engine_for``) each stored batch is scored too.
    ``parallel``: parse and validate in a worker process while this one writes (default:
    for files of PARALLEL_MIN_BYTES or more, on a machine with more than one core). Both
    ways store the same batches and give the same report."""
    path = Path(path)
    # Rows without observed_at take the file's modification time, so that importing the
    # same file again is recognised as the same observation.
    default_time = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(microsecond=0)
    default_time_text = default_time.isoformat().replace("+00:00", "Z")
    categories = known_categories()
    if parallel is None:
        parallel = (os.cpu_count() or 1) > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES
    with _import_settings(db):
        # A staging file cannot be attached inside a transaction; an embedded Python may have no
        # interpreter to start.
        if parallel and not db.conn.in_transaction and sys.executable:
            return _import_parallel(db, path, site=site, engine=engine, default_time=default_time_text,
                                    categories=categories)
        return _import_here(db, path, site=site, engine=engine, default_time=default_time_text,
                            categories=categories)


@contextmanager
def _import_settings(db: Database) -> Iterator[None]:
    """The connection's page cache raised to IMPORT_CACHE_KIB and its WAL auto-checkpoint to
    IMPORT_WAL_AUTOCHECKPOINT pages for the import (never lowered); set back afterwards."""
    conn = db.conn
    restore = []
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    kib = -cache if cache < 0 else cache * conn.execute("PRAGMA page_size").fetchone()[0] // 1024
    if kib < IMPORT_CACHE_KIB:
        conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        restore.append(f"PRAGMA cache_size = {int(cache)}")
    pages = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    if 0 < pages < IMPORT_WAL_AUTOCHECKPOINT:  # 0: the caller checkpoints itself
        conn.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_WAL_AUTOCHECKPOINT}")
        restore.append(f"PRAGMA wal_autocheckpoint = {int(pages)}")
    try:
        yield
    finally:
        for statement in restore:
            conn.execute(statement)


def _import_here(db: Database, path: Path, *, site, engine, default_time: str, categories) -> ImportReport:
    text, fmt, unknown = read_file(path)
    report = ImportReport(path=str(path), unknown_columns=unknown)
    for rows, skipped, batch in _batches(path, text, fmt, site=site, default_time=default_time,
                                         categories=categories):
        report.rows += rows
        report.skipped += skipped
        if batch:
            _store(db, batch, report, engine)
    return report


def _import_parallel(db: Database, path: Path, *, site, engine, default_time: str, categories) -> ImportReport:
    # The worker is a plain `python -c` child, not multiprocessing: a spawned multiprocessing
    # child re-imports the caller's __main__ module, which breaks any script without a
    # `if __name__ == "__main__":` guard, and forking a process that holds SQLite connections
    # is unsafe. Messages are pickles on the child's stdout, read by a thread into a queue so
    # that the writer can see which batches are ready without waiting; the parent acknowledges
    # each batch on the child's stdin, so the child runs at most _AHEAD batches ahead.
    import pickle
    import queue
    import shutil
    import subprocess
    import tempfile
    import threading

    report = ImportReport(path=str(path))
    # Without scoring, the batches already staged when the writer is free (up to STAGED_GROUP)
    # are stored in one transaction. With scoring, one batch at a time as before: each batch
    # is scored before the next one is stored, so scores see the store as they always did.
    group = min(STAGED_GROUP, _attach_room(db)) if engine is None else 1
    work = tempfile.mkdtemp(prefix="monitor-import-")
    package_root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-c", "from monitor.importer import _worker_main; _worker_main()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    messages: queue.Queue = queue.Queue()

    def receive() -> None:  # the reader thread: every message, then ("end",) at the end of the stream
        try:
            while True:
                messages.put(pickle.load(proc.stdout))
        except EOFError:
            messages.put(("end",))
        except BaseException as exc:  # noqa: BLE001 - raised by the writer
            messages.put(("error", exc))

    reader = threading.Thread(target=receive, name="import-worker-reader", daemon=True)
    reader.start()
    try:
        pickle.dump((str(path), site, default_time, categories, work, engine is not None, BATCH), proc.stdin)
        proc.stdin.flush()
        # The whole file's encoding, checked here while the worker starts and decodes only what
        # it reads: an unreadable file is refused before anything is stored, as before.
        check_utf8(path)
        held = None  # a message taken from the queue while gathering batches, handled next
        while True:
            message, held = (held, None) if held is not None else (messages.get(), None)
            kind = message[0]
            if kind == "end":  # the worker sends "done" after its last batch; without it, it failed
                code = proc.wait()
                raise RuntimeError(f"{path}: the import worker process ended early (exit code {code})")
            if kind == "header":
                report.unknown_columns = message[1]
            elif kind == "batch":
                batches = [message]
                while len(batches) < group:  # the batches already staged go in the same transaction
                    try:
                        more = messages.get_nowait()
                    except queue.Empty:
                        break
                    if more[0] == "batch":
                        batches.append(more)
                    else:
                        held = more
                        break
                _store_staged(db, batches, report, engine)
                try:
                    proc.stdin.write(b"." * len(batches))  # consumed: the worker may stage as many more
                    proc.stdin.flush()
                except BrokenPipeError:  # it has sent its last batch and exited
                    pass
            elif kind == "error":
                raise message[1]
            else:  # done
                break
        proc.wait(30)
        return report
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(30)  # the child is gone, so its stdout is at its end
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(work, ignore_errors=True)


def _attach_room(db: Database) -> int:
    """How many more databases the connection can attach (at least 1: as before, an ATTACH
    past the limit fails with SQLite's own error)."""
    conn = db.conn
    attached = sum(1 for row in conn.execute("PRAGMA database_list") if row[1] not in ("main", "temp"))
    return max(1, conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) - attached)


def _store_staged(db: Database, batches: list[tuple], report: ImportReport, engine) -> None:
    """Report and store staged batches (``("batch", rows, skipped, stage, seen, keys)`` messages), in order."""
    from monitor.store.listings import save_staged

    staged = []
    for _, rows, skipped, stage, seen, _keys in batches:
        report.rows += rows
        report.skipped += skipped
        if stage is not None:
            staged.append((stage, seen))
    try:
        if staged:
            for result in save_staged(db, staged, source="import"):
                report.stored.add(result)
    finally:
        for stage, _ in staged:
            os.unlink(stage)
    if engine is not None:
        from monitor.flagging import score_keys

        for *_, stage, _seen, keys in batches:
            if stage is not None:
                report.flags += score_keys(db, engine, keys)


def _worker_main() -> None:
    """The import's second process: read, validate and stage batches, in file order."""
    import gc
    import pickle

    from monitor.store.listings import stage_batch

    # The worker's objects (decoded rows, their batch) hold no reference cycles and are freed
    # by reference counting as each batch is done; the cyclic collector would only walk the
    # rows of the batch being built again and again (≈ 2 µs per row, measured). The worker is
    # its own short-lived process, so switching it off here affects nothing else.
    gc.disable()
    out = os.fdopen(os.dup(1), "wb")  # messages only: anything printed goes to stderr
    os.dup2(2, 1)
    acks = sys.stdin.buffer

    def send(message) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        path, site, default_time, categories, work, want_keys, size = pickle.load(acks)
        text, fmt, unknown = _read_pieces(Path(path))
        send(("header", unknown))
        for number, (rows, skipped, batch) in enumerate(_batches(Path(path), text, fmt, site=site,
                                                                 default_time=default_time,
                                                                 categories=categories, staged=True,
                                                                 size=size)):
            if number >= _AHEAD and not acks.read(1):
                return  # the writer has gone
            stage, seen, keys = None, 0, None
            if batch:
                stage = os.path.join(work, f"batch-{number}.db")
                seen = stage_batch(stage, batch)
                if want_keys:
                    keys = [(r[0], r[1]) for r in batch]
            send(("batch", rows, skipped, stage, seen, keys))
        send(("done",))
    except BrokenPipeError:
        return
    except BaseException as exc:  # noqa: BLE001 - handed to the writer, which raises it
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001
            import traceback

            exc = RuntimeError(f"import worker: {''.join(traceback.format_exception(exc))}")
        try:
            send(("error", exc))
        except BrokenPipeError:
            pass
