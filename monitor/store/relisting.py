"""Relisting: a listing that appears after another one was confirmed, by the same seller or
with a near-identical title and images (takedowns are often answered by re-posting).

The lookup is handed to the rule engine, which raises a ``relisted`` signal naming the
original; ``record_assessment`` then writes the link onto the listing (``relisted_of``).
Confirmed listings are few next to the listings scored, so they are kept in memory and
re-read at most every ``refresh_seconds`` (a verdict given during a crawl is seen soon).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process, utils
from sqlite_utils import Database

from monitor.i18n import N_
from monitor.listing import listing_columns

# Title similarity (token sort ratio on case-folded text) at which two listings are "the same
# offer": with a shared image file; without images on either side it must be higher still.
TITLE_WITH_IMAGE = 88
TITLE_ALONE = 95

CONFIRMED_STATUSES = ("confirmed",)


@dataclass(frozen=True)
class Original:
    id: int
    site: str
    seller_id: str | None
    title: str
    category: str | None
    images: frozenset[str]
    decided_at: str


@dataclass(frozen=True)
class Relisting:
    original: int
    reason: str  # same_seller | same_offer
    # The explanation as a message id with its parameters (JSON-safe; a nested message stored as
    # {"message": ..., "params": ...}): the engine makes it the signal's Msg (monitor.rules.explain),
    # whose English is the text stored flags hold and which explain() shows in the reader's language.
    message: str
    params: dict[str, Any]
    similarity: float | None = None


# The explanations (documents.po); the store layer marks them, the rule engine renders them.
SAME_OFFER = N_("Near-identical to listing #%(original)s on %(site)s, confirmed on %(day)s: "
                "title %(similarity)s%% alike, %(images)s")
SAME_IMAGE = N_("the same image (%(image)s)")
NO_DIFFERING_IMAGES = N_("no differing images")
SAME_SELLER = N_("New listing by %(seller)s, whose listing #%(original)s was confirmed on %(day)s")


# What an original needs of its listing row.
_ORIGINAL_COLUMNS = ("id", "site", "seller_id", "title", "category", "images")


def _image_names(images) -> frozenset[str]:
    """Image file names: shops serve the same picture from other hosts and paths."""
    if isinstance(images, str):
        try:
            images = json.loads(images)
        except ValueError:
            images = []
    names = set()
    for url in images or []:
        name = PurePosixPath(urlsplit(str(url)).path).name.lower()
        if len(name) >= 6:  # "1.jpg" says nothing
            names.add(name)
    return frozenset(names)


class RelistingLookup:
    def __init__(self, db: Database, refresh_seconds: float = 60.0):
        self.db = db
        self.refresh_seconds = refresh_seconds
        self.loaded_at = float("-inf")
        self.by_seller: dict[tuple[str, str], list[Original]] = {}
        self.originals: list[Original] = []
        # Titles per category: a relisted offer keeps its category, and comparing with the
        # confirmed listings of one category keeps the cost flat as the confirmed set grows.
        self.by_category: dict[str | None, tuple[list[str], list[Original]]] = {}

    def _load(self) -> None:
        rows = self.db.execute_returning_dicts(
            f"SELECT {listing_columns('l', _ORIGINAL_COLUMNS)}, max(r.decided_at) AS decided_at "
            "FROM flags f JOIN listings l ON l.id = f.listing JOIN reviews r ON r.flag = f.id "
            f"WHERE f.status IN ({', '.join('?' * len(CONFIRMED_STATUSES))}) GROUP BY l.id",
            list(CONFIRMED_STATUSES))
        self.originals = [Original(r["id"], r["site"], r["seller_id"], r["title"] or "", r["category"],
                                   _image_names(r["images"]), r["decided_at"]) for r in rows]
        self.by_seller = {}
        for o in self.originals:
            if o.seller_id:
                self.by_seller.setdefault((o.site, o.seller_id), []).append(o)
        self.by_category = {}
        for o in self.originals:
            titles, originals = self.by_category.setdefault(o.category, ([], []))
            titles.append(utils.default_process(o.title))
            originals.append(o)
        self.loaded_at = time.monotonic()

    def __call__(self, listing: dict) -> Relisting | None:
        if time.monotonic() - self.loaded_at > self.refresh_seconds:
            self._load()
        if not self.originals:
            return None
        # The same offer names the original more precisely than "the same seller": first.
        return self._same_offer(listing) or self._same_seller(listing)

    @staticmethod
    def _after_verdict(original: Original, listing: dict) -> bool:
        """Only listings first seen after the original's verdict are relistings."""
        return original.id != listing.get("id") and original.decided_at <= (listing.get("first_seen") or "")

    def _same_offer(self, listing: dict) -> Relisting | None:
        title = utils.default_process(listing.get("title") or "")
        if len(title) < 8:
            return None
        images = _image_names(listing.get("images"))
        titles, originals = self.by_category.get(listing.get("category"), ((), ()))
        for _, score, index in process.extract(title, titles, scorer=fuzz.token_sort_ratio,
                                               score_cutoff=TITLE_WITH_IMAGE, limit=5, processor=None):
            o = originals[index]
            if not self._after_verdict(o, listing):
                continue
            shared = images & o.images
            if shared or (score >= TITLE_ALONE and not (images and o.images)):
                what = ({"message": SAME_IMAGE, "params": {"image": sorted(shared)[0]}} if shared else
                        {"message": NO_DIFFERING_IMAGES, "params": {}})
                return Relisting(o.id, "same_offer", SAME_OFFER,
                                 {"original": o.id, "site": o.site, "day": o.decided_at[:10],
                                  "similarity": f"{score:.0f}", "images": what}, similarity=round(score / 100, 3))
        return None

    def _same_seller(self, listing: dict) -> Relisting | None:
        seller = (listing.get("site"), listing.get("seller_id"))
        if not seller[1]:
            return None
        earlier = [o for o in self.by_seller.get(seller, []) if self._after_verdict(o, listing)]
        if not earlier:
            return None
        o = min(earlier, key=lambda x: x.decided_at)
        who = listing.get("seller_name") or seller[1]
        return Relisting(o.id, "same_seller", SAME_SELLER, {"seller": who, "original": o.id, "day": o.decided_at[:10]})
