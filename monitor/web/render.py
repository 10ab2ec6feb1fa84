"""Server-side presentation helpers that never produce HTML: evidence highlighting as text
segments (the template escapes each one), a price chart as numbers for an SVG, URL path segments (links: ``monitor.urls``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from monitor.i18n import format_date, format_money


@dataclass
class Segment:
    text: str
    marked: bool = False
    note: str = ""  # the signals behind a highlighted piece (a tooltip)


def spans_by_field(signals: list[dict[str, Any]]) -> dict[str, list[tuple[int, int, str, str]]]:
    """{field: [(start, end, text, signal name), ...]} from a flag's signals."""
    out: dict[str, list[tuple[int, int, str, str]]] = {}
    for signal in signals or []:
        for ev in signal.get("evidence") or []:
            try:
                start, end = int(ev["start"]), int(ev["end"])
                fieldname = str(ev["field"])
            except (KeyError, TypeError, ValueError):
                continue
            out.setdefault(fieldname, []).append((start, end, str(ev.get("text") or ""), str(signal.get("name"))))
    return out


def highlight(text: str | None, spans: list[tuple[int, int, str, str]] | None) -> list[Segment]:
    """Split the ORIGINAL text at the evidence offsets. A span whose text no longer matches
    (the listing changed since it was scored) is located again by its text, else skipped.
    Overlapping spans merge; the result is plain text pieces for the template to escape."""
    text = "" if text is None else str(text)
    if not spans:
        return [Segment(text)] if text else []
    ranges: list[tuple[int, int, str]] = []
    for start, end, expected, name in spans:
        if not (0 <= start < end <= len(text)) or (expected and text[start:end] != expected):
            found = text.find(expected) if expected else -1
            if found < 0:
                continue
            start, end = found, found + len(expected)
        ranges.append((start, end, name))
    ranges.sort()
    merged: list[list[Any]] = []
    for start, end, name in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if name not in merged[-1][2]:
                merged[-1][2].append(name)
        else:
            merged.append([start, end, [name]])
    segments: list[Segment] = []
    pos = 0
    for start, end, names in merged:
        if start > pos:
            segments.append(Segment(text[pos:start]))
        segments.append(Segment(text[start:end], True, ", ".join(names)))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:]))
    return segments


def path_part(value: Any) -> str:
    """One URL path segment (seller ids can hold slashes and anything else)."""
    return quote(str(value), safe="")


@dataclass
class Chart:
    width: int
    height: int
    points: str  # "x,y x,y ..." for a <polyline>
    dots: list[dict[str, Any]]
    min_label: str
    max_label: str
    first_label: str
    last_label: str


def price_chart(history: list[dict[str, Any]], width: int = 420, height: int = 110) -> Chart | None:
    """Numbers for a small price-history SVG (one currency: the most frequent one)."""
    priced = [h for h in history if isinstance(h.get("price"), (int, float))]
    if not priced:
        return None
    currencies: dict[str, int] = {}
    for h in priced:
        currencies[h.get("currency") or ""] = currencies.get(h.get("currency") or "", 0) + 1
    currency = max(currencies, key=currencies.get)
    priced = [h for h in priced if (h.get("currency") or "") == currency]
    lo, hi = min(h["price"] for h in priced), max(h["price"] for h in priced)
    pad_x, pad_y = 8, 12
    span = (hi - lo) or 1.0
    n = len(priced)
    dots = []
    for i, h in enumerate(priced):
        x = pad_x + (width - 2 * pad_x) * (i / (n - 1) if n > 1 else 0.5)
        y = height - pad_y - (height - 2 * pad_y) * ((h["price"] - lo) / span if hi != lo else 0.5)
        dots.append({"x": round(x, 1), "y": round(y, 1),
                     "label": f"{format_date(h['observed_at'])}: {format_money(h['price'], currency)}"})
    return Chart(width, height, " ".join(f"{d['x']},{d['y']}" for d in dots), dots,
                 format_money(lo, currency), format_money(hi, currency),
                 format_date(priced[0]["observed_at"]), format_date(priced[-1]["observed_at"]))
