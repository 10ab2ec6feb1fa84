"""The rules from the command line: check, score, watchlist and prices import/export, rescore, fallback."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
import sqlite_utils

from tests.conftest import ROOT, run_monitor
from tests.test_blocklist import CODE_A, CODE_B, HEADER

EVAL = ROOT / "tests" / "data" / "eval"


@pytest.fixture
def rules_copy(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    return folder


def test_rules_check_passes_on_the_shipped_packs():
    proc = run_monitor("rules", "check")
    assert proc.returncode == 0, proc.stderr
    assert "valid, version" in proc.stdout and "watchlist:" in proc.stdout


def test_rules_check_counts_the_block_list_by_kind(rules_copy):
    (rules_copy / "blocklist.csv").write_text(
        HEADER + f",,某某（义乌）贸易有限公司,{CODE_A},严重违法失信名单,2026-03-05,售假化肥\n"
        "baihuo,s9,,,,,confirmed counterfeiter\n"
        f"kuaigou,k7,,{CODE_B},platform,2026-02-01,\n", encoding="utf-8")
    proc = run_monitor("rules", "check", str(rules_copy))
    assert proc.returncode == 0, proc.stderr
    assert "  block list: 3 entries (2 shops, 2 companies, 2 codes)\n" in proc.stdout, proc.stdout
    assert "blocklist.csv" in proc.stdout.split("files:")[1]  # among the files the version is made of
    (rules_copy / "blocklist.csv").unlink()
    proc = run_monitor("rules", "check", str(rules_copy))  # the block list is optional
    assert proc.returncode == 0 and "  block list: 0 entries (0 shops, 0 companies, 0 codes)\n" in proc.stdout


def test_rules_check_names_file_line_and_field_for_every_broken_file(rules_copy):
    lines = (rules_copy / "watchlist.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("agri_inputs", "agri inputs", 1).replace("auto_parts", "auto parts", 1) \
        .replace("cosmetics", "cos metics", 1)
    (rules_copy / "watchlist.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    scoring = (rules_copy / "scoring.yaml").read_text(encoding="utf-8")
    (rules_copy / "scoring.yaml").write_text(scoring.replace("mark_lookalike: 6.4", "mark_lookalike: high"),
                                             encoding="utf-8")
    proc = run_monitor("rules", "check", str(rules_copy))
    assert proc.returncode == 2
    assert f"{rules_copy / 'watchlist.csv'}:4: category:" in proc.stderr
    line = next(i for i, l in enumerate(scoring.splitlines(), 1) if "mark_lookalike: 6.4" in l)
    assert f"{rules_copy / 'scoring.yaml'}:{line}: llr.mark_lookalike: 'high' is not of type 'number'" in proc.stderr


def test_score_a_file_with_another_watchlist(tmp_path):
    listings = tmp_path / "listings.csv"
    listings.write_text(
        "site,id,url,title,category,price,currency,seller_id,seller_name\n"
        "tb,1,https://tb.example/1,Sygenta 阿米西达 杀菌剂 250ml,agri_inputs,120,CNY,s1,农资店\n"
        "tb,2,https://tb.example/2,尿素 含氮46% 50kg,agri_inputs,130,CNY,s2,农资站\n"
        "tb,3,not a url,bad,agri_inputs,1,CNY,,\n", encoding="utf-8")
    watch = tmp_path / "watch.csv"
    watch.write_text("mark,owner,category,aliases,authorized_sellers\nSyngenta,Syngenta AG,agri_inputs,先正达,\n",
                     encoding="utf-8")
    proc = run_monitor("score", str(listings), "--watchlist", str(watch))
    assert proc.returncode == 1  # one row skipped
    assert f"{listings}:4: skipped: url:" in proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in records] == ["1", "2"]
    first = records[0]
    assert first["flagged"] and first["score"] >= first["threshold"]
    lookalike = next(s for s in first["signals"] if s["name"] == "mark_lookalike")
    assert lookalike["mark"] == "Syngenta" and lookalike["evidence"][0]["text"] == "Sygenta"
    assert not records[1]["flagged"]
    out = tmp_path / "out.jsonl"
    assert run_monitor("score", str(listings), "--watchlist", str(watch), "-o", str(out)).returncode == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_score_refuses_a_file_it_cannot_read_with_the_reason(tmp_path):
    latin1 = tmp_path / "export.csv"
    latin1.write_bytes("id,url,title\n1,https://x.example/1,Crème\n".encode("latin-1"))
    proc = run_monitor("score", str(latin1))
    assert proc.returncode == 2 and "not UTF-8 text" in proc.stderr and "save the file as UTF-8" in proc.stderr
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,link\nx,y\n", encoding="utf-8")
    proc = run_monitor("score", str(wrong), "-o", str(tmp_path / "out.jsonl"))
    assert proc.returncode == 2 and "lacks required column(s) id, url, title" in proc.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_watchlist_import_merges_export_neutralises_and_a_bad_file_changes_nothing(rules_copy, tmp_path):
    before = (rules_copy / "watchlist.csv").read_text(encoding="utf-8")
    count = len(before.splitlines()) - 1
    new = tmp_path / "new.csv"
    new.write_text("mark,owner,category,aliases,authorized_sellers,well_known\n"
                   "Acmeflex,=HYPERLINK(\"http://evil\"),auto_parts,艾克美,tb:acme-store,true\n", encoding="utf-8")
    proc = run_monitor("watchlist", "import", str(new), "--rules", str(rules_copy))
    assert proc.returncode == 0, proc.stderr
    assert f"1 marks imported, {count + 1} in all" in proc.stdout
    exported = run_monitor("watchlist", "export", "--rules", str(rules_copy)).stdout
    row = next(r for r in csv.DictReader(exported.splitlines()) if r["mark"] == "Acmeflex")
    assert row["owner"].startswith("'=")  # a formula in a spreadsheet otherwise
    assert row["aliases"] == "艾克美" and row["authorized_sellers"] == "tb:acme-store"

    snapshot = (rules_copy / "watchlist.csv").read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("mark,owner,category,aliases,authorized_sellers\nGood,Owner,auto_parts,,\nBad,Owner,toys,,\n",
                   encoding="utf-8")
    proc = run_monitor("watchlist", "import", str(bad), "--rules", str(rules_copy))
    assert proc.returncode == 2 and f"{bad}:3: category: 'toys'" in proc.stderr
    assert (rules_copy / "watchlist.csv").read_text(encoding="utf-8") == snapshot


def test_prices_import(rules_copy, tmp_path):
    new = tmp_path / "p.csv"
    new.write_text("mark,product,price,currency,unit\nBosch,火花塞|spark plug,25,CNY,1 piece\n", encoding="utf-8")
    proc = run_monitor("prices", "import", str(new), "--rules", str(rules_copy))
    assert proc.returncode == 0, proc.stderr
    assert "Bosch,火花塞|spark plug,25,CNY,1 piece" in (rules_copy / "prices.csv").read_text(encoding="utf-8")


def test_import_scores_rescore_supersedes_and_broken_rules_fall_back(rules_copy, tmp_path):
    db_path = tmp_path / "m.db"
    env = {"MONITOR_RULES": str(rules_copy)}
    shutil.copy(EVAL / "watchlist.csv", rules_copy / "watchlist.csv")
    shutil.copy(EVAL / "prices.csv", rules_copy / "prices.csv")
    listings = tmp_path / "listings.jsonl"
    rows = [json.loads(l) for l in (EVAL / "listings.jsonl").read_text(encoding="utf-8").splitlines()[:120]]
    listings.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    proc = run_monitor("import", str(listings), db_path=db_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    db = sqlite_utils.Database(db_path)
    flagged = db.execute("SELECT count(*) FROM flags WHERE status = 'open'").fetchone()[0]
    # The same verdicts as the engine gives the same rows straight from the file.
    from monitor.rules.engine import Engine
    from monitor.quality.labelled import load_labelled
    from monitor.rules.packs import load_packs

    engine = Engine(load_packs(rules_copy))
    direct = {r["listing_id"] for r in load_labelled(listings) if engine.assess(r).flagged}
    stored = {r[0] for r in db.execute("SELECT l.listing_id FROM flags f JOIN listings l ON l.id = f.listing")}
    assert stored == direct and flagged == len(direct) > 20
    assert f"{flagged} new flags" in proc.stdout

    # Priors far lower: rescore supersedes the flags now below the threshold, deletes nothing.
    scoring = (rules_copy / "scoring.yaml").read_text(encoding="utf-8")
    for category in ("agri_inputs", "cosmetics", "auto_parts"):
        scoring = scoring.replace(f"  {category}: 5\n", f"  {category}: 0.0001\n")
    (rules_copy / "scoring.yaml").write_text(scoring, encoding="utf-8")
    proc = run_monitor("rescore", db_path=db_path, env=env)
    assert proc.returncode == 0, proc.stderr
    total = db.execute("SELECT count(*) FROM flags").fetchone()[0]
    still_open = db.execute("SELECT count(*) FROM flags WHERE status = 'open'").fetchone()[0]
    assert total >= flagged and still_open < flagged
    assert db.execute("SELECT count(*) FROM flags WHERE status = 'superseded'").fetchone()[0] >= flagged - still_open

    # A broken edit: the import still scores, with the last good rules, and says so.
    (rules_copy / "scoring.yaml").write_text("weights: [broken\n", encoding="utf-8")
    more = tmp_path / "more.jsonl"
    extra = dict(rows[0], id="new-1", url="https://example.com/new-1")
    more.write_text(json.dumps(extra, ensure_ascii=False) + "\n", encoding="utf-8")
    proc = run_monitor("import", str(more), db_path=db_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rule packs invalid; using the last good version" in proc.stderr
    assert f"{rules_copy / 'scoring.yaml'}:2: (file): invalid YAML" in proc.stderr
    assert db.execute("SELECT score FROM listings WHERE listing_id = 'new-1'").fetchone()[0] is not None


def test_score_repairs_hostile_text_and_says_so(tmp_path):
    # A lone surrogate and a NUL (issue 13, defect 1): scored as `monitor import` would store it,
    # and reported on stderr with its line, never silently.
    listings = tmp_path / "l.jsonl"
    listings.write_text('{"site": "x", "id": "1", "title": "Ni\\u0000ke shoes \\ud800", "url": "https://x.example/1", '
                        '"price": "10"}\n', encoding="utf-8")
    proc = run_monitor("score", str(listings))
    assert proc.returncode == 0, proc.stderr
    assert f"{listings}:1: repaired: title: 1 lone surrogate replaced by U+FFFD" in proc.stderr
    [scored] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert scored["id"] == "1"
