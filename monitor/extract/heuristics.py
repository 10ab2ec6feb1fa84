"""Generic DOM fallbacks for pages whose structured data is missing or incomplete.

Nothing here knows any particular shop: the rules are about how product pages are built
in general (a price near the title, classes that say "price", struck-out old prices).
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from price_parser._currencies import CURRENCIES

from monitor.extract.prices import parse_price
from monitor.extract.text import clean_text

__all__ = ["dom_fallbacks", "find_price", "price_candidates", "best_candidate", "PriceCandidate"]

_PRICE_WORD = re.compile(r"price|prix|preis|precio|prezzo|preco|cena|cost|amount|цена|价", re.I)
# A price the buyer does not pay (anymore), or pays per something else.
_NOT_NOW = re.compile(
    r"old|was|strike|crossed|regular|list|compare|before|original|orig|rrp|uvp|msrp|retail|"
    r"save|saving|discount|reduction|percent|shipping|delivery|postage|freight|unit|per-|"
    r"instal|monthly|month|credit|financ|loyalty|points|tax-?excl|net|range|max|from|"
    r"alt|other|second|used|refurb|coupon|voucher|deposit|total|subtotal|filter|slider|"
    r"strikethrough|through|prev|recommended",
    re.I,
)
_NOW = re.compile(r"sale|current|final|now|our|actual|special|offer|main|product|buy|deal|big|value", re.I)
# Parts of a page that list other products, not the one on the page.
_ELSEWHERE = re.compile(
    r"related|recommend|similar|carousel|slider|swiper|upsell|up-sell|cross|sponsor|footer|"
    r"header|nav|menu|cart|basket|bag|accessor|bundle|compare|review|also|history|viewed|"
    r"suggest|widget|promo|banner|teaser|tile|recent|popular|bestseller|shipping|delivery|"
    r"other-sellers|olp|aod|variation|modal|popover|tooltip",
    re.I,
)
_CURRENCY_HINT = re.compile(
    r"[$€£¥￥₹₽₩₪₺฿₫₱₴₸]|元|円|\b(?:"
    + "|".join(sorted(CURRENCIES, key=len, reverse=True))
    + r"|zł|Kč|kr|Ft|lei|руб|грн|тг|Rs|Kn|RMB)(?:\b|\.)",
)
_DIGIT = re.compile(r"\d")
_MAX_PRICE_TEXT = 40
_NUMBERS = re.compile(r"\d(?:[\d.,'\u00a0 ]*\d)?")
_BARE_NUMBER = re.compile(r"\d[\d.,'\u00a0 ]*")
# Letters allowed beside a price: "ab", "from", "Precio:", "bez DPH", "Sale price".
_MAX_LABEL = 24
_MAX_WORD = 4
# Longer digit runs are ids, phone numbers or timestamps, not prices.
_MAX_AMOUNT = 1e9
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "title", "option", "select"}


def _attr_words(el: etree._Element) -> str:
    return " ".join(
        v for k, v in el.attrib.items() if k in ("class", "id", "itemprop", "data-testid", "data-test")
    )


def _text(el: etree._Element) -> str:
    try:
        return clean_text(" ".join(el.itertext())) or ""
    except ValueError:
        return ""


def _ancestors(el: etree._Element, limit: int = 12):
    parent = el.getparent()
    depth = 0
    while parent is not None and depth < limit:
        yield parent
        parent = parent.getparent()
        depth += 1


def _visible(el: etree._Element) -> bool:
    for node in (el, *_ancestors(el, 30)):
        if not isinstance(node.tag, str):
            continue
        if node.tag.lower() in _SKIP_TAGS:
            return False
        style = node.attrib.get("style", "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            return False
        if "hidden" in node.attrib or node.attrib.get("aria-hidden") == "true" and node is el:
            return False
    return True


def _anchor_index(sel: Selector, order: dict) -> int | None:
    """Document position of the product title: the first non-empty h1, else itemprop=name."""
    for xpath in ("//h1", "//*[@itemprop='name']", "//h2"):
        for node in sel.xpath(xpath):
            el = node.root
            if _text(el) and el in order and _visible(el):
                return order[el]
    return None


def find_price(sel: Selector) -> tuple[float, str | None] | None:
    """(amount, currency as shown) of the most likely current price, or None."""
    best = best_candidate(price_candidates(sel))
    return (best.amount, best.currency_raw) if best else None


def best_candidate(candidates: list[PriceCandidate], *, shown_only: bool = False) -> PriceCandidate | None:
    pool = [c for c in candidates if c.shown or not shown_only]
    if not pool:
        return None
    best = max(pool, key=lambda c: c.score)
    return best if best.score >= 0 else None


class PriceCandidate(NamedTuple):
    score: float
    amount: float
    currency_raw: str | None
    text: str
    shown: bool  # printed on the page, not only in an attribute


def price_candidates(sel: Selector) -> list[PriceCandidate]:
    """Each element that may show the price, scored: higher is more likely the current price."""
    root = sel.root
    order = {el: i for i, el in enumerate(root.iter()) if isinstance(el.tag, str)}
    anchor = _anchor_index(sel, order)

    candidates: list[PriceCandidate] = []
    for el, index in order.items():
        tag = el.tag.lower()
        if tag in _SKIP_TAGS:
            continue
        words = _attr_words(el)
        labelled = bool(_PRICE_WORD.search(words))
        if el.attrib.get("itemprop") == "price":
            content = el.attrib.get("content")
            if content and _DIGIT.search(content):
                parsed = parse_price(content)
                if parsed.amount and parsed.amount < _MAX_AMOUNT:
                    candidates.append(
                        PriceCandidate(10.0 - _distance_penalty(index, anchor), parsed.amount, None, content, False)
                    )
                    continue
        shown = _price_text(el, labelled)
        if shown is None:
            continue
        text, emphasised = shown
        if not text or len(text) > _MAX_PRICE_TEXT or not _DIGIT.search(text):
            continue
        if len(_NUMBERS.findall(text)) > 1 or len(_residue(text)) > (_MAX_LABEL if labelled else _MAX_WORD):
            # Old and new price together, or a sentence that merely mentions an amount.
            continue
        parsed = parse_price(text)
        if not parsed.amount or parsed.amount >= _MAX_AMOUNT or not _visible(el):
            continue
        score = 0.0
        if labelled:
            score += 3.0
        if parsed.currency_raw or _CURRENCY_HINT.search(text):
            score += 2.0
        if emphasised:
            score += 1.0
        score += _placement_score(el, tag, words)
        score -= _distance_penalty(index, anchor)
        candidates.append(PriceCandidate(score, parsed.amount, parsed.currency_raw, text, True))
    return candidates


def _price_text(el, labelled: bool) -> tuple[str, bool] | None:
    """(the element's text as a price, whether it is emphasised), or None when it does not
    look like a price."""
    if labelled:
        return _text(el), False
    # Unlabelled text counts only when it looks like a price by itself: a currency in
    # its own text, or a bare number with the currency in the element right beside it.
    own = clean_text(el.text) if el.text else None
    if not own:
        return None
    full = _text(el)
    if len(full) <= 20 and len(el) <= 2 and _CURRENCY_HINT.search(full) and _DIGIT.search(full):
        return full, False
    if len(own) > _MAX_PRICE_TEXT or not _DIGIT.search(own):
        return None
    if _BARE_NUMBER.fullmatch(own) and len(el) == 0:
        currency = _adjacent_currency(el)
        if not currency:
            return None
        return f"{own} {currency}", _emphasised(el)
    return None


def _placement_score(el, tag: str, words: str) -> float:
    """What the element's and its ancestors' names say: now or before, struck through,
    another product's price, page furniture."""
    score = 0.0
    if _NOT_NOW.search(words):
        score -= 3.0
    elif _NOW.search(words):
        score += 1.0
    if tag in ("del", "s", "strike"):
        score -= 6.0
    for depth, anc in enumerate(_ancestors(el)):
        if not isinstance(anc.tag, str):
            continue
        if anc.tag.lower() in ("del", "s", "strike"):
            score -= 6.0
        anc_words = _attr_words(anc)
        if anc_words:
            if _ELSEWHERE.search(anc_words):
                score -= 4.0
                break
            if depth < 3 and _NOT_NOW.search(anc_words) and _PRICE_WORD.search(anc_words):
                score -= 2.0
        if anc.tag.lower() in ("footer", "nav", "header", "aside"):
            score -= 4.0
            break
    return score


def _residue(text: str) -> str:
    """What is left of a price text without numbers, currencies and punctuation."""
    text = _CURRENCY_HINT.sub("", text)
    return re.sub(r"[\W\d_]+", "", text)


def _adjacent_currency(el: etree._Element) -> str | None:
    """A currency symbol or word right beside ``el`` (its tail or a sibling element)."""
    texts = [el.tail]
    for sibling in (el.getnext(), el.getprevious()):
        if sibling is not None and isinstance(sibling.tag, str):
            texts.append(_text(sibling))
    parent = el.getparent()
    if parent is not None and parent.text and el is parent[0]:
        texts.append(parent.text)
    for text in texts:
        text = clean_text(text) if text else None
        if text and len(text) <= 4 and _CURRENCY_HINT.search(text):
            return text
    return None


def _emphasised(el: etree._Element) -> bool:
    """Big or bold inline styling: how shops without price classes make the price stand out."""
    style = el.attrib.get("style", "").lower()
    size = re.search(r"(\d+)px", style)
    return "bold" in style or bool(size and int(size.group(1)) >= 18) or el.tag in ("b", "strong")


def _distance_penalty(index: int, anchor: int | None) -> float:
    if anchor is None:
        return 1.0
    distance = index - anchor
    # Prices sit just after the title far more often than before it.
    if distance < 0:
        return 1.0 + math.log1p(-distance) * 0.6
    return math.log1p(distance) * 0.4


def _itemprop(sel: Selector, name: str) -> str | None:
    for node in sel.xpath(f"//*[@itemprop='{name}']"):
        el = node.root
        value = el.attrib.get("content") or el.attrib.get("value")
        if not value and el.tag in ("link", "a"):
            value = el.attrib.get("href")
        if not value:
            value = _text(el)
        value = clean_text(value)
        if value:
            return value
    return None


def dom_fallbacks(sel: Selector, url: str, *, have: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fields read from plain markup; only computes what ``have`` does not hold yet."""
    have = have or {}
    out: dict[str, Any] = {}
    if not have.get("title"):
        h1 = sel.xpath("//h1")
        title = _text(h1[0].root) if h1 else None
        out["title"] = title or clean_text(sel.xpath("//title/text()").get())
    for field, prop in (("brand", "brand"), ("sku", "sku"), ("mpn", "mpn"), ("gtin", "gtin13")):
        if not have.get(field):
            value = _itemprop(sel, prop)
            if value:
                out[field] = value
    if have.get("price") is None:
        value = _itemprop(sel, "price")
        parsed = parse_price(value) if value else None
        if parsed and parsed.amount is not None:
            out["price"] = parsed.amount
            out["currency_raw"] = _itemprop(sel, "priceCurrency") or parsed.currency_raw
        else:
            found = find_price(sel)
            if found:
                out["price"], out["currency_raw"] = found
    if not have.get("currency_raw"):
        currency = _itemprop(sel, "priceCurrency")
        if currency and not out.get("currency_raw"):
            out["currency_raw"] = currency
    if not have.get("images"):
        image = _itemprop(sel, "image")
        if image:
            out["images"] = [urljoin(url, image)]
    return {k: v for k, v in out.items() if v not in (None, "", [], {})}
