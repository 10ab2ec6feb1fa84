"""A file's records read and validated in batches: the one place an import gets its rows.

Both ways of importing (in this process, or in the parse worker of a parallel import) read
their rows here, so both store the same batches and report the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from monitor.ingest.normalise import RowError, normalise_row
from monitor.ingest.parse import read_records

# Good rows per batch: each batch is stored (and scored) in one transaction.
BATCH = 5000


def _as_dict(raw, site, default_time, csv_mode, categories) -> dict:
    return normalise_row(raw, default_site=site, default_time=default_time, csv_mode=csv_mode,
                         categories=categories)


def read_batches(path: Path, text: str | Iterator[str], fmt: str, *, site: str | None, default_time: str,
                 categories: tuple[str, ...], row: Callable = _as_dict,
                 size: int | None = None) -> Iterator[tuple[int, list[tuple[int, str]], list]]:
    """(records read, bad rows, good rows) per batch of ``size`` (default BATCH) good rows, the
    last one short. A good row is ``row(raw, site, default_time, csv_mode, categories)``:
    a normalise_row dict by default; the parse worker makes staging rows instead."""
    csv_mode = fmt == "csv"
    size = size or BATCH
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
            append(row(raw, site, default_time, csv_mode, categories))
        except RowError as exc:
            skipped.append((line, str(exc)))
            continue
        if len(batch) >= size:
            yield rows, skipped, batch
            batch, skipped, rows = [], [], 0
            append = batch.append
    yield rows, skipped, batch
