"""Complaint intake (投诉举报线索): take a complaint, link it to an open one on the same page or
crawl the page at once, and put the listing in the review queue with its response deadline.

Entry points (the review app's form, POST /api/complaints, `monitor complaints import`) call
``intake``; the rules (fields, statuses, working days, monitor.yaml) are in complaints_rules.py,
the crawl in complaints_crawl.py, the counts in complaints_stats.py.

The complainant is confidential: ``complaint_view`` shows it to leads only; the audit trail
records that one was given, never who; monitor/export never reads this table.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor.alerts.detect import RUN_STATUS_WORDS
from monitor.casework.complaints_crawl import crawl_listing, match_site
from monitor.casework.complaints_rules import (DONE_STATUSES, KINDS, MAX_COMPLAINANT, MAX_OUTCOME, MAX_TEXT,
                                               OPEN_STATUSES, SOURCES, STATUSES, ComplaintError, ComplaintSettings,
                                               check_choice, check_date, check_text, check_url, deadline,
                                               status_labels, url_key, working_days_left)
from monitor.i18n import N_, gettext as _
from monitor.listing import listing_columns, utc_now
from monitor.periods import office_today
from monitor.review.audit import audit
from monitor.rules.explain import Msg, render_json
from monitor.scoring.active import active_engine
from monitor.scoring.score import as_listing
from monitor.store.db import write_transaction
from monitor.store.flags import content_hash
from monitor.store.runs import template_json

# The notes the casework writes on a complaint, as message templates (English in the store beside
# them, rendered in the reader's language on the pages; migration c0002).
NOTE_DUPLICATE = N_("duplicate of open complaint %(id)s: linked, not crawled again")
NOTE_NO_PROFILE = N_("not crawled: no profile for host %(host)s")
NOTE_SHOP = N_("not crawled: a shop page (the site's scheduled crawl covers its listings)")
NOTE_NO_CRAWL = N_("not crawled: taken without crawling (--no-crawl)")
NOTE_CRAWLED = N_("crawled in run %(run)s (%(status)s)")
NOTE_NO_LISTING = N_("run %(run)s (%(status)s) stored no listing from %(url)s: gone, refused by robots.txt or the "
                     "network guard, or not a listing page")
NOTE_NO_LISTING_DETAIL = N_("run %(run)s (%(status)s) stored no listing from %(url)s: gone, refused by robots.txt "
                            "or the network guard, or not a listing page %(detail)s")
NOTE_NOT_QUEUED = N_("%(note)s; not put in the queue: %(problem)s")
OUTCOME_WITH = N_("with complaint %(id)s: %(outcome)s")

PUBLIC_FIELDS = ("id", "url", "kind", "site", "listing", "source", "received_on", "text", "response_days",
                 "deadline", "status", "crawl_state", "crawl_note", "crawl_run", "duplicate_of", "created_by",
                 "created_at", "closed_at", "outcome")


def _today() -> dt.date:
    return office_today()


def _note(message: str, **params: Any) -> dict[str, Any]:
    """A note's columns: its English text and its template (``{"message", "params"}`` JSON)."""
    msg = Msg(message, **params)
    return {"text": str(msg), "template": template_json(msg), "msg": msg}


def _run_status(status: str | None) -> Msg | str:
    return Msg(RUN_STATUS_WORDS[status]) if status in RUN_STATUS_WORDS else (status or "")


def stored_text(text: str | None, template: str | None) -> str:
    """A note as the current locale reads it: from its template when it has one, else the text
    as stored (rows from before migration c0002, notes written by a person)."""
    return render_json(template, fallback=text or "")


def check_complaint(raw: dict[str, Any], settings: ComplaintSettings, *, today: dt.date) -> dict[str, Any]:
    """The complaint's fields checked and normalised, with its deadline; a ComplaintError names
    the first bad field."""
    url = check_url(raw.get("url"))
    kind = check_choice("kind", raw.get("kind") or "listing", KINDS)
    source = check_choice("source", raw.get("source"), SOURCES)
    received = check_date("received_on", raw.get("received_on") or today, today=today)
    text = check_text("text", raw.get("text"), limit=MAX_TEXT, required=True)
    complainant = check_text("complainant", raw.get("complainant"), limit=MAX_COMPLAINANT, required=False)
    days = raw.get("response_days") or settings.response_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise ComplaintError("response_days", _("must be a whole number of working days from 1 to 365"))
    due = deadline(received, days)
    return {"url": url, "url_key": url_key(url), "kind": kind, "source": source, "received_on": received.isoformat(),
            "text": text, "complainant": complainant, "response_days": days, "deadline": due.isoformat()}


def open_original(db: Database, key: str) -> dict[str, Any] | None:
    """The open complaint (not itself a duplicate) on the page with this URL key."""
    rows = db.execute_returning_dicts(
        "SELECT * FROM complaints WHERE url_key = ? AND status IN ('open', 'in_progress') AND duplicate_of IS NULL "
        "ORDER BY id LIMIT 1", [key])
    return rows[0] if rows else None


def intake(db: Database, raw: dict[str, Any], *, actor: str, settings: ComplaintSettings, db_path: str | Path,
           today: dt.date | None = None, crawl: bool = True, ip: str | None = None) -> dict[str, Any]:
    """Take one complaint (``raw``: url, kind, source, received_on, text, complainant). A
    duplicate of an open complaint on the same page is linked to it and not crawled; a listing
    URL of a known site is crawled now and put in the queue; another is kept with the reason it
    was not crawled. Returns the stored complaint (complainant included: the caller shows it to
    whom it may)."""
    fields = check_complaint(raw, settings, today=today or _today())
    now = utc_now()
    with write_transaction(db):
        original = open_original(db, fields["url_key"])
        row = {**fields, "status": "open", "created_by": actor, "created_at": now}
        if original is not None:
            note = _note(NOTE_DUPLICATE, id=original["id"])
            row.update(duplicate_of=original["id"], listing=original["listing"], site=original["site"],
                       crawl_state="duplicate", crawl_note=note["text"], crawl_note_template=note["template"])
            match = None
        else:
            match = match_site(fields["url"], settings)
            row["site"] = match.site if match else None
            if match is None:
                note = _note(NOTE_NO_PROFILE, host=fields["url_key"].split("/")[2])
                row.update(crawl_state="no_profile", crawl_note=note["text"], crawl_note_template=note["template"])
            elif fields["kind"] == "shop" or not crawl:
                note = _note(NOTE_SHOP if fields["kind"] == "shop" else NOTE_NO_CRAWL)
                row.update(crawl_state="not_crawled", crawl_note=note["text"], crawl_note_template=note["template"])
            else:
                row.update(crawl_state="crawling", crawl_note=None)
        complaint_id = db["complaints"].insert(row).last_pk
        audit(db, actor, "complaint.create", f"complaint:{complaint_id}", None, _audited(row), ip=ip, at=now)
    if row["crawl_state"] == "crawling" and match is not None:
        _crawl_and_queue(db, complaint_id, match, fields["url"], settings, db_path, actor)
    return db["complaints"].get(complaint_id)


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    """What the audit trail keeps of a complaint: everything but who complained."""
    kept = {k: v for k, v in row.items() if k != "complainant"}
    kept["complainant_given"] = bool(row.get("complainant"))
    return kept


def _crawl_and_queue(db: Database, complaint_id: int, match, url: str, settings: ComplaintSettings,
                     db_path: str | Path, actor: str) -> None:
    result = crawl_listing(db_path, match, url, time_limit=settings.crawl_time_limit)
    listing_pk = None
    if result.run_id is not None:
        found = db.execute("SELECT listing FROM observations WHERE run_id = ? ORDER BY id LIMIT 1",
                           [result.run_id]).fetchone()
        listing_pk = found[0] if found else None
    status = _run_status(result.status)
    if listing_pk is not None:
        state, stored = "crawled", _note(NOTE_CRAWLED, run=result.run_id, status=status)
    elif result.run_id is not None:
        detail = (result.note or "").strip()
        state, stored = "crawl_failed", (
            _note(NOTE_NO_LISTING_DETAIL, run=result.run_id, status=status, url=url, detail=detail) if detail
            else _note(NOTE_NO_LISTING, run=result.run_id, status=status, url=url))
    else:  # the crawl process's own English (it did not start, or exited): kept as it is
        state, stored = "crawl_failed", {"text": result.note, "template": None, "msg": result.note}
    note = stored["text"]
    with write_transaction(db):
        before = db["complaints"].get(complaint_id)
        db.execute("UPDATE complaints SET crawl_state = ?, crawl_note = ?, crawl_note_template = ?, crawl_run = ?, "
                   "listing = ? WHERE id = ?", [state, note, stored["template"], result.run_id, listing_pk,
                                                complaint_id])
        audit(db, actor, "complaint.crawl", f"complaint:{complaint_id}",
              {"crawl_state": before["crawl_state"]},
              {"crawl_state": state, "crawl_note": note, "crawl_run": result.run_id, "listing": listing_pk})
    if listing_pk is None:
        return
    try:
        with write_transaction(db):
            queue_flag(db, complaint_id, listing_pk, actor=actor)
    except RuntimeError as exc:  # no usable rule packs: said on the complaint, never a silent gap
        queued = _note(NOTE_NOT_QUEUED, note=stored["msg"], problem=str(exc))
        with write_transaction(db):
            db.execute("UPDATE complaints SET crawl_note = ?, crawl_note_template = ? WHERE id = ?",
                       [queued["text"], queued["template"], complaint_id])


def queue_flag(db: Database, complaint_id: int, listing_pk: int, *, actor: str) -> int:
    """Put the listing in the review queue for the complaint (inside the caller's transaction):
    its open flag is marked with the complaint; with none (scored below its category's
    threshold), a flag is raised with the engine's signals, because a complaint is a lead by
    itself. Returns the flag id."""
    flag = db.execute("SELECT id, complaint FROM flags WHERE listing = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
                      [listing_pk]).fetchone()
    if flag is not None:
        if flag[1] is None:
            db.execute("UPDATE flags SET complaint = ? WHERE id = ?", [complaint_id, flag[0]])
            audit(db, actor, "flag.complaint", f"flag:{flag[0]}", {"complaint": None}, {"complaint": complaint_id})
        return flag[0]
    row = db.execute_returning_dicts(f"SELECT {listing_columns('l')} FROM listings l WHERE l.id = ?", [listing_pk])[0]
    listing = as_listing(row)
    engine, problem = active_engine(db)
    if engine is None:
        raise RuntimeError(f"no rule packs to score listing {listing_pk} for complaint {complaint_id}: {problem}")
    assessment = engine.assess(listing)
    signals = assessment.signals
    flag_id = db["flags"].insert({
        "listing": listing_pk, "status": "open", "score": assessment.score, "priority": assessment.score,
        "threshold": assessment.threshold, "category": listing.get("category"), "site": listing.get("site"),
        "signals": json.dumps([s.to_dict() for s in signals], ensure_ascii=False),
        "signal_names": " ".join(sorted({s.name for s in signals})),
        "marks": " ".join(sorted({s.mark for s in signals if s.mark})),
        "rules_version": assessment.rules_version, "content_hash": content_hash(listing),
        "created_at": utc_now(), "complaint": complaint_id,
    }).last_pk
    audit(db, actor, "flag.complaint", f"flag:{flag_id}", None,
          {"complaint": complaint_id, "score": assessment.score, "threshold": assessment.threshold,
           "reason": "raised for a complaint below the threshold"})
    return flag_id


# ------------------------------------------------------------------------------ reading, changing
def complaint_view(row: dict[str, Any], *, lead: bool, today: dt.date | None = None) -> dict[str, Any]:
    """A complaint as a person may see it: the complainant for leads only; working days left."""
    view = {k: row.get(k) for k in PUBLIC_FIELDS}
    # What the pages print: the notes in the reader's language (the stored English otherwise).
    view["crawl_note_text"] = stored_text(row.get("crawl_note"), row.get("crawl_note_template"))
    view["outcome_text"] = stored_text(row.get("outcome"), row.get("outcome_template"))
    if lead:
        view["complainant"] = row.get("complainant")
    if row["status"] in OPEN_STATUSES:
        try:
            view["days_left"] = working_days_left(today or _today(), dt.date.fromisoformat(row["deadline"]))
        except ComplaintError:
            view["days_left"] = None  # beyond the calendar's years: shown as unknown, never guessed
    else:
        view["days_left"] = None
    return view


def list_complaints(db: Database, *, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Complaints, open ones by deadline first, then the rest newest first."""
    where, params = "", []
    if status:
        check_choice("status", status, STATUSES)
        where, params = "WHERE status = ?", [status]
    return db.execute_returning_dicts(
        f"SELECT * FROM complaints {where} ORDER BY status NOT IN ('open', 'in_progress'), "
        f"CASE WHEN status IN ('open', 'in_progress') THEN deadline END, id DESC LIMIT ?", [*params, limit])


def get_complaint(db: Database, complaint_id: int) -> dict[str, Any] | None:
    rows = db.execute_returning_dicts("SELECT * FROM complaints WHERE id = ?", [complaint_id])
    return rows[0] if rows else None


def set_status(db: Database, complaint_id: int, status: str, *, actor: str, outcome: str | None = None,
               ip: str | None = None) -> dict[str, Any]:
    """Move a complaint on (open -> in_progress -> answered/closed); answering or closing needs
    the outcome note and ends its duplicates with it. All in the audit trail."""
    status = check_choice("status", status, STATUSES)
    outcome = check_text("outcome", outcome, limit=MAX_OUTCOME, required=status in DONE_STATUSES)
    with write_transaction(db):
        row = get_complaint(db, complaint_id)
        if row is None:
            raise LookupError(f"no complaint {complaint_id}")
        if row["status"] in DONE_STATUSES:
            raise ComplaintError("status", _("complaint %(id)s is already %(status)s", id=complaint_id,
                                             status=status_labels().get(row["status"], row["status"])))
        now = utc_now()
        closed_at = now if status in DONE_STATUSES else None
        ids = [complaint_id]
        if status in DONE_STATUSES:
            ids += [r[0] for r in db.execute("SELECT id FROM complaints WHERE duplicate_of = ? AND status IN "
                                             "('open', 'in_progress')", [complaint_id]).fetchall()]
        for cid in ids:
            # The person's own words on their complaint; on a duplicate, "with complaint N: ..." around them.
            with_original = _note(OUTCOME_WITH, id=complaint_id, outcome=outcome) if cid != complaint_id else None
            note = with_original["text"] if with_original else outcome
            template = with_original["template"] if with_original else None
            old = db.execute("SELECT status, outcome FROM complaints WHERE id = ?", [cid]).fetchone()
            db.execute("UPDATE complaints SET status = ?, outcome = coalesce(?, outcome), "
                       "outcome_template = CASE WHEN ? IS NULL THEN outcome_template ELSE ? END, closed_at = ? "
                       "WHERE id = ?", [status, note, note, template, closed_at, cid])
            audit(db, actor, "complaint.status", f"complaint:{cid}", {"status": old[0], "outcome": old[1]},
                  {"status": status, "outcome": note}, ip=ip, at=now)
    return get_complaint(db, complaint_id)
