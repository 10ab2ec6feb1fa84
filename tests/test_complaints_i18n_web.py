"""The complaint pages in Chinese (issue 14, a tester's walk): the casework's notes rendered from
their stored templates (rows from before show their English), refusals naming the field by its
label, a refused status change keeping the complaint's data and what was entered, dates as
people write them. A real uvicorn server over a real store (tests/web_fixtures.py)."""

from __future__ import annotations

import json
import re

import pytest

from monitor.casework import complaints as service
from monitor.casework.complaints_rules import field_labels, status_labels
from monitor.i18n import use_locale
from monitor.store import open_db
from tests.web_fixtures import LiveServer, build_store, csrf_of, http_client, login

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
URL = "https://shop.nowhere.example/item/5"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("complaints-i18n") / "monitor.db"
    info = build_store(db_path)
    with LiveServer(db_path) as server:
        server.db_path = db_path
        server.info = info
        yield server


def _take(client, **fields):
    page = client.get("/complaints")
    form = {"csrf_token": csrf_of(page.text), "url": URL, "kind": "listing", "source": "12315",
            "received_on": "2026-12-01", "complainant": "", "text": "疑似假冒", **fields}
    return client.post("/complaints", data=form, follow_redirects=False)


def _cell(html: str, attr: str) -> str:
    match = re.search(rf"<td {attr}>(.*?)</td>", html, re.S)
    assert match, attr
    return match.group(1)


def test_notes_are_stored_as_templates_and_read_in_the_readers_language(app):
    with http_client(app.url, headers=ZH) as lead:
        login(lead, "lea")
        first = _take(lead)
        assert first.status_code == 303, first.text
        first_id = int(first.headers["location"].rsplit("/", 1)[1])
        dup = _take(lead, url=URL + "/#reviews", source="12345")
        dup_id = int(dup.headers["location"].rsplit("/", 1)[1])
        page = lead.get(f"/complaints/{first_id}").text
        assert _cell(page, "data-crawl-note") == "未抓取：主机 shop.nowhere.example 没有站点配置"
        assert _cell(lead.get(f"/complaints/{dup_id}").text, "data-crawl-note") == \
            f"与未办结投诉 {first_id} 重复：已关联，不再抓取"
        listed = lead.get("/complaints").text
        assert "未抓取：主机 shop.nowhere.example" in listed and "not crawled" not in listed
        done = lead.post(f"/complaints/{first_id}/status", data={"csrf_token": csrf_of(page), "status": "answered",
                                                                 "outcome": "已核查，链接已下架"})
        assert done.status_code == 303
        dup_page = lead.get(f"/complaints/{dup_id}").text
        assert _cell(dup_page, "data-outcome") == f"随投诉 {first_id} 办结：已核查，链接已下架"
        assert "with complaint" not in dup_page
    with http_client(app.url, headers=EN) as lead:
        login(lead, "lea")
        english = lead.get(f"/complaints/{dup_id}").text
        assert _cell(english, "data-outcome") == f"with complaint {first_id}: 已核查，链接已下架"
        assert _cell(english, "data-crawl-note") == f"duplicate of open complaint {first_id}: linked, not crawled again"
    db = open_db(app.db_path)
    try:
        row = db["complaints"].get(dup_id)
        # The English stays in the store, byte for byte what it said before (the CLI, the audit trail).
        assert row["crawl_note"] == f"duplicate of open complaint {first_id}: linked, not crawled again"
        assert json.loads(row["crawl_note_template"]) == {
            "message": "duplicate of open complaint %(id)s: linked, not crawled again", "params": {"id": first_id}}
        assert row["outcome"] == f"with complaint {first_id}: 已核查，链接已下架"
        # The person's own outcome on the original is theirs: no template.
        assert db["complaints"].get(first_id)["outcome_template"] is None
        # A row from before migration c0002: its English is what it shows.
        db.execute("UPDATE complaints SET crawl_note_template = NULL, outcome_template = NULL WHERE id = ?", [dup_id])
    finally:
        db.close()
    with http_client(app.url, headers=ZH) as lead:
        login(lead, "lea")
        old = lead.get(f"/complaints/{dup_id}").text
        assert _cell(old, "data-crawl-note") == f"duplicate of open complaint {first_id}: linked, not crawled again"
        assert _cell(old, "data-outcome") == f"with complaint {first_id}: 已核查，链接已下架"


def test_a_crawl_note_renders_the_run_status_in_the_readers_words():
    with use_locale("zh_CN"):
        note = service._note(service.NOTE_CRAWLED, run=4, status=service._run_status("completed"))
        assert note["text"] == "crawled in run 4 (completed)"
        assert service.stored_text(note["text"], note["template"]) == "已在第 4 次抓取中采集（已完成）"
        queued = service._note(service.NOTE_NOT_QUEUED, note=note["msg"], problem="no rule packs")
        assert service.stored_text(queued["text"], queued["template"]) == \
            "已在第 4 次抓取中采集（已完成）；未列入审核队列：no rule packs"
        assert service.stored_text("old English", "not json") == "old English"
    with use_locale("en"):
        assert service.stored_text(note["text"], note["template"]) == "crawled in run 4 (completed)"


def test_form_refusals_name_the_field_by_its_label(app):
    with http_client(app.url, headers=ZH) as lead:
        login(lead, "lea")
        bad = _take(lead, received_on="2999-01-05")
        assert bad.status_code == 400
        error = re.search(r'<p class="error" role="alert" data-error="received_on">(.*?)</p>', bad.text).group(1)
        assert error.startswith("受理日期：2999-01-05") and "received_on" not in error
        long = _take(lead, text="长" * 20001)
        assert long.status_code == 400 and "投诉内容：" in long.text and "text: " not in long.text
        empty = _take(lead, url="")
        assert empty.status_code == 400 and "商品或店铺链接：" in empty.text and "url: " not in empty.text


def test_a_refused_status_change_keeps_the_complaints_data_and_the_entries(app):
    flag_listing = app.info["listings"]["L3"]
    flag_id = app.info["flags"][flag_listing]
    with http_client(app.url, headers=ZH) as lead:
        login(lead, "lea")
        original = _take(lead, url="https://shop.nowhere.example/item/77")
        original_id = int(original.headers["location"].rsplit("/", 1)[1])
        db = open_db(app.db_path)
        try:  # as a crawl would have left it: the listing found, its flag marked with the complaint
            db.execute("UPDATE complaints SET listing = ?, crawl_state = 'crawled' WHERE id = ?",
                       [flag_listing, original_id])
            db.execute("UPDATE flags SET complaint = ? WHERE id = ?", [original_id, flag_id])
        finally:
            db.close()
        dup = _take(lead, url="https://shop.nowhere.example/item/77/", source="platform")
        dup_id = int(dup.headers["location"].rsplit("/", 1)[1])
        page = lead.get(f"/complaints/{original_id}").text
        assert f"线索 {flag_id}" in page and f'href="/complaints/{dup_id}"' in page
        refused = lead.post(f"/complaints/{original_id}/status",
                            data={"csrf_token": csrf_of(page), "status": "closed", "outcome": "  "})
        assert refused.status_code == 400
        with use_locale("zh_CN"):  # the form's own label of the field (办理结果 / 处理结果), not "outcome"
            expected = f'<p class="error" role="alert" data-error>{field_labels()["outcome"]}：必填</p>'
        assert expected in refused.text
        assert "outcome:" not in refused.text
        assert f"线索 {flag_id}" in refused.text and f'href="/complaints/{dup_id}"' in refused.text
        assert '<option value="closed" selected>' in refused.text
        kept = lead.post(f"/complaints/{original_id}/status",
                         data={"csrf_token": csrf_of(page), "status": "answered", "outcome": "x" * 4001})
        assert kept.status_code == 400 and 'value="' + "x" * 4001 + '"' in kept.text
        assert '<option value="answered" selected>' in kept.text


def test_dates_are_written_as_people_write_them(app):
    with http_client(app.url, headers=ZH) as lead:
        login(lead, "lea")
        made = _take(lead, url="https://shop.nowhere.example/item/dates", received_on="2026-12-03")
        cid = int(made.headers["location"].rsplit("/", 1)[1])
        page = lead.get(f"/complaints/{cid}").text
        assert "2026年12月3日" in page and "2026-12-03" not in page
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page), "an ISO timestamp shown"
        assert re.search(r"lea · 20\d\d年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC", page)
        listed = lead.get("/complaints").text
        assert "2026年12月3日" in listed and "2026-12-03" not in listed
        lead.post(f"/complaints/{cid}/status", data={"csrf_token": csrf_of(page), "status": "closed",
                                                     "outcome": "非本局管辖"})
        closed = lead.get(f"/complaints/{cid}").text
        with use_locale("zh_CN"):
            closed_word = status_labels()["closed"]
        assert re.search(rf"<td data-status>{closed_word} · 20\d\d年\d{{1,2}}月\d{{1,2}}日 \d\d:\d\d UTC</td>", closed)


def test_the_pages_use_the_glossary_words_and_full_width_brackets(app):
    # One word per idea across the catalogues (平台, 已办结, 处理结果: catalogues.clashes()), and
    # brackets as Chinese writes them around the page kind and the working days.
    with http_client(app.url, headers=ZH) as lead:
        login(lead, "lea")
        made = _take(lead, url="https://shop.nowhere.example/item/words", received_on="2026-09-30")
        target = made.headers["location"]
        page = lead.get(target).text
        assert "<th>平台</th>" in page and "<th>站点</th>" not in page
        assert "（商品页）" in page and "（15 个工作日）" in page and "(15" not in page and "(商品页)" not in page
        assert "<th>处理结果</th>" not in page  # no outcome yet; the form labels it
        assert "处理结果 <input" in page and "办理结果" not in page
        lead.post(target + "/status", data={"csrf_token": csrf_of(page), "status": "closed", "outcome": "重复"})
        closed = lead.get(target).text
        assert "<td data-status>已办结 · " in closed and "<th>处理结果</th>" in closed and "已关闭" not in closed
        listed = lead.get("/complaints?status=closed").text
        assert '<a href="/complaints?status=closed">已办结</a>' in listed
