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
from monitor.report.render_pdf_casework import casework_section, key_periods_section
from monitor.i18n import gettext as _
from monitor.report.data import fmt_value, report_title


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
    title = report_title(data)
    pdf = ReportPDF(title)
    pdf.add_page()
    pdf.heading(title, 18)
    pdf.text_para(_("%(period)s (%(label)s): %(bounds)s. Compared with %(previous)s (%(previous_bounds)s). "
                    "Generated %(when)s by listing-monitor %(version)s.", period=period.title, label=period.label,
                    bounds=period.bounds_local(), previous=previous.title, previous_bounds=previous.bounds_local(),
                    when=data["generated_at"], version=__version__)
                  + (" " + _("This period is not over yet: its figures are partial.") if data["in_progress"] else ""))
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
    pdf.section(_("Flagged and confirmed"), keep_with=pdf.chart_size(charts.get("timeline"))[1] + 14)
    if cur["flagged"] or cur["confirmed"]:
        pdf.chart(charts.get("timeline"))
        for key, heading, title, rows in (
                ("by_region_province", _("By region: province"), _("province"), cur["by_region"]["province"]),
                ("by_region_city", _("By region: city"), _("city"), cur["by_region"]["city"]),
                ("by_category", _("By category"), _("category"), cur["by_category"]),
                ("by_site", _("By site"), _("site"), cur["by_site"]),
                ("by_signal", _("By signal"), _("signal"), cur["by_signal"])):
            pdf.section(heading, 11, keep_with=pdf.chart_size(charts.get(key))[1] + 14)
            pdf.chart(charts.get(key))
            pdf.numbers_table([title, _("flagged"), _("confirmed")],
                              [[r["label"], r["flagged"], r["confirmed"]] for r in rows], (110, 40, 40), {1, 2})
    else:
        pdf.text_para(_("No listing was flagged or confirmed in this period."))


def _sellers_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    """The sellers with the most confirmed listings, and the repeat infringers."""
    period, cur = data["period"], data["current"]
    pdf.section(_("Sellers"), keep_with=pdf.chart_size(charts.get("sellers"))[1] + 14)
    if cur["sellers"]:
        pdf.chart(charts.get("sellers"))
        pdf.text_para(_("The %(n)s seller(s) with the most confirmed, then flagged, listings in the period, of "
                        "%(total)s.", n=len(cur["sellers"]), total=cur["sellers_total"]))
        pdf.numbers_table([_("seller"), _("accounts (site: seller id)"), _("flagged"), _("confirmed"),
                           _("confirmed to date")],
                          [[s["name"], ", ".join(s["accounts"]), s["flagged"], s["confirmed"], s["confirmed_total"]]
                           for s in cur["sellers"]], (52, 78, 20, 20, 20), {2, 3, 4})
    else:
        pdf.text_para(_("No seller had flagged or confirmed listings in this period."))
    pdf.section(_("Repeat infringers"), 11, keep_with=30)
    if cur["repeat"]:
        if cur["repeat_total"] > len(cur["repeat"]):
            pdf.text_para(_("The %(n)s with the most confirmed listings, of %(total)s.", n=len(cur["repeat"]),
                            total=cur["repeat_total"]))
        pdf.numbers_table([_("seller"), _("sites with confirmed listings"), _("periods with confirmed listings"),
                           _("confirmed in %(period)s", period=period.label), _("confirmed to date"),
                           _("first confirmed")],
                          [[s["name"], ", ".join(s["sites_confirmed"]), ", ".join(s["periods"]), s["confirmed"],
                            s["confirmed_total"], (s["first_confirmed"] or "")[:10]] for s in cur["repeat"]],
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
    pdf.text_para(_("%(verdicts)s verdict(s) in the period; %(first)s flag(s) decided for the first time, "
                    "%(median)s median (%(mean)s mean) from flag to verdict.", verdicts=rv["verdicts"],
                    first=rv["first_verdicts"], median=_hours(rv["median_hours"]), mean=_hours(rv["mean_hours"])))
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
    pdf.section(_("Crawling"), keep_with=20)
    pdf.text_para(_("%(runs)s crawl run(s) started (%(failed)s failed, %(degraded)s degraded); %(new)s listing(s) "
                    "seen for the first time.", runs=cur["runs"]["runs"], failed=cur["runs"]["failed"],
                    degraded=cur["runs"]["degraded"], new=cur["new_listings"]))


def _definitions_section(pdf: ReportPDF, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    pdf.section(_("Definitions"), keep_with=30)
    for text in data["definitions"]:
        pdf.text_para("- " + text)
