"""The report as one self-contained HTML file: charts are PNG data: URIs, the style is inline,
and a Content-Security-Policy lets the page load nothing from anywhere. Scraped text (seller
names) goes through Jinja2's autoescaping."""

from __future__ import annotations

import base64
import unicodedata
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from monitor import __version__
from monitor.i18n import current, install_jinja
from monitor.report.data import fmt_value, report_title


def _visible(value: Any) -> Any:
    """Every value printed: control and format characters (bidi overrides that would show a
    name backwards, zero-width characters) dropped; Jinja2 escapes the rest."""
    if isinstance(value, str) and not value.startswith("data:image/png;base64,"):
        text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t" else c for c in value)
        return Markup(text) if isinstance(value, Markup) else text  # already escaped (e.g. by |join): keep it so
    return value


def _env() -> Environment:
    env = Environment(loader=PackageLoader("monitor.report", "templates"),
                      autoescape=select_autoescape(["html"], default=True), trim_blocks=True, lstrip_blocks=True,
                      finalize=_visible)
    env.filters["pct"] = lambda v: fmt_value("rate", v)
    env.filters["hours"] = lambda v: fmt_value("hours", v)
    install_jinja(env)  # _() and ngettext() in the locale current when rendering
    return env


def data_uri(png: bytes | None) -> str | None:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else None


def render_html(data: dict[str, Any], charts: dict[str, bytes | None]) -> bytes:
    images = {name: data_uri(png) for name, png in charts.items()}
    html = _env().get_template("report.html").render(d=data, cur=data["current"], prev=data["prev"], img=images,
                                                     version=__version__, title=report_title(data),
                                                     lang_tag="zh-CN" if current() == "zh_CN" else "en")
    return html.encode("utf-8")
