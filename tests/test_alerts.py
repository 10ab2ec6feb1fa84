"""Alerts: failed and degraded runs and quiet sites raised once from a real SQLite store, delivered
to a real SMTP server and a real HTTP receiver on 127.0.0.1, retried after a failure, shown by
`monitor alerts` (a real subprocess) and on the review app's dashboard."""

from __future__ import annotations

import dataclasses

import base64
import email
import email.policy
import json
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.alerts import AlertSettings, alert_problems, check_and_deliver, deliver, raise_alerts, recent_alerts
from monitor.alerts.config import EmailSettings, WebhookSettings, load_alert_settings
from monitor.store import open_db
from monitor.store.runs import finish_run, start_run, tag_run
from tests.conftest import run_monitor

SMTP_USER = "monitor"
SMTP_PASSWORD = "s3cret-for-tests"
PASSWORD_ENV = "MONITOR_TEST_SMTP_PASSWORD"
DEGRADED_REASON = "title coverage 40% < 90% (标题覆盖率下降): the site changed its layout"
FAILED_REASON = "HTTP 503 on every search page"


# -- receivers ------------------------------------------------------------------------------

class SmtpReceiver:
    """A real SMTP server on 127.0.0.1 speaking enough of RFC 5321 for smtplib: EHLO/HELO,
    AUTH PLAIN, MAIL, RCPT, DATA (with dot-unstuffing), RSET, NOOP, QUIT."""

    def __init__(self, port: int = 0, user: str | None = SMTP_USER, password: str = SMTP_PASSWORD):
        self.messages: list[dict] = []
        self.user, self.password = user, password
        self.lock = threading.Lock()
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 127.0.0.1 test ESMTP")
                mail_from, rcpts, authed = None, [], receiver.user is None
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode("utf-8", "replace").rstrip("\r\n")
                    verb = command.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.reply("250-127.0.0.1")
                        if receiver.user:
                            self.reply("250-AUTH PLAIN")
                        self.reply("250 8BITMIME")
                    elif verb == "HELO":
                        self.reply("250 127.0.0.1")
                    elif verb == "AUTH":
                        parts = command.split()
                        _, user, password = base64.b64decode(parts[2]).decode().split("\0")
                        authed = (user, password) == (receiver.user, receiver.password)
                        self.reply("235 ok" if authed else "535 bad credentials")
                    elif verb == "MAIL":
                        if not authed:
                            self.reply("530 authentication required")
                            continue
                        mail_from, rcpts = command.split(":", 1)[1].strip(), []
                        self.reply("250 ok")
                    elif verb == "RCPT":
                        rcpts.append(command.split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        data = []
                        while True:
                            chunk = self.rfile.readline()
                            if chunk in (b".\r\n", b".\n", b""):
                                break
                            data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        with receiver.lock:
                            receiver.messages.append({"from": mail_from, "to": rcpts, "data": b"".join(data)})
                        self.reply("250 queued")
                    elif verb in ("RSET", "NOOP"):
                        self.reply("250 ok")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def parsed(self, i: int = -1) -> email.message.EmailMessage:
        return email.message_from_bytes(self.messages[i]["data"], policy=email.policy.default)

    def __enter__(self) -> "SmtpReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class HookReceiver:
    """A real HTTP server on 127.0.0.1 that keeps every POST; ``status`` is what it answers."""

    def __init__(self, port: int = 0, status: int = 200):
        self.posts: list[dict] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/secret-token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "HookReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def unused_port() -> int:
    """A port with nothing listening on it (a receiver that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings_for(smtp_port: int, hook_url: str, **extra) -> AlertSettings:
    section = {
        "email": {"host": "127.0.0.1", "port": smtp_port, "username": SMTP_USER, "password_env": PASSWORD_ENV,
                  "from": "monitor@example.org", "to": ["analysts@example.org", "lead@example.org"],
                  "subject_prefix": "[monitor-test]", "timeout": 5},
        "webhook": {"url": hook_url, "headers": {"X-Source": "listing-monitor"},
                    "headers_env": {"Authorization": "MONITOR_TEST_HOOK_AUTH"}, "timeout": 5},
        **extra,
    }
    assert alert_problems(section) == []
    return AlertSettings.from_mapping(section)


@pytest.fixture(autouse=True)
def secrets_in_env(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, SMTP_PASSWORD)
    monkeypatch.setenv("MONITOR_TEST_HOOK_AUTH", "Bearer hook-secret")


def make_runs(db) -> dict[str, int]:
    """A failed run (with a job), a degraded run, a completed one and an interrupted one."""
    ids = {}
    ids["failed"] = start_run(db, site="greenmart", spider="profile", kind="profile", log_path="logs/greenmart-1.log")
    tag_run(db, ids["failed"], job="greenmart-nightly", trigger="schedule")
    finish_run(db, ids["failed"], status="failed", finish_reason=FAILED_REASON, errors=[FAILED_REASON])
    ids["degraded"] = start_run(db, site="baihuo", spider="profile", kind="profile", log_path="logs/baihuo-2.log")
    finish_run(db, ids["degraded"], status="degraded", pages=5, listings_seen=20,
               coverage={"title": 0.4, "price": 0.95}, degraded_reason=DEGRADED_REASON)
    ids["completed"] = start_run(db, site="kuaigou", spider="profile", kind="profile")
    finish_run(db, ids["completed"], status="completed", pages=3, listings_seen=12)
    ids["interrupted"] = start_run(db, site="kuaigou", spider="profile", kind="profile")
    finish_run(db, ids["interrupted"], status="interrupted", finish_reason="stopped by the operator")
    return ids


def alert_rows(db) -> list[dict]:
    return list(db.execute_returning_dicts("SELECT * FROM alerts ORDER BY id"))


# -- raising ---------------------------------------------------------------------------------

def test_failed_and_degraded_runs_raise_one_alert_each_and_interrupted_none(db):
    ids = make_runs(db)
    settings = AlertSettings.from_mapping({"expected": {"sites": []}})
    new = raise_alerts(db, settings)
    assert [(a["kind"], a["key"], a["site"], a["run_id"]) for a in new] == [
        ("failed", f"run:{ids['failed']}", "greenmart", ids["failed"]),
        ("degraded", f"run:{ids['degraded']}", "baihuo", ids["degraded"]),
    ]
    assert new[0]["job"] == "greenmart-nightly" and FAILED_REASON in new[0]["message"]
    assert DEGRADED_REASON in new[1]["message"]
    # deduplicated by key: a second check raises nothing, the table still has two rows
    assert raise_alerts(db, settings) == []
    assert len(alert_rows(db)) == 2
    # the default expects every site with a run in the last 30 days: greenmart never completed
    new = raise_alerts(db, AlertSettings())
    assert [(a["kind"], a["site"]) for a in new] == [("no_runs", "greenmart")]
    assert "No completed run of greenmart in the last 24 hours" in new[0]["message"]
    assert "failed" in new[0]["message"]  # names the last run and its status


def test_a_day_without_runs_raises_no_runs_once_per_site_and_day(db):
    run = start_run(db, site="greenmart", spider="profile", kind="profile")
    finish_run(db, run, status="completed", pages=1, listings_seen=3)
    tag_run(db, run, job="greenmart-nightly")
    db["crawl_runs"].update(run, {"started_at": "2026-11-20T02:00:00Z", "finished_at": "2026-11-20T02:10:00Z"})
    settings = AlertSettings.from_mapping({"no_runs_hours": 24,
                                           "expected": {"sites": ["greenmart", "newshop"],
                                                        "jobs": ["greenmart-nightly"]}})
    # 23 hours later: greenmart is fine; newshop never ran
    new = raise_alerts(db, settings, now="2026-11-21T01:00:00Z")
    assert [a["key"] for a in new] == ["no_runs:newshop:2026-11-21"]
    assert "no run recorded" in new[0]["message"]
    # 25 hours later: the site and its job are quiet
    new = raise_alerts(db, settings, now="2026-11-21T03:00:00Z")
    assert [a["key"] for a in new] == ["no_runs:greenmart:2026-11-21", "no_runs:job:greenmart-nightly:2026-11-21"]
    assert new[0]["run_id"] == run and "last run" in new[0]["message"]
    assert new[1]["job"] == "greenmart-nightly" and new[1]["site"] == "greenmart"
    # the same day again: nothing new; the next day: again
    assert raise_alerts(db, settings, now="2026-11-21T20:00:00Z") == []
    assert len(raise_alerts(db, settings, now="2026-11-22T03:00:00Z")) == 3
    # a run in progress that started in the window is not a quiet site
    busy = start_run(db, site="newshop", spider="profile", kind="profile")
    db["crawl_runs"].update(busy, {"started_at": "2026-11-23T02:30:00Z"})
    keys = [a["key"] for a in raise_alerts(db, settings, now="2026-11-23T03:00:00Z")]
    assert "no_runs:newshop:2026-11-23" not in keys and "no_runs:greenmart:2026-11-23" in keys
    # by default, a site whose last run is more than 30 days old is no longer expected
    assert raise_alerts(db, AlertSettings(), now="2026-12-30T03:00:00Z") == []


# -- delivery --------------------------------------------------------------------------------

def test_alerts_are_delivered_once_by_email_and_webhook(db):
    ids = make_runs(db)
    with SmtpReceiver() as smtp, HookReceiver() as hook:
        settings = dataclasses.replace(settings_for(smtp.port, hook.url, expected={"sites": []}), language="en")
        result = check_and_deliver(db, settings)
        assert result.ok, result
        assert len(result.new) == 2 and result.report.email_sent == 2 and result.report.webhook_sent == 2
        # one message listing both alerts, to every recipient, plain text UTF-8
        assert len(smtp.messages) == 1
        assert smtp.messages[0]["to"] == ["analysts@example.org", "lead@example.org"]
        mail = smtp.parsed()
        assert mail["Subject"].startswith("[monitor-test] 2 alerts (1 failed, 1 degraded)")
        assert "baihuo" in mail["Subject"] and "greenmart" in mail["Subject"]
        assert mail.get_content_type() == "text/plain" and mail.get_content_charset() == "utf-8"
        body = mail.get_content()
        for text in (f"run {ids['failed']}", "site greenmart", "job greenmart-nightly", "status: failed",
                     FAILED_REASON, "logs/greenmart-1.log", f"run {ids['degraded']}", "site baihuo",
                     "status: degraded", DEGRADED_REASON, "logs/baihuo-2.log"):
            assert text in body, text
        # one POST with both alerts as JSON, the configured headers and the one from the environment
        assert len(hook.posts) == 1
        post = hook.posts[0]
        assert post["path"] == "/hooks/secret-token"
        assert post["headers"]["X-Source"] == "listing-monitor"
        assert post["headers"]["Authorization"] == "Bearer hook-secret"
        alerts = post["json"]["alerts"]
        assert [(a["kind"], a["site"], a["status"], a["run_id"]) for a in alerts] == [
            ("failed", "greenmart", "failed", ids["failed"]), ("degraded", "baihuo", "degraded", ids["degraded"])]
        assert alerts[0]["reason"] == FAILED_REASON and alerts[1]["reason"] == DEGRADED_REASON
        assert alerts[0]["job"] == "greenmart-nightly" and alerts[1]["log_path"] == "logs/baihuo-2.log"
        assert DEGRADED_REASON in post["json"]["text"]
        rows = alert_rows(db)
        assert all(r["email_sent_at"] and r["webhook_sent_at"] and not r["last_error"] for r in rows)
        # the next check sends nothing again
        again = check_and_deliver(db, settings)
        assert again.new == [] and again.report.pending == 0 and again.ok
        assert len(smtp.messages) == 1 and len(hook.posts) == 1


def test_a_receiver_that_is_down_keeps_the_error_and_the_next_check_sends(db):
    make_runs(db)
    smtp_port = unused_port()
    with HookReceiver(status=503) as hook:
        settings = settings_for(smtp_port, hook.url, expected={"sites": []})
        result = check_and_deliver(db, settings)  # never raises
        assert len(result.new) == 2 and not result.ok
        assert result.report.email_sent == 0 and result.report.webhook_sent == 0
        assert any(e.startswith("email: ") and "Connection" in e for e in result.report.errors)
        assert any(e.startswith("webhook: HTTP 503 from http://127.0.0.1:") for e in result.report.errors)
        assert all("secret-token" not in e for e in result.report.errors)  # the hook's path stays out of logs
        rows = alert_rows(db)
        assert all(not r["email_sent_at"] and not r["webhook_sent_at"] for r in rows)
        assert all("email: " in r["last_error"] and "webhook: HTTP 503" in r["last_error"] for r in rows)
        assert len(hook.posts) == 1  # it was tried
        # the webhook recovers, the mail server is still down: the webhook is done, the error is the mail's
        hook.status = 200
        report = deliver(db, settings)
        assert report.webhook_sent == 2 and report.email_sent == 0
        rows = alert_rows(db)
        assert all(r["webhook_sent_at"] and r["last_error"].startswith("email: ") for r in rows)
        assert "webhook" not in rows[0]["last_error"]
        # the mail server comes up on its port: the next check sends the mail, and only the mail
        with SmtpReceiver(port=smtp_port) as smtp:
            result = check_and_deliver(db, settings)
            assert result.ok and result.new == [] and result.report.email_sent == 2
            assert len(smtp.messages) == 1 and len(hook.posts) == 2
            assert all(r["email_sent_at"] and r["last_error"] is None for r in alert_rows(db))
            assert check_and_deliver(db, settings).report.pending == 0
            assert len(smtp.messages) == 1


def test_delivery_problems_are_reported_never_raised(db, monkeypatch):
    make_runs(db)
    raise_alerts(db, AlertSettings.from_mapping({"expected": {"sites": []}}))
    # the password's environment variable is not set: nothing is sent, the error names it
    monkeypatch.delenv(PASSWORD_ENV)
    with SmtpReceiver() as smtp:
        report = deliver(db, AlertSettings(email=EmailSettings(
            host="127.0.0.1", port=smtp.port, username=SMTP_USER, password_env=PASSWORD_ENV,
            sender="m@example.org", to=("a@example.org",), timeout=5)))
        assert report.email_sent == 0 and PASSWORD_ENV in report.errors[0] and smtp.messages == []
    # a password is never sent in clear to a remote server
    monkeypatch.setenv(PASSWORD_ENV, SMTP_PASSWORD)
    report = deliver(db, AlertSettings(email=EmailSettings(
        host="smtp.example.org", port=25, username=SMTP_USER, password_env=PASSWORD_ENV,
        sender="m@example.org", to=("a@example.org",), timeout=5)))
    assert "unencrypted" in report.errors[0]
    # a webhook that is not http(s) is refused at send time too
    report = deliver(db, AlertSettings(webhook=WebhookSettings(url="file:///etc/passwd")))
    assert report.webhook_sent == 0 and "only http:// and https://" in report.errors[0]
    assert all(not r["webhook_sent_at"] and not r["email_sent_at"] for r in alert_rows(db))
    # without channels there is nothing to do and nothing fails
    assert deliver(db, AlertSettings()).ok


# -- configuration ---------------------------------------------------------------------------

def test_config_problems_name_the_field_and_say_what_to_write():
    assert alert_problems(None) == [] and alert_problems({}) == []
    assert AlertSettings.from_mapping(None) == AlertSettings()
    problems = alert_problems({
        "emial": {},
        "no_runs_hours": "a day",
        "expected": {"sites": "greenmart"},
        "email": {"host": "smtp.example.org", "port": "587", "from": "nobody", "to": ["ok@example.org", "bad"],
                  "password": "hunter2", "username": "me", "starttls": "yes"},
        "webhook": {"url": "ftp://hooks.example.org/x", "headers": {"Bad Header": "x"}, "timeout": 0},
    })
    text = "\n".join(problems)
    for expected in ("alerts.emial: unknown field; expected one of: email, expected, no_runs_hours, webhook",
                     "alerts.no_runs_hours: must be a positive number of hours",
                     "alerts.expected.sites: must be a list of site names",
                     "alerts.email.port: must be an integer from 1 to 65535",
                     "alerts.email.from: must be one e-mail address",
                     "alerts.email.to.1: must be an e-mail address",
                     "alerts.email.password: unknown field",
                     "never write the password in the file: set password_env",
                     "alerts.email.password_env: required with username",
                     "alerts.email.starttls: must be true or false",
                     "alerts.webhook.url: only http:// and https:// URLs are allowed",
                     "alerts.webhook.headers.Bad Header: not a valid HTTP header name",
                     "alerts.webhook.timeout: must be a number of seconds"):
        assert expected in text, expected
    assert alert_problems("yes") == [
        "alerts: must be a mapping (email:, webhook:, no_runs_hours:, expected:), e.g. alerts: {no_runs_hours: 24}"]
    assert "alerts.email.host: required" in "\n".join(alert_problems({"email": {"to": ["a@b.c"], "from": "m@b.c"}}))
    assert "alerts.email.ssl: give ssl: true" in "\n".join(alert_problems(
        {"email": {"host": "h", "from": "m@b.c", "to": "a@b.c", "ssl": True, "starttls": True}}))
    with pytest.raises(ValueError, match="alerts.email.port"):
        AlertSettings.from_mapping({"email": {"host": "h", "from": "m@b.c", "to": ["a@b.c"], "port": 0}})
    # defaults: the port follows the encryption; one address is a list of one
    s = AlertSettings.from_mapping({"email": {"host": "h", "from": "m@b.c", "to": "a@b.c", "starttls": True},
                                    "webhook": {"url": "https://hooks.example.org/x"}})
    assert s.email.port == 587 and s.email.to == ("a@b.c",) and s.webhook.timeout == 10
    assert s.channels == ("email", "webhook") and s.no_runs_hours == 24 and s.expected_sites is None
    ssl = AlertSettings.from_mapping({"email": {"host": "h", "from": "m@b.c", "to": ["a@b.c"], "ssl": True}})
    assert ssl.email.port == 465


def test_cli_check_reports_a_bad_section_with_file_line_and_field(tmp_path, db_path):
    config = tmp_path / "monitor.yaml"
    config.write_text("jobs: []\n"
                      "alerts:\n"
                      "  no_runs_hours: 24\n"
                      "  email:\n"
                      "    host: smtp.example.org\n"
                      "    port: \"587\"\n"
                      "    from: monitor@example.org\n"
                      "    to: [analysts@example.org]\n"
                      "  webhook:\n"
                      "    url: gopher://hooks.example.org/\n", encoding="utf-8")
    proc = run_monitor("alerts", "check", "--config", str(config), db_path=db_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{config}:6: alerts.email.port: must be an integer from 1 to 65535" in proc.stderr
    assert f"{config}:10: alerts.webhook.url: only http:// and https:// URLs are allowed" in proc.stderr
    missing = run_monitor("alerts", "check", "--config", str(tmp_path / "nope.yaml"), db_path=db_path)
    assert missing.returncode == 2 and "file not found" in missing.stderr


def test_cli_check_raises_delivers_and_lists(tmp_path, db_path):
    db = open_db(db_path)
    ids = make_runs(db)
    db.close()
    with SmtpReceiver() as smtp, HookReceiver() as hook:
        config = tmp_path / "monitor.yaml"
        config.write_text(
            "jobs: []\n"
            "alerts:\n"
            "  expected: {sites: []}\n"
            "  email:\n"
            f"    host: 127.0.0.1\n    port: {smtp.port}\n"
            f"    username: {SMTP_USER}\n    password_env: {PASSWORD_ENV}\n"
            "    from: monitor@example.org\n    to: [analysts@example.org]\n    timeout: 5\n"
            "  webhook:\n"
            f"    url: {hook.url}\n    timeout: 5\n", encoding="utf-8")
        env = {PASSWORD_ENV: SMTP_PASSWORD}
        proc = run_monitor("alerts", "check", "--config", str(config), db_path=db_path, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "2 new alerts" in proc.stdout and FAILED_REASON in proc.stdout and "2 sent by e-mail" in proc.stdout
        assert len(smtp.messages) == 1 and len(hook.posts) == 1
        assert "greenmart" in smtp.parsed().get_content()
        again = run_monitor("alerts", "check", "--config", str(config), "--json", db_path=db_path, env=env)
        assert again.returncode == 0, again.stderr
        out = json.loads(again.stdout)
        assert out["new"] == [] and out["delivery"]["pending"] == 0 and out["config"] == str(config)
        assert len(smtp.messages) == 1 and len(hook.posts) == 1
    # with the mail server gone, a new alert stays pending and the exit status says so
    db = open_db(db_path)
    run = start_run(db, site="baihuo", spider="profile", kind="profile")
    finish_run(db, run, status="failed", finish_reason="spider error")
    db.close()
    down = run_monitor("alerts", "check", "--config", str(config), db_path=db_path, env=env)
    assert down.returncode == 1 and "1 new alert" in down.stdout and "email: " in down.stdout
    listed = run_monitor("alerts", "--json", db_path=db_path)
    rows = json.loads(listed.stdout)
    assert [r["run_id"] for r in rows] == [run, ids["degraded"], ids["failed"]]
    assert rows[0]["last_error"] and not rows[0]["email_sent_at"] and rows[1]["email_sent_at"]
    table = run_monitor("alerts", db_path=db_path)
    assert table.returncode == 0 and "degraded" in table.stdout and "error:" in table.stdout
    # --no-send raises only
    only = run_monitor("alerts", "check", "--config", str(config), "--no-send", db_path=db_path, env=env)
    assert only.returncode == 0 and "not attempted" in only.stdout


# -- dashboard -------------------------------------------------------------------------------

def test_dashboard_shows_recent_alerts_escaped(tmp_path):
    from tests.web_fixtures import LiveServer, build_store, http_client, login

    path = tmp_path / "monitor.db"
    build_store(path)
    db = open_db(path)
    hostile = "<script>alert('alert-msg')</script> layout changed"
    run = start_run(db, site="shopa", spider="profile", kind="profile")
    finish_run(db, run, status="degraded", degraded_reason=hostile)
    old = start_run(db, site="shopb", spider="profile", kind="profile")
    finish_run(db, old, status="failed", finish_reason="old failure")
    raise_alerts(db, AlertSettings.from_mapping({"expected": {"sites": []}}))
    db.execute("UPDATE alerts SET at = '2020-01-01T00:00:00Z' WHERE run_id = ?", [old])
    assert [a["run_id"] for a in recent_alerts(db)] == [run]
    db.close()
    with LiveServer(path, language="en") as live, http_client(live.url) as c:
        login(c, "ana")
        page = c.get("/dashboard").text
        assert "<h2>Alerts" in page and 'data-alert="degraded"' in page
        assert f"run {run} (degraded)" in page and "shopa" in page
        assert "&lt;script&gt;alert(&#39;alert-msg&#39;)&lt;/script&gt;" in page
        assert "<script>alert('alert-msg')" not in page
        assert "old failure" not in page  # older than 7 days
        assert "not sent" in page


def test_the_alert_e_mail_is_in_the_offices_language_chinese_by_default(db, tmp_path):
    config = tmp_path / "monitor.yaml"
    config.write_text("alerts: {}\n", encoding="utf-8")
    assert load_alert_settings(config).language == "zh_CN"  # no language: key, Chinese
    config.write_text("language: en\nalerts: {}\n", encoding="utf-8")
    assert load_alert_settings(config).language == "en"
    make_runs(db)
    with SmtpReceiver() as smtp, HookReceiver() as hook:
        settings = settings_for(smtp.port, hook.url, expected={"sites": []})
        assert settings.language == "zh_CN"
        assert check_and_deliver(db, settings).ok
        mail = smtp.parsed()
        assert mail["Subject"].startswith("[monitor-test] 2 条告警（失败 1 次、降级运行 1 次）：")
        body = mail.get_content()
        for text in ("条新告警", "平台 greenmart", "任务 greenmart-nightly", "状态：失败", "原因：", "第 1 次运行失败", "日志：", "告警时间："):
            assert text in body, text
        assert "status:" not in body and "new alert" not in body
