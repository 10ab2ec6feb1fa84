"""Importing listings obtained elsewhere (platform exports, API dumps) from JSON Lines or CSV."""

from __future__ import annotations

import csv
from collections import Counter
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor.categories import known_categories
from monitor.listing import AVAILABILITY_VALUES
from monitor.store.listings import IMPORT_FIELDS, SaveResult, save_listings

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
               categories: tuple[str, ...]) -> tuple:
    """normalise_row's values, in IMPORT_FIELDS order."""
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
    return (site, listing_id, url, title, description, brand, category, price, currency, currency_raw, availability,
            seller_id, seller_name, seller_url, seller_location, seller_rating, seller_rating_count, images,
            attributes, sku, mpn, gtin, _timestamp(observed) if observed else default_time)


def _detect_format(path: Path, head: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "jsonl" if head.lstrip().startswith("{") else "csv"


def read_records(path: Path, text: str, fmt: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row or None, error) for each record."""
    if fmt == "jsonl":
        loads = json.loads
        decode_error = json.JSONDecodeError
        for number, line in enumerate(text.splitlines(), start=1):
            if not line or line.isspace():  # as `not line.strip()`
                continue
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
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
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
        header = next(csv.reader(io.StringIO(text)), [])
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ValueError(f"{path}:1: the header lacks required column(s) {', '.join(missing)}; "
                             f"expected columns: {', '.join(COLUMNS)}")
        unknown = [c for c in header if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    return text, fmt, unknown


def _batches(path: Path, text: str, fmt: str, *, site: str | None, default_time: str,
             categories: tuple[str, ...], as_values: bool = False, size: int | None = None) -> Iterator[tuple[int, list[tuple[int, str]], list]]:
    """(records read, bad rows, good rows) per batch of BATCH good rows, the last one short.
    Good rows are normalise_row dicts, or with ``as_values`` the same values as tuples in
    IMPORT_FIELDS order.

    The only place rows are read and validated, for both ways of importing, so both store
    the same batches and report the same lines."""
    csv_mode = fmt == "csv"
    size = size or BATCH
    normalise = _normalise if as_values else (
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
# Batches the worker may run ahead of the writer (each a staging file of a few MB).
_AHEAD = 3


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
    # A staging file cannot be attached inside a transaction; an embedded Python may have no
    # interpreter to start.
    if parallel and not db.conn.in_transaction and sys.executable:
        return _import_parallel(db, path, site=site, engine=engine, default_time=default_time_text,
                                categories=categories)
    text, fmt, unknown = read_file(path)
    report = ImportReport(path=str(path), unknown_columns=unknown)
    for rows, skipped, batch in _batches(path, text, fmt, site=site, default_time=default_time_text,
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
    # is unsafe. Messages are pickles on the child's stdout; the parent acknowledges each
    # batch on the child's stdin, so the child runs at most _AHEAD batches ahead.
    import pickle
    import shutil
    import subprocess
    import tempfile

    from monitor.store.listings import save_staged

    report = ImportReport(path=str(path))
    work = tempfile.mkdtemp(prefix="monitor-import-")
    package_root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-c", "from monitor.importer import _worker_main; _worker_main()"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    try:
        pickle.dump((str(path), site, default_time, categories, work, engine is not None, BATCH), proc.stdin)
        proc.stdin.flush()
        while True:
            try:
                message = pickle.load(proc.stdout)
            except EOFError:
                code = proc.wait()
                raise RuntimeError(f"{path}: the import worker process ended early (exit code {code})") from None
            kind = message[0]
            if kind == "header":
                report.unknown_columns = message[1]
            elif kind == "batch":
                _, rows, skipped, stage, seen, keys = message
                report.rows += rows
                report.skipped += skipped
                if stage is not None:
                    try:
                        report.stored.add(save_staged(db, stage, seen=seen, source="import"))
                    finally:
                        os.unlink(stage)
                    if engine is not None:
                        from monitor.flagging import score_keys

                        report.flags += score_keys(db, engine, keys)
                try:
                    proc.stdin.write(b".")  # one batch consumed: the worker may stage another
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
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(work, ignore_errors=True)


def _worker_main() -> None:
    """The import's second process: read, validate and stage batches, in file order."""
    import pickle

    from monitor.store.listings import stage_batch

    out = os.fdopen(os.dup(1), "wb")  # messages only: anything printed goes to stderr
    os.dup2(2, 1)
    acks = sys.stdin.buffer

    def send(message) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        path, site, default_time, categories, work, want_keys, size = pickle.load(acks)
        text, fmt, unknown = read_file(Path(path))
        send(("header", unknown))
        for number, (rows, skipped, batch) in enumerate(_batches(Path(path), text, fmt, site=site,
                                                                 default_time=default_time,
                                                                 categories=categories, as_values=True,
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
