"""The JSON API under /api/: the same accounts as the pages (API token or session cookie).

Its OpenAPI description (/api/openapi.json) is the contract: every status an operation can
answer is listed on it, every error body is an ``ErrorOut``, every number that reaches SQLite is
bounded (tests/test_api_contract.py fuzzes it with schemathesis)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from monitor import review
from monitor.verdicts import DISMISS_REASON_LABELS, DISMISS_REASONS, DISMISSED, VERDICTS
from monitor.web.deps import ApiCtx, ListingId
from monitor.web.queue import cursor, filters_from
from monitor.i18n import gettext as _, use_locale

router = APIRouter(prefix="/api", tags=["review"])

Verdict = Literal[VERDICTS]  # type: ignore[valid-type]
Reason = Literal[DISMISS_REASONS]  # type: ignore[valid-type]
Status = Literal[(*review.FLAG_STATUSES, "all")]  # type: ignore[valid-type]
# In a JSON body, ids stop at 2**53-1: past it a JSON number is a float in most clients (and in
# schemathesis), which cannot say exactly which integer it is.
JSON_INT_MAX = 2**53 - 1
FlagId = Annotated[int, Field(ge=1, le=JSON_INT_MAX)]


class ErrorItem(BaseModel):
    loc: list[str] = Field(description="where: the part of the request, then the parameter or field")
    msg: str = Field(description="what is wrong with it")


def _zh(message: str) -> str:
    """The Chinese of a label, for the API description read by people of both languages."""
    with use_locale("zh_CN"):
        return _(message)


class ErrorOut(BaseModel):
    """Every error the API answers (4xx) has this body."""
    error: str = Field(description="what went wrong and what to do, for a person")
    detail: list[ErrorItem] | None = Field(None, description="422 only: each invalid parameter or field")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of an operation: each status it can answer besides 200, with ErrorOut."""
    text = {400: "Refused by a review rule (a dismissal without a reason, an assignee who is not an active user)",
            401: "No valid API token or session cookie",
            403: "Not allowed: a role the user lacks, a write with the cookie but without X-CSRF-Token, "
                 "or a write from another site (Origin/Referer)",
            404: "Not found",
            409: "Conflict: the flag was superseded by a newer assessment, or someone else holds the listing",
            422: "The request does not match this description (each problem in `detail`)"}
    return {status: {"model": ErrorOut, "description": text[status]} for status in sorted(statuses)}


def _links(**links: tuple[str, dict[str, str]]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI links of the 200 answer: which operation its values lead to (clients and
    schemathesis' stateful tests follow them)."""
    return {200: {"links": {name: {"operationId": op, "parameters": params} for name, (op, params) in links.items()}}}


READ_ERRORS = (401, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 422)


class MeOut(BaseModel):
    name: str
    role: str
    csrf: str | None = Field(description="the token for X-CSRF-Token (signed in with the cookie), else null")


class QueueOut(BaseModel):
    items: list[dict[str, Any]] = Field(description="flags with their listing, by priority")
    next: str | None = Field(description="pass as `after` for the next page; null on the last page")
    prev: str | None = Field(description="pass as `before` for the previous page; null on the first page")
    counts: dict[str, int] | None = Field(None, description="flags per status under the other filters (may be "
                                          "30 s old); null while they are being counted")


class ListingOut(BaseModel):
    listing: dict[str, Any]
    flag: dict[str, Any] | None = Field(description="the current flag (signals with evidence spans), if any")
    flags: list[dict[str, Any]]
    history: list[dict[str, Any]] = Field(description="observations: price and availability over time")
    reviews: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    seller: dict[str, Any] | None = Field(description="the seller's other listings (as GET /api/seller)")
    claim: dict[str, Any] | None


class SellerOut(BaseModel):
    seller: dict[str, Any]
    names: list[str]
    listings: list[dict[str, Any]]
    sites: list[str]
    case: list[dict[str, Any]] = Field(description="listings with a confirmed verdict")
    verdicts: dict[str, int]


class VerdictIn(BaseModel):
    # A dismissal needs its reason: said in the schema (if/then, OpenAPI 3.1 is JSON Schema 2020-12)
    # and checked here, so the refusal is a 422 naming the field, like every other invalid body.
    # The reason "other" needs its note (review.decisions.validate refuses it with a 400 otherwise).
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": {"properties": {"verdict": {"const": DISMISSED}}, "required": ["verdict"]},
         "then": {"required": ["reason"], "properties": {"reason": {"enum": list(DISMISS_REASONS)}}}},
        {"if": {"properties": {"reason": {"const": "other"}}, "required": ["reason"]},
         "then": {"required": ["note"], "properties": {"note": {"type": "string", "minLength": 1}}}}]})

    flags: list[FlagId] = Field(min_length=1, max_length=500, description="flag ids to decide (one or more)")
    verdict: Verdict
    reason: Reason | None = Field(None, description="required when the verdict is dismissed (`other` with a note): "
                                  + "; ".join(f"`{r}` {label} ({_zh(label)})" for r, label in DISMISS_REASON_LABELS.items()))
    note: str | None = Field(None, max_length=4000)

    @model_validator(mode="after")
    def _dismissal_has_a_reason(self) -> "VerdictIn":
        if self.verdict == DISMISSED and self.reason is None:
            raise PydanticCustomError("missing_reason", "reason: dismissing needs a reason, one of {reasons}",
                                      {"reasons": ", ".join(DISMISS_REASONS)})
        return self


class VerdictOut(BaseModel):
    reviews: list[int]
    listings: list[int]


class ClaimIn(BaseModel):
    assignee: str | None = Field(None, max_length=64, description="leads only: assign to this user")
    release: StrictBool = False


class Claim(BaseModel):
    analyst: str
    claimed_at: str


class ClaimOut(BaseModel):
    claim: Claim | None = Field(description="who holds the listing now; null after a release")


@router.get("/me", operation_id="me", response_model=MeOut, responses=_errors(*READ_ERRORS))
def me(ctx: ApiCtx) -> dict[str, Any]:
    """The signed-in user, and the CSRF token to send in X-CSRF-Token with the session cookie."""
    return {"name": ctx.user.name, "role": ctx.user.role, "csrf": ctx.session.csrf if ctx.session else None}


def _text(max_length: int, description: str) -> Any:
    return Query(max_length=max_length, description=description)


@router.get("/queue", operation_id="queue", response_model=QueueOut, responses={
    **_errors(*READ_ERRORS),
    **_links(FirstListing=("listing", {"listing_id": "$response.body#/items/0/listing_id"}),
             NextPage=("queue", {"after": "$response.body#/next"}))})
def queue(ctx: ApiCtx, request: Request,
          after: Annotated[str, _text(200, "the `next` cursor of the page before")] = "",
          before: Annotated[str, _text(200, "the `prev` cursor of the page after")] = "",
          limit: Annotated[int, Query(ge=1, le=500)] = 50,
          status: Annotated[Status, Query(description="flag status, or all")] = "open",
          category: Annotated[str, _text(100, "a category, e.g. cosmetics")] = "",
          mark: Annotated[str, _text(100, "a watched mark")] = "",
          site: Annotated[str, _text(100, "a site name")] = "",
          seller: Annotated[str, _text(300, "a seller id or name")] = "",
          signal: Annotated[str, _text(100, "a signal name")] = "",
          min_score: Annotated[int | None, Query(ge=0, le=100, description="scores are 0 to 100")] = None,
          max_score: Annotated[int | None, Query(ge=0, le=100, description="scores are 0 to 100")] = None,
          seen_from: Annotated[str, _text(10, "first seen on or after this day, YYYY-MM-DD")] = "",
          seen_to: Annotated[str, _text(10, "first seen on or before this day, YYYY-MM-DD")] = "",
          q: Annotated[str, _text(200, "words of the title or description")] = "") -> dict[str, Any]:
    """Flags by priority (score desc, category, id). Pass `next` back as `after` for the next page,
    `prev` as `before` for the previous one. `counts` (flags per status under the other filters)
    may be up to 30 seconds old."""
    given = {"status": status, "category": category, "mark": mark, "site": site, "seller": seller,
             "signal": signal, "min_score": min_score, "max_score": max_score, "seen_from": seen_from,
             "seen_to": seen_to, "q": q}
    filters = filters_from({k: str(v) for k, v in given.items() if v is not None})
    return review.queue_page(ctx.db, filters, ctx.user, after=cursor(after), before=cursor(before), limit=limit,
                             count_cache=request.app.state.counts)


@router.get("/listing/{listing_id}", operation_id="listing", response_model=ListingOut, responses={
    **_errors(*READ_ERRORS, 404),
    **_links(Claim=("claim", {"listing_id": "$response.body#/listing/id"}),
             Seller=("seller", {"site": "$response.body#/listing/site",
                                "seller_id": "$response.body#/listing/seller_id"}))})
def listing(ctx: ApiCtx, listing_id: ListingId) -> dict[str, Any]:
    """A listing with all its flags (signals, evidence spans), price history, reviews, audit, seller."""
    detail = review.listing_detail(ctx.db, listing_id)
    if not detail:
        raise review.ReviewError(_("listing %(id)s not found", id=listing_id), 404)
    return detail


@router.get("/seller/{site}/{seller_id:path}", operation_id="seller", response_model=SellerOut,
            responses={**_errors(*READ_ERRORS, 404),
                       **_links(FirstListing=("listing", {"listing_id": "$response.body#/listings/0/id"}))})
def seller(ctx: ApiCtx, site: Annotated[str, Path(max_length=100)],
           seller_id: Annotated[str, Path(max_length=300, description="may hold slashes")]) -> dict[str, Any]:
    """All listings of a seller across sites (same id or name), with their verdicts; `case` = confirmed.
    404 when the store knows neither the seller nor any listing of theirs (as the seller page)."""
    summary = review.seller_summary(ctx.db, site, seller_id)
    if not summary["listings"] and not summary["seller"].get("name"):
        raise review.ReviewError(_("seller %(seller)r on %(site)r not found", seller=seller_id, site=site), 404)
    return summary


@router.post("/verdict", operation_id="verdict", response_model=VerdictOut, responses={
    **_errors(*WRITE_ERRORS), **_links(Listing=("listing", {"listing_id": "$response.body#/listings/0"}))})
def verdict(ctx: ApiCtx, body: VerdictIn) -> VerdictOut:
    """Decide one or more flags. Each decision is a new review row and an audit row."""
    result = review.record_verdicts(
        ctx.db, ctx.user, [review.Decision(f, body.verdict, body.reason, body.note) for f in body.flags], ip=ctx.ip)
    ctx.request.app.state.counts.clear()
    return VerdictOut(reviews=result.review_ids, listings=result.listings)


@router.post("/listing/{listing_id}/claim", operation_id="claim", response_model=ClaimOut,
             responses=_errors(*WRITE_ERRORS))
def claim(ctx: ApiCtx, listing_id: ListingId, body: ClaimIn) -> dict[str, Any]:
    """Claim a listing (or release it; leads can assign it to someone else)."""
    result = review.claim(ctx.db, ctx.user, listing_id, assignee=body.assignee, release=body.release, ip=ctx.ip)
    ctx.request.app.state.counts.clear()
    return {"claim": result}
