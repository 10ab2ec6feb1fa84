"""`monitor evidence capture`: a browser capture (rendered page + full-page screenshot) of every
newly flagged listing, tied to the crawl's response record; and the scheduler running it after
a job with capture_flagged. Real Chromium, real HTTP (the demo marketplaces), real SQLite."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlite_utils

from monitor.evidence.paths import evidence_root
from monitor.schedule.config import load_config
from monitor.settings import PROJECT_CONFIG
from monitor.yamlfile import YamlError
from tests.conftest import run_monitor

# One keyword, one result page, no re-check: about 20 listings of which about a dozen are flagged.
NARROW = ("--category", "agri_inputs", "--keyword", "农药", "--max-pages", "1", "--no-recheck")


def rows(db_path, sql, params=()):
    db = sqlite_utils.Database(db_path)
    try:
        return list(db.execute_returning_dicts(sql, list(params)))
    finally:
        db.close()


def newly_flagged(db_path, run_id: int) -> set[int]:
    run = rows(db_path, "SELECT * FROM crawl_runs WHERE id = ?", [run_id])[0]
    return {r["listing"] for r in rows(
        db_path, "SELECT f.listing FROM flags f JOIN listings l ON l.id = f.listing WHERE f.status = 'open' "
                 "AND l.site = ? AND f.created_at BETWEEN ? AND ?",
        [run["site"], run["started_at"], run["finished_at"]])}


def captures(db_path, kind: str) -> list[dict]:
    return rows(db_path, "SELECT * FROM evidence WHERE kind = ? AND path LIKE ? ORDER BY id",
                [kind, "%capture-run-%"])


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "warcio"), "check", "-v", str(path)],
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def session(marketplaces, tmp_path_factory, chromium):
    """A crawl of greenmart, then the captures in order: refused without --allow-private,
    5 listings, the rest, and once more."""
    db_path = tmp_path_factory.mktemp("capture") / "monitor.db"
    run_monitor("crawl", "greenmart", "--base-url", marketplaces.urls["greenmart"], *NARROW, db_path=db_path,
                check=True)
    steps = {}
    chromium_env = {"MONITOR_CHROMIUM": chromium}
    steps["refused"] = run_monitor("evidence", "capture", "--run", "1", "--limit", "5", db_path=db_path,
                                   env=chromium_env)
    steps["refused_rows"] = rows(db_path, "SELECT count(*) AS n FROM evidence WHERE kind != 'response'")[0]["n"]
    steps["first"] = run_monitor("evidence", "capture", "--run", "1", "--allow-private", "--limit", "5",
                                 db_path=db_path, env=chromium_env)
    steps["first_listings"] = {r["listing"] for r in captures(db_path, "screenshot")}
    steps["second"] = run_monitor("evidence", "capture", "--run", "1", "--allow-private", db_path=db_path,
                                  env=chromium_env)
    steps["third"] = run_monitor("evidence", "capture", "--run", "1", "--allow-private", db_path=db_path,
                                 env=chromium_env)
    return db_path, steps


def test_capture_keeps_a_screenshot_tied_to_the_response(session):
    db_path, steps = session
    first = steps["first"]
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Captured 5, skipped 0, failed 0" in first.stdout, first.stdout
    flagged = newly_flagged(db_path, 1)
    assert len(flagged) > 5
    assert len(steps["first_listings"]) == 5 and steps["first_listings"] <= flagged
    root = evidence_root(db_path)
    from spiders.settings import USER_AGENT

    rendered = {r["listing"]: r for r in captures(db_path, "rendered") if r["listing"] in steps["first_listings"]}
    shots = {r["listing"]: r for r in captures(db_path, "screenshot") if r["listing"] in steps["first_listings"]}
    assert set(rendered) == set(shots) == steps["first_listings"]
    for listing, row in rendered.items():
        response = rows(db_path, "SELECT * FROM evidence WHERE listing = ? AND kind = 'response' "
                                 "ORDER BY captured_at DESC, id DESC LIMIT 1", [listing])[0]
        assert row["refers_to"] == response["id"] and row["run_id"] == 1
        assert row["path"] == "warc/greenmart/capture-run-1.warc.gz" and row["http_status"] == 200
        assert row["url"] == response["url"] and row["user_agent"] == USER_AGENT
        shot = shots[listing]
        assert shot["refers_to"] == row["id"] and shot["content_type"] == "image/png"
        data = (root / shot["path"]).read_bytes()
        assert data.startswith(b"\x89PNG") and hashlib.sha256(data).hexdigest() == shot["sha256"]
        assert shot["path"] == f"screenshots/greenmart/capture-run-1/{shot['sha256']}.png"
        from monitor.evidence.warcfile import read_record

        record = read_record(root / row["path"], row["offset"])
        assert record.record_type == "resource" and record.raw_payload_sha256 == row["sha256"]
        assert b"</html>" in record.content
    custody = rows(db_path, "SELECT * FROM custody WHERE actor = 'capture'")
    assert {c["object"] for c in custody} >= {f"evidence:{r['id']}" for r in [*rendered.values(), *shots.values()]}
    assert all(json.loads(c["detail"])["refers_to"] for c in custody if c["action"] == "capture")
    # The capture's files are sealed by the capture, not by a crawler that never wrote them.
    sealed = {c["object"] for c in custody if c["action"] == "seal"}
    assert "file:warc/greenmart/capture-run-1.warc.gz" in sealed
    assert {f"file:{s['path']}" for s in shots.values()} <= sealed
    check = warcio_check(root / "warc/greenmart/capture-run-1.warc.gz")
    assert check.returncode == 0, check.stdout + check.stderr
    verify = run_monitor("evidence", "verify", db_path=db_path)
    assert verify.returncode == 0 and "OK" in verify.stdout, verify.stdout


def test_captured_listings_are_not_captured_again(session):
    db_path, steps = session
    second, third = steps["second"], steps["third"]
    flagged = newly_flagged(db_path, 1)
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"Captured {len(flagged) - 5}, skipped 0, failed 0, already captured 5" in second.stdout, second.stdout
    assert third.returncode == 0 and f"Captured 0, skipped 0, failed 0, already captured {len(flagged)}" \
        in third.stdout, third.stdout
    shots = captures(db_path, "screenshot")
    assert sorted(r["listing"] for r in shots) == sorted(flagged)  # one screenshot per flagged listing


def test_a_private_address_is_refused_without_allow_private(session):
    _, steps = session
    refused = steps["refused"]
    assert refused.returncode == 0, refused.stdout + refused.stderr
    assert "Captured 0, skipped 5 (network guard 5), failed 0" in refused.stdout, refused.stdout
    assert "resolves to a private, loopback or link-local address (127.0.0.1); refused" in refused.stdout
    assert "--allow-private" in refused.stdout
    assert steps["refused_rows"] == 0


def test_capture_needs_a_run_or_a_time(tmp_path):
    proc = run_monitor("evidence", "capture", db_path=tmp_path / "monitor.db")
    assert proc.returncode == 2 and "give --run RUN_ID or --since TIME" in proc.stderr


class _Shop(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        _Shop.seen.append((self.path, self.headers.get("User-Agent", "")))
        if self.path == "/robots.txt":
            body, kind = b"User-agent: listing-monitor\nDisallow: /private/\n", "text/plain"
        elif self.path == "/slow":
            time.sleep(4)
            body, kind = b"<html><body>late</body></html>", "text/html"
        elif self.path.startswith(("/item", "/private")):
            body = (b'<html><head><link rel="stylesheet" href="/style.css"></head><body><h1>Item</h1>'
                    b'<img src="/img/a.png"><p>price 9.90</p></body></html>')
            kind = "text/html; charset=utf-8"
        elif self.path == "/style.css":
            body, kind = b"h1 { color: #c00 }", "text/css"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_robots_user_agent_heavy_resources_and_a_failure_that_does_not_stop_the_batch(tmp_path, monkeypatch, chromium):
    from monitor.evidence.capture import Target, capture_flagged
    from monitor.store import open_db
    from spiders.settings import USER_AGENT

    monkeypatch.setenv("MONITOR_CHROMIUM", chromium)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Shop)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Shop.seen = []
    targets = [Target(i, "local", name, base + path, i, 10, None, None)
               for i, (name, path) in enumerate([("slow", "/slow"), ("item", "/item/1"), ("hidden", "/private/2")], 1)]
    db = open_db(tmp_path / "monitor.db")
    heard = []
    try:
        outcome = capture_flagged(db, evidence_root(tmp_path / "monitor.db"), targets, run_id=None, stem="capture-t",
                                  user_agent=USER_AGENT, allow_private=True, timeout=2,
                                  report=lambda status, target, text: heard.append((status, target.listing_id, text)))
        rows_ = list(db.execute_returning_dicts("SELECT * FROM evidence ORDER BY id"))
    finally:
        db.close()
        server.shutdown()
    assert [(t.listing_id, n) for t, n in outcome.captured] == [("item", 2)]
    assert [(t.listing_id, kind) for t, kind, _ in outcome.skipped] == [("hidden", "robots.txt")]
    assert "disallows /private/2" in outcome.skipped[0][2]
    assert [t.listing_id for t, _ in outcome.failed] == ["slow"] and "did not load within 2 s" in outcome.failed[0][1]
    assert [h[0] for h in heard] == ["skipped", "failed", "captured"]
    paths = [p for p, _ in _Shop.seen]
    assert "/robots.txt" in paths and "/item/1" in paths and "/style.css" in paths
    assert "/img/a.png" not in paths and "/private/2" not in paths  # images aborted; robots.txt obeyed
    assert {ua for _, ua in _Shop.seen} == {USER_AGENT}
    assert [r["kind"] for r in rows_] == ["rendered", "screenshot"] and rows_[0]["refers_to"] is None
    assert rows_[0]["path"] == "warc/local/capture-t.warc.gz"


def test_the_scheduler_captures_after_a_job_with_capture_flagged(tmp_path, marketplaces, chromium):
    db_path = tmp_path / "monitor.db"
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "settings: {timezone: UTC, kill_grace_seconds: 2}\njobs:\n"
        f"  - id: gm-capture\n    site: greenmart\n    base_url: {marketplaces.urls['greenmart']}\n"
        "    allow_private: true\n    categories: [agri_inputs]\n    keywords: [农药]\n    max_pages: 1\n"
        "    recheck: false\n    interval_seconds: 3600\n    time_limit: 120\n    capture_flagged: true\n"
        "alerts: {}\n", encoding="utf-8")
    proc = run_monitor("schedule", "--run", "gm-capture", "--config", str(config), db_path=db_path,
                       env={"MONITOR_CHROMIUM": chromium})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = rows(db_path, "SELECT * FROM crawl_runs WHERE job = 'gm-capture'")[-1]
    flagged = newly_flagged(db_path, run["id"])
    shots = rows(db_path, "SELECT * FROM evidence WHERE kind = 'screenshot' AND run_id = ?", [run["id"]])
    assert flagged and sorted(s["listing"] for s in shots) == sorted(flagged)
    assert f"capture of run {run['id']}: Captured {len(flagged)}" in proc.stderr, proc.stderr


def test_capture_flagged_is_validated_and_set_on_greenmart_nightly(tmp_path):
    from monitor.schedule.runner import capture_command

    path = tmp_path / "monitor.yaml"
    path.write_text("jobs:\n  - id: gm\n    site: greenmart\n    cron: '0 2 * * *'\n    capture_flagged: true\n"
                    "    allow_private: true\n", encoding="utf-8")
    job = load_config(path).jobs[0]
    assert job.capture_flagged
    cmd = capture_command(job, tmp_path / "monitor.db", 7)
    assert cmd[-4:] == ["capture", "--run", "7", "--allow-private"]
    path.write_text("jobs:\n  - id: gm\n    site: greenmart\n    cron: '0 2 * * *'\n    capture_flagged: sometimes\n",
                    encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_config(path)
    assert any(line.startswith(f"{path}:5: jobs.0.capture_flagged:") for line in info.value.render().splitlines())
    shipped = load_config(PROJECT_CONFIG)
    assert shipped.job("greenmart-nightly").capture_flagged
    assert not shipped.job("baihuo-nightly").capture_flagged
