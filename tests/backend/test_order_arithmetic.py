"""Order arithmetic against an independent calculation in exact fractions: random lines, discounts and tax rates,
through `common.money` (which shop-api and the offline cache share) and through the API on both databases. No
minor unit is lost or made up: the total is exactly subtotal + tax, tax is within half a unit per line of the
exact tax, and refunds of a line in any parts add up to exactly what the line cost."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shop_data_testkit import Api, new_order

from common import money

MAX_QUANTITY = 50
MAX_PRICE = 10**7


@st.composite
def lines(draw: st.DrawFn) -> tuple[int, int, int, int]:
    """(quantity, unit_price, discount, tax_rate_bp) with the discount at most the line."""
    quantity = draw(st.integers(1, MAX_QUANTITY))
    unit_price = draw(st.integers(0, MAX_PRICE))
    discount = draw(st.integers(0, quantity * unit_price))
    tax_rate_bp = draw(st.one_of(st.sampled_from([0, 500, 700, 1000, 1750, 2000, 2500, 10000]), st.integers(0, 10000)))
    return quantity, unit_price, discount, tax_rate_bp


def exact(order_lines: list[tuple[int, int, int, int]]) -> dict[str, Any]:
    """The expected figures, computed with Fractions and Python's round-half-even of a Fraction."""
    amounts = [Fraction(q * p - d) for q, p, d, _ in order_lines]
    exact_taxes = [amount * Fraction(rate, 10000) for amount, (*_, rate) in zip(amounts, order_lines, strict=True)]
    taxes = [round(tax) for tax in exact_taxes]
    subtotal = int(sum(amounts))
    return {
        "amounts": [int(a) for a in amounts],
        "taxes": taxes,
        "exact_tax": sum(exact_taxes),
        "subtotal": subtotal,
        "tax": sum(taxes),
        "total": subtotal + sum(taxes),
    }


@given(st.lists(lines(), min_size=1, max_size=20))
def test_totals_match_exact_fractions(order_lines: list[tuple[int, int, int, int]]) -> None:
    expected = exact(order_lines)
    amounts = [money.line_amount(q, p, d) for q, p, d, _ in order_lines]
    taxes = [money.line_tax(a, rate) for a, (*_, rate) in zip(amounts, order_lines, strict=True)]
    totals = money.order_totals(list(zip(amounts, taxes, strict=True)))
    assert (amounts, taxes) == (expected["amounts"], expected["taxes"])
    assert (totals.subtotal, totals.tax, totals.total) == (expected["subtotal"], expected["tax"], expected["total"])
    assert totals.total == totals.subtotal + totals.tax
    assert abs(totals.tax - expected["exact_tax"]) <= Fraction(len(order_lines), 2)


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_division_rounds_half_to_even(numerator: int, denominator: int) -> None:
    assert money.div_round_half_even(numerator, denominator) == round(Fraction(numerator, denominator))


@given(lines(), st.data())
def test_refunds_in_any_parts_return_exactly_the_line(line: tuple[int, int, int, int], data: st.DataObject) -> None:
    quantity, unit_price, discount, rate = line
    amount = money.line_amount(quantity, unit_price, discount)
    tax = money.line_tax(amount, rate)
    parts: list[int] = []
    while sum(parts) < quantity:
        parts.append(data.draw(st.integers(1, quantity - sum(parts))))
    refunded = 0
    returned_amount = returned_tax = 0
    for part in parts:
        share = money.refund_share(amount, quantity, refunded, part)
        tax_share = money.refund_share(tax, quantity, refunded, part)
        assert share >= 0 and tax_share >= 0
        refunded += part
        returned_amount += share
        returned_tax += tax_share
        assert returned_amount <= amount and returned_tax <= tax  # never more than was paid, at any point
        # Within half a unit of the exact pro-rata share of what was refunded so far.
        assert abs(returned_amount - Fraction(amount * refunded, quantity)) <= Fraction(1, 2)
    assert (returned_amount, returned_tax) == (amount, tax)


@pytest.mark.parametrize(
    ("tenders", "change"),
    [
        ([("cash", 1000)], 0),
        ([("cash", 1500)], 500),
        ([("card", 400), ("cash", 700)], 100),
        ([("card", 1000)], 0),
        ([("other", 600), ("card", 400)], 0),
    ],
)
def test_change_comes_from_cash(tenders: list[tuple[str, int]], change: int) -> None:
    assert money.change_due(1000, tenders) == change


@pytest.mark.parametrize(
    "tenders", [[("cash", 999)], [("card", 1001)], [("card", 600), ("other", 500), ("cash", 1)], []]
)
def test_tenders_that_cannot_pay(tenders: list[tuple[str, int]]) -> None:
    with pytest.raises(money.TenderError):
        money.change_due(1000, tenders)


@pytest.fixture(scope="module")
def stocked(shop_data_api: Api) -> list[dict[str, Any]]:
    return [shop_data_api.product(price=100 * n, tax_rate_bp=0) for n in range(1, 6)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(lines(), min_size=1, max_size=8), st.data())
def test_the_api_stores_the_exact_totals(
    shop_data_api: Api, stocked: list[dict[str, Any]], order_lines: list[tuple[int, int, int, int]], data: st.DataObject
) -> None:
    body = new_order([(data.draw(st.sampled_from(stocked)), q) for q, *_ in order_lines])
    for line, (_, unit_price, discount, rate) in zip(body["lines"], order_lines, strict=True):
        line |= {"unit_price": unit_price, "discount": discount, "tax_rate_bp": rate}
    expected = exact(order_lines)
    cash = data.draw(st.integers(expected["total"], expected["total"] + 10_000))
    body["tenders"] = [{"method": "cash", "amount": cash}] if expected["total"] else []
    order = shop_data_api.ok(shop_data_api.post("cg.cashier", "/v1/orders", json=body), 201)
    assert [(line["amount"], line["tax"]) for line in order["lines"]] == list(
        zip(expected["amounts"], expected["taxes"], strict=True)
    )
    assert (order["subtotal"], order["tax"], order["total"]) == (
        expected["subtotal"],
        expected["tax"],
        expected["total"],
    )
    assert order["change"] == (cash - expected["total"] if expected["total"] else 0)
