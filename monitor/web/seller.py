"""The seller page: every listing of the seller across sites, with verdicts; the case, and
(for leads) its case package as a zip (the same package as `monitor export case`)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from monitor import review
from monitor.evidence import custody
from monitor.evidence.signing import SigningError
from monitor.evidence.timestamp import TimestampError
from monitor.export.case import CaseError, CaseSpec, build_case
from monitor.export.package import safe_part
from monitor.store.db import durable_transaction
from monitor.web.deps import FormCtx, PageCtx
from monitor.i18n import gettext as _

router = APIRouter(include_in_schema=False)


@router.get("/seller/{site}/{seller_id:path}")
def seller_page(ctx: PageCtx, site: str, seller_id: str) -> Response:
    summary = review.seller_summary(ctx.db, site, seller_id)
    if not summary["listings"] and not summary["seller"].get("name"):
        raise review.ReviewError(_("seller %(seller)s on %(site)s not found", seller=seller_id, site=site), 404)
    return ctx.render("seller.html", s=summary, site=site, seller_id=seller_id)


@router.post("/case/{site}/{seller_id:path}")
def case_package(ctx: FormCtx, site: str, seller_id: str) -> Response:
    """A POST (it writes a custody entry and builds a file), leads only, like other exports."""
    ctx.require("lead")
    db_path = ctx.request.app.state.db_path
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "case.wacz"
        try:
            manifest = build_case(ctx.db, db_path, CaseSpec(seller=seller_id, site=site), out, actor=ctx.user.name)
        except CaseError as exc:
            raise review.ReviewError(str(exc), 409) from None
        except (SigningError, TimestampError) as exc:  # the deployment's key or TSA: the lead must see why
            raise review.ReviewError(str(exc), 503) from None
        data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    name = f"case-{safe_part(site)}-{safe_part(seller_id)}.wacz"
    with durable_transaction(ctx.db):
        custody.append(ctx.db, actor=ctx.user.name, action="export", obj=f"case:{name}", sha256=digest,
                       detail={"seller": seller_id, "site": site, "listings": manifest["listings"],
                               "manifest_sha256": manifest["manifest_sha256"], "via": "review app", "ip": ctx.ip})
    return Response(data, media_type="application/zip",  # a WACZ file is a zip
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Package-SHA256": digest})
