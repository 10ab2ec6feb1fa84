"""A parallel import: the parse worker (``monitor.ingest.worker``) reads, validates and stages
batches in a second process while this one stores them.

The worker is a plain ``python -c`` child, not multiprocessing: a spawned multiprocessing
child re-imports the caller's __main__ module, which breaks any script without a
``if __name__ == "__main__":`` guard, and forking a process that holds SQLite connections is
unsafe. Messages are pickles on the child's stdout, read by a thread into a queue so that the
writer can see which batches are ready without waiting; the parent acknowledges each batch on
the child's stdin, so the child runs at most ``AHEAD`` batches ahead.
"""

from __future__ import annotations

import os
import pickle
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.ingest import batches as batching
from monitor.ingest.parse import check_utf8
from monitor.ingest.write import ImportReport, attach_room, write_staged
from monitor.store.staging import STAGED_GROUP

if TYPE_CHECKING:
    from sqlite_utils import Database

_WORKER = "from monitor.ingest.worker import worker_main; worker_main()"
# The folder holding the monitor package, for the child's PYTHONPATH (the package may not be installed).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def import_parallel(db: Database, path: Path, *, site, engine, default_time: str, categories) -> ImportReport:
    """import_file's work with the parse worker; the same batches stored, the same report."""
    report = ImportReport(path=str(path))
    # Without scoring, the batches already staged when the writer is free (up to STAGED_GROUP)
    # are stored in one transaction. With scoring, one batch at a time as before: each batch
    # is scored before the next one is stored, so scores see the store as they always did.
    group = min(STAGED_GROUP, attach_room(db)) if engine is None else 1
    work = tempfile.mkdtemp(prefix="monitor-import-")
    worker = None
    try:
        worker = _ParseWorker()
        worker.send_job((str(path), site, default_time, categories, work, engine is not None, batching.BATCH))
        # The whole file's encoding, checked here while the worker starts and decodes only what
        # it reads: an unreadable file is refused before anything is stored, as before.
        check_utf8(path)
        _store_messages(db, worker, report, engine, group, path)
        worker.proc.wait(30)
        return report
    finally:
        if worker is not None:
            worker.close()
        shutil.rmtree(work, ignore_errors=True)


def _store_messages(db: Database, worker: _ParseWorker, report: ImportReport, engine, group: int,
                    path: Path) -> None:
    """Handle the worker's messages until its "done": the header's unknown columns, batches
    stored (up to ``group`` ready ones together) and acknowledged, its errors raised."""
    held = None  # a message taken from the queue while gathering batches, handled next
    while True:
        message, held = (held, None) if held is not None else (worker.messages.get(), None)
        kind = message[0]
        if kind == "end":  # the worker sends "done" after its last batch; without it, it failed
            code = worker.proc.wait()
            raise RuntimeError(f"{path}: the import worker process ended early (exit code {code})")
        if kind == "header":
            report.unknown_columns = message[1]
        elif kind == "batch":
            ready, held = worker.ready_batches(message, group)
            write_staged(db, ready, report, engine)
            worker.acknowledge(len(ready))
        elif kind == "error":
            raise message[1]
        else:  # done
            return


class _ParseWorker:
    """The child process and the thread that reads its messages into ``messages``."""

    def __init__(self):
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-c", _WORKER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env)
        self.messages: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._receive, name="import-worker-reader", daemon=True)
        self.reader.start()

    def _receive(self) -> None:  # the reader thread: every message, then ("end",) at the end of the stream
        try:
            while True:
                self.messages.put(pickle.load(self.proc.stdout))
        except EOFError:
            self.messages.put(("end",))
        except BaseException as exc:  # noqa: BLE001 - raised by the writer
            self.messages.put(("error", exc))

    def send_job(self, job: tuple) -> None:
        pickle.dump(job, self.proc.stdin)
        self.proc.stdin.flush()

    def ready_batches(self, first: tuple, group: int) -> tuple[list[tuple], tuple | None]:
        """``first`` and the batch messages already queued behind it, up to ``group`` in all
        (they go in the same transaction), and the non-batch message taken meanwhile, if any."""
        ready = [first]
        while len(ready) < group:
            try:
                more = self.messages.get_nowait()
            except queue.Empty:
                break
            if more[0] != "batch":
                return ready, more
            ready.append(more)
        return ready, None

    def acknowledge(self, consumed: int) -> None:
        """Batches stored: the worker may stage as many more."""
        try:
            self.proc.stdin.write(b"." * consumed)
            self.proc.stdin.flush()
        except BrokenPipeError:  # it has sent its last batch and exited
            pass

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(30)  # the child is gone, so its stdout is at its end
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
