"""Shared fixtures: a real SQLite file, the demo marketplaces over real HTTP, the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor import settings
from monitor.crawl.browser import BrowserNotFound, find_chromium

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
ARTIFACTS = ROOT / "test-artifacts"


def shared_or_skip(path: Path) -> Path:
    """``path`` under ../shared when it exists; else skip with the reason. A user's clone has no
    ../shared, so those tests skip there; CI has it and sets MONITOR_REQUIRE_SHARED=1, which
    turns the skip into a failure so that a missing folder cannot pass unnoticed."""
    if path.exists():
        return path
    reason = f"{path} is not present (the independent data kept beside the project, outside the repository; the README's Evaluation section)"
    if settings.env("MONITOR_REQUIRE_SHARED"):
        pytest.fail(f"MONITOR_REQUIRE_SHARED=1 but {reason}")
    pytest.skip(reason)


def chromium_or_skip() -> str:
    """The Chromium the project itself would launch (``monitor.crawl.browser.find_chromium``:
    MONITOR_CHROMIUM, else the system package on PATH, else Playwright's own); without one, skip
    with the lookup's reason. CI installs Chromium and sets CI=true: there a missing browser fails."""
    try:
        return find_chromium()
    except BrowserNotFound as exc:
        if settings.env("CI"):
            pytest.fail(f"CI=true but no browser was found: {exc}")
        pytest.skip(f"no browser: {exc}")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser's path (see ``chromium_or_skip``)."""
    return chromium_or_skip()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "monitor.db"


@pytest.fixture
def db(db_path):
    from monitor.store import open_db

    database = open_db(db_path)
    yield database
    database.close()


def run_monitor(*args: str, db_path: Path | None = None, timeout: float = 240, env: dict | None = None,
                check: bool = False) -> subprocess.CompletedProcess:
    """Run the real `monitor` command in a subprocess, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if k != "MONITOR_DB"}
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "monitor"]
    if db_path is not None:
        cmd += ["--db", str(db_path)]
    proc = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"monitor {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def marketplaces():
    """The three demo marketplaces on free ports for the whole session (day 1)."""
    from monitor.demo.marketplaces import DemoMarketplaces

    with DemoMarketplaces(host="127.0.0.1", base_port=None, day=1) as markets:
        yield markets
