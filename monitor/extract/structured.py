"""Listing fields from a page's structured data (JSON-LD, microdata, OpenGraph), then generic fallbacks."""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from monitor.extract.blocks import jsonld_items, microdata_items
from monitor.extract.heuristics import best_candidate, dom_fallbacks, price_candidates
from monitor.extract.prices import currency_code, parse_price
from monitor.extract.text import clean_text, strip_html

__all__ = ["extract_structured", "structured_from_selector", "make_selector"]

log = logging.getLogger(__name__)

# Types that describe the thing on offer. Events and services carry offers too (tickets,
# bookings); they count, but only when no product is on the page.
_PRODUCT_TYPES = {
    "product",
    "productgroup",
    "productmodel",
    "individualproduct",
    "someproducts",
    "vehicle",
    "car",
    "motorizedbicycle",
    "book",
    "drug",
}
_OFFER_TYPES = {"offer", "aggregateoffer", "offercatalog"}

_AVAILABILITY = {
    "instock": "InStock",
    "instoreonly": "InStock",
    "onlineonly": "InStock",
    "in stock": "InStock",
    "available": "InStock",
    "outofstock": "OutOfStock",
    "out of stock": "OutOfStock",
    "soldout": "OutOfStock",
    "sold out": "OutOfStock",
    "oos": "OutOfStock",
    "limitedavailability": "LimitedAvailability",
    "preorder": "PreOrder",
    "presale": "PreOrder",
    # Orderable now, delivered later: closest to a pre-order of the five values the store knows.
    "backorder": "PreOrder",
    "discontinued": "Discontinued",
    # How Chinese shops print stock status.
    "有货": "InStock",
    "现货": "InStock",
    "在售": "InStock",
    "库存充足": "InStock",
    "缺货": "OutOfStock",
    "暂时缺货": "OutOfStock",
    "无货": "OutOfStock",
    "售罄": "OutOfStock",
    "已售罄": "OutOfStock",
    "预售": "PreOrder",
    "停产": "Discontinued",
    "下架": "Discontinued",
}

_GTIN_KEYS = ("gtin13", "gtin", "gtin12", "gtin14", "gtin8", "isbn", "ean")


# ---------------------------------------------------------------------------------------
# Walking schema.org objects.


def _types(obj: dict) -> set[str]:
    raw = obj.get("@type") or obj.get("type")
    values = raw if isinstance(raw, list) else [raw]
    out = set()
    for value in values:
        if isinstance(value, str):
            out.add(value.rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower())
    return out


def _walk(value: Any, depth: int = 0) -> Iterator[dict]:
    """Every object in a JSON-LD/microdata tree, parents before children."""
    if depth > 12:
        return
    if isinstance(value, dict):
        yield value
        for key, child in value.items():
            if key in ("@context",):
                continue
            yield from _walk(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child, depth + 1)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first_text(value: Any) -> str | None:
    """The first usable text in a value that may be a string, number, list or object."""
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("name") or item.get("@value") or item.get("value")
            if isinstance(item, (list, dict)):
                item = _first_text(item)
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if isinstance(item, str):
            text = clean_text(strip_html(item))
            if text:
                return text
    return None


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    return (parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")).lower()


def _choose_product(objects: list[dict], url: str) -> dict | None:
    """The page's main product: matching the page URL, else the first with offers."""
    products = [o for o in objects if _types(o) & _PRODUCT_TYPES]
    if not products:
        # Tickets and bookings: anything that itself carries offers.
        products = [o for o in objects if isinstance(o.get("offers"), (dict, list))]
    if not products:
        return None
    page = _url_key(url) if url else ""

    def score(item: tuple[int, dict]) -> tuple:
        index, obj = item
        own_url = obj.get("url") or obj.get("@id")
        matches_url = isinstance(own_url, str) and page and _url_key(urljoin(url, own_url)) == page
        return (bool(matches_url), bool(obj.get("offers")), bool(obj.get("name")), -index)

    return max(enumerate(products), key=score)[1]


def _offers(product: dict) -> list[dict]:
    out = []
    for offer in _as_list(product.get("offers")):
        if not isinstance(offer, dict):
            continue
        nested = offer.get("offers")
        if nested and not (offer.get("price") or offer.get("lowPrice")):
            out.extend(o for o in _as_list(nested) if isinstance(o, dict))
        out.append(offer)
    return out


def _offer_price(offer: dict) -> tuple[Any, Any]:
    """(price, currency) of one offer, looking into priceSpecification when needed."""
    currency = offer.get("priceCurrency")
    for key in ("price", "lowPrice"):
        value = offer.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value not in (None, ""):
            return value, currency
    for spec in _as_list(offer.get("priceSpecification")):
        if isinstance(spec, dict):
            value = spec.get("price", spec.get("minPrice"))
            if value not in (None, ""):
                return value, spec.get("priceCurrency") or currency
    return None, currency


def _structured_price(value: Any) -> float | None:
    """A schema.org price value: numbers as they are, strings in schema.org's "." convention."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        amount: float | None = float(value)
    elif isinstance(value, str):
        text = value.strip()
        # schema.org asks for a plain number with "." decimals; trust that form literally
        # ("1.299" is 1.299 here), and let price-parser read anything shop-formatted.
        amount = float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else parse_price(text).amount
    else:
        return None
    # Zero is what templates print when the price is unknown, not a free product.
    if amount is None or amount != amount or amount <= 0 or amount >= 1e9:
        return None
    return amount


def availability_value(value: Any) -> str | None:
    text = _first_text(value) if not isinstance(value, str) else value
    if not text:
        return None
    key = text.rsplit("/", 1)[-1].strip().lower().replace("_", "").replace("-", "")
    return _AVAILABILITY.get(key) or _AVAILABILITY.get(text.strip().lower())


def _images(value: Any, url: str) -> list[str]:
    out = []
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("contentUrl") or item.get("url") or item.get("@id")
            if isinstance(item, list):
                item = item[0] if item else None
        if isinstance(item, str) and item.strip() and not item.strip().startswith("data:"):
            out.append(urljoin(url, item.strip()))
    return out


def _attributes(value: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for prop in _as_list(value):
        if not isinstance(prop, dict):
            continue
        name = _first_text(prop.get("name"))
        raw = prop.get("value")
        if raw is None:
            raw = prop.get("valueReference")
        text = _first_text(raw)
        if name and text and name not in out:
            out[name] = text
    return out


def _product_fields(product: dict, url: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    fields["title"] = _first_text(product.get("name"))
    fields["description"] = _first_text(product.get("description"))
    fields["brand"] = _first_text(product.get("brand"))
    fields["images"] = _images(product.get("image"), url)
    fields["sku"] = _first_text(product.get("sku"))
    fields["mpn"] = _first_text(product.get("mpn"))
    for key in _GTIN_KEYS:
        if product.get(key):
            fields["gtin"] = _first_text(product.get(key))
            break
    category = product.get("category")
    if isinstance(category, list):
        parts = [_first_text(c) for c in category]
        fields["category"] = " > ".join(p for p in parts if p) or None
    else:
        fields["category"] = _first_text(category)
    fields["attributes"] = _attributes(product.get("additionalProperty"))

    for offer in _offers(product):
        value, currency = _offer_price(offer)
        amount = _structured_price(value)
        if amount is None:
            continue
        fields["price"] = amount
        currency_text = _first_text(currency)
        if currency_text:
            fields["currency_raw"] = currency_text
        elif isinstance(value, str):
            fields["currency_raw"] = parse_price(value).currency_raw
        fields["availability"] = availability_value(offer.get("availability"))
        _seller(offer.get("seller"), url, fields)
        for key in ("sku", "mpn"):
            if not fields.get(key):
                fields[key] = _first_text(offer.get(key))
        break
    else:
        for offer in _offers(product):
            if offer.get("availability"):
                fields["availability"] = availability_value(offer.get("availability"))
                break
    for offer in _offers(product):
        if not fields.get("seller_name"):
            _seller(offer.get("seller"), url, fields)
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}


def _seller(seller: Any, url: str, fields: dict) -> None:
    if isinstance(seller, list):
        seller = seller[0] if seller else None
    if isinstance(seller, str):
        fields.setdefault("seller_name", clean_text(seller))
    elif isinstance(seller, dict):
        name = _first_text(seller.get("name"))
        if name:
            fields.setdefault("seller_name", name)
        seller_url = seller.get("url") or seller.get("@id")
        if isinstance(seller_url, str) and not seller_url.startswith("_:") and seller_url.strip():
            fields.setdefault("seller_url", urljoin(url, seller_url.strip()))
        rating = seller.get("aggregateRating")
        if isinstance(rating, dict):
            fields.setdefault("seller_rating", rating.get("ratingValue"))
            fields.setdefault("seller_rating_count", rating.get("ratingCount") or rating.get("reviewCount"))


def _graph_objects(items: list[Any]) -> list[dict]:
    objects = []
    for item in items:
        for obj in _walk(item):
            objects.append(obj)
    return objects


# ---------------------------------------------------------------------------------------
# Meta tags: OpenGraph, product:*, twitter:*, and itemprop outside any itemscope.


def _meta(sel: Selector) -> dict[str, str]:
    """First non-empty content of each meta tag, keyed by lower-case property/name/itemprop."""
    out: dict[str, str] = {}
    for node in sel.xpath("//meta[@content]"):
        content = node.attrib.get("content", "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = node.attrib.get(attr)
            if key:
                out.setdefault(key.strip().lower(), content)
    return out


def _from_meta(meta: dict[str, str], url: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    fields["title"] = clean_text(meta.get("og:title") or meta.get("twitter:title"))
    fields["description"] = clean_text(meta.get("og:description") or meta.get("description"))
    image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
    if image and not image.startswith("data:"):
        fields["images"] = [urljoin(url, image)]
    fields["brand"] = clean_text(meta.get("product:brand") or meta.get("og:brand"))
    # A sale price, when the shop gives one, is what the buyer pays now.
    for prefix in ("product:sale_price", "og:sale_price", "product:price", "og:price"):
        amount = meta.get(f"{prefix}:amount")
        if amount:
            value = _structured_price(amount)
            if value is not None:
                fields["price"] = value
                fields["currency_raw"] = meta.get(f"{prefix}:currency") or meta.get(
                    "product:price:currency"
                ) or meta.get("og:price:currency")
                break
    if "price" not in fields:
        for n in ("1", "2"):
            label = meta.get(f"twitter:label{n}", "").lower()
            data = meta.get(f"twitter:data{n}")
            if data and ("price" in label or "prix" in label or "preis" in label or "价" in label):
                parsed = parse_price(data)
                if parsed.amount is not None:
                    fields["price"] = parsed.amount
                    fields["currency_raw"] = parsed.currency_raw
                    break
    fields["availability"] = availability_value(
        meta.get("product:availability") or meta.get("og:availability")
    )
    fields["sku"] = clean_text(meta.get("product:retailer_item_id") or meta.get("product:sku"))
    fields["gtin"] = clean_text(meta.get("product:ean") or meta.get("product:gtin"))
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}


def make_selector(html: str) -> Selector:
    """A parsel selector over ``html``; an empty page still gives a usable selector."""
    if not html or not html.strip():
        html = "<html></html>"
    return Selector(text=html)


def structured_from_selector(sel: Selector, url: str, *, no_guess: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Like :func:`extract_structured`, on an already parsed page.

    ``no_guess`` names fields that the DOM heuristics must leave alone: where a site
    profile says where a field is, a guess would hide the profile's selector breaking
    (a layout change must show up as falling field coverage, not as guessed values).
    """
    result: dict[str, Any] = {}

    def merge(fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            if value in (None, "", [], {}):
                continue
            if key not in result:
                result[key] = value
            elif key == "attributes":
                for name, val in value.items():
                    result[key].setdefault(name, val)

    try:
        jsonld = _graph_objects(jsonld_items(sel))
    except Exception:  # never let odd JSON shapes stop extraction
        log.debug("json-ld walk failed for %s", url, exc_info=True)
        jsonld = []
    microdata = _graph_objects(microdata_items(sel, url))

    sources = []
    for objects in (jsonld, microdata):
        product = _choose_product(objects, url)
        if product is not None:
            try:
                sources.append(_product_fields(product, url))
            except Exception:
                log.debug("product fields failed for %s", url, exc_info=True)
    sources.append(_from_meta(_meta(sel), url))
    _settle_price(sel, sources)
    for fields in sources:
        _merge_price(result, fields)
        merge({k: v for k, v in fields.items() if k not in ("price", "currency_raw")})

    try:
        fallback = dom_fallbacks(sel, url, have=result)
    except Exception:
        log.debug("dom fallbacks failed for %s", url, exc_info=True)
        fallback = {}
    fallback = {k: v for k, v in fallback.items() if k not in no_guess}
    if "price" in no_guess:
        fallback.pop("currency_raw", None)
    _merge_price(result, fallback)
    merge({k: v for k, v in fallback.items() if k not in ("price", "currency_raw")})
    if result.get("currency_raw"):
        result["currency_raw"] = clean_text(result["currency_raw"])
        code = currency_code(result["currency_raw"])
        if code:
            result["currency"] = code
    return result


# How confident the printed price must be (see heuristics.price_candidates: labelled "price"
# +3, with a currency +2, minus distance from the title) to choose among disagreeing
# structured prices. Benchmark results are the same for any value from 0.5 to 3.5.
_PICK_SCORE = 2.5


def _settle_price(sel: Selector, sources: list[dict]) -> None:
    """When structured sources disagree on the price, put first the one the page prints.

    JSON-LD, microdata and meta tags are filled by different parts of a shop's software, and
    one of them is often stale (an auction's starting bid, a price before a discount).
    A printed price never overrules structured data that all agrees: it may be loaded by
    script, and the text near the title is then some other product's price.
    """
    priced = [f for f in sources if f.get("price") is not None]
    if len({round(f["price"], 2) for f in priced}) < 2:
        return
    best = best_candidate(price_candidates(sel), shown_only=True)
    if best is None or best.score < _PICK_SCORE:
        return
    target = round(best.amount, 2)
    agreeing = next((f for f in priced if round(f["price"], 2) == target), None)
    if agreeing is not None:
        sources.remove(agreeing)
        sources.insert(0, agreeing)


def _merge_price(result: dict, fields: dict) -> None:
    """Take price and its currency together from the first source that has a price."""
    if "price" in result:
        if "currency_raw" not in result and fields.get("currency_raw") and "price" not in fields:
            result["currency_raw"] = fields["currency_raw"]
        return
    if fields.get("price") is not None:
        result["price"] = fields["price"]
        if fields.get("currency_raw"):
            result["currency_raw"] = fields["currency_raw"]


def extract_structured(html: str, url: str) -> dict[str, Any]:
    """Listing fields found in ``html`` (page at ``url``); never raises on bad markup.

    Keys are Listing field names; fields not found are left out. ``currency_raw`` holds the
    currency as the page states it; :func:`monitor.extract.page.extract_listing` turns it
    into the ISO code.
    """
    try:
        sel = make_selector(html)
    except Exception:
        log.debug("unparsable page %s", url, exc_info=True)
        return {}
    return structured_from_selector(sel, url)
