"""The report as a PDF (fpdf2, through monitor.export.pdf.SummaryPDF and its CJK font): the same
figures and charts as the HTML, charts as PNG images. Text is only ever drawn as text; characters
the font lacks become "?" and control and bidi-override characters are dropped."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from fpdf.fonts import FontFace
from PIL import Image

from monitor import __version__
from monitor.export.pdf import SummaryPDF
from monitor.report.figures import fmt_value


def _hours(v: float | None) -> str:
    return fmt_value("hours", v)


def _pct(v: float | None) -> str:
    return fmt_value("rate", v)


class ReportPDF(SummaryPDF):
    def __init__(self, title: str):
        super().__init__(title)
        self._cmap = getattr(self.fonts.get("body"), "cmap", None)

    def clean(self, value: Any, limit: int = 300) -> str:
        text = "" if value is None else str(value)
        text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
        text = " ".join(text.split())
        if self._cmap is not None:
            text = "".join(c if ord(c) in self._cmap or c == " " else "?" for c in text)
        return text if len(text) <= limit else text[:limit - 1] + "…"

    def ensure_space(self, mm: float) -> None:
        if self.get_y() + mm > self.page_break_trigger:
            self.add_page()

    def section(self, title: str, size: int = 13, keep_with: float = 45) -> None:
        self.ensure_space(keep_with)
        self.heading(self.clean(title), size)

    def text_para(self, text: str) -> None:
        self.multi_cell(0, 4.5, self.clean(text, 2000), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def chart_size(self, png: bytes | None) -> tuple[float, float]:
        """Width and height in mm of a chart drawn at its natural size (or the text width)."""
        if not png:
            return 0.0, 0.0
        with Image.open(io.BytesIO(png)) as im:
            w_px, h_px = im.size
        width = min(self.epw, 183.0)
        return width, width * h_px / w_px

    def chart(self, png: bytes | None) -> None:
        if not png:
            return
        width, height = self.chart_size(png)
        self.ensure_space(height + 2)
        self.image(io.BytesIO(png), x=self.l_margin, w=width, h=height)
        self.ln(2)

    def numbers_table(self, header: list[str], rows: list[list[Any]], widths: tuple[float, ...],
                      numeric: set[int] = frozenset()) -> None:
        """A table whose columns in ``numeric`` are right-aligned; cells are cleaned text."""
        if not rows:
            return
        self.ensure_space(16)
        self.set_font(self.family, size=8)
        align = tuple("RIGHT" if i in numeric else "LEFT" for i in range(len(header)))
        with self.table(col_widths=widths, width=sum(widths), align="LEFT",
                        headings_style=FontFace(fill_color=(235, 236, 240)), line_height=4,
                        text_align=align) as table:
            table.row([self.clean(h) for h in header])
            for r in rows:
                table.row([self.clean(c) for c in r])
        self.set_font(self.family, size=9)
        self.ln(2)


def render_pdf(data: dict[str, Any], charts: dict[str, bytes | None]) -> bytes:
    period, previous = data["period"], data["previous"]
    pdf = ReportPDF(f"Statistics report {period.label}")
    pdf.add_page()
    pdf.heading(f"Statistics report {period.label}", 18)
    pdf.text_para(f"{period.kind.capitalize()} {period.label}: {period.bounds_text}. Compared with "
                  f"{previous.label} ({previous.bounds_text}). Generated {data['generated_at']} by "
                  f"listing-monitor {__version__}."
                  + (" This period is not over yet: its figures are partial." if data["in_progress"] else ""))

    pdf.section("Headline figures")
    pdf.numbers_table(["", period.label, previous.label, "change"],
                      [[h["label"], h["value_text"], h["previous_text"], h["change_text"]] for h in data["headline"]],
                      (80, 34, 34, 42), {1, 2, 3})
    pdf.chart(charts.get("history"))

    for section in (_flags_section, _sellers_section, _notices_section, _reviews_section, _crawling_section):
        section(pdf, data, charts)
    return bytes(pdf.output())


def _flags_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """Flagged and confirmed listings, by category, site and signal."""
    cur = data["current"]
    pdf.section("Flagged and confirmed", keep_with=pdf.chart_size(charts.get("timeline"))[1] + 14)
    if cur["flagged"] or cur["confirmed"]:
        pdf.chart(charts.get("timeline"))
        for key, title in (("by_category", "category"), ("by_site", "site"), ("by_signal", "signal")):
            pdf.section(f"By {title}", 11, keep_with=pdf.chart_size(charts.get(key))[1] + 14)
            pdf.chart(charts.get(key))
            pdf.numbers_table([title, "flagged", "confirmed"],
                              [[r["label"], r["flagged"], r["confirmed"]] for r in cur[key]], (110, 40, 40), {1, 2})
    else:
        pdf.text_para("No listing was flagged or confirmed in this period.")


def _sellers_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """The sellers with the most confirmed listings, and the repeat infringers."""
    period, cur = data["period"], data["current"]
    pdf.section("Sellers", keep_with=pdf.chart_size(charts.get("sellers"))[1] + 14)
    if cur["sellers"]:
        pdf.chart(charts.get("sellers"))
        more = f" (of {cur['sellers_total']})" if cur["sellers_total"] > len(cur["sellers"]) else ""
        pdf.text_para(f"The {len(cur['sellers'])} seller(s) with the most confirmed, then flagged, listings in the "
                      f"period{more}.")
        pdf.numbers_table(["seller", "accounts (site: seller id)", "flagged", "confirmed", "to date"],
                          [[s["name"], ", ".join(s["accounts"]), s["flagged"], s["confirmed"], s["confirmed_total"]]
                           for s in cur["sellers"]], (52, 78, 20, 20, 20), {2, 3, 4})
    else:
        pdf.text_para("No seller had flagged or confirmed listings in this period.")
    pdf.section("Repeat infringers", 11, keep_with=30)
    if cur["repeat"]:
        if cur["repeat_total"] > len(cur["repeat"]):
            pdf.text_para(f"The {len(cur['repeat'])} with the most confirmed listings, of {cur['repeat_total']}.")
        pdf.numbers_table(["seller", "sites confirmed", f"{period.kind}s confirmed", "in period", "to date",
                           "first confirmed"],
                          [[s["name"], ", ".join(s["sites_confirmed"]), ", ".join(s["periods"]), s["confirmed"],
                            s["confirmed_total"], (s["first_confirmed"] or "")[:10]] for s in cur["repeat"]],
                          (46, 36, 36, 20, 20, 32), {3, 4})
    else:
        pdf.text_para("No repeat infringer in this period.")


def _notices_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """Notices sent, their answers, and how fast confirmed listings were removed."""
    period, cur = data["period"], data["current"]
    n, t = cur["notices"], cur["takedown"]
    pdf.section("Notices and takedowns")
    pdf.numbers_table(["", period.label], [
        ["notices sent", n["sent"]],
        ["listings in them", n["listings"]],
        ["accepted / removed / rejected / no answer yet",
         f"{n['accepted']} / {n['removed']} / {n['rejected']} / {n['pending']}"],
        ["acceptance rate", _pct(n["rate"])],
        ["listings confirmed (counterfeit, infringement or regulatory violation)", t["confirmed"]],
        ["removed since (share)", f"{t['removed']} ({_pct(t['share_removed'])})"],
        ["hours from confirmation to removal, median / mean",
         f"{_hours(t['median_hours'])} / {_hours(t['mean_hours'])}"],
    ], (120, 70), {1})
    if n["by_platform"]:
        pdf.chart(charts.get("acceptance"))
        pdf.numbers_table(["platform", "sent", "accepted", "removed", "rejected", "no answer", "acceptance"],
                          [[p["platform"], p["sent"], p["accepted"], p["removed"], p["rejected"], p["pending"],
                            _pct(p["rate"])] for p in n["by_platform"]], (55, 22, 22, 22, 22, 22, 25),
                          {1, 2, 3, 4, 5, 6})
    else:
        pdf.text_para("No notice was sent in this period.")


def _reviews_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """Verdicts and the time from flag to verdict, per analyst."""
    cur = data["current"]
    rv = cur["reviews"]
    pdf.section("Review throughput")
    pdf.text_para(f"{rv['verdicts']} verdict(s) in the period; {rv['first_verdicts']} flag(s) decided for the first "
                  f"time, {_hours(rv['median_hours'])} median ({_hours(rv['mean_hours'])} mean) from flag to verdict.")
    if rv["by_analyst"]:
        pdf.chart(charts.get("analysts"))
        pdf.numbers_table(["analyst", "verdicts", "confirmed", "dismissed", "other", "to first verdict, median"],
                          [[a["analyst"], a["verdicts"], a["confirmed"], a["dismissed"], a["other"],
                            _hours(a["median_hours"])] for a in rv["by_analyst"]], (60, 24, 24, 24, 24, 34),
                          {1, 2, 3, 4, 5})


def _crawling_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """Crawl runs and new listings; then the definitions of the figures."""
    cur = data["current"]
    pdf.section("Crawling", keep_with=20)
    pdf.text_para(f"{cur['runs']['runs']} crawl run(s) started ({cur['runs']['failed']} failed, "
                  f"{cur['runs']['degraded']} degraded); {cur['new_listings']} listing(s) seen for the first time.")
    pdf.section("Definitions", keep_with=30)
    for text in data["definitions"]:
        pdf.text_para("- " + text)
