"""Price anomaly: far below the reference price, or a robust outlier among comparable offers."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from monitor.rules.explain import Msg, money
from monitor.rules.packsize import Quantity, parse_quantity
from monitor.rules.prices import ReferencePrice
from monitor.rules.signals import Signal, span

# Below this share of the usual price a listing is suspicious (vendors use 20% as "far below").
SUSPICIOUS_RATIO = 0.6
FAR_BELOW_RATIO = 0.2
MIN_COMPARABLES = 5
ROBUST_Z = -3.0


@dataclass(frozen=True)
class PricePoint:
    """A listing's price for one watched product, per unit where the pack size is known."""

    mark: str
    product: str
    unit_price: float
    currency: str
    dimension: str  # volume | mass | count | listing


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _keyword_at(folded: str, keyword: str) -> int:
    """Where ``keyword`` occurs in ``folded``: Latin words whole, a size such as 50ml not inside 150ml."""
    if keyword.isascii() and keyword[:1].isalnum():
        lead = r"(?<![0-9])" if keyword[0].isdigit() else r"(?<![a-z0-9])"
        tail = r"(?![a-z0-9])" if keyword[-1:].isalnum() else ""
        m = re.search(lead + re.escape(keyword) + tail, folded)
        return m.start() if m else -1
    return folded.find(keyword)


def _product_at(folded: str, product: str) -> int:
    """A reference's product matches when every space-separated keyword of it is in the title
    (titles put words in any order: "艾绿士 60g/L 悬浮剂 100ml" carries "艾绿士 100ml")."""
    first = -1
    for keyword in _fold(product).split():
        at = _keyword_at(folded, keyword)
        if at < 0:
            return -1
        first = at if first < 0 else min(first, at)
    return first


def _reference_for(title: str, mark: str, references: list[ReferencePrice],
                   currency: str | None = None) -> tuple[ReferencePrice, str, int] | None:
    folded = _fold(title)
    best = None
    for ref in references:
        if ref.mark.casefold() != mark.casefold() or (currency and ref.currency != currency):
            continue
        for product in ref.products:
            at = _product_at(folded, product)
            if at >= 0 and (best is None or len(product) > len(best[1])):
                best = (ref, product, at)
    return best


def _per_unit(price: float, qty: Quantity | None) -> tuple[float, str]:
    return (price / qty.amount, qty.dimension) if qty else (price, "listing")


def price_point(listing: dict, mark: str, references: list[ReferencePrice]) -> PricePoint | None:
    """The comparable price of this listing for ``mark``: which product, per which unit."""
    price, title = listing.get("price"), listing.get("title") or ""
    if price is None or price <= 0:
        return None
    found = _reference_for(title, mark, references)
    product = found[1].casefold() if found else ""
    qty = parse_quantity(title) or parse_quantity(str((listing.get("attributes") or {}).get("规格", "")))
    unit_price, dimension = _per_unit(float(price), qty)
    return PricePoint(mark, product, unit_price, (listing.get("currency") or "").upper(), dimension)


def _strength(ratio: float) -> float:
    if ratio <= FAR_BELOW_RATIO:
        return 1.0
    # 1.0 at 20% of the usual price down to 0.4 at 60%
    return 1.0 - (ratio - FAR_BELOW_RATIO) / (SUSPICIOUS_RATIO - FAR_BELOW_RATIO) * 0.6


def price_signals(listing: dict, marks: list[str], references: list[ReferencePrice],
                  comparables: Callable[[PricePoint], list[float]] | None = None) -> list[Signal]:
    price = listing.get("price")
    if price is None or price <= 0:
        return []
    title = listing.get("title") or ""
    currency = (listing.get("currency") or "").upper()
    out: list[Signal] = []
    for mark in dict.fromkeys(marks):
        found = _reference_for(title, mark, references, currency or None)
        point = price_point(listing, mark, references)
        if found:
            ref, product, at = found
            if ref.currency == currency or not currency:
                ref_qty = parse_quantity(ref.unit) if ref.unit else None
                lst_qty = parse_quantity(title)
                if ref_qty and lst_qty and ref_qty.dimension == lst_qty.dimension:
                    ratio = (price / lst_qty.amount) / (ref.price / ref_qty.amount)
                    # money(): ¥40.00 for a Chinese reader, "40.00" (then the code) in English
                    shown = money(price / lst_qty.amount * ref_qty.amount, ref.currency)
                    basis = Msg("per %(unit)s: %(price)s against %(reference)s", unit=ref.unit, price=shown,
                                reference=money(ref.price, ref.currency))
                else:
                    ratio = price / ref.price
                    basis = Msg("%(price)s against %(reference)s", price=money(price, ref.currency),
                                reference=money(ref.price, ref.currency))
                if ratio <= SUSPICIOUS_RATIO:
                    out.append(Signal(
                        "price_anomaly", "price", _strength(ratio),
                        Msg("Price is %(percent)s of the reference price for %(mark)s %(product)s "
                            "(%(basis)s %(currency)s, rules/prices.csv line %(line)s)", percent=format(ratio, ".0%"),
                            mark=mark, product=product, basis=basis, currency=ref.currency, line=ref.line),
                        [span(listing, "title", at, at + len(_fold(product).split()[0]))], mark=mark,
                        details={"ratio": round(ratio, 3), "reference": ref.price, "basis": "reference"}))
                    continue
        if comparables and point:
            others = comparables(point)
            if len(others) >= MIN_COMPARABLES:
                median = statistics.median(others)
                mad = statistics.median(abs(x - median) for x in others) or median * 0.05
                z = (point.unit_price - median) / (1.4826 * mad)
                ratio = point.unit_price / median if median else 1.0
                if z <= ROBUST_Z and ratio <= SUSPICIOUS_RATIO:
                    out.append(Signal(
                        "price_anomaly", "price", min(1.0, _strength(ratio)),
                        Msg("Price is %(percent)s of the median of %(n)s comparable %(mark)s offers "
                            "(%(price)s against %(median)s %(currency)s per %(unit)s; robust z %(z)s)",
                            percent=format(ratio, ".0%"), n=len(others), mark=mark,
                            price=money(point.unit_price, point.currency), median=money(median, point.currency),
                            currency=point.currency or "",
                            unit=point.dimension if point.dimension != "listing" else Msg("listing"), z="%.1f" % z),
                        [], mark=mark,
                        details={"ratio": round(ratio, 3), "median": median, "offers": len(others), "z": round(z, 2),
                                 "basis": "comparables"}))
    return out
