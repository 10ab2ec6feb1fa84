"""The parse worker of a parallel import: a second process that reads, validates and stages
batches, in file order, while the importing process writes them (``monitor.ingest.parallel``).

Run as ``python -c "from monitor.ingest.worker import worker_main; worker_main()"``; it only
imports what reading and staging need (no rule engine), so that it starts quickly.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import traceback
from pathlib import Path

from monitor.ingest.batches import read_batches
from monitor.ingest.normalise import normalised_values
from monitor.ingest.parse import read_pieces
from monitor.listing import seller_key
from monitor.store.listings import json_text
from monitor.store.staging import STAGED_GROUP, stage_batch

# Batches the worker may run ahead of the writer (each a staging file of about 3 MB): enough
# for a writer that is the slower side to find STAGED_GROUP batches ready at once.
AHEAD = 2 * STAGED_GROUP


def staged_row(raw: dict, site: str | None, default_time: str, csv_mode: bool, categories: tuple[str, ...]) -> tuple:
    """A row for a staging file (``stage_batch``): ``stage_rows`` of the row's normalised values,
    without the round trip through a list (tests/test_import.py compares the two). The seller
    id falls back to the seller's URL or name, images and attributes become JSON, then come
    whether the row has a seller and whether its price is NaN."""
    (site, listing_id, url, title, description, brand, category, price, currency, currency_raw, availability,
     seller_id, seller_name, seller_url, seller_location, seller_rating, seller_rating_count, images, attributes,
     sku, mpn, gtin, observed, sales_count) = normalised_values(raw, site, default_time, csv_mode, categories)
    seller_id = seller_key(seller_id, seller_name, seller_url)
    return (site, listing_id, url, title, description, brand, category, price, currency, currency_raw, availability,
            seller_id, seller_name, seller_url, seller_location, seller_rating, seller_rating_count,
            json_text(images) if images else None, json_text(attributes) if attributes else None, sku, mpn, gtin,
            sales_count, observed, 1 if seller_id else 0, 1 if price.__class__ is float and price != price else 0)


def worker_main() -> None:
    """Read the job from stdin, then send ("header", unknown columns), one ("batch", rows,
    skipped, repaired, staging file, listings, keys) per batch and ("done",) as pickles on stdout; an
    exception is sent as ("error", exception) for the writer to raise. After AHEAD batches,
    each further batch waits for the writer's acknowledgement (a byte on stdin)."""
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
        _stage_file(pickle.load(acks), send, acks)
    except BrokenPipeError:
        return
    except BaseException as exc:  # noqa: BLE001 - handed to the writer, which raises it
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001
            exc = RuntimeError(f"import worker: {''.join(traceback.format_exception(exc))}")
        try:
            send(("error", exc))
        except BrokenPipeError:
            pass


def _stage_file(job: tuple, send, acks) -> None:
    path, site, default_time, categories, work, want_keys, size = job
    text, fmt, unknown = read_pieces(Path(path))
    send(("header", unknown))
    batches = read_batches(Path(path), text, fmt, site=site, default_time=default_time, categories=categories,
                           row=staged_row, size=size)
    for number, (rows, skipped, repaired, batch) in enumerate(batches):
        if number >= AHEAD and not acks.read(1):
            return  # the writer has gone
        stage, seen, keys = None, 0, None
        if batch:
            stage = os.path.join(work, f"batch-{number}.db")
            seen = stage_batch(stage, batch)
            if want_keys:
                keys = [(r[0], r[1]) for r in batch]
        send(("batch", rows, skipped, repaired, stage, seen, keys))
    send(("done",))
