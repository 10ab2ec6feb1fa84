"""Verdicts: an analyst's decisions on flags, recorded with their audit rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlite_utils import Database

from monitor.listing import utc_now
from monitor.review.audit import audit
from monitor.review.errors import ReviewError
from monitor.store.db import write_transaction
from monitor.verdicts import DISMISS_REASONS, DISMISSED, VERDICT_STATUS, VERDICTS, reason_label
from monitor.i18n import gettext as _

if TYPE_CHECKING:  # a type only: importing accounts hashes a dummy password (argon2)
    from monitor.review.accounts import User


@dataclass
class Decision:
    flag: int
    verdict: str
    reason: str | None = None
    note: str | None = None


@dataclass
class DecisionResult:
    review_ids: list[int] = field(default_factory=list)
    listings: list[int] = field(default_factory=list)


def validate(decision: Decision) -> Decision:
    if decision.verdict not in VERDICTS:
        raise ReviewError(_("unknown verdict %(verdict)r; one of %(verdicts)s", verdict=decision.verdict,
                            verdicts=", ".join(VERDICTS)))
    reason = (decision.reason or "").strip() or None
    if decision.verdict == DISMISSED:
        if reason not in DISMISS_REASONS:
            raise ReviewError(_("dismissing needs a reason: %(reasons)s",  # by their labels, as the form lists them
                                reasons=_(", ").join(reason_label(r) for r in DISMISS_REASONS)))
    elif reason is not None and reason not in DISMISS_REASONS:
        raise ReviewError(_("unknown reason %(reason)r", reason=reason))
    note = (decision.note or "").strip()[:4000] or None
    if reason == "other" and note is None:  # "other" says nothing the rules could learn from without the why
        raise ReviewError(_('the reason "other" needs a note saying why'))
    return Decision(int(decision.flag), decision.verdict, reason, note)


def record_verdicts(db: Database, user: User, decisions: list[Decision], *, ip: str | None = None) -> DecisionResult:
    """Record decisions in one transaction: a reviews row and an audit row each, and the flag's
    status. All or nothing. A superseded flag is refused (the listing has a newer flag)."""
    decisions = [validate(d) for d in decisions]
    if not decisions:
        raise ReviewError(_("select at least one flag"))
    result = DecisionResult()
    now = utc_now()
    with write_transaction(db):
        for d in decisions:
            flag = db.execute("SELECT id, listing, status FROM flags WHERE id = ?", [d.flag]).fetchone()
            if not flag:
                raise ReviewError(_("no flag %(id)s", id=d.flag), 404)
            flag_id, listing, status = flag
            if status == "superseded":
                raise ReviewError(_("flag %(id)s was superseded by a newer assessment; reload the listing", id=flag_id), 409)
            previous = db.execute("SELECT verdict, reason, analyst FROM reviews WHERE flag = ? ORDER BY id DESC "
                                  "LIMIT 1", [flag_id]).fetchone()
            new_status = VERDICT_STATUS.get(d.verdict, "open")
            review_id = db["reviews"].insert({"listing": listing, "flag": flag_id, "verdict": d.verdict,
                                              "reason": d.reason, "note": d.note, "analyst": user.name,
                                              "decided_at": now}).last_pk
            if new_status != status:
                db.execute("UPDATE flags SET status = ? WHERE id = ?", [new_status, flag_id])
            before = {"flag": flag_id, "status": status}
            if previous:
                before.update({"verdict": previous[0], "reason": previous[1], "analyst": previous[2]})
            audit(db, user.name, "verdict", f"listing:{listing}", before,
                  {"flag": flag_id, "status": new_status, "verdict": d.verdict, "reason": d.reason, "note": d.note,
                   "review": review_id}, ip=ip, at=now)
            if new_status != "open":  # decided: the claim is done
                db.execute("DELETE FROM assignments WHERE listing = ?", [listing])
            result.review_ids.append(review_id)
            result.listings.append(listing)
    return result

