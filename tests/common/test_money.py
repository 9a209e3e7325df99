"""Order arithmetic shared by shop-api and the offline cache (common.money): half-even rounding per line,
cumulative refund shares, order discounts spread exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given
from hypothesis import strategies as st

from common.money import (
    PricedLine,
    allocate_discount,
    div_round_half_even,
    line_tax,
    order_totals,
    refund_share,
)


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**6))
def test_half_even_division_matches_decimal(numerator: int, denominator: int) -> None:
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert div_round_half_even(numerator, denominator) == int(expected)


def test_tax_is_rounded_half_even_per_line_then_summed() -> None:
    assert line_tax(50, 1000) == 5
    assert line_tax(25, 1000) == 2  # 2.5 → 2
    assert line_tax(35, 1000) == 4  # 3.5 → 4
    lines = [PricedLine(1, 25, 0, 1000), PricedLine(1, 25, 0, 1000)]
    totals = order_totals([(line.amount, line.tax) for line in lines])
    assert (totals.subtotal, totals.tax, totals.total) == (50, 4, 54)  # not round(5.0) on the sum


def test_a_line_discount_comes_off_before_tax() -> None:
    line = PricedLine(quantity=3, unit_price=199, discount=97, tax_rate_bp=2000)
    assert (line.amount, line.tax) == (500, 100)


@given(st.integers(0, 10**7), st.integers(1, 50), st.data())
def test_a_line_refunded_in_parts_returns_exactly_its_figure(figure: int, quantity: int, data: st.DataObject) -> None:
    refunded, returned = 0, 0
    while refunded < quantity:
        part = data.draw(st.integers(1, quantity - refunded))
        returned += refund_share(figure, quantity, refunded, part)
        refunded += part
    assert returned == figure


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=20), st.data())
def test_an_order_discount_is_spread_exactly(amounts: list[int], data: st.DataObject) -> None:
    discount = data.draw(st.integers(0, sum(amounts)))
    shares = allocate_discount(amounts, discount)
    assert sum(shares) == discount
    assert all(0 <= share <= amount for share, amount in zip(shares, amounts, strict=True))
