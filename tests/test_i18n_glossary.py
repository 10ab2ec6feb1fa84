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


def test_no_message_of_these_areas_is_translated_two_ways():
    clashes = [c for c in catalogues.clashes()
               if c.area in AREAS or any(f"{area}.po" in c.what for area in AREAS)]
    assert not clashes, "\n".join(map(str, clashes))


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
