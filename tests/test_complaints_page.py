"""The /complaints page shows the complaints panel (counts by status, each a filter link) once:
the page had its own status filter line under the included panel, the same links twice."""

from __future__ import annotations

import re

import pytest

from monitor.casework.complaints_rules import STATUSES
from monitor.review.accounts import add_user
from monitor.store import open_db
from tests.web_fixtures import PASSWORD, LiveServer, csrf_of, http_client, login


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("complaints-page") / "monitor.db"
    db = open_db(db_path)
    add_user(db, "lea", "lead", PASSWORD)
    add_user(db, "ana", "analyst", PASSWORD)
    db.close()
    with LiveServer(db_path) as server:
        yield server


def _once(html: str) -> None:
    assert html.count('data-panel="complaints"') == 1
    html = html[html.index("<main"):html.index("</main>")]  # the header's nav links /complaints too
    assert len(re.findall(r'<section class="complaints-panel"', html)) == 1
    for status in STATUSES:
        assert html.count(f'href="/complaints?status={status}"') == 1, status
    assert html.count('href="/complaints"') == 1  # the panel's "all complaints"


@pytest.mark.parametrize("who", ["lea", "ana"])
def test_the_panel_and_its_status_links_appear_once(app, who):
    with http_client(app.url) as client:
        login(client, who)
        for path in ("/complaints", "/complaints?status=open", "/complaints?done=1"):
            page = client.get(path)
            assert page.status_code == 200
            _once(page.text)
        # And when the form is refused and the page drawn again around it.
        page = client.get("/complaints")
        refused = client.post("/complaints", data={"csrf_token": csrf_of(page.text), "url": "ftp://x.example/1",
                                                   "source": "12315", "text": "t"})
        assert refused.status_code == 400 and 'data-error="url"' in refused.text
        _once(refused.text)
