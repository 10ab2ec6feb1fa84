"""The queue page: open flags by priority, filters, search, claims, bulk verdicts, export."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from pydantic import Field
from fastapi.responses import RedirectResponse, Response

from monitor import review
from monitor.review import Decision, QueueFilters
from monitor.verdicts import DISMISSED
from monitor.web.deps import SQLITE_INT_MAX, FormCtx, ListingId, PageCtx, safe_next
from monitor.i18n import gettext as _, ngettext

router = APIRouter(include_in_schema=False)

FormFlagId = Annotated[int, Field(ge=1, le=SQLITE_INT_MAX)]
FILTER_KEYS = ("status", "category", "mark", "site", "seller", "signal", "min_score", "max_score", "seen_from",
               "seen_to", "q", "mine")


def _int(value: str | None) -> int | None:
    """A number filter of the query string; not a number, or one SQLite cannot hold: no filter."""
    try:
        number = int(value) if value not in (None, "") and len(value) <= 20 else None
    except ValueError:
        return None
    return number if number is not None and abs(number) <= SQLITE_INT_MAX else None


def _score(value: str | None) -> int | None:
    """Scores are 0 to 100: a bound beyond them is held just outside (-1 or 101), which selects the
    same flags and keeps the query's arithmetic (the campaign boost is added) inside SQLite's integers."""
    number = _int(value)
    return None if number is None else max(-1, min(number, 101))


def filters_from(source: Request | Mapping[str, str]) -> QueueFilters:
    """The queue filters of a request's query string (or of a mapping of the same keys)."""
    p = source.query_params if isinstance(source, Request) else source
    status = p.get("status", "open")
    return QueueFilters(
        status=status if status in (*review.FLAG_STATUSES, "all") else "open",
        category=p.get("category", "")[:100], mark=p.get("mark", "")[:100], site=p.get("site", "")[:100],
        seller=p.get("seller", "")[:300], signal=p.get("signal", "")[:100],
        min_score=_score(p.get("min_score")), max_score=_score(p.get("max_score")),
        seen_from=p.get("seen_from", "")[:10], seen_to=p.get("seen_to", "")[:10], q=p.get("q", "")[:200],
        mine=p.get("mine") == "1")


def cursor(value: str) -> str:
    """A queue cursor sent back by a client. One whose numbers SQLite cannot hold is dropped (the
    first page), as an undecodable one is (review.decode_cursor); it would overflow in the query."""
    decoded = review.decode_cursor(value) if value else None
    if decoded and any(abs(n) > SQLITE_INT_MAX for n in (decoded[0], decoded[2])):
        return ""
    return value


def query_string(request: Request | Mapping[str, str], **changes) -> str:
    """The queue filters of the request (only those set) as a query string, with changes."""
    source = request.query_params if isinstance(request, Request) else request
    params = {k: v for k, v in source.items() if k in FILTER_KEYS and v}
    params.update({k: v for k, v in changes.items() if v is not None})
    params = {k: v for k, v in params.items() if v != ""}
    return urlencode(params)


def count_cache(request: Request) -> review.CountCache:
    return request.app.state.counts


@router.get("/")
def queue_page(ctx: PageCtx, after: Annotated[str, Query(max_length=200)] = "",
               before: Annotated[str, Query(max_length=200)] = "", done: Annotated[str, Query(max_length=20)] = "",
               n: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    message = {"verdict": ngettext("Recorded %(num)d verdict.", "Recorded %(num)d verdicts.", n),
               "claim": _("Claimed."), "release": _("Released.")}.get(done, "")
    this_url = str(ctx.request.url.path) + (f"?{ctx.request.url.query}" if ctx.request.url.query else "")
    return _queue(ctx, ctx.request.query_params, this_url, after=after, before=before, message=message)


def _queue(ctx, params: Mapping[str, str], this_url: str, *, after: str = "", before: str = "", message: str = "",
           error: str = "", form: dict | None = None, status_code: int = 200) -> Response:
    """The queue page for the filters in ``params`` (a query string's keys); ``form``: a refused
    bulk verdict's values (the ticked flags, verdict, reason, note), shown again with ``error``."""
    filters = filters_from(params)
    page = review.queue_page(ctx.db, filters, ctx.user, after=cursor(after), before=cursor(before),
                             limit=review.PAGE_SIZE, count_cache=count_cache(ctx.request))
    return ctx.render("queue.html", status_code=status_code, page=page, filters=filters,
                      choices=review.filter_choices(ctx.db), qs=lambda **kw: query_string(params, **kw),
                      after=after or before, message=message, error=error, form=form or {},
                      filter_qs=query_string(params), this_url=this_url)


@router.post("/bulk")
def bulk_verdict(ctx: FormCtx, flag: Annotated[list[FormFlagId], Form()] = [],  # noqa: B006 (FastAPI form default)
                 verdict: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                 note: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "/") -> Response:
    """Record the verdict for the ticked rows; refused (nothing ticked, no reason to dismiss, ...):
    the queue the form came from again, the rows still ticked and the choices kept, with the error."""
    target = safe_next(back)
    try:
        if not flag:
            raise review.ReviewError(_("Select at least one listing (the boxes in the first column)."))
        if verdict == DISMISSED and not reason.strip():
            raise review.ReviewError(_("Choose the reason for dismissing (the Reason list)."))
        result = review.record_verdicts(ctx.db, ctx.user, [Decision(f, verdict, reason, note) for f in flag[:500]],
                                        ip=ctx.ip)
    except review.ReviewError as exc:
        parts = urlsplit(target)
        params = dict(parse_qsl(parts.query[:2000]))
        form = {"flags": set(flag), "verdict": verdict, "reason": reason, "note": note[:4000]}
        return _queue(ctx, params, target, after=params.get("after", "")[:200], before=params.get("before", "")[:200],
                      error=str(exc), form=form, status_code=exc.status if exc.status != 404 else 400)
    count_cache(ctx.request).clear()
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done=verdict&n={len(result.review_ids)}", status_code=303)


@router.post("/listing/{listing_id}/claim")
def claim(ctx: FormCtx, listing_id: ListingId, action: Annotated[str, Form()] = "claim",
          assignee: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    review.claim(ctx.db, ctx.user, listing_id, assignee=assignee.strip() or None, release=action == "release",
                 ip=ctx.ip)
    count_cache(ctx.request).clear()
    target = safe_next(back, f"/listing/{listing_id}")
    return RedirectResponse(target, status_code=303)


def _cell(value) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is read as text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/export.csv")
def export(ctx: PageCtx) -> Response:
    ctx.require("lead")
    filters = filters_from(ctx.request)
    page = review.queue_page(ctx.db, filters, ctx.user, limit=10000, counts=False)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["flag_id", "listing_id", "status", "score", "category", "site", "title", "price", "currency",
               "seller_id", "seller_name", "signals", "marks", "verdict", "claimed_by", "first_seen", "last_seen"]
    writer.writerow(columns)
    for row in page["items"]:
        row = {**row, "signals": " ".join(row["signals"]), "marks": " ".join(row["marks"])}
        writer.writerow([_cell(row.get(c)) for c in columns])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="queue.csv"'})
