"""The review data layer, shared by the HTML pages and the JSON API: the queue, verdicts,
claims, listing and seller views, dashboard figures. No HTML here."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from monitor.listing import utc_now
from monitor.store.db import write_transaction
from monitor.store.migrations_review import DISMISS_REASONS, VERDICTS
from monitor.web.accounts import User, audit

FLAG_STATUSES = ("open", "confirmed", "dismissed", "superseded")
VERDICT_STATUS = {"confirmed_counterfeit": "confirmed", "confirmed_infringement": "confirmed",
                  "regulatory_violation": "confirmed", "dismissed": "dismissed"}
PAGE_SIZE = 50


class ReviewError(ValueError):
    """A request the store refuses (bad verdict, missing reason, stale flag): 400/409."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# -- the queue ----------------------------------------------------------------------------

@dataclass
class QueueFilters:
    status: str = "open"  # a flag status or "all"
    category: str = ""
    mark: str = ""
    site: str = ""
    seller: str = ""
    signal: str = ""
    min_score: int | None = None
    max_score: int | None = None
    seen_from: str = ""  # listing first_seen date, YYYY-MM-DD
    seen_to: str = ""
    q: str = ""
    mine: bool = False

    def where(self, user: User | None, *, with_status: bool = True) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if with_status and self.status in FLAG_STATUSES:
            where.append("f.status = ?")
            params.append(self.status)
        for column, value in (("f.category", self.category), ("l.site", self.site)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if self.mark:
            where.append("(' ' || lower(coalesce(f.marks, '')) || ' ') LIKE ?")
            params.append(f"% {self.mark.lower()} %")
        if self.signal:
            where.append("(' ' || coalesce(f.signal_names, '') || ' ') LIKE ?")
            params.append(f"% {self.signal} %")
        if self.seller:
            where.append("(l.seller_id = ? OR l.seller_name LIKE ? ESCAPE '\\')")
            params += [self.seller, "%" + _like_escape(self.seller) + "%"]
        if self.min_score is not None:
            where.append("f.score >= ?")
            params.append(self.min_score)
        if self.max_score is not None:
            where.append("f.score <= ?")
            params.append(self.max_score)
        if self.seen_from:
            where.append("l.first_seen >= ?")
            params.append(self.seen_from)
        if self.seen_to:
            where.append("substr(l.first_seen, 1, 10) <= ?")
            params.append(self.seen_to)
        q = self.q.strip()
        if len(q) >= 3:
            # the trigram index (see monitor.store.listings.search_listings)
            where.append("l.id IN (SELECT rowid FROM listings_fts WHERE listings_fts MATCH ?)")
            params.append(_quote_fts(q))
        elif q:
            like = "%" + _like_escape(q) + "%"
            where.append("(l.title LIKE ? ESCAPE '\\' OR l.description LIKE ? ESCAPE '\\')")
            params += [like, like]
        if self.mine and user:
            where.append("a.analyst = ?")
            params.append(user.name)
        return where, params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _quote_fts(query: str) -> str:
    return '"' + query.replace('"', '""') + '"'


def encode_cursor(row: dict[str, Any]) -> str:
    raw = json.dumps([row["score"], row["category"] or "", row["flag_id"]], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        score, category, flag_id = json.loads(raw)
        return int(score), str(category), int(flag_id)
    except (ValueError, TypeError):
        return None


_QUEUE_SELECT = """
SELECT f.id AS flag_id, f.status, f.score, f.category, f.signal_names, f.marks, f.created_at,
       l.id AS listing_id, l.site, l.title, l.price, l.currency, l.seller_id, l.seller_name, l.first_seen,
       l.last_seen, l.removed_at, a.analyst AS claimed_by, a.claimed_at,
       (SELECT r.verdict FROM reviews r WHERE r.flag = f.id ORDER BY r.id DESC LIMIT 1) AS verdict
FROM flags f JOIN listings l ON l.id = f.listing LEFT JOIN assignments a ON a.listing = l.id
"""
_ORDER = " ORDER BY f.score DESC, coalesce(f.category, '') ASC, f.id ASC"


def queue_page(db: Database, filters: QueueFilters, user: User | None, *, after: str = "",
               limit: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of the queue, by priority; keyset pagination on (score desc, category, flag id)."""
    where, params = filters.where(user)
    cursor = decode_cursor(after) if after else None
    if cursor:
        s, c, i = cursor
        where.append("(f.score < ? OR (f.score = ? AND (coalesce(f.category, '') > ? OR "
                     "(coalesce(f.category, '') = ? AND f.id > ?))))")
        params += [s, s, c, c, i]
    sql = _QUEUE_SELECT + (" WHERE " + " AND ".join(where) if where else "") + _ORDER + " LIMIT ?"
    rows = list(db.execute_returning_dicts(sql, [*params, limit + 1]))
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        row["signals"] = (row.pop("signal_names") or "").split()
        row["marks"] = (row["marks"] or "").split()
    count_where, count_params = filters.where(user, with_status=False)
    counts = {s: 0 for s in FLAG_STATUSES}
    count_sql = ("SELECT f.status, count(*) FROM flags f JOIN listings l ON l.id = f.listing "
                 "LEFT JOIN assignments a ON a.listing = l.id"
                 + (" WHERE " + " AND ".join(count_where) if count_where else "") + " GROUP BY f.status")
    for status, n in db.execute(count_sql, count_params).fetchall():
        counts[status] = n
    return {"items": rows, "next": encode_cursor(rows[-1]) if more and rows else None, "counts": counts}


def filter_choices(db: Database) -> dict[str, list[str]]:
    def distinct(sql: str) -> list[str]:
        return [r[0] for r in db.execute(sql).fetchall() if r[0]]

    signals = sorted({s for (names,) in db.execute("SELECT DISTINCT signal_names FROM flags").fetchall()
                      for s in (names or "").split()})
    return {"categories": distinct("SELECT DISTINCT category FROM flags ORDER BY 1"),
            "sites": distinct("SELECT DISTINCT site FROM listings ORDER BY 1"),
            "signals": signals}


def neighbours(db: Database, flag: dict[str, Any]) -> tuple[int | None, int | None]:
    """The previous and next open flags' listings in queue order (for j/k on the listing page)."""
    s, c, i = flag["score"], flag["category"] or "", flag["id"]
    nxt = db.execute(
        "SELECT listing FROM flags f WHERE status = 'open' AND (score < ? OR (score = ? AND "
        "(coalesce(category, '') > ? OR (coalesce(category, '') = ? AND id > ?)))) AND listing != ?"
        + _ORDER.replace("f.", "") + " LIMIT 1", [s, s, c, c, i, flag["listing"]]).fetchone()
    prev = db.execute(
        "SELECT listing FROM flags f WHERE status = 'open' AND (score > ? OR (score = ? AND "
        "(coalesce(category, '') < ? OR (coalesce(category, '') = ? AND id < ?)))) AND listing != ? "
        "ORDER BY score ASC, coalesce(category, '') DESC, id DESC LIMIT 1", [s, s, c, c, i, flag["listing"]]).fetchone()
    return (prev[0] if prev else None), (nxt[0] if nxt else None)


# -- verdicts and claims ------------------------------------------------------------------

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
        raise ReviewError(f"unknown verdict {decision.verdict!r}; one of {', '.join(VERDICTS)}")
    reason = (decision.reason or "").strip() or None
    if decision.verdict == "dismissed":
        if reason not in DISMISS_REASONS:
            raise ReviewError("dismissing needs a reason: " + ", ".join(DISMISS_REASONS))
    elif reason is not None and reason not in DISMISS_REASONS:
        raise ReviewError(f"unknown reason {reason!r}")
    note = (decision.note or "").strip()[:4000] or None
    return Decision(int(decision.flag), decision.verdict, reason, note)


def record_verdicts(db: Database, user: User, decisions: list[Decision], *, ip: str | None = None) -> DecisionResult:
    """Record decisions in one transaction: a reviews row and an audit row each, and the flag's
    status. All or nothing. A superseded flag is refused (the listing has a newer flag)."""
    decisions = [validate(d) for d in decisions]
    if not decisions:
        raise ReviewError("select at least one flag")
    result = DecisionResult()
    now = utc_now()
    with write_transaction(db):
        for d in decisions:
            flag = db.execute("SELECT id, listing, status FROM flags WHERE id = ?", [d.flag]).fetchone()
            if not flag:
                raise ReviewError(f"no flag {d.flag}", 404)
            flag_id, listing, status = flag
            if status == "superseded":
                raise ReviewError(f"flag {flag_id} was superseded by a newer assessment; reload the listing", 409)
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


def claim(db: Database, user: User, listing: int, *, assignee: str | None = None, release: bool = False,
          ip: str | None = None) -> dict[str, Any] | None:
    """Claim a listing for yourself, release your claim, or (leads) assign it to someone."""
    assignee = assignee or user.name
    with write_transaction(db):
        if not db.execute("SELECT 1 FROM listings WHERE id = ?", [listing]).fetchone():
            raise ReviewError(f"no listing {listing}", 404)
        current = db.execute("SELECT analyst, claimed_at FROM assignments WHERE listing = ?", [listing]).fetchone()
        holder = current[0] if current else None
        is_lead = user.can("lead")
        if release:
            if holder and holder != user.name and not is_lead:
                raise ReviewError(f"{holder} has this listing; only a lead can release it", 403)
            db.execute("DELETE FROM assignments WHERE listing = ?", [listing])
            audit(db, user.name, "release", f"listing:{listing}", {"analyst": holder}, None, ip=ip)
            return None
        if assignee != user.name and not is_lead:
            raise ReviewError("only a lead can assign listings to others", 403)
        if holder and holder != user.name and not is_lead:
            raise ReviewError(f"{holder} already has this listing", 409)
        if assignee != user.name and not db.execute(
                "SELECT 1 FROM users WHERE name = ? AND disabled_at IS NULL", [assignee]).fetchone():
            raise ReviewError(f"no active user {assignee!r}")
        if holder == assignee:
            return {"analyst": holder, "claimed_at": current[1]}
        now = utc_now()
        db.execute("INSERT OR REPLACE INTO assignments (listing, analyst, claimed_at, assigned_by) VALUES (?, ?, ?, ?)",
                   [listing, assignee, now, user.name])
        audit(db, user.name, "claim" if assignee == user.name else "assign", f"listing:{listing}",
              {"analyst": holder} if holder else None, {"analyst": assignee}, ip=ip, at=now)
        return {"analyst": assignee, "claimed_at": now}


# -- listing and seller views -------------------------------------------------------------

def _json(text: str | None, default):
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def listing_detail(db: Database, listing_id: int) -> dict[str, Any] | None:
    rows = list(db.execute_returning_dicts("SELECT * FROM listings WHERE id = ?", [listing_id]))
    if not rows:
        return None
    listing = rows[0]
    images = _json(listing.get("images"), [])
    listing["images"] = [str(u) for u in images] if isinstance(images, list) else []
    attributes = _json(listing.get("attributes"), {})
    listing["attributes"] = {str(k): "" if v is None else str(v) for k, v in attributes.items()} \
        if isinstance(attributes, dict) else {}
    flags = list(db.execute_returning_dicts("SELECT * FROM flags WHERE listing = ? ORDER BY id DESC", [listing_id]))
    for f in flags:
        f["signals"] = _json(f["signals"], [])
    current = next((f for f in flags if f["status"] != "superseded"), flags[0] if flags else None)
    history = list(db.execute_returning_dicts(
        "SELECT observed_at, price, currency, availability, title, seller_name, http_status FROM observations "
        "WHERE listing = ? ORDER BY observed_at", [listing_id]))
    reviews = list(db.execute_returning_dicts("SELECT * FROM reviews WHERE listing = ? ORDER BY id DESC", [listing_id]))
    audit_rows = list(db.execute_returning_dicts(
        "SELECT id, at, actor, action, object, before, after FROM audit WHERE object = ? ORDER BY id DESC",
        [f"listing:{listing_id}"]))
    assignment = db.execute("SELECT analyst, claimed_at, assigned_by FROM assignments WHERE listing = ?",
                            [listing_id]).fetchone()
    seller = None
    if listing.get("seller_id"):
        seller = seller_summary(db, listing["site"], listing["seller_id"], exclude=listing_id)
    return {"listing": listing, "flag": current, "flags": flags, "history": history, "reviews": reviews,
            "audit": audit_rows, "seller": seller,
            "claim": {"analyst": assignment[0], "claimed_at": assignment[1], "assigned_by": assignment[2]}
            if assignment else None}


_SELLER_LISTINGS = """
SELECT l.id, l.site, l.listing_id, l.title, l.price, l.currency, l.seller_id, l.seller_name, l.first_seen,
       l.last_seen, l.removed_at, l.score,
       (SELECT f.status FROM flags f WHERE f.listing = l.id AND f.status != 'superseded' ORDER BY f.id DESC LIMIT 1)
         AS flag_status,
       (SELECT r.verdict FROM reviews r WHERE r.listing = l.id ORDER BY r.id DESC LIMIT 1) AS verdict,
       (SELECT r.decided_at FROM reviews r WHERE r.listing = l.id ORDER BY r.id DESC LIMIT 1) AS decided_at,
       (SELECT r.analyst FROM reviews r WHERE r.listing = l.id ORDER BY r.id DESC LIMIT 1) AS analyst
FROM listings l
"""


def seller_summary(db: Database, site: str, seller_id: str, *, exclude: int | None = None,
                   limit: int = 500) -> dict[str, Any]:
    """The seller's listings on this site, plus listings on any site under the same seller id or name."""
    rows = list(db.execute_returning_dicts("SELECT * FROM sellers WHERE site = ? AND seller_id = ?", [site, seller_id]))
    seller = rows[0] if rows else {"site": site, "seller_id": seller_id, "name": None}
    names = {r[0] for r in db.execute("SELECT DISTINCT seller_name FROM listings WHERE site = ? AND seller_id = ? "
                                      "AND seller_name IS NOT NULL AND seller_name != ''", [site, seller_id])}
    if seller.get("name"):
        names.add(seller["name"])
    names_list = sorted(names)
    where = "(l.seller_id = ?" + (f" OR l.seller_name IN ({', '.join('?' * len(names_list))})" if names_list else "") + ")"
    params: list[Any] = [seller_id, *names_list]
    if exclude is not None:
        where += " AND l.id != ?"
        params.append(exclude)
    listings = list(db.execute_returning_dicts(
        _SELLER_LISTINGS + " WHERE " + where + " ORDER BY l.site, l.score DESC, l.id LIMIT ?", [*params, limit]))
    for row in listings:
        row["same_account"] = row["site"] == site and row["seller_id"] == seller_id
    sites = sorted({r["site"] for r in listings} | {site})
    case = [r for r in listings if r["flag_status"] == "confirmed"]
    verdicts: dict[str, int] = {}
    for r in listings:
        if r["verdict"]:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    return {"seller": seller, "names": names_list, "listings": listings, "sites": sites, "case": case,
            "verdicts": verdicts}


# -- dashboard ----------------------------------------------------------------------------

def dashboard(db: Database, days: int = 30) -> dict[str, Any]:
    def rows(sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return list(db.execute_returning_dicts(sql, params or []))

    by_signal: dict[str, int] = {}
    for (names,) in db.execute("SELECT signal_names FROM flags WHERE status = 'open'").fetchall():
        for name in (names or "").split():
            by_signal[name] = by_signal.get(name, 0) + 1
    # time from the flag being raised to its first verdict
    latency = rows(
        "SELECT r.analyst, (julianday(min(r.decided_at)) - julianday(f.created_at)) * 24 AS hours "
        "FROM reviews r JOIN flags f ON f.id = r.flag GROUP BY r.flag")
    hours = sorted(r["hours"] for r in latency if r["hours"] is not None)
    return {
        "by_category": rows("SELECT coalesce(category, '-') AS key, count(*) AS n FROM flags WHERE status = 'open' "
                            "GROUP BY 1 ORDER BY n DESC"),
        "by_site": rows("SELECT l.site AS key, count(*) AS n FROM flags f JOIN listings l ON l.id = f.listing "
                        "WHERE f.status = 'open' GROUP BY 1 ORDER BY n DESC"),
        "by_signal": [{"key": k, "n": n} for k, n in sorted(by_signal.items(), key=lambda kv: (-kv[1], kv[0]))],
        "per_day": rows("SELECT substr(decided_at, 1, 10) AS day, verdict, count(*) AS n FROM reviews "
                        "WHERE decided_at >= date('now', ?) GROUP BY 1, 2 ORDER BY 1 DESC, 2", [f"-{days} days"]),
        "per_analyst": rows("SELECT analyst AS key, count(*) AS n, count(DISTINCT flag) AS flags, "
                            "max(decided_at) AS last FROM reviews WHERE decided_at >= date('now', ?) "
                            "GROUP BY 1 ORDER BY n DESC", [f"-{days} days"]),
        "latency": {"decided": len(hours),
                    "median_hours": hours[len(hours) // 2] if hours else None,
                    "p90_hours": hours[min(len(hours) - 1, int(len(hours) * 0.9))] if hours else None},
        "days": days,
    }
