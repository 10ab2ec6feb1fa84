"""`monitor demo` serving the review app: its marketplaces stay up on the ports monitor.yaml
names, so a complaint on a listing the analyst sees in the queue is crawled at once, as in a
deployment (found by trying the complaint form in the demo: every URL was "no profile")."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from tests.conftest import ROOT, run_monitor
from tests.web_fixtures import free_port

PORTS = (8101, 8102, 8103)


def _taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_line(proc: subprocess.Popen, pattern: str, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matching {pattern!r} from the demo:\n{''.join(seen)}")


@pytest.mark.skipif(any(_taken(p) for p in PORTS), reason="ports 8101-8103 are in use on this machine")
def test_the_served_demo_keeps_its_marketplaces_up_and_a_complaint_is_crawled(tmp_path: Path):
    db_path = tmp_path / "demo.db"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_DB"}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--db", str(db_path), "demo", "--max-pages", "1",
                             "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        _wait_for_line(proc, r"Review queue: http://127\.0\.0\.1:\d+/", timeout=600)
        db = sqlite_utils.Database(db_path)
        url = db.execute("SELECT url FROM listings WHERE site = 'greenmart' ORDER BY id LIMIT 1").fetchone()[0]
        assert url.startswith("http://127.0.0.1:8101/"), url  # the configured site's address
        token = run_monitor("users", "token", "demo", db_path=db_path, check=True).stdout.strip()
        answer = httpx.post(f"http://127.0.0.1:{port}/api/complaints", timeout=300,
                            headers={"Authorization": f"Bearer {token}"},
                            json={"url": url, "source": "12315", "text": "疑似假冒，请核查"})
        assert answer.status_code == 201, answer.text
        complaint = answer.json()["complaint"]
        assert complaint["crawl_state"] == "crawled", complaint
        assert complaint["listing"] is not None
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert not any(_taken(p) for p in PORTS)  # stopped with the demo
