"""Forged and hostile packages against `monitor evidence verify` (issue 13, defect 4).

The forgery the audit found: rewrite listing.json, recompute its hash in the manifest and the
manifest's hash: it verified "OK". Now the package is signed and timestamped over that hash,
and the export's custody entry records the file's SHA-256, so every step of the forger shows.
A flipped byte in any WARC record fails even when the forger re-signs with the deployment's own
key (each record is checked against its own digests). A zip bomb (1.5 MiB packing 1.5 GiB) is
refused from the zip's directory, before a byte is unpacked, in bounded memory; so is a gzip
bomb inside the WARC file, after its first few hundred MiB are counted (never held).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import subprocess
import sys
import zipfile
import zlib

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor.evidence import signing
from monitor.export.package import verify_package
from tests.conftest import ROOT, run_monitor
from tests.test_export_case import (copy_case, entries, export_case, make_case_store, rehash, rezip, tsa,  # noqa: F401
                                     verify)

LISTING = "listing.json"


@pytest.fixture(scope="module")
def built_case(tmp_path_factory, tsa):
    folder = tmp_path_factory.mktemp("case")
    store = make_case_store(folder, tsa)
    store.out = folder / "case.wacz"
    proc = export_case(store, store.out)
    assert proc.returncode == 0, proc.stderr
    attacker = folder / "attacker" / "key.pem"
    signing.generate(attacker)
    store.attacker = attacker
    store.tsa_other_ca = tsa.other_ca
    return store


@pytest.fixture
def case(built_case, tmp_path):
    return copy_case(built_case, tmp_path)  # each test forges its own copy


def forged_listing(case) -> dict:
    """The package with listing.json rewritten (the seller's name changed)."""
    items = entries(case.out)
    name = next(n for n in items if n.endswith(LISTING))
    record = json.loads(items[name][1])
    record["listing"]["seller_name"] = "Someone Else Entirely"
    items[name] = (zipfile.ZIP_DEFLATED, json.dumps(record, ensure_ascii=False, indent=1).encode())
    return items


def one_line(proc) -> str:
    return " ".join(proc.stdout.split())


def test_the_rewrite_and_rehash_forgery_fails(case, tmp_path):
    items = forged_listing(case)
    rehash(items)  # the audit's forgery: every hash recomputed, the old signature and timestamp left
    bad = verify(rezip(items, tmp_path / "forged.wacz"), store=case, env=case.env)
    out = one_line(bad)
    assert bad.returncode == 1, out
    assert "the signature does not match datapackage.json's hash" in out
    assert "the timestamp is over another digest" in out
    assert "it is not the package that was exported" not in out  # another name: the custody check by hash
    assert "no export with this file's SHA-256" in out
    far = verify(tmp_path / "forged.wacz")  # far from the store, no trusted key: still caught
    assert far.returncode == 1 and "the signature does not match" in far.stdout


def test_the_forger_who_signs_with_a_key_of_their_own_fails(case, tmp_path):
    items = forged_listing(case)
    rehash(items, key=case.attacker, keep_timestamp=False)
    forged = rezip(items, tmp_path / "case.wacz.forged")
    beside = verify(forged, store=case, env=case.env)  # beside the store: its own key is the trusted one
    out = one_line(beside)
    assert beside.returncode == 1 and "not by the trusted key" in out and "someone else signed it" in out, out
    report = verify_package(forged, trusted_key=case.key.with_name(case.key.name + ".pub"))  # a recipient's check
    assert not report.ok and any("someone else signed it" in p for p in report.problems), report.problems
    same_name = tmp_path / "same" / "case.wacz"  # the forged file under the exported name, beside the store
    same_name.parent.mkdir()
    same_name.write_bytes(forged.read_bytes())
    named = one_line(verify(same_name, store=case, env=case.env))
    assert "records the export of case:case.wacz with SHA-256" in named and "not the package that was exported" in named


def test_the_forger_with_the_deployments_own_key_fails_beside_the_store(case, tmp_path):
    """A stolen key signs the forgery; the custody log has no export of that file."""
    items = forged_listing(case)
    rehash(items, key=case.key, keep_timestamp=False)
    bad = verify(rezip(items, tmp_path / "inside-job.wacz"), store=case, env=case.env)
    out = one_line(bad)
    assert bad.returncode == 1 and "records no export of this file" in out and "NOT TIMESTAMPED" in out, out


def test_stripping_the_signature_and_timestamp_fails_against_a_trusted_key(case, tmp_path):
    """A forger who drops the proofs instead: far from a trusted key the reader is told NOT SIGNED
    (exit 0, loudly); against the sender's key or beside the store, it fails."""
    items = forged_listing(case)
    rehash(items, keep_timestamp=False)
    digest = json.loads(items["datapackage-digest.json"][1])
    digest["signature"] = {"status": "not signed", "reason": "no signing key"}
    items["datapackage-digest.json"] = (zipfile.ZIP_DEFLATED, json.dumps(digest).encode())
    stripped = rezip(items, tmp_path / "stripped.wacz")
    far = one_line(verify(stripped))
    assert "NOT SIGNED (no signing key): anyone could have rewritten this package" in far and "NOT TIMESTAMPED" in far
    trusted = verify(stripped, "--trusted-key", str(case.key) + ".pub")
    assert trusted.returncode == 1 and "✗ NOT SIGNED" in trusted.stdout, trusted.stdout
    beside = verify(stripped, store=case, env=case.env)
    assert beside.returncode == 1 and "✗ NOT SIGNED" in beside.stdout, beside.stdout


def test_a_wrong_signature_fails(case, tmp_path):
    items = entries(case.out)
    digest = json.loads(items["datapackage-digest.json"][1])
    value = bytearray(base64.b64decode(digest["signature"]["value"]))
    value[5] ^= 0x01
    digest["signature"]["value"] = base64.b64encode(bytes(value)).decode()
    items["datapackage-digest.json"] = (zipfile.ZIP_DEFLATED, json.dumps(digest).encode())
    bad = verify(rezip(items, tmp_path / "badsig.wacz"))
    assert bad.returncode == 1 and "the signature does not match datapackage.json's hash" in one_line(bad)
    digest["signature"]["publicKey"] = base64.b64encode(
        signing.raw_public(signing.load_public(case.attacker))).decode()  # another key, the fingerprint left
    items["datapackage-digest.json"] = (zipfile.ZIP_DEFLATED, json.dumps(digest).encode())
    bad = verify(rezip(items, tmp_path / "badkey.wacz"))
    assert bad.returncode == 1 and "fingerprint field does not match its public key" in one_line(bad)


def test_a_timestamp_over_another_digest_fails(case, tmp_path):
    other = tmp_path / "other.wacz"  # a genuine package made later, for other content
    assert run_export_listing(case, other).returncode == 0
    items = entries(case.out)
    digest = json.loads(items["datapackage-digest.json"][1])
    digest["timestamp"] = json.loads(entries(other)["datapackage-digest.json"][1])["timestamp"]
    items["datapackage-digest.json"] = (zipfile.ZIP_DEFLATED, json.dumps(digest).encode())
    bad = verify(rezip(items, tmp_path / "stamp.wacz"), store=case, env=case.env)
    assert bad.returncode == 1 and "the timestamp is over another digest" in one_line(bad)
    untrusted = verify(case.out, "--tsa-ca", str(case.tsa_other_ca), store=case, env=case.env)
    out = one_line(untrusted)
    assert untrusted.returncode == 1 and "does not check against the TSA CA bundle" in out, out


def run_export_listing(case, out):
    return run_monitor("export", "case", "--listing", str(case.info["listings"]["L4"]), "--include-open", "-o",
                       str(out), db_path=case.path, env=case.env)


def _records(warc: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each gzip member (one record each) of the package's WARC file."""
    spans, pos = [], 0
    while pos < len(warc):
        inflate = zlib.decompressobj(31)
        inflate.decompress(warc[pos:])
        end = len(warc) - len(inflate.unused_data)
        spans.append((pos, end - pos))
        pos = end
    return spans


@pytest.mark.parametrize("index", range(5))  # warcinfo, response, request, resource, metadata
def test_a_flipped_byte_in_any_warc_record_fails(case, tmp_path, index):
    items = entries(case.out)
    warc = items["archive/data.warc.gz"][1]
    offset, length = _records(warc)[index]
    record = bytearray(gzip.decompress(warc[offset:offset + length]))
    rec_type = next(iter(ArchiveIterator(io.BytesIO(warc[offset:offset + length])))).rec_type
    head = record.index(b"\r\n\r\n") + 4  # the WARC header block ends here; flip a byte of the content
    record[head + (len(record) - head) // 2] ^= 0x20
    changed = warc[:offset] + gzip.compress(bytes(record)) + warc[offset + length:]
    items["archive/data.warc.gz"] = (zipfile.ZIP_STORED, changed)
    rehash(items, key=case.key, keep_timestamp=False)  # even re-signed with the deployment's own key
    bad = verify(rezip(items, tmp_path / "flipped.wacz"))
    out = one_line(bad)
    assert bad.returncode == 1, out
    assert f"archive/data.warc.gz record {index + 1} ({rec_type}" in out and "Digest does not match" in out, out
    assert subprocess.run([sys.executable, "-m", "warcio", "check", "/dev/stdin"], input=changed,
                          capture_output=True).returncode != 0  # warcio agrees


def _measured_verify(path, tmp_path) -> tuple[subprocess.CompletedProcess, float, int]:
    """`monitor evidence verify PATH` in a fresh parent whose only child it is: (result, seconds, peak RSS MiB)."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.monotonic()\n"
             "p = subprocess.run([sys.executable, '-m', 'monitor', '--db', sys.argv[2], 'evidence', 'verify', sys.argv[1]],"
             " capture_output=True, text=True)\n"
             "print(p.returncode, time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "print(p.stdout)\n")
    proc = subprocess.run([sys.executable, "-c", probe, str(path), str(tmp_path / "none.db")], capture_output=True,
                          text=True, cwd=ROOT, timeout=240)
    code, seconds, rss_kib = proc.stdout.splitlines()[0].split()
    return subprocess.CompletedProcess([], int(code), "\n".join(proc.stdout.splitlines()[1:]), proc.stderr), \
        float(seconds), int(rss_kib) // 1024


def test_a_zip_bomb_is_refused_fast_in_bounded_memory(case, tmp_path):
    items = entries(case.out)
    bomb = tmp_path / "bomb.wacz"
    with zipfile.ZipFile(bomb, "w") as z:
        for name, (kind, data) in items.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, compress_type=kind)
        filler = zipfile.ZipInfo("package/filler.bin", (1980, 1, 1, 0, 0, 0))
        filler.compress_type = zipfile.ZIP_DEFLATED
        with z.open(filler, "w", force_zip64=True) as f:
            zeros = bytes(1 << 24)
            for _ in range(96):  # 1.5 GiB of zeros, about 1.5 MiB packed
                f.write(zeros)
    with zipfile.ZipFile(bomb) as z:
        info = z.getinfo("package/filler.bin")
        assert info.file_size == 1536 << 20 and bomb.stat().st_size < 3 << 20
    proc, seconds, rss = _measured_verify(bomb, tmp_path)
    out = " ".join(proc.stdout.split())
    assert proc.returncode == 1 and "package/filler.bin: unpacks" in out and "a zip bomb" in out, out
    assert "refused" in out and seconds < 10 and rss < 150, (seconds, rss)


def test_a_gzip_bomb_inside_the_warc_is_refused_in_bounded_memory(case, tmp_path):
    items = entries(case.out)
    body = io.BytesIO()
    with gzip.GzipFile(fileobj=body, mode="wb", compresslevel=9) as g:  # one record declaring 1.5 GiB of zeros
        g.write(b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: https://shop.example/bomb\r\n"
                b"Content-Type: text/html\r\nContent-Length: 1610612736\r\n\r\n")
        zeros = bytes(1 << 24)
        for _ in range(96):
            g.write(zeros)
        g.write(b"\r\n\r\n")
    items["archive/data.warc.gz"] = (zipfile.ZIP_STORED, items["archive/data.warc.gz"][1] + body.getvalue())
    rehash(items, key=case.key, keep_timestamp=False)
    proc, seconds, rss = _measured_verify(rezip(items, tmp_path / "gzbomb.wacz"), tmp_path)
    out = " ".join(proc.stdout.split())
    assert proc.returncode == 1 and "archive/data.warc.gz unpacks to more than 200 times" in out, out
    assert seconds < 30 and rss < 150, (seconds, rss)


def test_too_many_entries_are_refused(case, tmp_path):
    items = entries(case.out)
    for i in range(30):
        items[f"package/extra-{i}.txt"] = (zipfile.ZIP_STORED, b"x")
    proc = verify(rezip(items, tmp_path / "many.wacz"), env={"MONITOR_PACKAGE_MAX_ENTRIES": "20"})
    out = one_line(proc)
    assert proc.returncode == 1 and "more than the limit of 20 (MONITOR_PACKAGE_MAX_ENTRIES): refused" in out, out


def test_a_package_of_the_old_zip_format_is_told_apart(tmp_path):
    old = tmp_path / "case.zip"
    with zipfile.ZipFile(old, "w") as z:
        z.writestr("manifest.json", b"{}")
        z.writestr("summary.html", b"<p>")
    proc = verify(old)
    assert proc.returncode == 1 and "earlier zip format, whose manifest proves nothing" in one_line(proc)


def test_genuine_packages_pass_after_all_this(case):
    ok = verify(case.out, "--tsa-ca", str(case.env["MONITOR_TSA_CA"]), store=case, env=case.env)
    assert ok.returncode == 0 and one_line(ok).startswith("OK"), ok.stdout
