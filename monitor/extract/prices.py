"""Parse a price as a shop prints it ("¥1,299.00", "128元", "1.299,00 €") into amount and ISO currency."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from price_parser import Price as _ParsedPrice
from price_parser._currencies import CURRENCIES

__all__ = ["Price", "parse_price", "currency_code", "currency_codes"]


@dataclass(frozen=True)
class Price:
    """A parsed price: ``amount`` in ``currency`` (ISO 4217), ``currency_raw`` as shown."""

    amount: float | None = None
    currency: str | None = None
    currency_raw: str | None = None


# The usual reading of symbols that several currencies share; a profile's default currency
# wins over these when it is one of the currencies the symbol can stand for.
_PREFERRED = {
    "$": "USD",
    "US$": "USD",
    "US $": "USD",
    "USD$": "USD",
    "€": "EUR",
    "EUR": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "¥": "CNY",
    "￥": "CNY",
    "CN¥": "CNY",
    "元": "CNY",
    "RMB": "CNY",
    "人民币": "CNY",
    "円": "JPY",
    "JP¥": "JPY",
    "₹": "INR",
    "Rs": "INR",
    "Rs.": "INR",
    "₨": "INR",
    "руб": "RUB",
    "руб.": "RUB",
    "р.": "RUB",
    "₽": "RUB",
    "zł": "PLN",
    "Zł": "PLN",
    "kr": "SEK",
    "kr.": "DKK",
    "Kč": "CZK",
    "Ft": "HUF",
    "lei": "RON",
    "R$": "BRL",
    "CHF": "CHF",
    "Fr.": "CHF",
    "SFr.": "CHF",
    "NT$": "TWD",
    "HK$": "HKD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "S$": "SGD",
    "NZ$": "NZD",
    "MX$": "MXN",
    "₩": "KRW",
    "원": "KRW",
    "₪": "ILS",
    "₺": "TRY",
    "TL": "TRY",
    "฿": "THB",
    "₫": "VND",
    "₱": "PHP",
    "₴": "UAH",
    "грн": "UAH",
    "грн.": "UAH",
    "₸": "KZT",
    "тг": "KZT",
    "тг.": "KZT",
    "тенге": "KZT",
    "Kn": "HRK",
    "kn": "HRK",
    "лв": "BGN",
    "лв.": "BGN",
    "Rp": "IDR",
    "RM": "MYR",
    "R": "ZAR",
    # Pre-1998 rouble code, still what some Russian shops put in their feeds.
    "RUR": "RUB",
}

# Words price-parser does not know as currencies but Chinese/Japanese shops print.
_EXTRA_TOKENS = re.compile(r"人民币|RMB|元|円|тенге|тг\.?|Kn|kn\b|Ft\b|Rs\.?|RM(?=\s?\d)")
_US_DOLLAR = re.compile(r"\bUS\s?\$|\bUSD\b")

# Phrases meaning "no price shown": a number next to them is a phone number or a quantity.
_ON_REQUEST = re.compile(
    r"面议|议价|询价|电议|价格面谈|price\s+on\s+request|on\s+request|call\s+for\s+price|"
    r"prix\s+sur\s+demande|preis\s+auf\s+anfrage|auf\s+anfrage|precio\s+a\s+consultar|"
    r"prezzo\s+su\s+richiesta|цена\s+по\s+запросу|по\s+запросу|要問い合わせ|お問い合わせ",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _symbol_index() -> dict[str, frozenset[str]]:
    """Every symbol price-parser's currency table knows, mapped to the codes it can mean."""
    index: dict[str, set[str]] = {}
    for code, info in CURRENCIES.items():
        symbols = {info.get("s"), info.get("sn"), code, *info.get("sn2", [])}
        for symbol in symbols:
            if symbol:
                index.setdefault(symbol.strip(), set()).add(code)
    # The preferred reading counts as a possible meaning too, so a default can confirm it.
    for symbol, code in _PREFERRED.items():
        index.setdefault(symbol, set()).add(code)
    for symbol in ("$", "US$"):
        index[symbol] |= {c for c in CURRENCIES if c.endswith("D")}
    for symbol in ("¥", "￥"):
        index[symbol] |= {"CNY", "JPY"}
    for symbol in ("kr", "kr."):
        index[symbol] |= {"SEK", "NOK", "DKK", "ISK"}
    for symbol in ("Rs", "Rs.", "₨"):
        index[symbol] |= {"INR", "PKR", "LKR", "NPR", "MUR", "SCR"}
    return {k: frozenset(v) for k, v in index.items()}


def currency_codes(symbol: str | None) -> frozenset[str]:
    """Every ISO 4217 code a symbol or word may stand for ("$" → USD, CAD, ARS, ...)."""
    if not symbol:
        return frozenset()
    symbol = unicodedata.normalize("NFKC", symbol).strip()
    codes = set(_symbol_index().get(symbol, ()))
    code = currency_code(symbol)
    if code:
        codes.add(code)
    return frozenset(codes)


def currency_code(symbol: str | None, default_currency: str | None = None) -> str | None:
    """The ISO 4217 code a currency symbol or word stands for, or None when unknown.

    ``default_currency`` (a profile's currency) settles ambiguous symbols: "$" with CAD is
    CAD, "¥" with JPY is JPY; it never overrides an unambiguous symbol ("€" stays EUR).
    """
    if not symbol:
        return None
    symbol = unicodedata.normalize("NFKC", symbol).strip()
    if not symbol:
        return None
    default = default_currency.upper() if default_currency else None
    if re.fullmatch(r"[A-Za-z]{3}", symbol):
        # Shops write "RMB" for the yuan; price-parser's table lists it as a code of its own.
        if symbol.upper() in _PREFERRED:
            return _PREFERRED[symbol.upper()]
        if symbol.upper() in CURRENCIES:
            return symbol.upper()
    index = _symbol_index()
    candidates = index.get(symbol) or index.get(symbol.rstrip(".")) or index.get(symbol.lower())
    if not candidates:
        return None
    if default and default in candidates:
        return default
    preferred = _PREFERRED.get(symbol) or _PREFERRED.get(symbol.rstrip("."))
    if preferred:
        return preferred
    if len(candidates) == 1:
        return next(iter(candidates))
    return None


def parse_price(
    text: str | float | int | None,
    *,
    decimal_separator: str | None = None,
    default_currency: str | None = None,
) -> Price:
    """Parse ``text`` into a :class:`Price`; the amount is None when no price is shown.

    Ranges ("¥10-20") give the lower bound. ``default_currency`` fills the currency when the
    text shows none and settles ambiguous symbols; ``decimal_separator`` ("." or ",") is for
    shops whose "1.299" means one thousand two hundred ninety-nine or one point two nine nine.
    """
    default = default_currency.upper() if default_currency else None
    if text is None:
        return Price(None, None, None)
    if isinstance(text, bool):
        return Price(None, None, None)
    if isinstance(text, (int, float)):
        return Price(float(text), default, None)
    text = unicodedata.normalize("NFKC", str(text)).strip()
    # NFKC turns "￥" into "¥"; both are kept as the raw symbol the page showed.
    if not text or _ON_REQUEST.search(text):
        return Price(None, None, None)
    parsed = _ParsedPrice.fromstring(text, decimal_separator=decimal_separator)
    amount = parsed.amount_float
    raw = parsed.currency
    us = _US_DOLLAR.search(text)
    if us:
        raw = us.group(0)
    elif not raw:
        extra = _EXTRA_TOKENS.search(text)
        if extra:
            raw = extra.group(0)
    raw = raw.strip() if raw else None
    code = currency_code(raw, default) if raw else None
    if code is None and raw is None:
        code = default
    if amount is not None and (amount != amount or amount < 0):
        amount = None
    return Price(amount, code, raw)
