"""The seller page: every listing of the seller across sites, with verdicts; the case."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from monitor.web import review
from monitor.web.deps import PageCtx

router = APIRouter(include_in_schema=False)


@router.get("/seller/{site}/{seller_id:path}")
def seller_page(ctx: PageCtx, site: str, seller_id: str) -> Response:
    summary = review.seller_summary(ctx.db, site, seller_id)
    if not summary["listings"] and not summary["seller"].get("name"):
        raise review.ReviewError(f"seller {seller_id} on {site} not found", 404)
    return ctx.render("seller.html", s=summary, site=site, seller_id=seller_id)
