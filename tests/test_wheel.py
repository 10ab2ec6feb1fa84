"""The product as a wheel: built from the checkout's files, installed into a fresh virtual
environment in a temporary folder outside the checkout, `monitor rules check` finds the rule
packs inside the installed package and `monitor demo` runs end to end from it, without warnings:
crawled, summarised and served, with its marketplaces up for a complaint."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from tests.web_fixtures import free_port

ROOT = Path(__file__).resolve().parents[1]
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if not k.startswith(("MONITOR_", "PYTHON", "VIRTUAL_ENV", "PIP_")) and k != "SCRAPY_SETTINGS_MODULE"}


def checkout_files() -> list[str]:
    """What a fresh clone holds, plus files not committed yet (so the test checks the tree it runs in)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    return [name for name in listed if name and os.path.lexists(ROOT / name)]


def copy_sources(dest: Path) -> None:
    # Built from a copy: the checkout's build/ and *.egg-info (left by editable installs) would
    # otherwise go into the wheel, and a build must not write into the checkout other helpers use.
    for name in checkout_files():
        source, target = ROOT / name, dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # monitor/rulepacks -> ../rules: the package data, kept a link
            os.symlink(os.readlink(source), target)
        elif source.is_file():
            shutil.copy2(source, target)


PORTS = (8101, 8102, 8103)


def _taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _read_until(proc: subprocess.Popen, pattern: str, timeout: float) -> str:
    """What the demo printed up to the first line matching ``pattern``."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
    raise AssertionError(f"no line matching {pattern!r} from the demo:\n{''.join(seen)}")


def _summary_is_right(out: str, db_path: Path, tmp_path: Path) -> None:
    total = int(re.search(r"(\d+) listings from 3 marketplaces", out).group(1))
    assert total >= 240
    db = sqlite_utils.Database(db_path)
    per_site = dict(db.execute("SELECT site, count(*) FROM listings GROUP BY site").fetchall())
    assert set(per_site) == {"greenmart", "baihuo", "kuaigou"} and sum(per_site.values()) == total
    assert all(n >= 80 for n in per_site.values())
    statuses = dict(db.execute("SELECT site, status FROM crawl_runs").fetchall())
    assert statuses == {"greenmart": "completed", "baihuo": "completed", "kuaigou": "completed"}
    for site in per_site:
        assert site in out
    # The rule engine finds the planted cases and leaves genuine listings and hard negatives alone.
    found, planted, wrong, clean = map(int, re.search(
        r"planted cases found: (\d+) of (\d+); genuine listings and hard negatives flagged: (\d+) of (\d+)",
        out).groups())
    assert found >= 0.9 * planted and wrong <= 0.05 * clean
    assert db.execute("SELECT count(*) FROM flags WHERE status = 'open'").fetchone()[0] >= found
    # Packages made from the demo are signed: its key is made once, its owner's alone.
    key = tmp_path / "signing-key.pem"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert "demo signing key" in out and "fingerprint" in out


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("wheel")
    assert ROOT not in base.parents, "the test folder must be outside the checkout"
    src, dist, env = base / "src", base / "dist", base / "venv"
    copy_sources(src)
    # Offline and fast: no build isolation (the test extra installs setuptools>=77), no dependencies.
    built = run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", dist, src], env=CLEAN_ENV, timeout=300)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    # pip shows what the backend warns as BuildBackendWarning (the license table's deprecation was
    # one); distutils' own "warning: build_py: byte-compiling is disabled" log line is not a warning.
    backend_warnings = re.findall(r".*(?:BuildBackendWarning|DeprecationWarning|is deprecated).*",
                                  built.stdout + built.stderr)
    assert not backend_warnings, backend_warnings
    (wheel,) = dist.glob("listing_monitor-*.whl")
    made = run([sys.executable, "-m", "venv", "--without-pip", env], env=CLEAN_ENV, timeout=120)
    assert made.returncode == 0, made.stderr
    python = env / "bin" / "python"
    purelib = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       env=CLEAN_ENV, check=True).stdout.strip())
    done = run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel],
               env=CLEAN_ENV, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    # The dependencies, without reinstalling them: a .pth line adds the test's own site-packages
    # (the checkout venv's) to sys.path. A directory named in a .pth file is only appended to
    # sys.path; the .pth files inside it are not run, so the checkout venv's editable-install
    # hook (__editable__.listing_monitor-*.pth, which maps `monitor` to the checkout) stays off
    # and `monitor` can only come from the wheel, which sits earlier on sys.path anyway.
    deps = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (purelib / "zz_checkout_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    work = base / "work"
    work.mkdir()
    environ = {**CLEAN_ENV, "PATH": f"{env / 'bin'}{os.pathsep}{CLEAN_ENV.get('PATH', '')}", "PYTHONNOUSERSITE": "1"}
    return {"env": env, "purelib": purelib, "work": work, "environ": environ}


def in_env(installed, *args, timeout=120) -> subprocess.CompletedProcess:
    return run(args, cwd=installed["work"], env=installed["environ"], timeout=timeout)


def no_warnings(proc: subprocess.CompletedProcess) -> None:
    text = proc.stdout + proc.stderr
    assert not re.search(r"warning", text, re.I), text[-4000:]


def test_monitor_comes_from_the_wheel(installed):
    proc = in_env(installed, installed["env"] / "bin" / "python", "-c",
                  "import monitor, monitor.cli, monitor.categories as c; print(monitor.__file__); print(c.rules_dir())")
    assert proc.returncode == 0, proc.stderr
    package, rules = proc.stdout.split()
    assert Path(package).is_relative_to(installed["purelib"]), package
    assert Path(rules).is_relative_to(installed["purelib"]), rules
    assert str(ROOT / "monitor") not in proc.stdout and str(ROOT / "rules") not in proc.stdout


def test_rules_check_finds_the_packs_inside_the_installed_package(installed):
    proc = in_env(installed, "monitor", "rules", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = re.match(r"rules (.+): valid, version \w+", proc.stdout)
    assert folder, proc.stdout
    assert Path(folder.group(1)).is_relative_to(installed["purelib"]), proc.stdout
    assert str(ROOT) + os.sep + "rules" not in proc.stdout + proc.stderr
    assert "watchlist: " in proc.stdout
    no_warnings(proc)


@pytest.mark.timeout(900)
@pytest.mark.skipif(any(_taken(p) for p in PORTS), reason="ports 8101-8103 are in use on this machine")
def test_the_demo_runs_from_the_wheel_crawls_summarises_and_serves_for_a_complaint(installed):
    """`monitor demo`, the README's first command, end to end from the installed package: three
    marketplaces crawled and summarised without warnings, then the review app served while the
    marketplaces stay up on the ports monitor.yaml names, so a complaint on a listing the analyst
    sees in the queue is crawled at once, as in a deployment (found by trying the complaint form in
    the demo: every URL was "no profile"). One run of the demo for all of it: it is the suite's
    slowest step (the demo from the checkout is what every other test exercises)."""
    work = installed["work"]
    db_path = work / "demo.db"
    port = free_port()
    proc = subprocess.Popen(["monitor", "--db", str(db_path), "demo", "--port", str(port)], cwd=work,
                            env=installed["environ"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out = _read_until(proc, r"Review queue: http://127\.0\.0\.1:\d+/", timeout=600)
        _summary_is_right(out, db_path, work)
        assert str(ROOT) + os.sep + "rules" not in out
        assert not re.search(r"warning", out, re.I), out[-4000:]
        db = sqlite_utils.Database(db_path)
        url = db.execute("SELECT url FROM listings WHERE site = 'greenmart' ORDER BY id LIMIT 1").fetchone()[0]
        assert url.startswith("http://127.0.0.1:8101/"), url  # the configured site's address
        token = in_env(installed, "monitor", "--db", db_path, "users", "token", "demo").stdout.strip()
        answer = httpx.post(f"http://127.0.0.1:{port}/api/complaints", timeout=300,
                            headers={"Authorization": f"Bearer {token}"},
                            json={"url": url, "source": "12315", "text": "疑似假冒，请核查"})
        assert answer.status_code == 201, answer.text
        complaint = answer.json()["complaint"]
        assert complaint["crawl_state"] == "crawled", complaint
        assert complaint["listing"] is not None
        page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=30).text
        assert "登录" in page  # the review app in Chinese, its catalogues inside the wheel
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert not any(_taken(p) for p in PORTS)  # stopped with the demo
