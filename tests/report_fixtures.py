"""The store the report tests build (tests/test_report.py, tests/test_report_regulator.py) and
what both check a report with. Named without test_ so that pytest does not collect it as tests.

The store is built with the project's own functions over two quarters of 2026: listings saved
with controlled observation times, scored by the rule engine at controlled times, verdicts
recorded through the review app's function at controlled times, removals recorded as a crawl
would, notices drafted as rows and then sent and answered through ``mark_notice``.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from monitor.periods import Period
from monitor.rules.packs import load_packs
from monitor.scoring.score import engine_for, score_keys
from monitor.store import open_db, save_listings
from monitor.store.removals import record_removals
from tests.conftest import ARTIFACTS, ROOT

OUT = ARTIFACTS / "report"
HOSTILE = '<script>alert(1)</script><img src=http://evil.example/x> $\\frac{1}{0}$ {{7*7}} \u202eevil'
Q2 = Period("quarter", date(2026, 4, 1), date(2026, 7, 1))

# key, title of a listing of tests/data/eval (its other fields are kept), site, seller id, seller name,
# flagged at (= first seen). Every one of these is flagged by the rule engine.
LISTINGS = [
    ("A1", "雅诗兰黛DW粉底液 原单 30ml", "jingpin", "mp1", "名品折扣汇", "2026-02-10T00:00:00Z"),
    ("A2", "嘉实多 磁护 5W-40 精仿 4L", "jingpin", "yx1", "优选清仓小店", "2026-02-10T00:00:00Z"),
    ("A3", "先正达 福戈 正品 假一赔万 6g×10袋", "jingpin", "fs1", "丰收农业服务社", "2026-02-10T00:00:00Z"),
    ("A4", "美容院专用 分装爽肤水 500ml 散装", "jingpin", "qy1", "清颜美妆店", "2026-03-30T12:00:00Z"),
    ("B1", "雅诗兰黛DW粉底液 原单 30ml", "好货网", "hh-mp", "名品折扣汇", "2026-04-05T10:00:00Z"),
    ("B2", "SK-2 小灯泡 光蕴臻采焕亮精华露 50ml 美白淡斑", "jingpin", "mp1", "名品折扣汇", "2026-04-20T08:00:00Z"),
    ("B3", "黑宝 泡泡染发剂 自然黑 500ml 一梳黑", "jingpin", "qy1", "清颜美妆店", "2026-04-25T00:00:00Z"),
    ("B4", "NGK 铂金火花塞 BKR6EGP 厂货 4支", "jingpin", "yx1", "优选清仓小店", "2026-05-09T10:00:00Z"),
    ("B5", "Саstrol 磁护 5W-40 全合成机油 4L 正品保障", "好货网", "evil", HOSTILE, "2026-05-15T00:00:00Z"),
    ("B6", "巴斯夫 健达 根治灰霉病 100ml", "jingpin", "yx1", "优选清仓小店", "2026-06-01T00:00:00Z"),
    ("B7", "史丹丽 含腐植酸水溶肥料 冲施肥 20kg", "jingpin", "fs1", "丰收农业服务社", "2026-06-10T00:00:00Z"),
    ("C1", "嘉实多 磁护 5W-40 精仿 4L", "jingpin", "yx1", "优选清仓小店", "2026-07-02T00:00:00Z"),
]
# key, analyst, verdict, reason, decided at
VERDICTS = [
    ("A1", "ana", "confirmed_counterfeit", None, "2026-02-12T00:00:00Z"),  # 48 h after the flag
    ("A2", "ana", "confirmed_counterfeit", None, "2026-02-15T00:00:00Z"),  # 120 h
    ("A3", "bo", "dismissed", "genuine_goods", "2026-02-16T00:00:00Z"),  # 144 h
    ("A4", "ana", "confirmed_counterfeit", None, "2026-04-02T12:00:00Z"),  # 72 h, flagged in Q1
    ("B1", "ana", "confirmed_counterfeit", None, "2026-04-06T10:00:00Z"),  # 24 h
    ("B2", "bo", "confirmed_infringement", None, "2026-05-02T08:00:00Z"),  # 288 h
    ("B3", "bo", "regulatory_violation", None, "2026-05-03T00:00:00Z"),  # 192 h
    ("B4", "ana", "confirmed_counterfeit", None, "2026-05-10T10:00:00Z"),  # 24 h
    ("B5", "bo", "dismissed", "not_our_mark", "2026-05-15T12:00:00Z"),  # 12 h
    ("B7", "ana", "needs_test_purchase", None, "2026-06-12T00:00:00Z"),  # 48 h
    ("C1", "ana", "confirmed_counterfeit", None, "2026-07-03T00:00:00Z"),
]
REMOVED = {"A1": "2026-03-01T00:00:00Z", "A2": "2026-02-20T00:00:00Z",  # 408 h, 120 h
           "B1": "2026-04-08T10:00:00Z", "B4": "2026-05-11T10:00:00Z"}  # 48 h, 24 h
# platform, status, sent at, listing
NOTICES = [
    ("jingpin", "rejected", "2026-02-16T09:00:00Z", "A1"),
    ("jingpin", "removed", "2026-02-17T09:00:00Z", "A2"),
    ("jingpin", "removed", "2026-04-03T09:00:00Z", "A4"),
    ("jingpin", "accepted", "2026-05-11T09:00:00Z", "B4"),
    ("jingpin", "rejected", "2026-05-12T09:00:00Z", "B2"),
    ("好货网", "accepted", "2026-04-07T09:00:00Z", "B1"),
    ("好货网", "sent", "2026-06-20T09:00:00Z", "B3"),
    ("好货网", "drafted", None, "B7"),
]


def eval_listing(title: str) -> dict:
    for line in (ROOT / "tests" / "data" / "eval" / "listings.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["title"] == title:
            return {k: v for k, v in row.items() if k not in ("id", "label")}
    raise AssertionError(f"no eval listing titled {title!r}")


def build_store(db, monkeypatch) -> dict[str, int]:
    """The two quarters of data; returns listing pks by key."""
    from monitor.store.migrations_review import REVIEW_MIGRATIONS
    from monitor.review.accounts import add_user
    from monitor.review import Decision, record_verdicts
    from monitor.review.accounts import User

    engine = engine_for(db, load_packs(ROOT / "rules"))
    for key, title, site, seller_id, seller_name, at in LISTINGS:
        item = {**eval_listing(title), "site": site, "listing_id": key, "url": f"https://{key.lower()}.example/{key}",
                "seller_id": seller_id, "seller_name": seller_name, "observed_at": at}
        save_listings(db, [item], source="import")
        monkeypatch.setattr("monitor.store.flags.utc_now", lambda at=at: at)
        score_keys(db, engine, [(site, key)])
    genuine = {**eval_listing("先正达 福戈 40%氯虫·噻虫嗪 水分散粒剂 6g×10袋"), "listing_id": "G1",
               "url": "https://g1.example/", "observed_at": "2026-04-10T00:00:00Z"}
    save_listings(db, [genuine], source="import")
    monkeypatch.setattr("monitor.store.flags.utc_now", lambda: "2026-04-10T00:00:00Z")
    score_keys(db, engine, [(genuine["site"], "G1")])
    pks = {r[0]: r[1] for r in db.execute("SELECT listing_id, id FROM listings")}
    flagged = {r[0] for r in db.execute("SELECT DISTINCT l.listing_id FROM flags f "
                                        "JOIN listings l ON l.id = f.listing")}
    assert flagged == {key for key, *_ in LISTINGS}, sorted({key for key, *_ in LISTINGS} ^ flagged)

    REVIEW_MIGRATIONS.apply(db)
    users = {name: add_user(db, name, "analyst", "correct horse battery") for name in ("ana", "bo")}
    for key, analyst, verdict, reason, at in VERDICTS:
        flag = db.execute("SELECT id FROM flags WHERE listing = ? AND status = 'open'", [pks[key]]).fetchone()[0]
        monkeypatch.setattr("monitor.review.decisions.utc_now", lambda at=at: at)
        user = users[analyst]
        record_verdicts(db, User(user.id, user.name, user.role), [Decision(flag, verdict, reason, None)])
    for key, at in REMOVED.items():
        site = next(s for k, _, s, *_ in LISTINGS if k == key)
        assert record_removals(db, [{"site": site, "listing_id": key, "observed_at": at, "http_status": 404}],
                               run_id=None) == 1
    # notices: drafted as `monitor notices` records them, then sent and answered through mark_notice
    from monitor.export.notices import mark_notice

    for platform, status, sent_at, key in NOTICES:
        created = (sent_at or "2026-06-25T09:00:00Z").replace("T09:", "T08:")
        notice = db["notices"].insert({"platform": platform, "lang": "zh", "mark": "Estée Lauder",
                                       "rights_holder": "Rights Holder Ltd", "created_at": created,
                                       "created_by": "ana", "status": "drafted"}).last_pk
        db["notice_items"].insert({"notice": notice, "listing": pks[key], "url": f"https://x.example/{key}",
                                   "reason": "counterfeit"})
        if sent_at:
            mark_notice(db, notice, "sent", at=sent_at)
        if status not in ("drafted", "sent"):
            mark_notice(db, notice, status, at=sent_at.replace("T09:", "T15:"))
    return pks


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "monitor.db"
    db = open_db(path)
    with pytest.MonkeyPatch.context() as monkeypatch:
        build_store(db, monkeypatch)
    yield path, db
    db.close()


def check_self_contained(html: str) -> None:
    """Parsed as a browser would: the only resources are data: images; no script, link or frame."""
    from html.parser import HTMLParser

    tags: list[tuple[str, dict]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, dict(attrs)))

    Collect().feed(html)
    assert ("meta", {"http-equiv": "Content-Security-Policy",
                     "content": "default-src 'none'; img-src data:; style-src 'unsafe-inline'"}) in tags
    names = {t for t, _ in tags}
    assert not names & {"script", "link", "iframe", "object", "embed", "base", "form", "a", "svg", "video", "audio"}
    for tag, attrs in tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("src", "href", "srcset", "action", "poster", "data", "background"):
                assert tag == "img" and name == "src" and value.startswith("data:image/png;base64,"), (tag, name)
    assert "@import" not in html and "url(" not in html


def render_pages(pdf_bytes: bytes, stem: str) -> list[str]:
    import pypdfium2 as pdfium

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{stem}.pdf").write_bytes(pdf_bytes)
    doc = pdfium.PdfDocument(pdf_bytes)
    texts = []
    try:
        for i, page in enumerate(doc):
            page.render(scale=1.6).to_pil().save(OUT / f"{stem}-page{i + 1}.png")
            texts.append(page.get_textpage().get_text_range())
    finally:
        doc.close()
    return texts
