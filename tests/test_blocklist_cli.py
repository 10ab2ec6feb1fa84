"""`monitor blocklist check|import|list` as an analyst runs them: all-or-nothing, rows named."""

from __future__ import annotations

import csv
import shutil

import pytest

from tests.conftest import ROOT, run_monitor
from tests.test_blocklist import CODE_A, CODE_B, CODE_C, HEADER, wrong_check


@pytest.fixture
def rules_copy(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    (folder / "blocklist.csv").unlink(missing_ok=True)
    return folder


def csv_file(path, rows: str):
    path.write_text(HEADER + rows, encoding="utf-8")
    return str(path)


def test_import_merges_and_a_second_import_updates(rules_copy, tmp_path):
    first = csv_file(tmp_path / "失信名单.csv",
                     f",,某某（义乌）贸易有限公司,{CODE_A},严重违法失信名单,2026/3/5,售假化肥\n"
                     "baihuo,s9,,,,,confirmed counterfeiter\n")
    proc = run_monitor("blocklist", "import", first, "--rules", str(rules_copy))
    assert proc.returncode == 0, proc.stderr
    assert "2 rows imported (2 added, 0 updated, 0 unchanged), 2 entries in all" in proc.stdout
    second = csv_file(tmp_path / "平台.csv", "baihuo,s9,,,,,relisted after takedown\n"
                                            f"kuaigou,k7,,{CODE_B},platform,2026-02-01,\n")
    proc = run_monitor("blocklist", "import", second, "--rules", str(rules_copy))
    assert proc.returncode == 0, proc.stderr
    assert "(1 added, 1 updated, 0 unchanged), 3 entries in all" in proc.stdout
    with open(rules_copy / "blocklist.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["site"], r["seller_id"], r["uscc"], r["source"], r["listed_on"], r["reason"]) for r in rows] == [
        ("", "", CODE_A, "serious_illegal", "2026-03-05", "售假化肥"),
        ("baihuo", "s9", "", "", "", "relisted after takedown"),
        ("kuaigou", "k7", CODE_B, "platform", "2026-02-01", ""),
    ]
    proc = run_monitor("rules", "check", str(rules_copy))  # the rule packs load the merged file
    assert proc.returncode == 0, proc.stderr
    listed = run_monitor("blocklist", "list", "--rules", str(rules_copy))
    assert listed.returncode == 0 and "3 entries (2 shops, 2 companies, 2 codes)" in listed.stdout
    assert "严重违法失信名单 2026-03-05" in listed.stdout


def test_one_bad_row_and_nothing_is_imported(rules_copy, tmp_path):
    good = csv_file(tmp_path / "good.csv", f",,某某贸易有限公司,{CODE_A},court,2026-01-02,\n")
    assert run_monitor("blocklist", "import", good, "--rules", str(rules_copy)).returncode == 0
    before = (rules_copy / "blocklist.csv").read_bytes()
    bad = csv_file(tmp_path / "bad.csv", f",,另一家贸易有限公司,{CODE_C},court,2026-01-02,\n"
                                        f",,第三家有限公司,{wrong_check(CODE_B)},court,2026-01-02,\n")
    for command in ("import", "check"):
        proc = run_monitor("blocklist", command, bad, "--rules", str(rules_copy))
        assert proc.returncode == 2
        assert f"{bad}:3: uscc:" in proc.stderr and "check character" in proc.stderr
        assert f"{bad}:2:" not in proc.stderr
        assert (rules_copy / "blocklist.csv").read_bytes() == before


def test_check_validates_and_tells_what_an_import_would_do_without_writing(rules_copy, tmp_path):
    good = csv_file(tmp_path / "good.csv", f",,某某贸易有限公司,{CODE_A},court,2026-01-02,\n")
    proc = run_monitor("blocklist", "check", good, "--rules", str(rules_copy))
    assert proc.returncode == 0, proc.stderr
    assert "valid, 1 rows" in proc.stdout and "1 added" in proc.stdout
    assert not (rules_copy / "blocklist.csv").exists()


def test_a_broken_block_list_in_use_is_named_before_anything_is_merged(rules_copy, tmp_path):
    (rules_copy / "blocklist.csv").write_text(HEADER + "baihuo,,,,,,\n", encoding="utf-8")
    good = csv_file(tmp_path / "good.csv", f",,某某贸易有限公司,{CODE_A},court,2026-01-02,\n")
    proc = run_monitor("blocklist", "import", good, "--rules", str(rules_copy))
    assert proc.returncode == 2 and f"{rules_copy / 'blocklist.csv'}:2: seller_id:" in proc.stderr
    assert (rules_copy / "blocklist.csv").read_text(encoding="utf-8") == HEADER + "baihuo,,,,,,\n"
