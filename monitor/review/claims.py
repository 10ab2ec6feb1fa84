"""Claims: who is working on a listing (claim, release, a lead's assignment), with audit rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from monitor.listing import utc_now
from monitor.review.audit import audit
from monitor.review.errors import ReviewError
from monitor.store.db import write_transaction
from monitor.i18n import gettext as _

if TYPE_CHECKING:  # a type only: importing accounts hashes a dummy password (argon2)
    from monitor.review.accounts import User


def claim(db: Database, user: User, listing: int, *, assignee: str | None = None, release: bool = False,
          ip: str | None = None) -> dict[str, Any] | None:
    """Claim a listing for yourself, release your claim, or (leads) assign it to someone."""
    assignee = assignee or user.name
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM listings WHERE id = ?", [listing]).fetchone():
            raise ReviewError(_("no listing %(id)s", id=listing), 404)
        current = db.execute("SELECT analyst, claimed_at FROM assignments WHERE listing = ?", [listing]).fetchone()
        holder = current[0] if current else None
        is_lead = user.can("lead")
        if release:
            if holder and holder != user.name and not is_lead:
                raise ReviewError(_("%(holder)s has this listing; only a lead can release it", holder=holder), 403)
            db.execute("DELETE FROM assignments WHERE listing = ?", [listing])
            audit(db, user.name, "release", f"listing:{listing}", {"analyst": holder}, None, ip=ip)
            return None
        if assignee != user.name and not is_lead:
            raise ReviewError(_("only a lead can assign listings to others"), 403)
        if holder and holder != user.name and not is_lead:
            raise ReviewError(_("%(holder)s already has this listing", holder=holder), 409)
        if assignee != user.name and not db.execute(
                "SELECT 1 FROM users WHERE name = ? AND disabled_at IS NULL", [assignee]).fetchone():
            raise ReviewError(_("no active user %(name)r", name=assignee))
        if holder == assignee:
            return {"analyst": holder, "claimed_at": current[1]}
        now = utc_now()
        db.execute("INSERT OR REPLACE INTO assignments (listing, analyst, claimed_at, assigned_by) VALUES (?, ?, ?, ?)",
                   [listing, assignee, now, user.name])
        audit(db, user.name, "claim" if assignee == user.name else "assign", f"listing:{listing}",
              {"analyst": holder} if holder else None, {"analyst": assignee}, ip=ip, at=now)
        return {"analyst": assignee, "claimed_at": now}

