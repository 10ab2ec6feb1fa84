"""Reviewed listings as labelled examples for ``monitor rules calibrate --from-store``.

A flag's label is its latest verdict (``reviews`` is append-only; a changed verdict is a new
row): the confirming verdicts say "should be flagged", ``dismissed`` says "should not";
``needs_test_purchase`` and ``escalate`` are not decisions and are left out. A listing with
several decided flags counts once, with the verdict decided last, because its features are
re-computed from its stored content today, not from what the flag saw.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from monitor.listing import listing_columns
from monitor.rules.engine import Engine
from monitor.scoring.score import as_listing
from monitor.store.flags import comparable_prices, confirmed_verdicts
from monitor.store.relisting import RelistingLookup
from monitor.verdicts import CONFIRMING, DISMISSED, placeholders

_DECIDED = (*CONFIRMING, DISMISSED)  # a label either way; escalate and needs_test_purchase are not


@dataclass(frozen=True)
class ReviewedListing:
    listing: dict  # as the engine reads it (images and attributes parsed)
    flag: bool  # confirmed (True) or dismissed (False)
    verdict: str
    flag_id: int


def reviewed_listings(db: Database) -> list[ReviewedListing]:
    """Every listing whose latest decided verdict is confirming or dismissed, oldest listing first."""
    if not db["reviews"].exists():
        return []
    decided = placeholders(_DECIDED)
    rows = db.execute_returning_dicts(
        f"""
        WITH latest AS (  -- the latest verdict of each flag
          SELECT r.flag, r.listing, r.verdict, r.id FROM reviews r
          WHERE r.id = (SELECT max(id) FROM reviews WHERE flag = r.flag)
        ), decided AS (  -- of each listing, the flag decided last
          SELECT * FROM latest WHERE verdict IN ({decided})
          AND id = (SELECT max(l2.id) FROM latest l2 WHERE l2.listing = latest.listing
                    AND l2.verdict IN ({decided}))
        )
        SELECT d.flag AS _flag, d.verdict AS _verdict, {listing_columns("l")} FROM decided d JOIN listings l ON l.id = d.listing
        ORDER BY l.id
        """, [*_DECIDED, *_DECIDED])
    out = []
    for row in rows:
        flag_id, verdict = row.pop("_flag"), row.pop("_verdict")
        out.append(ReviewedListing(as_listing(row), verdict in CONFIRMING, verdict, int(flag_id)))
    return out


class _OwnVerdictsLeftOut:
    """A seller's confirmed flags not counting the listing being assessed.

    Why: the engine's seller_history signal counts the seller's confirmed flags; counted with
    the listing's own verdict, the label would leak into its features and seller_history
    would look like a perfect predictor of the label it was computed from.
    """

    def __init__(self, db: Database):
        self.db = db
        self.count = confirmed_verdicts(db)
        self.current: dict | None = None

    def __call__(self, site: str, seller_id: str) -> int:
        total = self.count(site, seller_id)
        listing = self.current
        if listing and listing.get("site") == site and listing.get("seller_id") == seller_id:
            own = self.db.execute("SELECT count(*) FROM flags WHERE listing = ? AND status = 'confirmed'",
                                  [listing["id"]]).fetchone()[0]
            total -= int(own)
        return max(total, 0)


def assess_reviewed(db: Database, packs, reviewed: list[ReviewedListing]) -> list[tuple[ReviewedListing, object]]:
    """(reviewed listing, today's Assessment) with the store's context (comparable prices,
    relisting, the seller's other confirmed flags)."""
    verdicts = _OwnVerdictsLeftOut(db)
    engine = Engine(packs, comparables=comparable_prices(db), confirmed_verdicts=verdicts,
                    relisting=RelistingLookup(db))
    out = []
    for item in reviewed:
        verdicts.current = item.listing
        out.append((item, engine.assess(item.listing)))
    return out
