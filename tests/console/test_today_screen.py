"""The manager's "Today" screen on the suite's stack: F8 opens it on today (the frozen clock's day), `d` types the
seeded day (today_support.py) and the whole shop's figures show, `[` and `]` step a day, `t` comes back; a cashier
has no way there; offline it shows the till's cache, labelled so. Snapshots at 80x24 and 120x40, online on the
seeded day and offline on the seeded cache's morning; look at a changed SVG before accepting it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from console.counter import today
from console.demo import StackInfo
from screens.home import HomeScreen
from screens.orders import AskDialog
from screens.today import TodayScreen
from tests.console.conftest import FROZEN_NOW, past_float_prompt, settle, sign_in, until, user
from tests.console.counter_screens import (
    CASHIER,
    MANAGER,
    app_for,
    cut,
    picture_ready,
    proxy_fixture,  # noqa: F401 (the proxy fixture)
    seeded_sign_in,
    signed_in_offline,
    snapshot_profile,
    text,
    utc_fixture,  # noqa: F401 (the utc fixture)
)
from tests.console.today_support import DAY, seed_cache, seed_day, till_profile
from tests.offline_cache.offline_stack import FaultProxy

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
pytestmark = pytest.mark.usefixtures("utc")  # the shop's zone is the terminal's


def shown(screen: TodayScreen) -> bool:
    return screen.report is not None and screen.report.day == screen.day and not screen.collecting


async def opened(pilot: Pilot) -> TodayScreen:
    await pilot.press("f8")
    await until(pilot, lambda: isinstance(pilot.app.screen, TodayScreen) and shown(pilot.app.screen), 30)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TodayScreen)
    return screen


async def step(pilot: Pilot, screen: TodayScreen, *keys: str) -> None:
    await pilot.press(*keys)
    await until(pilot, lambda: shown(screen), 30)
    await settle(pilot)


async def to_seeded_day(pilot: Pilot, screen: TodayScreen) -> None:
    await pilot.press("d")
    await until(pilot, lambda: isinstance(pilot.app.screen, AskDialog))
    await settle(pilot)
    await pilot.press("ctrl+a", "ctrl+k", *DAY.isoformat())
    await step(pilot, screen, "enter")
    assert screen.day == DAY


def section(pilot: Pilot, name: str) -> str:
    return text(pilot.app, f"#today-{name}")  # type: ignore[arg-type]


# --- flows ---------------------------------------------------------------------------------------------------


async def test_a_manager_reads_the_shops_day_and_steps_through_days(stack: StackInfo) -> None:
    seed_day(stack)
    app = app_for(till_profile(stack))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, MANAGER, user(stack, MANAGER).password)
        screen = await opened(pilot)
        assert screen.day == FROZEN_NOW.date() and screen.report is not None and screen.report.online
        assert "shop-api, all terminals" in text(app, "#today-summary")
        await to_seeded_day(pilot, screen)
        assert "Fri 28 Nov 2025" in text(app, "#today-summary")
        totals = section(pilot, "totals")
        assert "Orders" in totals and "39.40" in totals and "1.67" in totals  # net, refunds
        hours = section(pilot, "hours")
        assert "09:00 " in hours and "16:00 " in hours and "█" in hours
        assert "Yellow onions 1 kg" in section(pilot, "products") and "(no category)" in section(pilot, "categories")
        assert "Card" in section(pilot, "tenders") and "Cash" in section(pilot, "tenders")
        assert "Yogurt natural 500 g" in section(pilot, "refunds")
        assert "TD2" in section(pilot, "open") and "unassigned" in section(pilot, "open")
        assert "TD1" in section(pilot, "closed") and "-0.20" in section(pilot, "closed")
        await step(pilot, screen, "right_square_bracket")
        assert screen.day == DAY.replace(day=29) and "No sales" in section(pilot, "hours")
        await step(pilot, screen, "left_square_bracket")
        assert screen.day == DAY and "39.40" in section(pilot, "totals")
        await step(pilot, screen, "t")
        assert screen.day == FROZEN_NOW.date()
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_a_cashier_has_no_way_to_today(stack: StackInfo) -> None:
    app = app_for(till_profile(stack))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, CASHIER, user(stack, CASHIER).password)
        await past_float_prompt(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        menu = app.screen.query_one("#destinations", OptionList)
        assert "today" not in {menu.get_option_at_index(n).id for n in range(menu.option_count)}


async def test_offline_the_tills_own_day_is_labelled_so(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till_profile(stack).model_copy(update={"api_url": proxy.url})
    seed_cache(profile)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in_offline(pilot, stack, MANAGER, lambda: cut(proxy))
        screen = await opened(pilot)
        await to_seeded_day(pilot, screen)
        assert screen.report is not None and not screen.report.online
        summary = text(app, "#today-summary")
        assert today.OFFLINE in summary and "terminal TD1" in summary
        assert "26.92" in section(pilot, "totals") and "TD2" not in section(pilot, "open")
        assert "-0.20" in section(pilot, "closed")


# --- pictures --------------------------------------------------------------------------------------------------


def shot(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int], offline: bool) -> bool:
    """Online: the seeded day, the whole shop's. Offline: this morning on the seeded cache (its own orders)."""
    if not offline:
        seed_day(stack)

    async def run_before(pilot: Pilot) -> None:
        await seeded_sign_in(pilot, stack, proxy, MANAGER, offline)
        screen = await opened(pilot)
        if not offline:
            await to_seeded_day(pilot, screen)
        await picture_ready(pilot)

    return snap_compare(app_for(snapshot_profile(stack, proxy)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_online(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple) -> None:
    assert shot(snap_compare, stack, proxy, size, offline=False)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_offline(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple) -> None:
    assert shot(snap_compare, stack, proxy, size, offline=True)
