"""A seller's case: the seller's listings on its site and, under the same seller id or name, on
every other site, with their flags and latest verdicts."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from monitor.listing import listing_columns


_SELLER_LISTING = ("id", "site", "listing_id", "title", "price", "currency", "seller_id", "seller_name", "first_seen",
                   "last_seen", "removed_at", "score")
_SELLER_LISTINGS = f"""
SELECT {listing_columns("l", _SELLER_LISTING)},
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

