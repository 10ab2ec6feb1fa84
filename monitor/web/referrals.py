"""Pages of the referrals casework (线索移送, issue 14; monitor/casework/referrals*.py does the work):
the list with a state filter, a referral's page with its figures against the criminal threshold
and its timeline, and the form that moves it on (leads only; every change is audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from monitor.casework import referrals as service
from monitor.casework.referrals_csv import parse_amount
from monitor.casework.referrals_figures import Thresholds, load_thresholds, referral_figures
from monitor.i18n import gettext as _
from monitor.review import ReviewError
from monitor.web.deps import Ctx, FormCtx, PageCtx, row_id
from monitor.yamlfile import YamlError

router = APIRouter(include_in_schema=False)

ReferralId = Annotated[int, row_id("referral")]


def _labels() -> dict:
    """The label functions and vocabularies the templates show (translated at render time)."""
    return {"state_label": service.state_label, "outcome_label": service.outcome_label,
            "kind_label": service.kind_label, "field_label": service.field_label, "STATES": service.STATES, "OUTCOMES": service.OUTCOMES,
            "KINDS": service.KINDS, "DATE_COLUMN": service.DATE_COLUMN}


def thresholds() -> tuple[Thresholds, str]:
    """monitor.yaml's thresholds, and the problem with the file when it has one: the pages then
    compare with the default AND say so (never a silent fallback)."""
    try:
        return load_thresholds(), ""
    except YamlError as exc:
        return Thresholds(), str(exc)


def panel(db) -> dict:
    """The dashboard panel's data (templates/referrals_panel.html): open referrals by state, and
    those not closed whose estimate reaches the criminal threshold."""
    limits, config_error = thresholds()
    counts = dict(db.execute("SELECT state, count(*) FROM referrals GROUP BY state").fetchall())
    open_rows = db.execute_returning_dicts("SELECT id, reference FROM referrals WHERE state != 'closed' ORDER BY id")
    police = [r for r in open_rows if referral_figures(db, r["id"], limits).reached]
    return {"counts": {s: counts.get(s, 0) for s in service.STATES}, "police": police, "config_error": config_error,
            **_labels()}


@router.get("/referrals")
def referrals_page(ctx: PageCtx, state: Annotated[str, Query(max_length=20)] = "") -> Response:
    state = state if state in service.STATES else ""
    limits, config_error = thresholds()
    rows = service.list_referrals(ctx.db, state or None)
    figures = {r["id"]: referral_figures(ctx.db, r["id"], limits) for r in rows}
    counts = dict(ctx.db.execute("SELECT state, count(*) FROM referrals GROUP BY state").fetchall())
    return ctx.render("referrals.html", rows=rows, figures=figures, state=state, counts=counts,
                      thresholds=limits, config_error=config_error, **_labels())


def _page(ctx: Ctx, referral_id: int, *, problems: list[tuple[str, str]] | None = None, form: dict | None = None,
          status_code: int = 200, done: bool = False) -> Response:
    row = service.get_referral(ctx.db, referral_id)
    if row is None:
        raise ReviewError(_("no referral with id %(id)s", id=referral_id), 404)
    listings = list(ctx.db.execute_returning_dicts(
        "SELECT l.id, l.site, l.title, l.seller_id, l.price, l.currency, l.sales_count FROM referral_listings r "
        "JOIN listings l ON l.id = r.listing WHERE r.referral = ? ORDER BY l.id", [referral_id]))
    later = service.STATES[service.STATES.index(row["state"]) + 1:]
    limits, config_error = thresholds()
    return ctx.render("referral.html", status_code=status_code, r=row, listings=listings, config_error=config_error,
                      figures=referral_figures(ctx.db, referral_id, limits),
                      timeline=service.history(ctx.db, referral_id), later=later, problems=problems or [],
                      form=form or {}, done=done, today=service.today(), **_labels())


@router.get("/referrals/{referral_id}")
def referral_page(ctx: PageCtx, referral_id: ReferralId, done: Annotated[str, Query(max_length=5)] = "") -> Response:
    return _page(ctx, referral_id, done=done == "1")


@router.post("/referrals/{referral_id}/move")
def move_referral(ctx: FormCtx, referral_id: ReferralId, state: Annotated[str, Form(max_length=20)] = "",
                  day: Annotated[str, Form(max_length=20)] = "", authority: Annotated[str, Form(max_length=300)] = "",
                  authority_kind: Annotated[str, Form(max_length=30)] = "",
                  outcome: Annotated[str, Form(max_length=40)] = "",
                  penalty_amount: Annotated[str, Form(max_length=40)] = "",
                  note: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """Leads only: referrals speak for the office to another authority."""
    ctx.require("lead")
    form = {"state": state, "day": day, "authority": authority, "authority_kind": authority_kind,
            "outcome": outcome, "penalty_amount": penalty_amount, "note": note}
    amount, bad = parse_amount(penalty_amount)
    if bad:
        return _page(ctx, referral_id, problems=[("penalty_amount", bad)], form=form, status_code=400)
    change = service.Change(state=state, on=day or None, outcome=outcome or None, penalty_amount=amount,
                            authority=authority or None, authority_kind=authority_kind or None, note=note or None)
    try:
        service.move(ctx.db, referral_id, change, actor=ctx.user.name, source="web", ip=ctx.ip)
    except service.ReferralError as exc:
        if exc.status == 404:
            raise ReviewError(str(exc), 404) from None
        return _page(ctx, referral_id, problems=exc.problems, form=form, status_code=400)
    return RedirectResponse(f"/referrals/{referral_id}?done=1", status_code=303)
