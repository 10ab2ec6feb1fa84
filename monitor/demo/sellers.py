"""Each demo site's sellers: brand flagships, authorised dealers, resellers, generic and suspicious
shops from the pools in ``tables.py``, with deterministic ratings; ``role`` and ``brand`` are hidden."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.demo.tables import BRANDS, EXTRA_SELLERS, RATING, SELLER_POOLS


@dataclass(frozen=True)
class Seller:
    site: str
    seller_id: str
    name: str
    location: str
    rating: float
    rating_count: int
    role: str  # flagship | authorised | reseller | generic | suspicious | official | independent |
    #            secondhand | toyshop | aftermarket (hidden)
    category: str | None = None
    brand: str | None = None  # the brand an official store belongs to (hidden)

    def public(self) -> dict[str, Any]:
        return {"id": self.seller_id, "name": self.name, "location": self.location,
                "rating": self.rating, "rating_count": self.rating_count}


def _seller_id(site: str, k: int, slug: str) -> str:
    if site == "greenmart":
        return f"gm-{slug}"
    if site == "baihuo":
        return str(10000 + 37 * k)
    return f"s{2000 + k}"


@lru_cache(maxsize=None)
def _sellers(site: str) -> tuple[Seller, ...]:
    out: list[Seller] = []
    rng = random.Random(f"sellers:{site}")

    def add(name, location, role, slug, category=None, brand=None):
        lo, hi, clo, chi = RATING[role]
        rating = round(rng.uniform(lo, hi), 1)
        count = int(rng.uniform(clo, chi))
        out.append(Seller(site, _seller_id(site, len(out) + 1, slug), name, location, rating, count, role, category,
                          brand))

    for key, (en, zh, cat, loc) in BRANDS.items():
        if site == "greenmart":
            name = f"{en} Official Store" if en != zh else f"{en} 官方旗舰店"
        elif site == "baihuo":
            name = f"{zh}官方旗舰店"
        else:
            name = f"{zh}官方店"
        add(name, loc, "flagship", f"{key}-official", cat)
    for role in ("authorised", "reseller", "generic", "suspicious"):
        for i, (name, loc, cat) in enumerate(SELLER_POOLS[site][role]):
            add(name, loc, role, f"{role}-{i + 1}", cat)
    for role, pool in EXTRA_SELLERS[site].items():
        for i, (name, loc, cat, *brand) in enumerate(pool):
            add(name, loc, role, f"{role}-{i + 1}", cat, brand[0] if brand else None)
    return tuple(out)


def sellers(site: str) -> dict[str, Seller]:
    return {s.seller_id: s for s in _sellers(site)}
