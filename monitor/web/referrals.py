"""Pages of the referrals casework (线索移送, issue 14; monitor/casework/referrals*.py does the work):
the list with a state filter and the form that starts a referral of confirmed listings, a
referral's page with its figures against the criminal threshold and its timeline, the form that
moves it on, and its referral package (the one `monitor export referral` builds) as a download.
Starting, moving and packaging are for leads (a referral speaks for the office to another
authority); each is audited, the package also in the custody log."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from monitor.casework import referrals as service
from monitor.casework.referrals_csv import parse_amount
from monitor.casework.referrals_figures import Thresholds, load_thresholds, referral_figures
from monitor.evidence import custody
from monitor.evidence.signing import SigningError
from monitor.evidence.timestamp import TimestampError
from monitor.export.package import safe_part
from monitor.export.referral import ReferralError as PackageError, ReferralSpec, build_referral, organisation_from
from monitor.i18n import current, gettext as _
from monitor.review import ReviewError
from monitor.store.db import durable_transaction
from monitor.web.deps import Ctx, FormCtx, PageCtx, row_id
from monitor.yamlfile import YamlError

router = APIRouter(include_in_schema=False)

ReferralId = Annotated[int, row_id("referral")]
PACKAGE_LANGUAGES = {"zh": "中文", "en": "English"}  # `monitor export referral --lang`, each in its own words
EMPTY_START = {"listings": "", "authority": "", "authority_kind": "", "reference": "", "note": ""}
DONE = {"1": "moved", "created": "created"}
# Characters a file name may not carry on the reader's system (and controls): the UTF-8 name of
# Content-Disposition keeps the reference readable (Chinese) without a path in it.
_NOT_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


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


def reader_language() -> str:
    """The package language of the reader's locale (zh_CN -> zh)."""
    return "en" if current() == "en" else "zh"


def _list_page(ctx: Ctx, state: str = "", *, form: dict | None = None, problems: list | None = None,
               status_code: int = 200) -> Response:
    state = state if state in service.STATES else ""
    limits, config_error = thresholds()
    rows = service.list_referrals(ctx.db, state or None)
    figures = {r["id"]: referral_figures(ctx.db, r["id"], limits) for r in rows}
    counts = dict(ctx.db.execute("SELECT state, count(*) FROM referrals GROUP BY state").fetchall())
    return ctx.render("referrals.html", status_code=status_code, rows=rows, figures=figures, state=state,
                      counts=counts, thresholds=limits, config_error=config_error, form={**EMPTY_START, **(form or {})},
                      problems=problems or [], **_labels())


@router.get("/referrals")
def referrals_page(ctx: PageCtx, state: Annotated[str, Query(max_length=20)] = "",
                   listing: Annotated[str, Query(max_length=200)] = "") -> Response:
    """``listing``: the start form filled in with it (the link of a confirmed listing's page)."""
    return _list_page(ctx, state, form={"listings": listing})


@router.post("/referrals")
def start_referral(ctx: FormCtx, listings: Annotated[str, Form(max_length=2000)] = "",
                   authority: Annotated[str, Form(max_length=300)] = "",
                   authority_kind: Annotated[str, Form(max_length=30)] = "",
                   reference: Annotated[str, Form(max_length=100)] = "",
                   note: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """Record a referral (drafted) of confirmed listings, as `monitor referrals create` does; leads only."""
    ctx.require("lead")
    form = {"listings": listings, "authority": authority, "authority_kind": authority_kind, "reference": reference,
            "note": note}
    ids, problems = service.parse_listing_ids(listings)
    if not ids and not problems:
        problems = [("listings", _("name the confirmed listings it passes on, e.g. 12, 40"))]
    if not problems:
        # One seller: recorded, so that its package (built per seller) can be made from its page.
        seller = service.one_seller(ctx.db, ids) or (None, None)
        try:
            referral_id = service.create_referral(
                ctx.db, actor=ctx.user.name, listings=ids, authority=authority or None,
                authority_kind=authority_kind or None, seller_site=seller[0], seller_id=seller[1],
                reference=reference or None, note=note or None, source="web", ip=ctx.ip, confirmed_only=True)
        except service.ReferralError as exc:
            problems = exc.problems
    if problems:
        return _list_page(ctx, form=form, problems=problems, status_code=400)
    return RedirectResponse(f"/referrals/{referral_id}?done=created", status_code=303)


def package_seller(db, row: dict, ids: list[int]) -> tuple[str | None, str] | None:
    """The seller (site, id) a referral's package is about: the referral's, else the one seller of
    all its listings; None when they have several (a package names one seller as its subject)."""
    return (row["seller_site"], row["seller_id"]) if row["seller_id"] else service.one_seller(db, ids)


def _page(ctx: Ctx, referral_id: int, *, problems: list[tuple[str, str]] | None = None, form: dict | None = None,
          status_code: int = 200, done: str = "", package_problems: list[tuple[str, str]] | None = None,
          package_form: dict | None = None) -> Response:
    row = service.get_referral(ctx.db, referral_id)
    if row is None:
        raise ReviewError(_("no referral with id %(id)s", id=referral_id), 404)
    listings = list(ctx.db.execute_returning_dicts(
        "SELECT l.id, l.site, l.title, l.seller_id, l.price, l.currency, l.sales_count FROM referral_listings r "
        "JOIN listings l ON l.id = r.listing WHERE r.referral = ? ORDER BY l.id", [referral_id]))
    later = service.STATES[service.STATES.index(row["state"]) + 1:]
    limits, config_error = thresholds()
    seller = package_seller(ctx.db, row, [l["id"] for l in listings])
    return ctx.render("referral.html", status_code=status_code, r=row, listings=listings, config_error=config_error,
                      package_seller=seller,
                      figures=referral_figures(ctx.db, referral_id, limits),
                      timeline=service.history(ctx.db, referral_id), later=later, problems=problems or [],
                      form=form or {}, done=done, today=service.today(), package_problems=package_problems or [],
                      package_form={"lang": reader_language(), **(package_form or {})},
                      PACKAGE_LANGUAGES=PACKAGE_LANGUAGES, **_labels())


@router.get("/referrals/{referral_id}")
def referral_page(ctx: PageCtx, referral_id: ReferralId, done: Annotated[str, Query(max_length=10)] = "") -> Response:
    return _page(ctx, referral_id, done=DONE.get(done, ""))


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


def disposition(reference: str, lang: str) -> tuple[str, str]:
    """(file name, Content-Disposition) of a referral's package: an ASCII name any client keeps,
    and the reference as written (Chinese) in filename*; neither can name a path or break the header."""
    name = f"referral-{safe_part(reference)}-{lang}.wacz"
    readable = _NOT_IN_NAME.sub("_", f"referral-{reference}-{lang}.wacz")
    return name, f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(readable, safe='')}"


@router.post("/referrals/{referral_id}/package")
def referral_package(ctx: FormCtx, referral_id: ReferralId, organisation: Annotated[str, Form(max_length=300)] = "",
                     contact: Annotated[str, Form(max_length=500)] = "",
                     lang: Annotated[str, Form(max_length=5)] = "") -> Response:
    """The referral package of `monitor export referral` (signed WACZ; cover pages in ``lang``, by
    default the reader's), under the referral's case reference. Leads only, like the case
    package: it goes to another authority, and its making is in the custody log and the audit."""
    ctx.require("lead")
    row = service.get_referral(ctx.db, referral_id)
    if row is None:
        raise ReviewError(_("no referral with id %(id)s", id=referral_id), 404)
    lang = lang if lang in PACKAGE_LANGUAGES else reader_language()
    form = {"organisation": organisation, "contact": contact, "lang": lang}
    problems = []
    if not organisation.strip():
        problems.append(("organisation", _("name the organisation that issues the referral")))
    if not contact.strip():
        problems.append(("contact", _("give the contact for the case: person, phone, e-mail")))
    ids = service.listing_ids(ctx.db, referral_id)
    seller = package_seller(ctx.db, row, ids)
    if seller is None:
        problems.append(("listings", _("a referral package covers one seller's listings, and this referral's listings "
                                       "have several sellers (or none): make its packages with monitor export "
                                       "referral --seller")))
    if problems:
        return _page(ctx, referral_id, package_problems=problems, package_form=form, status_code=400)
    db_path = ctx.request.app.state.db_path
    spec = ReferralSpec(seller=seller[1], site=seller[0], organisation=organisation_from(None, organisation, contact),
                        case_reference=row["reference"], lang=lang, listings=tuple(ids))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "referral.wacz"
        try:
            summary, document = build_referral(ctx.db, db_path, spec, out, actor=ctx.user.name)
        except PackageError as exc:
            return _page(ctx, referral_id, package_problems=[("referral", str(exc))], package_form=form,
                         status_code=409)
        except (SigningError, TimestampError) as exc:  # the deployment's key or TSA: the lead must see why
            raise ReviewError(str(exc), 503) from None
        data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    name, header = disposition(row["reference"], lang)
    with durable_transaction(ctx.db):  # as `monitor export referral`: the custody entry of the file handed over
        custody.append(ctx.db, actor=ctx.user.name, action="export", obj=f"referral:{name}", sha256=digest,
                       detail={"case_reference": row["reference"], "seller": seller[1], "site": seller[0], "lang": lang,
                               "organisation": spec.organisation.get("name"), "referral": referral_id,
                               "identifiers": len(document["identifiers"]), "listings": summary["listings"],
                               "manifest_sha256": summary["manifest_sha256"], "via": "review app", "ip": ctx.ip})
        service.record_package(ctx.db, row, file=name, sha256=digest, lang=lang, listings=summary["listings"],
                               actor=ctx.user.name, ip=ctx.ip)
    return Response(data, media_type="application/zip",  # a WACZ file is a zip
                    headers={"Content-Disposition": header, "X-Package-SHA256": digest})
