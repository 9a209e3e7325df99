"""The sale screen against the real stack (moto + shop-api on loopback), online and offline: a scanner's burst,
search as you type, a cash sale with change, a split tender, a parked cart across a restart. After each, the
profile's outbox holds exactly the expected ops, and after a sync the server holds the orders and the stock.

Offline is the real thing: the API sits behind a fault proxy that cuts every request, and the cashier signs in with
the offline unlock (the verifier and the catalogue come from an online sign-in first).
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from common import money
from console import headless
from console.app import ShopConsoleApp, create_app
from console.config import Profile
from console.counter import receipts
from console.counter.cart import Cart
from console.counter.checkout import Payment
from console.counter.receipts import Shop
from console.demo import StackInfo
from console.session import SessionService
from console.sync_service import open_store, sync_once
from offline_cache.models import OutboxOp, Product
from offline_cache.store import Store
from screens.checkout import CheckoutScreen, Completed
from screens.home import HomeScreen
from screens.login import LoginScreen
from screens.receipt import ReceiptScreen
from screens.sale import CartTable, SaleScreen, ScanInput
from tests.console.conftest import FROZEN_NOW, frozen_clock, home, settle, sign_in, stack_profile, until, user
from tests.console.counter_screens import utc_fixture  # noqa: F401 (the utc fixture)
from tests.offline_cache.offline_stack import FaultProxy
from tests.offline_cache.offline_support import load

CASHIER = "corner-cashier"
PULL_SECONDS = 30.0
DEMO = json.loads((Path(__file__).resolve().parents[2] / "assets" / "demo" / "corner-grocer.json").read_text())
PRODUCTS = {product["sku"]: product for product in DEMO["products"]}
YOGURT = PRODUCTS["GRC-000001"]  # Hillside Greek Honey Yogurt 1 kg, 5.69, no tax
BODY_WASH = PRODUCTS["GRC-000003"]  # Glow Botanics Exfoliating Lavender Body Wash 750 ml, 10.79, 8% tax
MODES = [pytest.param(False, id="online"), pytest.param(True, id="offline")]


@dataclass
class Till:
    profile: Profile
    proxy: FaultProxy
    stack: StackInfo


@pytest.fixture
def till(stack: StackInfo) -> Iterator[Till]:
    """The demo profile through a fault proxy, on a terminal of its own (receipt numbers are unique per terminal
    on the server)."""
    with FaultProxy(stack.api_url) as proxy:
        profile = stack_profile(stack).model_copy(
            update={"terminal_id": f"SL{uuid.uuid4().hex[:8]}", "api_url": proxy.url}
        )
        with open_store(profile) as store:
            open_shift(store)
        yield Till(profile, proxy, stack)


def open_shift(store: Store) -> None:
    """Cash is taken only with a till shift open (issue 11); it goes to the server with the sales."""
    store.shifts.open(10000, currency="USD", opened_by=CASHIER)


def app_for(till: Till) -> ShopConsoleApp:
    return create_app(till.profile, keys={}, clock=frozen_clock)


async def pulled(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, ShopConsoleApp)
    await until(pilot, lambda: app.sync_status is not None and app.sync_status.state.initial_pull_done, PULL_SECONDS)


async def signed_in(pilot: Pilot, till: Till, offline: bool = False) -> None:
    """Signed in as the cashier with the catalogue pulled; `offline`: then signed out, the API cut, and signed in
    again with the offline unlock."""
    password = user(till.stack, CASHIER).password
    await sign_in(pilot, CASHIER, password)
    await home(pilot)  # past the till-float prompt where the terminal has no shift open
    await pulled(pilot)
    if not offline:
        return
    await pilot.press("o")
    await until(pilot, lambda: isinstance(pilot.app.screen, LoginScreen))
    for route in ("other", "health", "push", "pull"):
        till.proxy.faults[route].extend(["cut"] * 10_000)  # shop-api is gone (Cognito still answers)
    app = pilot.app
    assert isinstance(app, ShopConsoleApp)
    await sign_in(pilot, CASHIER, password)
    await until(pilot, lambda: bool(pilot.app.screen.query_one("#unlock").display))
    await until(pilot, lambda: app.api_status.reachable is False)  # the refusal asked the API's health again
    await pilot.press("f2")
    await until(pilot, lambda: app.signed_in is not None)
    await settle(pilot)
    await home(pilot)
    assert app.signed_in is not None and app.signed_in.offline


async def sale_open(pilot: Pilot) -> SaleScreen:
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(pilot.app.screen, SaleScreen))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SaleScreen)
    return screen


async def scan(pilot: Pilot, code: str) -> None:
    """A scanner's burst: every key posted at once (as a scanner writes them), then Enter."""
    for char in code:
        pilot.app.post_message(events.Key(char, char))
    pilot.app.post_message(events.Key("enter", "\r"))
    await settle(pilot)


def cart_rows(screen: SaleScreen) -> list[tuple[str, int]]:
    """The cart's lines; `shown` checks the cart table shows the same."""
    assert shown(screen)
    return [(line.sku, line.quantity) for line in screen.cart.lines]


def shown(screen: SaleScreen) -> bool:
    """Does the cart table show each line's quantity, discount and amount (it changes only the rows that change)?"""
    table = screen.query_one(CartTable)
    rows = [table.get_row_at(n) for n in range(table.row_count)]

    def amount(minor: int) -> str:
        return money.format_amount(minor, screen.shop.decimals)

    return [(str(row[1]).strip(), str(row[3]).strip(), str(row[4]).strip()) for row in rows] == [
        (str(p.line.quantity), amount(-p.discount) if p.discount else "", amount(p.amount))
        for p in screen.cart.totals.lines
    ]


def message(screen: SaleScreen) -> str:
    return str(screen.query_one("#sale-message", Static).render())


async def pay(pilot: Pilot, *tenders: tuple[str, str]) -> ReceiptScreen:
    """F10, each (method key, amount) then Enter, Enter to complete; the receipt that shows."""
    await pilot.press("f10")
    await until(pilot, lambda: isinstance(pilot.app.screen, CheckoutScreen))
    for key, amount in tenders:
        await pilot.press(key, *amount, "enter")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, ReceiptScreen))
    await settle(pilot)
    receipt = pilot.app.screen
    assert isinstance(receipt, ReceiptScreen)
    return receipt


def outbox(profile: Profile) -> list[OutboxOp]:
    """The sales in the outbox, whatever their state (the till shift's op is there too)."""
    with open_store(profile) as store:
        ops = store.outbox.list(statuses=("pending", "in_flight", "done", "dead", "conflict"))
    return [op for op in ops if op.type == "order.create"]


def server_session(till: Till) -> SessionService:
    environ = {"SHOP_CONSOLE_PASSWORD": user(till.stack, CASHIER).password}
    session, _ = headless.sign_in(till.profile, CASHIER, False, io.StringIO(), environ)
    return session


def on_hand(session: SessionService, product: dict[str, Any]) -> int:
    items = session.api.request("GET", "/v1/inventory", params={"product_id": product["id"]}).json()["items"]
    return sum(item["on_hand"] for item in items if item["location"] == "store")


def synced_orders(till: Till) -> tuple[SessionService, list[dict[str, Any]]]:
    """Sync the profile's queue as `shop-console sync --once` does, then the server's orders of this terminal."""
    till.proxy.faults.clear()
    session = server_session(till)
    outcome = sync_once(till.profile, session)
    assert outcome.drained, outcome
    page = session.api.request("GET", "/v1/orders", params={"terminal_id": till.profile.terminal_id, "limit": 50})
    return session, page.json()["items"]


def sold_lines(op: OutboxOp) -> list[tuple[str, int, int, int]]:
    return [
        (line["product_id"], line["quantity"], line["unit_price"], line["discount"]) for line in op.payload["lines"]
    ]


# --- input: scan and search --------------------------------------------------------------------------------------


async def test_a_scanned_burst_adds_at_once_and_an_unknown_code_keeps_the_cart(till: Till) -> None:
    app = app_for(till)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, till)
        screen = await sale_open(pilot)
        await scan(pilot, YOGURT["barcode"])
        assert cart_rows(screen) == [("GRC-000001", 1)]
        await scan(pilot, YOGURT["barcode"])
        assert cart_rows(screen) == [("GRC-000001", 2)]
        assert message(screen).startswith("Added Hillside Greek Honey Yogurt 1 kg (2 x 5.69)")

        await scan(pilot, "0000000000000")
        assert cart_rows(screen) == [("GRC-000001", 2)]
        assert message(screen) == "No product has the code 0000000000000: nothing was added."

        await pilot.press("tab")  # the cart: digits set the quantity; a scanner's burst still scans
        assert screen.query_one(CartTable).has_focus
        await pilot.press("5")
        assert "Quantity 5 for Hillside" in message(screen)
        await pilot.press("enter")
        await settle(pilot)
        assert cart_rows(screen) == [("GRC-000001", 5)]
        await scan(pilot, BODY_WASH["barcode"])
        assert cart_rows(screen) == [("GRC-000001", 5), ("GRC-000003", 1)]
        await pilot.press("1", "0", "0", "0", "0", "enter")
        await settle(pilot)
        assert "from 1 to 9,999" in message(screen) and cart_rows(screen)[0] == ("GRC-000001", 5)
        await scan(pilot, PRODUCTS["GRC-000002"]["barcode"])
        await pilot.press("up", "delete")  # a line in the middle: the one after it moves up
        await settle(pilot)
        assert cart_rows(screen) == [("GRC-000001", 5), ("GRC-000002", 1)]
    assert outbox(till.profile) == []  # nothing is queued until the sale completes


async def test_search_as_you_type_and_enter_adds_the_highlighted_match(till: Till) -> None:
    app = app_for(till)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, till)
        screen = await sale_open(pilot)
        await pilot.press(*"hillside greek")
        await settle(pilot)
        matches = screen.query_one("#matches", OptionList)
        assert matches.display and matches.option_count == len(screen.matches) > 1
        assert all(product.name.startswith("Hillside Greek") for product in screen.matches)
        await pilot.press("down")
        chosen = screen.matches[1]
        await pilot.press("enter")
        await settle(pilot)
        assert cart_rows(screen) == [(chosen.sku, 1)]
        assert not matches.display and screen.query_one("#scan", ScanInput).value == ""

        await pilot.press(*"GRC-000003", "enter")  # an exact SKU typed by hand adds that product
        await settle(pilot)
        assert cart_rows(screen)[-1] == ("GRC-000003", 1)
        await pilot.press(*"zzzz-nothing", "enter")
        await settle(pilot)
        assert message(screen) == "No product matches 'zzzz-nothing': nothing was added." and len(screen.cart) == 2

        await pilot.press(*"sea salt crack", "enter")  # Enter before the matches show: the best one
        await settle(pilot)
        assert cart_rows(screen)[-1] == ("GRC-000006", 1)  # Trailside Sea Salt Crackers 400 g

        app.post_message(events.Paste("GRC-0\x0700010\r\n"))  # a pasted SKU with a bell and a line end
        await settle(pilot)
        assert screen.query_one("#scan", ScanInput).value == "GRC-000010"
        await pilot.press("enter")
        await settle(pilot)
        assert cart_rows(screen)[-1] == ("GRC-000010", 1)

        for key in ("escape", "tab", "q"):  # leaving, or quitting, with a cart: refused, the cart kept
            await pilot.press(key)
            await settle(pilot)
            assert app.is_running and app.screen is screen and len(screen.cart) == 4
        assert message(screen) == "The cart is not empty: pay for it (F10) or park it (p) first."


# --- paying --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("offline", MODES)
async def test_a_cash_sale_with_change(till: Till, offline: bool) -> None:
    before = on_hand(server_session(till), YOGURT)
    app = app_for(till)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, till, offline)
        screen = await sale_open(pilot)
        await scan(pilot, YOGURT["barcode"])
        await scan(pilot, YOGURT["barcode"])
        await scan(pilot, BODY_WASH["barcode"])
        assert str(screen.query_one("#totals-total", Static).render()) == "TOTAL USD 23.03"  # 11.38 + 10.79 + 0.86
        receipt = await pay(pilot, ("c", "50"))
        text = receipt.completed.text
        assert "Change" in text and text.count("26.97") == 1 and "TOTAL USD" in text
        assert (receipts.OFFLINE_LINE in text) is offline
        order = receipt.completed.order
        assert receipt.completed.path is not None and receipt.completed.path.read_text() == text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SaleScreen) and len(screen.cart) == 0
        if not offline:
            await until(
                pilot, lambda: app.queue.count == 0 and not any(op.status == "pending" for op in outbox(till.profile))
            )

    [op] = outbox(till.profile)
    assert (op.type, op.id) == ("order.create", order.id)
    assert sold_lines(op) == [(YOGURT["id"], 2, 569, 0), (BODY_WASH["id"], 1, 1079, 0)]
    assert op.payload["tenders"] == [{"method": "cash", "amount": 5000}]
    assert op.status == ("pending" if offline else "done")

    session, orders = synced_orders(till)
    assert [(o["id"], o["total"], o["change"], o["receipt_no"]) for o in orders] == [
        (order.id, 2303, 2697, order.receipt_no)
    ]
    assert on_hand(session, YOGURT) == before - 2


@pytest.mark.parametrize("offline", MODES)
async def test_a_split_tender(till: Till, offline: bool) -> None:
    app = app_for(till)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, till, offline)
        screen = await sale_open(pilot)
        await scan(pilot, BODY_WASH["barcode"])
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, CheckoutScreen))
        checkout = app.screen
        assert isinstance(checkout, CheckoutScreen)
        await pilot.press("k", *"20", "enter")  # more than the total on a card: refused, nothing taken
        assert "Card can be at most what is left to pay (11.65)" in str(
            checkout.query_one("#checkout-message").render()
        )
        await pilot.press("backspace", "backspace", *"5", "enter")
        await pilot.press("enter")  # Enter on an empty field before it is covered: the rest, by card
        await settle(pilot)
        assert [(t.method, t.amount) for t in checkout.payment.tenders] == [("card", 500), ("card", 665)]
        await pilot.press("x", "c", "enter")  # take the last back, the rest in cash
        await settle(pilot)
        assert checkout.payment.state.covered and checkout.payment.state.change == 0
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReceiptScreen))
        order = app.screen.completed.order  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert len(screen.cart) == 0

    [op] = outbox(till.profile)
    assert op.payload["tenders"] == [{"method": "card", "amount": 500}, {"method": "cash", "amount": 665}]
    _, orders = synced_orders(till)
    assert [(o["id"], o["total"], o["change"]) for o in orders] == [(order.id, 1165, 0)]


@pytest.mark.parametrize("offline", MODES)
async def test_a_parked_cart_survives_a_restart(till: Till, offline: bool) -> None:
    app = app_for(till)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, till, offline)
        screen = await sale_open(pilot)
        await scan(pilot, YOGURT["barcode"])
        await scan(pilot, BODY_WASH["barcode"])
        await pilot.press("tab", "plus", "d", *"10%", "enter")  # a second body wash, 10% off its line
        await settle(pilot)
        assert screen.cart.totals.lines[1].discount == 216
        await pilot.press("p")
        await settle(pilot)
        assert len(screen.cart) == 0 and message(screen).startswith("Parked 3 items · USD 26.66")
    assert outbox(till.profile) == []  # parking queues nothing

    app = app_for(till)  # a restart: a new app on the same profile
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, CASHIER, user(till.stack, CASHIER).password)
        if offline:
            await until(pilot, lambda: bool(pilot.app.screen.query_one("#unlock").display))
            await pilot.press("f2")
            await until(pilot, lambda: isinstance(pilot.app.screen, HomeScreen))
        screen = await sale_open(pilot)
        assert message(screen) == "1 parked cart on this terminal: Tab, then r resumes."
        await pilot.press("tab", "r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert cart_rows(screen) == [("GRC-000001", 1), ("GRC-000003", 2)]
        assert screen.cart.totals.total == 2666
        receipt = await pay(pilot, ("c", ""))
        order = receipt.completed.order

    [op] = outbox(till.profile)
    assert sold_lines(op) == [(YOGURT["id"], 1, 569, 0), (BODY_WASH["id"], 2, 1079, 216)]
    _, orders = synced_orders(till)
    assert [(o["id"], o["total"]) for o in orders] == [(order.id, 2666)]


# --- pictures ------------------------------------------------------------------------------------------------------

SnapCompare = Any
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def picture_till(stack: StackInfo) -> Iterator[Till]:
    """As `till`, on terminal T1: the status bar shows it. The pictures complete no sale on the server."""
    with FaultProxy(stack.api_url) as proxy:
        yield Till(stack_profile(stack).model_copy(update={"terminal_id": "T1", "api_url": proxy.url}), proxy, stack)


async def still(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def with_lines(pilot: Pilot) -> SaleScreen:
    screen = await sale_open(pilot)
    await scan(pilot, YOGURT["barcode"])
    await scan(pilot, YOGURT["barcode"])
    await scan(pilot, BODY_WASH["barcode"])
    await pilot.press("tab", "d", *"1.00", "enter")
    await settle(pilot)
    return screen


def picture(snap_compare: SnapCompare, till: Till, size: tuple[int, int], steps: Any, offline: bool = False) -> bool:
    async def run_before(pilot: Pilot) -> None:
        await signed_in(pilot, till, offline)
        await still(pilot)  # no sign-in toast under a dialog
        await steps(pilot)
        await still(pilot)

    return snap_compare(app_for(till), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_picture_empty(snap_compare: SnapCompare, picture_till: Till, size: tuple[int, int]) -> None:
    assert picture(snap_compare, picture_till, size, sale_open)


@pytest.mark.parametrize("size", SIZES)
def test_picture_with_lines(snap_compare: SnapCompare, picture_till: Till, size: tuple[int, int]) -> None:
    assert picture(snap_compare, picture_till, size, with_lines)


@pytest.mark.parametrize("size", SIZES)
def test_picture_with_matches(snap_compare: SnapCompare, picture_till: Till, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot) -> None:
        await with_lines(pilot)
        await pilot.press("tab", *"hillside greek")  # back to the input (Tab goes round)
        await settle(pilot)

    assert picture(snap_compare, picture_till, size, steps)


@pytest.mark.parametrize("size", SIZES)
def test_picture_checkout(snap_compare: SnapCompare, picture_till: Till, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot) -> None:
        await with_lines(pilot)
        await pilot.press("f10", "k", *"10", "enter", "c", *"20", "enter")

    assert picture(snap_compare, picture_till, size, steps)


def completed_sale(tmp_path: Path, offline: bool) -> Completed:
    """A receipt of a sale stored at the frozen time on terminal T1 (its own cache: the picture's receipt number
    and time must not depend on the day the test runs)."""
    rows = [
        {key: p[key] for key in ("id", "sku", "barcode", "name", "category", "price", "tax_rate_bp", "active")}
        | {"version": 1, "updated_at": ""}
        for p in (YOGURT, BODY_WASH)
    ]
    with Store.open(tmp_path / "receipt.db", terminal_id="T1", clock=lambda: FROZEN_NOW) as store:
        load(store, rows)
        open_shift(store)
        cart = Cart(2, 10)
        for row in rows:
            product = store.catalogue.by_id(row["id"])
            assert isinstance(product, Product)
            cart.add(product)
        cart.set_quantity(0, 2)
        payment = Payment(cart)
        payment.add("card", "10")
        payment.add("cash", "20")
        order = payment.complete(store, CASHIER)
    shop = Shop("Corner Grocer", "USD", "T1")
    return Completed(order, shop, receipts.render(order, shop, offline=offline), None)


@pytest.mark.parametrize("size", SIZES)
def test_picture_receipt(
    snap_compare: SnapCompare,
    picture_till: Till,
    size: tuple[int, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    completed = completed_sale(tmp_path, offline=False)

    async def steps(pilot: Pilot) -> None:
        await sale_open(pilot)
        pilot.app.push_screen(ReceiptScreen(completed))

    assert picture(snap_compare, picture_till, size, steps)


def test_picture_offline_with_lines(snap_compare: SnapCompare, picture_till: Till) -> None:
    assert picture(snap_compare, picture_till, (80, 24), with_lines, offline=True)


@pytest.mark.usefixtures("utc")
def test_picture_offline_receipt(snap_compare: SnapCompare, picture_till: Till, tmp_path: Path) -> None:
    completed = completed_sale(tmp_path, offline=True)

    async def steps(pilot: Pilot) -> None:
        await sale_open(pilot)
        pilot.app.push_screen(ReceiptScreen(completed))

    assert picture(snap_compare, picture_till, (80, 24), steps, offline=True)
