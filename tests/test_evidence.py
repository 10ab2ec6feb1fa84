"""Evidence kept as captured: WARC records with SHA-256 digests, screenshots, the hash-chained
custody log, `monitor evidence verify` catching one changed byte, the sanitiser."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pytest

from monitor.evidence import custody
from monitor.evidence.paths import evidence_root, resolve
from monitor.evidence.sanitise import inert_html
from monitor.evidence.warcfile import read_record
from monitor.store import open_db
from monitor.store.db import write_transaction
from tests.conftest import run_monitor
from tests.web_fixtures import HOSTILE_CAPTURE, build_store


@pytest.fixture
def kept(tmp_path):
    path = tmp_path / "monitor.db"
    info = build_store(path)
    return path, info


def test_warc_records_read_back_and_pass_warcio_check(kept):
    path, info = kept
    root = evidence_root(path)
    warc = next((root / "warc").rglob("*.warc.gz"))
    check = subprocess.run([os.path.join(os.path.dirname(sys.executable), "warcio"), "check", "-v", str(warc)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") >= 4
    db = open_db(path, migrate=False)
    row = db["evidence"].get(info["evidence"]["response"])
    db.close()
    record = read_record(warc, row["offset"])
    assert record.record_type == "response" and record.status == 200
    assert record.content == HOSTILE_CAPTURE.encode() and record.raw_payload_sha256 == row["sha256"]
    assert ("Content-Type", "text/html; charset=utf-8") in record.headers


def verify(path):
    return run_monitor("evidence", "verify", db_path=path)


def test_verify_passes_then_names_one_flipped_byte_in_a_warc(kept):
    path, info = kept
    ok = verify(path)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    warc = next((evidence_root(path) / "warc").rglob("*.warc.gz"))
    db = open_db(path, migrate=False)
    row = db["evidence"].get(info["evidence"]["response"])
    db.close()
    data = warc.read_bytes()
    start, end = row["offset"], row["offset"] + row["length"]
    member = bytearray(gzip.decompress(data[start:end]))
    member[member.index(b"CAPTURED-MARKER")] ^= 0x01  # one byte of the page
    warc.write_bytes(data[:start] + gzip.compress(bytes(member)) + data[end:])
    bad = verify(path)
    assert bad.returncode == 1
    out = " ".join(bad.stdout.split())
    assert f"evidence {row['id']} (response of https://shop.example/0" in out and "content changed" in out


def test_verify_names_a_changed_screenshot_and_a_missing_file(kept):
    path, info = kept
    root = evidence_root(path)
    shot = next((root / "screenshots").rglob("*.png"))
    data = bytearray(shot.read_bytes())
    data[20] ^= 0x01
    shot.write_bytes(bytes(data))
    out = " ".join(verify(path).stdout.split())
    assert f"evidence {info['evidence']['screenshot']} (screenshot" in out and "content changed" in out
    shot.unlink()
    out = " ".join(verify(path).stdout.split())
    assert "the file is missing" in out


def test_custody_chain_is_append_only_and_a_broken_chain_is_caught(kept):
    path, _ = kept
    db = open_db(path, migrate=False)
    assert db["custody"].count >= 3 and list(custody.verify_chain(db)) == []
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE custody SET actor = 'mallory' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM evidence WHERE id = 1")
    # Someone with file access drops the trigger and edits history: the chain shows it.
    db.execute("DROP TRIGGER custody_no_update")
    db.execute("UPDATE custody SET actor = 'mallory' WHERE id = 2")
    problems = list(custody.verify_chain(db))
    assert problems == ["custody entry 2: its content does not match its hash (the entry was edited)"]
    db.execute("DROP TRIGGER custody_no_delete")
    db.execute("DELETE FROM custody WHERE id = 1")
    assert any("entry 2: does not follow" in p for p in custody.verify_chain(db))
    db.close()
    out = " ".join(verify(path).stdout.split())
    assert "custody entry 2" in out


def test_custody_entries_chain_in_order(tmp_path):
    db = open_db(tmp_path / "m.db")
    with write_transaction(db):
        first = custody.append(db, actor="a", action="export", obj="file:x", sha256="00", detail={"n": 1})
        second = custody.append(db, actor="b", action="view", obj="evidence:1")
    rows = list(db.execute_returning_dicts("SELECT * FROM custody ORDER BY id"))
    assert rows[0]["prev_hash"] == custody.GENESIS and rows[1]["prev_hash"] == first == rows[0]["entry_hash"]
    assert rows[1]["entry_hash"] == second and list(custody.verify_chain(db)) == []
    db.close()


def test_evidence_paths_cannot_leave_the_evidence_folder(tmp_path):
    with pytest.raises(ValueError, match="outside the evidence folder"):
        resolve(tmp_path, "../monitor.db")
    with pytest.raises(ValueError, match="outside the evidence folder"):
        resolve(tmp_path, "/etc/passwd")


def test_inert_html_keeps_text_and_drops_everything_live():
    html = inert_html(HOSTILE_CAPTURE)
    assert "CAPTURED-MARKER" in html and "styled" in html
    lowered = html.lower()
    for live in ("<script", "onload", "onerror", "srcdoc", "<iframe", "<base", "<link", "http-equiv", "url(",
                 "action=", 'href="', "src="):
        assert live not in lowered, live
    assert 'title="link: javascript:alert(' in html
    # text that looks like markup stays text
    assert "&lt;script&gt;" in inert_html("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
