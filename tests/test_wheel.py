"""The product as a wheel: built from the checkout's files, installed into a fresh virtual
environment in a temporary folder outside the checkout, `monitor rules check` finds the rule
packs inside the installed package and `monitor demo --no-serve` runs, without warnings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

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
def test_demo_runs_from_the_wheel(installed):
    db = installed["work"] / "demo.db"
    # One result page per search: what is checked is that every step runs from the installed
    # package, which the first page exercises; the full demo is tests/test_demo.py's.
    proc = in_env(installed, "monitor", "demo", "--db", db, "--no-serve", "--max-pages", "1", timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert db.exists() and "planted cases found" in proc.stdout
    assert str(ROOT) + os.sep + "rules" not in proc.stdout + proc.stderr
    no_warnings(proc)
