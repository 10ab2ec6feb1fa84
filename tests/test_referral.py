"""Referral packages for regulators and police: referral.json valid against its schema, the
seller's identity data found in listing text and attributes (each with its listing), the
listings with verdicts and their evidence, a readable summary; the package is a signed,
timestamped WACZ that `wacz validate` accepts; `monitor evidence verify` passes on it and fails
after one changed byte."""

from __future__ import annotations

import json
import re
import zipfile
from types import SimpleNamespace

import pytest
from jsonschema import Draft202012Validator

from monitor.export.identity import find_in_text, uscc_valid
from monitor.export.referral import SCHEMA_PATH
from monitor.rules.signals import Evidence, Signal
from monitor.store import open_db, save_listings
from monitor.store.db import write_transaction
from monitor.store.flags import record_assessment
from tests.conftest import ROOT, run_monitor
from tests.test_export_case import entries, package_env, rezip, tsa, verify, wacz_validate  # noqa: F401 - tsa: fixture
from tests.test_relisting import confirm
from tests.web_fixtures import XSS_SCRIPT, _assessment, build_store

ORG = """\
rights_holder:
  name: Robert Bosch GmbH
  address: Robert-Bosch-Platz 1, Gerlingen
  contact: {email: bp@bosch.example}
signatory: {name: Jane Doe}
organisation:
  name: Example City Market Regulation Bureau
  name_zh: 示例市市场监督管理局
  unit: IP enforcement
  address: 3 Example Avenue
  contact: {person: Wang Example, phone: "+86 10 0000 0001", email: ip@bureau.example}
"""
DESCRIPTION = ("正品保证 B0SCH 刹车片。联系电话 138-1234-5678，微信：lk0910x；"
               "统一社会信用代码：91330100716105852F，食品经营许可证：JY14401030012345。"
               "地址：浙江省杭州市余杭区文一西路969号 电话0571-88886666 型号 BP-13900001111")


def add_listing(db, site, lid, seller, description, attributes=None, title=None):
    save_listings(db, [{"site": site, "listing_id": lid, "url": f"https://{site}.example/{lid}",
                        "title": title or f"B0SCH brake pads {lid}", "description": description, "brand": "B0SCH",
                        "category": "auto_parts", "price": 30.0, "currency": "CNY", "seller_id": seller,
                        "seller_name": f"Shop {seller}", "seller_location": "浙江 杭州",
                        "attributes": attributes or {}, "observed_at": "2026-11-02T08:00:00Z"}], source="import")
    row = db.execute_returning_dicts("SELECT * FROM listings WHERE site = ? AND listing_id = ?", [site, lid])[0]
    start = row["title"].index("B0SCH")
    signal = Signal("mark_lookalike", "trademark", 0.9, '"B0SCH" looks like "BOSCH"',
                    [Evidence("title", start, start + 5, "B0SCH")], mark="Bosch")
    with write_transaction(db):
        record_assessment(db, row, _assessment(90, [signal]), now="2026-11-03T09:00:00Z")
    return row["id"]


@pytest.fixture
def store(tmp_path, tsa):
    path = tmp_path / "monitor.db"
    info = build_store(path)
    db = open_db(path, migrate=False)
    l20 = add_listing(db, "shopa", "L20", "s-evil", DESCRIPTION,
                      {"客服QQ": "９８７６５４３２１", "发货地址": "浙江省义乌市稠城街道1号", "型号": "BP-1"})
    l21 = add_listing(db, "shopb", "L21", "s-evil", "Ships fast. vx: kk_2026a", {"Seller licence": "none"})
    other = add_listing(db, "shopb", "L30", "s-other", "同款 电话13812345678 欢迎咨询")  # same phone, other seller
    for pk in (info["listings"]["L0"], l20, l21):
        confirm(db, pk)
    db.close()
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    run_monitor("evidence", "keygen", db_path=path, check=True)
    return SimpleNamespace(path=path, org=org, tmp=tmp_path, l20=l20, l21=l21, other=other, env=package_env(tsa),
                           **info)


@pytest.fixture
def referral(store):
    out = store.tmp / "referral.wacz"
    proc = run_monitor("export", "referral", "--seller", "s-evil", "--rights-holder", str(store.org),
                       "--case-ref", "XS-2026-014", "-o", str(out), db_path=store.path, env=store.env, check=True)
    assert "referral XS-2026-014, 3 listing(s), 2 seller account(s)" in proc.stdout
    assert "signed by key" in proc.stdout and "timestamped" in proc.stdout and not proc.stderr.strip(), proc.stderr
    with zipfile.ZipFile(out) as z:
        doc = json.loads(z.read("package/referral.json"))
    return out, doc


def by_kind(doc, kind):
    return {g["value"]: g for g in doc["identifiers"] if g["kind"] == kind}


def test_referral_json_is_valid_and_complete(store, referral):
    out, doc = referral
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert not list(Draft202012Validator(schema).iter_errors(doc))
    assert doc["schema"] == "listing-monitor/referral-2" and doc["case_reference"] == "XS-2026-014"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["created_at"])
    org = doc["issuing_organisation"]
    assert org["name"] == "Example City Market Regulation Bureau" and org["contact"]["person"] == "Wang Example"
    assert doc["subject"] == {"seller_id": "s-evil", "site": None}
    ids = [l["id"] for l in doc["listings"]]
    assert sorted(ids) == sorted([store.listings["L0"], store.l20, store.l21]) and store.other not in ids
    assert all(l["verdicts"][-1]["verdict"] == "confirmed_counterfeit" and l["flag"]["status"] == "confirmed"
               for l in doc["listings"])
    assert doc["summary"]["confirmed"] == 3 and doc["summary"]["sites"] == ["shopa", "shopb"]
    assert doc["summary"]["marks"] == ["Bosch"] and doc["summary"]["provinces"] == ["浙江"]
    sellers = {(s["site"], s["seller_id"]): s for s in doc["sellers"]}
    assert set(sellers) == {("shopa", "s-evil"), ("shopb", "s-evil")}
    assert "Shop s-evil" in sellers[("shopa", "s-evil")]["shop_names"]
    assert "浙江 杭州" in sellers[("shopa", "s-evil")]["locations"] and sellers[("shopa", "s-evil")]["listings"] == 2
    l0 = next(l for l in doc["listings"] if l["id"] == store.listings["L0"])
    assert {e["kind"] for e in l0["evidence"]} == {"response", "rendered", "screenshot"}
    assert all(e["intact_at_packing"] and e["packed_as"] for e in l0["evidence"])


def test_identity_data_found_with_its_listing(referral, store):
    _, doc = referral
    phones = by_kind(doc, "phone")
    assert set(phones) == {"13812345678", "0571-88886666"}  # not the model number BP-13900001111
    mobile = phones["13812345678"]
    assert mobile["as_written"] == ["138-1234-5678"]
    assert mobile["sources"] == [{"listing": store.l20, "site": "shopa", "listing_id": "L20", "field": "description",
                                  "context": mobile["sources"][0]["context"]}]
    assert "联系电话 138-1234-5678" in mobile["sources"][0]["context"]
    assert [(a["site"], a["seller_id"]) for a in mobile["also_seen"]] == [("shopb", "s-other")]  # the link
    assert set(by_kind(doc, "wechat")) == {"lk0910x", "kk_2026a"}
    assert by_kind(doc, "wechat")["kk_2026a"]["sources"][0]["listing"] == store.l21
    qq = by_kind(doc, "qq")["987654321"]  # full-width digits in an attribute named 客服QQ
    assert qq["sources"][0]["field"] == "attributes.客服QQ"
    uscc = by_kind(doc, "uscc")["91330100716105852F"]
    assert uscc["checksum_valid"] is True and uscc["region"] == {"division_code": "330100", "province": "浙江"}
    licence = by_kind(doc, "licence")["JY14401030012345"]
    assert licence["label"] == "食品经营许可证"
    addresses = by_kind(doc, "address")
    assert "浙江省杭州市余杭区文一西路969号" in addresses and "浙江省义乌市稠城街道1号" in addresses
    assert not by_kind(doc, "email") and "none" not in str(by_kind(doc, "licence"))


def test_summary_is_readable_and_inert(referral):
    out, doc = referral
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        html = z.read("package/summary.html").decode()
        pdf = z.read("package/summary.pdf")
        manifest = json.loads(z.read("datapackage.json"))
    assert {"package/referral.json", "package/summary.html", "package/summary.pdf", "datapackage.json",
            "datapackage-digest.json", "archive/data.warc.gz"} <= names
    assert sum(n.endswith("/listing.json") for n in names) == 3 and doc["files"]["manifest"] == "datapackage.json"
    assert manifest["case_reference"] == "XS-2026-014" and manifest["package"] == "listing-monitor referral"
    assert {f["path"] for f in manifest["resources"]} == names - {"datapackage.json", "datapackage-digest.json"}
    assert "XS-2026-014" in html and "Example City Market Regulation Bureau" in html and "13812345678" in html
    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html  # the hostile title, escaped
    assert "<img" not in html and "<script" not in html and "&lt;img src=x onerror=alert" in html
    assert pdf.startswith(b"%PDF")
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    assert "XS-2026-014" in text and "13812345678" in text and "统一社会信用代码" in text
    assert XSS_SCRIPT in text.replace("\r\n", "").replace("\n", "") or "alert('xss-title')" in text


def test_evidence_verify_passes_then_fails_after_one_changed_byte(referral, tmp_path, store):
    out, _ = referral
    checked = wacz_validate(out)
    assert checked.returncode == 0 and "Validation succeeded" in checked.stdout, checked.stdout + checked.stderr
    ok = verify(out, store=store, env=store.env)
    assert ok.returncode == 0 and "OK" in ok.stdout and "recorded in the custody log" in ok.stdout, ok.stdout
    items = entries(out)
    kind, data = items["package/referral.json"]
    data = bytearray(data)
    data[len(data) // 2] ^= 0x01
    items["package/referral.json"] = (kind, bytes(data))
    bad = verify(rezip(items, tmp_path / "tampered.wacz"), store=store, env=store.env)  # a clean re-zip
    assert bad.returncode == 1 and "package/referral.json: content changed" in bad.stdout, bad.stdout
    raw = bytearray(out.read_bytes())  # one byte of the zip itself
    raw[len(raw) // 3] ^= 0x01
    (tmp_path / "raw.wacz").write_bytes(bytes(raw))
    assert verify(tmp_path / "raw.wacz", store=store, env=store.env).returncode == 1
    db = open_db(store.path, migrate=False)
    entry = db.execute("SELECT detail FROM custody WHERE action = 'export' AND object = 'referral:referral.wacz'"
                       ).fetchone()
    db.close()
    assert entry and "XS-2026-014" in entry[0] and '"signature": "signed"' in entry[0]


def test_refusals_write_nothing(store):
    out = store.tmp / "r.wacz"
    proc = run_monitor("export", "referral", "--seller", "nobody", "--organisation", "X Bureau", "--contact", "010-1",
                       "-o", str(out), db_path=store.path)
    assert proc.returncode == 1 and "no listing has this seller id" in proc.stderr and not out.exists()
    proc = run_monitor("export", "referral", "--seller", "s-evil", "-o", str(out), db_path=store.path)
    assert proc.returncode == 1 and "--organisation NAME --contact TEXT" in proc.stderr and not out.exists()
    proc = run_monitor("export", "referral", "--seller", "seller2", "--organisation", "X", "--contact", "y",
                       "-o", str(out), db_path=store.path)
    assert proc.returncode == 1 and "none confirmed" in proc.stderr and not out.exists()
    assert not list(store.tmp.glob(".r.wacz*"))  # no temporary file left behind
    ok = run_monitor("export", "referral", "--seller", "s-evil", "--site", "shopb", "--organisation", "X Bureau",
                     "--contact", "Li, 010-1", "-o", str(out), db_path=store.path, env=store.env)
    assert ok.returncode == 0, ok.stderr
    with zipfile.ZipFile(out) as z:
        doc = json.loads(z.read("package/referral.json"))
    assert doc["issuing_organisation"] == {"name": "X Bureau", "contact": {"text": "Li, 010-1"}}
    assert [l["site"] for l in doc["listings"]] == ["shopb"] and doc["case_reference"].startswith("LM-R-")


def test_identity_patterns_are_careful():
    def kinds(text):
        return [(h["kind"], h["value"]) for h in find_in_text(text)]

    assert kinds("ＶＸ：ａｂｃ１２３４ 手机 +86 139 1234 5678") == [("wechat", "abc1234"), ("phone", "13912345678")]
    assert kinds("https://shop.example/item/13812345678.html") == []  # item ids in links
    assert kinds("SKU A13812345678 and 138123456789 and BP-13812345678") == []  # inside longer codes
    assert kinds("wechat account, WeChat pay, vx 12") == []
    assert kinds("加V：13612345678") == [("wechat", "13612345678"), ("phone", "13612345678")]
    assert kinds("QQ群：123456 扣扣 88888") == [("qq", "123456"), ("qq", "88888")]
    assert kinds("model 91330100716105852A") == []  # wrong check character, no label: a model number
    labelled = find_in_text("信用代码 91330100716105852A")
    assert labelled[0]["kind"] == "uscc" and labelled[0]["checksum_valid"] is False
    assert uscc_valid("91350100M000100Y43") and uscc_valid("9144030071526726XG")
    assert kinds("营业执照注册号：330100000123456") == [("business_registration", "330100000123456")]
    assert kinds("客服 400-123-4567 座机(010)12345678") == [("phone", "4001234567"), ("phone", "010-12345678")]
    assert kinds("License: MIT") == [] and kinds("农药经营许可证号：农药经许(粤)44010320001") == \
        [("licence", "农药经许(粤)44010320001")]
    assert kinds("联系 foo.bar@QQ.com") == [("email", "foo.bar@qq.com")]


def test_schema_is_documented_field_by_field():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    doc = (ROOT / "docs" / "referral-2.md").read_text(encoding="utf-8")
    names = set()

    def walk(node):
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    documented = {word for span in re.findall(r"`([^`]+)`", doc) for word in re.findall(r"\w+", span)}
    missing = sorted(names - documented)
    assert not missing, f"fields not documented in docs/referral-2.md: {missing}"
