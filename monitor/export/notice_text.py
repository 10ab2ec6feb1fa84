"""The words of a takedown notice: scraped text flattened to one plain line, the reason a listing
is named, the parties, and the template (``rules/notices/<platform>.<lang>.txt.j2``, else
``default.<lang>.txt.j2``) rendered as plain text and checked to say everything a notice needs.

Scraped text is written by the people the notice is about, so every value is flattened to one
line of printable text first (no control or bidirectional-override characters, no line breaks
that could forge a paragraph); URLs go through ``monitor.urls.safe_http_url``. Autoescaping is off
because the output is not HTML.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from monitor.export.words import capture_time
from monitor.i18n import format_date, use_locale
from monitor.i18n import gettext as _
from monitor.review.outcomes import NoticeError
from monitor.rules.explain import N_, explain

if TYPE_CHECKING:
    from monitor.export.notices import NoticeDraft

_SITE = re.compile(r"^[A-Za-z0-9_-]+$")

# What the verdict says about the listing, as a notice words it (translated through documents.po).
VERDICT_LABELS = {"confirmed_counterfeit": N_("Confirmed as counterfeit goods on review"),
                  "confirmed_infringement": N_("Confirmed as trademark infringement on review"),
                  "regulatory_violation": N_("Confirmed on review as a regulatory violation involving the mark"),
                  None: N_("Confirmed on review")}
# A notice's language ("zh", "en": the template's suffix) -> the catalogue's locale.
NOTICE_LOCALES = {"zh": "zh_CN", "en": "en"}


def plain(value: Any, limit: int = 300) -> str:
    """One line of printable text: control, format (bidi overrides, zero-width) and separator
    characters become spaces, runs of spaces one space; cut at ``limit`` characters."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        out.append(" " if cat[0] in "CZ" or ch.isspace() else ch)
    text = re.sub(r" {2,}", " ", "".join(out)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notices_dir(rules: Path) -> Path:
    return rules / "notices"


def template_for(rules: Path, platform: str, lang: str) -> Path:
    """``<platform>.<lang>.txt.j2`` when the platform has its own wording, else the default."""
    folder = notices_dir(rules)
    if _SITE.match(platform):
        own = folder / f"{platform}.{lang}.txt.j2"
        if own.is_file():
            return own
    return folder / f"default.{lang}.txt.j2"


def flag_signals(flag: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        signals = json.loads(flag.get("signals") or "[]")
    except ValueError:
        return []
    return [s for s in signals if isinstance(s, dict)]


def reason_for(flag: dict[str, Any], verdict: dict[str, Any] | None, mark: str, lang: str) -> tuple[str, list[str]]:
    """The reason a listing is named: the verdict, then the explanations of the signals that
    concern this mark (or no mark); mitigating context and signals about other marks are left
    out. Returns (reason, explanations); empty explanations mean there is no reason to give.
    Everything is in the notice's language: the signals' explanations through their messages
    (``monitor.rules.explain``; a flag stored before explanations had messages keeps its English)."""
    with use_locale(NOTICE_LOCALES[lang]):
        explanations = []
        for s in flag_signals(flag):
            if s.get("kind") == "mitigating" or not s.get("explanation") or float(s.get("strength") or 0) <= 0:
                continue
            if s.get("mark") and s["mark"].casefold() != mark.casefold():
                continue
            text = plain(explain(s), 240)
            if text and text not in explanations:
                explanations.append(text)
        if not explanations:
            return "", []
        label = _(VERDICT_LABELS.get(verdict["verdict"] if verdict else None, VERDICT_LABELS[None]))
        day = format_date(verdict["decided_at"][:10]) if verdict and verdict.get("decided_at") else ""  # 2026年12月7日
        grounds = _("; ").join(explanations)
        if day:
            return _("%(verdict)s (%(day)s). Grounds: %(grounds)s.", verdict=label, day=day, grounds=grounds), explanations
        return _("%(verdict)s. Grounds: %(grounds)s.", verdict=label, grounds=grounds), explanations


PARTY_KEYS = ("name", "name_zh", "address", "address_zh", "authorisation", "unit")
SIGNATORY_KEYS = ("name", "name_zh", "title", "title_zh")


def party(data: dict[str, Any] | None, keys: tuple[str, ...] = PARTY_KEYS) -> dict[str, Any] | None:
    """Every optional key present ("" when not given), so templates can test them plainly."""
    if not data:
        return None
    out = {k: plain(data.get(k), 400) for k in keys}
    if "contact" in data or keys is PARTY_KEYS:
        contact = data.get("contact") or {}
        out["contact"] = {k: plain(contact.get(k), 200) for k in ("person", "email", "phone")}
    if "marks" in data:
        out["marks"] = [plain(m, 120) for m in data["marks"]]
    return out


def shown(draft: NoticeDraft, notice: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The notice and its items as the template shows them: ``notice.date`` and each item's
    ``evidence.captured`` as the notice's language writes them (2026年12月7日, 2026年12月7日
    08:00:13 UTC / December 7, 2026); the ISO values stay beside them (``notice.date_iso``,
    ``evidence.captured_at``), and what is stored and returned is unchanged."""
    with use_locale(NOTICE_LOCALES.get(draft.context["lang"], draft.context["lang"])):
        view = {**notice, "date": format_date(notice["date"]), "date_iso": notice["date"]}
        items = [{**it, "evidence": {**it["evidence"], "captured": capture_time(it["evidence"]["captured_at"])}}
                 if it.get("evidence") else it for it in draft.items]
    return view, items


def render(draft: NoticeDraft, notice: dict[str, Any]) -> str:
    view, items = shown(draft, notice)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(draft.template.parent)), autoescape=False,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                             lstrip_blocks=True)
    try:
        text = env.get_template(draft.template.name).render(**{**draft.context, "items": items}, notice=view)
    except jinja2.TemplateSyntaxError as exc:
        raise NoticeError(f"{draft.template}:{exc.lineno}: template error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise NoticeError(f"{draft.template}: template error: {exc}") from None
    # A template edited by hand must still say everything a notice needs.
    missing = []
    ctx = draft.context
    needed = [("the rights holder's name", ctx["rights_holder"]["name"]), ("the mark", ctx["mark"]["name"]),
              ("the signatory", ctx["signatory"]["name"])]
    needed += [(f"registration {r}", r) for r in ctx["mark"]["registrations"]]
    for it in draft.items:
        needed += [(f"the URL of listing {it['listing']}", it["url"]), (f"the reason for listing {it['listing']}",
                                                                          it["reason"])]
    for what, value in needed:
        if value and value not in text:
            missing.append(what)
    if missing:
        raise NoticeError(f"{draft.template}: the template leaves out {', '.join(missing)}; every notice must name "
                          "them (see rules/notices/README.md)")
    return text


