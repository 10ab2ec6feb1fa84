"""The referral package's cover page as PDF (fpdf2 with the system's CJK font, ``pdf.py``), in
the current locale: every heading, label and sentence through documents.po, dates, times and
money as the reader writes them (2026年12月7日 08:00 UTC, ¥30.00). What the seller wrote (titles,
shop names, the context an identifier was found in) is shown as captured.

Imported only when a referral's PDF is written (fpdf2 costs ~0.5 s at import).
"""

from __future__ import annotations

from typing import Any

from monitor.export.identity import kind_label
from monitor.export.pdf import SummaryPDF
from monitor.export.words import capture_time, evidence_kind, notice_status
from monitor.i18n import format_date, format_datetime, format_money, ngettext
from monitor.i18n import gettext as _
from monitor.rules.explain import field_words, signal_words
from monitor.verdicts import status_label, verdict_label

def _span(first: Any, last: Any) -> str:
    if not first and not last:
        return ""
    return _("%(first)s to %(last)s", first=format_date(first), last=format_date(last))


def _issuer(org: dict[str, Any]) -> str:
    name = org["name"] + (f" ({org['name_zh']})" if org.get("name_zh") else "")
    parts = [name] + [str(org[k]) for k in ("unit", "address") if org.get(k)]
    contact = _(", ").join(str(v) for v in org["contact"].values())
    return _("Issued by %(issuer)s. Contact: %(contact)s.", issuer=_(", ").join(parts), contact=contact)


def _prepared(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    text = [_("Prepared %(at)s with listing-monitor %(version)s.", at=format_datetime(doc["created_at"]),
              version=doc["generator"]["version"]),
            ngettext("%(num)d listing (%(confirmed)s confirmed) on %(sites)s; marks %(marks)s; seen %(first)s to "
                     "%(last)s.", "%(num)d listings (%(confirmed)s confirmed) on %(sites)s; marks %(marks)s; seen "
                     "%(first)s to %(last)s.", s["listings"], confirmed=s["confirmed"], sites=_(", ").join(s["sites"]),
                     marks=_(", ").join(s["marks"]) or "-", first=format_date(s["first_seen"]),
                     last=format_date(s["last_seen"]))]
    if s["provinces"]:
        text.append(_("Credit codes registered in %(provinces)s.", provinces=_(", ").join(s["provinces"])))
    text += [_("package/referral.json holds all of this as data (schema %(schema)s).", schema=doc["schema"]),
             doc["proof"], "monitor evidence verify PACKAGE.wacz"]
    return " ".join(text)


def referral_pdf(doc: dict[str, Any]) -> bytes:
    """The cover page of ``doc`` (the referral document as the cover shows it) as PDF bytes."""
    pdf = SummaryPDF(_("Referral %(reference)s", reference=doc["case_reference"]))
    pdf.add_page()
    pdf.heading(doc["title"], 15)
    pdf.para(_issuer(doc["issuing_organisation"]))
    pdf.para(_prepared(doc))
    pdf.para(_("Titles, descriptions and names below are the seller's own words as captured."))
    pdf.heading(_("Seller accounts"), 12)
    pdf.grid([_("Site"), _("Seller id"), _("Shop names"), _("Shop URLs"), _("Locations"), _("Seen"), _("Listings")],
             [[x["site"], x["seller_id"], _("; ").join(x["shop_names"]), "; ".join(x["shop_urls"]),
               _("; ").join(x["locations"]), _span(x["first_seen"], x["last_seen"]), x["listings"]]
              for x in doc["sellers"]], (18, 22, 35, 40, 30, 30, 15))
    _identity_section(pdf, doc["identifiers"])
    _listings_section(pdf, doc["listings"])
    if doc["notices"]:
        pdf.heading(_("Takedown notices sent about these listings"), 12)
        pdf.grid([_("Notice"), _("Listing"), _("Platform"), _("Status"), _("Sent at"), _("Outcome")],
                 [[n["notice"], n["listing"], n["platform"], notice_status(n["status"]), format_datetime(n["sent_at"]),
                   format_datetime(n["outcome_at"])] for n in doc["notices"]], (18, 18, 30, 24, 50, 50))
    return bytes(pdf.output())


def _identity_notes(g: dict[str, Any]) -> str:
    note = []
    if g["checksum_valid"] is not None:
        note.append(_("check character right") if g["checksum_valid"]
                    else _("check character wrong") + " " + _("(as written)"))
    if g["region"]:
        note.append(f"{g['region']['province']} ({g['region']['division_code']})")
    if g["label"]:
        note.append(g["label"])
    if g["also_seen"]:
        note.append(_("also in %(listings)s", listings=_(", ").join(
            _("%(site)s %(listing)s (seller %(seller)s)", site=a["site"], listing=a["listing_id"],
              seller=a["seller_id"] or "") for a in g["also_seen"][:5])))
    return _("; ").join(note)


def _identity_section(pdf: SummaryPDF, identifiers: list[dict[str, Any]]) -> None:
    """Each identifier found, where, and what its check character and region code say."""
    pdf.heading(_("Identity data found in the listings"), 12)
    if not identifiers:
        pdf.para(_("No phone number, WeChat / QQ id, e-mail, credit code, licence number or address in the "
                   "listings' text."))
        return
    rows = [[kind_label(g["kind"]), g["value"],
             _("; ").join(f"#{src['listing']} {field_words(src['field'])}: {src['context']}" for src in g["sources"][:5]),
             _identity_notes(g)] for g in identifiers]
    pdf.grid([_("Kind"), _("Value"), _("Found in (listing, field: context)"), _("Checks")], rows, (28, 40, 80, 42))


def _verdict_cell(v: dict[str, Any] | None) -> str:
    if not v:
        return _("not decided")
    return _("%(verdict)s (%(analyst)s, %(day)s)", verdict=verdict_label(v["verdict"]), analyst=v["analyst"],
             day=format_date(v["decided_at"]))


def _listings_section(pdf: SummaryPDF, listings: list[dict[str, Any]]) -> None:
    """The listings table, then per listing its signals and the evidence captured."""
    pdf.heading(_("Listings"), 12)
    pdf.grid(["#", _("Site"), _("Title"), _("URL"), _("Price"), _("Verdict"), _("Removed")],
             [[l["id"], l["site"], l["title"] or "", l["url"], format_money(l["price"], l["currency"]),
               _verdict_cell(l["verdicts"][-1] if l["verdicts"] else None), format_date(l["removed_at"])]
              for l in listings], (8, 16, 48, 46, 16, 38, 18))
    for l in listings:
        pdf.heading(_("Listing %(id)s: %(title)s", id=l["id"], title=l["title"] or _("(no title)")), 10)
        seen = _("First seen %(first)s, last seen %(last)s.", first=format_datetime(l["first_seen"]),
                 last=format_datetime(l["last_seen"]))
        if l["removed_at"]:
            seen += " " + _("Removed %(at)s.", at=format_datetime(l["removed_at"]))
        seller = _("Seller: %(name)s (%(id)s).", name=l["seller_name"] or "", id=l["seller_id"] or "")
        pdf.para(f"{l['url']}\n{seller} {seen}\n{_('Files:')} {l['folder']}/")
        flag = l["flag"]
        if flag:
            pdf.para(_("Flag %(id)s (%(status)s): score %(score)s, threshold %(threshold)s, rules %(rules)s, "
                       "raised %(at)s.", id=flag["id"], status=status_label(flag["status"]), score=flag["score"],
                       threshold=flag["threshold"], rules=flag["rules_version"], at=format_datetime(flag["created_at"])))
            pdf.grid([_("Signal"), _("Explanation"), _("Evidence")],
                     [[signal_words(x["name"]), x["explanation"],
                       _("; ").join(f"{field_words(e['field'])}: {e['text']}" for e in x["evidence"])]
                      for x in flag["signals"]], (30, 100, 60))
        if l["evidence"]:
            pdf.grid([_("Captured"), _("Kind"), "HTTP", _("SHA-256 at capture"), _("Intact")],
                     [[capture_time(e["captured_at"]), evidence_kind(e["kind"]), e["http_status"] or "", e["sha256"],
                       _("yes") if e["intact_at_packing"] else _("NO")] for e in l["evidence"]],
                     (34, 20, 12, 110, 14))
