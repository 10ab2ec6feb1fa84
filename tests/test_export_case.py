"""Case packages: a zip that checks itself (manifest with every file's SHA-256 and its own),
caught by `monitor evidence verify PACKAGE.zip` after one changed byte; no unsafe entry names;
the PDF summary renders."""

from __future__ import annotations

import json
import zipfile

import pytest

from monitor.export.package import PackageWriter, unsafe_name, verify_package
from monitor.store import open_db
from tests.conftest import run_monitor
from tests.test_relisting import confirm
from tests.web_fixtures import build_store


@pytest.fixture
def case_zip(tmp_path):
    path = tmp_path / "monitor.db"
    info = build_store(path)
    db = open_db(path, migrate=False)
    for key in ("L0", "L4"):  # seller s-evil (hostile captured page) and seller0
        confirm(db, info["listings"][key])
    db.close()
    out = tmp_path / "case.zip"
    proc = run_monitor("export", "case", "--seller", "s-evil", "-o", str(out), db_path=path, check=True)
    assert "1 listing(s)" in proc.stdout
    return path, info, out


def test_case_package_contents(case_zip):
    path, info, out = case_zip
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        folder = f"listings/{info['listings']['L0']}-shopa-L0"
        assert {"summary.html", "summary.pdf", f"{folder}/listing.json"} <= set(names)
        kept = [n for n in names if n.startswith(folder + "/evidence-")]
        assert any(n.endswith("-response.warc.gz") for n in kept) and any(n.endswith("-screenshot.png") for n in kept)
        record = json.loads(z.read(f"{folder}/listing.json"))
        assert record["verdicts"][-1]["verdict"] == "confirmed_counterfeit"
        assert record["flags"][-1]["signals"] and all(e["intact_at_packing"] for e in record["evidence"])
        html = z.read("summary.html").decode()
        assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html  # hostile title escaped
        assert z.read("summary.pdf").startswith(b"%PDF")
        # the copied WARC record is a WARC file of its own
        from io import BytesIO

        from warcio.archiveiterator import ArchiveIterator

        warc = next(n for n in kept if n.endswith("-response.warc.gz"))
        records = list(ArchiveIterator(BytesIO(z.read(warc))))
        assert [r.rec_type for r in records] == ["response"]
    assert {f["path"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    assert manifest["listings"] == [info["listings"]["L0"]] and len(manifest["manifest_sha256"]) == 64
    ok = run_monitor("evidence", "verify", str(out))
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    db = open_db(path, migrate=False)
    assert db.execute("SELECT count(*) FROM custody WHERE action = 'export' AND object = 'case:case.zip'").fetchone()[0] == 1
    db.close()


@pytest.mark.parametrize("target", ["summary.html", "listing.json", "warc", "png", "manifest.json"])
def test_one_changed_byte_anywhere_is_caught(case_zip, tmp_path, target):
    _, _, out = case_zip
    with zipfile.ZipFile(out) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    name = next(n for n in entries if n.endswith(target if target not in ("warc", "png") else
                                                  {"warc": ".warc.gz", "png": ".png"}[target]))
    data = bytearray(entries[name])
    data[len(data) // 2] ^= 0x01
    entries[name] = bytes(data)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as z:  # a clean re-zip: CRCs match the new bytes
        for n, d in entries.items():
            z.writestr(n, d)
    bad = run_monitor("evidence", "verify", str(tampered))
    assert bad.returncode == 1, bad.stdout
    out_text = " ".join(bad.stdout.split())
    assert (name in out_text and "changed" in out_text) or "manifest" in out_text


def test_a_flipped_byte_in_the_zip_itself_is_caught(case_zip, tmp_path):
    _, _, out = case_zip
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as z:
        info = z.getinfo("summary.html")
    data[info.header_offset + 30 + len(info.filename) + 10] ^= 0x01  # inside the compressed data
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(data))
    report = verify_package(broken)
    assert not report.ok and any("summary.html" in p for p in report.problems), report.problems


def test_extra_or_missing_files_and_unsafe_names(tmp_path):
    writer = PackageWriter(tmp_path / "p.zip", {"package": "test"})
    writer.add("a/b.txt", b"hello")
    for name in ("/etc/passwd", "../up.txt", "a/../../x", "C:/x", "a\\b", "a//b", "./a"):
        with pytest.raises(ValueError, match="refusing archive entry"):
            writer.add(name, b"x")
    writer.close()
    assert verify_package(tmp_path / "p.zip").ok
    assert unsafe_name("listings/1-shop-X/listing.json") is None
    with zipfile.ZipFile(tmp_path / "p.zip") as z:
        entries = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(tmp_path / "q.zip", "w") as z:
        for n, d in entries.items():
            if n != "a/b.txt":
                z.writestr(n, d)
        z.writestr("../evil.txt", b"x")
    problems = verify_package(tmp_path / "q.zip").problems
    assert any("'../evil.txt' is a path with" in p for p in problems)
    assert any("a/b.txt: listed in the manifest but missing" in p for p in problems)
    assert any("../evil.txt: in the package but not in the manifest" in p for p in problems)


def test_case_refusals(tmp_path):
    path = tmp_path / "monitor.db"
    build_store(path)
    none_confirmed = run_monitor("export", "case", "--seller", "seller1", "-o", str(tmp_path / "c.zip"), db_path=path)
    assert none_confirmed.returncode == 1 and "none confirmed" in none_confirmed.stderr
    assert not (tmp_path / "c.zip").exists()
    unknown = run_monitor("export", "case", "--listing", "99999", "-o", str(tmp_path / "c.zip"), db_path=path)
    assert unknown.returncode == 1 and "no listing with id 99999" in unknown.stderr
