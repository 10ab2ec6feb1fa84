"""Takedown notices to a platform: built, checked, written, and marked with what came of them.

A notice names the rights holder (a YAML file the analyst fills in, see ``rightsholder``),
the mark with its registration numbers, and each confirmed listing of one platform with its
URL and the reason (the verdict and the flag's signals). The wording is data: Jinja2
templates under ``rules/notices/``, rendered as plain text (``notice_text``: scraped text is
flattened to plain lines, URLs go through the one sanitiser ``monitor.urls.safe_http_url``).

A notice that would lack a required part (a listing without URL, a mark without registration
number, a listing without a reason) is refused whole, naming each missing part and how to
supply it; nothing is written. A written notice is a ``notices`` row (status ``drafted``) with
one ``notice_items`` row per listing, the file's SHA-256, and an ``export`` custody entry.
``mark_notice`` records that it was sent and its outcome, with an audit row; the acceptance
rate per platform is ``monitor.review.outcomes.acceptance_by_platform``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor.categories import known_categories, rules_dir
from monitor.crawl.profile import find_profile
from monitor.evidence import custody
from monitor.export.notice_text import SIGNATORY_KEYS, flag_signals, party, plain, reason_for, render, template_for
from monitor.export.rightsholder import load_rights_holder
from monitor.listing import listing_columns, utc_now
from monitor.review.audit import audit
from monitor.review.outcomes import OUTCOMES, NoticeError, parse_when
from monitor.rules.watchlist import load_watchlist
from monitor.store.db import durable_transaction
from monitor.urls import safe_http_url
from monitor.yamlfile import YamlError

LANGS = ("zh", "en")


class NoticeRefused(NoticeError):
    """The notice would lack required parts; ``problems`` names each and how to supply it."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("notice not written, required parts are missing:\n"
                         + "\n".join(f"  - {p}" for p in problems))


# -- building a notice ----------------------------------------------------------------------

@dataclass
class NoticeRequest:
    platform: str
    mark: str
    rights_holder: Path
    sellers: tuple[str, ...] = ()
    listings: tuple[int, ...] = ()
    registrations: tuple[str, ...] = ()
    lang: str = "zh"
    rules: Path | None = None  # the rules folder (default: MONITOR_RULES or rules/)


@dataclass
class NoticeDraft:
    context: dict[str, Any]
    template: Path
    items: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # the sellers' listings left out (no confirmed verdict concerning the mark)


def _rules_dir(req: NoticeRequest) -> Path:
    return Path(req.rules) if req.rules else rules_dir()


def _watched_mark(rules: Path, name: str):
    """(the watchlist entry for ``name`` by mark or alias, None) or (None, problem)."""
    path = rules / "watchlist.csv"
    if not path.exists():
        return None, None
    try:
        watchlist = load_watchlist(path, known_categories())
    except YamlError as exc:
        return None, f"the watchlist cannot be read ({exc}); fix it (monitor rules check)"
    entry = watchlist.get(name)
    if entry is None:
        folded = name.casefold()
        entry = next((m for m in watchlist.marks if folded in (a.casefold() for a in m.aliases)), None)
    return entry, None


def _platform_name(site: str) -> str:
    try:
        return find_profile(site).name or site
    except Exception:  # noqa: BLE001 - no profile (an imported site) or a broken one: the site id will do
        return site


def _flag_marks(flag: dict[str, Any], signals: list[dict[str, Any]]) -> set[str]:
    marks = {m.casefold() for m in (flag.get("marks") or "").split()}
    return marks | {s["mark"].casefold() for s in signals if s.get("mark")}


def _latest_confirmed(db: Database, listing: int) -> dict[str, Any] | None:
    rows = list(db.execute_returning_dicts(
        "SELECT * FROM flags WHERE listing = ? AND status = 'confirmed' ORDER BY id DESC LIMIT 1", [listing]))
    return rows[0] if rows else None


def prepare_notice(db: Database, req: NoticeRequest) -> NoticeDraft:
    """Everything the notice says, checked; raises ``NoticeRefused`` listing every missing part."""
    if req.lang not in LANGS:
        raise NoticeError(f"unknown language {req.lang!r}; one of {', '.join(LANGS)}")
    problems: list[str] = []
    rules = _rules_dir(req)
    holder: dict[str, Any] | None = None
    try:
        holder = load_rights_holder(req.rights_holder)
    except YamlError as exc:
        problems.append("the rights holder file is not usable:\n    " + str(exc).replace("\n", "\n    "))

    entry, problem = _watched_mark(rules, req.mark)
    if problem:
        problems.append(problem)
    mark = entry.name if entry else req.mark.strip()
    registrations = _registrations(req, entry, mark, rules, problems)
    if holder:
        _check_holder_owns(holder, req, entry, mark, problems)

    rows, skipped, select_problems = _select_listings(db, req, mark)
    problems += select_problems
    items: list[dict[str, Any]] = []
    warnings: list[str] = []
    for row, flag in rows:
        items.append(_notice_item(db, row, flag, len(items) + 1, mark, req.lang, problems, warnings))
    template = template_for(rules, req.platform, req.lang)
    if not template.is_file():
        problems.append(f"no notice template {template}: write it (see rules/notices/README.md)")
    if problems:
        raise NoticeRefused(problems)

    for it in items:
        for n_id, status in db.execute(
                "SELECT n.id, n.status FROM notice_items i JOIN notices n ON n.id = i.notice "
                "WHERE i.listing = ? AND n.mark = ? AND n.status != 'rejected' ORDER BY n.id", [it["listing"], mark]):
            warnings.append(f"listing {it['listing']} is already in notice {n_id} ({status})")
    assert holder is not None
    context = {
        "platform": {"site": plain(req.platform, 60), "name": plain(_platform_name(req.platform), 120)},
        "rights_holder": party(holder["rights_holder"]),
        "agent": party(holder.get("agent")),
        "signatory": party(holder["signatory"], SIGNATORY_KEYS),
        "mark": {"name": plain(mark, 120), "owner": plain(entry.owner, 200) if entry else "",
                 "aliases": [plain(a, 60) for a in (entry.aliases if entry else ())],
                 "registrations": registrations},
        "items": items,
        "lang": req.lang,
    }
    return NoticeDraft(context=context, template=template, items=items, warnings=warnings, skipped=skipped)


def _registrations(req: NoticeRequest, entry, mark: str, rules: Path, problems: list[str]) -> list[str]:
    """The mark's registration numbers: those given, else the watchlist's; a problem when none."""
    registrations = [plain(r, 60) for r in req.registrations if plain(r, 60)]
    for r in registrations:
        if not re.search(r"\d", r):
            problems.append(f"registration {r!r} has no number in it; give it as office:number, e.g. "
                            f"--registration CN:1234567")
    if not registrations and entry is not None:
        registrations = [plain(r, 60) for r in entry.registrations if plain(r, 60)]
    if not registrations:
        where = (f"its row in {rules / 'watchlist.csv'} (line {entry.line}) has an empty `registrations` column"
                 if entry is not None else f"{mark!r} is not on the watchlist ({rules / 'watchlist.csv'})")
        problems.append(f"the mark {mark!r} has no registration number: {where}. Look the number(s) up in the "
                        f"CNIPA register or WIPO's Global Brand Database and add them to the `registrations` "
                        f"column as office:number (CN:1234567|EU:000123456), or pass --registration NUMBER "
                        f"(repeatable)")
    return registrations


def _check_holder_owns(holder: dict[str, Any], req: NoticeRequest, entry, mark: str, problems: list[str]) -> None:
    """A rights holder file that lists its marks must list this one (by name or alias)."""
    if holder["rights_holder"].get("marks"):
        own = {m.casefold() for m in holder["rights_holder"]["marks"]}
        aliases = {mark.casefold(), req.mark.casefold(), *(a.casefold() for a in (entry.aliases if entry else ()))}
        if not own & aliases:
            problems.append(f"the rights holder file lists the marks {', '.join(holder['rights_holder']['marks'])} "
                            f"under rights_holder.marks, not {mark!r}: use the file of the mark's owner, or add the "
                            f"mark there")


def _notice_item(db: Database, row: dict[str, Any], flag: dict[str, Any], n: int, mark: str, lang: str,
                 problems: list[str], warnings: list[str]) -> dict[str, Any]:
    """One listing as the notice names it: URL, reason, verdict, evidence; adds what is missing
    to ``problems``."""
    name = f"listing {row['id']} ({row['site']} {row['listing_id']})"
    url = safe_http_url(row.get("url"))
    if url is None:
        problems.append(f"{name} has no usable URL (stored: {plain(row.get('url'), 80)!r}; a notice must link "
                        f"every listing with an http(s) URL): re-crawl or re-import the listing with its URL, or "
                        f"leave it out (name the other listings with --listing ID)")
    verdict = next(iter(db.execute_returning_dicts(
        "SELECT verdict, reason, note, analyst, decided_at FROM reviews WHERE flag = ? ORDER BY id DESC LIMIT 1",
        [flag["id"]])), None)
    reason, explanations = reason_for(flag, verdict, mark, lang)
    if not reason:
        problems.append(f"{name} has no reason to give: its confirmed flag {flag['id']} carries no signal "
                        f"explaining why (about {mark!r}); re-score it (monitor rescore) and confirm the new "
                        f"flag in the review app, or leave it out")
    evidence = next(iter(db.execute_returning_dicts(
        "SELECT id, kind, sha256, captured_at FROM evidence WHERE listing = ? AND kind != 'screenshot' "
        "ORDER BY captured_at DESC, id DESC LIMIT 1", [row["id"]])), None)
    if row.get("removed_at"):
        warnings.append(f"{name} was seen gone on {row['removed_at'][:10]}; a platform may reject a notice for a "
                        f"listing it no longer shows (a rejection lowers the acceptance rate)")
    return {
        "n": n, "listing": row["id"], "listing_id": plain(row["listing_id"], 120), "url": url or "",
        "title": plain(row.get("title"), 200), "seller_id": plain(row.get("seller_id"), 120),
        "seller_name": plain(row.get("seller_name"), 120), "reason": reason, "grounds": explanations,
        "verdict": verdict["verdict"] if verdict else None,
        "decided_at": verdict["decided_at"] if verdict else None, "flag": flag["id"],
        "first_seen": row.get("first_seen") or "", "last_seen": row.get("last_seen") or "",
        "evidence": ({"captured_at": evidence["captured_at"], "sha256": evidence["sha256"],
                      "kind": evidence["kind"]} if evidence else None),
    }


def _select_listings(db: Database, req: NoticeRequest, mark: str):
    """[(listing row, its latest confirmed flag)], the number of sellers' listings left out, problems."""
    problems: list[str] = []
    chosen: dict[int, tuple[dict, dict]] = {}
    skipped = 0
    folded = mark.casefold()
    if not req.sellers and not req.listings:
        return [], 0, ["no listing named: pass --seller ID or --listing ID (repeatable)"]
    for seller in req.sellers:
        rows = list(db.execute_returning_dicts(
            f"SELECT {listing_columns('l')} FROM listings l WHERE l.site = ? AND l.seller_id = ? ORDER BY l.id", [req.platform, seller]))
        if not rows:
            elsewhere = [r[0] for r in db.execute("SELECT DISTINCT site FROM listings WHERE seller_id = ?", [seller])]
            problems.append(f"seller {seller!r} has no listing on {req.platform!r}"
                            + (f" (it has on {', '.join(elsewhere)}: use --platform {elsewhere[0]})" if elsewhere
                               else "; check the seller id with `monitor export leads --site " + req.platform + "`"))
            continue
        found = 0
        for row in rows:
            flag = _latest_confirmed(db, row["id"])
            if flag and folded in _flag_marks(flag, flag_signals(flag)):
                chosen.setdefault(row["id"], (row, flag))
                found += 1
            else:
                skipped += 1
        if not found:
            problems.append(f"seller {seller!r} has {len(rows)} listing(s) on {req.platform!r} but none with a "
                            f"confirmed verdict concerning {mark!r}, so there is no reason to give for any: confirm "
                            f"them in the review app first (a notice names only confirmed listings)")
    for listing in req.listings:
        row = next(iter(db.execute_returning_dicts(f"SELECT {listing_columns('l')} FROM listings l WHERE l.id = ?", [listing])), None)
        if row is None:
            problems.append(f"no listing with id {listing}; see `monitor export leads --site {req.platform}`")
            continue
        name = f"listing {listing} ({row['site']} {row['listing_id']})"
        if row["site"] != req.platform:
            problems.append(f"{name} is on {row['site']!r}, not {req.platform!r}: one notice goes to one platform")
            continue
        flag = _latest_confirmed(db, listing)
        if flag is None:
            current = db.execute("SELECT status FROM flags WHERE listing = ? ORDER BY id DESC LIMIT 1",
                                 [listing]).fetchone()
            state = f"its flag is {current[0]}" if current else "it was never flagged"
            problems.append(f"{name} has no reason to give: no confirmed verdict ({state}). Confirm it in the review "
                            f"app (/listing/{listing}) first, or leave it out: a notice names only confirmed listings")
            continue
        if folded not in _flag_marks(flag, flag_signals(flag)):
            problems.append(f"{name}: its confirmed flag does not concern {mark!r} (marks: "
                            f"{flag.get('marks') or 'none'}); send it with a notice for that mark, or leave it out")
            continue
        chosen.setdefault(listing, (row, flag))
    return sorted(chosen.values(), key=lambda rf: rf[0]["id"]), skipped, problems


def write_notice(db: Database, draft: NoticeDraft, out: Path, *, actor: str = "cli") -> dict[str, Any]:
    """Record the notice (drafted), write the file, log it; all or nothing. Returns the notice row."""
    out = Path(out)
    now = utc_now()
    ctx = draft.context
    written = False
    try:
        with durable_transaction(db):
            notice_id = db["notices"].insert({
                "platform": ctx["platform"]["site"], "lang": ctx["lang"], "mark": ctx["mark"]["name"],
                "rights_holder": ctx["rights_holder"]["name"], "created_at": now, "created_by": actor,
                "status": "drafted"}).last_pk
            notice = {"id": notice_id, "reference": f"LM-{now[:10].replace('-', '')}-{notice_id}",
                      "date": now[:10], "created_at": now, "template": draft.template.name}
            text = render(draft, notice)
            data = text.encode("utf-8")
            digest = hashlib.sha256(data).hexdigest()
            db.execute("UPDATE notices SET file_sha256 = ? WHERE id = ?", [digest, notice_id])
            db["notice_items"].insert_all(
                [{"notice": notice_id, "listing": it["listing"], "url": it["url"], "reason": it["reason"]}
                 for it in draft.items])
            custody.append(db, actor=actor, action="export", obj=f"notice:{notice_id}", sha256=digest, at=now,
                           detail={"file": out.name, "platform": ctx["platform"]["site"], "mark": ctx["mark"]["name"],
                                   "lang": ctx["lang"], "listings": [it["listing"] for it in draft.items],
                                   "registrations": ctx["mark"]["registrations"], "reference": notice["reference"],
                                   "template": draft.template.name})
            _write_atomically(out, data)
            written = True
    except BaseException:
        if written:
            out.unlink(missing_ok=True)  # the store did not record it: no notice without its record
        raise
    return {**notice, "file_sha256": digest, "listings": len(draft.items), "path": str(out)}


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- tracking: sent, and what came of it -----------------------------------------------------

def list_notices(db: Database, *, platform: str | None = None, status: str | None = None,
                 limit: int = 200) -> list[dict[str, Any]]:
    where, params = [], []
    if platform:
        where.append("n.platform = ?")
        params.append(platform)
    if status:
        where.append("n.status = ?")
        params.append(status)
    return list(db.execute_returning_dicts(
        f"""SELECT n.*, (SELECT count(*) FROM notice_items i WHERE i.notice = n.id) AS listings,
                   (SELECT count(*) FROM notice_items i WHERE i.notice = n.id AND i.removed_at IS NOT NULL) AS removed
            FROM notices n {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY n.id DESC LIMIT ?""",
        [*params, limit]))


def mark_notice(db: Database, notice_id: int, status: str, *, note: str | None = None, at: str | None = None,
                actor: str = "cli") -> dict[str, Any]:
    """Record that a notice was sent, or its outcome. ``removed`` also copies each listing's
    ``removed_at`` (when a crawl saw it gone) onto its notice item. Returns the updated row
    with ``items`` and ``items_removed``."""
    if status not in OUTCOMES:
        raise NoticeError(f"unknown status {status!r}; one of {', '.join(OUTCOMES)}")
    now = utc_now()
    when = parse_when(at) if at else now
    day_only = len(when) == 10
    if day_only:  # a day: its end (or now, today), so it never precedes what was recorded earlier that day
        when = min(when + "T23:59:59Z", now)
    if when > now:
        raise NoticeError(f"{at} is in the future")
    note = plain(note, 2000) or None if note is not None else None
    with durable_transaction(db):
        row = next(iter(db.execute_returning_dicts("SELECT * FROM notices WHERE id = ?", [notice_id])), None)
        if row is None:
            raise NoticeError(f"no notice {notice_id}; `monitor notices` lists them")
        before = {k: row[k] for k in ("status", "sent_at", "outcome_at", "outcome_note")}
        if when[:10] < row["created_at"][:10]:
            raise NoticeError(f"{when[:10]} is before the notice was written ({row['created_at'][:10]})")
        if status == "sent":
            if row["status"] != "drafted":
                raise NoticeError(f"notice {notice_id} is already {row['status']}"
                                  + (f" (sent {row['sent_at']})" if row["sent_at"] else ""))
            db.execute("UPDATE notices SET status = 'sent', sent_at = ?, outcome_note = coalesce(?, outcome_note) "
                       "WHERE id = ?", [when, note, notice_id])
        else:
            if row["sent_at"] is None:
                raise NoticeError(f"notice {notice_id} was never marked sent: record when it went out first "
                                  f"(monitor notices mark {notice_id} sent --at YYYY-MM-DD)")
            if (when[:10] < row["sent_at"][:10]) if day_only else (when < row["sent_at"]):
                raise NoticeError(f"{when} is before the notice was sent ({row['sent_at']})")
            db.execute("UPDATE notices SET status = ?, outcome_at = ?, outcome_note = coalesce(?, outcome_note) "
                       "WHERE id = ?", [status, when, note, notice_id])
            if status == "removed":
                db.execute("UPDATE notice_items SET removed_at = (SELECT removed_at FROM listings l "
                           "WHERE l.id = notice_items.listing) WHERE notice = ? AND removed_at IS NULL", [notice_id])
        after = next(iter(db.execute_returning_dicts("SELECT * FROM notices WHERE id = ?", [notice_id])))
        audit(db, actor, "notice", f"notice:{notice_id}", before,
              {k: after[k] for k in ("status", "sent_at", "outcome_at", "outcome_note")}, at=utc_now())
    counts = db.execute("SELECT count(*), count(removed_at) FROM notice_items WHERE notice = ?", [notice_id]).fetchone()
    return {**after, "items": counts[0], "items_removed": counts[1]}
