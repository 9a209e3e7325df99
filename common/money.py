"""Order arithmetic in integer minor units (cents), the one implementation shop-api and the console's offline cache
both use, so a receipt printed offline matches what the server stores. Prices exclude tax; no float anywhere.

- A line's amount is `quantity * unit_price - discount` (the discount is the whole line's).
- A line's tax is `round_half_even(amount * tax_rate_bp / 10000)`, computed per line and then summed; tax is
  never computed on the order total, so every receipt line shows a tax that the total really contains.
- `subtotal` is the sum of line amounts, `tax` the sum of line taxes, `total = subtotal + tax`.
- Tenders must cover the total. Only cash can be over-tendered: `change = tendered - total`, which therefore never
  exceeds the cash given; card and other tenders together may not exceed the total.
- Refunding `k` more units of a line of `q` units, of which `r` were refunded before, returns
  `round_half_even(figure * (r + k) / q) - round_half_even(figure * r / q)` of its amount and of its tax: shares
  are rounded cumulatively, so a line refunded in parts returns exactly what it cost, never a unit more.
- An order discount is spread over the lines in proportion to their amounts (largest remainder), so the line
  discounts add up to exactly the order discount.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

BASIS_POINTS = 10_000


class TenderError(ValueError):
    """The tenders cannot pay for the order; the message says why, for the person at the till."""


def div_round_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even, exactly (denominator > 0)."""
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


def order_totals(lines: Sequence[tuple[int, int]]) -> Totals:
    """Totals of (amount, tax) pairs, one per line."""
    return Totals(subtotal=sum(amount for amount, _ in lines), tax=sum(tax for _, tax in lines))


def change_due(total: int, tenders: Sequence[tuple[str, int]]) -> int:
    """The cash to hand back for (method, amount) tenders; raises TenderError if they cannot pay `total`."""
    tendered = sum(amount for _, amount in tenders)
    if tendered < total:
        raise TenderError(f"The tenders ({tendered:,}) do not cover the total ({total:,}).")
    not_cash = sum(amount for method, amount in tenders if method != "cash")
    if not_cash > total:
        raise TenderError(
            f"Only cash can be given back as change: card and other tenders ({not_cash:,}) exceed the total "
            f"({total:,})."
        )
    return tendered - total


def refund_share(line_figure: int, line_quantity: int, refunded_before: int, quantity: int) -> int:
    """What refunding `quantity` more units returns of a line's amount or tax (cumulative rounding)."""
    after = div_round_half_even(line_figure * (refunded_before + quantity), line_quantity)
    before = div_round_half_even(line_figure * refunded_before, line_quantity)
    return after - before


def allocate_discount(amounts: Sequence[int], discount: int) -> list[int]:
    """Each line's part of an order discount (see the module's rules)."""
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


# ISO 4217 minor units where they are not the usual two; the shop's currency decides how prices are typed and shown.
_MINOR_UNITS = {"BHD": 3, "CLP": 0, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "OMR": 3, "TND": 3, "VND": 0}
_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?")


def minor_units(currency: str) -> int:
    """Decimal places of a currency's amounts (USD, EUR: 2; JPY: 0)."""
    return _MINOR_UNITS.get(currency.upper(), 2)


def format_amount(amount: int, decimals: int) -> str:
    """Minor units as text with a thousands separator: 123456, 2 → "1,234.56"."""
    whole, part = divmod(abs(amount), 10**decimals)
    sign = "-" if amount < 0 else ""
    return f"{sign}{whole:,}" + (f".{part:0{decimals}d}" if decimals else "")


def parse_amount(text: str, decimals: int) -> int:
    """Typed money ("12", "12.5", "1,234.56") as minor units; ValueError saying why for anything else (a sign,
    a letter, more decimal places than the currency has)."""
    typed = text.strip()
    example = "12" if decimals == 0 else "12." + "5".ljust(decimals, "0")
    if not typed:
        raise ValueError(f"Type an amount, like {example}.")
    match = _AMOUNT.fullmatch(typed)
    if match is None or not (match.group(1) or match.group(2)):
        raise ValueError(f"{typed!r} is not an amount: type digits, like {example}.")
    fraction = match.group(2) or ""
    if len(fraction) > decimals:
        raise ValueError(
            "This currency has no decimal places." if decimals == 0 else f"Use at most {decimals} decimal places."
        )
    return int((match.group(1) or "0").replace(",", "")) * 10**decimals + int(fraction.ljust(decimals, "0") or "0")
