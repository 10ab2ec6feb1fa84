"""Pages and API of the complaints casework (issue 14; monitor/casework/complaints*.py does the work).

- GET /complaints: the list (status, deadline, working days left; near and past deadline
  highlighted) and the intake form; POST /complaints takes the form.
- GET /complaints/{id}: one complaint; POST /complaints/{id}/status moves it on.
- POST /api/complaints: the same intake as JSON (API token, or the cookie with X-CSRF-Token).

The complainant is shown to leads only (``complaint_view``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from monitor.casework import complaints as service
from monitor.casework.complaints_rules import (KINDS, MAX_COMPLAINANT, MAX_OUTCOME, MAX_TEXT, SOURCES, STATUSES,
                                               ComplaintError, ComplaintSettings, load_settings, source_labels,
                                               status_labels)
from monitor.casework.complaints_stats import complaint_counts
from monitor.i18n import gettext, ngettext
from monitor.periods import office_today
from monitor.settings import resolve_config_path
from monitor.web.api import ErrorOut, _errors
from monitor.web.deps import SQLITE_INT_MAX, ApiCtx, Ctx, FormCtx, PageCtx, row_id

router = APIRouter()
ComplaintId = Annotated[int, row_id("complaint")]
EMPTY_FORM = {"url": "", "kind": "listing", "source": "", "received_on": "", "complainant": "", "text": ""}


def complaint_settings(request: Request) -> ComplaintSettings:
    """monitor.yaml's ``complaints:`` section and site overrides: the app's config file when it
    was given one (``app.state.config_path``), else the one `monitor schedule` would read."""
    path = getattr(request.app.state, "config_path", None) or resolve_config_path()
    return load_settings(path)


def panel_context(request: Request, db) -> dict[str, Any]:
    """What templates/complaints_panel.html needs, for the dashboard to include it:
    ``ctx.render("dashboard.html", ..., **panel_context(ctx.request, ctx.db))``."""
    settings = complaint_settings(request)
    return {"counts": complaint_counts(db, office_today(), near_days=settings.near_days),
            "STATUS_LABELS": status_labels()}


def _render(ctx: Ctx, template: str, status_code: int = 200, **context: Any) -> Response:
    # The page's own gettext: the same callables monitor.i18n.install_jinja gives an environment.
    return ctx.render(template, status_code=status_code, _=gettext, gettext=gettext, ngettext=ngettext,
                      SOURCE_LABELS=source_labels(), STATUS_LABELS=status_labels(), **context)


def _list_page(ctx: Ctx, *, status: str = "", form: dict | None = None, error: ComplaintError | None = None,
               message: str = "", status_code: int = 200) -> Response:
    settings = complaint_settings(ctx.request)
    today = office_today()
    lead = ctx.user.can("lead")
    rows = [service.complaint_view(r, lead=lead, today=today)
            for r in service.list_complaints(ctx.db, status=status if status in STATUSES else None)]
    counts = complaint_counts(ctx.db, today, near_days=settings.near_days)
    return _render(ctx, "complaints.html", status_code=status_code, rows=rows, counts=counts, lead=lead,
                   near_days=settings.near_days, status=status, form={**EMPTY_FORM, **(form or {})}, error=error, message=message,
                   today=today.isoformat(), SOURCES=SOURCES, KINDS=KINDS, STATUSES=STATUSES)


@router.get("/complaints", include_in_schema=False)
def complaints_page(ctx: PageCtx, status: Annotated[str, Query(max_length=20)] = "",
                    done: Annotated[int, Query(ge=0, le=SQLITE_INT_MAX)] = 0) -> Response:
    message = gettext("Complaint %(id)s recorded.", id=done) if done else ""
    return _list_page(ctx, status=status, message=message)


@router.post("/complaints", include_in_schema=False)
def complaints_form(ctx: FormCtx, url: Annotated[str, Form(max_length=4000)] = "",
                    kind: Annotated[str, Form(max_length=20)] = "listing",
                    source: Annotated[str, Form(max_length=20)] = "",
                    received_on: Annotated[str, Form(max_length=20)] = "",
                    complainant: Annotated[str, Form(max_length=MAX_COMPLAINANT * 2)] = "",
                    text: Annotated[str, Form(max_length=MAX_TEXT * 2)] = "") -> Response:
    form = {"url": url, "kind": kind, "source": source, "received_on": received_on, "complainant": complainant,
            "text": text}
    try:
        row = service.intake(ctx.db, form, actor=ctx.user.name, settings=complaint_settings(ctx.request),
                             db_path=ctx.request.app.state.db_path, ip=ctx.ip)
    except ComplaintError as exc:
        return _list_page(ctx, form=form, error=exc, status_code=400)
    ctx.request.app.state.counts.clear()
    return RedirectResponse(f"/complaints/{row['id']}", status_code=303)


def _detail_page(ctx: Ctx, row: dict[str, Any], *, status_code: int = 200, error: str = "",
                 entered: dict[str, str] | None = None) -> Response:
    """One complaint's page; after a refused change, with the refusal and what the person entered."""
    lead = ctx.user.can("lead")
    flag = ctx.db.execute("SELECT id FROM flags WHERE complaint = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
                          [row["duplicate_of"] or row["id"]]).fetchone()
    duplicates = ctx.db.execute("SELECT id FROM complaints WHERE duplicate_of = ? ORDER BY id", [row["id"]]).fetchall()
    return _render(ctx, "complaints_detail.html", status_code=status_code, c=service.complaint_view(row, lead=lead),
                   lead=lead, flag_id=flag[0] if flag else None, duplicates=[d[0] for d in duplicates], error=error,
                   entered={"status": "", "outcome": "", **(entered or {})}, STATUSES=STATUSES)


def _no_complaint(ctx: Ctx, complaint_id: int) -> Response:
    return _render(ctx, "error.html", status_code=404, title=gettext("Not found"),
                   message=gettext("There is no complaint %(id)s.", id=complaint_id))


@router.get("/complaints/{complaint_id}", include_in_schema=False)
def complaint_page(ctx: PageCtx, complaint_id: ComplaintId) -> Response:
    row = service.get_complaint(ctx.db, complaint_id)
    return _no_complaint(ctx, complaint_id) if row is None else _detail_page(ctx, row)


@router.post("/complaints/{complaint_id}/status", include_in_schema=False)
def complaint_status(ctx: FormCtx, complaint_id: ComplaintId, status: Annotated[str, Form(max_length=20)] = "",
                     outcome: Annotated[str, Form(max_length=MAX_OUTCOME * 2)] = "") -> Response:
    try:
        service.set_status(ctx.db, complaint_id, status, actor=ctx.user.name, outcome=outcome, ip=ctx.ip)
    except ComplaintError as exc:
        row = service.get_complaint(ctx.db, complaint_id)
        if row is None:
            return _no_complaint(ctx, complaint_id)
        return _detail_page(ctx, row, status_code=400, error=exc.shown(),
                            entered={"status": status, "outcome": outcome})
    except LookupError:
        return _no_complaint(ctx, complaint_id)
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


# ------------------------------------------------------------------------------ API
class ComplaintIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000, description="the listing or shop page (http or https)")
    kind: Literal[KINDS] = Field("listing", description="`listing`: crawled at once when the site is known; "  # type: ignore[valid-type]
                                 "`shop`: kept, not crawled")
    source: Literal[SOURCES] = Field(description="12315, 12345, platform, rights_holder or other")  # type: ignore[valid-type]
    received_on: dt.date | None = Field(None, description="YYYY-MM-DD, not in the future; default today")
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="what the complaint says")
    complainant: str | None = Field(None, max_length=MAX_COMPLAINANT,
                                    description="who complained: confidential, shown to leads only, never exported")


class ComplaintOut(BaseModel):
    complaint: dict[str, Any] = Field(description="the stored complaint: deadline (the last working day to answer), "
                                      "crawl_state (crawled, crawl_failed, no_profile, not_crawled, duplicate), "
                                      "listing, duplicate_of; complainant for leads only")
    flag: int | None = Field(description="the open flag that puts its listing in the queue, if any")


@router.post("/api/complaints", tags=["complaints"], operation_id="complaint_create", status_code=201,
             response_model=ComplaintOut, responses=_errors(400, 401, 403, 422))
def api_complaint(ctx: ApiCtx, body: ComplaintIn) -> Any:
    """Take a complaint (投诉举报线索). A listing URL of a known site is crawled at once (evidence
    kept), scored and put in the review queue with its deadline; a duplicate of an open complaint
    on the same page is linked, not crawled. 400: a field refused (a date in the future or beyond
    the working-day calendar, a URL that is not http(s))."""
    raw = body.model_dump()
    try:
        row = service.intake(ctx.db, raw, actor=ctx.user.name, settings=complaint_settings(ctx.request),
                             db_path=ctx.request.app.state.db_path, ip=ctx.ip)
    except ComplaintError as exc:
        return JSONResponse(ErrorOut(error=str(exc)).model_dump(exclude_none=True), status_code=400)
    ctx.request.app.state.counts.clear()
    flag = ctx.db.execute("SELECT id FROM flags WHERE complaint = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
                          [row["duplicate_of"] or row["id"]]).fetchone()
    return {"complaint": service.complaint_view(row, lead=ctx.user.can("lead")), "flag": flag[0] if flag else None}
