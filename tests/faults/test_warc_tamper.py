"""Evidence that cannot be changed unnoticed (issue 13, defect 4): a real crawl of the hostile shop
into a temporary store, then one change to its evidence per test; each makes `monitor evidence
verify` exit 1 naming the file and the record, and the untouched store passes.

The crawl keeps a category page (not linked to any listing), two product pages (each linked to
its listing) and their request records in one WARC file, sealed in the custody log on closing.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import shutil
import subprocess
import sys

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import run_monitor
from tests.faults.hostile import links_html, product_html, reply


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    # lazy: a module-scoped fixture cannot use the function-scoped `hostile` fixture
    from tests.faults.hostile import HostileShop

    home = tmp_path_factory.mktemp("warc-tamper")
    with HostileShop() as shop:
        shop.routes["/robots.txt"] = reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain")
        shop.routes["/"] = reply(200, links_html(["/p/1", "/p/2"]))
        shop.routes["/p/1"] = reply(200, product_html("Widget one", sku="W1"))
        shop.routes["/p/2"] = reply(200, product_html("Widget two", sku="W2"))
        crawl = run_monitor("crawl", "--url", shop.url("/"), "--allow-private", "--max-pages", "5", "--no-recheck",
                            db_path=home / "monitor.db", env={"MONITOR_SCORE": "false"})
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        return home, shop.url("/")


@pytest.fixture
def store(crawled, tmp_path):
    """A fresh copy of the crawled store and its evidence for each test to damage."""
    home, start = crawled
    copy = tmp_path / "store"
    shutil.copytree(home, copy)
    warc = next((copy / "evidence" / "warc").rglob("*.warc.gz"))
    return copy / "monitor.db", warc, start


def records(warc):
    """(offset, length, type, WARC-Record-ID, target URI) of each record."""
    out = []
    with open(warc, "rb") as f:
        it = ArchiveIterator(f)
        for record in it:
            record.raw_stream.read()
            out.append((it.get_record_offset(), it.get_record_length(), record.rec_type,
                        record.rec_headers.get_header("WARC-Record-ID"),
                        record.rec_headers.get_header("WARC-Target-URI")))
    return out


def find(warc, rec_type, url):
    return next(r for r in records(warc) if r[2] == rec_type and r[4] == url)


def edit_member(warc, record, edit):
    """Recompress one record's gzip member after ``edit`` changed its bytes (a valid gzip, so
    only the digests can tell)."""
    offset, length = record[0], record[1]
    data = warc.read_bytes()
    member = bytearray(gzip.decompress(data[offset:offset + length]))
    edit(member)
    warc.write_bytes(data[:offset] + gzip.compress(bytes(member)) + data[offset + length:])


def flip_after(marker: bytes):
    def edit(member: bytearray):
        member[member.index(marker) + len(marker)] ^= 0x01
    return edit


def verify(db_path) -> tuple[int, str]:
    done = run_monitor("evidence", "verify", db_path=db_path)
    return done.returncode, " ".join(done.stdout.split()) + done.stderr


def warcio_check(warc) -> int:
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "warcio"), "check", str(warc)],
                          capture_output=True, text=True).returncode


def test_untouched_store_passes_and_every_record_is_checked(store):
    db_path, warc, _ = store
    code, out = verify(db_path)
    assert code == 0, out
    # warcinfo + 3 pages x (response, request), and /sitemap.xml's when the shop spider asked for it
    # in time: every record of the file, not only the 2 linked to listings.
    with open(warc, "rb") as f:
        records = sum(1 for _ in ArchiveIterator(f))
    assert records >= 7
    assert "1 files" in out and f"{records} WARC records, 2 evidence rows" in out and "OK" in out


def test_a_flipped_byte_in_a_request_record(store):
    db_path, warc, start = store
    request = find(warc, "request", start + "p/1")
    edit_member(warc, request, flip_after(b"User-Agent: "))
    assert warcio_check(warc) == 1  # what warcio sees, verify must see
    code, out = verify(db_path)
    assert code == 1
    rel = warc.relative_to(db_path.parent / "evidence").as_posix()
    assert f"{rel} @{request[0]} (request record {request[3]}): block digest failed" in out, out
    assert f"{rel}: changed since it was sealed" in out


def test_a_flipped_byte_in_a_category_page(store):
    db_path, warc, start = store
    page = find(warc, "response", start)
    edit_member(warc, page, flip_after(b'<a href="/p/'))
    code, out = verify(db_path)
    assert code == 1
    assert f"@{page[0]} (response record {page[3]}): block digest failed" in out, out
    assert "payload digest failed" in out and "restore the file from a backup" in out


def test_a_flipped_byte_in_a_listing_page(store):
    db_path, warc, start = store
    page = find(warc, "response", start + "p/2")
    edit_member(warc, page, flip_after(b'"name": "Widget t'))
    code, out = verify(db_path)
    assert code == 1
    assert f"@{page[0]} (response record {page[3]}): block digest failed" in out, out
    assert f"(response of {start}p/2, " in out and "content changed" in out


def test_a_flipped_byte_in_the_compressed_file(store):
    db_path, warc, start = store
    page = find(warc, "response", start + "p/1")
    data = bytearray(warc.read_bytes())
    data[page[0] + page[1] // 2] ^= 0x01  # inside the deflate stream: the gzip member is broken
    warc.write_bytes(bytes(data))
    code, out = verify(db_path)
    assert code == 1
    assert f"@{page[0]} (response record {page[3]}): " in out or f"@{page[0]}: cannot be read" in out, out


def test_a_record_rewritten_with_fresh_digests_is_caught_by_the_seal(store):
    """The forgery `warcio check` cannot see: the page changed and both digests recomputed."""
    db_path, warc, start = store
    page = find(warc, "response", start)

    def forge(member: bytearray):
        head, _, block = bytes(member).partition(b"\r\n\r\n")
        http, _, payload = block.partition(b"\r\n\r\n")
        payload = payload.replace(b"/p/2", b"/p/9")  # same length: Content-Length stays right
        block = http + b"\r\n\r\n" + payload
        b32 = lambda data: b"sha256:" + base64.b32encode(hashlib.sha256(data).digest())  # noqa: E731
        lines = [b"WARC-Block-Digest: " + b32(block[:-4]) if line.startswith(b"WARC-Block-Digest:")
                 else b"WARC-Payload-Digest: " + b32(payload[:-4]) if line.startswith(b"WARC-Payload-Digest:")
                 else line for line in head.split(b"\r\n")]
        member[:] = b"\r\n".join(lines) + b"\r\n\r\n" + block

    edit_member(warc, page, forge)
    assert warcio_check(warc) == 0  # the record is self-consistent
    code, out = verify(db_path)
    assert code == 1
    rel = warc.relative_to(db_path.parent / "evidence").as_posix()
    assert f"{rel}: changed since it was sealed (custody entry" in out, out


def test_junk_appended(store):
    db_path, warc, _ = store
    size = warc.stat().st_size
    junk = b"WARC/1.1\r\nWARC-Type: resource\r\n\r\njunk"
    with open(warc, "ab") as f:
        f.write(junk)
    code, out = verify(db_path)
    assert code == 1
    rel = warc.relative_to(db_path.parent / "evidence").as_posix()
    assert f"{rel}: {len(junk)} byte(s) after the end sealed by custody entry" in out and f"truncate -s {size}" in out, out
    assert f"{rel} @{size}" in out  # the record check stops at the junk and says where


def test_a_deleted_warc_file(store):
    db_path, warc, start = store
    warc.unlink()
    code, out = verify(db_path)
    assert code == 1
    rel = warc.relative_to(db_path.parent / "evidence").as_posix()
    assert f"{rel}: missing; custody entry" in out and "restore it from a backup" in out, out
    assert f"(response of {start}p/1, {rel} @" in out and "the file is missing" in out


def test_an_unknown_file(store):
    db_path, warc, _ = store
    extra = warc.with_name("run-99.warc.gz")
    shutil.copyfile(warc, extra)
    stray = warc.parent.parent / "notes.txt"
    stray.write_text("not evidence")
    code, out = verify(db_path)
    assert code == 1
    assert f"warc/{warc.parent.name}/run-99.warc.gz: unknown to the custody log" in out, out
    assert "warc/notes.txt: unknown to the custody log" in out


def test_a_truncated_file_and_a_symbolic_link(store):
    db_path, warc, _ = store
    data = warc.read_bytes()
    last = records(warc)[-1]
    warc.write_bytes(data[:last[0]])  # the last record cut off: every byte left is as sealed
    (warc.parent / "link.warc.gz").symlink_to("/etc/hostname")
    code, out = verify(db_path)
    assert code == 1
    rel = warc.relative_to(db_path.parent / "evidence").as_posix()
    assert f"{rel}: truncated: {last[0]} bytes, but custody entry" in out, out
    assert f"warc/{warc.parent.name}/link.warc.gz: a symbolic link (to /etc/hostname)" in out


def test_a_crawl_killed_mid_run_leaves_its_file_named_until_sealed_late(hostile, tmp_path):
    """SIGKILL, as the scheduler's timeout sends it, before the crawl closes its WARC file."""
    # lazy: only this test drives a crawl process by hand
    import signal
    import time

    from tests.conftest import ROOT
    from tests.faults.hostile import hang

    hostile.routes["/robots.txt"] = reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain")
    hostile.routes["/"] = reply(200, links_html(["/p/1", "/p/2"]))
    hostile.routes["/p/1"] = reply(200, product_html("Widget one", sku="W1"))
    hostile.routes["/p/2"] = hang()
    db_path = tmp_path / "monitor.db"
    crawl = subprocess.Popen([sys.executable, "-m", "monitor", "--db", str(db_path), "crawl", "--url",
                              hostile.url("/"), "--allow-private", "--no-recheck"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                             env={**{k: v for k, v in os.environ.items() if k != "MONITOR_DB"},
                                  "MONITOR_SCORE": "false"})
    try:
        deadline = time.monotonic() + 120
        while not ({"/p/1", "/p/2"} <= set(hostile.paths()) and list((tmp_path / "evidence").rglob("*.warc.gz"))):
            assert time.monotonic() < deadline and crawl.poll() is None, "the crawl did not reach /p/2"
            time.sleep(0.2)
        time.sleep(1.0)  # /p/1's records are written as its response arrives, before /p/2's hang
    finally:
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=30)
    code, out = verify(db_path)
    assert code == 1 and "unknown to the custody log" in out and "monitor evidence seal" in out, out
    sealed = run_monitor("evidence", "seal", db_path=db_path)
    assert sealed.returncode == 0 and "sealed late" in sealed.stdout, sealed.stdout + sealed.stderr
    code, out = verify(db_path)
    assert code == 0 and "1 file(s) were sealed late" in out, out
