"""The counter's cart and what is typed into it (console.counter.cart, .entry): quantities, discounts and their
limits, parsing in the shop's decimal places, rounding that matches record_sale, and refusals that keep the cart."""

from __future__ import annotations

from pathlib import Path

import pytest

from common import money
from console.config import Profile
from console.counter.cart import Cart, discount_limit
from console.counter.entry import Discount, Rejected, clean_text, parse_discount, parse_money, parse_quantity
from offline_cache.models import Product, Tender
from offline_cache.store import Store
from tests.offline_cache.offline_support import FakeClock, load


def product(n: int, price: int, tax_rate_bp: int = 0, active: bool = True) -> Product:
    return Product(f"p{n}", f"SKU-{n}", f"00000000000{n}", f"Product {n}", "Test", price, tax_rate_bp, active, 1, "")


APPLE = product(1, 129, 0)
SOAP = product(2, 1079, 800)
SAW = product(3, 2499, 2000)


def cart(limit: int = 10) -> Cart:
    return Cart(2, limit)


# --- typed input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "quantity"), [("1", 1), (" 12 ", 12), ("9,999", 9999), ("0007", 7)])
def test_quantities_are_whole_numbers_from_1_to_9999(typed: str, quantity: int) -> None:
    assert parse_quantity(typed) == quantity


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("0", "from 1 to 9,999"), ("10000", "from 1 to 9,999"), ("1.5", "whole number"), ("-2", "whole number"),
     ("", "whole number"), ("two", "whole number"), ("٣", "whole number")],
)  # fmt: skip
def test_bad_quantities_say_why(typed: str, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        parse_quantity(typed)


def test_amounts_take_the_shops_decimal_places_and_no_more() -> None:
    assert parse_money("12.5", 2) == 1250
    assert parse_money("1,234.56", 2) == 123456
    assert parse_money("500", 0) == 500
    with pytest.raises(Rejected, match="at most 2 decimal places"):
        parse_money("1.999", 2)
    with pytest.raises(Rejected, match="no decimal places"):
        parse_money("5.5", 0)
    with pytest.raises(Rejected, match="not an amount"):
        parse_money("-3", 2)


def test_pasted_control_characters_are_cleaned() -> None:
    assert clean_text("\x1b[200~Ban\tana\r\n\u200b") == "[200~Ban ana"
    assert clean_text("  0002741027414\r") == "0002741027414"
    assert parse_quantity("3\x07") == 3


def test_discounts_are_a_percent_or_an_amount() -> None:
    assert parse_discount("10%", 2) == Discount(percent_bp=1000)
    assert parse_discount(" 12.5 % ", 2) == Discount(percent_bp=1250)
    assert parse_discount("1.50", 2) == Discount(amount=150)
    assert parse_discount("", 2) is None and parse_discount("0", 2) is None and parse_discount("0%", 2) is None
    for typed, reason in (("101%", "more than 100%"), ("1.005%", "not a percent"), ("abc", "not an amount")):
        with pytest.raises(Rejected, match=reason):
            parse_discount(typed, 2)
    assert Discount(percent_bp=1250).label(2) == "12.5%" and Discount(amount=150).label(2) == "1.50"


# --- the cart ----------------------------------------------------------------------------------------------------


def test_running_totals_with_tax_per_line() -> None:
    shop = cart()
    shop.add(APPLE)
    shop.add(APPLE)  # the same product again: one line of two
    shop.add(SOAP)
    assert [(line.name, line.quantity) for line in shop.lines] == [("Product 1", 2), ("Product 2", 1)]
    totals = shop.totals
    assert (totals.subtotal, totals.tax, totals.total, totals.items) == (258 + 1079, 86, 258 + 1079 + 86, 3)


def test_quantity_changes_and_limits() -> None:
    shop = cart()
    shop.add(APPLE)
    shop.change_quantity(0, 1)
    shop.set_quantity(0, 9999)
    with pytest.raises(Rejected, match="from 1 to 9,999"):
        shop.change_quantity(0, 1)
    shop.set_quantity(0, 1)
    with pytest.raises(Rejected, match="remove the line"):
        shop.change_quantity(0, -1)
    with pytest.raises(Rejected, match="Choose a line"):
        shop.set_quantity(3, 2)
    assert shop.lines[0].quantity == 1
    assert shop.remove(0).product_id == APPLE.id and len(shop) == 0


def test_inactive_products_are_not_sold() -> None:
    with pytest.raises(Rejected, match="not for sale"):
        cart().add(product(9, 100, active=False))


def test_line_discount_within_the_limit_and_refused_above_it() -> None:
    shop = cart(limit=10)
    shop.add(SOAP)
    shop.set_quantity(0, 3)  # 32.37 before discount
    shop.set_line_discount(0, Discount(percent_bp=1000))
    assert shop.totals.lines[0].discount == 324  # 10% of 3237 = 323.7 → 324 (half-even on .7)
    with pytest.raises(Rejected, match="at most 10% off"):
        shop.set_line_discount(0, Discount(percent_bp=1001))
    with pytest.raises(Rejected, match=r"At most 3.24 off Product 2"):
        shop.set_line_discount(0, Discount(amount=325))
    assert shop.lines[0].discount == Discount(percent_bp=1000)  # a refusal keeps what was there
    shop.set_line_discount(0, Discount(amount=300))
    with pytest.raises(Rejected, match=r"At most 1.08 off"):
        shop.set_quantity(0, 1)  # 3.00 off 10.79 would be more than 10%
    assert shop.lines[0].quantity == 3


def test_managers_have_the_higher_limit_from_the_profile() -> None:
    profile = Profile(api_url="http://x", region="r", user_pool_id="p", client_id="c")
    assert (discount_limit(profile, "cashier"), discount_limit(profile, "manager")) == (10, 50)
    custom = profile.model_copy(update={"cashier_discount_limit_percent": 5, "manager_discount_limit_percent": 30})
    assert (discount_limit(custom, "cashier"), discount_limit(custom, "manager")) == (5, 30)
    shop = cart(limit=discount_limit(profile, "manager"))
    shop.add(SAW)
    shop.set_line_discount(0, Discount(percent_bp=5000))
    assert shop.totals.lines[0].discount == 1250  # half of 24.99 is 12.495: half-even to 12.50


def test_order_discount_is_spread_over_the_lines_and_tax_follows() -> None:
    shop = cart(limit=10)
    for item in (APPLE, SOAP, SAW):
        shop.add(item)
    shop.set_order_discount(Discount(amount=370))
    totals = shop.totals
    assert sum(p.discount for p in totals.lines) == 370 == totals.order_discount
    assert totals.subtotal == 129 + 1079 + 2499 - 370
    # each line's tax is on what is left of it after its share
    assert totals.tax == sum(money.line_tax(p.amount, p.line.tax_rate_bp) for p in totals.lines)
    with pytest.raises(Rejected, match=r"At most 3.71 off the order \(10% of 37.07\)"):
        shop.set_order_discount(Discount(amount=372))
    with pytest.raises(Rejected, match="At most"):
        shop.remove(2)  # 3.70 off what is left would be more than 10%
    shop.set_order_discount(None)
    assert shop.totals.discounts == 0


def test_an_empty_cart_has_nothing_to_discount() -> None:
    with pytest.raises(Rejected, match="empty"):
        cart().set_order_discount(Discount(percent_bp=500))


def test_parked_json_round_trip_and_damage() -> None:
    shop = cart()
    shop.add(SOAP)
    shop.set_quantity(0, 2)
    shop.set_line_discount(0, Discount(percent_bp=500))
    shop.add(APPLE)
    shop.set_order_discount(Discount(amount=10))
    back = Cart.from_dict(shop.to_dict(), 2, 10)
    assert back.lines == shop.lines and back.order_discount == shop.order_discount and back.totals == shop.totals
    with pytest.raises(Rejected, match="at most 4% off"):
        Cart.from_dict(shop.to_dict(), 2, 4)  # a discount above the person resuming it
    with pytest.raises(Rejected, match="damaged"):
        Cart.from_dict({"format": 1, "lines": [{"product_id": "x"}]}, 2, 10)
    with pytest.raises(Rejected, match="another version"):
        Cart.from_dict({"format": 99}, 2, 10)


def test_the_cart_totals_are_what_record_sale_stores(tmp_path: Path) -> None:
    """The same arithmetic end to end: what the screen shows is what the order and its outbox op carry."""
    store = Store.open(tmp_path / "queue.db", terminal_id="T1", clock=FakeClock())
    rows = [
        {"id": p.id, "sku": p.sku, "barcode": p.barcode, "name": p.name, "category": p.category, "price": p.price,
         "tax_rate_bp": p.tax_rate_bp, "active": True, "version": 1, "updated_at": "2026-03-01T08:00:00Z"}
        for p in (APPLE, SOAP, SAW)
    ]  # fmt: skip
    load(store, rows)
    shop = cart(limit=10)
    for item in (APPLE, SOAP, SAW, SOAP):
        shop.add(item)
    shop.set_line_discount(1, Discount(percent_bp=750))
    shop.set_order_discount(Discount(percent_bp=333))
    totals = shop.totals
    order = store.writes.record_sale(shop.sale_lines(), [Tender("cash", totals.total)])
    store.close()
    assert (order.subtotal, order.tax, order.total, order.change) == (totals.subtotal, totals.tax, totals.total, 0)
    assert [(line.quantity, line.discount, line.amount, line.tax) for line in order.lines] == [
        (p.line.quantity, p.discount, p.amount, p.tax) for p in totals.lines
    ]
