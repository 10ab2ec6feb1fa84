"""The listing page: every field, signals with highlighted evidence, price history, seller
panel, audit trail, and the verdict form."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from monitor.casework.complaints_rules import status_labels as status_labels_of_complaints
from monitor.evidence.records import evidence_for_listing
from monitor import review
from monitor.review import Decision
from monitor.urls import http_link
from monitor.web.deps import SQLITE_INT_MAX, FormCtx, ListingId, PageCtx
from monitor.web.queue import filters_from, query_string
from monitor.web.render import highlight, price_chart, spans_by_field
from monitor.i18n import N_, gettext as _
from monitor.verdicts import reason_label, status_label, verdict_label

router = APIRouter(include_in_schema=False)

SHOWN_FIELDS = ("site", "listing_id", "brand", "category", "price", "currency", "currency_raw", "availability",
                "seller_id", "seller_name", "seller_url", "seller_location", "seller_rating", "seller_rating_count",
                "sku", "mpn", "gtin", "http_status", "first_seen", "last_seen", "removed_at", "score", "scored_at",
                "rules_version", "last_run_id")


class NotFound(review.ReviewError):
    def __init__(self, message: str):
        super().__init__(message, 404)


# The listing's audit actions and the keys of their before/after values, as the audit trail
# names them (an action or key not listed is shown as stored).
AUDIT_ACTIONS = {"verdict": N_("verdict recorded"), "claim": N_("claimed"), "assign": N_("assigned"),
                 "release": N_("released"), "sample_check": N_("sampling check recorded")}
AUDIT_KEYS = {"flag": N_("flag"), "status": N_("status"), "verdict": N_("verdict"), "reason": N_("Reason"),
              "note": N_("Note"), "review": N_("verdict no."), "analyst": N_("analyst"), "sample": N_("sample"),
              "item": N_("sampled listing no."), "decided_by": N_("decided by")}
AUDIT_VALUES = {"verdict": verdict_label, "reason": reason_label, "status": status_label}


def _load(text):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def audit_lines(value) -> list[tuple[str, str]]:
    """A stored before/after value as (label, text) lines for a person: keys as words, codes as
    their labels, text as written (the template escapes it); keys without a value are left out."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [("", value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))]
    lines = []
    for key, item in value.items():
        if item is None or item == "":
            continue
        if key in AUDIT_VALUES and isinstance(item, str):
            text = AUDIT_VALUES[key](item)
        elif isinstance(item, str):
            text = item
        else:
            text = json.dumps(item, ensure_ascii=False)
        lines.append((_(AUDIT_KEYS[key]) if key in AUDIT_KEYS else key, text))
    return lines


def _audit_view(rows):
    return [{**row, "action_label": _(AUDIT_ACTIONS[row["action"]]) if row["action"] in AUDIT_ACTIONS else row["action"],
             "before_lines": audit_lines(_load(row["before"])), "after_lines": audit_lines(_load(row["after"]))}
            for row in rows]


def complaints_of(db, listing_id: int, flags: list[dict]) -> list[dict]:
    """The complaints about the listing (by its URL, or behind one of its flags), open ones first:
    a flag a complaint raised may have no signals and a low score, and is queued for its deadline."""
    behind = sorted({int(f["complaint"]) for f in flags if f.get("complaint")})
    rows = db.execute_returning_dicts(
        "SELECT id, received_on, deadline, status FROM complaints WHERE listing = ? OR id IN "
        f"({', '.join('?' * len(behind)) or 'NULL'}) ORDER BY status IN ('answered', 'closed'), deadline, id",
        [listing_id, *behind])
    labels = status_labels_of_complaints()
    return [{**r, "status_label": labels.get(r["status"], r["status"])} for r in rows]


def _queue_qs(raw: str) -> str:
    """The queue filters carried from the queue (query string form), only the known keys."""
    return query_string(dict(parse_qsl(raw[:2000], keep_blank_values=False)))


def _with(qs: str, **extra: str) -> str:
    """"?qs&extra" (or "" when there is nothing)."""
    parts = [p for p in (qs, urlencode({k: v for k, v in extra.items() if v})) if p]
    return "?" + "&".join(parts) if parts else ""


@router.get("/listing/{listing_id}")
def listing_page(ctx: PageCtx, listing_id: ListingId, images: Annotated[int, Query(ge=0, le=1)] = 0,
                 done: Annotated[str, Query(max_length=20)] = "") -> Response:
    """The listing; the query string may carry the queue filters the analyst came from
    (status, category, site, ...): previous/next (k/j) then walk that filtered queue."""
    detail = review.listing_detail(ctx.db, listing_id)
    if not detail:
        raise NotFound(_("listing %(id)s not found", id=listing_id))
    listing, flag = detail["listing"], detail["flag"]
    spans = spans_by_field(flag["signals"]) if flag else {}
    highlighted = {name: highlight(listing.get(name), spans.get(name)) for name in ("title", "description")}
    attributes = [(key, highlight(value, spans.get(f"attributes.{key}"))) for key, value in listing["attributes"].items()]
    other_fields = [(name, highlight(None if listing.get(name) is None else str(listing.get(name)), spans.get(name)))
                    for name in SHOWN_FIELDS]
    image_links = [(url, http_link(url)) for url in listing["images"]]
    captures = evidence_for_listing(ctx.db, listing_id)
    page_capture = next((c for c in captures if c["kind"] in ("response", "rendered") and c["offset"] is not None), None)
    shot = next((c for c in captures if c["kind"] == "screenshot"), None)
    qs = query_string(ctx.request)
    filters = filters_from(ctx.request)
    prev_id, next_id = review.neighbours(ctx.db, flag, filters, ctx.user) if flag else (None, None)
    return ctx.render(
        "listing.html", d=detail, listing=listing, flag=flag, highlighted=highlighted, attributes=attributes,
        other_fields=other_fields, image_links=image_links, show_images=images == 1,
        chart=price_chart(detail["history"]), audit=_audit_view(detail["audit"]), prev_id=prev_id,
        next_id=next_id, captures=captures, page_capture=page_capture, shot=shot, message=_("Verdict recorded.") if done == "verdict" else "",
        complaints=complaints_of(ctx.db, listing_id, detail["flags"]), url_ok=http_link, qs=qs, q=_with(qs), this_url=f"/listing/{listing_id}" + _with(qs))


@router.post("/listing/{listing_id}/verdict")
def verdict(ctx: FormCtx, listing_id: ListingId, flag: Annotated[int, Form(ge=1, le=SQLITE_INT_MAX)], verdict: Annotated[str, Form()] = "",
            reason: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
            then: Annotated[str, Form()] = "next", queue: Annotated[str, Form()] = "") -> Response:
    row = ctx.db.execute("SELECT listing, priority, category, id FROM flags WHERE id = ?", [flag]).fetchone()
    if not row or row[0] != listing_id:
        raise NotFound(_("flag %(flag)s of listing %(id)s not found", flag=flag, id=listing_id))
    review.record_verdicts(ctx.db, ctx.user, [Decision(flag, verdict, reason, note)], ip=ctx.ip)
    ctx.request.app.state.counts.clear()
    qs = _queue_qs(queue)  # the queue filters the analyst came with: "next" stays in them
    if then == "next":
        _, next_id = review.neighbours(ctx.db, {"listing": listing_id, "priority": row[1], "category": row[2],
                                                "id": row[3]}, filters_from(dict(parse_qsl(qs))), ctx.user)
        if next_id:
            return RedirectResponse(f"/listing/{next_id}" + _with(qs, done="verdict"), status_code=303)
        return RedirectResponse("/" + _with(qs, done="verdict", n="1"), status_code=303)
    return RedirectResponse(f"/listing/{listing_id}" + _with(qs, done="verdict"), status_code=303)
