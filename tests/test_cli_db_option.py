"""`--db FILE` after the subcommand (and after a subgroup's subcommand) works as before it, and wins."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def monitor(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "MONITOR_DB"} | (env or {})
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=120)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_db_after_the_subcommand_wins_over_the_one_before_and_the_environment(tmp_path):
    after, before, from_env = tmp_path / "after.db", tmp_path / "before.db", tmp_path / "env.db"
    proc = monitor("--db", str(before), "runs", "--json", "--db", str(after), cwd=tmp_path,
                   env={"MONITOR_DB": str(from_env)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert "crawl_runs" in tables(after)  # created and migrated there
    assert not before.exists() and not from_env.exists() and not (tmp_path / "data").exists()


def test_db_after_a_subgroups_subcommand(tmp_path):
    path = tmp_path / "users.db"
    added = monitor("users", "add", "alice", "--role", "lead", "--generate", "--db", str(path), cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    listed = monitor("--db", str(path), "users", "list", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith("alice\tlead\tactive"), listed.stdout + listed.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE name = 'alice'").fetchone() == (1,)


def test_db_only_before_the_subcommand_still_works(tmp_path):
    path = tmp_path / "only-before.db"
    proc = monitor("--db", str(path), "runs", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "crawl_runs" in tables(path) and not (tmp_path / "data").exists()


def test_every_command_offers_db_in_its_help():
    proc = subprocess.run([sys.executable, "-m", "monitor", "demo", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and "--db FILE" in proc.stdout
