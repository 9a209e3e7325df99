"""Checkout and receipts (console.counter.checkout, .receipts): split tenders, change, no completion until the
tenders cover the total, a failing disk that keeps the cart, the receipt's text, its file and its print command."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.config import Profile
from console.counter import receipts
from console.counter.cart import Cart
from console.counter.checkout import CheckoutFailed, Payment
from console.counter.entry import Discount, Rejected
from console.counter.receipts import PrintFailed, Shop
from offline_cache.models import LocalOrder, OutboxOp, Product
from offline_cache.store import Store
from tests.offline_cache.offline_support import FakeClock, load

CORNER = Shop("Corner Grocer", "USD", "T1")
PRODUCTS = [
    Product("p-yog", "GRC-000001", "0002741027414", "Hillside Greek Honey Yogurt 1 kg", "Dairy", 569, 0, True, 1, ""),
    Product("p-soap", "GRC-000003", "0757993579937", "Glow Botanics Body Wash 750 ml", "Care", 1079, 800, True, 1, ""),
]

CACHED = [
    {"id": p.id, "sku": p.sku, "barcode": p.barcode, "name": p.name, "category": p.category, "price": p.price,
     "tax_rate_bp": p.tax_rate_bp, "active": True, "version": 1, "updated_at": ""}
    for p in PRODUCTS
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "queue.db", terminal_id="T1", clock=FakeClock(dt.datetime(2026, 3, 14, 9, 26)))
    load(opened, CACHED)
    opened.shifts.open(10000, currency="USD", opened_by="corner-cashier")  # cash needs a till shift open
    yield opened
    opened.close()


def sales(store: Store) -> list[OutboxOp]:
    """The outbox's sales (the open shift's op is there too)."""
    return [op for op in store.outbox.list() if op.type == "order.create"]


def full_cart() -> Cart:
    cart = Cart(2, 10)
    cart.add(PRODUCTS[0])
    cart.set_quantity(0, 2)
    cart.add(PRODUCTS[1])
    cart.set_line_discount(1, Discount(amount=79))
    return cart  # 11.38 + 10.00 + tax 0.80 = 22.18


def test_cash_with_change() -> None:
    payment = Payment(full_cart())
    assert payment.total == 2218
    payment.add("cash", "50")
    state = payment.state
    assert (state.paid, state.remaining, state.change, state.covered) == (5000, 0, 2782, True)


def test_split_tender_card_then_cash() -> None:
    payment = Payment(full_cart())
    payment.add("card", "10.00")
    assert payment.state.remaining == 1218 and not payment.state.covered
    with pytest.raises(Rejected, match=r"Other can be at most what is left to pay \(12.18\)"):
        payment.add("other", "12.19")
    payment.add("cash", "")  # empty: exactly what is left
    assert payment.state == payment.state.__class__(2218, 2218, 0, 0)
    with pytest.raises(Rejected, match="Nothing is left to pay"):
        payment.add("cash", "1")
    assert payment.remove(1).amount == 1218 and payment.state.remaining == 1218


@pytest.mark.parametrize(
    ("method", "typed", "reason"),
    [("cash", "0", "more than 0"), ("cash", "1.234", "at most 2 decimal places"), ("cash", "abc", "not an amount"),
     ("cheque", "5", "Unknown tender"), ("cash", "99999999999", "more than a till takes")],
)  # fmt: skip
def test_bad_tenders_say_why(method: str, typed: str, reason: str) -> None:
    payment = Payment(full_cart())
    with pytest.raises(Rejected, match=reason):
        payment.add(method, typed)
    assert payment.tenders == []


def test_an_empty_cart_cannot_be_paid() -> None:
    with pytest.raises(Rejected, match="empty"):
        Payment(Cart(2, 10))


def test_no_completion_until_covered_then_one_outbox_op(store: Store) -> None:
    cart = full_cart()
    payment = Payment(cart)
    payment.add("card", "20")
    with pytest.raises(Rejected, match=r"2.18 is still to pay"):
        payment.complete(store, "corner-cashier")
    assert sales(store) == []
    payment.add("cash", "5")
    order = payment.complete(store, "corner-cashier")
    assert (order.total, order.change, order.cashier, order.receipt_no) == (
        2218,
        282,
        "corner-cashier",
        "T1-20260314-1",
    )
    [op] = sales(store)
    assert op.id == order.id
    assert op.payload["tenders"] == [{"method": "card", "amount": 2000}, {"method": "cash", "amount": 500}]
    assert [(line["quantity"], line["discount"]) for line in op.payload["lines"]] == [(2, 0), (1, 79)]
    assert store.stock.on_hand("p-yog", "store") == -2


def test_a_read_only_disk_keeps_the_cart_and_says_why(store: Store) -> None:
    read_only = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    frozen = Store(read_only, path=store.path, terminal_id="T1")
    cart = full_cart()
    before = cart.to_dict()
    payment = Payment(cart)
    payment.add("cash", "30")
    with pytest.raises(CheckoutFailed, match=r"read-only.*The cart is kept"):
        payment.complete(frozen, "corner-cashier")
    read_only.close()
    assert cart.to_dict() == before and payment.state.covered  # nothing lost: pay again once the disk is fixed
    assert sales(store) == [] and store.orders.list() == []


def test_cash_is_refused_without_an_open_till_shift_and_card_is_not(tmp_path: Path) -> None:
    with Store.open(tmp_path / "queue.db", terminal_id="T1") as store:
        load(store, CACHED)
        by_cash = Payment(full_cart())
        by_cash.add("cash", "50")
        with pytest.raises(Rejected, match=r"No till shift is open on this terminal.*F7"):
            by_cash.complete(store, "corner-cashier")
        assert store.outbox.list() == [] and by_cash.state.covered  # nothing stored, the tenders kept
        by_card = Payment(full_cart())
        by_card.add("card", "")
        assert by_card.complete(store, "corner-cashier").total == 2218


def sold(store: Store) -> LocalOrder:
    payment = Payment(full_cart())
    payment.add("card", "12.18")
    payment.add("cash", "20")
    return payment.complete(store, "corner-cashier")


def test_receipt_text(store: Store) -> None:
    text = receipts.render(sold(store), CORNER, offline=True)
    lines = text.splitlines()
    assert lines[0].strip() == "Corner Grocer" and lines[1] == "Receipt T1-20260314-1"
    assert "Terminal T1" in lines[2] and lines[3] == "Cashier corner-cashier"
    assert "  2 x 5.69" in text and "-0.79" in text
    for label, figure in (("Subtotal", "21.38"), ("Tax", "0.80"), ("TOTAL USD", "22.18"), ("Card", "12.18"),
                          ("Cash", "20.00"), ("Change", "10.00")):  # fmt: skip
        assert any(line.startswith(label) and line.endswith(figure) for line in lines), label
    assert receipts.OFFLINE_LINE in text
    assert max(len(line) for line in lines) <= receipts.WIDTH
    assert receipts.OFFLINE_LINE not in receipts.render(sold(store), CORNER, offline=False)


def test_receipt_saved_privately_and_printed(store: Store, tmp_path: Path) -> None:
    profile = Profile(name="till", api_url="http://x", region="r", user_pool_id="p", client_id="c")
    order = sold(store)
    text = receipts.render(order, CORNER, offline=False)
    path = receipts.save(profile, order, text)
    assert path.name == "T1-20260314-1.txt" and path.read_text() == text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    printed = tmp_path / "printer out.txt"
    receipts.print_receipt(f"tee '{printed}'", text)  # split like a shell would: the quoted path is one argument
    assert printed.read_text() == text


def test_print_failures_say_why() -> None:
    with pytest.raises(PrintFailed, match="not found"):
        receipts.print_receipt("no-such-printer-command -d receipt", "x")
    with pytest.raises(PrintFailed, match="refused the receipt: lp: no such destination"):
        script = "import sys; sys.stdin.read(); print('lp: no such destination', file=sys.stderr); sys.exit(1)"
        receipts.print_receipt(f'{sys.executable} -c "{script}"', "x")
    with pytest.raises(PrintFailed, match="not valid"):
        receipts.print_receipt("lp -d 'receipt", "x")
    with pytest.raises(PrintFailed, match=r"; rm -rf / .*not found"):
        receipts.print_receipt("'; rm -rf / #'", "x")  # never a shell: the whole thing is one program name
