"""The issuer printed on a 双随机 draw: monitor.yaml's office_name, on the printed page (escaped:
it is typed by a person, and shown in HTML) and by `monitor sample show`; none set: a line is
left for the office's name and seal."""

from __future__ import annotations

import html

import pytest

from monitor.casework.sampling import draw_sample
from monitor.casework.sampling_office import office_name
from monitor.store import open_db
from monitor.yamlfile import YamlError
from tests.test_sampling import make_store, monitor
from tests.web_fixtures import LiveServer, http_client, login

OFFICE = "某市市场监督管理局 <b>&</b><script>alert('office')</script>"


def _config(tmp_path, text: str):
    path = tmp_path / "monitor.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_office_name_is_read_from_monitor_yaml(tmp_path):
    assert office_name(tmp_path / "absent.yaml") == ""
    assert office_name(_config(tmp_path, "language: zh\n")) == ""
    assert office_name(_config(tmp_path, "office_name: '  某市市场监督管理局 '\n")) == "某市市场监督管理局"
    with pytest.raises(YamlError, match="office_name"):
        office_name(_config(tmp_path, "language: zh\noffice_name: [1, 2]\n"))
    with pytest.raises(YamlError, match="at most 200 characters"):
        office_name(_config(tmp_path, "office_name: " + "局" * 201 + "\n"))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    path = tmp_path_factory.mktemp("sampling-office") / "monitor.db"
    make_store(path, {("cosmetics", "baihuo"): (1, 3)}, users=(("ana", "analyst"), ("lea", "lead")))
    db = open_db(path)
    try:
        sample = draw_sample(db, "2026-Q4", 2, seed=7, actor="lea")
    finally:
        db.close()
    return path, sample["id"]


def _issuer_row(page: str) -> str:
    start = page.index("<tr data-issuer>")
    return page[start:page.index("</tr>", start)]


def test_the_printed_draw_shows_the_office_escaped(drawn, tmp_path, monkeypatch):
    path, sample_id = drawn
    config = _config(tmp_path, f"office_name: {OFFICE!r}\n".replace("\\'", "''"))
    assert office_name(config) == OFFICE
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    with LiveServer(path) as server, http_client(server.url) as lea:
        assert login(lea, "lea").status_code == 200
        page = lea.get(f"/sampling/{sample_id}")
        assert page.status_code == 200
        row = _issuer_row(page.text)
        assert html.escape(OFFICE, quote=False) in row.replace("&#39;", "'").replace("&#x27;", "'"), row
        assert "<script>" not in page.text.split("<tr data-issuer>")[1].split("</table>")[0]
        assert "填写单位名称" not in row and "___" not in row
        config.write_text("language: zh\n", encoding="utf-8")  # no office: the blank line for name and seal
        blank = _issuer_row(lea.get(f"/sampling/{sample_id}").text)
        assert "_" * 24 in blank and "填写单位名称并加盖公章" in blank


def test_monitor_sample_show_prints_the_office(drawn, tmp_path):
    path, sample_id = drawn
    config = _config(tmp_path, "office_name: 某市市场监督管理局\n")
    shown = monitor(path, "show", str(sample_id), "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == "Issued by: 某市市场监督管理局"
    blank = monitor(path, "show", str(sample_id), "--config", str(tmp_path / "none.yaml"))
    assert blank.stdout.splitlines()[0] == "Issued by: " + "_" * 24 + " (name of the office, and its seal)"
    bad = monitor(path, "show", str(sample_id), "--config", str(_config(tmp_path, "office_name: 12\n")))
    assert bad.returncode == 1 and "office_name" in bad.stderr and "monitor.yaml:1:" in bad.stderr, bad.stderr
