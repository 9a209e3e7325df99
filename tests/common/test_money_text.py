"""Money as people type and read it: the shop's currency decides the decimal places."""

from __future__ import annotations

import pytest

from common.money import format_amount, minor_units, parse_amount


@pytest.mark.parametrize(
    ("text", "decimals", "minor"),
    [("12", 2, 1200), ("12.5", 2, 1250), (" 1,234.56 ", 2, 123456), (".05", 2, 5), ("12.", 2, 1200), ("7", 0, 7)],
)
def test_parses_typed_amounts(text: str, decimals: int, minor: int) -> None:
    assert parse_amount(text, decimals) == minor


@pytest.mark.parametrize(
    ("text", "decimals", "why"),
    [
        ("12.345", 2, "at most 2 decimal places"),
        ("1.5", 0, "no decimal places"),
        ("-1", 2, "not an amount"),
        ("1e3", 2, "not an amount"),
        ("1,23", 2, "not an amount"),
        (".", 2, "not an amount"),
        ("", 2, "Type an amount, like 12.50"),
    ],
)
def test_refuses_anything_else_saying_why(text: str, decimals: int, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_amount(text, decimals)


def test_formats_and_knows_the_currencies() -> None:
    assert (format_amount(123456, 2), format_amount(-5, 2), format_amount(1000, 0)) == ("1,234.56", "-0.05", "1,000")
    assert (minor_units("USD"), minor_units("eur"), minor_units("JPY"), minor_units("KWD")) == (2, 2, 0, 3)
    assert all(parse_amount(format_amount(n, 2), 2) == n for n in (0, 1, 99, 100, 123_456_789))
