"""Case packages' cover pages in Chinese (the default) and English, the PDF with Chinese glyphs."""

from __future__ import annotations

import json
import re
import zipfile
from types import SimpleNamespace

import pypdfium2

from monitor.export.case import CaseSpec, build_case
from monitor.export.referral import schema_errors
from monitor.store import open_db
from tests.conftest import run_monitor
from tests.test_export_case import export_case, make_case_store, tsa  # noqa: F401  (the TSA fixture)
from tests.test_referral import store  # noqa: F401  (the referral store fixture)
from tests.test_notices_i18n import _rescore_with_the_rules


def _summary(path):
    with zipfile.ZipFile(path) as z:
        return z.read("package/summary.html").decode(), z.read("package/summary.pdf")


def _pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_a_case_package_cover_page_is_chinese_by_default_and_english_on_request(tmp_path, tsa, monkeypatch):  # noqa: F811
    store = make_case_store(tmp_path, tsa)
    _rescore_with_the_rules(SimpleNamespace(path=store.path, listings=store.info["listings"]), "L0")
    proc = export_case(store, tmp_path / "zh.wacz")
    assert proc.returncode == 0, proc.stderr
    html, pdf = _summary(tmp_path / "zh.wacz")
    assert '<html lang="zh-CN">' in html and "案件：卖家 s-evil" in html
    for words in ("审核结论", "审核员", "保全时间", "证据", "近似受保护商标",
                  "与受保护商标「Bosch」近似"):
        assert words in html, words
    for english in ("Prepared", "Verdict", "looks like", "not decided", "Listing "):
        assert english not in html, english
    text = _pdf_text(pdf)
    assert "案件：卖家 s-evil" in text and "受保护商标「Bosch」" in text and "审核结论" in text
    # English on request (CaseSpec.lang), the same package otherwise
    for name, value in store.env.items():
        monkeypatch.setenv(name, value)
    db = open_db(store.path, migrate=False)
    try:
        build_case(db, store.path, CaseSpec(seller="s-evil", lang="en"), tmp_path / "en.wacz")
    finally:
        db.close()
    html, pdf = _summary(tmp_path / "en.wacz")
    assert '<html lang="en">' in html and "Case: seller s-evil" in html and "looks like the mark" in html
    assert "审核结论" not in html and "Verdict" in _pdf_text(pdf)


def test_a_referral_document_is_chinese_by_default_and_its_json_keeps_the_schema(store):  # noqa: F811
    signals = _rescore_with_the_rules(SimpleNamespace(path=store.path, listings=store.listings), "L0")

    out = store.tmp / "referral-zh.wacz"
    run_monitor("export", "referral", "--seller", "s-evil", "--rights-holder", str(store.org),
                "--case-ref", "XS-2026-015", "-o", str(out), db_path=store.path, env=store.env, check=True)
    html, pdf = _summary(out)
    with zipfile.ZipFile(out) as z:
        doc = json.loads(z.read("package/referral.json"))
    assert not schema_errors(doc)
    assert "线索移送 XS-2026-015：卖家 s-evil" in html and "移送单位" in html and "卖家账号" in html
    english = [s["explanation"] for s in signals]
    assert "与受保护商标「Bosch」近似" in html and "Seller accounts" not in html and "Flag " not in html
    assert not [e for e in english if e.replace('"', "&#34;") in html]  # L0's grounds in Chinese only
    text = _pdf_text(pdf)
    assert "线索移送 XS-2026-015" in text and "与受保护商标「Bosch」近似" in text
    assert "商品" in text and "Listings" not in text  # the section heading, 商品 as the glossary has it
    # the JSON is data: the schema's English explanation, whatever the cover pages' language
    l0 = next(l for l in doc["listings"] if l["id"] == store.listings["L0"])
    assert any("looks like the mark" in s["explanation"] for s in l0["flag"]["signals"])


def test_case_cover_pages_show_times_as_the_language_writes_them_and_the_cli_chooses_it(tmp_path, tsa):  # noqa: F811
    from tests.test_referral_i18n import EN_TIME, ISO_TIME, ZH_TIME, _chinese_left, _english_left

    store = make_case_store(tmp_path, tsa)
    _rescore_with_the_rules(SimpleNamespace(path=store.path, listings=store.info["listings"]), "L0")
    out = {}
    for lang in ("zh", "en"):
        out[lang] = tmp_path / f"{lang}.wacz"
        proc = run_monitor("export", "case", "--seller", "s-evil", "--lang", lang, "-o", str(out[lang]),
                           db_path=store.path, env=store.env)
        assert proc.returncode == 0, proc.stderr
    html, pdf = _summary(out["zh"])
    for shown in (html, _pdf_text(pdf)):
        assert len(ZH_TIME.findall(shown)) >= 3 and not ISO_TIME.search(shown), ISO_TIME.findall(shown)
        assert "保全时间" in shown and "截图" in shown and not _english_left(shown), _english_left(shown)
    assert "Prepared" not in _pdf_text(pdf)
    html, pdf = _summary(out["en"])
    for shown in (html, _pdf_text(pdf)):
        assert len(EN_TIME.findall(shown)) >= 3 and not ISO_TIME.search(shown) and "年" not in shown
        assert "screenshot" in shown and not _chinese_left(shown), _chinese_left(shown)
    assert re.search(r"Prepared \w+ \d{1,2}, \d{4} \d\d:\d\d UTC by cli", html)
    with zipfile.ZipFile(out["zh"]) as z:  # the data stays ISO 8601
        listing = json.loads(z.read(next(n for n in z.namelist() if n.endswith("/listing.json"))))
    assert ISO_TIME.match(listing["evidence"][0]["captured_at"])
