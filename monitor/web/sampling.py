"""Pages of the sampling casework (issue 14; monitor/casework/sampling*.py does the work).

Leads draw samples, list them and print one for publication (公示); every analyst sees the
sampled listings drawn for them (flagged or not) and records a verdict on each. The sample check
has its own form: the listing page's verdict form decides a flag, and an unflagged listing has none.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from monitor.casework.sampling import SampleError, draw_sample, list_samples, load_sample, publish
from monitor.casework.sampling_checks import my_items, record_check
from monitor.casework.sampling_estimates import estimates
from monitor.casework.sampling_export import sample_csv
from monitor.casework.sampling_office import office_name
from monitor.i18n import gettext as _, install_jinja
from monitor.periods import office_today
from monitor.web.deps import FormCtx, PageCtx, row_id

router = APIRouter(include_in_schema=False)

SampleId = Annotated[int, row_id("sample")]
ItemId = Annotated[int, row_id("sampled listing")]


def _with_gettext(ctx) -> None:
    """Give the page templates ``_`` if the app's environment has none yet: the shared template
    setup (web/deps.py) gains it with the i18n work of issue 14; once it does this does nothing."""
    env = ctx.request.app.state.templates
    if "gettext" not in env.globals:
        install_jinja(env)


def verdict_labels() -> dict[str, str]:
    """The verdicts (monitor/verdicts.py) as the check form names them, in the current locale."""
    return {"confirmed_counterfeit": _("confirmed counterfeit"), "confirmed_infringement": _("confirmed infringement"),
            "regulatory_violation": _("regulatory violation"), "needs_test_purchase": _("needs a test purchase"),
            "escalate": _("escalate"), "dismissed": _("dismissed")}


def _whole(value: str, what: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 19:
        raise SampleError(_("%(what)s must be a whole number, not %(value)s", what=what, value=repr(value[:30])))
    return int(value)


@router.get("/sampling")
def samples_page(ctx: PageCtx) -> Response:
    ctx.require("lead")
    _with_gettext(ctx)
    return ctx.render("sampling.html", samples=list_samples(ctx.db))


@router.post("/sampling")
def draw(ctx: FormCtx, period: Annotated[str, Form(max_length=20)] = "", size: Annotated[str, Form(max_length=20)] = "",
         seed: Annotated[str, Form(max_length=30)] = "", analysts: Annotated[str, Form(max_length=10)] = "") -> Response:
    ctx.require("lead")
    n = _whole(size, _("The sample size"))
    if n is None:
        raise SampleError(_("Give the sample size (how many listings to draw)."))
    drawn = draw_sample(ctx.db, period, n, seed=_whole(seed, _("The seed")), analysts=_whole(analysts, _("The number of analysts")),
                        actor=ctx.user.name, ip=ctx.ip)
    return RedirectResponse(f"/sampling/{drawn['id']}", status_code=303)


def _mine(ctx, *, message: str = "", error: dict | None = None, status_code: int = 200) -> Response:
    _with_gettext(ctx)
    return ctx.render("sampling_mine.html", status_code=status_code, items=my_items(ctx.db, ctx.user.name),
                      labels=verdict_labels(), message=message, error=error or "")


@router.get("/sampling/mine")
def mine_page(ctx: PageCtx, done: str = "") -> Response:
    return _mine(ctx, message=_("Check recorded.") if done == "check" else "")


@router.post("/sampling/items/{item_id}/check")
def check(ctx: FormCtx, item_id: ItemId, verdict: Annotated[str, Form(max_length=40)] = "",
          reason: Annotated[str, Form(max_length=40)] = "", note: Annotated[str, Form(max_length=4000)] = "",
          back: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:
        item = record_check(ctx.db, ctx.user, item_id, verdict, reason, note, ip=ctx.ip)
    except SampleError as exc:
        mine = {r["id"] for r in my_items(ctx.db, ctx.user.name)}
        if exc.status != 400 or item_id not in mine:
            raise  # not theirs, or no such item: the app's error page
        # Their own sample page again, the refusal at the item and what they chose kept (the
        # form's action carries the item's anchor, so the browser comes back to it).
        return _mine(ctx, status_code=400, error={"item": item_id, "message": str(exc),
                                                  "entered": {"verdict": verdict, "reason": reason, "note": note}})
    target = f"/sampling/{item['sample']}" if back == "sample" else "/sampling/mine?done=check"
    return RedirectResponse(target, status_code=303)


@router.get("/sampling/{sample_id}")
def sample_page(ctx: PageCtx, sample_id: SampleId) -> Response:
    ctx.require("lead")
    _with_gettext(ctx)
    # The printed draw (公示) says who issues it (monitor.yaml's office_name; none: a line is left
    # for the office's name and seal) and when it was printed.
    office = office_name(getattr(ctx.request.app.state, "config_path", None))
    sample = load_sample(ctx.db, sample_id)
    # Written as offices write a period, both days included (the stored end is the next day, excluded).
    last_day = dt.date.fromisoformat(sample["until"]) - dt.timedelta(days=1)
    return ctx.render("sample.html", sample=sample, last_day=last_day, rows=estimates(ctx.db, sample_id),
                      labels=verdict_labels(), office=office, printed_on=office_today().isoformat())


@router.get("/sampling/{sample_id}/export.csv")
def sample_export(ctx: PageCtx, sample_id: SampleId) -> Response:
    ctx.require("lead")
    text = sample_csv(load_sample(ctx.db, sample_id))
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="sample-{sample_id}.csv"'})


@router.post("/sampling/{sample_id}/publish")
def sample_publish(ctx: FormCtx, sample_id: SampleId) -> Response:
    ctx.require("lead")
    publish(ctx.db, sample_id, ctx.user.name, ip=ctx.ip)
    return RedirectResponse(f"/sampling/{sample_id}", status_code=303)
