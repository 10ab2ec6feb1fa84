"""Rule-file words in both languages: ``name``/``name_zh``, ``explain``/``explain_zh`` and
``describe``/``describe_zh`` beside each other in rules/, shown by locale; English as before.

Real rule packs (rules/), the real engine; a broken file is a real file in a temporary folder.
"""

from __future__ import annotations

import ast
import json
import pickle
import re
import shutil
from pathlib import Path

import pytest

from monitor.i18n import use_locale
from monitor.rules.check_schema import SCHEMA as CHECK_SCHEMA
from monitor.rules.checks import load_check_file
from monitor.rules.engine import Engine
from monitor.rules.explain import SIGNAL_WORDS, Msg, Words, explain, signal_words
from monitor.rules.packs import load_packs
from monitor.rules.shops import load_shops
from monitor.rules.vocabulary import load_vocabulary
from monitor.yamlfile import YamlError

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="module")
def packs():
    return load_packs(RULES)


@pytest.fixture(scope="module")
def engine(packs) -> Engine:
    return Engine(packs)


def _signals(engine, **listing):
    listing = {"site": "shop.example", "currency": "CNY", "brand": "", "description": "", "price": 30.0, **listing}
    return {s.name: s for s in engine.assess(listing).signals}


def _chinese(signal) -> str:
    """The signal in zh_CN, explained from what a flag stores (JSON), as the pages read it."""
    stored = json.loads(json.dumps(signal.to_dict(), ensure_ascii=False))
    with use_locale("zh_CN"):
        return explain(stored)


def _english_words(text: str, allowed: tuple[str, ...]) -> list[str]:
    """ASCII words of three letters or more left once the source note "（rules/…）", the
    listing's own text and ``allowed`` (ids, abbreviations) are taken out."""
    text = re.sub(r"rules/[\w./]+", "", text)
    for word in allowed:
        text = text.replace(word, "")
    return re.findall(r"[A-Za-z]{3,}", text)


def test_a_pesticide_without_its_number_is_explained_in_chinese_throughout(engine, packs):
    s = _signals(engine, title="敌敌畏 杀虫剂 500ml", category="agri_inputs")["regulatory_missing"]
    text = _chinese(s)
    assert "属于农药，须有农药登记证号" in text and "依据：在我国销售的农药均须标注农药登记证号。" in text
    assert "pesticide registration number" not in text and "every pesticide" not in text
    assert _english_words(text, ("pesticide",)) == []  # "要求 pesticide": the requirement's id
    req = next(r for r in packs.checks.get("agri_inputs").requirements if r.id == "pesticide")
    with use_locale("en"):  # English: the rule file's English, as stored flags say it
        assert explain(s) == s.explanation == (
            '"杀虫" in title makes this pesticides, which needs a pesticide registration number (农药登记证号); '
            "none was found in the title, description or attributes. Why: every pesticide sold in China must carry "
            f"a pesticide registration number. (rules/checks/agri_inputs.yaml, requirement pesticide, line {req.line})")


def test_ccc_exterior_lamps_and_its_signal_name_in_chinese(engine):
    s = _signals(engine, title="汽车 LED 大灯 前照灯", category="auto_parts", price=80.0)["regulatory_ccc_missing"]
    text = _chinese(s)
    assert "汽车外部照明及光信号装置" in text and "须有强制性产品认证（CCC）证书编号（16 位）" in text
    assert "exterior lamps" not in text and "certificate" not in text and "self-declaration" not in text
    assert _english_words(text, ("ccc_exterior_lamp", "LED", "CCC")) == []
    assert s.explanation.startswith('"大灯" in title, "前照灯" in title makes this exterior lamps, which needs a '
                                    "CCC certificate number (16 digits); none was found")
    with use_locale("zh_CN"):
        assert signal_words("regulatory_ccc_missing") == "缺少 CCC 认证证书编号"
    with use_locale("en"):
        assert signal_words("regulatory_ccc_missing") == "CCC certificate missing"


def test_an_exempt_fertilizer_names_both_registrations_in_chinese(engine):
    s = _signals(engine, title="尿素 冲施 水溶肥 25kg", category="agri_inputs")["exempt_product"]
    text = _chinese(s)
    assert "肥料登记证号" in text and "微生物肥料登记证号" in text
    assert "fertilizer registration" not in text and _english_words(text, ("fertilizer_registered_kinds",)) == []
    assert "fertilizer registration number (肥料登记证号) or microbial fertilizer registration number" in s.explanation


def test_a_whitening_claim_names_the_claim_and_the_registrations_in_chinese(engine):
    s = _signals(engine, title="美白祛斑霜 淡斑", category="cosmetics")["regulatory_special_claim"]
    text = _chinese(s)
    assert text.startswith("商品宣称美白祛斑（") and "国产特殊化妆品注册证编号（国妆特字G）" in text
    assert "whitening" not in text and "special cosmetic" not in text and _english_words(text, ()) == []
    assert s.explanation.startswith("The listing claims whitening / freckle removal (美白祛斑)")


def test_the_label_code_cross_check_says_which_digits_in_chinese(engine):
    s = _signals(engine, title="吡虫啉 杀虫剂 农药登记证号 PD20092927",
                 attributes={"标签二维码": "12201299101234567890123456789012"},
                 category="agri_inputs")["regulatory_inconsistent"]
    text = _chinese(s)
    assert text.startswith("标签二维码第 2–7 位“220129”与登记证号 PD20092927 的后 6 位（“092927”）不符；"
                           "标签二维码第 8 位为“9”") and "（第 8 位应为 1、2 或 3）" in text
    assert "digit" not in text and _english_words(text, ("pesticide_label_code", "PD")) == []
    assert s.explanation.startswith('标签二维码 digits 2–7 "220129" do not match the last 6 digits of registration '
                                    'PD20092927 ("092927"); 标签二维码 digit 8 is "9", expected 1 or 2 or 3 '
                                    "(digit 8 is 1, 2 or 3) (rules/checks/agri_inputs.yaml, cross-check")


def test_off_platform_contact_kinds_in_chinese(engine):
    s = _signals(engine, title="面霜", description="加微信 15660394214 私聊", category="cosmetics")["offplatform_contact"]
    text = _chinese(s)
    assert "描述中的手机号码「15660394214」" in text and "微信" in text
    assert "WeChat" not in text and "mobile phone" not in text and _english_words(text, ()) == []
    assert 'mobile phone number "15660394214" in description' in s.explanation


def test_a_temporary_pesticide_registration_is_explained_from_its_explain_zh(engine):
    s = _signals(engine, title="吡虫啉 杀虫剂 LS20120345", category="agri_inputs")["regulatory_legacy"]
    text = _chinese(s)
    assert text.startswith("标题中的农药登记证号「LS20120345」：农药临时登记证（LS、WL）每次有效期一年")
    assert "temporary" not in text and _english_words(text, ()) == []
    assert "a temporary pesticide registration (LS, WL) was valid for one year at a time" in s.explanation


def test_stored_words_are_json_safe_both_languages_and_survive_pickling():
    w = Words("pesticides", "农药")
    m = Msg("%(found)s makes this %(requirement)s, which", found="x", requirement=w)
    assert m == "x makes this pesticides, which"
    assert m.params["requirement"] == {"en": "pesticides", "zh": "农药"}
    back = pickle.loads(pickle.dumps(w))
    assert back == w and back.zh == "农药"
    stored = json.loads(json.dumps(m.stored(), ensure_ascii=False))
    with use_locale("zh_CN"):
        assert explain(stored) == "x表明该商品属于农药，"
    with use_locale("en"):
        assert explain(stored) == "x makes this pesticides, which"


def test_words_without_chinese_fall_back_to_the_catalogue_then_to_english():
    with use_locale("zh_CN"):
        assert explain({"message": "%(p)s", "params": {"p": {"en": "no brand"}}}) == "无品牌"  # catalogue
        assert explain({"message": "%(p)s", "params": {"p": {"en": "words only a rule file has"}}}) \
            == "words only a rule file has"


# --------------------------------------------------------------------------- the shipped files


def _words_of(obj, depth=0):
    import dataclasses  # lazy: only this walk needs it

    if depth > 9:
        return
    if isinstance(obj, Words):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _words_of(getattr(obj, f.name), depth + 1)
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _words_of(value, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from _words_of(value, depth + 1)


def test_every_shown_word_of_the_shipped_rule_files_has_its_chinese_beside_it(packs):
    words = [w for w in _words_of([packs.checks, packs.vocabulary, packs.shops]) if str(w)]
    assert len(words) > 80  # identifiers, requirements, claims, contact kinds, contexts, shop types, digits
    missing = sorted({str(w) for w in words if not w.zh})
    assert not missing, "give these a *_zh beside them in rules/:\n" + "\n".join(missing)
    doubled = sorted(w.zh for w in words if re.search(r"[A-Za-z]{4,}", w.zh) and "WhatsApp" not in w.zh)
    assert not doubled, doubled  # the Chinese is Chinese (ids and abbreviations aside)


def _emitted_signal_names() -> set[str]:
    """Every signal name the rules can emit: the names written in monitor/rules' Signal(...)
    calls, the names a check file may choose, and the shipped vocabulary's contexts."""
    names = set()
    for path in (ROOT / "monitor" / "rules").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Signal" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    enums = [CHECK_SCHEMA["properties"]["requirements"]["items"]["properties"]["signal"]["enum"],
             CHECK_SCHEMA["properties"]["identifiers"]["additionalProperties"]["properties"]["suspect"]["items"]
             ["properties"]["signal"]["enum"]]
    names.update(n for enum in enums for n in enum)
    names.update(c.name for c in load_vocabulary(RULES).contexts)
    return names


def test_every_signal_name_the_rules_can_emit_has_words_in_both_languages():
    names = _emitted_signal_names()
    assert {"regulatory_ccc_missing", "regulatory_malformed", "price_anomaly", "relisted", "model_toy"} <= names
    assert not sorted(names - set(SIGNAL_WORDS)), "add to SIGNAL_WORDS (monitor/rules/explain.py)"
    with use_locale("zh_CN"):
        untranslated = sorted(n for n in names if not re.search(r"[\u4e00-\u9fff]", signal_words(n)))
    assert not untranslated, "translate in documents.po: " + ", ".join(untranslated)


# --------------------------------------------------------------------------- broken files


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(RULES / name, target)
    return target


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (once) and return its 1-based line."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def test_a_check_file_with_a_name_zh_that_is_not_text_is_refused_naming_file_line_and_field(tmp_path):
    path = _copy(tmp_path, "checks/agri_inputs.yaml")
    line = _edit(path, "    name_zh: 农药登记证号\n", "    name_zh: [农药登记证号]\n")
    with pytest.raises(YamlError) as err:
        load_check_file(path)
    assert f"agri_inputs.yaml:{line}: identifiers.pesticide_registration.name_zh: " in str(err.value)
    assert "is not of type 'string'" in str(err.value)


def test_a_misspelt_chinese_field_is_an_unknown_field_on_its_line(tmp_path):
    path = _copy(tmp_path, "checks/cosmetics.yaml")
    line = _edit(path, "      name_zh: 美白祛斑\n", "      name_cn: 美白祛斑\n")
    with pytest.raises(YamlError) as err:
        load_check_file(path)
    assert f"cosmetics.yaml:{line}: special_claims.claims.whitening.name_cn: unknown field" in str(err.value)
    assert "name_zh" in str(err.value)  # the expected fields are listed


def test_an_empty_explain_zh_is_refused(tmp_path):
    path = _copy(tmp_path, "checks/auto_parts.yaml")
    text = path.read_text(encoding="utf-8")
    first = re.search(r"^    explain_zh: .*$", text, re.M).group(0)
    line = _edit(path, first + "\n", '    explain_zh: ""\n')
    with pytest.raises(YamlError) as err:
        load_check_file(path)
    assert re.search(rf"auto_parts.yaml:{line}: requirements\.0\.explain_zh: .*(short|non-empty)", str(err.value))


def test_vocabulary_and_shop_files_check_their_chinese_too(tmp_path):
    vocab = _copy(tmp_path, "vocabulary.yaml")
    line = _edit(vocab, "name_zh: 手机号码,", "name_zh: 12,")
    with pytest.raises(YamlError) as err:
        load_vocabulary(tmp_path)
    assert re.search(rf"vocabulary.yaml:{line}: contact\.\d+\.name_zh: 12 is not of type 'string'", str(err.value))
    shops = _copy(tmp_path, "shops.yaml")
    line = _edit(shops, "    name_zh: 旗舰店、官方店或自营店\n", "    name_zh: {a: b}\n")
    with pytest.raises(YamlError) as err:
        load_shops(shops)
    assert f"shops.yaml:{line}: vetted.0.name_zh: " in str(err.value)


def test_the_script_of_a_look_alike_letter_is_named_in_chinese(engine):
    s = _signals(engine, title="CORTEVА 杀虫剂", brand="CORTEVА", category="agri_inputs")["mark_lookalike"]
    assert s.explanation == ('"CORTEVА" in the brand looks like the mark "Corteva": the Cyrillic letter А stands '
                             "for the Latin a (also in title)")
    text = _chinese(s)
    assert "以西里尔字母 А 冒充拉丁字母 a" in text and "Cyrillic" not in text


LISTINGS = [
    {"title": "敌敌畏 杀虫剂 500ml", "category": "agri_inputs"},
    {"title": "吡虫啉 杀虫剂 LS20120345 加微信 15660394214", "category": "agri_inputs"},
    {"title": "吡虫啉 杀虫剂 农药登记证号 PD20092927", "attributes": {"标签二维码": "12201299101234567890123456789012"},
     "category": "agri_inputs"},
    {"title": "尿素 冲施 水溶肥 25kg", "category": "agri_inputs"},
    {"title": "汽车 LED 大灯 前照灯 无3C", "category": "auto_parts", "price": 80.0},
    {"title": "美白祛斑霜 浙G妆网备字2022009988", "category": "cosmetics"},
    {"title": "药妆 消炎 面霜 小样", "category": "cosmetics", "seller_name": "妮维雅官方旗舰店", "brand": "妮维雅"},
]


def test_the_chinese_fields_change_no_english_word(engine, tmp_path):
    """The same rule files without their *_zh fields (as they were before them) explain every
    listing in the same English, the rule-file line numbers aside, and in Chinese differently."""
    plain = tmp_path / "rules"
    shutil.copytree(RULES, plain)
    for path in [*plain.glob("checks/*.yaml"), plain / "vocabulary.yaml", plain / "shops.yaml"]:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^ *\w+_zh: .*\n", "", text, flags=re.M)  # block style
        text = re.sub(r", \w+_zh: [^,}]*", "", text)  # flow style: {name: ..., name_zh: ..., weight: ...}
        assert "_zh:" not in text, path
        path.write_text(text, encoding="utf-8")
    without = Engine(load_packs(plain))
    changed = 0
    for listing in LISTINGS:
        ours, theirs = _signals(engine, **listing), _signals(without, **listing)
        assert sorted(ours) == sorted(theirs)
        for name, s in ours.items():
            assert re.sub(r"line \d+", "line N", s.explanation) == re.sub(r"line \d+", "line N", theirs[name].explanation)
            changed += _chinese(s) != _chinese(theirs[name])
    assert changed >= 10, changed  # the Chinese is the files' own now, not the catalogue's


def test_a_context_an_analyst_adds_names_its_signal_in_both_languages(tmp_path, monkeypatch):
    from monitor.rules import explain as explain_module  # lazy: its cache of labels is cleared here

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    vocab = rules / "vocabulary.yaml"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace("context:\n", (
        "context:\n  - name: gift_box\n    label: gift box\n    label_zh: 礼盒装\n"
        "    explain: a gift box, priced with its packaging\n    explain_zh: 礼盒装商品，价格含包装\n"
        "    words: [礼盒装]\n"), 1), encoding="utf-8")
    monkeypatch.setenv("MONITOR_RULES", str(rules))
    explain_module._context_labels.cache_clear()
    try:
        s = _signals(Engine(load_packs(rules)), title="面霜 礼盒装", category="cosmetics")["gift_box"]
        assert s.explanation.startswith('"礼盒装" in title: a gift box, priced with its packaging (rules/vocabulary.yaml')
        assert _chinese(s).startswith("标题中的「礼盒装」：礼盒装商品，价格含包装（rules/vocabulary.yaml context")
        with use_locale("zh_CN"):
            assert signal_words("gift_box") == "礼盒装"
        with use_locale("en"):
            assert signal_words("gift_box") == "gift box"
            assert signal_words("no_such_signal") == "no_such_signal"
    finally:
        monkeypatch.delenv("MONITOR_RULES")
        explain_module._context_labels.cache_clear()
    with use_locale("zh_CN"):
        assert signal_words("gift_box") == "gift_box"  # not a context of the shipped rules
