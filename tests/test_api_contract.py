"""The review API keeps to its own OpenAPI description (issue 13, defect 8; deliverable 6).

schemathesis (4.x) reads /api/openapi.json from a real uvicorn server on 127.0.0.1 over the
web tests' store (tests/web_fixtures.py: hostile listings, flags, users, captured evidence),
and fuzzes every operation, signed in with a lead's API token: no 500, every status and every
body as described, invalid input refused, valid input accepted, a request without the token
refused. Deterministic (derandomize) and bounded (MAX_EXAMPLES per operation) so it stays under
a minute. The audit's overflowing ids are checked by name too, on the API and on the pages."""

from __future__ import annotations

import base64
import json

import pytest
import schemathesis  # the test extra schemathesis>=4 (hypothesis comes with it)
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from monitor.review import accounts
from monitor.store import open_db
from monitor.web import create_app
from tests.web_fixtures import LiveServer, http_client, login, store  # noqa: F401 (fixtures)

MAX_EXAMPLES = 25
STATEFUL_EXAMPLES = 15  # scenarios of up to 6 calls
HUGE = "731769134967272970911744"  # the audit's id: past SQLite's 64-bit integers
# Statuses a request that fits the schema may get. schemathesis' default list, plus 400: the one
# review rule no schema can state (an assignee must be an active user; POST .../claim).
ACCEPTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


@pytest.fixture(scope="module")
def live_api(store):
    db = open_db(store.path, migrate=False)
    token = accounts.new_api_token(db, "lea")  # a lead: may claim, release and assign
    db.close()
    with LiveServer(store.path, language="en") as server:
        server.token = token
        yield server


# The description as the app builds it (no store is opened for that); the fuzzed requests go to
# the live server over HTTP (base_url below), and a test checks that it serves this same text.
# (schemathesis.pytest.from_fixture, the lazy loader, needs a pytest internal that pytest 9 lacks.)
SPEC = create_app("unused.db").openapi()
schema = schemathesis.openapi.from_dict(SPEC, config=SchemathesisConfig.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
    "request-timeout": 20,
}))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_operation_keeps_to_the_openapi_description(case, live_api):
    case.call_and_validate(base_url=live_api.url, headers={"Authorization": f"Bearer {live_api.token}"})


def test_chains_of_operations_along_the_openapi_links_keep_to_it(live_api):
    """The stateful phase: sequences of calls that follow the description's links (queue -> listing
    -> claim, seller; verdict -> listing), each answer checked as above. Only the declared links:
    schemathesis' own guesses would take a listing's site id (listing.listing_id) for the row id."""
    stateful = schemathesis.openapi.from_dict(SPEC, config=SchemathesisConfig.from_dict({
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        "phases": {"stateful": {"inference": {"algorithms": []}}},
        "request-timeout": 20,
    }))

    class Workflow(stateful.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": live_api.url, "headers": {"Authorization": f"Bearer {live_api.token}"}}

    Workflow.run(settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=6, derandomize=True,
                                   database=None, deadline=None,
                                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))


def test_the_description_lists_every_status_with_the_error_body(live_api):
    with http_client(live_api.url) as c:
        spec = c.get("/api/openapi.json").json()
    assert spec == SPEC
    assert spec["components"]["securitySchemes"].keys() == {"apiToken", "sessionCookie"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's own 422 body is not ours
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            success = {c for c in codes if c.startswith("2")}
            # One success: 200, or 201 for an operation that creates (POST /api/complaints).
            assert success in ({"200"}, {"201"}) and {"401", "422"} <= codes, (method, path, codes)
            for code in codes - success:
                body = op["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)
    writes = [op for ops in spec["paths"].values() for m, op in ops.items() if m == "post"]
    # Every write can be refused (400) and forbidden (403); one acting on an existing object can
    # also miss it (404) or conflict (409); a create (201) has no object yet.
    assert writes and all({"400", "403"} <= set(op["responses"]) for op in writes)
    assert all({"404", "409"} <= set(op["responses"]) for op in writes if "201" not in op["responses"])


def test_every_api_error_has_the_error_body(live_api):
    """Routing's 404 and 405, the cross-site refusal and a missing token answer ErrorOut too."""
    with http_client(live_api.url, headers={"Authorization": f"Bearer {live_api.token}"}) as api:
        r = api.get("/api/listing/999999")
        assert r.status_code == 404 and r.json() == {"error": "listing 999999 not found"}
        r = api.get("/api/nothing-here")
        assert r.status_code == 404 and r.json() == {"error": "Not Found (GET /api/nothing-here)"}
        r = api.delete("/api/verdict")
        assert r.status_code == 405 and r.headers["allow"] == "POST" and r.json()["error"].startswith("Method")
        r = api.post("/api/verdict", json={"flags": [1], "verdict": "escalate"},
                     headers={"Origin": "https://evil.example"})
        assert r.status_code == 403 and r.json() == {"error": "Cross-site request refused (Origin/Referer is "
                                                              "another site)."}
        r = api.get("/api/seller/shopa/nobody-at-all")
        assert r.status_code == 404 and "nobody-at-all" in r.json()["error"]
    with http_client(live_api.url) as anonymous:
        r = anonymous.get("/api/queue")
        assert r.status_code == 401 and "monitor users token" in r.json()["error"]
        assert r.headers["www-authenticate"] == "Bearer"
    with http_client(live_api.url) as c:  # the pages answer HTML
        login(c, "lea")
        r = c.get("/nothing-here")
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]


def test_ids_past_sqlite_integers_are_refused_not_a_500(live_api, store):
    auth = {"Authorization": f"Bearer {live_api.token}"}
    with http_client(live_api.url, headers=auth) as api:
        for method, path, body in (("GET", f"/api/listing/{HUGE}", None),
                                   ("POST", f"/api/listing/{HUGE}/claim", {}),
                                   ("POST", "/api/verdict", {"flags": [int(HUGE)], "verdict": "escalate"}),
                                   ("GET", "/api/queue?max_score=9223372036854775806", None)):
            r = api.request(method, path, json=body)
            assert r.status_code == 422, (path, r.status_code, r.text)
            error = r.json()
            assert error["error"].startswith("invalid request") and error["detail"][0]["loc"], error
        # a cursor is opaque, but a client can forge one: numbers past SQLite's give the first page
        forged = base64.urlsafe_b64encode(json.dumps([10**30, "", 10**30]).encode()).decode().rstrip("=")
        for key in ("after", "before"):
            r = api.get("/api/queue", params={key: forged, "status": "all"})
            assert r.status_code == 200 and r.json()["prev"] is None, (key, r.status_code, r.text)
    c = http_client(live_api.url)
    login(c, "lea")
    csrf = c.get("/api/me").json()["csrf"]
    lid = store.listings["L1"]
    for path in (f"/listing/{HUGE}", f"/capture/{HUGE}", f"/evidence/{HUGE}/screenshot.png",
                 f"/?max_score={HUGE}", "/?min_score=9223372036854775806&max_score=9223372036854775806",
                 f"/?n={HUGE}", f"/?after={forged}", f"/?before={forged}"):
        r = c.get(path)
        assert r.status_code in (200, 400), (path, r.status_code)
    for path, data in ((f"/listing/{HUGE}/claim", {"action": "claim"}),
                       (f"/listing/{lid}/verdict", {"flag": HUGE, "verdict": "escalate"}),
                       ("/bulk", {"flag": HUGE, "verdict": "escalate"})):
        r = c.post(path, data={**data, "csrf_token": csrf})
        assert r.status_code == 400 and "Invalid request" in r.text, (path, r.status_code)
    c.close()
