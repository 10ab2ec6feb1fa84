"""Statistics reports (`monitor report`): periods, figures against counts known by construction,
self-contained HTML, PDF pages rendered to PNG for a human look, the CLI and the custody log.

The store (tests/report_fixtures.py) is built with the project's own functions over two
quarters of 2026, so every figure is known by construction.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from datetime import date

import pytest

from monitor.periods import Period, last_complete, period_containing, resolve
from monitor.report import build_report
from tests.conftest import run_monitor
from tests.report_fixtures import HOSTILE, OUT, Q2, check_self_contained, render_pages, store  # noqa: F401 - store: fixture


def test_period_boundaries_utc_monday_weeks_calendar_quarters():
    week = period_containing("week", date(2026, 5, 14))  # a Thursday
    assert (week.start, week.end, week.label) == (date(2026, 5, 11), date(2026, 5, 18), "2026-W20")
    assert week.start.weekday() == 0 and week.previous().end == week.start
    assert period_containing("week", date(2027, 1, 1)).label == "2026-W53"  # ISO week of a Friday
    q = period_containing("quarter", date(2026, 5, 15))
    assert (q.since, q.until, q.label) == ("2026-04-01", "2026-07-01", "2026-Q2") and q == Q2
    assert q.previous() == Period("quarter", date(2026, 1, 1), date(2026, 4, 1))
    assert period_containing("quarter", date(2026, 12, 31)).until == "2027-01-01"
    dec = period_containing("month", date(2026, 12, 5))
    assert (dec.since, dec.until, dec.label, dec.previous().label) == ("2026-12-01", "2027-01-01", "2026-12", "2026-11")
    assert period_containing("year", date(2026, 7, 1)).label == "2026"
    # the default is the last complete period
    assert last_complete("month", date(2026, 3, 1)).label == "2026-02"
    assert last_complete("week", date(2026, 5, 17)).label == "2026-W19"  # a Sunday: its week is not over
    assert last_complete("quarter", date(2026, 4, 1)).label == "2026-Q1"
    assert resolve("year", "2025-06-30").label == "2025"
    # a timestamp on the last second is in, the next period's first instant is out
    assert q.contains("2026-06-30T23:59:59Z") and not q.contains("2026-07-01T00:00:00Z")
    assert q.contains("2026-04-01T00:00:00Z") and not q.contains("2026-03-31T23:59:59Z")
    buckets = q.buckets()  # weeks from Monday, cut at the quarter's edges
    assert buckets[0][1:] == ("2026-04-01", "2026-04-06") and buckets[-1][2] == "2026-07-01"
    assert all(date.fromisoformat(b[1]).weekday() == 0 for b in buckets[1:])
    assert len(period_containing("month", date(2026, 2, 3)).buckets()) == 28
    assert [b[0] for b in period_containing("year", date(2026, 1, 1)).buckets()][-1] == "2026-12"


def test_confirming_verdicts_are_the_review_apps():
    from monitor.report.figures import CONFIRMING
    from monitor.verdicts import VERDICT_STATUS

    assert set(CONFIRMING) == {v for v, s in VERDICT_STATUS.items() if s == "confirmed"}


def test_quarter_figures_match_the_data(store):
    from monitor.i18n import use_locale
    from monitor.report.data import report_data

    _, db = store
    with use_locale("en"):
        data = report_data(db, Q2)
    cur, prev = data["current"], data["prev"]
    assert (cur["flagged"], cur["confirmed"], prev["flagged"], prev["confirmed"]) == (7, 5, 4, 2)
    cats = {r["key"]: (r["flagged"], r["confirmed"]) for r in cur["by_category"]}
    assert cats == {"cosmetics": (3, 4), "auto_parts": (2, 1), "agri_inputs": (2, 0)}
    assert next(r for r in cur["by_category"] if r["key"] == "cosmetics")["label"] == "Cosmetics 化妆品"
    assert {r["key"]: (r["flagged"], r["confirmed"]) for r in cur["by_site"]} == {"jingpin": (5, 4), "好货网": (2, 1)}
    # signals: each listing counted once per signal it carries (checked against the flags themselves)
    signals = {r["key"]: (r["flagged"], r["confirmed"]) for r in cur["by_signal"]}
    expect: dict[str, list[int]] = {}
    for (names,) in db.execute("SELECT group_concat(signal_names, ' ') FROM flags WHERE created_at >= '2026-04-01' "
                               "AND created_at < '2026-07-01' GROUP BY listing"):
        for name in set(names.split()):
            expect.setdefault(name, [0, 0])[0] += 1
    for (names,) in db.execute("SELECT signal_names FROM flags WHERE status = 'confirmed' AND listing IN "
                               "(SELECT listing FROM reviews WHERE decided_at >= '2026-04-01' AND decided_at < "
                               "'2026-07-01' AND verdict != 'dismissed' AND verdict != 'needs_test_purchase')"):
        for name in set(names.split()):
            expect.setdefault(name, [0, 0])[1] += 1
    assert signals == {k: tuple(v) for k, v in expect.items()} and "mark_lookalike" in signals
    # timeline: weeks of the quarter add up
    assert sum(b["flagged"] for b in cur["timeline"]) == 7 and sum(b["confirmed"] for b in cur["timeline"]) == 5

    sellers = [(s["name"], s["confirmed"], s["flagged"]) for s in cur["sellers"]]
    assert sellers[:3] == [("名品折扣汇", 2, 2), ("清颜美妆店", 2, 1), ("优选清仓小店", 1, 2)]
    assert {s[0] for s in sellers[3:]} == {"丰收农业服务社", HOSTILE}
    assert cur["sellers"][0]["accounts"] == ["jingpin: mp1", "好货网: hh-mp"]  # one seller on two sites
    repeat = {s["name"]: (s["periods"], s["sites_confirmed"], s["confirmed"], s["confirmed_total"])
              for s in cur["repeat"]}
    assert repeat == {"名品折扣汇": (["2026-Q1", "2026-Q2"], ["jingpin", "好货网"], 2, 3),
                      "优选清仓小店": (["2026-Q1", "2026-Q2"], ["jingpin"], 1, 2)}
    assert prev["repeat"] == []  # in Q1 each had one quarter and one site

    n = cur["notices"]
    assert (n["sent"], n["accepted"], n["removed"], n["rejected"], n["pending"], n["listings"]) == (5, 2, 1, 1, 1, 5)
    assert n["rate"] == pytest.approx(0.75) and prev["notices"]["rate"] == pytest.approx(0.5)
    rates = {p["platform"]: p["rate"] for p in n["by_platform"]}
    assert rates == {"jingpin": pytest.approx(2 / 3), "好货网": pytest.approx(1.0)}

    t = cur["takedown"]  # A4, B1, B2, B3 (a regulatory violation confirms too), B4; B1 48 h, B4 24 h
    assert (t["confirmed"], t["removed"], t["share_removed"]) == (5, 2, 0.4)
    assert t["median_hours"] == pytest.approx(36) and t["mean_hours"] == pytest.approx(36)
    assert prev["takedown"]["median_hours"] == pytest.approx(264) and prev["takedown"]["share_removed"] == 1.0

    rv = cur["reviews"]
    assert rv["verdicts"] == 7 and rv["median_hours"] == pytest.approx(48)
    per = {a["analyst"]: (a["verdicts"], a["confirmed"], a["dismissed"], a["other"], a["median_hours"])
           for a in rv["by_analyst"]}
    assert per == {"ana": (4, 3, 0, 1, pytest.approx(36)), "bo": (3, 2, 1, 0, pytest.approx(192))}
    assert prev["reviews"]["verdicts"] == 3 and prev["reviews"]["median_hours"] == pytest.approx(120)
    assert (cur["new_listings"], prev["new_listings"]) == (8, 4)
    assert data["in_progress"] is False

    head = {h["key"]: (h["value_text"], h["previous_text"], h["change_text"]) for h in data["headline"]}
    assert head["flagged"] == ("7", "4", "+3 (+75%)")
    assert head["confirmed"] == ("5", "2", "+3 (+150%)")
    assert head["acceptance"] == ("75%", "50%", "+25 pp")
    assert head["takedown_median"] == ("36.0 h", "264.0 h", "-228.0 h")
    assert head["share_removed"] == ("40%", "100%", "-60 pp")
    assert head["repeat"] == ("2", "0", "+2")
    assert head["verdict_median"] == ("48.0 h", "120.0 h", "-72.0 h")
    history = {h["label"]: (h["flagged"], h["confirmed"]) for h in data["history"]}
    assert len(history) == 6 and history["2026-Q1"] == (4, 2) and history["2026-Q2"] == (7, 5)
    assert history["2025-Q4"] == (0, 0)
    # the quarter after: C1, flagged and confirmed in July
    with use_locale("en"):
        q3 = report_data(db, Q2.next())["current"]
    assert (q3["flagged"], q3["confirmed"]) == (1, 1)




def test_html_report_is_self_contained_and_escapes_scraped_text(store):
    _, db = store
    content, _ = build_report(db, Q2, "html", lang="en")
    html = content.decode("utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report-2026-Q2.html").write_bytes(content)
    check_self_contained(html)
    assert html.count("data:image/png;base64,") == 10  # every chart has data (no campaigns: no key-period chart)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=http://evil.example/x&gt;" in html
    assert "{{7*7}}" in html  # data, not template code
    assert "\u202e" not in html and "&amp;lt;" not in html  # bidi override dropped; escaped once, not twice
    for text in ("名品折扣汇", "好货网", "Cosmetics 化妆品", "2026-Q1", "+3 (+150%)", "36.0 h",
                 "April 1, 2026 to June 30, 2026 (UTC)", "Quarterly report Q2 2026"):
        assert text in html, text




def test_pdf_report_renders_with_chinese_text_and_charts(store):
    _, db = store
    content, _ = build_report(db, Q2, "pdf", lang="en")
    assert content.startswith(b"%PDF")
    texts = render_pages(content, "report-2026-Q2")
    text = "\n".join(texts)
    assert 3 <= len(texts) <= 10
    for needle in ("名品折扣汇", "好货网", "化妆品", "+3 (+150%)", "75%", "36.0 h", "Repeat infringers"):
        assert needle in text, needle
    assert "<script>alert(1)</script>" in text  # shown as text, never interpreted
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(content)
    try:
        images = sum(1 for page in doc for obj in page.get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE)
    finally:
        doc.close()
    assert images == 10


def test_empty_period_reports(store):
    _, db = store
    empty = period_containing("quarter", date(2025, 8, 1))
    html = build_report(db, empty, "html", lang="en")[0].decode("utf-8")
    check_self_contained(html)
    assert "data:image" not in html
    assert "No listing was flagged or confirmed in this period." in html and "No notice was sent" in html
    texts = render_pages(build_report(db, empty, "pdf", lang="en")[0], "report-empty-2025-Q3")
    assert "No listing was flagged or confirmed in this period." in "\n".join(texts)


def test_chart_labels_chinese_glyphs_and_hostile_text():
    from monitor.export.pdf import body_font
    from monitor.report import charts

    if not (body_font() and "CJK" in body_font()[0]):
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    assert charts.cjk_font() and "CJK" in charts.cjk_font()
    assert charts.missing_glyphs("名品折扣汇 好货网 化妆品 汽车配件 农资 优选清仓小店") == ""
    assert charts.safe_label("a $x^2$ b") == r"a \$x^2\$ b"
    assert charts.safe_label("x\u202ey\x07z") == "x y z"
    assert charts.safe_label("很" * 50) == "很" * 11 + "…" + "很" * 5  # 34 columns, a Chinese character is 2
    assert charts.safe_label("深圳市某某某某电子商务有限公司旗舰店官方正品保障专营店12号") == "深圳市某某某某电子商务…专营店12号"
    rows = [{"label": "化妆品 Cosmetics", "flagged": 3, "confirmed": 2},
            {"label": HOSTILE + " \U0001F600", "flagged": 1, "confirmed": 0},
            {"label": "$\\frac{1}{0}$ \\ $$", "flagged": 1, "confirmed": 1}]  # mathtext would fail to parse
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = charts.paired_bars(rows, "好货网 卖家")
    assert png and png.startswith(b"\x89PNG")
    assert not [w for w in caught if "missing" in str(w.message).lower()], [str(w.message) for w in caught]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "chart-labels.png").write_bytes(png)


def test_cli_writes_report_and_custody_entry(store, tmp_path):
    from monitor.evidence.custody import verify_chain

    path, db = store
    out = tmp_path / "q2.pdf"
    proc = run_monitor("report", "--period", "quarter", "--date", "2026-05-15", "-o", str(out), db_path=path)
    assert proc.returncode == 0, proc.stderr
    assert "2026-Q2" in proc.stderr and out.read_bytes().startswith(b"%PDF")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert digest in proc.stderr
    row = db.execute_returning_dicts("SELECT * FROM custody WHERE object = 'report:q2.pdf'")[0]
    assert row["action"] == "export" and row["sha256"] == digest
    assert json.loads(row["detail"])["label"] == "2026-Q2" and json.loads(row["detail"])["format"] == "pdf"
    assert list(verify_chain(db)) == []

    html_out = tmp_path / "w.html"
    proc = run_monitor("report", "--period", "week", "--date", "2026-05-14", "-o", str(html_out), db_path=path)
    assert proc.returncode == 0, proc.stderr
    assert "2026-W20" in html_out.read_text(encoding="utf-8") and "2026-05-11 00:00 UTC" in proc.stderr

    bad = run_monitor("report", "--period", "month", "--date", "15/05/2026", db_path=path)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_cli_default_file_name_and_format(store, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from monitor.cli import main

    path, _ = store
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--db", str(path), "report", "--period", "year", "--date", "2026-03-01"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report-2026.html").read_text(encoding="utf-8")
    assert "<title>年度报告 2026年</title>" in html  # Chinese unless asked otherwise
    result = CliRunner().invoke(main, ["--db", str(path), "report", "--period", "month", "--date", "2026-05-01",
                                       "-o", "may.PDF"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "may.PDF").read_bytes().startswith(b"%PDF")  # the format follows the extension
