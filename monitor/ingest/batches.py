"""A file's records read and validated in batches: the one place an import gets its rows.

Both ways of importing (in this process, or in the parse worker of a parallel import) read
their rows here, so both store the same batches and report the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from monitor.ingest.normalise import RowError, normalise_row
from monitor.ingest.parse import read_records

# Good rows per batch: each batch is stored (and scored) in one transaction (without scoring, a
# parallel import stores up to STAGED_GROUP ready ones together). Small enough that an import
# leaves the review app's writes a moment between its transactions (monitor.ingest.write).
BATCH = 1000


class Batch(NamedTuple):
    rows: int  # records read
    skipped: list[tuple[int, str]]  # (line, reason) of the bad ones
    repaired: list[tuple[int, str]]  # (line, "field: what was done; ...") of good rows repaired
    good: list  # the good rows


def _as_dict(raw, site, default_time, csv_mode, categories) -> dict:
    return normalise_row(raw, default_site=site, default_time=default_time, csv_mode=csv_mode,
                         categories=categories)


def read_batches(path: Path, text: str | Iterator[str], fmt: str, *, site: str | None, default_time: str,
                 categories: tuple[str, ...], row: Callable = _as_dict,
                 size: int | None = None) -> Iterator[Batch]:
    """A Batch per ``size`` (default BATCH) good rows, the last one short. A good row is
    ``row(raw, site, default_time, csv_mode, categories)``: a normalise_row dict by default;
    the parse worker makes staging rows instead. Rows whose text was repaired (``monitor.listing.repair_fields``)
    are good rows, and are listed in the batch's ``repaired`` too."""
    csv_mode = fmt == "csv"
    size = size or BATCH
    batch: list = []
    skipped: list[tuple[int, str]] = []
    repaired: list[tuple[int, str]] = []  # read_records adds to this one list; each Batch gets a copy
    rows = 0
    append = batch.append
    for line, raw, error in read_records(path, text, fmt, repaired):
        rows += 1
        if error:
            skipped.append((line, error))
            continue
        try:
            append(row(raw, site, default_time, csv_mode, categories))
        except RowError as exc:
            skipped.append((line, str(exc)))
            if repaired and repaired[-1][0] == line:
                repaired.pop()  # skipped after all: reported once, as skipped
            continue
        if len(batch) >= size:
            yield Batch(rows, skipped, repaired[:], batch)
            batch, skipped, rows = [], [], 0
            repaired.clear()
            append = batch.append
    yield Batch(rows, skipped, repaired[:], batch)
