"""`monitor demo`: the README's first command, end to end, as a user runs it: three marketplaces
crawled and summarised, then the review app served while the marketplaces stay up on the ports
monitor.yaml names, so a complaint on a listing the analyst sees in the queue is crawled at once,
as in a deployment (found by trying the complaint form in the demo: every URL was "no profile").

One run of the demo for both, because it is the suite's slowest step; `--no-serve` is run by
tests/test_wheel.py from the installed wheel."""

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


def _read_until(proc: subprocess.Popen, pattern: str, timeout: float) -> str:
    """What the demo printed up to the first line matching ``pattern``."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
    raise AssertionError(f"no line matching {pattern!r} from the demo:\n{''.join(seen)}")


def _summary_is_right(out: str, db_path: Path, tmp_path: Path) -> None:
    total = int(re.search(r"(\d+) listings from 3 marketplaces", out).group(1))
    assert total >= 240
    db = sqlite_utils.Database(db_path)
    per_site = dict(db.execute("SELECT site, count(*) FROM listings GROUP BY site").fetchall())
    assert set(per_site) == {"greenmart", "baihuo", "kuaigou"} and sum(per_site.values()) == total
    assert all(n >= 80 for n in per_site.values())
    statuses = dict(db.execute("SELECT site, status FROM crawl_runs").fetchall())
    assert statuses == {"greenmart": "completed", "baihuo": "completed", "kuaigou": "completed"}
    for site in per_site:
        assert site in out
    # The rule engine finds the planted cases and leaves genuine listings and hard negatives alone.
    found, planted, wrong, clean = map(int, re.search(
        r"planted cases found: (\d+) of (\d+); genuine listings and hard negatives flagged: (\d+) of (\d+)",
        out).groups())
    assert found >= 0.9 * planted and wrong <= 0.05 * clean
    assert db.execute("SELECT count(*) FROM flags WHERE status = 'open'").fetchone()[0] >= found
    # Packages made from the demo are signed: its key is made once, its owner's alone.
    key = tmp_path / "signing-key.pem"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert "demo signing key" in out and "fingerprint" in out


@pytest.mark.timeout(900)
@pytest.mark.skipif(any(_taken(p) for p in PORTS), reason="ports 8101-8103 are in use on this machine")
def test_demo_crawls_summarises_and_serves_with_its_marketplaces_up_for_a_complaint(tmp_path: Path):
    db_path = tmp_path / "demo.db"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_DB"}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--db", str(db_path), "demo", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out = _read_until(proc, r"Review queue: http://127\.0\.0\.1:\d+/", timeout=600)
        _summary_is_right(out, db_path, tmp_path)
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
