"""`monitor demo`: the README's first command, end to end, as a user runs it."""

from __future__ import annotations

import re

import sqlite_utils

from tests.conftest import run_monitor


def test_demo_crawls_three_marketplaces_and_summarises(tmp_path):
    db_path = tmp_path / "demo.db"
    proc = run_monitor("demo", "--no-serve", db_path=db_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    total = int(re.search(r"(\d+) listings from 3 marketplaces", proc.stdout).group(1))
    assert total >= 240
    db = sqlite_utils.Database(db_path)
    per_site = dict(db.execute("SELECT site, count(*) FROM listings GROUP BY site").fetchall())
    assert set(per_site) == {"greenmart", "baihuo", "kuaigou"} and sum(per_site.values()) == total
    assert all(n >= 80 for n in per_site.values())
    statuses = dict(db.execute("SELECT site, status FROM crawl_runs").fetchall())
    assert statuses == {"greenmart": "completed", "baihuo": "completed", "kuaigou": "completed"}
    for site in per_site:
        assert site in proc.stdout
    # The rule engine finds the planted cases and leaves genuine listings and hard negatives alone.
    found, planted, wrong, clean = map(int, re.search(
        r"planted cases found: (\d+) of (\d+); genuine listings and hard negatives flagged: (\d+) of (\d+)",
        proc.stdout).groups())
    assert found >= 0.9 * planted and wrong <= 0.05 * clean
    assert db.execute("SELECT count(*) FROM flags WHERE status = 'open'").fetchone()[0] >= found
    # Packages made from the demo are signed: its key is made once, its owner's alone.
    key = tmp_path / "signing-key.pem"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert "demo signing key" in proc.stdout and "fingerprint" in proc.stdout
