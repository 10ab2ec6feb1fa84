"""PNG charts for reports with matplotlib's Agg renderer (no pyplot, no display, no global state).

Chinese names (categories, sites, sellers) need a CJK font: Noto Sans CJK is used when
font_manager knows it (Debian ``fonts-noto-cjk``), behind DejaVu Sans for Latin text, through
matplotlib's per-glyph font fallback. Labels are scraped text: control characters are dropped,
``$`` is escaped (no mathtext), characters no font has become "?", and long names are cut.
"""

from __future__ import annotations

import io
import logging
import math
import unicodedata
from functools import lru_cache
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from monitor.export.pdf import body_font
from monitor.i18n import gettext as _
from monitor.verdicts import N_

FLAGGED, CONFIRMED, OTHER, DISMISSED = "#60a5fa", "#dc2626", "#a3a3a3", "#16a34a"
WIDTH_IN = 7.2  # 183 mm: the text width of an A4 page with 13.5 mm margins
logger = logging.getLogger(__name__)
DPI = 150
MAX_BARS = 15
_CJK_NAMES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR", "Noto Sans CJK HK",
              "Source Han Sans SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a CJK font matplotlib can use, registering the system's Noto Sans CJK
    file if font_manager's cache was built before the font was installed."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in _CJK_NAMES:
        if name in known:
            return name
    found = body_font()
    name = None
    if found and "CJK" in found[0]:
        try:
            font_manager.fontManager.addfont(found[0])
        except (OSError, RuntimeError, ValueError) as exc:
            logger.warning("the CJK font %s could not be loaded for charts (%s)", found[0], exc)
        known = {f.name for f in font_manager.fontManager.ttflist}
        name = next((n for n in _CJK_NAMES if n in known), None)
    if name is None:
        # cached, so said once a process: charts still draw, Chinese labels as empty boxes
        logger.warning("no CJK font for report charts: Chinese labels will not render; "
                       "install fonts-noto-cjk (apt-get install fonts-noto-cjk)")
    return name


def families() -> list[str]:
    return ["DejaVu Sans", *([cjk_font()] if cjk_font() else [])]


@lru_cache(maxsize=1)
def _faces() -> list[FT2Font]:
    faces = []
    for family in families():
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        faces.append(FT2Font(path))
    return faces


@lru_cache(maxsize=4096)
def has_glyph(char: str) -> bool:
    return char.isspace() or any(face.get_char_index(ord(char)) for face in _faces())


def missing_glyphs(text: str) -> str:
    """The characters of ``text`` that no chart font can draw (they would show as boxes)."""
    return "".join(sorted({c for c in text if not has_glyph(c)}))


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def safe_label(text: Any, limit: int = 34) -> str:
    """A label drawn as plain text, at most ``limit`` columns (a Chinese character is two); a long
    one keeps its start and its end ("深圳市某某…专营店3号"), where names that share a prefix differ."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    text = "".join(c if has_glyph(c) else "?" for c in text)
    if _columns(text) > limit:
        head, tail, budget = "", "", limit - 1
        for c in text:  # two thirds for the start
            if _columns(head + c) > budget * 2 // 3:
                break
            head += c
        for c in reversed(text):
            if _columns(head + tail + c) > budget:
                break
            tail = c + tail
        text = head + "…" + tail
    return text.replace("$", r"\$")


def _figure(height: float) -> tuple[Figure, Any]:
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _title_and_legend(fig: Figure, ax: Any, title: str) -> None:
    """The title on the left above the plot, the legend below it on the right: never over the bars
    or the title."""
    fig.suptitle(safe_label(title, 100), x=0.01, ha="left", fontsize=10, fontweight="bold")
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower right", ncols=len(handles), frameon=False)


def _rc() -> Any:
    return matplotlib.rc_context({"font.family": families(), "font.size": 9, "axes.titlesize": 10,
                                  "axes.titleweight": "bold", "axes.unicode_minus": False, "text.usetex": False,
                                  "svg.fonttype": "none"})


def paired_bars(rows: list[dict[str, Any]], title: str, *, first: str = "flagged",
                second: str = "confirmed") -> bytes | None:
    """Horizontal bars, two per row (flagged and confirmed), largest first; None without data."""
    rows = [r for r in rows if r.get(first) or r.get(second)][:MAX_BARS]
    if not rows:
        return None
    with _rc():
        fig, ax = _figure(0.9 + 0.36 * len(rows))
        labels = [safe_label(r.get("label", r.get("key", r.get("name")))) for r in rows]
        ys = range(len(rows))
        height = 0.38
        b1 = ax.barh([y - height / 2 for y in ys], [r.get(first) or 0 for r in rows], height, color=FLAGGED,
                     label=_(first))
        b2 = ax.barh([y + height / 2 for y in ys], [r.get(second) or 0 for r in rows], height, color=CONFIRMED,
                     label=_(second))
        ax.bar_label(b1, padding=2, fontsize=8)
        ax.bar_label(b2, padding=2, fontsize=8)
        ax.set_yticks(list(ys), labels)
        ax.invert_yaxis()
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.margins(x=0.08)
        _title_and_legend(fig, ax, title)
        return _png(fig)


def timeline(rows: list[dict[str, Any]], title: str, xlabel: str = "") -> bytes | None:
    if not any(r["flagged"] or r["confirmed"] for r in rows):
        return None
    with _rc():
        fig, ax = _figure(2.4)
        xs = list(range(len(rows)))
        width = 0.4
        ax.bar([x - width / 2 for x in xs], [r["flagged"] for r in rows], width, color=FLAGGED, label=_("flagged"))
        ax.bar([x + width / 2 for x in xs], [r["confirmed"] for r in rows], width, color=CONFIRMED,
               label=_("confirmed"))
        step = max(1, math.ceil(len(rows) / 16))
        ax.set_xticks(xs[::step], [safe_label(r["label"]) for r in rows][::step],
                      rotation=45 if len(rows) > 8 else 0, ha="right" if len(rows) > 8 else "center")
        ax.yaxis.get_major_locator().set_params(integer=True)
        if xlabel:
            ax.set_xlabel(xlabel)
        _title_and_legend(fig, ax, title)
        return _png(fig)


def history(rows: list[dict[str, Any]], title: str) -> bytes | None:
    if not any(r["flagged"] or r["confirmed"] for r in rows):
        return None
    with _rc():
        fig, ax = _figure(2.3)
        xs = list(range(len(rows)))
        width = 0.38
        b1 = ax.bar([x - width / 2 for x in xs], [r["flagged"] for r in rows], width, color=FLAGGED, label=_("flagged"))
        b2 = ax.bar([x + width / 2 for x in xs], [r["confirmed"] for r in rows], width, color=CONFIRMED,
                    label=_("confirmed"))
        ax.bar_label(b1, padding=2, fontsize=8)
        ax.bar_label(b2, padding=2, fontsize=8)
        ax.set_xticks(xs, [r["label"] for r in rows])
        ax.get_xticklabels()[-1].set_fontweight("bold")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.margins(y=0.15)
        _title_and_legend(fig, ax, title)
        return _png(fig)


def analysts(rows: list[dict[str, Any]], title: str) -> bytes | None:
    rows = [r for r in rows if r["verdicts"]][:MAX_BARS]
    if not rows:
        return None
    with _rc():
        fig, ax = _figure(0.9 + 0.32 * len(rows))
        ys = list(range(len(rows)))
        left = [0] * len(rows)
        for key, color in (("confirmed", CONFIRMED), ("dismissed", DISMISSED), ("other", OTHER)):
            values = [r[key] for r in rows]
            bars = ax.barh(ys, values, 0.6, left=left, color=color, label=_(key))
            ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center", fontsize=8,
                         color="white")
            left = [a + b for a, b in zip(left, values)]
        ax.set_yticks(ys, [safe_label(r["analyst"]) for r in rows])
        ax.invert_yaxis()
        ax.xaxis.get_major_locator().set_params(integer=True)
        _title_and_legend(fig, ax, title)
        return _png(fig)


def acceptance(rows: list[dict[str, Any]], title: str) -> bytes | None:
    rows = [r for r in rows if r.get("rate") is not None][:MAX_BARS]
    if not rows:
        return None
    with _rc():
        fig, ax = _figure(0.9 + 0.32 * len(rows))
        ys = list(range(len(rows)))
        bars = ax.barh(ys, [r["rate"] * 100 for r in rows], 0.6, color=DISMISSED)
        answered = [r["accepted"] + r["removed"] + r["rejected"] for r in rows]
        rates = [f"{r['rate'] * 100:.0f}%" for r in rows]
        ax.bar_label(bars, labels=[_("%(rate)s of %(n)s", rate=rate, n=n) for rate, n in zip(rates, answered)],
                     padding=3, fontsize=8)
        ax.set_yticks(ys, [safe_label(r["platform"]) for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 118)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        _title_and_legend(fig, ax, title)
        return _png(fig)


BUCKETS = {"day": N_("day"), "week (from Monday)": N_("week (from Monday)"), "month": N_("month")}


def report_charts(data: dict[str, Any]) -> dict[str, bytes | None]:
    """Every chart of a report, by name (None where the period has nothing to show), its text in
    the current locale."""
    cur = data["current"]
    period = data["period"]
    label = period.label
    bucket = _(BUCKETS[period.bucket_name])
    return {
        "history": history(data["history"], _("Flagged and confirmed listings, the last periods to %(period)s",
                                              period=label)),
        "timeline": timeline(cur["timeline"], _("Flagged and confirmed listings in %(period)s, per %(bucket)s",
                                                period=label, bucket=bucket), bucket),
        "by_region_province": paired_bars(cur["by_region"]["province"],
                                          _("Flagged and confirmed listings by province, %(period)s", period=label)),
        "by_region_city": paired_bars(cur["by_region"]["city"],
                                      _("Flagged and confirmed listings by city, %(period)s", period=label)),
        "by_category": paired_bars(cur["by_category"], _("Flagged and confirmed listings by category, %(period)s",
                                                         period=label)),
        "by_site": paired_bars(cur["by_site"], _("Flagged and confirmed listings by site, %(period)s", period=label)),
        "by_signal": paired_bars(cur["by_signal"], _("Flagged and confirmed listings by signal, %(period)s",
                                                     period=label)),
        "key_periods": paired_bars([{**k, "label": k["title"]} for k in data["key_periods"]],
                                   _("Flagged and confirmed listings per key period, %(period)s", period=label)),
        "sellers": paired_bars([{**s, "label": s["name"]} for s in cur["sellers"]],
                               _("Top sellers by confirmed, then flagged listings, %(period)s", period=label)),
        "acceptance": acceptance(cur["notices"]["by_platform"], _("Notice acceptance rate by platform, %(period)s",
                                                                  period=label)),
        "analysts": analysts(cur["reviews"]["by_analyst"], _("Verdicts per analyst, %(period)s", period=label)),
    }
