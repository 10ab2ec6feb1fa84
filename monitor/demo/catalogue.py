"""The demo listing data: three marketplaces, ~150 listings each, with hidden ground truth.

Everything is generated deterministically (hashes of the parts, seeded ``random.Random``, no
clock, no global randomness), so a test, a benchmark and ``monitor demo`` see the same shops:

- ``tables.py``: the data (brands, products, look-alikes, regulatory cases, hard negatives, the
  realistic clean mix, seller pools, text templates);
- ``sellers.py`` and ``listings.py``: each site's sellers and base listings, with truth and note;
- here: variants, prices per night, and ``Catalogue``, the public view the shops serve.

Scale (``scale=K``): every base entry gets K variants (variant 0 is the base listing) with
their own ids, titles ("2件装", "value pack", ...), prices and images. Variants are built on
request from the small base lists, so 20,000 listings cost no memory beyond those lists.
"""

from __future__ import annotations

from typing import Any, Iterator

from monitor.demo.listings import BLOCK, Entry, base_entries, listing_id, parse_listing_id, round_price
from monitor.demo.numbers import uniform
from monitor.demo.sellers import Seller, sellers
from monitor.demo.tables import CATEGORY_NAMES, SITES


VARIANT_SUFFIX_ZH = ("2件装", "家庭装", "优惠装", "升级款", "加量装", "组合装", "新批次")
VARIANT_SUFFIX_EN = ("2-pack", "family pack", "value pack", "new edition", "bundle", "combo", "new batch")
VARIANT_FACTOR = (1.9, 2.6, 0.97, 1.05, 1.4, 1.8, 1.0)


def price_on(entry: Entry, variant: int, day: int) -> float:
    """The price of a listing on a day: some prices move by up to ±15% on some nights."""
    price = entry.price
    if variant:
        price *= VARIANT_FACTOR[(variant - 1) % len(VARIANT_FACTOR)]
    for k in range(2, day + 1):
        if uniform("move", entry.site, entry.index, variant, k) < 0.15:
            price *= 0.85 + 0.3 * uniform("factor", entry.site, entry.index, variant, k)
    return round_price(price)


def _variant_title(entry: Entry, variant: int) -> str:
    if not variant:
        return entry.title
    pool = VARIANT_SUFFIX_ZH if entry.lang == "zh" else VARIANT_SUFFIX_EN
    suffix = pool[(variant - 1) % len(pool)]
    if variant > len(pool):
        suffix += f" {variant // len(pool) + 1}"
    return f"{entry.title} {suffix}"


def sales_on(entry: Entry, variant: int, day: int) -> int:
    """The sales count a shop claims for a listing on a day: most sell a few hundred, some tens
    of thousands (the figures a referral's illegal business amount is estimated from); it only grows."""
    base = int(uniform("sales", entry.site, entry.index, variant) ** 3 * 40_000)
    return base + sum(int(uniform("sold", entry.site, entry.index, variant, k) * 40) for k in range(2, day + 1))


def format_sales(count: int, index: int) -> str:
    """How the shops print sales, the three common forms in turn: 月销 1.2万+, 已售 356 件, 销量 2000+
    (each a lower bound of the count, as a shop rounds it)."""
    form = index % 3
    if form == 0:
        return f"月销 {count // 1000 / 10:g}万+" if count >= 10_000 else f"月销 {count}"
    if form == 1:
        return f"已售 {count} 件"
    return f"销量 {count // 100 * 100}+" if count >= 100 else f"销量 {count}"


def format_price(price: float, style: str = "yuan") -> str:
    """How the shops print prices: ¥1,299.00 or 128元."""
    if style == "yuan_word" and price == int(price):
        return f"{int(price)}元"
    return f"¥{price:,.2f}"


class Catalogue:
    """The three marketplaces' listings at a scale, per day. Cheap to create."""

    def __init__(self, scale: int = 1):
        if int(scale) < 1:
            raise ValueError("scale must be >= 1")
        self.scale = int(scale)

    # -- basic access -------------------------------------------------------

    def entries(self, site: str) -> tuple[Entry, ...]:
        return base_entries(site)

    def sellers(self, site: str) -> dict[str, Seller]:
        return sellers(site)

    def listing_id(self, site: str, index: int, variant: int = 0) -> str:
        return listing_id(site, variant * BLOCK + index)

    def locate(self, site: str, lid: str) -> tuple[Entry, int] | None:
        parsed = parse_listing_id(site, lid)
        if parsed is None:
            return None
        variant, index = parsed
        entries = base_entries(site)
        if variant >= self.scale or index >= len(entries):
            return None
        return entries[index], variant

    def status(self, site: str, lid: str, day: int = 1) -> str:
        """'live', 'removed' (was listed, now gone) or 'unknown' (never listed by this day)."""
        found = self.locate(site, lid)
        if found is None:
            return "unknown"
        entry, _ = found
        if entry.live_on(day):
            return "live"
        return "removed" if entry.live_from <= day else "unknown"

    def get(self, site: str, lid: str, day: int = 1) -> dict[str, Any] | None:
        """The public listing (no ground truth) if live on that day, else None."""
        found = self.locate(site, lid)
        if found is None or not found[0].live_on(day):
            return None
        return self.render(found[0], found[1], day)

    def render(self, entry: Entry, variant: int, day: int) -> dict[str, Any]:
        """The public view of a listing: what a shop shows. Never contains truth or note."""
        seller = sellers(entry.site)[entry.seller_id]
        price = price_on(entry, variant, day)
        image_key = entry.image_key if not variant else f"{entry.image_key}-v{variant}"
        oos = uniform("oos", entry.site, entry.index, variant, day) < 0.04
        name_zh, name_en = CATEGORY_NAMES[entry.category]
        return {
            "id": self.listing_id(entry.site, entry.index, variant),
            "site": entry.site,
            "title": _variant_title(entry, variant),
            "brand": entry.brand,
            "category": entry.category,
            "category_name": name_zh if entry.lang == "zh" else name_en,
            "lang": entry.lang,
            "price": price,
            "currency": "CNY",
            "price_text": format_price(price, entry.price_style if entry.site == "baihuo" else "yuan"),
            "availability": "OutOfStock" if oos else "InStock",
            "description": entry.description,
            "attributes": [list(a) for a in entry.attributes],
            "images": [f"/img/{image_key}-{k + 1}.png" for k in range(entry.n_images)],
            "sku": (f"{entry.sku}-{variant}" if variant and entry.sku else entry.sku),
            "gtin": entry.gtin if not variant else None,
            "seller": seller.public(),
            "sales_text": format_sales(sales_on(entry, variant, day), entry.index + variant),
        }

    # -- collections --------------------------------------------------------

    def _live_indices(self, site: str, day: int, keyword: str | None = None, category: str | None = None,
                      seller_id: str | None = None) -> list[int]:
        tokens = keyword.casefold().split() if keyword else []
        out = []
        for e in base_entries(site):
            if not e.live_on(day):
                continue
            if category and e.category != category:
                continue
            if seller_id and e.seller_id != seller_id:
                continue
            if tokens and not all(t in e.tags for t in tokens):
                continue
            out.append(e.index)
        return out

    def query(self, site: str, day: int = 1, *, keyword: str | None = None, category: str | None = None,
              seller_id: str | None = None, page: int = 1, per_page: int = 20) -> tuple[list[dict], int]:
        """One page of live listings matching keyword/category/seller, and the total count."""
        indices = self._live_indices(site, day, keyword, category, seller_id)
        total = len(indices) * self.scale
        start = max(page - 1, 0) * per_page
        entries = base_entries(site)
        items = []
        for pos in range(start, min(start + per_page, total)):
            variant, k = divmod(pos, len(indices))
            items.append(self.render(entries[indices[k]], variant, day))
        return items, total

    def live_ids(self, site: str, day: int = 1) -> Iterator[str]:
        """Ids of all live listings of a site on a day (all variants)."""
        indices = self._live_indices(site, day)
        for variant in range(self.scale):
            for i in indices:
                yield self.listing_id(site, i, variant)

    def count(self, site: str, day: int = 1) -> int:
        return len(self._live_indices(site, day)) * self.scale

    # -- ground truth -------------------------------------------------------

    def truth(self, site: str, lid: str) -> dict[str, Any] | None:
        found = self.locate(site, lid)
        if found is None:
            return None
        e, variant = found
        return {"site": site, "listing_id": lid, "truth": e.truth, "note": e.note, "mark": e.mark,
                "category": e.category, "variant": variant,
                "relist_of": self.listing_id(site, e.relist_of, variant) if e.relist_of is not None else None,
                "live_from": e.live_from, "removed_day": e.removed_day}

    def ground_truth(self, site: str | None = None, day: int | None = None) -> list[dict[str, Any]]:
        """Ground truth of every listing (all variants), or only those live on ``day``."""
        out = []
        for s in ([site] if site else SITES):
            for variant in range(self.scale):
                for e in base_entries(s):
                    if day is not None and not e.live_on(day):
                        continue
                    out.append(self.truth(s, self.listing_id(s, e.index, variant)))
        return out


def ground_truth(site: str | None = None, day: int | None = None, scale: int = 1) -> list[dict[str, Any]]:
    """Hidden labels for evaluation: site, listing_id, truth, note, mark, category, ..."""
    return Catalogue(scale).ground_truth(site, day)
