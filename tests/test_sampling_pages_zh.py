"""The sampling pages as a Chinese analyst walks them (issue 14, a tester's walk), on a real
uvicorn server: a check refused for a missing reason comes back on 我的抽查 at the item with the
reasons by their labels and the entries kept; categories by their names; dates as people write
them; the printable draw says who issues it and when it was printed, and prints without the app."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from monitor.casework.sampling import load_sample
from monitor.i18n import use_locale
from monitor.store import open_db
from monitor.verdicts import DISMISS_REASONS, reason_label
from tests.test_sampling import make_store
from tests.web_fixtures import LiveServer, csrf_of, http_client, login

ZH = {"Accept-Language": "zh-CN"}
CSS = Path(__file__).resolve().parents[1] / "monitor" / "web" / "static" / "app.css"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("sampling-zh") / "monitor.db"
    make_store(path, {("cosmetics", "baihuo"): (3, 5), ("agri_inputs", "shangcheng"): (1, 3)},
               users=(("ana", "analyst"), ("lea", "lead")))
    with LiveServer(path) as server:
        with http_client(server.url, headers=ZH) as lea:
            login(lea, "lea")
            page = lea.get("/sampling")
            drawn = lea.post("/sampling", data={"csrf_token": csrf_of(page.text), "period": "2026-Q4", "size": "8",
                                                "seed": "31", "analysts": ""})
            sample_id = int(drawn.headers["location"].rsplit("/", 1)[1])
        yield SimpleNamespace(path=path, url=server.url, sample_id=sample_id)


def _items(site):
    db = open_db(site.path)
    try:
        return load_sample(db, site.sample_id)["items"]
    finally:
        db.close()


def test_dismissing_without_a_reason_comes_back_on_my_page_at_the_item(site):
    item = next(i for i in _items(site) if i["analyst"] == "ana")
    with http_client(site.url, headers=ZH) as ana:
        login(ana, "ana")
        mine = ana.get("/sampling/mine")
        # The form's action carries the item's anchor: the browser comes back to the item.
        assert f'action="/sampling/items/{item["id"]}/check#item-{item["id"]}"' in mine.text
        refused = ana.post(f"/sampling/items/{item['id']}/check",
                           data={"csrf_token": csrf_of(mine.text), "verdict": "dismissed", "note": "店铺看似正规"})
    assert refused.status_code == 400
    page = refused.text
    assert "<nav>" in page and "我的抽查商品" in page  # the analyst's own page, with the app's navigation
    row = re.search(rf'<tr id="item-{item["id"]}" class="failed">(.*?)</tr>', page, re.S)
    assert row, "the refusal is not at the item"
    error = re.search(rf'<p class="error" role="alert" data-error="{item["id"]}">(.*?)</p>', row.group(1)).group(1)
    with use_locale("zh_CN"):
        labels = [reason_label(r) for r in DISMISS_REASONS]
    assert error.startswith("排除须注明理由") and all(label in error for label in labels), error
    assert "、".join(labels[:2]) in error
    assert not any(code in error for code in DISMISS_REASONS), error
    # What they chose is kept: the verdict, the note; the reason select is where to go next.
    assert '<option value="dismissed" selected>' in row.group(1) and 'value="店铺看似正规"' in row.group(1)
    assert '<select name="reason" autofocus>' in row.group(1)
    db = open_db(site.path)
    try:
        assert db.execute("SELECT verdict FROM sample_items WHERE id = ?", [item["id"]]).fetchone() == (None,)
    finally:
        db.close()


def test_a_check_of_someone_elses_item_is_still_refused(site):
    item = next(i for i in _items(site) if i["analyst"] != "ana")
    with http_client(site.url, headers=ZH) as ana:
        login(ana, "ana")
        mine = ana.get("/sampling/mine")
        refused = ana.post(f"/sampling/items/{item['id']}/check",
                           data={"csrf_token": csrf_of(mine.text), "verdict": "dismissed"})
    assert refused.status_code in (400, 403) and f'id="item-{item["id"]}"' not in refused.text


def test_categories_by_name_and_dates_as_people_write_them(site):
    item = next(i for i in _items(site) if i["analyst"] == "ana")
    with http_client(site.url, headers=ZH) as ana:
        login(ana, "ana")
        mine = ana.get("/sampling/mine")
        ana.post(f"/sampling/items/{item['id']}/check", data={"csrf_token": csrf_of(mine.text),
                                                              "verdict": "dismissed", "reason": "genuine_goods"})
        mine = ana.get("/sampling/mine").text
    # (the test store's listing ids contain the category id: the category's own place is checked)
    assert not re.search(r"· (agri_inputs|cosmetics) ·", mine) and re.search(r"· (农资|化妆品) ·", mine)
    assert re.search(r"<small>20\d\d年\d{1,2}月\d{1,2}日</small>", mine)  # the day it was checked
    with http_client(site.url, headers=ZH) as lea:
        login(lea, "lea")
        page = lea.get(f"/sampling/{site.sample_id}").text
        listing = lea.get("/sampling").text
    for text in (page, listing):
        assert not re.search(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", text), "an ISO time"
    assert "<td>agri_inputs</td>" not in page and "<td>cosmetics</td>" not in page
    assert "<td>农资</td>" in page and "<td>化妆品</td>" in page
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC, lea", page)  # 抽取时间
    # the period as offices write it, both days included, in full-width brackets (its stored end,
    # January 1, is excluded and was shown as "至 2027年1月1日（不含）" inside ASCII brackets)
    assert "2026-Q4（2026年10月1日至2026年12月31日）" in page


def _print_rule(css: str) -> str | None:
    """The body of app.css's @media print block, wherever it is in the file (sections follow it)."""
    start = css.find("@media print")
    if start < 0:
        return None
    opening = css.index("{", start)
    depth = 0
    for at in range(opening, len(css)):
        depth += {"{": 1, "}": -1}.get(css[at], 0)
        if depth == 0:
            return css[opening + 1:at]
    return None


def test_the_printable_draw_names_its_issuer_and_print_day_and_prints_without_the_app(site):
    with http_client(site.url, headers=ZH) as lea:
        login(lea, "lea")
        page = lea.get(f"/sampling/{site.sample_id}").text
    issuer = re.search(r"<tr data-issuer><th>(.*?)</th><td>(.*?)</td></tr>", page, re.S)
    assert issuer and issuer.group(1) == "发布单位" and "公章" in issuer.group(2)
    printed = re.search(r"<tr data-printed><th>打印日期</th><td>(.*?)</td></tr>", page).group(1)
    assert re.fullmatch(r"20\d\d年\d{1,2}月\d{1,2}日", printed)
    # The print rule hides the app's chrome and what is marked not for paper.
    css = CSS.read_text(encoding="utf-8")
    rule = _print_rule(css)
    assert rule, "no @media print rule"
    hidden = re.search(r"([^{}]*)\{\s*display:\s*none\s*!important", rule).group(1)
    for selector in ("header.top", "nav", "button", "form", ".no-print"):
        assert selector in [s.strip() for s in hidden.split(",")], selector
    assert "#000" in rule and "#fff" in rule
    assert 'class="no-print"' in page and '<header class="top">' in page
