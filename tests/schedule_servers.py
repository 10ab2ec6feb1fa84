"""Test helpers for the scheduler: a slow shop, a shop that never answers, the scheduler as a process."""

from __future__ import annotations

import os
import signal
import sqlite3
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import sqlite_utils

from tests.conftest import ROOT


class SlowProxy:
    """A demo marketplace behind a delay per request: a crawl that takes seconds, not one.

    ``delay`` can be changed while it runs (0 makes the next crawl fast again).
    """

    def __init__(self, target: str, delay: float):
        self.target = target.rstrip("/")
        self.delay = delay
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                time.sleep(proxy.delay)
                try:
                    with urllib.request.urlopen(proxy.target + self.path, timeout=10) as upstream:
                        status, body, ctype = upstream.status, upstream.read(), upstream.headers.get("Content-Type")
                except urllib.error.HTTPError as exc:
                    status, body, ctype = exc.code, exc.read(), exc.headers.get("Content-Type")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype or "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the crawl was killed mid-response
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A killed crawl drops its connections mid-request: expected here, not worth a traceback.
        self.server.handle_error = lambda request, client_address: None
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SilentServer:
    """Accepts connections and never answers: a shop that hangs every request."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.conns: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self):
        self._closed = True
        self.sock.close()
        for conn in self.conns:
            conn.close()


def monitor_cmd(db_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "monitor", "--db", str(db_path), *args]


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("MONITOR_DB", "MONITOR_CONFIG")}


class Scheduler:
    """`monitor schedule` as a real process, its output in a file."""

    def __init__(self, db_path: Path, config: Path, log: Path):
        self.log = log
        self.handle = open(log, "ab")
        self.proc = subprocess.Popen(monitor_cmd(db_path, "schedule", "--config", str(config)), cwd=ROOT,
                                     env=clean_env(), stdout=self.handle, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self.handle.close()
        return code


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def query(db_path: Path, sql: str, params=()) -> list[dict]:
    """Rows, or [] while the store is still being created: the scheduler process applies the
    migrations one by one, so a table or column a later one adds may not exist yet."""
    if not Path(db_path).exists():
        return []
    db = sqlite_utils.Database(db_path)
    try:
        return list(db.execute_returning_dicts(sql, params))
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc) or "no such column" in str(exc):
            return []
        raise
    finally:
        db.close()


def _stat(pid: int | str) -> tuple[str, int] | None:
    """(state, process group) of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0], int(fields[2])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def group_members(pgid: int) -> list[int]:
    """Live processes (zombies excluded) of a process group, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        stat = _stat(entry) if entry.isdigit() else None
        if stat and stat[1] == pgid and stat[0] != "Z":
            members.append(int(entry))
    return members


def kill_groups(pids) -> None:
    """Teardown: no crawl of a failed test may outlive it."""
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
