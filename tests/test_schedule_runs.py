"""The scheduler for real: `monitor schedule` processes, crawl subprocesses, the demo marketplaces
over HTTP, a real SQLite file. Short intervals (interval_seconds) keep every test well under 30 s."""

from __future__ import annotations

import json
import pickle
import signal
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

from monitor.schedule.jobstore import jobstore_path, stored_next_run_times
from tests.conftest import ROOT, run_monitor
from tests.schedule_servers import (Scheduler, SilentServer, SlowProxy, alive, clean_env, group_members,
                                    kill_groups, monitor_cmd, query, wait_for)


def gm_job(job_id: str, base_url: str, schedule: str = "interval_seconds: 3600", time_limit: int = 60) -> str:
    # One keyword, one result page, no re-check: ~20 pages, a crawl of about two seconds.
    return (f"  - id: {job_id}\n    site: greenmart\n    base_url: {base_url}\n    allow_private: true\n"
            f"    categories: [agri_inputs]\n    keywords: [农药]\n    max_pages: 1\n    recheck: false\n"
            f"    {schedule}\n    time_limit: {time_limit}\n")


def write_config(tmp_path, *jobs: str, grace: int = 60, kill_grace: int = 2):
    path = tmp_path / "monitor.yaml"
    path.write_text(f"settings:\n  timezone: UTC\n  misfire_grace_seconds: {grace}\n  kill_grace_seconds: {kill_grace}\n"
                    "jobs:\n" + "".join(jobs) + "alerts: {}\n", encoding="utf-8")
    return path


@pytest.fixture
def reaper(db_path):
    """Whatever a failing test leaves behind (schedulers, crawl process groups) is killed."""
    schedulers: list[Scheduler] = []
    yield schedulers
    for scheduler in schedulers:
        if scheduler.proc.poll() is None:
            scheduler.proc.kill()
            scheduler.proc.wait()
    kill_groups(row["pid"] for row in query(db_path, "SELECT pid FROM job_events WHERE pid IS NOT NULL"))


def runs_of(db_path, job: str) -> list[dict]:
    return query(db_path, "SELECT * FROM crawl_runs WHERE job = ? ORDER BY id", [job])


def events_of(db_path, job: str, event: str | None = None) -> list[dict]:
    sql = "SELECT * FROM job_events WHERE job = ?" + (" AND event = ?" if event else "") + " ORDER BY id"
    return query(db_path, sql, [job, event] if event else [job])


def running_run(db_path, job: str):
    found = [r for r in runs_of(db_path, job) if r["status"] == "running"]
    return found[-1] if found else None


def test_once_runs_the_due_jobs_and_then_nothing(tmp_path, db_path, marketplaces, reaper):
    config = write_config(tmp_path, gm_job("gm", marketplaces.urls["greenmart"]))
    proc = run_monitor("schedule", "--once", "--config", str(config), db_path=db_path, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "completed" in proc.stdout
    (run,) = runs_of(db_path, "gm")
    assert (run["status"], run["trigger"], run["site"]) == ("completed", "schedule", "greenmart")
    assert run["listings_seen"] > 0
    assert [e["event"] for e in events_of(db_path, "gm")] == ["started", "finished"]
    assert events_of(db_path, "gm", "finished")[0]["run_id"] == run["id"]

    # It ran an hour's interval ago? No: just now, so nothing is due.
    again = run_monitor("schedule", "--once", "--config", str(config), db_path=db_path, timeout=60)
    assert again.returncode == 0 and "Nothing is due." in again.stdout
    assert len(runs_of(db_path, "gm")) == 1

    jobs = run_monitor("jobs", "--config", str(config), "--json", db_path=db_path, timeout=60)
    (row,) = json.loads(jobs.stdout)
    assert row["last_run"]["status"] == "completed" and row["due"] is False and row["next_run"]
    listing = run_monitor("runs", "--job", "gm", "--since", "1h", db_path=db_path, timeout=60)
    assert listing.returncode == 0 and "gm" in listing.stdout and "completed" in listing.stdout
    detail = run_monitor("runs", str(run["id"]), "--log-lines", "3", db_path=db_path, timeout=60)
    assert "last 3 lines of" in detail.stdout and run["log_path"] in detail.stdout.replace("\n", "")


def test_a_hanging_crawl_is_killed_whole_at_its_time_limit(tmp_path, db_path, reaper):
    silent = SilentServer()  # accepts connections, never answers
    try:
        config = write_config(tmp_path, f"  - id: hang\n    url: {silent.url}\n    allow_private: true\n"
                                        "    interval_seconds: 3600\n    time_limit: 4\n", kill_grace=2)
        started = time.monotonic()
        proc = subprocess.Popen(monitor_cmd(db_path, "schedule", "--run", "hang", "--config", str(config)),
                                cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        pid = wait_for(lambda: [e["pid"] for e in events_of(db_path, "hang", "started")], 15, "the crawl to start")[0]
        # The crawl has a child of its own (the scoring process) in its process group.
        members = wait_for(lambda: len(group_members(pid)) >= 2 and group_members(pid), 10, "the crawl's child")
        out, _ = proc.communicate(timeout=30)
        took = time.monotonic() - started
    finally:
        silent.close()
    assert proc.returncode == 1, out
    assert 4 <= took < 20
    assert group_members(pid) == [], "a process of the crawl's group survived"
    assert not [p for p in members if alive(p)], "the crawl or its child survived"
    (run,) = runs_of(db_path, "hang")
    assert run["status"] == "failed"
    assert run["finish_reason"] == "killed at its time limit of 4 s"
    assert run["trigger"] == "manual"
    (event,) = events_of(db_path, "hang", "killed_timeout")
    assert event["run_id"] == run["id"] and event["pid"] == pid


def test_a_firing_while_the_job_runs_is_skipped_and_recorded(tmp_path, db_path, marketplaces, reaper):
    proxy = SlowProxy(marketplaces.urls["greenmart"], delay=1.0)  # a crawl of about ten seconds
    try:
        config = write_config(tmp_path, gm_job("gm", proxy.url, schedule="interval_seconds: 1"))
        scheduler = Scheduler(db_path, config, tmp_path / "scheduler.log")
        reaper.append(scheduler)
        first = wait_for(lambda: running_run(db_path, "gm"), 15, "the first crawl to be running")
        # The interval fires again every second while it runs: max_instances=1 skips those ...
        wait_for(lambda: events_of(db_path, "gm", "skipped_running"), 10, "a skipped firing")
        # ... and another process trying the same job meets the job's lock.
        other = run_monitor("schedule", "--run", "gm", "--config", str(config), db_path=db_path, timeout=60)
        assert other.returncode == 0, other.stdout + other.stderr
        assert "skipped_running" in other.stdout
        assert running_run(db_path, "gm")["id"] == first["id"], "the first crawl was still going"
        assert scheduler.stop(signal.SIGTERM) == 0, scheduler.output()
    finally:
        proxy.close()
    skipped = events_of(db_path, "gm", "skipped_running")
    assert any("max_instances" in e["detail"] for e in skipped)
    assert any("still running" in e["detail"] and "scheduler pid" in e["detail"] for e in skipped)
    runs = runs_of(db_path, "gm")
    assert all(r["status"] != "running" for r in runs)
    for before, after in zip(runs, runs[1:]):
        assert before["finished_at"] <= after["started_at"], "two runs of one job overlapped"
    # SIGTERM ended the crawl that was running and recorded it.
    assert runs[-1]["status"] in ("interrupted", "completed")
    if runs[-1]["status"] == "interrupted":
        assert events_of(db_path, "gm", "interrupted")
    assert all(group_members(e["pid"]) == [] for e in events_of(db_path, "gm", "started"))


def test_scheduler_killed_mid_crawl_then_restarted(tmp_path, db_path, marketplaces, reaper):
    proxy = SlowProxy(marketplaces.urls["greenmart"], delay=0.7)
    try:
        config = write_config(tmp_path, gm_job("gm", proxy.url, schedule="interval_seconds: 2"))
        first = Scheduler(db_path, config, tmp_path / "first.log")
        reaper.append(first)
        run = wait_for(lambda: running_run(db_path, "gm"), 15, "a crawl to be running")
        # The machine's way of ending things (OOM killer, systemd's final SIGKILL): the scheduler and
        # its crawl die at once, nobody closes the run.
        first.stop(signal.SIGKILL)
        kill_groups([run["pid"]])
        wait_for(lambda: group_members(run["pid"]) == [], 5, "the crawl to die")
        assert runs_of(db_path, "gm")[-1]["status"] == "running"
        proxy.delay = 0
        second = Scheduler(db_path, config, tmp_path / "second.log")
        reaper.append(second)
        wait_for(lambda: runs_of(db_path, "gm")[0]["status"] == "interrupted", 15, "the dead run to be closed")
        done = wait_for(lambda: [r for r in runs_of(db_path, "gm") if r["id"] > run["id"] and r["status"] == "completed"],
                        20, "the next run to complete")
        assert done
        jobs = sqlite3.connect(jobstore_path(db_path)).execute("SELECT id FROM apscheduler_jobs").fetchall()
        assert jobs == [("gm",)], "the restart duplicated or lost the job"
        assert second.stop(signal.SIGTERM) == 0, second.output()
    finally:
        proxy.close()
    killed = runs_of(db_path, "gm")[0]
    assert killed["id"] == run["id"] and killed["status"] == "interrupted"
    assert "killed or crashed" in killed["finish_reason"]
    assert [e["run_id"] for e in events_of(db_path, "gm", "interrupted")][:1] == [run["id"]]


def test_a_crawl_stops_itself_when_its_scheduler_dies(tmp_path, db_path, marketplaces, reaper):
    proxy = SlowProxy(marketplaces.urls["greenmart"], delay=0.7)
    try:
        config = write_config(tmp_path, gm_job("gm", proxy.url, schedule="interval_seconds: 1"))
        scheduler = Scheduler(db_path, config, tmp_path / "scheduler.log")
        reaper.append(scheduler)
        run = wait_for(lambda: running_run(db_path, "gm"), 15, "a crawl to be running")
        scheduler.stop(signal.SIGKILL)  # only the scheduler: its crawl lives on in its own session
        closed = wait_for(lambda: [r for r in runs_of(db_path, "gm") if r["id"] == run["id"] and r["status"] != "running"],
                          20, "the orphaned crawl to close its run")
        wait_for(lambda: group_members(run["pid"]) == [], 10, "the orphaned crawl's processes to end")
    finally:
        proxy.close()
    assert closed[0]["status"] == "interrupted", closed[0]
    assert len(runs_of(db_path, "gm")) == 1


def _set_next_run(store, job_id: str, moment: datetime) -> None:
    """Pretend the scheduler has been down since ``moment``: that fire time is still pending."""
    conn = sqlite3.connect(store)
    (blob,) = conn.execute("SELECT job_state FROM apscheduler_jobs WHERE id = ?", [job_id]).fetchone()
    state = pickle.loads(blob)
    state["next_run_time"] = moment
    conn.execute("UPDATE apscheduler_jobs SET job_state = ?, next_run_time = ? WHERE id = ?",
                 [pickle.dumps(state), moment.timestamp(), job_id])
    conn.commit()
    conn.close()


def test_missed_fire_times_run_once_within_the_grace_and_are_recorded_beyond_it(tmp_path, db_path, marketplaces,
                                                                              reaper):
    url = marketplaces.urls["greenmart"]
    config = write_config(tmp_path, gm_job("often", url, schedule="interval_seconds: 10"),
                          gm_job("hourly", url, schedule="interval_seconds: 3600"), grace=60)
    store = jobstore_path(db_path)
    first = Scheduler(db_path, config, tmp_path / "first.log")
    reaper.append(first)
    wait_for(lambda: set(stored_next_run_times(store)) == {"often", "hourly"}, 15, "the jobs to be stored")
    assert first.stop(signal.SIGTERM) == 0, first.output()
    now = datetime.now(timezone.utc)
    _set_next_run(store, "often", now - timedelta(seconds=35))  # fire times -35, -25, -15, -5 s: within 60 s
    _set_next_run(store, "hourly", now - timedelta(seconds=600))  # ten minutes late: beyond the grace

    second = Scheduler(db_path, config, tmp_path / "second.log")
    reaper.append(second)
    caught = wait_for(lambda: [r for r in runs_of(db_path, "often") if r["status"] == "completed"], 20,
                      "the catch-up run")
    wait_for(lambda: events_of(db_path, "hourly", "missed"), 10, "the missed firing")
    assert second.stop(signal.SIGTERM) == 0, second.output()
    assert caught[0]["trigger"] == "catch-up"
    assert sum(r["trigger"] == "catch-up" for r in runs_of(db_path, "often")) == 1, "coalesced into one run"
    (coalesced,) = events_of(db_path, "often", "missed")
    # -35, -25 and -15 s (and -5 s too if the restart took over 5 s) went into the one catch-up run.
    assert int(coalesced["detail"].split()[0]) in (3, 4) and "coalesced" in coalesced["detail"]
    (missed,) = events_of(db_path, "hourly", "missed")
    assert "more than the grace of 60 s" in missed["detail"]
    assert runs_of(db_path, "hourly") == []
    assert sorted(stored_next_run_times(store)) == ["hourly", "often"]


def _chromium_pids() -> set[int]:
    """Chromium processes driven by Playwright (they talk to it over a pipe)."""
    import os

    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ")
        except OSError:
            continue
        if b"chromium" in cmd and b"--remote-debugging-pipe" in cmd:
            found.add(int(entry))
    return found


@pytest.mark.usefixtures("chromium")  # skips without a browser the project can find, fails so under CI
def test_a_hanging_browser_crawl_is_killed_with_its_browser(tmp_path, db_path, marketplaces, reaper):
    """A JavaScript shop answering slowly: at the time limit the crawl is killed with the
    Chromium it drives, and the run is marked failed."""
    before = _chromium_pids()
    proxy = SlowProxy(marketplaces.urls["kuaigou"], delay=1.0)
    try:
        config = write_config(tmp_path, f"  - id: js\n    site: kuaigou\n    base_url: {proxy.url}\n"
                                        "    allow_private: true\n    recheck: false\n"
                                        "    interval_seconds: 3600\n    time_limit: 10\n", kill_grace=2)
        proc = subprocess.Popen(monitor_cmd(db_path, "schedule", "--run", "js", "--config", str(config)),
                                cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        browsers = wait_for(lambda: _chromium_pids() - before, 15, "the crawl's Chromium to start")
        out, _ = proc.communicate(timeout=60)
    finally:
        proxy.close()
    assert proc.returncode == 1, out
    wait_for(lambda: not [p for p in browsers if alive(p)], 10, "the crawl's Chromium to be gone")
    (run,) = runs_of(db_path, "js")
    assert run["status"] == "failed" and run["finish_reason"] == "killed at its time limit of 10 s", run


def test_the_running_scheduler_closes_dead_runs_checkpoints_and_keeps_its_job_store_private(
        tmp_path, db_path, monkeypatch):
    """The timers of a running scheduler (in this process, on short intervals): a run whose crawl
    was SIGKILLed outside the scheduler is interrupted without waiting for the next crawl, the
    WAL is emptied, and the job store of pickles is readable by its owner only."""
    import os
    import stat
    import sys
    import threading

    from monitor.schedule import service as service_module
    from monitor.schedule.config import load_config
    from monitor.store import open_db, start_run
    from monitor.store.runs import tag_run

    config = write_config(tmp_path, "  - id: gm\n    site: greenmart\n    base_url: http://127.0.0.1:9\n"
                                    "    cron: \"0 3 1 1 *\"\n")
    crawl = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    db = open_db(db_path)
    run_id = start_run(db, site="greenmart", spider="greenmart", kind="profile")
    db["crawl_runs"].update(run_id, {"pid": crawl.pid, "process_start": None})  # that process's run
    tag_run(db, run_id, job="gm", trigger="manual")
    db.close()

    monkeypatch.setattr(service_module, "SWEEP_EVERY_SECONDS", 0.5)
    monkeypatch.setattr(service_module, "CHECK_EVERY_SECONDS", 0.5)
    old_umask = os.umask(0o022)
    store = jobstore_path(db_path)
    store.touch()
    os.chmod(store, 0o644)  # as versions before issue 13 created it: readable by every user
    service = service_module.ScheduleService(load_config(config), db_path)
    try:
        service.start()
        loop = threading.Thread(target=service.loop, daemon=True)
        loop.start()
        time.sleep(1.5)
        assert runs_of(db_path, "gm")[0]["status"] == "running"  # its crawl is alive: left alone
        crawl.kill()
        crawl.wait()
        wait_for(lambda: runs_of(db_path, "gm")[0]["status"] == "interrupted", 10, "the sweep to close the run")
        assert stat.S_IMODE(store.stat().st_mode) == 0o600
        wal = db_path.with_name(db_path.name + "-wal")
        holder = open_db(db_path)  # keeps the WAL file in place (the last connection to close deletes it)
        holder["probe"].insert({"x": 1})
        assert wal.stat().st_size > 0
        wait_for(lambda: wal.stat().st_size == 0, 10, "a checkpoint to empty the WAL")
        holder.close()
    finally:
        os.umask(old_umask)
        service.request_stop()
        loop.join(10)
        service.stop()
        if crawl.poll() is None:
            crawl.kill()
    (event,) = events_of(db_path, "gm", "interrupted")
    assert event["run_id"] == run_id and "while the scheduler ran" in event["detail"]


def test_a_new_job_store_is_private_whatever_the_umask(tmp_path):
    import os
    import stat

    from monitor.schedule.jobstore import SQLiteJobStore

    old = os.umask(0o022)
    try:
        store = SQLiteJobStore(tmp_path / "jobs" / "monitor.jobs.db")
        store.start(None, "default")
        store.shutdown()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "jobs").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "jobs" / "monitor.jobs.db").stat().st_mode) == 0o600
