"""The till-shift screen on the suite's stack: a cashier is asked for a float at sign-in; open, pay out, X report,
count and close with the Z report saved, then a sync and the server's figures shown with no difference.
Snapshots at 80x24 and 120x40 of the count, cash and close dialogs and the X and Z reports (provisional), on a
seeded cache at a frozen time; look at a changed SVG before accepting it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from common.money import PricedLine
from console.counter import shifts
from console.demo import StackInfo
from console.sync_service import open_store, queue_path
from offline_cache.models import SaleLine, Tender
from offline_cache.shifts import figures_from_report
from offline_cache.store import Store
from screens.home import HomeScreen
from screens.shift import ShiftScreen, ask_to_open_shift
from screens.shift_dialogs import CashDialog, ConfirmCloseDialog, CountDialog
from tests.console.conftest import FROZEN_NOW, settle, sign_in, until, user
from tests.console.counter_screens import (
    CASHIER,
    MANAGER,
    SEEDED_OPS,
    SNAPSHOT_TERMINAL,
    app_for,
    picture_ready,
    proxy_fixture,  # noqa: F401 (the proxy fixture)
    seeded_sign_in,
    server,
    signed_in,
    snapshot_profile,
    sync,
    text,
    till,
    utc_fixture,  # noqa: F401 (the utc fixture)
)
from tests.offline_cache.offline_stack import FaultProxy

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def shift_open(pilot: Pilot) -> ShiftScreen:
    await pilot.press("f7")
    await until(pilot, lambda: isinstance(pilot.app.screen, ShiftScreen) and bool(text(pilot.app, "#shift-state")))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ShiftScreen)
    return screen


async def type_into(pilot: Pilot, selector: str, typed: str) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    box.value = ""
    await pilot.press(*typed)


async def dialog(pilot: Pilot, kind: type) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind))
    await settle(pilot)


# --- flows ---------------------------------------------------------------------------------------------------


async def test_a_cashier_without_a_shift_is_asked_for_the_float_at_sign_in(stack: StackInfo) -> None:
    profile = till(stack)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, CASHIER, user(stack, CASHIER).password)
        await dialog(pilot, CountDialog)  # asked by the app itself, right after sign-in
        await type_into(pilot, "#count-2000", "4")
        await type_into(pilot, "#count-500", "4")
        await settle(pilot)
        assert "Counted USD 100.00" in text(app, "#count-sum")
        await pilot.press("f2")
        await until(pilot, lambda: not isinstance(app.screen, CountDialog))
        await settle(pilot)
        with open_store(profile) as store:
            shift = store.shifts.current()
            assert shift is not None and (shift.opening_float, shift.opened_by) == (10000, CASHIER)
        screen = await shift_open(pilot)
        assert "Shift open" in text(app, "#shift-state")
        assert screen.view is not None and screen.view.figures.report == "X"
        await pilot.press("escape")
        ask_to_open_shift(app)  # the shift is open now: nothing is asked
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_pay_out_x_report_count_close_sync_and_the_servers_figures(stack: StackInfo) -> None:
    profile = till(stack)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        screen = await shift_open(pilot)
        assert "No shift" in text(app, "#shift-state")
        await pilot.press("n")
        await dialog(pilot, CountDialog)
        await type_into(pilot, "#count-total", "100")
        await pilot.press("f2")
        await until(pilot, lambda: screen.view is not None and screen.view.shift.is_open)
        with open_store(profile) as store:
            product = store.catalogue.page(limit=1, active=True).items[0]
            store.writes.record_sale([SaleLine(product.id, 2)], [Tender("cash", 10**5)], cashier=MANAGER)
        await pilot.press("u")
        await dialog(pilot, CashDialog)
        await type_into(pilot, "#cash-amount", "5")
        await pilot.press("f2")
        await settle(pilot)
        assert "required" in text(app, "#cash-error")
        await type_into(pilot, "#cash-reason", "window cleaner")
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, ShiftScreen))
        await pilot.press("r")
        await settle(pilot)
        view = screen.view
        assert view is not None and view.figures.paid_out == 500  # (the background sync may have sent it already)
        report = text(app, "#shift-report")
        assert "X REPORT" in report and "window cleaner" in report
        await pilot.press("x")
        await until(pilot, lambda: "X report saved" in text(app, "#shift-message"))
        expected = view.figures.expected_cash
        await pilot.press("z")
        await dialog(pilot, CountDialog)
        await type_into(pilot, "#count-total", f"{(expected - 25) / 100:.2f}")
        await pilot.press("f2")
        await dialog(pilot, ConfirmCloseDialog)
        assert "Short" in text(app, "#close-difference") and "0.25" in text(app, "#close-difference")
        await pilot.press("y")
        await until(pilot, lambda: "Shift closed" in text(app, "#shift-message"))
        await until(pilot, lambda: screen.view is not None and not screen.view.shift.is_open)
        assert "Z REPORT" in text(app, "#shift-report")
        saved = sorted(p.name for p in shifts.reports_dir(profile).iterdir())
        assert [name[-5:] for name in saved] == ["X.txt", "Z.txt"]
        shift_id = screen.view.shift.id
        await sync(app)
        await pilot.press("r")
        await until(pilot, lambda: screen.view is not None and screen.view.server is not None)
        await settle(pilot)
        assert screen.view.differences == () and "Synced" in text(app, "#shift-sync")
        assert figures_from_report(server(app, f"/v1/shifts/{shift_id}")) == screen.view.figures
        assert screen.view.figures.over_short == -25
        await pilot.press("v")
        await settle(pilot)
        assert "Server figures" in text(app, "#shift-report")


# --- pictures ----------------------------------------------------------------------------------------------------

SHIFT_OPS = 6  # the open, three sales, a paid in, a paid out


def seed_shift(profile_path: str, closed: bool) -> None:
    """A shift on the seeded till this (frozen) morning: float by denomination, sales by cash and card, cash
    paid in and out, and (closed) a count 0.40 short."""
    moments = iter(FROZEN_NOW + dt.timedelta(minutes=m) for m in range(1, 30))
    with Store.open(profile_path, terminal_id=SNAPSHOT_TERMINAL, clock=lambda: next(moments)) as store:
        store.shifts.open([(2000, 3), (1000, 2), (500, 2), (100, 8), (25, 8)], currency="USD", opened_by=MANAGER)
        products = store.catalogue.page(limit=3, active=True).items
        store.writes.record_sale([SaleLine(products[0].id, 2)], [Tender("cash", 5000)], cashier=MANAGER)
        card = PricedLine(1, products[1].price, 0, products[1].tax_rate_bp)
        store.writes.record_sale(
            [SaleLine(products[1].id, 1)], [Tender("card", card.amount + card.tax)], cashier=MANAGER
        )
        store.writes.record_sale(
            [SaleLine(products[2].id, 3)], [Tender("card", 100), Tender("cash", 10**4)], cashier=MANAGER
        )
        store.shifts.record_cash("paid_in", 2000, "coins from the bank", created_by=MANAGER)
        store.shifts.record_cash("paid_out", 500, "window cleaner", created_by=MANAGER)
        if closed:
            shift = store.shifts.current()
            assert shift is not None
            expected = store.shifts.figures(shift.id).expected_cash
            store.shifts.close(expected - 40, currency="USD", closed_by=MANAGER)


def shot(
    snap_compare: SnapCompare,
    stack: StackInfo,
    proxy: FaultProxy,
    size: tuple[int, int],
    then: Callable[[Pilot], Awaitable[None]] | None = None,
    shift: str | None = "open",
) -> bool:
    profile = snapshot_profile(stack, proxy)

    async def run_before(pilot: Pilot) -> None:
        await seeded_sign_in(pilot, stack, proxy, MANAGER, offline=False)
        if shift is not None:
            seed_shift(str(queue_path(profile)), closed=shift == "closed")
            pilot.app.wake_sync()
            ops = SEEDED_OPS + SHIFT_OPS + (shift == "closed")
            await until(pilot, lambda: pilot.app.queue.count == ops, 20)
        await shift_open(pilot)
        if then is not None:
            await then(pilot)
        await picture_ready(pilot)

    return snap_compare(app_for(profile), terminal_size=size, run_before=run_before)


async def opening(pilot: Pilot) -> None:
    await pilot.press("n")
    await dialog(pilot, CountDialog)
    await type_into(pilot, "#count-2000", "3")
    await type_into(pilot, "#count-25", "8")


async def paying_out(pilot: Pilot) -> None:
    await pilot.press("u")
    await dialog(pilot, CashDialog)
    await type_into(pilot, "#cash-amount", "5.00")
    await type_into(pilot, "#cash-reason", "milk for the staff room")


async def confirming_close(pilot: Pilot) -> None:
    await pilot.press("z")
    await dialog(pilot, CountDialog)
    await type_into(pilot, "#count-5000", "2")
    await type_into(pilot, "#count-2000", "3")
    await type_into(pilot, "#count-100", "7")
    await pilot.press("f2")
    await dialog(pilot, ConfirmCloseDialog)


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize("size", SIZES)
def test_snapshot_open_dialog(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple) -> None:
    assert shot(snap_compare, stack, proxy, size, opening, shift=None)


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize("size", SIZES)
def test_snapshot_x_report_provisional(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple
) -> None:
    assert shot(snap_compare, stack, proxy, size)


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize("size", SIZES)
def test_snapshot_cash_movement(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple) -> None:
    assert shot(snap_compare, stack, proxy, size, paying_out)


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize("size", SIZES)
def test_snapshot_count_and_confirm_close(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple
) -> None:
    assert shot(snap_compare, stack, proxy, size, confirming_close)


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize("size", SIZES)
def test_snapshot_z_report_provisional(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple
) -> None:
    assert shot(snap_compare, stack, proxy, size, shift="closed")
