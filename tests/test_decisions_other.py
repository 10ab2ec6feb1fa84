"""The reason "other" (其他) says nothing without its why: a verdict giving it needs a note, refused
in the reader's language by the review code and by the API of the running app."""

from __future__ import annotations

import pytest

from monitor.i18n import use_locale
from monitor.review import accounts
from monitor.review.decisions import Decision, validate
from monitor.review.errors import ReviewError
from monitor.store import open_db
from tests.web_fixtures import http_client, live, store  # noqa: F401


@pytest.mark.parametrize("verdict", ["dismissed", "confirmed_counterfeit"])
@pytest.mark.parametrize("note", [None, "", "   \n"])
def test_other_without_a_note_is_refused_in_both_languages(verdict, note):
    with use_locale("en"), pytest.raises(ReviewError, match='the reason "other" needs a note saying why'):
        validate(Decision(1, verdict, "other", note))
    with use_locale("zh_CN"), pytest.raises(ReviewError, match="理由为“其他”时，须在备注中写明原因"):
        validate(Decision(1, verdict, "other", note))


def test_other_with_a_note_and_other_reasons_without_one_are_accepted():
    assert validate(Decision(1, "dismissed", "other", "  a museum replica ")).note == "a museum replica"
    assert validate(Decision(1, "dismissed", "reseller", None)).reason == "reseller"


def _reviews(store, flag) -> int:
    db = open_db(store.path, migrate=False)
    try:
        return db.execute("SELECT count(*) FROM reviews WHERE flag = ?", [flag]).fetchone()[0]
    finally:
        db.close()


def test_the_api_refuses_other_without_a_note_and_records_it_with_one(live, store):
    db = open_db(store.path, migrate=False)
    token = accounts.new_api_token(db, "ana")
    db.close()
    flag = store.flags[store.listings["L5"]]
    body = {"flags": [flag], "verdict": "dismissed", "reason": "other"}
    with http_client(live.url, headers={"Authorization": f"Bearer {token}"}) as api:
        r = api.post("/api/verdict", json=body)
        assert r.status_code == 400 and r.json() == {"error": 'the reason "other" needs a note saying why'}, r.text
        r = api.post("/api/verdict", json={**body, "note": " "}, headers={"Accept-Language": "zh-CN"})
        assert r.status_code == 400 and r.json() == {"error": "理由为“其他”时，须在备注中写明原因"}, r.text
        assert _reviews(store, flag) == 0  # nothing recorded
        r = api.post("/api/verdict", json={**body, "note": "a museum replica, not for sale"})
        assert r.status_code == 200, r.text
    assert _reviews(store, flag) == 1


def test_the_api_schema_says_other_needs_a_note():
    from monitor.web.api import VerdictIn

    rules = VerdictIn.model_json_schema()["allOf"]
    assert {"if": {"properties": {"reason": {"const": "other"}}, "required": ["reason"]},
            "then": {"required": ["note"], "properties": {"note": {"type": "string", "minLength": 1}}}} in rules
    assert any(r["if"]["properties"].get("verdict") == {"const": "dismissed"} for r in rules)
