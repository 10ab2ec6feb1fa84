"""Case packages are WACZ 1.1.1 files that prove themselves: `wacz validate` accepts them, they are
signed with the deployment's Ed25519 key and timestamped by an RFC 3161 authority (a local one,
made with openssl, in tests/tsa_server.py), and `monitor evidence verify` checks every file's
hash, the signature, the timestamp, every WARC record and the custody log's entry; one changed
byte anywhere fails it. No key or no TSA: the package says so and a warning is printed."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor import settings
from monitor.evidence import signing
from monitor.export.case import _member
from monitor.export.package import unsafe_name, verify_package
from monitor.store import open_db
from tests.conftest import run_monitor
from tests.test_relisting import confirm
from tests.tsa_server import TsaServer, make_ca
from tests.web_fixtures import build_store


@pytest.fixture(scope="session")
def tsa(tmp_path_factory):
    """A local time-stamping authority for the whole session (and a second CA nobody trusts)."""
    folder = tmp_path_factory.mktemp("tsa")
    ca, other = make_ca(folder / "ca"), make_ca(folder / "other", "other")
    with TsaServer(ca) as server:
        yield SimpleNamespace(url=server.url, ca=ca.ca, other_ca=other.ca, server=server)


def package_env(tsa, **extra) -> dict[str, str]:
    return {"MONITOR_TSA_URL": tsa.url, "MONITOR_TSA_CA": str(tsa.ca), **extra}


def make_case_store(tmp_path: Path, tsa, *, key: bool = True) -> SimpleNamespace:
    path = tmp_path / "monitor.db"
    info = build_store(path)
    db = open_db(path, migrate=False)
    for k in ("L0", "L4"):  # seller s-evil (hostile captured page) and seller0
        confirm(db, info["listings"][k])
    db.close()
    if key:
        run_monitor("evidence", "keygen", db_path=path, check=True)
    return SimpleNamespace(path=path, info=info, tmp=tmp_path, env=package_env(tsa), key=tmp_path / "signing-key.pem")


def export_case(store, out: Path, env: dict | None = None):
    return run_monitor("export", "case", "--seller", "s-evil", "-o", str(out), db_path=store.path,
                       env=store.env if env is None else env)


def copy_case(built: SimpleNamespace, tmp_path: Path) -> SimpleNamespace:
    """A test's own copy of a case store built once per module (building one is a store, a key
    and an export: seconds), laid out in ``tmp_path`` as it was in its own folder."""
    shutil.copytree(built.tmp, tmp_path, symlinks=True, dirs_exist_ok=True)

    def moved(value):
        return tmp_path / value.relative_to(built.tmp) if isinstance(value, Path) and value.is_relative_to(built.tmp) \
            else value

    return SimpleNamespace(**{k: moved(v) for k, v in vars(built).items()})


@pytest.fixture(scope="module")
def built_case(tmp_path_factory, tsa):
    folder = tmp_path_factory.mktemp("case")
    store = make_case_store(folder, tsa)
    out = folder / "case.wacz"
    proc = export_case(store, out)
    assert proc.returncode == 0, proc.stderr
    assert "1 listing(s)" in proc.stdout and "signed by key" in proc.stdout and "timestamped" in proc.stdout
    store.out = out
    return store


@pytest.fixture
def case(built_case, tmp_path):
    return copy_case(built_case, tmp_path)


def wacz_validate(path: Path) -> subprocess.CompletedProcess:
    """`wacz validate -f FILE` (the wacz package is a test extra)."""
    exe = shutil.which("wacz", path=str(Path(sys.executable).parent)) or shutil.which("wacz")
    if exe is None:
        if settings.env("CI"):
            pytest.fail("CI=true but the `wacz` command (pip package wacz, a test extra) is not installed")
        pytest.skip("the `wacz` command is not installed (pip install wacz; a test extra)")
    return subprocess.run([exe, "validate", "-f", str(path)], capture_output=True, text=True, timeout=120)


def verify(path: Path, *args: str, store=None, env: dict | None = None):
    """`monitor evidence verify PACKAGE`, beside the store when ``store`` is given (else far from any)."""
    db = store.path if store is not None else path.parent / "no-store-here.db"
    return run_monitor("evidence", "verify", str(path), *args, db_path=db, env=env or {})


def entries(path: Path) -> dict[str, tuple[int, bytes]]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: (i.compress_type, z.read(i)) for i in z.infolist()}


def rezip(items: dict[str, tuple[int, bytes]], out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as z:
        for name, (kind, data) in items.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = kind
            z.writestr(info, data)
    return out


def rehash(items: dict[str, tuple[int, bytes]], *, key: Path | None = None, keep_timestamp: bool = True) -> None:
    """The forger's step: every file's hash in datapackage.json recomputed, then the digest file's
    hash of it; re-signed with ``key`` when given (else the old signature stays)."""
    dp = json.loads(items["datapackage.json"][1])
    for res in dp["resources"]:
        data = items[res["path"]][1]
        res["hash"], res["bytes"] = "sha256:" + hashlib.sha256(data).hexdigest(), len(data)
    raw = json.dumps(dp, ensure_ascii=False, indent=1).encode()
    items["datapackage.json"] = (zipfile.ZIP_DEFLATED, raw)
    digest = json.loads(items["datapackage-digest.json"][1])
    digest["hash"] = "sha256:" + hashlib.sha256(raw).hexdigest()
    if key is not None:
        digest["signature"] = {"status": "signed", **signing.sign(signing.load_private(key), digest["hash"])}
    if not keep_timestamp:
        digest["timestamp"] = {"status": "not timestamped", "reason": "removed"}
    items["datapackage-digest.json"] = (zipfile.ZIP_DEFLATED, json.dumps(digest).encode())


def test_case_package_is_a_valid_signed_timestamped_wacz(case):
    folder = f"listing-{case.info['listings']['L0']}-shopa-L0"
    with zipfile.ZipFile(case.out) as z:
        names = set(z.namelist())
        infos = {i.filename: i for i in z.infolist()}
        dp = json.loads(z.read("datapackage.json"))
        digest = json.loads(z.read("datapackage-digest.json"))
        record = json.loads(z.read(f"{folder}/listing.json"))
        html = z.read("package/summary.html").decode()
        pdf = z.read("package/summary.pdf")
        warc = z.read("archive/data.warc.gz")
        pages = z.read("pages/pages.jsonl").decode().splitlines()
        index = z.read("indexes/index.cdxj").decode().splitlines()
    assert "中签名并加盖可信时间戳" in html  # signed and timestamped, and the cover says so
    assert {"archive/data.warc.gz", "indexes/index.cdxj", "pages/pages.jsonl", "datapackage.json",
            "datapackage-digest.json", "package/summary.html", "package/summary.pdf", f"{folder}/listing.json"} <= names
    assert infos["archive/data.warc.gz"].compress_type == zipfile.ZIP_STORED  # seekable, as WACZ asks
    assert dp["wacz_version"] == "1.1.1" and dp["listings"] == [case.info["listings"]["L0"]]
    assert {r["path"] for r in dp["resources"]} == names - {"datapackage.json", "datapackage-digest.json"}
    assert all(r["hash"].startswith("sha256:") and len(r["hash"]) == 71 for r in dp["resources"])
    assert digest["hash"] == "sha256:" + hashlib.sha256(entries(case.out)["datapackage.json"][1]).hexdigest()
    assert digest["signature"]["fingerprint"] == signing.fingerprint(signing.load_public(case.key))
    assert digest["timestamp"]["status"] == "timestamped" and digest["timestamp"]["tsa"] == case.env["MONITOR_TSA_URL"]
    types = [r.rec_type for r in ArchiveIterator(io.BytesIO(warc))]
    assert types == ["warcinfo", "response", "request", "resource", "metadata"]  # each record with its companion
    assert json.loads(pages[0])["format"] == "json-pages-1.0" and json.loads(pages[1])["url"] == "https://shop.example/0"
    assert len(pages) == 2 and all(line.startswith("example,shop)/0 ") for line in index)
    assert record["verdicts"][-1]["verdict"] == "confirmed_counterfeit"
    assert all(e["intact_at_packing"] for e in record["evidence"])
    assert any(e["packed_as"] == "archive/data.warc.gz" and e["warc_offset"] > 0 for e in record["evidence"])
    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html  # hostile title escaped
    assert pdf.startswith(b"%PDF")
    checked = wacz_validate(case.out)
    assert checked.returncode == 0 and "Validation succeeded" in checked.stdout, checked.stdout + checked.stderr
    ok = verify(case.out, store=case, env=case.env)
    out = " ".join(ok.stdout.split())
    assert ok.returncode == 0 and out.startswith("OK"), ok.stdout + ok.stderr
    assert "5 WARC records match their digests" in out and f"signed by {digest['signature']['fingerprint']}" in out
    assert f"timestamped {digest['timestamp']['gen_time']}" in out and "recorded in the custody log" in out
    db = open_db(case.path, migrate=False)
    entry = db.execute("SELECT sha256, detail FROM custody WHERE action = 'export' AND object = 'case:case.wacz'"
                       ).fetchone()
    db.close()
    assert entry[0] == hashlib.sha256(case.out.read_bytes()).hexdigest() and '"WACZ 1.1.1"' in entry[1]
    db = open_db(case.path, migrate=False)
    checks = db.execute("SELECT sha256, detail FROM custody WHERE action = 'verify' AND object = 'package:case.wacz'"
                        ).fetchall()
    db.close()
    assert len(checks) == 1 and checks[0][0] == entry[0] and '"custody": "recorded"' in checks[0][1]


def test_verify_anywhere_says_what_it_could_not_check(case, tmp_path):
    """Far from the store and without --trusted-key or a CA bundle: OK, with a warning for each
    check it could not make (the reader must compare the fingerprint the sender published)."""
    away = tmp_path / "elsewhere" / "case.wacz"
    away.parent.mkdir()
    shutil.copy(case.out, away)
    proc = verify(away)
    out = " ".join(proc.stdout.split())
    assert proc.returncode == 0, out
    assert "not compared with a trusted key" in out and "were not checked (pass --tsa-ca FILE" in out
    trusted = verify(away, "--trusted-key", str(case.key) + ".pub", "--tsa-ca", str(case.env["MONITOR_TSA_CA"]))
    out = " ".join(trusted.stdout.split())
    assert trusted.returncode == 0 and "!" not in out.split("OK")[0], out  # nothing left unchecked
    items = entries(away)
    reply = tmp_path / "reply.tsr"
    reply.write_bytes(base64.b64decode(json.loads(items["datapackage-digest.json"][1])["timestamp"]["response"]))
    openssl = subprocess.run(["openssl", "ts", "-verify", "-digest", hashlib.sha256(items["datapackage.json"][1]).hexdigest(),
                              "-in", str(reply), "-CAfile", case.env["MONITOR_TSA_CA"]], capture_output=True, text=True)
    assert openssl.returncode == 0 and "Verification: OK" in openssl.stdout, openssl.stderr  # openssl agrees


@pytest.mark.parametrize("target", ["summary.html", "listing.json", "warc", "png", "datapackage.json", "cdxj"])
def test_one_changed_byte_anywhere_is_caught(case, tmp_path, target):
    items = entries(case.out)
    suffix = {"warc": ".warc.gz", "png": ".png", "cdxj": ".cdxj"}.get(target, target)
    name = next(n for n in items if n.endswith(suffix))
    kind, data = items[name]
    data = bytearray(data)
    data[len(data) // 2] ^= 0x01
    items[name] = (kind, bytes(data))
    bad = verify(rezip(items, tmp_path / "tampered.wacz"), store=case, env=case.env)  # a clean re-zip: CRCs match
    out = " ".join(bad.stdout.split())
    assert bad.returncode == 1, out
    assert (name in out and "changed" in out) or "datapackage.json was changed" in out


def test_a_flipped_byte_in_the_zip_itself_is_caught(case, tmp_path):
    data = bytearray(case.out.read_bytes())
    with zipfile.ZipFile(case.out) as z:
        info = z.getinfo("package/summary.html")
    data[info.header_offset + 30 + len(info.filename) + 10] ^= 0x01  # inside the compressed data
    broken = tmp_path / "broken.wacz"
    broken.write_bytes(bytes(data))
    report = verify_package(broken)
    assert not report.ok and any("package/summary.html" in p for p in report.problems), report.problems


def test_extra_or_missing_files_and_unsafe_names(case, tmp_path):
    assert unsafe_name("listing-1-shopa-L0/listing.json") is None
    for name in ("/etc/passwd", "../up.txt", "a/../../x", "C:/x", "a\\b", "a//b", "./a"):
        assert unsafe_name(name)
    items = entries(case.out)
    del items["package/summary.pdf"]
    items["../evil.txt"] = (zipfile.ZIP_DEFLATED, b"x")
    problems = verify_package(rezip(items, tmp_path / "q.wacz")).problems
    assert any("'../evil.txt' is a path with" in p for p in problems)
    assert any("package/summary.pdf: listed in datapackage.json but missing" in p for p in problems)
    assert any("../evil.txt: in the package but not in datapackage.json" in p for p in problems)


def test_no_key_and_no_tsa_are_said_never_silent(tmp_path, tsa):
    store = make_case_store(tmp_path, tsa, key=False)
    out = tmp_path / "plain.wacz"
    proc = export_case(store, out, env={"MONITOR_TSA_URL": ""})
    assert proc.returncode == 0, proc.stderr
    assert "NOT SIGNED" in proc.stdout and "NOT TIMESTAMPED" in proc.stdout
    assert "warning: package NOT SIGNED" in proc.stderr and "monitor evidence keygen" in proc.stderr
    assert "warning: package NOT TIMESTAMPED" in proc.stderr and "MONITOR_TSA_URL" in proc.stderr
    digest = json.loads(entries(out)["datapackage-digest.json"][1])
    assert digest["signature"]["status"] == "not signed" and digest["timestamp"]["status"] == "not timestamped"
    checked = verify(out, store=store)
    assert checked.returncode == 0 and "NOT SIGNED" in checked.stdout and "NOT TIMESTAMPED" in checked.stdout
    assert wacz_validate(out).returncode == 0
    # The cover claims no more than the package holds.
    cover = entries(out)["package/summary.html"][1].decode()
    assert "既未签名也未加盖可信时间戳" in cover and "中签名并加盖可信时间戳" not in cover
    dead = export_case(store, tmp_path / "x.wacz", env={"MONITOR_TSA_URL": "http://127.0.0.1:9/tsa"})
    assert dead.returncode == 1 and "the TSA at http://127.0.0.1:9/tsa did not answer" in dead.stderr
    assert not (tmp_path / "x.wacz").exists() and not list(tmp_path.glob(".x.wacz*"))  # nothing half-written


def test_a_tsa_whose_replies_cannot_be_read_fails_the_export_clearly(tmp_path, tsa):
    store = make_case_store(tmp_path, tsa)
    with TsaServer(make_ca(tmp_path / "chain", "chain", chain=True)) as chained:
        proc = export_case(store, tmp_path / "c.wacz", env={"MONITOR_TSA_URL": chained.url})
    assert proc.returncode == 1 and "sent its certificates in an order DER forbids" in " ".join(proc.stderr.split())
    assert not (tmp_path / "c.wacz").exists()


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path):
    key = tmp_path / "keys" / "deploy.pem"
    proc = run_monitor("evidence", "keygen", "--key", str(key), db_path=tmp_path / "monitor.db", check=True)
    public = signing.load_public(Path(str(key) + ".pub"))
    assert f"publish it: {signing.fingerprint(public)}" in proc.stdout
    assert os.stat(key).st_mode & 0o777 == 0o600 and "MONITOR_SIGNING_KEY=" in proc.stderr
    shown = run_monitor("evidence", "keygen", "--show", db_path=tmp_path / "monitor.db",
                        env={"MONITOR_SIGNING_KEY": str(key)}, check=True)
    assert shown.stdout.strip().endswith(signing.fingerprint(public))
    missing = run_monitor("evidence", "keygen", "--show", db_path=tmp_path / "monitor.db")
    assert missing.returncode == 1 and "cannot read the key" in missing.stderr and "monitor evidence keygen" in missing.stderr
    again = run_monitor("evidence", "keygen", "--key", str(key), db_path=tmp_path / "monitor.db")
    assert again.returncode == 1 and "already exists" in again.stderr and "--force" in again.stderr
    os.chmod(key, 0o644)
    with pytest.raises(signing.SigningError, match="chmod 600"):
        signing.load_private(key)


def test_case_refusals(tmp_path):
    path = tmp_path / "monitor.db"
    build_store(path)
    none_confirmed = run_monitor("export", "case", "--seller", "seller1", "-o", str(tmp_path / "c.wacz"), db_path=path)
    assert none_confirmed.returncode == 1 and "none confirmed" in none_confirmed.stderr
    assert not (tmp_path / "c.wacz").exists()
    unknown = run_monitor("export", "case", "--listing", "99999", "-o", str(tmp_path / "c.wacz"), db_path=path)
    assert unknown.returncode == 1 and "no listing with id 99999" in unknown.stderr


def test_gzip_member_helper_reads_one_record(case):
    warc = entries(case.out)["archive/data.warc.gz"][1]
    first = _member(io.BytesIO(warc), 0)
    assert gzip.decompress(first).startswith(b"WARC/1.1\r\n") and b"WARC-Type: warcinfo" in gzip.decompress(first)
