"""Reference prices (``rules/prices.csv``): what a genuine product usually costs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from monitor.rules.csvfile import RuleFileError, read_rows, split_list, write_rows

REQUIRED = ("mark", "product", "price", "currency")
COLUMNS = (*REQUIRED, "unit")


@dataclass(frozen=True)
class ReferencePrice:
    mark: str
    products: tuple[str, ...]  # words a title would contain, any of them
    price: float
    currency: str
    unit: str = ""  # the pack the price is for, e.g. "100ml", "1kg", "4 pieces"; empty = per listing
    line: int | None = None

    def to_row(self) -> dict[str, str]:
        return {"mark": self.mark, "product": "|".join(self.products), "price": f"{self.price:g}",
                "currency": self.currency, "unit": self.unit}


def load_prices(path: Path) -> list[ReferencePrice]:
    problems, out = [], []
    for line, row in read_rows(Path(path), REQUIRED, COLUMNS):
        if not row["mark"]:
            problems.append((line, "mark", "empty"))
            continue
        products = split_list(row["product"])
        if not products:
            problems.append((line, "product", "empty; give the product or model words a title would contain"))
            continue
        try:
            price = float(row["price"].replace(",", ""))
            if price <= 0:
                raise ValueError
        except ValueError:
            problems.append((line, "price", f"{row['price']!r} is not a positive number"))
            continue
        currency = {"RMB": "CNY"}.get(row["currency"].upper(), row["currency"].upper())
        if not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append((line, "currency", f"{row['currency']!r} is not an ISO 4217 code such as CNY"))
            continue
        out.append(ReferencePrice(row["mark"], products, price, currency, row.get("unit", ""), line))
    if problems:
        raise RuleFileError(path, problems, "The reference prices were not changed. Fix the rows above.")
    return out


def merge_prices(old: list[ReferencePrice], new: list[ReferencePrice]) -> list[ReferencePrice]:
    """A new row replaces an old one for the same mark, product words and currency."""
    def key(p):
        return (p.mark.casefold(), tuple(sorted(x.casefold() for x in p.products)), p.currency, p.unit)

    merged = {key(p): p for p in old}
    merged.update({key(p): p for p in new})
    return list(merged.values())


def write_prices(path: Path, prices: list[ReferencePrice]) -> None:
    write_rows(Path(path), COLUMNS, (p.to_row() for p in sorted(prices, key=lambda p: (p.mark.casefold(), p.products))))
