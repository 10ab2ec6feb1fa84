"""Run records that tell the truth (issue 13, defect 7): real crawls of the hostile shop, each
failure counted on crawl_runs, the run degraded with the counts named, an alert raised; a crawl
killed with SIGKILL is interrupted once the next one starts."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from scrapy.exceptions import DropItem

from tests.conftest import ROOT, run_monitor
from tests.faults.hostile import endless, gzip_bomb, hang, links_html, product_html, reply

# Scoring is not what these tests are about; a crawl without it starts sooner.
ENV = {"MONITOR_SCORE": "false"}
FAST = ["-s", "RETRY_BACKOFF_BASE=0.01", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "LOG_LEVEL=WARNING"]


def scrapy_crawl(shop, db_path, *settings: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`scrapy crawl shop` from the repository root: the one way to hand a crawl any Scrapy setting
    (here a small DOWNLOAD_MAXSIZE and a short retry backoff)."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "shop", "-a", f"url={shop.url('/')}", "-a", "allow_private=1",
           "-s", f"MONITOR_DB={db_path}", *FAST, *settings]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **ENV})


def runs(db_path) -> list[dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM crawl_runs ORDER BY id")]
    finally:
        conn.close()


def shop_with(hostile, pages: dict[str, object], robots: str = "User-agent: *\nDisallow:\n"):
    """Home page linking to each of ``pages`` (path -> behaviour) and to one good product."""
    hostile.routes["/"] = reply(200, links_html(["/p/good.html", *pages]))
    hostile.routes["/robots.txt"] = reply(200, robots, content_type="text/plain")
    hostile.routes["/p/good.html"] = reply(200, product_html("good drill"))
    hostile.routes.update(pages)


COUNTS = ("retries_exhausted", "pages_dropped", "robots_refused", "offsite_filtered", "items_failed")


def counts(run: dict) -> dict:
    return {name: run[name] for name in COUNTS}


def test_a_clean_crawl_is_completed_with_every_count_zero(hostile, tmp_path):
    shop_with(hostile, {"/p/other.html": reply(200, product_html("other drill"))})
    proc = scrapy_crawl(hostile, tmp_path / "m.db")
    assert proc.returncode == 0, proc.stderr
    (run,) = runs(tmp_path / "m.db")
    assert run["status"] == "completed", run
    assert counts(run) == dict.fromkeys(COUNTS, 0)
    assert run["listings_seen"] == 2


def test_a_page_that_always_503s_is_counted_as_retries_exhausted(hostile, tmp_path):
    shop_with(hostile, {"/p/busy.html": reply(503, "busy")})
    proc = scrapy_crawl(hostile, tmp_path / "m.db")
    assert proc.returncode == 0, proc.stderr
    (run,) = runs(tmp_path / "m.db")
    assert hostile.paths().count("/p/busy.html") == 4  # RETRY_TIMES = 3, then given up
    assert counts(run) == {**dict.fromkeys(COUNTS, 0), "retries_exhausted": 1}
    assert run["status"] == "degraded" and run["listings_seen"] == 1
    assert "1 given up after retries" in run["degraded_reason"]


def test_pages_over_the_size_cap_are_counted_as_dropped(hostile, tmp_path):
    big = product_html("big drill") + "<!--" + "x" * 300_000 + "-->"
    shop_with(hostile, {"/p/big.html": reply(200, big),  # Content-Length over the cap: never read
                        "/p/endless.html": endless(),  # no Content-Length: cut at the cap
                        "/p/bomb.html": gzip_bomb(20 * 1024 * 1024)})  # over the cap once decompressed
    proc = scrapy_crawl(hostile, tmp_path / "m.db", "-s", "DOWNLOAD_MAXSIZE=200000")
    assert proc.returncode == 0, proc.stderr
    (run,) = runs(tmp_path / "m.db")
    assert counts(run) == {**dict.fromkeys(COUNTS, 0), "pages_dropped": 3}
    assert run["status"] == "degraded"
    assert "3 dropped at the size cap" in run["degraded_reason"]


def test_an_offsite_redirect_is_counted(hostile, tmp_path):
    # Same server, another host name: outside the crawl's allowed domain.
    elsewhere = f"http://localhost:{hostile.server.server_port}/p/good.html"
    shop_with(hostile, {"/p/moved.html": reply(302, "", headers={"Location": elsewhere})})
    proc = scrapy_crawl(hostile, tmp_path / "m.db")
    assert proc.returncode == 0, proc.stderr
    (run,) = runs(tmp_path / "m.db")
    assert counts(run) == {**dict.fromkeys(COUNTS, 0), "offsite_filtered": 1}
    assert run["status"] == "degraded"
    assert "1 offsite request or redirect filtered" in run["degraded_reason"]


def test_a_robots_disallowed_link_is_counted(hostile, tmp_path):
    shop_with(hostile, {"/p/private.html": reply(200, product_html("hidden drill"))},
              robots="User-agent: *\nDisallow: /p/private\n")
    proc = scrapy_crawl(hostile, tmp_path / "m.db")
    assert proc.returncode == 0, proc.stderr
    (run,) = runs(tmp_path / "m.db")
    assert "/p/private.html" not in hostile.paths()
    assert counts(run) == {**dict.fromkeys(COUNTS, 0), "robots_refused": 1}
    assert run["status"] == "degraded"
    assert "1 refused by robots.txt" in run["degraded_reason"]


class RefuseRejected:
    """An item pipeline before the store that refuses listings whose title says so."""

    def process_item(self, item):
        if "rejected" in (item.title or ""):
            raise DropItem("refused by the test pipeline")
        return item


def test_an_item_refused_by_a_pipeline_is_counted(hostile, tmp_path):
    shop_with(hostile, {"/p/rejected.html": reply(200, product_html("rejected drill"))})
    pipelines = json.dumps({f"{__name__}.RefuseRejected": 700, "spiders.pipelines.store.StorePipeline": 800})
    proc = scrapy_crawl(hostile, tmp_path / "m.db", "-s", f"ITEM_PIPELINES={pipelines}")
    assert proc.returncode == 0, proc.stderr
    (run,) = runs(tmp_path / "m.db")
    assert counts(run) == {**dict.fromkeys(COUNTS, 0), "items_failed": 1}
    assert run["status"] == "degraded" and run["listings_seen"] == 1
    assert "1 item failed" in run["degraded_reason"]


def test_monitor_crawl_shows_the_failures_and_an_alert_is_raised(hostile, tmp_path):
    db_path = tmp_path / "m.db"
    shop_with(hostile, {"/p/busy.html": reply(503, "busy"), "/p/private.html": reply(200, product_html("x"))},
              robots="User-agent: *\nDisallow: /p/private\n")
    proc = run_monitor("crawl", "--url", hostile.url("/"), "--allow-private", db_path=db_path,
                       env={**ENV, "COLUMNS": "300"})
    assert proc.returncode == 0, proc.stdout + proc.stderr  # degraded: what it found is stored
    summary = " ".join(proc.stdout.split())
    assert "Crawl degraded" in summary
    assert "failures 1 given up after retries (Scrapy stat retry/max_reached), " \
           "1 refused by robots.txt (Scrapy stat robotstxt/forbidden)" in summary
    (run,) = runs(db_path)
    assert (run["retries_exhausted"], run["robots_refused"], run["status"]) == (1, 1, "degraded")

    table = run_monitor("runs", db_path=db_path, env={"COLUMNS": "300"})
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if "degraded" in line)
    assert " 2 " in row  # the failures column: 1 + 1

    check = run_monitor("alerts", "check", "--no-send", "--json", db_path=db_path)
    assert check.returncode == 0, check.stdout + check.stderr
    listed = run_monitor("alerts", "--json", db_path=db_path)
    (alert,) = [a for a in json.loads(listed.stdout) if a["run_id"] == run["id"]]
    assert alert["kind"] == "degraded"
    assert "1 given up after retries" in alert["message"] and "1 refused by robots.txt" in alert["message"]


def _wait_for_running(db_path, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = [r for r in runs(db_path) if r["status"] == "running"]
        except sqlite3.Error:
            found = []
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError("the crawl never opened its run")


def test_a_sigkilled_crawl_is_interrupted_once_another_site_starts(hostile, tmp_path):
    db_path = tmp_path / "m.db"
    hostile.routes["/robots.txt"] = reply(200, "User-agent: *\nDisallow:\n", content_type="text/plain")
    hostile.routes["/"] = hang()  # the crawl stays running until it is killed
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--db", str(db_path), "crawl", "--url",
                             hostile.url("/"), "--allow-private"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, **ENV}, start_new_session=True)
    try:
        first = _wait_for_running(db_path)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
    assert runs(db_path)[0]["status"] == "running"  # nothing closed it: the process is gone

    # The next start, of another site (localhost is another host name, so another site).
    hostile.routes["/"] = reply(200, links_html(["/p/good.html"]))
    hostile.routes["/p/good.html"] = reply(200, product_html("good drill"))
    other = f"http://localhost:{hostile.server.server_port}/"
    done = run_monitor("crawl", "--url", other, "--allow-private", db_path=db_path, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    before, after = runs(db_path)
    assert before["id"] == first["id"] and before["site"] != after["site"]
    assert before["status"] == "interrupted"
    assert "killed or crashed" in before["finish_reason"]
    assert after["status"] == "completed"
    # Nobody stopped it: unlike a crawl someone interrupted, a dead one is alerted as a failure.
    assert run_monitor("alerts", "check", "--no-send", db_path=db_path).returncode == 0
    alerts = json.loads(run_monitor("alerts", "--json", db_path=db_path).stdout)
    (alert,) = [a for a in alerts if a["key"] == f"run:{before['id']}"]
    assert alert["kind"] == "failed" and "died" in alert["message"] and "killed or crashed" in alert["message"]


def test_monitor_runs_shows_a_run_whose_crawl_died_as_interrupted(tmp_path):
    """A process opens a run and dies without closing it (as a SIGKILLed crawl does): the next
    `monitor runs` does not show it running."""
    db_path = tmp_path / "m.db"
    opener = ("import sys\nfrom monitor.store import open_db, start_run\n"
              "db = open_db(sys.argv[1]); start_run(db, site='gone', spider='gone', kind='profile'); db.close()\n"
              "import os; os._exit(0)")  # no finish_run, as after SIGKILL
    subprocess.run([sys.executable, "-c", opener, str(db_path)], cwd=ROOT, check=True, timeout=60)
    assert runs(db_path)[0]["status"] == "running"
    proc = run_monitor("runs", "--json", db_path=db_path)
    assert proc.returncode == 0, proc.stderr
    (run,) = json.loads(proc.stdout)
    assert run["status"] == "interrupted" and "killed or crashed" in run["finish_reason"]
