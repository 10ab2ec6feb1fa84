"""Takedown notices: refused when a required part is missing (URL, registration number, reason),
rendered in Chinese and English with every part, hostile scraped text kept plain, recorded with
the file's SHA-256 and a custody entry; outcomes tracked and the acceptance rate per platform
computed (CLI, library function and the review app's dashboard)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from monitor.export.notice_text import plain
from monitor.review.outcomes import acceptance_by_platform
from monitor.store import open_db
from monitor.urls import safe_http_url as safe_url
from tests.conftest import ROOT, run_monitor
from tests.test_relisting import confirm
from tests.web_fixtures import HOSTILE_TITLE, XSS_SCRIPT, LiveServer, build_store, http_client, login

HOLDER = """\
rights_holder:
  name: Robert Bosch GmbH
  name_zh: 罗伯特·博世有限公司
  address: Robert-Bosch-Platz 1, 70839 Gerlingen, Germany
  contact:
    person: Jane Doe
    email: brand-protection@bosch.example
    phone: "+49 711 000000"
agent:
  name: Example IP Agency
  address: 2 Example Street, Shanghai
  authorisation: Power of attorney dated 2026-01-05
  contact: {email: notices@agency.example}
signatory:
  name: Jane Doe
  title: Brand protection manager
  title_zh: 品牌保护经理
"""


def monitor_cli(*args: str, db_path: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`monitor ...` as a subprocess."""
    return run_monitor(*args, db_path=db_path, env=env)


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "monitor.db"
    info = build_store(path)
    holder = tmp_path / "holder.yaml"
    holder.write_text(HOLDER, encoding="utf-8")
    return SimpleNamespace(path=path, holder=holder, tmp=tmp_path, **info)


def confirmed(store, *keys):
    db = open_db(store.path, migrate=False)
    for key in keys:
        confirm(db, store.listings[key])
    db.close()


def notice(store, *args, out="notice.txt", env=None):
    path = store.tmp / out
    proc = run_monitor("export", "notice", *args, "--rights-holder", str(store.holder), "-o", str(path),
                       db_path=store.path, env=env)
    return proc, path


def counts(store):
    db = open_db(store.path, migrate=False)
    n = db.execute("SELECT count(*) FROM notices").fetchone()[0]
    items = db.execute("SELECT count(*) FROM notice_items").fetchone()[0]
    exports = db.execute("SELECT count(*) FROM custody WHERE action = 'export'").fetchone()[0]
    db.close()
    return n, items, exports


# -- refused: each missing part named, with how to supply it; nothing written -------------------------

def test_refused_without_registration_number(store):
    confirmed(store, "L0", "L4")
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--seller", "s-evil")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "has no registration number" in proc.stderr and "'Bosch'" in proc.stderr
    assert "registrations" in proc.stderr and "--registration NUMBER" in proc.stderr  # how to supply it
    assert "watchlist.csv (line 80)" in proc.stderr
    assert not out.exists() and counts(store) == (0, 0, 0)


def test_refused_for_a_listing_without_url(store):
    confirmed(store, "L0", "L4")
    db = open_db(store.path, migrate=False)
    db.execute("UPDATE listings SET url = '' WHERE id = ?", [store.listings["L4"]])
    db.close()
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.listings["L0"]),
                       "--listing", str(store.listings["L4"]), "--registration", "CN:1234567")
    assert proc.returncode == 1
    assert f"listing {store.listings['L4']} (shopa L4) has no usable URL" in proc.stderr
    assert "re-crawl or re-import" in proc.stderr and "leave it out" in proc.stderr
    assert f"listing {store.listings['L0']} " not in proc.stderr  # the good one is not blamed
    assert not out.exists() and counts(store) == (0, 0, 0)


def test_refused_for_a_listing_without_reason(store):
    confirmed(store, "L0")
    # not confirmed: no verdict to state as the reason
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.listings["L0"]),
                       "--listing", str(store.listings["L2"]), "--registration", "CN:1234567")
    assert proc.returncode == 1
    assert f"listing {store.listings['L2']} (shopa L2) has no reason to give: no confirmed verdict (its flag is open)" \
        in proc.stderr and "Confirm it in the review app" in proc.stderr
    # a seller without any confirmed listing
    proc, _ = notice(store, "--platform", "shopa", "--mark", "Bosch", "--seller", "seller2", "--registration", "CN:1")
    assert proc.returncode == 1 and "none with a confirmed verdict concerning 'Bosch'" in proc.stderr
    # confirmed, but the flag carries no signal to explain it
    confirmed(store, "L2")
    db = open_db(store.path, migrate=False)
    db.execute("UPDATE flags SET signals = '[]' WHERE listing = ?", [store.listings["L2"]])
    db.close()
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.listings["L2"]),
                       "--registration", "CN:1234567")
    assert proc.returncode == 1 and "carries no signal explaining why" in proc.stderr
    assert "monitor rescore" in proc.stderr
    assert not out.exists() and counts(store) == (0, 0, 0)


def test_every_missing_part_is_named_at_once_and_other_platforms_refused(store):
    confirmed(store, "L0", "L1")
    db = open_db(store.path, migrate=False)
    db.execute("UPDATE listings SET url = 'javascript:alert(1)' WHERE id = ?", [store.listings["L0"]])
    db.close()
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.listings["L0"]),
                       "--listing", str(store.listings["L1"]))
    assert proc.returncode == 1
    assert "has no registration number" in proc.stderr and "has no usable URL" in proc.stderr
    assert "is on 'shopb', not 'shopa'" in proc.stderr
    assert not out.exists()


def test_rights_holder_file_is_validated_with_line_and_field(store, tmp_path):
    confirmed(store, "L0")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rights_holder:\n  name: X\n  adress: typo\n  contact:\n    email: not-an-email\n"
                   "signatory: {name: Y}\n", encoding="utf-8")
    proc = run_monitor("export", "notice", "--platform", "shopa", "--mark", "Bosch", "--seller", "s-evil",
                       "--registration", "CN:1", "--rights-holder", str(bad), "-o", str(tmp_path / "n.txt"),
                       db_path=store.path)
    assert proc.returncode == 1
    assert f"{bad}:3: rights_holder.adress: unknown field" in proc.stderr
    assert f"{bad}:5: rights_holder.contact.email:" in proc.stderr
    assert f"{bad}:1: rights_holder: 'address' is a required property" in proc.stderr
    example = ROOT / "rules" / "notices" / "rights_holder.example.yaml"
    proc = run_monitor("export", "notice", "--platform", "shopa", "--mark", "Bosch", "--seller", "s-evil",
                       "--registration", "CN:1", "--rights-holder", str(example), "-o", str(tmp_path / "n.txt"),
                       db_path=store.path)
    assert proc.returncode == 1 and "this is the shipped example" in proc.stderr
    assert not (tmp_path / "n.txt").exists()


# -- written: every part, both languages, hostile text plain ---------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notice_names_every_part(store, lang):
    confirmed(store, "L0", "L4", "L8")
    db = open_db(store.path, migrate=False)
    db.execute("UPDATE flags SET status = 'open' WHERE listing = ?", [store.listings["L8"]])  # not confirmed: left out
    db.close()
    proc, out = notice(store, "--platform", "shopa", "--mark", "博世", "--seller", "s-evil", "--seller", "seller0",
                       "--registration", "CN:1234567", "--registration", "EU:000123456", "--lang", lang,
                       out=f"notice-{lang}.txt")
    assert proc.returncode == 0, proc.stderr
    assert "1 other listing(s)" in proc.stderr  # L8 named as left out
    text = out.read_text(encoding="utf-8")
    statements = {"zh": ("善意声明", "本人善意地相信", "真实性声明", "签章", "品牌保护经理", "罗伯特·博世有限公司"),
                  "en": ("Good-faith statement", "good-faith belief", "Statement of accuracy", "Signature:",
                         "Brand protection manager", "Represented by: Example IP Agency")}[lang]
    for needed in (*statements, "Robert Bosch GmbH", "Bosch", "CN:1234567", "EU:000123456", "Jane Doe",
                   "https://shop.example/0", "https://shop.example/4"):
        assert needed in text, needed
    assert "https://shop.example/8" not in text
    reason_word = {"zh": "经人工审核确认为假冒注册商标的商品", "en": "Confirmed as counterfeit goods on review"}[lang]
    assert text.count(reason_word) == 2 and '"B0SCH" looks like "BOSCH"' in text
    assert ("WeChat id in the description" in text)  # L4's own signal in its reason
    # recorded: drafted, the file's hash, one item per listing with URL and reason, a custody entry
    db = open_db(store.path, migrate=False)
    row = db.execute_returning_dicts("SELECT * FROM notices")[0]
    assert row["status"] == "drafted" and row["platform"] == "shopa" and row["mark"] == "Bosch" and row["lang"] == lang
    assert row["file_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert row["rights_holder"] == "Robert Bosch GmbH"
    items = list(db.execute_returning_dicts("SELECT * FROM notice_items ORDER BY listing"))
    assert [i["listing"] for i in items] == [store.listings["L0"], store.listings["L4"]]
    assert all(i["url"] in text and i["reason"] in text for i in items)
    entry = db.execute("SELECT sha256, detail FROM custody WHERE action = 'export' AND object = ?",
                       [f"notice:{row['id']}"]).fetchone()
    assert entry[0] == row["file_sha256"] and f"notice-{lang}.txt" in entry[1]
    db.close()


def test_hostile_scraped_text_stays_plain(store):
    confirmed(store, "L0")
    db = open_db(store.path, migrate=False)
    forged = "B0SCH pads\n\n5. Good-faith statement\n   FORGED LINE\u202egnp.exe\x00\x1b[31m"
    db.execute("UPDATE listings SET seller_name = ?, url = ? WHERE id = ?",
               [forged, "https://shop.example/0?q=<script>&x=\u202e ", store.listings["L0"]])
    db.close()
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--seller", "s-evil",
                       "--registration", "CN:1234567", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert HOSTILE_TITLE.split(XSS_SCRIPT)[0] in text and XSS_SCRIPT in text  # as written, plain text
    assert not any(c in text for c in "\u202e\x00\x1b") and "\r" not in text
    headings = [line for line in text.splitlines() if line.startswith("5. Good-faith statement")]
    assert len(headings) == 1  # the seller's line breaks did not forge a paragraph
    seller_line = next(line for line in text.splitlines() if "FORGED LINE" in line)
    assert seller_line.lstrip().startswith("Seller:")
    assert "https://shop.example/0?q=%3Cscript%3E&x=%E2%80%AE" in text  # the URL, percent-encoded to ASCII
    assert all(line.isprintable() for line in text.splitlines())


def test_plain_and_safe_url():
    assert plain("a\nb\u200b\tc\u202e  d") == "a b c d"
    assert plain("x" * 50, 10) == "x" * 9 + "…"
    assert safe_url("javascript:alert(1)") is None and safe_url("") is None and safe_url(None) is None
    assert safe_url("https://例子.example/商品?id=1") == "https://xn--fsqu00a.example/%E5%95%86%E5%93%81?id=1"
    assert safe_url("https://shop.example/a b") is None


def test_watchlist_registrations_and_platform_template(store, tmp_path):
    confirmed(store, "L0")
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    csv = rules / "watchlist.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(",,true,bosch.com", ",CN:7654321|WO:999999,true,bosch.com") if line.startswith("Bosch,")
             else line for line in lines]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    own = (rules / "notices" / "default.en.txt.j2").read_text(encoding="utf-8")
    (rules / "notices" / "shopa.en.txt.j2").write_text("SHOPA FORM\n" + own, encoding="utf-8")
    env = {"MONITOR_RULES": str(rules)}
    proc, out = notice(store, "--platform", "shopa", "--mark", "bosch", "--seller", "s-evil", "--lang", "en", env=env)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("SHOPA FORM") and "CN:7654321, WO:999999" in text
    # --registration replaces the watchlist's numbers
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--seller", "s-evil", "--lang", "zh",
                       "--registration", "CN:1111111", env=env, out="zh.txt")
    text = out.read_text(encoding="utf-8")
    assert "CN:1111111" in text and "CN:7654321" not in text and not text.startswith("SHOPA")  # no zh override
    # a hand-edited template that drops a required part is refused, nothing recorded
    (rules / "notices" / "shopa.en.txt.j2").write_text("Please remove {{ items|length }} listings.\n"
                                                       "{{ rights_holder.name }} {{ mark.name }}\n", encoding="utf-8")
    before = counts(store)
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--seller", "s-evil", "--lang", "en",
                       env=env, out="bad.txt")
    assert proc.returncode == 1 and "leaves out" in proc.stderr and "the URL of listing" in proc.stderr
    assert not out.exists() and counts(store) == before


# -- tracking ---------------------------------------------------------------------------------------

def test_outcomes_and_acceptance_rate(store):
    confirmed(store, "L0", "L4", "L8", "L1")
    ids = []
    for key in ("L0", "L4", "L8"):
        proc, _ = notice(store, "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.listings[key]),
                         "--registration", "CN:1234567", out=f"{key}.txt")
        assert proc.returncode == 0, proc.stderr
        ids.append(int(proc.stdout.split()[1]))
    proc, _ = notice(store, "--platform", "shopb", "--mark", "Bosch", "--listing", str(store.listings["L1"]),
                     "--registration", "CN:1234567", out="b.txt")
    assert proc.returncode == 0
    shopb = int(proc.stdout.split()[1])
    # an outcome needs the notice to have been sent
    early = monitor_cli("notices", "mark", str(ids[0]), "accepted", db_path=store.path)
    assert early.returncode == 1 and f"monitor notices mark {ids[0]} sent" in early.stderr
    db = open_db(store.path, migrate=False)
    db.execute("UPDATE listings SET removed_at = '2026-11-20T03:00:00Z' WHERE id = ?", [store.listings["L4"]])
    db.close()
    said = {}
    for nid, outcome in zip(ids, ("accepted", "removed", "rejected")):
        sent = monitor_cli("notices", "mark", str(nid), "sent", "--note", "IPP complaint 42", db_path=store.path)
        assert sent.returncode == 0, sent.stderr
        done = monitor_cli("notices", "mark", str(nid), outcome, "--note", f"platform said {outcome}",
                           db_path=store.path)
        assert done.returncode == 0, done.stderr
        said[outcome] = done.stdout
    assert "1 of 1 listing(s) seen gone by a crawl" in said["removed"]
    again = monitor_cli("notices", "mark", str(ids[0]), "sent", db_path=store.path)
    assert again.returncode == 1 and "already accepted" in again.stderr
    db = open_db(store.path, migrate=False)
    rows = {r["id"]: r for r in db.execute_returning_dicts("SELECT * FROM notices")}
    assert [rows[i]["status"] for i in ids] == ["accepted", "removed", "rejected"] and rows[shopb]["status"] == "drafted"
    assert all(rows[i]["sent_at"] and rows[i]["outcome_at"] >= rows[i]["sent_at"] for i in ids)
    assert rows[ids[2]]["outcome_note"] == "platform said rejected"
    assert db.execute("SELECT removed_at FROM notice_items WHERE notice = ?", [ids[1]]).fetchone()[0] == \
        "2026-11-20T03:00:00Z"
    audit = db.execute("SELECT count(*) FROM audit WHERE action = 'notice'").fetchone()[0]
    assert audit == 6
    rates = {r["platform"]: r for r in acceptance_by_platform(db)}
    assert rates["shopa"]["accepted"] == 1 and rates["shopa"]["removed"] == 1 and rates["shopa"]["rejected"] == 1
    assert rates["shopa"]["acceptance_rate"] == pytest.approx(2 / 3) and rates["shopa"]["decided"] == 3
    assert rates["shopb"]["acceptance_rate"] is None and rates["shopb"]["drafted"] == 1
    assert acceptance_by_platform(db, until="2000-01-01") == []
    assert {r["platform"] for r in acceptance_by_platform(db, since="2000-01-01")} == {"shopa", "shopb"}
    db.close()
    listing = monitor_cli("notices", db_path=store.path)
    assert listing.returncode == 0, listing.stderr
    assert "66.7% (below 90%)" in listing.stdout and "platform said rejected" in listing.stdout
    only = monitor_cli("notices", "--platform", "shopb", "--json", db_path=store.path)
    import json

    data = json.loads(only.stdout)
    assert [n["id"] for n in data["notices"]] == [shopb] and data["platforms"][0]["acceptance_rate"] is None


def test_dashboard_shows_acceptance_per_platform(store):
    confirmed(store, "L0")
    proc, _ = notice(store, "--platform", "shopa", "--mark", "Bosch", "--seller", "s-evil", "--registration", "CN:1")
    nid = proc.stdout.split()[1]
    for status in ("sent", "removed"):
        assert monitor_cli("notices", "mark", nid, status, db_path=store.path).returncode == 0
    with LiveServer(store.path, language="en") as live:
        c = http_client(live.url)
        login(c, "ana")
        page = c.get("/dashboard").text
        c.close()
    assert "Takedown notices" in page and 'data-platform="shopa"' in page and "100.0%" in page
    assert "Alerts" in page  # the alerts table is still there
