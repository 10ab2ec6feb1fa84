"""Evidence kept as captured: WARC records with SHA-256 digests, screenshots, the hash-chained
custody log, `monitor evidence verify` catching one changed byte, the sanitiser."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest

from monitor.evidence import custody
from monitor.evidence.paths import evidence_root, resolve
from monitor.evidence.sanitise import inert_html
from monitor.evidence.warcfile import read_record
from monitor.store import open_db
from monitor.store.db import durable_transaction, write_transaction
from tests.conftest import ROOT, run_monitor
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
    with durable_transaction(db):
        first = custody.append(db, actor="a", action="export", obj="file:x", sha256="00", detail={"n": 1})
        second = custody.append(db, actor="b", action="view", obj="evidence:1")
    rows = list(db.execute_returning_dicts("SELECT * FROM custody ORDER BY id"))
    assert rows[0]["prev_hash"] == custody.GENESIS and rows[1]["prev_hash"] == first == rows[0]["entry_hash"]
    assert rows[1]["entry_hash"] == second and list(custody.verify_chain(db)) == []
    # An act recorded in an ordinary transaction (synchronous = NORMAL) or none is refused.
    for opened in (write_transaction, None):
        with pytest.raises(RuntimeError, match="durable_transaction"):
            if opened is None:
                custody.append(db, actor="c", action="view", obj="evidence:2")
            else:
                with opened(db):
                    custody.append(db, actor="c", action="view", obj="evidence:2")
    assert db.execute("SELECT count(*) FROM custody").fetchone()[0] == 2
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


def _all_records(warc):
    # lazy: only these tests walk whole files
    from warcio.archiveiterator import ArchiveIterator

    with open(warc, "rb") as f:
        return [(r.rec_type, r.rec_headers.protocol) for r in ArchiveIterator(f)]


def test_every_record_says_warc_1_1_like_its_warcinfo(kept):
    path, _ = kept
    warc = next((evidence_root(path) / "warc").rglob("*.warc.gz"))
    kinds = _all_records(warc)
    assert [k for k, _ in kinds] == ["warcinfo", "response", "request", "resource", "metadata"]
    assert {v for _, v in kinds} == {"WARC/1.1"}
    assert b"format: WARC File Format 1.1" in gzip.decompress(warc.read_bytes())


def seal_rows(path):
    db = open_db(path, migrate=False)
    try:
        return custody.seals(db)
    finally:
        db.close()


def test_closing_a_warc_file_seals_it_and_its_screenshot_in_the_custody_log(kept):
    import hashlib

    path, _ = kept
    root = evidence_root(path)
    warc = next((root / "warc").rglob("*.warc.gz"))
    shot = next((root / "screenshots").rglob("*.png"))
    seals = seal_rows(path)
    rel = warc.relative_to(root).as_posix()
    assert set(seals) == {rel, shot.relative_to(root).as_posix()}
    (entry,) = seals[rel]
    assert entry["sha256"] == hashlib.sha256(warc.read_bytes()).hexdigest()
    assert entry["size"] == warc.stat().st_size and entry["records"] == 5
    (shot_entry,) = seals[shot.relative_to(root).as_posix()]
    assert shot_entry["sha256"] == hashlib.sha256(shot.read_bytes()).hexdigest() and shot_entry["records"] is None


def test_evidence_files_and_their_root_are_private_whatever_the_umask(tmp_path):
    import stat

    old = os.umask(0o022)
    try:
        path = tmp_path / "monitor.db"
        build_store(path)
    finally:
        os.umask(old)
    root = evidence_root(path)
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in (".gz", ".png")]
    assert {p.suffix for p in files} == {".gz", ".png"}
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert {p.relative_to(root).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in files} == \
        {p.relative_to(root).as_posix(): 0o600 for p in files}


def test_a_file_appended_to_gets_a_seal_per_closing_and_its_sealed_start_stays_checked(tmp_path):
    from monitor.evidence.warcfile import RunWarc

    path = tmp_path / "monitor.db"
    open_db(path).close()
    root = evidence_root(path)
    for n in range(2):  # a crawl resumed under the same run id appends to the run's file
        warc = RunWarc(root, "shop", 7, "listing-monitor/test")
        warc.write_exchange(url=f"https://shop.example/{n}", method="GET", request_headers={}, request_body=b"",
                            status=200, reason="OK", protocol="HTTP/1.1", response_headers={}, body=b"page %d" % n,
                            server_ip=None)
        sealed = warc.close()
    assert sealed[0].records == 6 and sealed[0].detail["appended_to"]["records"] == 3
    first, second = seal_rows(path)["warc/shop/run-7.warc.gz"]
    assert first["size"] < second["size"] == warc.path.stat().st_size
    assert verify(path).returncode == 0
    # A byte changed in the part the first closing sealed: that seal names it, not only the last one.
    data = bytearray(warc.path.read_bytes())
    data[first["size"] // 2] ^= 0x01
    warc.path.write_bytes(bytes(data))
    out = " ".join(verify(path).stdout.split())
    assert f"changed since it was sealed (custody entry {first['id']}" in out, out


def test_evidence_and_custody_commit_with_full_sync(kept):
    """Stores run with synchronous=NORMAL; evidence rows, their custody entries and seals commit with FULL."""
    path, _ = kept
    db = open_db(path, migrate=False)
    statements = []
    db.conn.set_trace_callback(statements.append)
    from monitor.evidence.records import record_evidence

    listing = db.execute("SELECT site, listing_id FROM listings LIMIT 1").fetchone()
    cap = {"kind": "response", "url": "https://shop.example/x", "path": "warc/x.warc.gz", "offset": 0, "length": 1,
           "sha256": "00" * 32, "captured_at": "2026-12-01T00:00:00Z"}
    record_evidence(db, [{"site": listing[0], "listing_id": listing[1], "evidence": [cap]}], run_id=None,
                    user_agent="t")
    db.conn.set_trace_callback(None)
    begin, commit = statements.index("BEGIN IMMEDIATE"), statements.index("COMMIT")
    assert "PRAGMA synchronous = FULL" in statements[:begin], statements
    assert any(s.startswith("PRAGMA synchronous = 1") for s in statements[commit:]), statements
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # the connection keeps its own setting
    db.close()


def test_verify_streams_a_large_record(tmp_path):
    """A 256 MiB page (a few hundred KB of gzip) is checked without holding it in memory."""
    import hashlib

    from monitor.evidence.warcfile import RunWarc

    path = tmp_path / "monitor.db"
    open_db(path).close()
    big = tmp_path / "zeros"
    size = 256 << 20
    with open(big, "wb") as f:
        f.truncate(size)  # sparse: no disk used, reads as zeros
    warc = RunWarc(evidence_root(path), "shop", 1, "listing-monitor/test")
    writer = warc._open()
    with open(big, "rb") as payload:
        record = writer.create_warc_record("https://shop.example/big", "resource", payload=payload, length=size,
                                           warc_content_type="text/html")
        offset, length = warc._write(record)
    warc.close()
    zeros = hashlib.sha256()
    for _ in range(size >> 20):
        zeros.update(bytes(1 << 20))
    db = open_db(path)
    with write_transaction(db):
        db["evidence"].insert({"kind": "rendered", "url": "https://shop.example/big", "path": warc.relative,
                               "record_id": record.rec_headers.get_header("WARC-Record-ID"), "offset": offset,
                               "length": length, "sha256": zeros.hexdigest(),
                               "captured_at": "2026-12-01T00:00:00Z"})
    db.close()
    code, text, peak_mib = verify_with_peak_rss(path)
    assert code == 0 and "2 WARC records" in text, text
    assert peak_mib < 200, f"verify peaked at {peak_mib:.0f} MiB for a 256 MiB record"


# Linux keeps a process's peak RSS across exec, and a child forked from pytest starts with pytest's
# own: so `monitor` is started and waited for (wait4) by a small Python process instead.
PEAK_RSS = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=sys.stdout, stderr=subprocess.STDOUT)
_, status, usage = os.wait4(proc.pid, 0)
print(f"\\nexit={os.waitstatus_to_exitcode(status)} peak_kib={usage.ru_maxrss}")
"""


def verify_with_peak_rss(path) -> tuple[int, str, float]:
    """(exit code, output, peak RSS in MiB) of the real `monitor evidence verify`."""
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_DB"}
    done = subprocess.run([sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "monitor", "--db", str(path),
                           "evidence", "verify"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    text, _, tail = done.stdout.rpartition("\nexit=")
    code, _, peak = tail.strip().partition(" peak_kib=")
    return int(code), text + done.stderr, int(peak) / 1024


KILLED_CRAWL = """
import os, signal, sys
from monitor.evidence.paths import evidence_root
from monitor.evidence.warcfile import RunWarc
warc = RunWarc(evidence_root(sys.argv[1]), "shop", 5, "listing-monitor/test",
               seal_every=float(sys.argv[4]) if len(sys.argv) > 4 else 300)
for n in range(int(sys.argv[2])):
    warc.write_exchange(url=f"https://shop.example/{n}", method="GET", request_headers={}, request_body=b"",
                        status=200, reason="OK", protocol="HTTP/1.1", response_headers={}, body=b"page %d" % n,
                        server_ip=None)
    if n == 0 and sys.argv[3] == "close-first":
        warc.close()
os.kill(os.getpid(), signal.SIGKILL)  # the crawl dies before closing its file
"""


def killed_crawl(path, pages, mode="", *seal_every: str):
    done = subprocess.run([sys.executable, "-c", KILLED_CRAWL, str(path), str(pages), mode or "-", *seal_every],
                          cwd=ROOT)
    assert done.returncode == -9


def test_a_killed_crawls_file_is_reported_then_sealed_late_after_its_records_pass(tmp_path):
    path = tmp_path / "monitor.db"
    open_db(path).close()
    killed_crawl(path, 3)
    out = " ".join(verify(path).stdout.split())
    assert "warc/shop/run-5.warc.gz: unknown to the custody log" in out and "monitor evidence seal" in out
    dry = run_monitor("evidence", "seal", "--dry-run", db_path=path)
    assert dry.returncode == 0 and "warc/shop/run-5.warc.gz: would seal" in dry.stdout, dry.stdout + dry.stderr
    assert verify(path).returncode == 1  # a dry run writes nothing
    sealed = run_monitor("evidence", "seal", db_path=path)
    assert sealed.returncode == 0 and "7 records" in sealed.stdout, sealed.stdout + sealed.stderr
    ok = verify(path)
    assert ok.returncode == 0, ok.stdout
    assert "1 file(s) were sealed late (`monitor evidence seal`), not when captured: warc/shop/run-5.warc.gz" \
        in " ".join(ok.stdout.split())
    (entry,) = seal_rows(path)["warc/shop/run-5.warc.gz"]
    assert entry["late"] and entry["records"] == 7


def test_only_the_unsealed_end_of_a_resumed_file_is_sealed_late_and_junk_is_refused(tmp_path):
    path = tmp_path / "monitor.db"
    open_db(path).close()
    killed_crawl(path, 2, "close-first")  # the first closing sealed 3 records, then 2 more and a kill
    out = " ".join(verify(path).stdout.split())
    assert "byte(s) after the end sealed by custody entry" in out and "monitor evidence seal" in out, out
    assert "records were added" not in out  # the length is the finding; the count says nothing more
    sealed = run_monitor("evidence", "seal", db_path=path)
    assert sealed.returncode == 0 and "sealed late (bytes " in sealed.stdout, sealed.stdout
    assert verify(path).returncode == 0
    warc = evidence_root(path) / "warc/shop/run-5.warc.gz"
    with open(warc, "ab") as f:
        f.write(b"not a record")
    refused = run_monitor("evidence", "seal", db_path=path)
    assert refused.returncode == 1 and "refused: warc/shop/run-5.warc.gz @" in refused.stdout, refused.stdout
    assert verify(path).returncode == 1


def test_an_open_file_is_sealed_as_it_grows_so_a_kill_leaves_only_the_last_records_unsealed(tmp_path):
    path = tmp_path / "monitor.db"
    open_db(path).close()
    killed_crawl(path, 3, "-", "0")  # a checkpoint after every record
    ok = verify(path)
    assert ok.returncode == 0, ok.stdout  # nothing written before the kill is left unsealed
    checkpoints = seal_rows(path)["warc/shop/run-5.warc.gz"]
    assert len(checkpoints) == 7 and checkpoints[-1]["records"] == 7
    db = open_db(path, migrate=False)
    details = [json.loads(r[0]) for r in db.execute("SELECT detail FROM custody WHERE action = 'seal'")]
    db.close()
    assert all(d["open"] for d in details)  # each says the file was still being written


def test_a_file_closed_and_written_again_counts_its_records_once(tmp_path):
    from monitor.evidence.warcfile import RunWarc

    path = tmp_path / "monitor.db"
    open_db(path).close()
    warc = RunWarc(evidence_root(path), "shop", 8, "listing-monitor/test")
    for n in range(2):
        warc.write_exchange(url=f"https://shop.example/{n}", method="GET", request_headers={}, request_body=b"",
                            status=200, reason="OK", protocol="HTTP/1.1", response_headers={}, body=b"page",
                            server_ip=None)
        warc.close()
    first, second = seal_rows(path)["warc/shop/run-8.warc.gz"]
    assert (first["records"], second["records"]) == (3, 6)
    assert verify(path).returncode == 0


def test_verify_stops_at_a_gigantic_header_line_in_bounded_memory(tmp_path):
    """warcio reads a header line whatever its length; a forged 300 MiB 'line' must not fill memory."""
    from monitor.evidence.warcfile import RunWarc

    path = tmp_path / "monitor.db"
    open_db(path).close()
    warc = RunWarc(evidence_root(path), "shop", 1, "listing-monitor/test")
    warc.write_exchange(url="https://shop.example/0", method="GET", request_headers={}, request_body=b"",
                        status=200, reason="OK", protocol="HTTP/1.1", response_headers={}, body=b"page",
                        server_ip=None)
    warc.close()
    size = warc.path.stat().st_size
    with open(warc.path, "ab") as f, gzip.GzipFile(fileobj=f, mode="wb") as member:
        member.write(b"WARC/1.1\r\nWARC-Type: resource\r\nX-Forged: ")
        for _ in range(300):
            member.write(b"a" * (1 << 20))
    code, text, peak_mib = verify_with_peak_rss(path)
    text = " ".join(text.split())
    assert code == 1, text
    assert f"warc/shop/run-1.warc.gz @{size}: cannot be read (ValueError: a header line longer than 1 MiB)" in text
    assert peak_mib < 200, f"verify peaked at {peak_mib:.0f} MiB"
