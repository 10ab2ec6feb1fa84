"""A referral package's cover pages (summary.html and summary.pdf) in one language throughout:
Chinese by default (`--lang zh`), English with `--lang en`; every timestamp a person reads as
that language writes it (2026年12月7日 08:00 UTC / December 7, 2026 08:00 UTC), while
referral.json keeps ISO 8601."""

from __future__ import annotations

import json
import re
import zipfile
from types import SimpleNamespace

from babel.messages.pofile import read_po

from monitor.i18n import LOCALE_DIR
from tests.conftest import run_monitor
from tests.test_export_i18n import _pdf_text, _summary
from tests.test_notices_i18n import _rescore_with_the_rules
from tests.test_export_case import tsa  # noqa: F401  (the TSA fixture the store needs)
from tests.test_referral import DESCRIPTION, ORG, store  # noqa: F401  (the referral store fixture)

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
ZH_TIME = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d(:\d\d)? UTC")
EN_TIME = re.compile(r"(January|February|March|April|May|June|July|August|September|October|November|December) "
                     r"\d{1,2}, \d{4} \d\d:\d\d(:\d\d)? UTC")
PARAM = re.compile(r"%\([a-z_]+\)[sd]")
# Text of the store the fixture builds that is the sellers' or the organisation's own (never translated).
DATA = DESCRIPTION + ORG + "客服QQ ９８７６５４３２１ 发货地址 浙江省义乌市稠城街道1号 浙江 杭州"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def documents_messages() -> list[tuple[str, str]]:
    """(English fragment, Chinese fragment) of every message the packages' code and templates show:
    the text between parameters, long enough to be a phrase."""
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "documents.po").open("rb") as fp:
        catalogue = read_po(fp, locale="zh_CN")
    pairs = []
    for m in catalogue:
        if not m.id or not any(f.startswith("monitor/export/") for f, _ in m.locations):
            continue
        english = m.id[0] if isinstance(m.id, tuple) else m.id
        chinese = m.string[0] if isinstance(m.string, tuple) else m.string
        for part in PARAM.split(english):
            if len(re.findall(r"[A-Za-z]{2,}", part)) >= 2 and _squeeze(part) not in _squeeze(chinese):
                pairs.append((part.strip(), ""))
        for part in PARAM.split(chinese):
            if len(re.findall(r"[\u4e00-\u9fff]", part)) >= 3:
                pairs.append(("", part.strip()))
    return pairs


def _english_left(text: str) -> list[str]:
    flat = _squeeze(text)
    return sorted({e for e, _ in documents_messages() if e and _squeeze(e) in flat})


def _chinese_left(text: str) -> list[str]:
    flat, data = _squeeze(text), _squeeze(DATA)
    return sorted({z for _, z in documents_messages() if z and _squeeze(z) in flat and _squeeze(z) not in data})


def _referral(store, lang: str | None, name: str):
    out = store.tmp / name
    args = ["export", "referral", "--seller", "s-evil", "--rights-holder", str(store.org), "--case-ref",
            f"XS-2026-{name[:2]}", "-o", str(out)] + (["--lang", lang] if lang else [])
    run_monitor(*args, db_path=store.path, env=store.env, check=True)
    html, pdf = _summary(out)
    with zipfile.ZipFile(out) as z:
        doc = json.loads(z.read("package/referral.json"))
    return html, _pdf_text(pdf), doc


def _with_a_sent_notice(store) -> None:
    holder = store.tmp / "holder.yaml"
    holder.write_text(ORG.split("organisation:")[0], encoding="utf-8")
    run_monitor("export", "notice", "--platform", "shopa", "--mark", "Bosch", "--listing", str(store.l20),
                "--rights-holder", str(holder), "--registration", "CN:1234567", "-o", str(store.tmp / "n.txt"),
                db_path=store.path, env=store.env, check=True)
    run_monitor("notices", "mark", "1", "sent", db_path=store.path, env=store.env, check=True)


def test_the_referral_cover_pages_are_chinese_throughout_by_default_and_english_on_request(store):  # noqa: F811
    _rescore_with_the_rules(SimpleNamespace(path=store.path, listings=store.listings), "L0")
    _with_a_sent_notice(store)

    html, text, doc = _referral(store, None, "zh.wacz")
    assert ISO_TIME.match(doc["created_at"]) and doc["notices"][0]["sent_at"]  # the data stays ISO 8601
    for shown in (html, text):
        assert not _english_left(shown), _english_left(shown)
        assert len(ZH_TIME.findall(shown)) >= 3 and not ISO_TIME.search(shown), ISO_TIME.findall(shown)
        for words in ("移送单位", "卖家账号", "商品页面中发现的经营者身份信息", "统一社会信用代码", "微信", "电话",
                      "校验码正确", "已就上述商品发出的侵权投诉通知", "已发送", "保全时间", "HTTP 响应", "截图"):
            assert _squeeze(words) in _squeeze(shown), words  # a PDF table cell may wrap a phrase
    assert "于 " + doc["created_at"][:4] + "年" in text  # "Prepared ..." as the intro's first sentence
    assert "涉及平台 shopa、shopb" in html and "品类 汽车配件、化妆品" in html  # categories by name, not id
    assert "Prepared" not in text and "listing(s)" not in text and "Issued by" not in text

    html, text, doc = _referral(store, "en", "en.wacz")
    for shown in (html, text):
        assert not _chinese_left(shown), _chinese_left(shown)
        assert len(EN_TIME.findall(shown)) >= 3 and not ISO_TIME.search(shown) and "年" not in shown
        for words in ("Issued by", "Seller accounts", "Identity data found in the listings",
                      "Unified social credit code", "WeChat", "check character right", "HTTP response"):
            assert _squeeze(words) in _squeeze(shown), words
    assert "Prepared " in text and "3 listings (3 confirmed) on shopa, shopb" in text
    assert "categories Auto parts, Cosmetics" in html
    # the checks above see the catalogue's sentences when they are there: each language finds its own
    assert len(_english_left(html)) > 20 and len(_english_left(text)) > 20
    assert len(_chinese_left(_referral(store, "zh", "z2.wacz")[1])) > 20
