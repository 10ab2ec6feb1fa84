"""Full-text search over the stored listings' titles and descriptions (the trigram index of
migration 0011, kept by the listings' writers in monitor/store/listings.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

from monitor.listing import StoredListing, listing_columns


def search_listings(db: Database, query: str, *, limit: int = 50) -> list[StoredListing]:
    """Full-text search over title and description (Chinese and Latin).

    The trigram index needs three characters; shorter queries (two-character Chinese
    words are common) fall back to a substring scan.
    """
    query = query.strip()
    if not query:
        return []
    if len(query) >= 3:
        sql = (
            f"SELECT {listing_columns('l')} FROM listings AS l JOIN listings_fts ON listings_fts.rowid = l.id "
            "WHERE listings_fts MATCH ? ORDER BY rank LIMIT ?"
        )
        return list(db.execute_returning_dicts(sql, [db.quote_fts(query), limit]))
    like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sql = (
        f"SELECT {listing_columns('l')} FROM listings AS l WHERE title LIKE ? ESCAPE '\\' "
        "OR description LIKE ? ESCAPE '\\' ORDER BY last_seen DESC LIMIT ?"
    )
    return list(db.execute_returning_dicts(sql, [like, like, limit]))
