"""Recording that a listing is gone (404, 410 or the shop's "item gone" page)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from monitor.store.db import write_transaction
from monitor.verdicts import CONFIRMING, placeholders

# The monitor's own availability value for an observation of a removed listing; the
# schema.org values describe listings that still exist.
REMOVED = "Removed"


def record_removals(db: Database, removals: Iterable[Mapping[str, Any]], *, run_id: int | None) -> int:
    """Mark known listings removed and add an observation for each; returns how many."""
    count = 0
    with write_transaction(db):
        for item in removals:
            row = db.execute(
                "SELECT id FROM listings WHERE site = ? AND listing_id = ?", [item["site"], str(item["listing_id"])]
            ).fetchone()
            if row is None:
                continue  # never seen alive: nothing to mark
            listing_pk = row[0]
            db.execute(
                "UPDATE listings SET removed_at = coalesce(removed_at, ?), http_status = ?, "
                "last_run_id = coalesce(?, last_run_id) WHERE id = ?",
                [item["observed_at"], item["http_status"], run_id, listing_pk],
            )
            db.execute(
                "INSERT INTO observations (listing, run_id, observed_at, source, http_status, availability) "
                "VALUES (?, ?, ?, 'crawl', ?, ?) "
                "ON CONFLICT(listing, run_id) WHERE run_id IS NOT NULL DO UPDATE SET "
                "observed_at = excluded.observed_at, http_status = excluded.http_status, "
                "availability = excluded.availability, title = NULL, price = NULL",
                [listing_pk, run_id, item["observed_at"], item["http_status"], REMOVED],
            )
            count += 1
    return count


def listings_to_recheck(db: Database, site: str, *, run_id: int, categories: list[str] | None,
                        limit: int) -> list[dict[str, Any]]:
    """Known live listings of a site that this run has not seen yet, most recently seen first."""
    sql = ("SELECT listing_id, url, category FROM listings WHERE site = ? AND removed_at IS NULL "
           "AND (last_run_id IS NULL OR last_run_id != ?)")
    params: list[Any] = [site, run_id]
    if categories:
        sql += f" AND category IN ({', '.join('?' * len(categories))})"
        params += categories
    sql += " ORDER BY last_seen DESC LIMIT ?"
    return list(db.execute_returning_dicts(sql, [*params, limit]))


def confirmed_to_recheck(db: Database, site: str, *, limit: int = 1000) -> list[dict[str, Any]]:
    """Listings of a site with a confirmed verdict, the longest unchecked first: the follow-up of
    what was reported (removed, still live, changed). Removed ones are included, to see them
    come back at the same address."""
    return list(db.execute_returning_dicts(
        "SELECT l.listing_id, l.url, l.category FROM listings l "
        "WHERE l.site = ? AND EXISTS (SELECT 1 FROM flags f WHERE f.listing = l.id AND f.status = 'confirmed') "
        "ORDER BY l.last_seen ASC LIMIT ?", [site, limit]))


def takedown_times(db: Database, *, since: str | None = None) -> list[dict[str, Any]]:
    """Confirmed listings (counterfeit, infringement or regulatory violation: every verdict that
    confirms a flag) with the time of the first confirming verdict and of the removal seen
    after it (NULL while still live): how long takedowns take, for reports."""
    sql = f"""
        SELECT l.id AS listing, l.site, l.listing_id, l.seller_id, l.category, min(r.decided_at) AS confirmed_at,
               l.removed_at,
               CASE WHEN l.removed_at IS NOT NULL AND l.removed_at >= min(r.decided_at)
                    THEN round((julianday(l.removed_at) - julianday(min(r.decided_at))) * 24, 2) END AS hours_to_removal
        FROM listings l JOIN flags f ON f.listing = l.id AND f.status = 'confirmed'
        JOIN reviews r ON r.flag = f.id
             AND r.verdict IN ({placeholders(CONFIRMING)})
    """
    params: list[Any] = [*CONFIRMING]
    sql += " GROUP BY l.id"
    if since:
        sql += " HAVING confirmed_at >= ?"
        params.append(since)
    return list(db.execute_returning_dicts(sql + " ORDER BY confirmed_at", params))
