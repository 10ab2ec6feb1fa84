"""The report as a PDF (fpdf2, through monitor.export.pdf.SummaryPDF and its CJK font): the same
figures and charts as the HTML, charts as PNG images. Text is only ever drawn as text; characters
the font lacks become "?" and control and bidi-override characters are dropped."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from fpdf.fonts import FontFace
from PIL import Image

from monitor.export.pdf import SummaryPDF
from monitor.report.render_pdf_casework import casework_section, key_periods_section
from monitor.i18n import format_date, gettext as _
from monitor.report.data import fmt_value, report_title
from monitor.report.pdf_lines import NBSP, wrap

LINE = 4.5  # mm, a line of body text
BULLET_INDENT = 4.0
KEEP_LINES = 3 * LINE  # a heading is kept with at least its first three lines
KEEP_ROWS = 8  # a table of up to 8 rows is not split across pages
CHART_MIN_SCALE = 0.6  # a chart is drawn down to 60% of its size rather than move to the next page


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
        text = re.sub(r"[^\S\u00a0]+", " ", text).strip(" ")  # a no-break space stays: it keeps words together
        if self._cmap is not None:
            text = "".join(c if ord(c) in self._cmap or c in (" ", NBSP) else "?" for c in text)
        return text if len(text) <= limit else text[:limit - 1] + "…"

    def ensure_space(self, mm: float) -> None:
        if self.get_y() + mm > self.page_break_trigger:
            self.add_page()

    def section(self, title: str, size: int = 13, keep_with: float = 0.0) -> None:
        """A heading, on a new page only when it and ``keep_with`` mm of what follows (its first
        lines, or a chart at the smallest size ``chart`` draws it) would not fit on this one."""
        self.ensure_space(size * 0.5 + 4 + (keep_with or KEEP_LINES))
        self.heading(self.clean(title), size)

    def lines(self, text: str, indent: float = 0.0, height: float = LINE) -> None:
        """Text wrapped by pdf_lines.wrap (Chinese between any two characters, never inside a
        Latin word or "GB/T 2260"), ``indent`` mm from the left margin."""
        for line in wrap(text, self.epw - indent, self.get_string_width):
            self.set_x(self.l_margin + indent)
            self.cell(self.epw - indent, height, line, new_x="LMARGIN", new_y="NEXT")

    def text_para(self, text: str) -> None:
        self.lines(self.clean(text, 2000))
        self.ln(1)

    def bullet(self, text: str) -> None:
        """A list item: the bullet and the first line of its text on one line, the rest indented."""
        self.ensure_space(2 * LINE)
        y = self.get_y()
        self.cell(BULLET_INDENT, LINE, "•" if self._cmap is None or ord("•") in self._cmap else "-")
        self.set_xy(self.l_margin, y)
        self.lines(self.clean(text, 2000), indent=BULLET_INDENT)
        self.ln(0.8)

    def note(self, text: str) -> None:
        """A warning a reader must not miss: bold-coloured text in a box."""
        text = self.clean(text, 2000)
        height = len(wrap(text, self.epw - 4, self.get_string_width)) * LINE + 3
        self.ensure_space(height + 2)
        x, y = self.l_margin, self.get_y()
        self.set_draw_color(180, 83, 9)
        self.set_fill_color(255, 247, 237)
        self.set_line_width(0.5)
        self.rect(x, y, self.epw, height, style="DF")
        self.set_line_width(0.2)
        self.set_draw_color(0)
        self.set_fill_color(255)
        self.set_text_color(124, 45, 18)
        self.set_y(y + 1.5)
        self.lines(text, indent=2)
        self.set_text_color(0)
        self.set_y(y + height + 2)

    def chart_size(self, png: bytes | None) -> tuple[float, float]:
        """Width and height in mm of a chart drawn at its natural size (or the text width)."""
        if not png:
            return 0.0, 0.0
        with Image.open(io.BytesIO(png)) as im:
            w_px, h_px = im.size
        width = min(self.epw, 183.0)
        return width, width * h_px / w_px

    def chart_min(self, png: bytes | None) -> float:
        """The height of the smallest size ``chart`` draws a chart at (its natural size scaled to fit
        what is left of a page, down to CHART_MIN_SCALE)."""
        return self.chart_size(png)[1] * CHART_MIN_SCALE

    def chart(self, png: bytes | None) -> None:
        """A chart at its natural size; scaled down (to CHART_MIN_SCALE at the least) to fit the rest of
        the page rather than leave it empty; on the next page when even that does not fit."""
        if not png:
            return
        width, height = self.chart_size(png)
        room = self.page_break_trigger - self.get_y() - 2
        if height > room:
            if height * CHART_MIN_SCALE <= room:
                width, height = width * room / height, room
            else:
                self.add_page()
        self.image(io.BytesIO(png), x=self.l_margin, w=width, h=height)
        self.ln(2)

    def numbers_table(self, header: list[str], rows: list[list[Any]], widths: tuple[float, ...],
                      numeric: set[int] = frozenset()) -> None:
        """A table whose columns in ``numeric`` are right-aligned; cells are cleaned text."""
        if not rows:
            return
        self.ensure_space(4.5 * (min(len(rows), KEEP_ROWS) + 1) + 2)  # a short table whole, a long one its first rows
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
    title = report_title(data)
    pdf = ReportPDF(title)
    pdf.add_page()
    pdf.heading(title, 18)
    pdf.text_para(data["intro"])
    if data["state_note"]:
        pdf.note(data["state_note"])
    if data.get("region"):
        pdf.text_para(_("Regional report: only listings of sellers located in %(region)s (GB/T 2260 code "
                        "%(code)s).", region=data["region"].name, code=data["region"].code))

    pdf.section(_("Headline figures"))
    pdf.numbers_table(["", period.label, previous.label, _("change")],
                      [[h["label"], h["value_text"], h["previous_text"], h["change_text"]] for h in data["headline"]],
                      (80, 34, 34, 42), {1, 2, 3})
    pdf.chart(charts.get("history"))

    for section in (_flags_section, key_periods_section, _sellers_section, _notices_section, _reviews_section,
                    _crawling_section, casework_section, _definitions_section):
        section(pdf, data, charts)
    return bytes(pdf.output())


def _flags_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """Flagged and confirmed listings, by category, site and signal."""
    cur = data["current"]
    pdf.section(_("Flagged and confirmed"), keep_with=pdf.chart_min(charts.get("timeline")))
    if cur["flagged"] or cur["confirmed"]:
        pdf.chart(charts.get("timeline"))
        for key, heading, title, rows in (
                ("by_region_province", _("By region: province"), _("province"), cur["by_region"]["province"]),
                ("by_region_city", _("By region: city"), _("city"), cur["by_region"]["city"]),
                ("by_category", _("By category"), _("category"), cur["by_category"]),
                ("by_site", _("By site"), _("site"), cur["by_site"]),
                ("by_signal", _("By signal"), _("signal"), cur["by_signal"])):
            pdf.section(heading, 11, keep_with=pdf.chart_min(charts.get(key)))
            pdf.chart(charts.get(key))
            pdf.numbers_table([title, _("flagged"), _("confirmed")],
                              [[r["label"], r["flagged"], r["confirmed"]] for r in rows], (110, 40, 40), {1, 2})
    else:
        pdf.text_para(_("No listing was flagged or confirmed in this period."))


def _sellers_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """The sellers with the most confirmed listings, and the repeat infringers."""
    period, cur = data["period"], data["current"]
    pdf.section(_("Sellers"), keep_with=pdf.chart_min(charts.get("sellers")))
    if cur["sellers"]:
        pdf.chart(charts.get("sellers"))
        pdf.text_para(data["sentences"]["sellers"])
        pdf.numbers_table([_("seller"), _("accounts (site: seller id)"), _("flagged"), _("confirmed"),
                           _("confirmed to date")],
                          [[s["name"], ", ".join(s["accounts"]), s["flagged"], s["confirmed"], s["confirmed_total"]]
                           for s in cur["sellers"]], (52, 78, 20, 20, 20), {2, 3, 4})
    else:
        pdf.text_para(_("No seller had flagged or confirmed listings in this period."))
    pdf.section(_("Repeat infringers"), 11)
    if cur["repeat"]:
        if cur["repeat_total"] > len(cur["repeat"]):
            pdf.text_para(_("The %(n)s with the most confirmed listings, of %(total)s.", n=len(cur["repeat"]),
                            total=cur["repeat_total"]))
        pdf.numbers_table([_("seller"), _("sites with confirmed listings"), _("periods with confirmed listings"),
                           _("confirmed in %(period)s", period=period.label), _("confirmed to date"),
                           _("first confirmed")],
                          [[s["name"], ", ".join(s["sites_confirmed"]), ", ".join(s["periods"]), s["confirmed"],
                            s["confirmed_total"], format_date(s["first_confirmed"])] for s in cur["repeat"]],
                          (46, 36, 36, 20, 20, 32), {3, 4})
    else:
        pdf.text_para(_("No repeat infringer in this period."))


def _notices_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """Notices sent, their answers, and how fast confirmed listings were removed."""
    period, cur = data["period"], data["current"]
    n, t = cur["notices"], cur["takedown"]
    pdf.section(_("Notices and takedowns"))
    pdf.numbers_table(["", period.label], [
        [_("notices sent"), n["sent"]],
        [_("listings in them"), n["listings"]],
        [_("accepted / removed / rejected / no answer yet"),
         f"{n['accepted']} / {n['removed']} / {n['rejected']} / {n['pending']}"],
        [_("acceptance rate"), _pct(n["rate"])],
        [_("listings confirmed (counterfeit, infringement or regulatory violation)"), t["confirmed"]],
        [_("removed since (share)"), f"{t['removed']} ({_pct(t['share_removed'])})"],
        [_("hours from confirmation to removal, median / mean"),
         f"{_hours(t['median_hours'])} / {_hours(t['mean_hours'])}"],
    ], (120, 70), {1})
    if n["by_platform"]:
        pdf.chart(charts.get("acceptance"))
        pdf.numbers_table([_("platform"), _("sent"), _("accepted"), _("removed"), _("rejected"), _("no answer"),
                           _("acceptance")],
                          [[p["platform"], p["sent"], p["accepted"], p["removed"], p["rejected"], p["pending"],
                            _pct(p["rate"])] for p in n["by_platform"]], (55, 22, 22, 22, 22, 22, 25),
                          {1, 2, 3, 4, 5, 6})
    else:
        pdf.text_para(_("No notice was sent in this period."))


def _reviews_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """Verdicts and the time from flag to verdict, per analyst."""
    cur = data["current"]
    rv = cur["reviews"]
    pdf.section(_("Review throughput"))
    pdf.text_para(data["sentences"]["reviews"])
    if rv["by_analyst"]:
        pdf.chart(charts.get("analysts"))
        pdf.numbers_table([_("analyst"), _("verdicts"), _("confirmed"), _("dismissed"), _("other"),
                           _("flag to first verdict, median")],
                          [[a["analyst"], a["verdicts"], a["confirmed"], a["dismissed"], a["other"],
                            _hours(a["median_hours"])] for a in rv["by_analyst"]], (60, 24, 24, 24, 24, 34),
                          {1, 2, 3, 4, 5})


def _crawling_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """Crawl runs and new listings."""
    cur = data["current"]
    pdf.section(_("Crawling"))
    pdf.text_para(data["sentences"]["crawling"])


def _definitions_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    pdf.section(_("Definitions"))
    for text in data["definitions"]:
        pdf.bullet(text)
