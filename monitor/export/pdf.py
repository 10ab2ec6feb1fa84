"""PDF versions of summaries with fpdf2 (pure Python, embeds a subset of the font).

Chinese titles need a CJK font: the system's Noto Sans CJK (Debian ``fonts-noto-cjk``) is
found through fontconfig; without one, DejaVu or the PDF core font is used and missing glyphs
show as boxes (the HTML summary stays complete).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from monitor.i18n import gettext as _
from monitor.i18n import format_date, format_datetime, format_money, ngettext, pgettext
from monitor.export.words import capture_time, evidence_kind
from monitor.rules.explain import explain, field_words, signal_words
from monitor.verdicts import verdict_label

_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2 = Simplified Chinese
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
]


@lru_cache(maxsize=1)
def body_font() -> tuple[str, int] | None:
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}|%{index}", "Noto Sans CJK SC:lang=zh-cn"],
                                   capture_output=True, text=True, timeout=10).stdout.strip()
            path, _, index = found.partition("|")
            if path and "CJK" in path and Path(path).exists():
                return path, int(index or 0)
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    for path, index in _CANDIDATES:
        if Path(path).exists():
            return path, index
    return None


class SummaryPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.set_title(title)
        self.set_creator("listing-monitor")
        self.set_auto_page_break(auto=True, margin=14)
        font = body_font()
        self.family = "helvetica"
        if font:
            self.add_font("body", "", font[0], collection_font_number=font[1])
            self.family = "body"
        self.set_font(self.family, size=9)

    def header(self) -> None:
        self.set_font(self.family, size=8)
        self.set_text_color(90)
        self.cell(0, 5, self.doc_title, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_font(self.family, size=9)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, size=8)
        self.cell(0, 5, _("page %(page)s / %(pages)s", page=self.page_no(), pages="{nb}"), align="C")

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(2)
        self.set_font(self.family, size=size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, size=9)
        self.ln(1)

    def para(self, text: str) -> None:
        # Ragged right, not fpdf2's default justification: a line of Chinese with a long Latin
        # word (a URL, a file name) after it was stretched with wide gaps between the words.
        self.multi_cell(0, 4.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def grid(self, header: list[str], rows: list[list[Any]], widths: tuple[int, ...] | None = None) -> None:
        self.set_font(self.family, size=8)
        with self.table(col_widths=widths, headings_style=FontFace(fill_color=(235, 236, 240)),
                        line_height=4, text_align="LEFT") as table:
            table.row([str(h) for h in header])
            for r in rows:
                table.row(["" if c is None else str(c)[:1200] for c in r])
        self.set_font(self.family, size=9)
        self.ln(2)


def case_summary_pdf(meta: dict[str, Any], items: list[dict[str, Any]]) -> bytes:
    pdf = SummaryPDF(meta["title"])
    pdf.add_page()
    pdf.heading(meta["title"], 16)
    pdf.para(" ".join([
        _("Prepared %(at)s by %(who)s with listing-monitor %(version)s.", at=format_datetime(meta["created_at"]),
          who=meta["created_by"], version=meta["crawler_version"]),
        ngettext("%(num)d listing.", "%(num)d listings.", len(items)),
        meta["proof"],
        "monitor evidence verify PACKAGE.wacz"]))
    rows = []
    for it in items:
        l, v = it["listing"], (it["verdicts"][-1] if it["verdicts"] else None)
        rows.append([l["id"], l["site"], l.get("title") or "", l.get("seller_name") or l.get("seller_id") or "",
                     format_money(l.get("price"), l.get("currency")),
                     verdict_label(v["verdict"]) if v else _("not decided"),
                     f"{v['analyst']} {format_date(v['decided_at'])}" if v else ""])
    pdf.grid(["#", _("Site"), _("Title"), _("Seller"), _("Price"), _("Verdict"), _("Analyst")], rows,
             (8, 18, 60, 30, 18, 30, 26))
    for it in items:
        l = it["listing"]
        pdf.heading(_("Listing %(id)s: %(title)s", id=l["id"], title=l.get("title") or _("(no title)")), 11)
        seen = _("First seen %(first)s, last seen %(last)s.", first=format_datetime(l["first_seen"]),
                 last=format_datetime(l["last_seen"]))
        if l.get("removed_at"):
            seen += " " + _("Removed %(at)s.", at=format_datetime(l["removed_at"]))
        pdf.para(f"{l['url']}\n{seen}\n{_('Files:')} {it['folder']}/")
        flag = it["flags"][-1] if it["flags"] else None
        if flag:
            pdf.grid([_("Signal"), _("Explanation"), _("Evidence")],
                     [[signal_words(s["name"]), explain(s),
                       _("; ").join(f"{field_words(e['field'])}: {e['text']}" for e in s["evidence"])]
                      for s in flag["signals"]], (30, 100, 60))
        if it["verdicts"]:
            pdf.grid([pgettext("time", "Decided"), _("Analyst"), _("Verdict"), _("Reason"), _("Note")],
                     [[format_datetime(v["decided_at"]), v["analyst"], verdict_label(v["verdict"]), v["reason"] or "",
                       v["note"] or ""] for v in it["verdicts"]], (34, 22, 40, 30, 64))
        if it["evidence"]:
            pdf.grid([_("Captured"), _("Kind"), "HTTP", _("SHA-256 at capture"), _("Intact")],
                     [[capture_time(e["captured_at"]), evidence_kind(e["kind"]), e.get("http_status") or "",
                       e["sha256"], _("yes") if e.get("intact_at_packing") else _("NO")] for e in it["evidence"]],
                     (34, 20, 12, 110, 14))
    return bytes(pdf.output())
