"""Captured evidence in the review app: the page as kept (made inert) and the screenshot.

The captured page is served from its own path, ``/capture/<id>``, with its own policy (see
``CAPTURE_HEADERS`` in monitor/web/app.py): ``sandbox`` without ``allow-scripts``, nothing
loaded from anywhere, framable only by this app. The listing page embeds it in an
``<iframe sandbox>``, so even markup the sanitiser missed can neither run nor reach the
analyst's session. Every view is written to the custody log.
"""

from __future__ import annotations

import hashlib
from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from monitor.evidence import custody
from monitor.evidence.paths import evidence_root, resolve
from monitor.evidence.sanitise import BANNER, inert_html
from monitor.evidence.warcfile import read_record
from monitor.store.db import durable_transaction
from monitor import review
from monitor.web.deps import EvidenceId, PageCtx
from monitor.i18n import gettext as _

router = APIRouter(include_in_schema=False)
BANNER_TEXT = BANNER[BANNER.index(">") + 1:BANNER.rindex("</div>")]  # the sanitiser's English sentence


def _row(ctx, evidence_id: int) -> dict:
    rows = list(ctx.db.execute_returning_dicts("SELECT * FROM evidence WHERE id = ?", [evidence_id]))
    if not rows:
        raise review.ReviewError(_("evidence %(id)s not found", id=evidence_id), 404)
    return rows[0]


def _log_view(ctx, row: dict, intact: bool) -> None:
    with durable_transaction(ctx.db):
        custody.append(ctx.db, actor=ctx.user.name, action="view", obj=f"evidence:{row['id']}", sha256=row["sha256"],
                       detail={"listing": row["listing"], "intact": intact, "ip": ctx.ip})


def _notice(text: str) -> str:
    return ("<div style=\"font:13px sans-serif;background:#f8d7da;color:#58151c;padding:6px 8px\">"
            + escape(text) + "</div>")


def _translated_banner(page: str) -> str:
    """The sanitiser's banner (monitor/evidence/sanitise.py, English: it has no locale) and the
    page title in the reader's language. Only the first banner: the page's own text is left as it is."""
    return (page.replace(BANNER_TEXT, escape(_("Captured page, made inert: scripts, links and outside resources "
                                               "removed.")), 1)
            .replace("<title>captured page</title>", f"<title>{escape(_('captured page'))}</title>", 1))


@router.get("/capture/{evidence_id}")
def captured_page(ctx: PageCtx, evidence_id: EvidenceId) -> Response:
    row = _row(ctx, evidence_id)
    if row["kind"] not in ("response", "rendered") or row["offset"] is None:
        raise review.ReviewError(_("evidence %(id)s is not a captured page", id=evidence_id), 404)
    root = evidence_root(ctx.request.app.state.db_path)
    try:
        record = read_record(resolve(root, row["path"]), int(row["offset"]))
    except (OSError, ValueError) as exc:
        _log_view(ctx, row, intact=False)
        return HTMLResponse(_notice(_("The captured page cannot be read: %(error)s. Run `monitor evidence verify`.", error=exc)),
                            status_code=410)
    intact = record.raw_payload_sha256 == row["sha256"]
    _log_view(ctx, row, intact)
    page = _translated_banner(inert_html(record.content))
    if not intact:
        page = page.replace("<body>", "<body>" + _notice(
            _("WARNING: this record no longer matches the SHA-256 recorded at capture time; it was altered.")), 1)
    return HTMLResponse(page)


@router.get("/evidence/{evidence_id}/screenshot.png")
def screenshot(ctx: PageCtx, evidence_id: EvidenceId) -> Response:
    row = _row(ctx, evidence_id)
    if row["kind"] != "screenshot":
        raise review.ReviewError(_("evidence %(id)s is not a screenshot", id=evidence_id), 404)
    try:
        data = resolve(evidence_root(ctx.request.app.state.db_path), row["path"]).read_bytes()
    except (OSError, ValueError) as exc:
        raise review.ReviewError(_("screenshot %(id)s cannot be read: %(error)s", id=evidence_id, error=exc), 410) from None
    intact = hashlib.sha256(data).hexdigest() == row["sha256"]
    _log_view(ctx, row, intact)
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise review.ReviewError(_("screenshot %(id)s is not a PNG file", id=evidence_id), 410)
    return Response(data, media_type="image/png", headers={"X-Evidence-Intact": "yes" if intact else "NO"})
