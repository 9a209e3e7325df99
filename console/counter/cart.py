"""The cart at the counter: lines, quantities, line and order discounts, and running totals in minor units.

The arithmetic is common.money's, the one the server and the offline cache use: a line's discount is its own plus
its share of the order discount (allocate_discount), and tax is computed per line on what is left. So the totals
shown while ringing up are the totals record_sale stores and the server computes.

Every change is checked on the whole resulting cart before it replaces the current one: a refused change (a
discount above the person's limit, a quantity out of range) raises `Rejected` and leaves the cart as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from common import money
from console.config import Profile
from console.counter.entry import Discount, Rejected
from offline_cache.models import Product, SaleLine
from offline_cache.writes import MAX_AMOUNT, MAX_QUANTITY

CART_FORMAT = 1  # the parked-cart JSON's version
MANAGER_ROLES = frozenset({"manager", "admin"})


def items(count: int) -> str:
    """ "1 item", "3 items": how the counter counts a cart."""
    return f"{count} item{'s' if count != 1 else ''}"


def discount_limit(profile: Profile, role: str) -> int:
    """The largest discount (percent of what is discounted) this role may give."""
    if role in MANAGER_ROLES:
        return profile.manager_discount_limit_percent
    return profile.cashier_discount_limit_percent


@dataclass(frozen=True, slots=True)
class CartLine:
    product_id: str
    sku: str
    name: str
    unit_price: int
    tax_rate_bp: int
    quantity: int = 1
    discount: Discount | None = None

    @property
    def gross(self) -> int:
        return self.quantity * self.unit_price

    @property
    def own_discount(self) -> int:
        return 0 if self.discount is None else self.discount.of(self.gross)


@dataclass(frozen=True, slots=True)
class PricedLine:
    line: CartLine
    discount: int  # its own and its share of the order discount
    amount: int
    tax: int


@dataclass(frozen=True, slots=True)
class CartTotals:
    lines: list[PricedLine]
    order_discount: int
    subtotal: int
    tax: int

    @property
    def total(self) -> int:
        return self.subtotal + self.tax

    @property
    def discounts(self) -> int:
        return sum(priced.discount for priced in self.lines)

    @property
    def items(self) -> int:
        return sum(priced.line.quantity for priced in self.lines)


def _price(lines: list[CartLine], order_discount: Discount | None) -> CartTotals:
    after_own = [line.gross - line.own_discount for line in lines]
    order_amount = 0 if order_discount is None else order_discount.of(sum(after_own))
    shares = money.allocate_discount(after_own, min(order_amount, sum(after_own)))
    priced = []
    for line, share in zip(lines, shares, strict=True):
        figures = money.PricedLine(line.quantity, line.unit_price, line.own_discount + share, line.tax_rate_bp)
        priced.append(PricedLine(line, figures.discount, figures.amount, figures.tax))
    totals = money.order_totals([(p.amount, p.tax) for p in priced])
    return CartTotals(priced, order_amount, totals.subtotal, totals.tax)


class Cart:
    def __init__(self, decimals: int, limit_percent: int) -> None:
        self.decimals = decimals
        self.limit_percent = limit_percent
        self.lines: list[CartLine] = []
        self.order_discount: Discount | None = None
        self.totals = _price([], None)

    def __len__(self) -> int:
        return len(self.lines)

    # --- changes -------------------------------------------------------------------------------------------

    def add(self, product: Product, quantity: int = 1) -> int:
        """Add a product (another of it when it is in the cart already); the line's index."""
        if not product.active:
            raise Rejected(f"{product.name} is not for sale (inactive in the catalogue).")
        for index, line in enumerate(self.lines):
            if line.product_id == product.id and line.unit_price == product.price:
                self.set_quantity(index, line.quantity + quantity)
                return index
        line = CartLine(product.id, product.sku, product.name, product.price, product.tax_rate_bp, quantity)
        self._commit([*self.lines, line], self.order_discount)
        return len(self.lines) - 1

    def set_quantity(self, index: int, quantity: int) -> None:
        if not 1 <= quantity <= MAX_QUANTITY:
            raise Rejected(f"A quantity is from 1 to {MAX_QUANTITY:,}, not {quantity:,}.")
        self._replace(index, quantity=quantity)

    def change_quantity(self, index: int, delta: int) -> None:
        quantity = self._line(index).quantity + delta
        if quantity < 1:
            raise Rejected("The quantity is 1 already: remove the line to take it off.")
        self.set_quantity(index, quantity)

    def remove(self, index: int) -> CartLine:
        line = self._line(index)
        self._commit(self.lines[:index] + self.lines[index + 1 :], self.order_discount)
        return line

    def set_line_discount(self, index: int, discount: Discount | None) -> None:
        self._replace(index, discount=discount)

    def set_order_discount(self, discount: Discount | None) -> None:
        if discount is not None and not self.lines:
            raise Rejected("The cart is empty: there is nothing to discount.")
        self._commit(self.lines, discount)

    def clear(self) -> None:
        self._commit([], None)

    # --- reading --------------------------------------------------------------------------------------------

    def sale_lines(self) -> list[SaleLine]:
        """The lines as record_sale takes them: the price charged and each line's whole discount."""
        return [SaleLine(p.line.product_id, p.line.quantity, p.line.unit_price, p.discount) for p in self.totals.lines]

    def to_dict(self) -> dict[str, Any]:
        """The cart as JSON for parking (prices as charged, so a resumed cart costs what the customer was told)."""
        return {
            "format": CART_FORMAT,
            "lines": [
                {
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "name": line.name,
                    "unit_price": line.unit_price,
                    "tax_rate_bp": line.tax_rate_bp,
                    "quantity": line.quantity,
                    "discount": None if line.discount is None else line.discount.to_dict(),
                }
                for line in self.lines
            ],
            "order_discount": None if self.order_discount is None else self.order_discount.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], decimals: int, limit_percent: int) -> Cart:
        """A parked cart back; it is checked like any change (a parked discount above this person's limit is
        refused)."""
        if data.get("format") != CART_FORMAT:
            raise Rejected("This parked cart was saved by another version of the console and cannot be resumed.")
        cart = cls(decimals, limit_percent)
        try:
            lines = [
                CartLine(
                    str(row["product_id"]),
                    str(row["sku"]),
                    str(row["name"]),
                    int(row["unit_price"]),
                    int(row["tax_rate_bp"]),
                    int(row["quantity"]),
                    _discount(row.get("discount")),
                )
                for row in data["lines"]
            ]
            order_discount = _discount(data.get("order_discount"))
        except (KeyError, TypeError, ValueError):
            raise Rejected("This parked cart is damaged and cannot be resumed.") from None
        cart._commit(lines, order_discount)
        return cart

    # --- checking -------------------------------------------------------------------------------------------

    def _line(self, index: int) -> CartLine:
        if not 0 <= index < len(self.lines):
            raise Rejected("Choose a line of the cart first.")
        return self.lines[index]

    def _replace(self, index: int, **changes: Any) -> None:
        lines = list(self.lines)
        lines[index] = replace(self._line(index), **changes)
        self._commit(lines, self.order_discount)

    def _commit(self, lines: list[CartLine], order_discount: Discount | None) -> None:
        for line in lines:
            self._check_line(line)
        after_own = sum(line.gross - line.own_discount for line in lines)
        if order_discount is not None:
            self._check_discount(order_discount, after_own, "the order")
        if not lines:
            order_discount = None
        self.lines, self.order_discount = lines, order_discount
        self.totals = _price(lines, order_discount)

    def _check_line(self, line: CartLine) -> None:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise Rejected(f"A quantity is from 1 to {MAX_QUANTITY:,}, not {line.quantity:,}.")
        if line.gross > MAX_AMOUNT:
            raise Rejected(f"{line.quantity:,} x {line.name} is more than one sale can take.")
        if line.discount is not None:
            self._check_discount(line.discount, line.gross, line.name)

    def _check_discount(self, discount: Discount, base: int, what: str) -> None:
        if discount.percent_bp > self.limit_percent * 100:
            raise Rejected(f"You may give at most {self.limit_percent}% off; ask a manager for more.")
        limit = money.div_round_half_even(base * self.limit_percent, 100)
        if discount.of(base) > min(base, limit):
            most = money.format_amount(min(base, limit), self.decimals)
            raise Rejected(
                f"At most {most} off {what} ({self.limit_percent}% of {money.format_amount(base, self.decimals)})."
            )


def _discount(data: Any) -> Discount | None:
    if data is None:
        return None
    return Discount(percent_bp=int(data["percent_bp"]), amount=int(data["amount"]))
