"""Helpers shared by the benchmarks: machine description, timing, peak memory of subprocesses."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
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
    try:
        from importlib.metadata import version

        scrapy = f", Scrapy {version('scrapy')}"
    except Exception:  # noqa: BLE001 - informational only
        scrapy = ""
    return (f"{date}; {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}{scrapy}")


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


# --------------------------------------------------------------------------- crawl benchmarks
#
# Three kinds of process, so that each one's memory and CPU are its own:
#   parent (the benchmark)  ->  `_common.py serve`  the demo marketplaces (own process)
#                           ->  `_common.py crawl real|bare ...`  one crawl each (a Twisted
#                               reactor cannot restart, and peak RSS must be per crawl)

# Politeness off on both sides, at cmdline priority so it beats the profile's spider-priority
# settings. ROBOTSTXT_OBEY stays as the profile says (true for the demo profiles), both sides.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


class DemoServer:
    """The demo marketplaces in a separate process: ``with DemoServer(scale) as urls: ...``."""

    def __init__(self, scale: int):
        self.scale = scale
        self.proc: subprocess.Popen | None = None
        self.urls: dict[str, str] = {}

    def __enter__(self) -> dict[str, str]:
        self.proc = subprocess.Popen([PYTHON, str(Path(__file__).resolve()), "serve", "--scale", str(self.scale)],
                                     cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the demo server process did not start")
        self.urls = json.loads(line)
        return self.urls

    def __exit__(self, *exc) -> None:
        if self.proc:
            self.proc.stdin.close()  # the server exits when its stdin closes
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def peak_rss(self) -> int | None:
        return _vm_value(self.proc.pid, "VmHWM") if self.proc else None

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve(scale: int) -> None:
    from monitor.demo.marketplaces import DemoMarketplaces

    with DemoMarketplaces(host="127.0.0.1", base_port=None, day=1, scale=scale) as markets:
        print(json.dumps(markets.urls), flush=True)
        sys.stdin.read()  # until the parent closes our stdin


@dataclass
class CrawlFigures:
    kind: str  # real | bare
    seconds: float  # Scrapy's elapsed_time_seconds: spider opened -> closed
    wall: float  # the whole child process, interpreter start to exit
    responses: int  # responses received, robots.txt included
    pages: int  # responses other than robots.txt
    items: int
    peak_rss: int  # bytes; the child's own ru_maxrss (kernel's peak RSS), checked against VmHWM polling
    cpu: float  # user + system CPU seconds of the whole child process
    run: dict | None  # the run record (real crawls)
    errors: str

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def run_crawl_child(kind: str, *, site: str, base_url: str, db: Path, urls_file: Path,
                    max_pages: int = 100_000, timeout: float = 3600, settings: dict | None = None) -> CrawlFigures:
    """One crawl in its own process. ``real`` records the URLs it fetched in ``urls_file``;
    ``bare`` fetches exactly those URLs and does nothing with them."""
    args = [str(Path(__file__).resolve()), "crawl", kind, "--site", site, "--base-url", base_url,
            "--db", str(db), "--urls", str(urls_file), "--max-pages", str(max_pages)]
    for key, value in (settings or {}).items():
        args += ["--set", f"{key}={json.dumps(value)}"]
    child = run_child(args, timeout=timeout)
    result = None
    for line in reversed(child.stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            break
    if child.returncode != 0 or result is None:
        raise RuntimeError(f"{kind} crawl failed (exit {child.returncode}):\n{child.stdout[-3000:]}\n{child.stderr[-3000:]}")
    run = result.get("run") or {}
    if result["pages"] == 0 or (kind == "real" and run.get("status") not in ("completed", "degraded")):
        raise RuntimeError(f"{kind} crawl fetched {result['pages']} pages, run status {run.get('status')!r} "
                           f"({run.get('finish_reason')}); log: {run.get('log_path')}\n{child.stderr[-3000:]}")
    # ru_maxrss is exact; the polled VmHWM can only be lower (missed the last 50 ms) or equal.
    peak = max(result["ru_maxrss"], child.peak_rss)
    return CrawlFigures(kind, result["elapsed"], child.seconds, result["responses"], result["pages"],
                        result["items"], peak, result["cpu"], result.get("run"), child.stderr[-2000:])


class UrlRecorder:
    """Scrapy extension (real crawls only): append each fetched URL to BENCH_URLS_FILE."""

    def __init__(self, path: str):
        self.fh = open(path, "w", encoding="utf-8")

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        ext = cls(crawler.settings.get("BENCH_URLS_FILE"))
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def response_received(self, response, request, spider):
        if not response.url.endswith("/robots.txt"):
            self.fh.write(response.url + "\n")

    def spider_closed(self, spider):
        self.fh.close()


def parse_settings(pairs: list[str]) -> dict:
    """``KEY=VALUE`` pairs (VALUE as JSON when it parses, else a string), for ``--set``."""
    out = {}
    for pair in pairs or []:
        key, _, value = pair.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _crawl(kind: str, site: str, base_url: str, db: str, urls_file: str, max_pages: int, overrides: dict) -> None:
    import resource

    if kind == "real":
        from monitor.crawl.profile import find_profile
        from monitor.crawl.runner import run_crawl
        from spiders.sites import spider_class

        cls = spider_class(find_profile(site))
        extra = {**FAST, **overrides, "BENCH_URLS_FILE": urls_file,
                 "EXTENSIONS": {"_common.UrlRecorder": 0}}
        outcome = run_crawl(cls, {"max_pages": max_pages, "base_url": base_url}, db_path=db,
                            extra_settings=extra, site=site)
        stats, run = outcome.stats, outcome.run
    else:
        import scrapy
        from scrapy.crawler import CrawlerProcess
        from scrapy.settings import Settings

        from monitor.crawl.profile import find_profile

        obey = find_profile(site).obey_robots
        with open(urls_file, encoding="utf-8") as fh:
            urls = [line.strip() for line in fh if line.strip()]

        class BareSpider(scrapy.Spider):
            name = "bare"

            async def start(self):
                for url in urls:
                    yield scrapy.Request(url, callback=self.parse)

            def parse(self, response):
                return None

        import spiders.settings as project

        settings = Settings()
        settings.setdict({
            "USER_AGENT": project.USER_AGENT, "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
            "DOWNLOAD_TIMEOUT": project.DOWNLOAD_TIMEOUT, "ROBOTSTXT_OBEY": obey, "LOG_LEVEL": "INFO",
            "LOG_FILE": str(Path(db).parent / f"bare-{site}.log"), "LOG_FILE_APPEND": False, **FAST, **overrides,
        }, priority="cmdline")
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(BareSpider)
        process.crawl(crawler)
        process.start()
        stats, run = crawler.stats.get_stats(), None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    responses = int(stats.get("response_received_count", 0))
    robots = int(stats.get("robotstxt/response_count", 0))
    print(json.dumps({
        "elapsed": stats.get("elapsed_time_seconds"),
        "responses": responses,
        "pages": responses - robots,
        "items": int(stats.get("item_scraped_count", 0)),
        "ru_maxrss": usage.ru_maxrss * 1024,  # KiB on Linux
        "cpu": usage.ru_utime + usage.ru_stime,
        "run": run,
    }, default=str))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="benchmark child processes (not run by hand)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--scale", type=int, default=1)
    crawl = sub.add_parser("crawl")
    crawl.add_argument("kind", choices=("real", "bare"))
    crawl.add_argument("--site", required=True)
    crawl.add_argument("--base-url", required=True)
    crawl.add_argument("--db", required=True)
    crawl.add_argument("--urls", required=True)
    crawl.add_argument("--max-pages", type=int, default=100_000)
    crawl.add_argument("--set", action="append", default=[], help="KEY=VALUE Scrapy setting, both crawls")
    a = parser.parse_args()
    if a.cmd == "serve":
        _serve(a.scale)
    else:
        _crawl(a.kind, a.site, a.base_url, a.db, a.urls, a.max_pages, parse_settings(a.set))
