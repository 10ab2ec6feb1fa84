"""Reading files of listings: JSON Lines or CSV (TSV) in the import columns, as records.

The first step of an import (``monitor.ingest.importing``) and of ``monitor score``: the file
is checked as a whole first (UTF-8, a CSV header with the required columns), then read
record by record with its line numbers. What a record's values mean is
``monitor.ingest.normalise``'s business.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from itertools import chain, tee
from pathlib import Path
from typing import Any

from monitor.listing import JSON_ESCAPE, UNSTORABLE, repair_fields

COLUMNS = (
    "site", "id", "url", "title", "description", "brand", "category", "price", "currency",
    "seller_id", "seller_name", "seller_url", "seller_location", "images", "attributes", "observed_at",
)
OPTIONAL_COLUMNS = ("availability", "seller_rating", "seller_rating_count", "sku", "mpn", "gtin", "currency_raw",
                    "sales_count")
REQUIRED = ("id", "url", "title")


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


# str.splitlines also breaks at U+0085, U+2028 and U+2029, which JSON allows unescaped inside
# a string (json.dumps(..., ensure_ascii=False) writes them as they are): a title holding one
# was cut in two and its line refused as "not valid JSON". Those three are no line break of a
# JSON Lines file; the other breaks splitlines knows are kept (inside a JSON string they are
# invalid anyway), so line numbers stay as they were.
_JSON_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e]")
_NOT_BREAKS = ("\x85", "\u2028", "\u2029")


def _json_lines(piece: str) -> list[str]:
    """piece.splitlines(), but not at U+0085, U+2028 or U+2029."""
    if piece.isascii() or not any(c in piece for c in _NOT_BREAKS):
        return piece.splitlines()
    lines = _JSON_LINE_BREAK.split(piece)
    if lines and not lines[-1]:
        lines.pop()  # splitlines gives no empty line after a final line break
    return lines


def _splitlines(text: str | Iterator[str]) -> Iterator[str]:
    """The JSON Lines of text (_json_lines), a megabyte at a time: the first rows are read
    without splitting the whole file first (≈ 0.2 s for 138 MB, which the writer would wait for)."""
    return chain.from_iterable(map(_json_lines, _pieces(text)))


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


def read_records(path: Path, text: str | Iterator[str], fmt: str,
                 repairs: list[tuple[int, str]] | None = None,
                 ) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row or None, error) for each record; ``text`` is the file's text, or its
    pieces (see _pieces). A record's text that cannot be stored as it is (lone surrogates,
    control characters) is repaired (``monitor.listing.repair_fields``) and, with ``repairs``, reported there as
    (line, "field: what was done; ...")."""
    repair_row = _row_repair(repairs)
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
            # JSON text holds no raw control character (json refuses them) and, decoded from
            # UTF-8, no surrogate: only an escape can put one in a value, so a line without a
            # backslash is clean (one substring test; most lines of an export).
            if "\\" in line and JSON_ESCAPE.search(line):
                repair_row(number, row)
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
                # A CSV cell may hold any character but a surrogate (the text is decoded UTF-8),
                # and an images or attributes cell JSON escapes of the rest.
                joined = "".join(cells)
                if _unstorable(joined) or ("\\" in joined and JSON_ESCAPE.search(joined)):
                    repair_row(start, row)
                yield start, row, None
        # As before: the next record is numbered from the end of this one, so a record after
        # blank lines is reported at the first blank line (DictReader numbering, kept as is).
        start = reader.line_num + 1


_unstorable = UNSTORABLE.search


# The fields whose text may itself be JSON (normalise decodes it): an escape in it can hide a
# control character or a lone surrogate from the check of the record's own text.
_JSON_FIELDS = ("images", "attributes")


def _row_repair(repairs: list[tuple[int, str]] | None):
    """A function repairing a record in place and noting (line, what) in ``repairs``."""
    def repair(number: int, row: dict[str, Any]) -> None:
        for name in _JSON_FIELDS:
            value = row.get(name)
            if value.__class__ is str and value.lstrip()[:1] in ("[", "{") and (
                    JSON_ESCAPE.search(value) or _unstorable(value)):
                try:
                    # strict=False: a raw control character inside the JSON's strings is
                    # decoded too, and then removed with the rest.
                    decoded = json.loads(value, strict=False)
                except ValueError:
                    continue  # normalise refuses it, naming the field
                if isinstance(decoded, (list, dict)):
                    row[name] = decoded  # what normalise would decode, repaired below like any value
        notes = repair_fields(row)
        if notes and repairs is not None:
            repairs.append((number, "; ".join(notes)))
    return repair


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


def read_pieces(path: Path) -> tuple[Iterator[str], str, list[str]]:
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
