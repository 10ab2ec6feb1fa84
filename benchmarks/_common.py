"""Helpers shared by the benchmarks: machine description, timing, peak memory of subprocesses."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PYTHON = sys.executable


def machine() -> str:
    """One line: date, cores, architecture, Python — written next to every figure."""
    date = subprocess.run(["date"], capture_output=True, text=True).stdout.strip()
    return (f"{date}; {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"SQLite {__import__('sqlite3').sqlite_version}")


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def _vm_value(pid: int, key: str) -> int | None:
    """A ``/proc/<pid>/status`` figure in bytes (VmHWM = peak RSS, VmRSS = current RSS)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


@dataclass
class ChildRun:
    returncode: int
    seconds: float
    peak_rss: int  # bytes, the child's VmHWM (highest resident set size) as last read
    stdout: str
    stderr: str


def run_child(args: list[str], *, env: dict | None = None, timeout: float = 1800, cwd: Path = REPO) -> ChildRun:
    """Run a Python child process, timing it and tracking its peak RSS.

    The peak is read from ``/proc/<pid>/status`` (VmHWM, which the kernel keeps as the
    high-water mark) every 50 ms and once more just before the process exits is reaped;
    it is the child's own peak, not its children's (the demo servers run elsewhere).
    """
    full_env = {**os.environ, **(env or {})}
    full_env.setdefault("PYTHONHASHSEED", "0")
    start = time.perf_counter()
    proc = subprocess.Popen([PYTHON, *args], cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def watch():
        nonlocal peak
        while not done.is_set():
            value = _vm_value(proc.pid, "VmHWM")
            if value:
                peak = max(peak, value)
            done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    return ChildRun(proc.returncode, seconds, peak, out, err)


def mib(n: int | float) -> str:
    return f"{n / 2**20:.0f} MiB"
