"""One word per idea: the sampling, review app, report and documents catalogues translate a
message one way, the glossary's (Verdict 审核结论, dismissed 已排除, needs a test purchase 需试购取证,
Record 保存, Title 商品标题, Site 平台, Listing 商品), and no other area translates it otherwise."""

from __future__ import annotations

import pytest

from monitor.i18n import catalogues, gettext, use_locale
from monitor.i18n.catalogues import read_catalogue

AREAS = ("sampling", "web", "reports", "documents")
GLOSSARY = {"Verdict": "审核结论", "dismissed": "已排除", "needs a test purchase": "需试购取证", "Record": "保存",
            "Title": "商品标题", "Site": "平台", "Listing": "商品", "Listings": "商品"}


def test_no_message_is_translated_two_ways_in_any_area():
    """The catalogues are merged when a page is shown: of two translations one would silently win."""
    clashes = catalogues.clashes()
    assert not clashes, "\n".join(map(str, clashes))


def test_a_message_translated_another_way_in_one_area_is_found(tmp_path):
    import shutil

    for po in catalogues.LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        target = tmp_path / po.relative_to(catalogues.LOCALE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po, target)
    web = next(tmp_path.glob("*/LC_MESSAGES/web.po"))
    text = web.read_text(encoding="utf-8")
    assert 'msgid "Verdict"\nmsgstr "审核结论"' in text
    web.write_text(text.replace('msgid "Verdict"\nmsgstr "审核结论"', 'msgid "Verdict"\nmsgstr "结论"'), encoding="utf-8")
    found = catalogues.clashes(locale_dir=tmp_path)
    assert found and all(c.message == "Verdict" and "'结论'" in c.what for c in found), found


@pytest.mark.parametrize("area", AREAS)
def test_each_catalogue_uses_the_glossary_words(area):
    catalog = read_catalogue(area)
    for message, word in GLOSSARY.items():
        found = catalog.get(message)
        if found is not None and found.string:
            assert found.string == word, (area, message, found.string)


def test_the_merged_catalogue_reads_the_glossary_words():
    with use_locale("zh_CN"):
        assert {m: gettext(m) for m in GLOSSARY} == GLOSSARY
