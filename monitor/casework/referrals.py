"""The referral lifecycle (线索移送, issue 14): a clue passed on to a receiving authority (接收机关),
its state drafted → sent → received → filed (立案) → closed with the day of each, and its outcome:
no case (不予立案), an administrative penalty (行政处罚, with the amount in CNY) or a transfer to
the police (移送公安机关).

Rules every change obeys (``check_change``, one home for the web form, the CSV file and the CLI):

- a state only moves forward (a state may be skipped: a recipient can close a clue it received
  without filing a case, 不予立案); never back, never to the state it is in;
- the day of a state is not before the day of the state before it, nor after today (China time);
- sending needs the receiving authority and its kind;
- closing needs an outcome; an administrative penalty needs its amount (more than 0, CNY);
  an outcome and an amount are only recorded when closing.

Every change is one transaction: the referral row, a row of ``referral_history`` (its timeline)
and a row of the review audit trail (who, from where, before and after).

The figures against the criminal threshold (非法经营数额 and the police transfer mark) are
``monitor.casework.referrals_figures``; the CSV of ``monitor referrals update`` is
``referrals_csv``; the period counts for the reports are ``summary`` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from monitor.i18n import gettext as _
from monitor.listing import utc_now
from monitor.periods import office_today
from monitor.review.audit import audit
from monitor.store.db import write_transaction
from monitor.verdicts import N_

STATES = ("drafted", "sent", "received", "filed", "closed")
OUTCOMES = ("no_case", "administrative_penalty", "transferred_to_police")
KINDS = ("department", "public_security", "platform", "other_region")
# Labels (English message ids, translated where they are shown: gettext(STATE_LABELS[s])).
STATE_LABELS = {"drafted": N_("Drafted"), "sent": N_("Sent"), "received": N_("Received"),
                "filed": N_("Case filed"), "closed": N_("Closed")}
OUTCOME_LABELS = {"no_case": N_("No case filed"), "administrative_penalty": N_("Administrative penalty"),
                  "transferred_to_police": N_("Transferred to the police")}
KIND_LABELS = {"department": N_("Another department"), "public_security": N_("Public security"),
               "platform": N_("Platform"), "other_region": N_("Another region's office")}
FIELD_LABELS = {"state": N_("State"), "date": N_("Date"), "authority": N_("Receiving authority"),
                "authority_kind": N_("Kind of authority"), "outcome": N_("Outcome"),
                "penalty_amount": N_("Penalty amount (CNY)"), "note": N_("Note"), "listings": N_("Listings"),
                "reference": N_("Case reference"), "referral": N_("Referral")}
DATE_COLUMN = {s: f"{s}_at" for s in STATES}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID_SEPARATORS = re.compile(r"[\s,，、;；#]+")
MAX_PENALTY = 1e12  # a typo guard: no fine is a trillion yuan


class ReferralError(ValueError):
    """A referral change refused: ``problems`` are (field, message) pairs, in English or Chinese
    as the current locale says."""

    def __init__(self, problems: list[tuple[str, str]], status: int = 400):
        self.problems = problems
        self.status = status
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


@dataclass
class Change:
    """A move of one referral to ``state`` on day ``on`` (default today), with what that state
    records. ``authority`` and ``authority_kind`` may be set or corrected with any move."""

    state: str
    on: str | None = None
    outcome: str | None = None
    penalty_amount: float | None = None
    authority: str | None = None
    authority_kind: str | None = None
    note: str | None = None


def today() -> str:
    """A state's default day: today on the offices' calendar (periods.office_today)."""
    return office_today().isoformat()


def _label(table: dict[str, str], value: str | None) -> str:
    return _(table[value]) if value in table else (value or "")


def state_label(state: str | None) -> str:
    return _label(STATE_LABELS, state)


def outcome_label(outcome: str | None) -> str:
    return _label(OUTCOME_LABELS, outcome)


def _outcome_list() -> str:
    """The outcomes as the close form lists them (不予立案、行政处罚、移送公安), for a refusal."""
    return _(", ").join(outcome_label(o) for o in OUTCOMES)


def kind_label(kind: str | None) -> str:
    return _label(KIND_LABELS, kind)


def field_label(name: str) -> str:
    return _label(FIELD_LABELS, name)


def check_day(value: str | None, field: str = "date") -> tuple[str | None, list[tuple[str, str]]]:
    """(YYYY-MM-DD or None, problems) of a day as written."""
    if value is None or not str(value).strip():
        return None, []
    text = str(value).strip()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        return None, [(field, _("%(value)s is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07", value=repr(text)))]
    if text > today():
        return None, [(field, _("%(day)s is in the future", day=day.isoformat()))]
    return day.isoformat(), []


def check_change(current: dict[str, Any], change: Change) -> list[tuple[str, str]]:
    """What is wrong with moving ``current`` (a referrals row) as ``change`` says; empty: allowed."""
    problems: list[tuple[str, str]] = []
    state = (change.state or "").strip()
    if state not in STATES:
        return [("state", _("%(value)s is not a state; use one of %(states)s", value=repr(state),
                            states=", ".join(STATES)))]
    have = current["state"]
    if STATES.index(state) <= STATES.index(have):
        if state == have:
            problems.append(("state", _("referral %(id)s is already %(state)s", id=current["id"],
                                        state=state_label(state))))
        else:
            problems.append(("state", _("referral %(id)s is %(have)s: it cannot go back to %(state)s",
                                        id=current["id"], have=state_label(have), state=state_label(state))))
    day, bad = check_day(change.on)
    problems += bad
    day = day or (None if bad else today())
    if day:
        earlier = [(current.get(DATE_COLUMN[s]), s) for s in STATES[:STATES.index(have) + 1]]
        latest = max((d, s) for d, s in earlier if d) if any(d for d, _s in earlier) else None
        if latest and day < latest[0]:
            problems.append(("date", _("%(day)s is before the referral was %(state)s (%(then)s)", day=day,
                                       state=state_label(latest[1]), then=latest[0])))
    kind = (change.authority_kind or "").strip() or None
    if kind and kind not in KINDS:
        problems.append(("authority_kind", _("%(value)s is not an authority kind; use one of %(kinds)s",
                                             value=repr(kind), kinds=", ".join(KINDS))))
    if state != "drafted":
        if not ((change.authority or "").strip() or current.get("authority")):
            problems.append(("authority", _("name the receiving authority before the referral is sent")))
        if not (kind or current.get("authority_kind")):
            problems.append(("authority_kind", _("say what kind of authority receives it (%(kinds)s)",
                                                 kinds=_(", ").join(kind_label(k) for k in KINDS))))
    outcome = (change.outcome or "").strip() or None
    if outcome and outcome not in OUTCOMES:
        # A typed value (CSV, API): the codes it may be. The close form offers the outcomes by label.
        problems.append(("outcome", _("%(value)s is not an outcome; use one of %(outcomes)s", value=repr(outcome),
                                      outcomes=", ".join(OUTCOMES))))
    elif state == "closed" and not outcome:
        problems.append(("outcome", _("closing a referral needs its outcome (%(outcomes)s)",
                                      outcomes=_outcome_list())))
    elif outcome and state != "closed":
        problems.append(("outcome", _("an outcome is recorded when the referral is closed")))
    amount = change.penalty_amount
    if outcome == "administrative_penalty":
        if amount is None:
            problems.append(("penalty_amount", _("an administrative penalty needs its amount (CNY)")))
        elif not (0 < amount <= MAX_PENALTY) or amount != amount:
            problems.append(("penalty_amount", _("the penalty amount must be more than 0 CNY")))
    elif amount is not None and outcome in OUTCOMES:
        problems.append(("penalty_amount", _("an amount is only recorded with an administrative penalty")))
    return problems


def get_referral(db: Database, referral_id: int) -> dict[str, Any] | None:
    rows = list(db.execute_returning_dicts("SELECT * FROM referrals WHERE id = ?", [referral_id]))
    return rows[0] if rows else None


def find_referral(db: Database, key: str) -> dict[str, Any] | None:
    """A referral by its id (digits) or its case reference."""
    key = str(key).strip()
    rows = list(db.execute_returning_dicts("SELECT * FROM referrals WHERE reference = ?", [key]))
    if not rows and key.isdigit() and len(key) < 19:
        rows = list(db.execute_returning_dicts("SELECT * FROM referrals WHERE id = ?", [int(key)]))
    return rows[0] if rows else None


def listing_ids(db: Database, referral_id: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT listing FROM referral_listings WHERE referral = ? ORDER BY listing",
                                     [referral_id])]


def history(db: Database, referral_id: int) -> list[dict[str, Any]]:
    return list(db.execute_returning_dicts("SELECT * FROM referral_history WHERE referral = ? ORDER BY id",
                                           [referral_id]))


def list_referrals(db: Database, state: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Referrals, newest first (``state``: only those in it), each with its listing count."""
    where, params = ("WHERE r.state = ?", [state]) if state else ("", [])
    return list(db.execute_returning_dicts(
        f"SELECT r.*, (SELECT count(*) FROM referral_listings x WHERE x.referral = r.id) AS listings "
        f"FROM referrals r {where} ORDER BY r.id DESC LIMIT ?", [*params, limit]))


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("state", "authority", "authority_kind", *DATE_COLUMN.values(), "outcome",
                                    "penalty_amount", "note")}


def parse_listing_ids(text: str | None) -> tuple[list[int], list[tuple[str, str]]]:
    """(ids, problems) of listing ids as a person writes them: "12, 40", "#12 #40", "12、40"."""
    ids, bad = [], []
    for part in _ID_SEPARATORS.split((text or "").strip()):
        if not part:
            continue
        if part.isdigit() and len(part) < 19:  # SQLite integers: a longer number is no id
            ids.append(int(part))
        else:
            bad.append(part)
    if bad:
        return ids, [("listings", _("%(value)s is not a listing id; write the numbers of the listings, e.g. 12, 40",
                                    value=repr(" ".join(bad)[:60])))]
    return ids, []


def unconfirmed(db: Database, ids: list[int] | tuple[int, ...]) -> list[int]:
    """The listings of ``ids`` without a confirmed flag (what `monitor export referral` covers)."""
    return [i for i in ids if not db.execute("SELECT 1 FROM flags WHERE listing = ? AND status = 'confirmed'",
                                             [i]).fetchone()]


def one_seller(db: Database, ids: list[int] | tuple[int, ...]) -> tuple[str, str] | None:
    """(site, seller id) when the listings all have the same seller, else None."""
    if not ids:
        return None
    marks = ", ".join("?" * len(ids))
    found = db.execute(f"SELECT DISTINCT site, seller_id FROM listings WHERE id IN ({marks})", list(ids)).fetchall()
    return (found[0][0], found[0][1]) if len(found) == 1 and found[0][1] else None


def create_referral(db: Database, *, actor: str, listings: list[int] | tuple[int, ...] = (),
                    authority: str | None = None, authority_kind: str | None = None,
                    seller_site: str | None = None, seller_id: str | None = None, reference: str | None = None,
                    package_file: str | None = None, package_sha256: str | None = None,
                    drafted_on: str | None = None, note: str | None = None, source: str = "cli",
                    ip: str | None = None, confirmed_only: bool = False) -> int:
    """Record a referral in state drafted (with its history row and audit entry); returns its id.
    ``confirmed_only``: every listing must have a confirmed flag (the review app's form)."""
    problems: list[tuple[str, str]] = []
    day, bad = check_day(drafted_on)
    problems += bad
    kind = (authority_kind or "").strip() or None
    if kind and kind not in KINDS:
        problems.append(("authority_kind", _("%(value)s is not an authority kind; use one of %(kinds)s",
                                             value=repr(kind), kinds=", ".join(KINDS))))
    ids = sorted({int(i) for i in listings})
    if not ids and not seller_id:
        problems.append(("listings", _("a referral covers listings or a seller: name at least one")))
    if ids:
        marks = ", ".join("?" * len(ids))
        found = {r[0] for r in db.execute(f"SELECT id FROM listings WHERE id IN ({marks})", ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            problems.append(("listings", _("no listing with id %(ids)s", ids=", ".join(missing))))
        open_ones = [str(i) for i in unconfirmed(db, [i for i in ids if i in found])] if confirmed_only else []
        if open_ones:
            problems.append(("listings", _("listing %(ids)s is not confirmed: a referral passes on confirmed "
                                           "listings; review it first", ids=", ".join(open_ones))))
    reference = (reference or "").strip() or None
    if reference and db.execute("SELECT 1 FROM referrals WHERE reference = ?", [reference]).fetchone():
        problems.append(("reference", _("a referral with reference %(ref)s exists already", ref=reference)))
    if problems:
        raise ReferralError(problems)
    now = utc_now()
    day = day or today()
    with write_transaction(db):
        row = {"reference": reference, "authority": (authority or "").strip() or None, "authority_kind": kind,
               "seller_site": seller_site, "seller_id": seller_id, "package_file": package_file,
               "package_sha256": package_sha256, "state": "drafted", "drafted_at": day,
               "note": (note or "").strip() or None, "created_by": actor, "created_at": now, "updated_at": now}
        referral_id = db["referrals"].insert(row).last_pk
        if not reference:  # a reference of its own, for the CSV and the covering letter
            db.execute("UPDATE referrals SET reference = ? WHERE id = ?",
                       [f"LM-R{day.replace('-', '')}-{referral_id:04d}", referral_id])
        db["referral_listings"].insert_all([{"referral": referral_id, "listing": i} for i in ids])
        db["referral_history"].insert({"referral": referral_id, "at": now, "actor": actor, "from_state": None,
                                       "to_state": "drafted", "state_date": day, "note": row["note"],
                                       "source": source})
        audit(db, actor, "referral_create", f"referral:{referral_id}", None,
              {**_public(row), "listings": ids, "seller": seller_id, "package_sha256": package_sha256}, ip=ip)
    return int(referral_id)


def record_package(db: Database, current: dict[str, Any], *, file: str, sha256: str, lang: str,
                   listings: list[int], actor: str, ip: str | None = None) -> None:
    """A package made for the referral (inside the caller's transaction): its file name and SHA-256
    on the referral (the latest one handed over) and an audit entry with what it covers."""
    db["referrals"].update(current["id"], {"package_file": file, "package_sha256": sha256, "updated_at": utc_now()})
    audit(db, actor, "referral_package", f"referral:{current['id']}",
          {"package_file": current.get("package_file"), "package_sha256": current.get("package_sha256")},
          {"package_file": file, "package_sha256": sha256, "lang": lang, "listings": listings}, ip=ip)


def apply_change(db: Database, current: dict[str, Any], change: Change, *, actor: str, source: str,
                 ip: str | None = None) -> dict[str, Any]:
    """Write an already checked change (inside the caller's transaction); returns the new row."""
    now = utc_now()
    day = check_day(change.on)[0] or today()
    updates: dict[str, Any] = {"state": change.state, DATE_COLUMN[change.state]: day, "updated_at": now}
    if (change.authority or "").strip():
        updates["authority"] = change.authority.strip()
    if (change.authority_kind or "").strip():
        updates["authority_kind"] = change.authority_kind.strip()
    if change.state == "closed":
        updates["outcome"] = change.outcome.strip()
        updates["penalty_amount"] = change.penalty_amount if updates["outcome"] == "administrative_penalty" else None
    note = (change.note or "").strip() or None
    if note:
        updates["note"] = note
    db["referrals"].update(current["id"], updates)
    db["referral_history"].insert({"referral": current["id"], "at": now, "actor": actor,
                                   "from_state": current["state"], "to_state": change.state, "state_date": day,
                                   "outcome": updates.get("outcome"), "penalty_amount": updates.get("penalty_amount"),
                                   "note": note, "source": source})
    after = {**current, **updates}
    audit(db, actor, "referral_state", f"referral:{current['id']}", _public(current), _public(after), ip=ip)
    return after


def move(db: Database, referral_id: int, change: Change, *, actor: str, source: str = "cli",
         ip: str | None = None) -> dict[str, Any]:
    """Check and apply one change in one transaction; ReferralError (404 for an unknown referral)."""
    with write_transaction(db):
        current = get_referral(db, referral_id)
        if current is None:
            raise ReferralError([("referral", _("no referral with id %(id)s", id=referral_id))], status=404)
        problems = check_change(current, change)
        if problems:
            raise ReferralError(problems)
        return apply_change(db, current, change, actor=actor, source=source, ip=ip)


def summary(db: Database, start: str, end: str) -> dict[str, Any]:
    """The referrals of a period for the reports: active in [start, end] (drafted by ``end`` and
    not closed before ``start``; days YYYY-MM-DD, inclusive), by current state; those closed in
    the period by outcome, with the penalties' total (CNY) and the transfers to the police."""
    # lazy: the figures read monitor.yaml's thresholds; the rest of this module never needs them
    from monitor.casework.referrals_figures import load_thresholds, referral_figures

    rows = list(db.execute_returning_dicts(
        "SELECT * FROM referrals WHERE drafted_at <= ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY id",
        [end, start]))
    closed = [r for r in rows if r["closed_at"] and start <= r["closed_at"] <= end]
    thresholds = load_thresholds()
    over = sum(1 for r in rows if referral_figures(db, r["id"], thresholds).reached)
    return {
        "created": sum(1 for r in rows if start <= r["drafted_at"] <= end),
        "by_state": {s: sum(1 for r in rows if r["state"] == s) for s in STATES},
        "by_outcome": {o: sum(1 for r in closed if r["outcome"] == o) for o in OUTCOMES},
        "penalties_total_cny": round(sum(r["penalty_amount"] or 0 for r in closed
                                         if r["outcome"] == "administrative_penalty"), 2),
        "transferred_to_police": sum(1 for r in closed if r["outcome"] == "transferred_to_police"),
        "over_threshold": over,
        "referrals": [{k: r[k] for k in ("id", "reference", "authority", "authority_kind", "state", "outcome",
                                         "penalty_amount", "drafted_at", "closed_at")} for r in rows],
    }
