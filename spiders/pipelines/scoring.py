"""Scoring stored listings in a second process while the crawl goes on.

Scoring is CPU work; inside the crawl's own process it would slow fetching and parsing.
A child process (`python -m monitor.scoring.worker`) takes each stored batch's keys over a pipe,
scores them with the rules in force, and reports its counts when the crawl ends. If the
crawl process is killed, the child sees the pipe close, finishes what it has and exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import monitor
from monitor.scoring.active import fallback_note

_PACKAGE_ROOT = str(Path(monitor.__file__).resolve().parents[1])


class ScoringWorker:
    def __init__(self, db_path: str, rules_dir: str | None):
        cmd = [sys.executable, "-m", "monitor.scoring.worker", "--db", db_path]
        if rules_dir:
            cmd += ["--rules", rules_dir]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        # stderr goes to a file, not a pipe: a pipe nobody reads until the end could fill
        # up with warnings and stall the scorer.
        self.stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     text=True, env=env)

    def send(self, keys: list[tuple[str, str]]) -> None:
        # A full pipe blocks here: back-pressure if scoring ever falls behind the crawl.
        self.proc.stdin.write(json.dumps(keys, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    peak_rss_kb: int | None = None

    def finish(self, timeout: float = 900) -> tuple[Counter, str | None]:
        """(outcome counts, problem) once every batch sent so far is scored."""
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return Counter(), "scoring did not finish in time; run `monitor rescore`"
        self.stderr.seek(0)
        err = self.stderr.read()
        self.stderr.close()
        if self.proc.returncode != 0 or not out.strip():
            tail = (err or "").strip().splitlines()[-1:] or ["no output"]
            return Counter(), f"scoring failed ({tail[0]}); listings are stored, run `monitor rescore`"
        summary = json.loads(out.strip().splitlines()[-1])
        self.peak_rss_kb = summary.get("peak_rss_kb")
        problem = None
        if summary.get("rules_problem"):
            problem = fallback_note(summary.get("rules_version"), summary["rules_problem"])
        return Counter(summary["outcomes"]), problem
