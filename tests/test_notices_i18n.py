"""A Chinese takedown notice explains each listing in Chinese, from the flag's signal messages."""

from __future__ import annotations

import json
import re

from monitor.i18n import use_locale
from monitor.rules.engine import Engine
from monitor.rules.explain import explain
from monitor.rules.packs import load_packs
from monitor.store import open_db
from tests.test_notices import confirmed, notice, store  # noqa: F401  (the store fixture)


def _rescore_with_the_rules(store, key):
    """Give the listing's flag the signals today's rules find (with their messages)."""
    db = open_db(store.path, migrate=False)
    listing = db.execute_returning_dicts("SELECT * FROM listings WHERE id = ?", [store.listings[key]])[0]
    listing["attributes"] = json.loads(listing.get("attributes") or "{}")
    signals = [s.to_dict() for s in Engine(load_packs()).assess(listing).signals]
    db.execute("UPDATE flags SET signals = ? WHERE listing = ?",
               [json.dumps(signals, ensure_ascii=False), store.listings[key]])
    db.close()
    return signals


def test_the_chinese_notice_has_no_english_explanation(store):  # noqa: F811
    signals = _rescore_with_the_rules(store, "L4")
    assert any(s["name"] == "mark_lookalike" and s["message"] for s in signals)
    confirmed(store, "L4")
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.listings["L4"]),
                       "--registration", "CN:1234567", "--lang", "zh", out="zh.txt")
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    reason = next(line for line in text.splitlines() if "理由：" in line)
    assert "经人工审核确认为假冒注册商标的商品" in reason and "。依据：" in reason
    assert "品牌中的「B0SCH」与受保护商标「Bosch」近似：以数字 0 冒充字母 O（标题中亦有）" in reason
    for s in signals:
        if s["kind"] != "mitigating" and s["strength"] > 0 and s.get("mark") in (None, "Bosch"):
            assert s["explanation"] not in text  # the English sentence of each ground
            with use_locale("zh_CN"):
                assert explain(s) in text
    english_words = re.findall(r"\b(?:looks like|in the title|Grounds|none was found|Confirmed|mark)\b", reason)
    assert not english_words, reason
    # the English notice of the same listing gives the English explanations
    proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.listings["L4"]),
                       "--registration", "CN:1234567", "--lang", "en", out="en.txt")
    assert proc.returncode == 0, proc.stderr
    english = out.read_text(encoding="utf-8")
    assert '"B0SCH" in the brand looks like the mark "Bosch": the digit 0 stands for the letter O (also in title)' in english
    assert "Grounds:" in english and "依据" not in english


def test_the_notice_dates_read_as_its_language_writes_them_and_the_store_keeps_iso(store):  # noqa: F811
    confirmed(store, "L0")
    shown = {}
    for lang in ("zh", "en"):
        proc, out = notice(store, "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.listings["L0"]),
                           "--registration", "CN:1234567", "--lang", lang, out=f"{lang}.txt")
        assert proc.returncode == 0, proc.stderr
        shown[lang] = out.read_text(encoding="utf-8")
    db = open_db(store.path, migrate=False)
    created = [r[0] for r in db.execute("SELECT created_at FROM notices ORDER BY id")]
    db.close()
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c) for c in created)  # stored as ISO 8601
    year, month, day = (int(x) for x in created[0][:10].split("-"))
    zh, en = (shown[k].replace("dated 2026-01-05", "") for k in ("zh", "en"))  # the holder file's own words
    assert zh.count(f"日期：{year}年{month}月{day}日") == 2 and not re.search(r"\d{4}-\d\d-\d\d", zh), zh
    assert re.search(r"证据：页面于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d UTC 保全，SHA-256 [0-9a-f]{64}", zh), zh
    month_name = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")[month - 1]
    assert en.count(f"Date:      {month_name} {day}, {year}") == 2 and not re.search(r"\d{4}-\d\d-\d\d", en), en
    assert re.search(r"Evidence: page captured [A-Z][a-z]+ \d{1,2}, \d{4} \d\d:\d\d:\d\d UTC, SHA-256", en), en
