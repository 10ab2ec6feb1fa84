"""Prices as shops print them: amounts, ranges, separators and ISO currencies."""

from __future__ import annotations

import pytest

from monitor.extract.prices import Price, currency_code, parse_price


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("¥1,299.00", {}, Price(1299.0, "CNY", "¥")),
        ("￥1,299.00", {"default_currency": "JPY"}, Price(1299.0, "JPY", "¥")),
        ("128元", {}, Price(128.0, "CNY", "元")),
        ("人民币 88", {}, Price(88.0, "CNY", "人民币")),
        ("RMB 88", {}, Price(88.0, "CNY", "RMB")),
        ("1.299,00 €", {}, Price(1299.0, "EUR", "€")),
        ("US $12.50", {}, Price(12.5, "USD", "US $")),
        ("¥10-20", {}, Price(10.0, "CNY", "¥")),
        ("£34.99", {}, Price(34.99, "GBP", "£")),
        ("₹ 499", {}, Price(499.0, "INR", "₹")),
        ("249 руб.", {}, Price(249.0, "RUB", "руб.")),
        ("10 zł", {}, Price(10.0, "PLN", "zł")),
        ("R$ 10,50", {}, Price(10.5, "BRL", "R$")),
        ("CHF 19.50", {}, Price(19.5, "CHF", "CHF")),
        ("44 890 тг.", {}, Price(44890.0, "KZT", "тг.")),
        ("99 kr", {"default_currency": "NOK"}, Price(99.0, "NOK", "kr")),
        ("$5", {"default_currency": "CAD"}, Price(5.0, "CAD", "$")),
        ("€5", {"default_currency": "CAD"}, Price(5.0, "EUR", "€")),
        ("12", {"default_currency": "cny"}, Price(12.0, "CNY", None)),
    ],
)
def test_parse_price_formats(text: str, kwargs: dict, expected: Price) -> None:
    assert parse_price(text, **kwargs) == expected


@pytest.mark.parametrize("text", ["面议", "价格面议", "Price on request", "Call for price: 555-1234", "", None])
def test_no_price(text: str | None) -> None:
    assert parse_price(text).amount is None


def test_decimal_separator_setting_decides_ambiguous_groups() -> None:
    assert parse_price("1.299").amount == 1299.0
    assert parse_price("1.299", decimal_separator=".").amount == pytest.approx(1.299)
    assert parse_price("1,5", decimal_separator=",").amount == 1.5


def test_numbers_pass_through() -> None:
    assert parse_price(12.5, default_currency="USD") == Price(12.5, "USD", None)


def test_currency_code() -> None:
    assert currency_code("$") == "USD"
    assert currency_code("$", "AUD") == "AUD"
    assert currency_code("¥", "JPY") == "JPY"
    assert currency_code("eur") == "EUR"
    assert currency_code("RUR") == "RUB"
    assert currency_code("no such") is None


def test_free_is_zero_not_missing() -> None:
    # price-parser reads "free" as 0; structured extraction drops zero prices, plain text keeps it.
    assert parse_price("free").amount == 0.0
