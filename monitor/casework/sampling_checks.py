"""The sample check: the analyst drawn for a sampled listing records a verdict on it, flagged or
not. Kept on the sample item (not in ``reviews``, whose rows belong to a flag: an unflagged
listing has none, and the check is an independent inspection, not a queue decision), with the
review app's verdict words (monitor/verdicts.py) and an audit row for each change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from monitor.casework.sampling import SampleError
from monitor.i18n import gettext as _
from monitor.listing import utc_now
from monitor.review.audit import audit
from monitor.store.db import write_transaction
from monitor.verdicts import DISMISS_REASONS, DISMISSED, VERDICTS, reason_label, verdict_label

if TYPE_CHECKING:  # a type only: importing accounts hashes a dummy password (argon2)
    from monitor.review.accounts import User


def my_items(db: Database, analyst: str, *, sample_id: int | None = None) -> list[dict[str, Any]]:
    """The sampled listings drawn for ``analyst``: unchecked first, then by sample and listing."""
    where, params = "i.analyst = ?", [analyst]
    if sample_id is not None:
        where += " AND i.sample = ?"
        params.append(sample_id)
    return db.execute_returning_dicts(
        "SELECT i.id, i.sample, s.period, i.listing, i.category, i.site, i.flagged_at_draw, i.verdict, i.reason, "
        "i.note, i.decided_at, l.listing_id, l.title, l.url, l.price, l.currency, l.seller_name "
        f"FROM sample_items i JOIN samples s ON s.id = i.sample JOIN listings l ON l.id = i.listing WHERE {where} "
        "ORDER BY i.verdict IS NOT NULL, i.sample DESC, i.listing", params)


def record_check(db: Database, user: User, item_id: int, verdict: str, reason: str | None = None,
                 note: str | None = None, *, ip: str | None = None) -> dict[str, Any]:
    """Record (or change) the verdict on one sampled listing: its drawn analyst, or a lead."""
    if verdict not in VERDICTS:
        raise SampleError(_("Unknown verdict %(verdict)s; use one of: %(all)s.", verdict=repr(verdict),
                            all=_(", ").join(verdict_label(v) for v in VERDICTS)))
    reason = (reason or "").strip() or None
    if verdict == DISMISSED and reason not in DISMISS_REASONS:
        raise SampleError(_("Dismissing needs a reason: %(all)s.",  # by their labels, as the form lists them
                            all=_(", ").join(reason_label(r) for r in DISMISS_REASONS)))
    if reason is not None and reason not in DISMISS_REASONS:
        raise SampleError(_("Unknown reason %(reason)s.", reason=repr(reason)))
    note = (note or "").strip()[:4000] or None
    with write_transaction(db):
        rows = db.execute_returning_dicts("SELECT * FROM sample_items WHERE id = ?", [item_id])
        if not rows:
            raise SampleError(_("There is no sampled listing %(id)s.", id=item_id), 404)
        item = rows[0]
        if item["analyst"] != user.name and not user.can("lead"):
            raise SampleError(_("This sampled listing was drawn for %(name)s: only they or a lead can check it.",
                                name=item["analyst"]), 403)
        now = utc_now()
        db.execute("UPDATE sample_items SET verdict = ?, reason = ?, note = ?, decided_by = ?, decided_at = ? "
                   "WHERE id = ?", [verdict, reason, note, user.name, now, item_id])
        before = {k: item[k] for k in ("verdict", "reason", "decided_by")} if item["verdict"] else None
        audit(db, user.name, "sample_check", f"listing:{item['listing']}", before,
              {"sample": item["sample"], "item": item_id, "verdict": verdict, "reason": reason, "note": note},
              ip=ip, at=now)
    return {**item, "verdict": verdict, "reason": reason, "note": note, "decided_by": user.name, "decided_at": now}


def panel(db: Database, analyst: str, *, lead: bool = False) -> dict[str, Any]:
    """The dashboard panel's figures (templates/sampling_panel.html): the sampled listings drawn
    for ``analyst`` and how many are still to check; for a lead also the latest samples."""
    assigned, checked = db.execute("SELECT COUNT(*), COUNT(verdict) FROM sample_items WHERE analyst = ?",
                                   [analyst]).fetchone()
    recent = db.execute_returning_dicts(
        "SELECT s.id, s.period, s.seed, COUNT(i.id) AS drawn, COUNT(i.verdict) AS checked, s.published_at "
        "FROM samples s LEFT JOIN sample_items i ON i.sample = s.id GROUP BY s.id ORDER BY s.id DESC LIMIT 3"
    ) if lead else []
    return {"assigned": assigned, "checked": checked, "to_check": assigned - checked, "recent": recent}
