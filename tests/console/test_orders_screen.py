"""The orders screen on the suite's stack: today's orders with their sync state and filters, an order's detail
and receipt reprint, and the managers' refunds through the outbox within what was sold (refused for cashiers),
online and offline, with the server's order and stock after a sync. Snapshots at 80x24 and 120x40; look at a
changed SVG before accepting it."""

from __future__ import annotations

from functools import partial

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from console.config import Profile
from console.demo import StackInfo
from console.sync_service import queue_path
from offline_cache.models import SaleLine, Tender
from offline_cache.store import Store
from screens.orders import AskDialog, OrderDetailScreen, OrdersScreen, ReceiptDialog
from screens.refund import REFUSED, RefundScreen
from tests.console.conftest import frozen_clock, settle, until
from tests.console.counter_screens import (
    CASHIER,
    MANAGER,
    SIZES,
    SnapCompare,
    app_for,
    back_online,
    cut,
    hold_pushes,
    opened,
    outbox,
    proxy_fixture,  # noqa: F401 (the proxy fixture)
    release,
    server,
    server_on_hand,
    signed_in,
    signed_in_offline,
    sync,
    text,
    till,
    type_into,
)
from tests.console.counter_screens import shot as screen_shot
from tests.offline_cache.offline_stack import FaultProxy


def sell(profile: Profile, quantities: tuple[int, ...]) -> tuple[str, list[str]]:
    """A sale rung up on this till this (frozen) morning: its id and its products."""
    with Store.open(queue_path(profile), terminal_id=profile.terminal_id, clock=frozen_clock) as store:
        products = [p for p in store.catalogue.page(limit=20, active=True).items][: len(quantities)]
        lines = [SaleLine(p.id, q) for p, q in zip(products, quantities, strict=True)]
        order = store.writes.record_sale(lines, [Tender("cash", 10**6)], cashier=MANAGER)
        return order.id, [p.id for p in products]


async def orders_open(pilot: Pilot) -> OrdersScreen:
    return await opened(pilot, "f6", OrdersScreen, lambda screen: screen.page is not None)


async def detail_open(pilot: Pilot) -> OrderDetailScreen:
    return await opened(pilot, "enter", OrderDetailScreen, lambda screen: screen.order)


async def refund_open(pilot: Pilot) -> RefundScreen:
    return await opened(pilot, "f", RefundScreen)


async def test_refund_limits_then_the_server_has_the_refunds_and_the_stock(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        hold_pushes(proxy)
        order_id, (first, second) = sell(profile, (3, 1))
        before = server_on_hand(app, first), server_on_hand(app, second)
        screen = await orders_open(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 1 and str(table.get_row_at(0)[-1]) == "pending"
        detail = await detail_open(pilot)

        form = await refund_open(pilot)
        await type_into(pilot, "#qty-1", "5")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is form
        assert text(app, "#error-1") == "Only 3 of 3 can be refunded: 0 were refunded before."
        assert text(app, "#error-reason") == "A refund needs a reason."
        await type_into(pilot, "#qty-1", "2")
        await type_into(pilot, "#field-reason", "wrong flavour")
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is detail)
        await until(pilot, lambda: detail.order is not None and detail.order.lines[0].refunded == 2)

        form = await refund_open(pilot)
        await type_into(pilot, "#qty-1", "2")  # only 1 is left now
        await type_into(pilot, "#field-reason", "again")
        await pilot.press("f2")
        await settle(pilot)
        assert text(app, "#error-1") == "Only 1 of 3 can be refunded: 2 were refunded before."
        await pilot.press("f3")  # the whole order: everything left
        assert [form.query_one(f"#qty-{n}", Input).value for n in (1, 2)] == ["1", "1"]
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is detail)
        await until(pilot, lambda: detail.order is not None and len(detail.order.refunds) == 2)
        ops = outbox(profile)
        assert [op for op, _ in ops] == ["order.create", "order.refund", "order.refund"]
        assert [(p["lines"], p["reason"]) for _, p in ops[1:]] == [
            ([{"product_id": first, "quantity": 2}], "wrong flavour"),
            ([{"product_id": first, "quantity": 1}, {"product_id": second, "quantity": 1}], "again"),
        ]
        form = await refund_open(pilot)
        assert text(app, "#form-error") == "Everything on this order is refunded already."
        await pilot.press("escape")

        release(proxy)
        await sync(app)
        on_server = server(app, f"/v1/orders/{order_id}")
        assert sorted(r["reason"] for r in on_server["refunds"]) == ["again", "wrong flavour"]
        assert (server_on_hand(app, first), server_on_hand(app, second)) == before  # all of it came back
        assert outbox(profile) == []


async def test_cashier_reprints_but_cannot_refund(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, CASHIER)
        hold_pushes(proxy)
        sell(profile, (1,))
        await orders_open(pilot)
        detail = await detail_open(pilot)
        keys = {b.binding.id for b in detail.active_bindings.values() if b.enabled}
        assert "order.reprint" in keys and "order.refund" not in keys
        await pilot.press("f")
        await settle(pilot)
        assert app.screen is detail
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ReceiptDialog))
        receipt = app.screen.text  # type: ignore[attr-defined]
        assert "REPRINT" in receipt and detail.order is not None and detail.order.receipt_no in receipt
        assert "will sync" in receipt  # the order is not on the server yet
        await pilot.press("escape")
        app.push_screen(RefundScreen(detail.order))
        await settle(pilot)
        assert text(app, "#form-error") == REFUSED and not app.screen.query(Input)
        assert [op for op, _ in outbox(profile)] == ["order.create"]


async def test_filters_by_day_terminal_and_state(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        hold_pushes(proxy)
        sell(profile, (1,))
        screen = await orders_open(pilot)
        table = screen.query_one(DataTable)
        await pilot.press("s")  # pending
        await until(pilot, lambda: screen.view is not None and screen.view.filter.state == "pending")
        await settle(pilot)
        assert table.row_count == 1
        await pilot.press("s")  # syncing
        await until(pilot, lambda: screen.view is not None and screen.view.filter.state == "syncing")
        await settle(pilot)
        assert table.row_count == 0 and text(app, "#orders-caption").startswith("No orders")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AskDialog))
        await type_into(pilot, "#answer", "31/12")
        await pilot.press("enter")
        await settle(pilot)
        assert "is not a day" in text(app, "#error-answer")
        await type_into(pilot, "#answer", "yesterday")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen and "Fri 13 Mar 2026" in text(app, "#orders-caption"))
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, AskDialog))
        await type_into(pilot, "#answer", "T99")
        await pilot.press("enter")
        await until(pilot, lambda: "terminal T99" in text(app, "#orders-caption"))


async def test_offline_refund_waits_and_reaches_the_server(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in_offline(pilot, stack, MANAGER, lambda: cut(proxy))
        order_id, (product,) = sell(profile, (2,))
        await orders_open(pilot)
        await detail_open(pilot)
        await refund_open(pilot)
        await type_into(pilot, "#qty-1", "1")
        await type_into(pilot, "#field-reason", "customer changed mind")
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, OrderDetailScreen))
        assert [op for op, _ in outbox(profile)] == ["order.create", "order.refund"]

    async with back_online(stack, profile, proxy, product) as (online, before):
        assert [r["reason"] for r in server(online, f"/v1/orders/{order_id}")["refunds"]] == ["customer changed mind"]
        assert server_on_hand(online, product) == before - 1  # sold 2, 1 came back


# --- pictures ----------------------------------------------------------------------------------------------------


shot = partial(screen_shot, start=orders_open)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_list(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]) -> None:
    assert shot(snap_compare, stack, proxy, size)


def test_snapshot_list_offline(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy) -> None:
    assert shot(snap_compare, stack, proxy, (80, 24), offline=True)


async def second_order(pilot: Pilot) -> None:
    await pilot.press("down")
    await detail_open(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_detail(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]) -> None:
    assert shot(snap_compare, stack, proxy, size, second_order)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_receipt(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]
) -> None:
    async def receipt(pilot: Pilot) -> None:
        await second_order(pilot)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReceiptDialog))

    assert shot(snap_compare, stack, proxy, size, receipt)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_refund_refusals(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]
) -> None:
    async def refusing(pilot: Pilot) -> None:
        await pilot.press("down", "down")  # the first sale: two lines
        await detail_open(pilot)
        await refund_open(pilot)
        await type_into(pilot, "#qty-1", "9")
        await type_into(pilot, "#qty-2", "1.5")
        await pilot.press("f2")

    assert shot(snap_compare, stack, proxy, size, refusing)


def test_snapshot_day_dialog(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy) -> None:
    async def asking(pilot: Pilot) -> None:
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, AskDialog))
        await type_into(pilot, "#answer", "tomorrow")
        await pilot.press("enter")

    assert shot(snap_compare, stack, proxy, (80, 24), asking)
