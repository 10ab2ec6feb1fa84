"""Done-when of scheduled crawls, end to end: `monitor schedule --once` runs a demo job whose site
changed its layout; the run is degraded and the alert reaches a webhook on 127.0.0.1; the
run history shows it."""

from __future__ import annotations

from tests.conftest import run_monitor
from tests.schedule_servers import query
from tests.test_alerts import HookReceiver


def test_a_degraded_scheduled_run_sends_an_alert(tmp_path, db_path):
    from monitor.demo.marketplaces import DemoMarketplaces

    with DemoMarketplaces(host="127.0.0.1", base_port=None, day=1, broken_layout={"baihuo"}) as markets, \
            HookReceiver() as hook:
        config = tmp_path / "monitor.yaml"
        config.write_text(
            "settings:\n  timezone: UTC\njobs:\n"
            f"  - id: baihuo-nightly\n    site: baihuo\n    base_url: {markets.urls['baihuo']}\n"
            "    allow_private: true\n    categories: [cosmetics]\n    max_pages: 1\n    recheck: false\n"
            "    cron: '0 2 * * *'\n    time_limit: 120\n"
            f"alerts:\n  webhook:\n    url: {hook.url}\n", encoding="utf-8")
        proc = run_monitor("schedule", "--once", "--config", str(config), db_path=db_path, timeout=180)
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
        (run,) = query(db_path, "SELECT * FROM crawl_runs WHERE job = 'baihuo-nightly'")
        assert run["status"] == "degraded" and "field coverage below" in run["degraded_reason"]
        (alert,) = query(db_path, "SELECT * FROM alerts WHERE run_id = ?", [run["id"]])
        assert alert["kind"] == "degraded" and alert["webhook_sent_at"]
        sent = [a for post in hook.posts for a in post["json"]["alerts"]]
        assert any(a.get("run_id") == run["id"] and a.get("kind") == "degraded" for a in sent), hook.posts
    history = run_monitor("runs", str(run["id"]), db_path=db_path, check=True).stdout
    assert "degraded" in history and "field coverage" in " ".join(history.split())
