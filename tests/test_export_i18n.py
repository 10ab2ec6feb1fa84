"""Case packages' cover pages in Chinese (the default) and English, the PDF with Chinese glyphs."""

from __future__ import annotations

import zipfile
from types import SimpleNamespace

import pypdfium2

from monitor.export.case import CaseSpec, build_case
from monitor.store import open_db
from tests.test_export_case import export_case, make_case_store, tsa  # noqa: F401  (the TSA fixture)
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
    for words in ("审核结论", "审核人", "保全时间（UTC）", "证据", "近似受保护商标",
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
