"""Reading analysts' CSV rule files with line numbers, and writing them back atomically."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from monitor.yamlfile import YamlError

# Spreadsheets write CSV; the same "file:line: field: problem" errors as the YAML packs.
RuleFileError = YamlError


def read_rows(path: Path, required: tuple[str, ...], known: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) per data row; raises RuleFileError for a file that cannot be read at all."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RuleFileError(path, [(None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise RuleFileError(path, [(None, "", f"not UTF-8 (byte {exc.start}); save the file as UTF-8 CSV")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    problems = []
    missing = [c for c in required if c not in header]
    if missing:
        problems.append((1, "", f"missing column(s) {', '.join(missing)}; expected {', '.join(known)}"))
    unknown = [c for c in header if c not in known]
    if unknown:
        problems.append((1, "", f"unknown column(s) {', '.join(unknown)}; expected {', '.join(known)}"))
    if problems:
        raise RuleFileError(path, problems)
    line = 2
    for row in reader:
        if None in row:
            raise RuleFileError(path, [(line, "", "more cells than the header has columns (a comma inside a value "
                                                   "needs quotes)")])
        if any((v or "").strip() for v in row.values()):
            yield line, {k: (v or "").strip() for k, v in row.items()}
        line = reader.line_num + 1


def split_list(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in value.split("|") if p.strip()))


def parse_bool(value: str, field: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("", "false", "no", "0", "n"):
        return False
    if lowered in ("true", "yes", "1", "y"):
        return True
    raise ValueError(f"{field}: {value!r} is not true or false")


def write_rows(path: Path, columns: Iterable[str], rows: Iterable[dict[str, str]]) -> None:
    """Write a CSV in one step: a crash never leaves a half-written rule file."""
    columns = list(columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: row.get(c, "") for c in columns})
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
