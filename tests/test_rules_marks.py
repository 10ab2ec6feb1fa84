"""The mark matcher: exact mentions and look-alikes in Latin and Chinese script (domain.md examples)."""

from __future__ import annotations

import pytest

from monitor.rules.marks import Mark, MarkHit, MarkIndex
from monitor.rules.normalise import normalise
from monitor.rules.signals import field_text

MARKS = [
    Mark("BOSCH", owner="Robert Bosch GmbH", categories=("auto_parts",), aliases=("博世",), well_known=True),
    Mark("DENSO", categories=("auto_parts",)),
    Mark("Adidas", aliases=("阿迪达斯",), well_known=True),
    Mark("Kappa"),
    Mark("TRUCOOL"),
    Mark("XCEED", categories=("agri_inputs",)),
    Mark("SEIKO"),
    Mark("PayPal"),
    Mark("Syngenta", categories=("agri_inputs",), aliases=("先正达", "xianzhengda")),
    Mark("Lancome", categories=("cosmetics",), aliases=("兰蔻",)),
    Mark("Mobil", categories=("auto_parts",), common_word=True),
    Mark("Shell", categories=("auto_parts",), aliases=("壳牌",), common_word=True),
    Mark("Dove", categories=("cosmetics",), common_word=True),
    Mark("Castrol", categories=("auto_parts",)),
    Mark("康师傅"),
    Mark("雪碧"),
    Mark("六个核桃"),
    Mark("奥利奥"),
    Mark("娃哈哈"),
    Mark("脉动"),
    Mark("旺仔"),
]


@pytest.fixture(scope="module")
def index() -> MarkIndex:
    return MarkIndex(MARKS)


def only(hits: list[MarkHit], name: str) -> MarkHit:
    mine = [h for h in hits if h.mark.name == name]
    assert len(mine) == 1, hits
    return mine[0]


def check_evidence(listing: dict, hit: MarkHit) -> None:
    ev = hit.evidence
    assert field_text(listing, ev.field)[ev.start:ev.end] == ev.text == hit.matched


# --- normalisation ---------------------------------------------------------------------------


def test_normalise_keeps_offsets_through_fullwidth_and_expansions():
    text = "ﬁne ＢＯＳＣＨ"  # the ligature expands to two letters
    norm = normalise(text)
    assert norm.key == "fine bosch"
    i = norm.key.index("bosch")
    start, end = norm.span(i, i + 5)
    assert text[start:end] == "ＢＯＳＣＨ"


def test_normalise_traditional_homoglyph_and_digits():
    assert normalise("蘭蔻").key == "兰蔻"
    assert normalise("раураl").key == "paypal"  # Cyrillic р, а, у
    assert normalise("B0SCH DEN5O 4didas").key == "bosch denso adidas"
    # numbers and model numbers stay numbers
    assert normalise("5W-30 500ml iPhone15 model3").key == "5w-30 500ml iphone15 model3"


# --- exact ------------------------------------------------------------------------------------


def test_exact_mention_with_offsets(index):
    listing = {"title": "Genuine BOSCH wiper blade", "description": "博世 雨刷"}
    hits = index.find(listing)
    bosch = [h for h in hits if h.mark.name == "BOSCH"]
    assert {h.kind for h in bosch} == {"exact"}
    latin = next(h for h in bosch if h.form == "BOSCH")
    assert (latin.evidence.field, latin.evidence.start, latin.evidence.end) == ("title", 8, 13)
    assert latin.similarity == 1.0 and latin.mechanisms == ()
    for h in hits:
        check_evidence(listing, h)


def test_alias_in_other_script_is_exact_and_conceptual(index):
    listing = {"title": "先正达 杀虫剂 正品"}
    hit = only(index.find(listing), "Syngenta")
    assert hit.kind == "exact"
    assert hit.conceptual == 1.0
    assert "alias_other_script" in hit.mechanisms
    assert hit.form == "先正达"
    check_evidence(listing, hit)


def test_fullwidth_exact_offsets(index):
    # full-width letters evade a platform's keyword filter: a look-alike, with exact offsets
    listing = {"title": "原装ＢＯＳＣＨ雨刷"}
    hit = only(index.find(listing), "BOSCH")
    assert hit.kind == "lookalike" and hit.mechanisms == ("full_width",)
    assert hit.matched == "ＢＯＳＣＨ"
    check_evidence(listing, hit)
    assert only(index.find({"title": "原装BOSCH雨刷"}), "BOSCH").kind == "exact"


def test_traditional_characters_exact_with_offsets(index):
    listing = {"title": "專櫃 蘭蔻 精華液"}
    hit = only(index.find(listing), "Lancome")
    assert hit.kind == "exact"
    assert "traditional_chars" in hit.mechanisms
    assert hit.matched == "蘭蔻"
    check_evidence(listing, hit)


# --- Latin look-alikes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, mark, matched, mechanism",
    [
        ("B0SCH wiper blade", "BOSCH", "B0SCH", "digit_for_letter"),
        ("DEN5O spark plug", "DENSO", "DEN5O", "digit_for_letter"),
        ("раураl gift card", "PayPal", "раураl", "homoglyph"),
        ("Adidos running shoes", "Adidas", "Adidos", "one_letter_edit"),
        ("Kabba sports jacket", "Kappa", "Kabba", "sound_alike"),
        ("TURCOOL cooling fan", "TRUCOOL", "TURCOOL", "transposition"),
        ("X-SEED hybrid corn seed", "XCEED", "X-SEED", "separator_inside"),
        ("SEYCOS automatic watch", "SEIKO", "SEYCOS", "sound_alike"),
        ("Addidas shoes", "Adidas", "Addidas", "doubled_letter"),
        ("rnobil engine oil", "Mobil", "rnobil", "homoglyph"),
    ],
)
def test_latin_lookalikes(index, title, mark, matched, mechanism):
    listing = {"title": title}
    hit = only(index.find(listing), mark)
    assert hit.kind == "lookalike"
    assert hit.matched == matched
    assert mechanism in hit.mechanisms
    assert 0 < hit.similarity < 1
    assert 0 <= hit.visual <= 1 and 0 <= hit.phonetic <= 1
    assert f'"{matched}"' in hit.explanation and mark in hit.explanation
    check_evidence(listing, hit)


def test_digit_explanation(index):
    hit = only(index.find({"title": "B0SCH wiper"}), "BOSCH")
    assert hit.explanation == '"B0SCH" in the title looks like the mark "BOSCH": the digit 0 stands for the letter O'


def test_homoglyph_explanation_names_the_script(index):
    hit = only(index.find({"title": "раураl"}), "PayPal")
    assert "Cyrillic" in hit.explanation


# --- Chinese look-alikes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, mark, matched, mechanism",
    [
        ("正品康帅傅方便面", "康师傅", "康帅傅", "shape_similar_char"),
        ("雷碧汽水 500ml", "雪碧", "雷碧", "shape_similar_char"),
        ("六个核挑 整箱", "六个核桃", "六个核挑", "shape_similar_char"),
        ("粤利粤饼干", "奥利奥", "粤利粤", "shape_similar_char"),
        ("哇哈哈 纯净水", "娃哈哈", "哇哈哈", "same_sound_char"),
        ("脉东 运动饮料", "脉动", "脉东", "same_sound_char"),
        ("王仔牛奶", "旺仔", "王仔", "same_sound_char"),
        ("日王仔牛奶", "旺仔", "日王仔", "component_split"),
        ("九个核桃 饮料", "六个核桃", "九个核桃", "number_swap"),
        ("六个石磨核桃 饮料", "六个核桃", "六个石磨核桃", "inserted_word"),
        ("哈哈娃 饮料", "娃哈哈", "哈哈娃", "reordered_chars"),
    ],
)
def test_chinese_lookalikes(index, title, mark, matched, mechanism):
    listing = {"title": title}
    hit = only(index.find(listing), mark)
    assert hit.kind == "lookalike"
    assert hit.matched == matched
    assert mechanism in hit.mechanisms
    check_evidence(listing, hit)


def test_traditional_lookalike_offsets(index):
    listing = {"description": "熱賣 康帥傅 方便麵"}  # Traditional 帥 for 帅
    hit = only(index.find(listing), "康师傅")
    assert hit.kind == "lookalike"
    assert hit.matched == "康帥傅"
    assert {"shape_similar_char", "traditional_chars"} <= set(hit.mechanisms)
    check_evidence(listing, hit)


def test_first_character_clearly_different_is_not_similar(index):
    # CNIPA: a one-character difference counts unless the first character clearly differs
    assert not [h for h in index.find({"title": "米利奥"}) if h.mark.name == "奥利奥"]


# --- hard negatives ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "mobile phone holder for car",
        "phone shell for iPhone 15, shockproof",
        "手机壳 shell case soft silicone",
        "Dove grey cashmere scarf",
        "Castro t-shirt cotton",
        "Mike's bike shop nice bikes",
        "kappa coefficient statistics textbook",
    ],
)
def test_hard_negatives(index, title):
    hits = index.find({"title": title, "category": "clothing"})
    assert not [h for h in hits if h.kind == "lookalike"], hits
    assert not [h for h in hits if h.mark.common_word], hits
    if title.startswith("kappa"):
        # a mark that is itself a word still gives an exact hit; never a look-alike
        assert all(h.kind == "exact" for h in hits)


def test_common_word_mark_used_as_brand(index):
    hits = index.find({"title": "Mobil 1 5W-30 engine oil 4L"})
    assert only(hits, "Mobil").kind == "exact"
    hits = index.find({"title": "Helix Ultra engine oil", "brand": "Shell"})
    assert only(hits, "Shell").evidence.field == "brand"
    hits = index.find({"title": "SHELL Helix engine oil 4L"})
    assert only(hits, "Shell").kind == "exact"
    hits = index.find({"title": "Dove beauty cream bar", "category": "cosmetics"})
    assert only(hits, "Dove").kind == "exact"


def test_plural_of_mark_is_not_a_lookalike(index):
    hits = index.find({"title": "Bosch Boschs"})
    assert [h.kind for h in hits if h.mark.name == "BOSCH"] == ["exact"]


# --- interface --------------------------------------------------------------------------------


def test_one_hit_per_mark_and_span_best_first(index):
    listing = {"title": "BOSCH B0SCH wiper", "description": "Adidos", "attributes": {"品牌": "DENSO"}}
    hits = index.find(listing)
    keys = [(id(h.mark), h.evidence.field, h.evidence.start, h.evidence.end) for h in hits]
    assert len(keys) == len(set(keys))
    assert hits[0].kind == "exact"
    assert [h.similarity for h in hits if h.kind == "lookalike"] == sorted(
        (h.similarity for h in hits if h.kind == "lookalike"), reverse=True)
    assert any(h.evidence.field == "attributes.品牌" for h in hits)
    for h in hits:
        check_evidence(listing, h)


def test_seller_name_and_empty_fields(index):
    assert index.find({"title": None, "description": ""}) == []
    hit = only(index.find({"seller_name": "B0SCH official store"}), "BOSCH")
    assert hit.evidence.field == "seller_name"


def test_empty_watchlist():
    assert MarkIndex([]).find({"title": "BOSCH"}) == []


# --- caches and the candidate index ----------------------------------------------------------


def test_field_cache_keeps_brand_use_per_listing(index):
    # the same title text is matched once, but whether "Shell" is a brand depends on each listing
    first = index.find({"title": "Helix shell case", "brand": "Shell"})
    second = index.find({"title": "Helix shell case"})
    third = index.find({"title": "Helix shell case", "brand": "Shell"})
    assert {h.evidence.field for h in first if h.mark.name == "Shell"} == {"title", "brand"}
    assert not [h for h in second if h.mark.name == "Shell"]
    assert first == third


def test_repeated_listing_gives_the_same_hits(index):
    listing = {"title": "六个核挑 B0SCH 雨刷", "description": "熱賣 康帥傅 方便麵", "seller_name": "Adidos store"}
    assert index.find(listing) == index.find(dict(listing)) == index.find(listing)


def test_chinese_names_one_character_and_mixed_script():
    index = MarkIndex([Mark("鑫"), Mark("LV中国"), Mark("华为", aliases=("HUAWEI",)), Mark("华为手机")])
    hits = index.find({"title": "鑫牌 LV中国 华为手机 huawei"})
    found = {(h.mark.name, h.matched, h.kind) for h in hits}
    assert ("鑫", "鑫", "exact") in found
    assert ("LV中国", "LV中国", "exact") in found
    assert ("华为", "华为", "exact") in found and ("华为手机", "华为手机", "exact") in found
    assert ("华为", "huawei", "exact") in found
    # both names start at the same place: the shorter one first, as the automaton found them
    same_start = [h.mark.name for h in hits if h.evidence.start == hits[0].evidence.start and h.kind == "exact"]
    assert same_start[:1] and len(set(same_start)) == len(same_start)


def test_large_chinese_watchlist_still_finds_lookalikes():
    # thousands of Chinese names: candidates come from the pair index, not from every mark
    import random

    from monitor.rules import chinese

    rng = random.Random(3)
    pool = chinese._common_chars()[:2500]
    marks = [Mark("".join(rng.choice(pool) for _ in range(rng.choice((2, 3, 4))))) for _ in range(3000)]
    marks += [Mark("康师傅"), Mark("六个核桃"), Mark("旺仔")]
    index = MarkIndex(marks)
    for title, name, matched in (("正品康帅傅方便面", "康师傅", "康帅傅"), ("九个核桃 饮料", "六个核桃", "九个核桃"),
                                 ("日王仔牛奶", "旺仔", "日王仔")):
        assert [h for h in index.find({"title": title}) if h.mark.name == name and h.matched == matched]


def test_within_budget_is_a_necessary_condition_for_a_lookalike():
    from monitor.rules import chinese

    for mark, window in (("康师傅", "正品康帅傅方便"), ("旺仔", "日王仔牛"), ("六个核桃", "六个石磨核桃"),
                         ("娃哈哈", "哈哈娃"), ("雪碧", "雷碧汽")):
        assert chinese.within_budget(mark, window)
    assert not chinese.within_budget("康师傅", "方便面整箱")
    assert not chinese.within_budget("雪碧", "汽水")
