"""Dismissing a flag without a reason on the listing page (a tester's walk in Chinese): the
refusal lists the reasons by their labels, as the verdict form offers them, not their codes.
A real uvicorn server over a real store (tests/web_fixtures.py)."""

from __future__ import annotations

import html

from monitor.i18n import use_locale
from monitor.verdicts import DISMISS_REASONS, reason_label
from tests.web_fixtures import LiveServer, build_store, csrf_of, http_client, login


def test_the_refusal_names_the_reasons_by_their_labels(tmp_path):
    db_path = tmp_path / "monitor.db"
    info = build_store(db_path)
    lid = info["listings"]["L5"]
    with LiveServer(db_path) as server, http_client(server.url, headers={"Accept-Language": "zh-CN"}) as client:
        login(client, "ana")
        token = csrf_of(client.get(f"/listing/{lid}").text)
        refused = client.post(f"/listing/{lid}/verdict", data={"csrf_token": token, "flag": info["flags"][lid],
                                                               "verdict": "dismissed"})
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    with use_locale("zh_CN"):
        labels = [reason_label(r) for r in DISMISS_REASONS]
    assert "排除需要选择理由：" + "、".join(labels) in text, text[-2000:]
    message = text[text.index("排除需要选择理由"):]
    message = message[:message.index("<")]
    assert not any(code in message for code in DISMISS_REASONS), message
