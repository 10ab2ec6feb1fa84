"""Shop types the platforms vet (``rules/shops.yaml``), and whether a seller is the brand's own.

Absence of a registration number says little when the seller is the brand itself: real
flagship stores rarely repeat the number in the listing. This module answers "does the
seller's standing explain it?" for the regulatory checks; it never lowers a look-alike,
counterfeit wording or price signal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from monitor.rules.explain import Msg, Words
from monitor.rules.normalise import fold
from monitor.rules.words import word_pattern
from monitor.yamlfile import YamlError, load_located, schema_problems

_STR_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "vetted": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "words"],
                "properties": {"name": {"type": "string", "minLength": 1}, "name_zh": {"type": "string", "minLength": 1},
                               "words": {**_STR_LIST, "minItems": 1}, "sites": _STR_LIST, "note": {"type": "string"}},
            },
        },
    },
}

# A brand field is split into its names: "NIVEA/妮维雅", "倩碧（CLINIQUE）", "中化 撒可富".
_BRAND_PARTS = re.compile(r"[/|()（）\[\]【】,，、&+]+|\s{1,}")


@dataclass
class ShopType:
    name: str
    words: re.Pattern
    sites: tuple[str, ...] = ()


@dataclass
class Shops:
    vetted: list[ShopType] = field(default_factory=list)

    def vetted_type(self, site: str | None, seller_name: str | None) -> ShopType | None:
        name = fold(seller_name or "")
        for shop_type in self.vetted:
            if shop_type.sites and site not in shop_type.sites:
                continue
            if shop_type.words.search(name):
                return shop_type
        return None


def brand_names(brand: str | None) -> list[str]:
    """The names in a brand field, folded, two characters or more."""
    parts = _BRAND_PARTS.split(fold(str(brand or "")))
    return [p for p in parts if len(p) >= 2]


def load_shops(path: Path) -> Shops:
    path = Path(path)
    if not path.exists():
        return Shops()
    located = load_located(path)
    if located.data is None:
        return Shops()
    problems = schema_problems(located, SCHEMA)
    if problems:
        raise YamlError(path, problems, "Fix the shop types; none of them were used.")
    return Shops([ShopType(Words(t["name"], (t.get("name_zh") or "").strip()), word_pattern(t["words"]), tuple(t.get("sites") or ()))
                  for t in located.data.get("vetted") or []])


def own_store(listing: dict, shops: Shops, names: list[str]) -> Msg | None:
    """Why the seller is the brand's own store, or None: a vetted shop type whose name carries
    one of ``names`` (the listing's brand names, the watched marks it claims and their aliases)."""
    seller = listing.get("seller_name")
    shop_type = shops.vetted_type(listing.get("site"), seller)
    if shop_type is None:
        return None
    folded = fold(str(seller or "")).replace(" ", "")
    for name in names:
        key = fold(name).replace(" ", "")
        if len(key) >= 2 and key in folded:
            return Msg("the seller %(seller)s is the brand's own store (%(shop_type)s, rules/shops.yaml)",
                       seller=seller, shop_type=shop_type.name)
    return None


__all__ = ["Shops", "ShopType", "brand_names", "load_shops", "own_store"]
