"""The stock screen on the suite's stack: levels beside the catalogue, the below-reorder and oversold lists, and
the managers' receive and count through the outbox (refused for cashiers), online and offline, with the server's
figures after a sync. Snapshots at 80x24 and 120x40; look at a changed SVG before accepting it."""

from __future__ import annotations

from functools import partial

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from console.demo import StackInfo
from screens.stock import StockScreen
from screens.stock_forms import REFUSED, StockFormScreen
from tests.console.conftest import settle, until
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
    rows,
    server_on_hand,
    signed_in,
    signed_in_offline,
    sync,
    text,
    till,
)
from tests.console.counter_screens import shot as screen_shot
from tests.offline_cache.offline_stack import FaultProxy


async def stock_open(pilot: Pilot) -> StockScreen:
    return await opened(pilot, "f4", StockScreen, lambda screen: screen.shown is not None)


async def form_open(pilot: Pilot, key: str) -> StockFormScreen:
    return await opened(pilot, key, StockFormScreen, lambda form: form.form is not None)


async def typed_line(pilot: Pilot, number: int, code: str | None, quantity: str) -> None:
    """Type a line as a person does: the code (a scanner's burst and Enter), then the quantity."""
    form = pilot.app.screen
    if code is not None:
        form.query_one(f"#code-{number}", Input).focus()
        await pilot.press(*code, "enter")
    else:
        form.query_one(f"#qty-{number}", Input).focus()
    await pilot.press(*quantity, "enter")
    await settle(pilot)


async def test_manager_receives_two_lines_and_counts_then_the_server_has_them(
    stack: StackInfo, proxy: FaultProxy
) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        hold_pushes(proxy)
        screen = await stock_open(pilot)
        first_sku, second_sku = rows(screen)[0][0], rows(screen)[1][0]
        first_id, second_id = screen.shown.keys[:2]  # type: ignore[union-attr]
        before = server_on_hand(app, first_id), server_on_hand(app, second_id)

        form = await form_open(pilot, "i")  # the highlighted product is on the first line already
        assert form.query_one("#code-1", Input).value == first_sku
        await typed_line(pilot, 1, None, "12")
        await typed_line(pilot, 2, second_sku, "abc")
        assert "whole number" in text(app, "#info-2")  # said on its line, while typing
        form.query_one("#qty-2", Input).value = "5"
        form.query_one("#field-note", Input).value = "PO 4411"
        await settle(pilot)
        assert "on hand" in text(app, "#info-2")
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is screen)
        assert [(p["product_id"], p["reason"], p["delta"], p["note"]) for _, p in outbox(profile)] == [
            (first_id, "receive", 12, "PO 4411"),
            (second_id, "receive", 5, "PO 4411"),
        ]

        form = await form_open(pilot, "k")
        await typed_line(pilot, 1, None, "7")
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is screen)
        ops = outbox(profile)
        assert len(ops) == 3 and ops[2][0] == "stock.adjust"
        assert (ops[2][1]["reason"], ops[2][1]["counted"], ops[2][1]["expected"]) == ("count", 7, before[0] + 12)

        release(proxy)
        await sync(app)
        assert server_on_hand(app, first_id) == 7
        assert server_on_hand(app, second_id) == before[1] + 5
        assert outbox(profile) == []


async def test_refusals_store_nothing_and_cashiers_see_no_forms(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        hold_pushes(proxy)
        await stock_open(pilot)
        form = await form_open(pilot, "x")  # a correction: +N or -N, and a note saying why
        await typed_line(pilot, 1, None, "0")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is form
        assert "A correction changes stock: type +N or -N." in text(app, "#info-1")
        assert text(app, "#error-note") == "Say why in the note: a correction needs a reason."
        assert outbox(profile) == []

    app = app_for(till(stack))
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, CASHIER)
        screen = await stock_open(pilot)
        keys = {b.binding.id for b in screen.active_bindings.values() if b.enabled}
        assert not keys & {"stock.receive", "stock.count", "stock.more", "stock.damage", "stock.correction"}
        await pilot.press("i", "k", "m")
        await settle(pilot)
        assert app.screen is screen
        app.push_screen(StockFormScreen("receive"))
        await settle(pilot)
        assert text(app, "#form-error") == REFUSED and not app.screen.query(Input)


async def test_offline_receive_waits_and_reaches_the_server(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in_offline(pilot, stack, MANAGER, lambda: cut(proxy))
        screen = await stock_open(pilot)
        product_id = screen.shown.keys[0]  # type: ignore[union-attr]
        local_before = int(rows(screen)[0][2].replace(",", "").replace("—", "0"))
        await form_open(pilot, "i")
        await typed_line(pilot, 1, None, "3")
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: rows(screen)[0][2] == f"{local_before + 3:,}")  # the local view shows it at once
        [(op_type, payload)] = outbox(profile)
        assert (op_type, payload["product_id"], payload["delta"]) == ("stock.adjust", product_id, 3)

    async with back_online(stack, profile, proxy, product_id) as (online, before):
        assert server_on_hand(online, product_id) == before + 3


# --- pictures ----------------------------------------------------------------------------------------------------


shot = partial(screen_shot, start=stock_open)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_levels(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]) -> None:
    assert shot(snap_compare, stack, proxy, size)


def test_snapshot_below_reorder_offline(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy) -> None:
    async def low(pilot: Pilot) -> None:
        await pilot.press("2")
        await until(pilot, lambda: "Below reorder" in text(pilot.app, "#stock-caption"))  # type: ignore[arg-type]

    assert shot(snap_compare, stack, proxy, (80, 24), low, offline=True)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_oversold(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]
) -> None:
    async def oversold(pilot: Pilot) -> None:
        await pilot.press("3")
        await until(pilot, lambda: "Oversold" in text(pilot.app, "#stock-caption"))  # type: ignore[arg-type]

    assert shot(snap_compare, stack, proxy, size, oversold)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_receive_form(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]
) -> None:
    async def receiving(pilot: Pilot) -> None:
        await form_open(pilot, "i")
        await typed_line(pilot, 1, None, "12")
        await typed_line(pilot, 2, "GRC-000404", "x")
        await typed_line(pilot, 3, "nope", "2")

    assert shot(snap_compare, stack, proxy, size, receiving)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_more_forms(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]
) -> None:
    async def transfer(pilot: Pilot) -> None:
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # receive, count, damage, transfer
        await until(pilot, lambda: isinstance(pilot.app.screen, StockFormScreen) and pilot.app.screen.form)
        await typed_line(pilot, 1, None, "4")
        await pilot.press("f2")

    assert shot(snap_compare, stack, proxy, size, transfer)
