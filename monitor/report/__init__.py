"""Statistics reports (issue 6): flagged and confirmed listings by category, site and signal, top
sellers and repeat infringers, notices and takedowns, review throughput, each against the
previous period; as one self-contained HTML file or a PDF, with matplotlib charts.

- ``period``: week / month / quarter / year boundaries (UTC);
- ``figures``: the queries; ``charts``: the PNG charts; ``render_html`` / ``render_pdf``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterable

from sqlite_utils import Database

from monitor.evidence import custody
from monitor.i18n import use_locale
from monitor.periods import KINDS, Period, parse_label, resolve
from monitor.report.breakdowns import RegionFilter, region_filter
from monitor.listing import utc_now
from monitor.report.data import period_state, report_data, state_note
from monitor.report.render_html import render_html
from monitor.store.db import durable_transaction

FORMATS = ("html", "pdf")

__all__ = ["FORMATS", "KINDS", "Period", "RegionFilter", "build_report", "parse_label", "period_warning",
           "region_filter", "resolve", "write_report"]


def period_warning(period: Period, today: str | None = None) -> str | None:
    """What the report says when its period has not started or not ended (``today`` YYYY-MM-DD,
    UTC; default now), in the current locale, for the command to repeat on stderr; None when over."""
    return state_note(period, period_state(period, today or utc_now()[:10]))


def build_report(db: Database, period: Period, fmt: str, *, lang: str | None = None,
                 region: RegionFilter | None = None, campaigns: Iterable[Any] = ()) -> tuple[bytes, dict[str, Any]]:
    """The report's bytes and the data it shows, in ``lang`` (Chinese by default)."""
    with use_locale(lang):
        return _build(db, period, fmt, region, campaigns)


def _build(db: Database, period: Period, fmt: str, region: RegionFilter | None,
           campaigns: Iterable[Any]) -> tuple[bytes, dict[str, Any]]:
    # lazy: matplotlib costs ~0.8 s, which `monitor report --help` should not pay
    from monitor.report.charts import report_charts

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use html or pdf")
    data = report_data(db, period, region=region, campaigns=campaigns)
    charts = report_charts(data)
    if fmt == "html":
        return render_html(data, charts), data
    # lazy: fpdf2 costs ~0.5 s, needed only for the PDF format
    from monitor.report.render_pdf import render_pdf

    return render_pdf(data, charts), data


def write_report(db: Database, period: Period, fmt: str, output: Path, *, actor: str = "cli",
                 lang: str | None = None, region: RegionFilter | None = None, campaigns: Iterable[Any] = ()) -> str:
    """Write the report to ``output`` and log it in the custody log with its SHA-256 (returned)."""
    content, data = build_report(db, period, fmt, lang=lang, region=region, campaigns=campaigns)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    with durable_transaction(db):
        custody.append(db, actor=actor, action="export", obj=f"report:{output.name}", sha256=digest,
                       detail={"kind": "statistics report", "period": period.kind, "label": period.label,
                               "since": period.since, "until": period.until, "format": fmt,
                               "language": data["language"],
                               "region": None if region is None else {"code": region.code, "name": region.name},
                               "flagged": data["current"]["flagged"], "confirmed": data["current"]["confirmed"]})
    return digest
