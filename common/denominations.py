"""Coins and notes of a currency, and a drawer counted by them: the one table shop-api checks counts against and
the console's count grid offers. Amounts are minor units (USD 25 is a quarter, 10000 a hundred-dollar note)."""

from __future__ import annotations

from collections.abc import Iterable

# Coins and notes in circulation, in minor units, per ISO 4217 currency. A currency not listed takes totals only.
DENOMINATIONS: dict[str, tuple[int, ...]] = {
    "AUD": (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000),
    "CAD": (5, 10, 25, 100, 200, 500, 1000, 2000, 5000, 10000),
    "CHF": (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 100000),
    "EUR": (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000),
    "GBP": (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000),
    "JPY": (1, 5, 10, 50, 100, 500, 1000, 2000, 5000, 10000),
    "USD": (1, 5, 10, 25, 50, 100, 200, 500, 1000, 2000, 5000, 10000),
}


def denominations(currency: str) -> tuple[int, ...]:
    """The currency's coins and notes, smallest first; () when only a total can be counted."""
    return DENOMINATIONS.get(currency.upper(), ())


def count_total(counts: Iterable[tuple[int, int]]) -> int:
    """What (denomination, count) pairs add up to, in minor units."""
    return sum(denomination * count for denomination, count in counts)
