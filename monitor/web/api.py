"""The JSON API under /api/: the same accounts as the pages (API token or session cookie)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from monitor import review
from monitor.verdicts import DISMISS_REASON_LABELS, DISMISS_REASONS, VERDICTS
from monitor.web.deps import ApiCtx
from monitor.web.queue import filters_from

router = APIRouter(prefix="/api", tags=["review"])

Verdict = Literal[VERDICTS]  # type: ignore[valid-type]
Reason = Literal[DISMISS_REASONS]  # type: ignore[valid-type]


class VerdictIn(BaseModel):
    flags: list[int] = Field(min_length=1, max_length=500, description="flag ids to decide (one or more)")
    verdict: Verdict
    reason: Reason | None = Field(None, description="required when the verdict is dismissed: "
                                  + "; ".join(f"`{r}` {label}" for r, label in DISMISS_REASON_LABELS.items()))
    note: str | None = Field(None, max_length=4000)


class VerdictOut(BaseModel):
    reviews: list[int]
    listings: list[int]


class ClaimIn(BaseModel):
    assignee: str | None = Field(None, description="leads only: assign to this user")
    release: bool = False


@router.get("/me")
def me(ctx: ApiCtx) -> dict[str, Any]:
    """The signed-in user, and the CSRF token to send in X-CSRF-Token with the session cookie."""
    return {"name": ctx.user.name, "role": ctx.user.role, "csrf": ctx.session.csrf if ctx.session else None}


@router.get("/queue")
def queue(ctx: ApiCtx, request: Request, after: str = "", before: str = "", limit: int = 50, status: str = "open", category: str = "",
          mark: str = "", site: str = "", seller: str = "", signal: str = "", min_score: int | None = None,
          max_score: int | None = None, seen_from: str = "", seen_to: str = "", q: str = "") -> dict[str, Any]:
    """Flags by priority (score desc, category, id). Pass `next` back as `after` for the next page,
    `prev` as `before` for the previous one. `counts` (flags per status under the other filters)
    may be up to 30 seconds old."""
    return review.queue_page(ctx.db, filters_from(request), ctx.user, after=after, before=before,
                             limit=max(1, min(limit, 500)), count_cache=request.app.state.counts)


@router.get("/listing/{listing_id}")
def listing(ctx: ApiCtx, listing_id: int) -> dict[str, Any]:
    """A listing with all its flags (signals, evidence spans), price history, reviews, audit, seller."""
    detail = review.listing_detail(ctx.db, listing_id)
    if not detail:
        raise review.ReviewError(f"listing {listing_id} not found", 404)
    return detail


@router.get("/seller/{site}/{seller_id:path}")
def seller(ctx: ApiCtx, site: str, seller_id: str) -> dict[str, Any]:
    """All listings of a seller across sites (same id or name), with their verdicts; `case` = confirmed."""
    return review.seller_summary(ctx.db, site, seller_id)


@router.post("/verdict", response_model=VerdictOut)
def verdict(ctx: ApiCtx, body: VerdictIn) -> VerdictOut:
    """Decide one or more flags. Each decision is a new review row and an audit row."""
    result = review.record_verdicts(
        ctx.db, ctx.user, [review.Decision(f, body.verdict, body.reason, body.note) for f in body.flags], ip=ctx.ip)
    ctx.request.app.state.counts.clear()
    return VerdictOut(reviews=result.review_ids, listings=result.listings)


@router.post("/listing/{listing_id}/claim")
def claim(ctx: ApiCtx, listing_id: int, body: ClaimIn) -> dict[str, Any]:
    """Claim a listing (or release it; leads can assign it to someone else)."""
    result = review.claim(ctx.db, ctx.user, listing_id, assignee=body.assignee, release=body.release, ip=ctx.ip)
    ctx.request.app.state.counts.clear()
    return {"claim": result}
