"""Order arithmetic in integer minor units, done exactly as shop-api does it so that receipts match.

Rules (shop-api follows the same ones):

- A line's amount is `quantity * unit_price - discount`, where `discount` is the line's whole discount.
- Prices exclude tax. Tax is computed per line: `amount * tax_rate_bp / 10000`, rounded half to even, then
  summed; never computed on the order total.
- `subtotal` is the sum of line amounts, `tax` the sum of line taxes, `total = subtotal + tax`.
- `change = sum(tenders) - total`; only cash can be over-tendered, so change never exceeds the cash given.
- A refund of `k` units of a line of `q` units returns its share cumulatively: after refunding `r` units in all,
  `round_half_even(line_amount * r / q)` has been returned (the same for tax), so refunding a line in parts
  returns exactly what it cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BASIS_POINTS = 10_000


def div_round_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even, in exact integer arithmetic (denominator > 0)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def line_amount(quantity: int, unit_price: int, discount: int) -> int:
    return quantity * unit_price - discount


def line_tax(amount: int, tax_rate_bp: int) -> int:
    return div_round_half_even(amount * tax_rate_bp, BASIS_POINTS)


@dataclass(frozen=True, slots=True)
class PricedLine:
    quantity: int
    unit_price: int
    discount: int
    tax_rate_bp: int

    @property
    def amount(self) -> int:
        return line_amount(self.quantity, self.unit_price, self.discount)

    @property
    def tax(self) -> int:
        return line_tax(self.amount, self.tax_rate_bp)


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: int
    tax: int

    @property
    def total(self) -> int:
        return self.subtotal + self.tax


def order_totals(lines: Sequence[PricedLine]) -> Totals:
    return Totals(subtotal=sum(line.amount for line in lines), tax=sum(line.tax for line in lines))


def refund_share(line_total: int, line_quantity: int, refunded_before: int, quantity: int) -> int:
    """What refunding `quantity` more units returns of a line figure (amount or tax), cumulatively rounded."""
    after = div_round_half_even(line_total * (refunded_before + quantity), line_quantity)
    before = div_round_half_even(line_total * refunded_before, line_quantity)
    return after - before


def allocate_discount(amounts: Sequence[int], discount: int) -> list[int]:
    """Spread an order discount over lines in proportion to their amounts (largest remainder), so the line
    discounts the contract carries add up to exactly the order discount."""
    total = sum(amounts)
    if not 0 <= discount <= total:
        raise ValueError(f"an order discount must be between 0 and the order amount {total}, got {discount}")
    if total == 0:
        return [0] * len(amounts)
    shares = [divmod(amount * discount, total) for amount in amounts]
    result = [quotient for quotient, _ in shares]
    by_remainder = sorted(range(len(amounts)), key=lambda i: shares[i][1], reverse=True)
    for i in by_remainder[: discount - sum(result)]:
        result[i] += 1
    return result
