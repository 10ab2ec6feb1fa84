"""Referral packages: the transfer of clues about one seller to a market regulator or a police
unit, between agencies and regions.

A signed, timestamped WACZ file (``wacz``): ``package/referral.json`` (schema
``schemas/referral-2.json``, validated before anything is written), ``package/summary.html``
and ``package/summary.pdf`` for people, the kept WARC records, and per listing the screenshots
and ``listing.json`` exactly as in a case package, all listed in ``datapackage.json`` with
their SHA-256 (``monitor evidence verify PACKAGE.wacz``). It says who issues it (organisation, contact), when, under which case
reference, the seller's identity data found (shop names and URLs, seller ids per site,
locations, phone numbers, WeChat / QQ ids, credit codes and licence numbers, each with the
listing it came from), the listings with their verdicts, and notices already sent.
"""

from __future__ import annotations

import copy
import json
import os
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from sqlite_utils import Database

from monitor import __version__
from monitor.evidence.paths import evidence_root
from monitor.export.case import (CaseError, CaseSpec, case_listings, document_env, pack_listing, package_settings,
                                 proof_sentence, summary_of)
from monitor.export.identity import find_in_listing, group_identifiers, kind_label
from monitor.export.package import safe_part
from monitor.export.wacz import WaczWriter
from monitor.export.words import notice_status
from monitor.export.rightsholder import issuing_organisation, load_rights_holder
from monitor.i18n import current, use_locale
from monitor.i18n import gettext as _
from monitor.listing import utc_now
from monitor.rules.explain import explain

HERE = Path(__file__).parent
SCHEMA_PATH = HERE / "schemas" / "referral-2.json"
SCHEMA_NAME = "listing-monitor/referral-2"
REFERRAL_JSON = "package/referral.json"
SUMMARY_HTML = "package/summary.html"
SUMMARY_PDF = "package/summary.pdf"


class ReferralError(ValueError):
    pass


@lru_cache(maxsize=1)
def referral_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Where ``document`` breaks the referral schema: ``path: message`` each (empty: valid)."""
    validator = Draft202012Validator(referral_schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]


@dataclass
class ReferralSpec:
    seller: str
    organisation: dict[str, Any]
    site: str | None = None
    include_open: bool = False
    case_reference: str | None = None
    lang: str | None = None  # the cover pages' language (zh_CN, en); None: the current locale
    # A referral's own listings (the review app's download): exactly these, not all the seller's.
    listings: tuple[int, ...] = ()


def organisation_from(rights_holder: Path | None = None, name: str | None = None,
                      contact: str | None = None) -> dict[str, Any]:
    """The issuing organisation: from the YAML file (its organisation:, else agent:, else
    rights_holder:), or a name with a contact given on the command line (which win)."""
    org: dict[str, Any] = {}
    if rights_holder is not None:
        org = issuing_organisation(load_rights_holder(rights_holder))  # YamlError names file, line and field
    if name:
        org = {"name": name.strip(), "contact": {"text": contact.strip()} if contact else org.get("contact", {})}
    elif contact:
        org["contact"] = {"text": contact.strip()}
    if not org.get("name"):
        raise ReferralError("say who issues the referral: --rights-holder FILE (its organisation: section) or "
                            "--organisation NAME --contact TEXT")
    if not org.get("contact"):
        raise ReferralError("a referral needs a contact: --contact \"name, phone, e-mail\" (or contact: in the "
                            "organisation file)")
    return org


def _json(text: Any, default: Any) -> Any:
    try:
        return json.loads(text) if text else default
    except (TypeError, ValueError):
        return default


def _chosen_flag(flags: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest confirmed flag, else the latest one."""
    if not flags:
        return None
    return next((f for f in reversed(flags) if f["status"] == "confirmed"), flags[-1])


def _flag_entry(flags: list[dict[str, Any]]) -> dict[str, Any] | None:
    flag = _chosen_flag(flags)
    if flag is None:
        return None
    signals = []
    for s in flag.get("signals") or []:
        if not isinstance(s, dict):
            continue
        signals.append({"name": str(s.get("name", "")), "kind": str(s.get("kind", "")),
                        "strength": float(s.get("strength") or 0), "explanation": str(s.get("explanation", "")),
                        "mark": s.get("mark"),
                        "evidence": [{"field": str(e.get("field", "")), "text": str(e.get("text", ""))}
                                     for e in s.get("evidence") or [] if isinstance(e, dict)]})
    return {"id": flag["id"], "status": flag["status"], "score": int(flag["score"]), "threshold": flag.get("threshold"),
            "marks": sorted({s["mark"] for s in signals if s["mark"]} | set((flag.get("marks") or "").split())),
            "rules_version": flag["rules_version"], "created_at": flag["created_at"], "signals": signals}


def _listing_entry(item: dict[str, Any]) -> dict[str, Any]:
    l = item["listing"]
    return {
        "id": l["id"], "site": l["site"], "listing_id": l["listing_id"], "url": l["url"], "title": l.get("title"),
        "seller_id": l.get("seller_id"), "seller_name": l.get("seller_name"), "price": l.get("price"),
        "currency": l.get("currency"), "category": l.get("category"), "first_seen": l["first_seen"],
        "last_seen": l["last_seen"], "removed_at": l.get("removed_at"), "relisted_of": l.get("relisted_of"),
        "flag": _flag_entry(item["flags"]),
        "verdicts": [{k: v.get(k) for k in ("verdict", "reason", "note", "analyst", "decided_at")}
                     for v in item["verdicts"]],
        "evidence": [{"id": e["id"], "kind": e["kind"], "url": e["url"], "sha256": e["sha256"],
                      "captured_at": e["captured_at"], "http_status": e.get("http_status"),
                      "server_ip": e.get("server_ip"), "packed_as": e.get("packed_as"),
                      "intact_at_packing": bool(e.get("intact_at_packing"))} for e in item["evidence"]],
        "folder": item["folder"],
    }


def _add_unique(values: list[str], value: Any) -> None:
    if value not in (None, "") and str(value) not in values:
        values.append(str(value))


def _sellers(db: Database, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["site"], row.get("seller_id") or "")
        entry = out.get(key)
        if entry is None:
            known = next(iter(db.execute_returning_dicts(
                "SELECT * FROM sellers WHERE site = ? AND seller_id = ?", list(key))), {})
            entry = out[key] = {"site": key[0], "seller_id": key[1], "shop_names": [], "shop_urls": [], "locations": [],
                                "rating": known.get("rating"), "rating_count": known.get("rating_count"),
                                "first_seen": known.get("first_seen"), "last_seen": known.get("last_seen"),
                                "listings": 0}
            _add_unique(entry["shop_names"], known.get("name"))
            _add_unique(entry["shop_urls"], known.get("url"))
            _add_unique(entry["locations"], known.get("location"))
        entry["listings"] += 1
        _add_unique(entry["shop_names"], row.get("seller_name"))
        _add_unique(entry["shop_urls"], row.get("seller_url"))
        _add_unique(entry["locations"], row.get("seller_location"))
        for (name,) in db.execute("SELECT DISTINCT seller_name FROM observations WHERE listing = ? AND "
                                  "seller_name IS NOT NULL ORDER BY observed_at", [row["id"]]):
            _add_unique(entry["shop_names"], name)
        if entry["first_seen"] is None or row["first_seen"] < entry["first_seen"]:
            entry["first_seen"] = row["first_seen"]
        if entry["last_seen"] is None or row["last_seen"] > entry["last_seen"]:
            entry["last_seen"] = row["last_seen"]
    return list(out.values())


def _also_seen(db: Database, group: dict[str, Any], exclude: set[int], limit: int = 20) -> list[dict[str, Any]]:
    """Other listings whose title or description contains the value (full-text, trigram)."""
    if group["kind"] == "address":
        return []
    forms = [f for f in dict.fromkeys([group["value"], *group["as_written"]]) if len(f) >= 3]
    if not forms:
        return []
    query = " OR ".join('"' + f.replace('"', '""') + '"' for f in forms)
    try:
        rows = db.execute_returning_dicts(
            "SELECT l.id, l.site, l.listing_id, l.seller_id, l.url FROM listings_fts JOIN listings l "
            "ON l.id = listings_fts.rowid WHERE listings_fts MATCH ? ORDER BY l.id LIMIT ?",
            [query, limit + len(exclude)])
        found = [r for r in rows if r["id"] not in exclude]
    except sqlite3.OperationalError:
        return []
    return [{"listing": r["id"], "site": r["site"], "listing_id": r["listing_id"], "seller_id": r["seller_id"],
             "url": r["url"]} for r in found[:limit]]


def _notices(db: Database, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    try:
        return list(db.execute_returning_dicts(
            f"SELECT n.id AS notice, i.listing, n.platform, n.status, n.created_at, n.sent_at, n.outcome_at "
            f"FROM notice_items i JOIN notices n ON n.id = i.notice WHERE i.listing IN ({marks}) "
            f"ORDER BY n.id, i.listing", ids))
    except sqlite3.OperationalError:  # a store from before notices
        return []


def referral_document(db: Database, spec: ReferralSpec, rows: list[dict[str, Any]], items: list[dict[str, Any]],
                      *, created: str, actor: str, reference: str) -> dict[str, Any]:
    hits = []
    for item in items:
        listing = dict(item["listing"])
        listing["attributes"] = listing.get("attributes") if isinstance(listing.get("attributes"), dict) else \
            _json(listing.get("attributes"), {})
        hits += find_in_listing(listing)
    identifiers = group_identifiers(hits)
    ids = {r["id"] for r in rows}
    for group in identifiers:
        group["also_seen"] = _also_seen(db, group, ids)
    listings = [_listing_entry(it) for it in items]
    marks = sorted({m for l in listings if l["flag"] for m in l["flag"]["marks"]})
    return {
        "schema": SCHEMA_NAME,
        "case_reference": reference,
        "created_at": created,
        "created_by": actor,
        "generator": {"name": "listing-monitor", "version": __version__},
        "issuing_organisation": spec.organisation,
        "subject": {"seller_id": spec.seller, "site": spec.site},
        "summary": {
            "listings": len(listings),
            "confirmed": sum(1 for l in listings if l["flag"] and l["flag"]["status"] == "confirmed"),
            "sites": sorted({l["site"] for l in listings}), "marks": marks,
            "categories": sorted({l["category"] for l in listings if l["category"]}),
            "first_seen": min((l["first_seen"] for l in listings), default=None),
            "last_seen": max((l["last_seen"] for l in listings), default=None),
            "provinces": sorted({g["region"]["province"] for g in identifiers if g.get("region")}),
        },
        "sellers": _sellers(db, rows),
        "identifiers": identifiers,
        "listings": listings,
        "notices": _notices(db, sorted(ids)),
        "files": {"summary_html": SUMMARY_HTML, "summary_pdf": SUMMARY_PDF, "manifest": "datapackage.json"},
    }


def default_reference(seller: str, created: str) -> str:
    return f"LM-R-{created.replace('-', '').replace(':', '')}-{safe_part(seller, 30)}"


def build_referral(db: Database, db_path: Path, spec: ReferralSpec, out: Path,
                   *, actor: str = "cli") -> tuple[dict[str, Any], dict[str, Any]]:
    """Write the package (a signed, timestamped WACZ, see ``wacz``; to a temporary file renamed
    into place: never half a package at ``out``); returns (summary, referral document)."""
    try:
        rows = case_listings(db, CaseSpec(seller=spec.seller, site=spec.site, include_open=spec.include_open,
                                          listings=spec.listings))
    except CaseError as exc:
        raise ReferralError(str(exc)) from None
    created = utc_now()
    reference = spec.case_reference or default_reference(spec.seller, created)
    title = f"Referral {reference}: seller {spec.seller}" + (f" on {spec.site}" if spec.site else "")
    meta = {"package": "listing-monitor referral", "created_by": actor, "crawler_version": __version__,
            "case_reference": reference, "seller": spec.seller, "site": spec.site,
            "listings": [r["id"] for r in rows], "issuing_organisation": spec.organisation.get("name"),
            "schema": SCHEMA_NAME}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    writer = WaczWriter(tmp, title, meta, created)
    try:
        root = evidence_root(db_path)
        items = [pack_listing(db, writer, root, row) for row in rows]
        document = referral_document(db, spec, rows, items, created=created, actor=actor, reference=reference)
        errors = schema_errors(document)
        if errors:
            raise ReferralError("referral.json would not match its schema (nothing written):\n  "
                                + "\n  ".join(errors[:20]))
        writer.add_file(REFERRAL_JSON, json.dumps(document, ensure_ascii=False, indent=1).encode(),
                        describes=f"the referral as data ({SCHEMA_NAME}, schema in the listing-monitor sources: "
                                  "monitor/export/schemas/referral-2.json)")
        with use_locale(spec.lang or current()):  # the cover pages in the reader's language; the JSON is data
            view = _localised(document, items)
            page_meta = {**meta, "title": _referral_title(view), "created_at": created,
                         "proof": proof_sentence(package_settings(db_path))}
            view["proof"], view["title"] = page_meta["proof"], page_meta["title"]
            html = document_env().get_template("referral.html").render(doc=view, meta=page_meta, items=items,
                                                                        kind_label=kind_label,
                                                                        notice_status=notice_status)
            pdf = referral_pdf(view)
        writer.add_file(SUMMARY_HTML, html.encode(), describes="readable summary")
        writer.add_file(SUMMARY_PDF, pdf, describes="readable summary (PDF)")
        result = writer.close(**package_settings(db_path))
        os.replace(tmp, out)
    except BaseException:
        writer.abort()
        tmp.unlink(missing_ok=True)
        raise
    return summary_of(result, meta), document


def _localised(document: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The document as the cover pages show it: each signal explained in the current locale from
    its message (referral.json keeps the schema's English ``explanation``)."""
    view = copy.deepcopy(document)
    for entry, item in zip(view["listings"], items):
        flag = _chosen_flag(item["flags"])
        if entry.get("flag") and flag:
            raw = [s for s in flag.get("signals") or [] if isinstance(s, dict)]
            for shown, signal in zip(entry["flag"]["signals"], raw):
                shown["explanation"] = explain(signal)
    return view


def _referral_title(doc: dict[str, Any]) -> str:
    subject = doc["subject"]
    if subject["site"]:
        return _("Referral %(reference)s: seller %(seller)s on %(site)s", reference=doc["case_reference"],
                 seller=subject["seller_id"], site=subject["site"])
    return _("Referral %(reference)s: seller %(seller)s", reference=doc["case_reference"], seller=subject["seller_id"])


def referral_pdf(doc: dict[str, Any]) -> bytes:
    """The cover page as PDF in the current locale (monitor/export/referral_pdf.py)."""
    # lazy: fpdf2 costs ~0.5 s; `monitor export` imports this module for every export format
    from monitor.export.referral_pdf import referral_pdf as render_pdf

    return render_pdf(doc)
