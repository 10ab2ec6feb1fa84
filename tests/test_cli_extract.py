"""The `monitor extract` command on saved pages: plain, gzipped, stdin, with a profile."""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
URL = "https://shop.example/p/7"
HTML = """<html><head><meta charset="utf-8">
<script type="application/ld+json">{"@type": "Product", "name": "Roundup 草甘膦", "brand": "Roundup",
 "offers": {"price": "88", "priceCurrency": "CNY"}}</script></head>
<body><h1>Roundup 草甘膦</h1><span class="shop">绿农旗舰店</span></body></html>"""

# monitor.cli registers every subcommand module; while some are still being written, load
# this one from its file so its tests do not depend on the others.
_LOADER = f"""
import importlib.util, sys
try:
    from monitor.cli.extract import extract
except ImportError:
    spec = importlib.util.spec_from_file_location("monitor_cli_extract", {str(REPO / "monitor/cli/extract.py")!r})
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    extract = module.extract
extract()
"""


def _command():
    try:
        from monitor.cli.extract import extract
    except ImportError:
        spec = importlib.util.spec_from_file_location("monitor_cli_extract", REPO / "monitor/cli/extract.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        extract = module.extract
    return extract


@pytest.fixture()
def pages(tmp_path: Path) -> Path:
    (tmp_path / "p.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(HTML.encode("utf-8")))
    (tmp_path / "not-html.bin").write_bytes(b"\x00\x01\x02\x03" * 10)
    (tmp_path / "profile.yaml").write_text(
        "site: example\nfields:\n  seller_name: {css: '.shop'}\nnumber_format: {decimal: '.', currency: CNY}\n",
        encoding="utf-8",
    )
    return tmp_path


def test_plain_and_gzipped_files_give_the_same_listing(pages: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(_command(), [str(pages / "p.html"), "--url", URL])
    zipped = runner.invoke(_command(), [str(pages / "p.html.gz"), "--url", URL])
    assert plain.exit_code == 0, plain.output
    assert zipped.exit_code == 0, zipped.output
    data = json.loads(zipped.output)
    assert data == json.loads(plain.output)
    assert data["url"] == URL
    assert (data["title"], data["price"], data["currency"]) == ("Roundup 草甘膦", 88.0, "CNY")
    assert "草甘膦" in zipped.output  # ensure_ascii=False


def test_stdin_and_profile(pages: Path) -> None:
    result = CliRunner().invoke(
        _command(), ["-", "--url", URL, "--profile", str(pages / "profile.yaml")], input=HTML.encode("utf-8")
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["seller_name"] == "绿农旗舰店"


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.html", "file not found"), ("not-html.bin", "not an HTML page")],
)
def test_clear_errors(pages: Path, name: str, message: str) -> None:
    result = CliRunner().invoke(_command(), [str(pages / name), "--url", URL])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_profile_is_a_clear_error(pages: Path) -> None:
    result = CliRunner().invoke(_command(), [str(pages / "p.html"), "--url", URL, "--profile", str(pages / "nope.yaml")])
    assert result.exit_code != 0
    assert "profile not found" in result.output


def test_help_ends_with_example() -> None:
    result = CliRunner().invoke(_command(), ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_real_subprocess_on_gzipped_file(pages: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _LOADER, str(pages / "p.html.gz"), "--url", URL],
        capture_output=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout.decode("utf-8"))
    assert data["brand"] == "Roundup"
