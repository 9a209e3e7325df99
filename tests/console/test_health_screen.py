"""The health dashboard screen: who may open it, the guide's metrics as sparklines with their latest value, the
alarms, the live figures (admin only), its age and refresh — against the local stack (moto), and, for the
pictures, against a stubbed AWS at a frozen time (tests/ops/runbook_world.py).

Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Sparkline, Static

from console.app import ShopConsoleApp, create_app
from console.demo import StackInfo
from console.ops.dashboard import Dashboard, LiveFigures, collect_dashboard
from screens import health
from screens.health import HealthScreen, MetricRow
from screens.help import HelpScreen
from tests.console.conftest import (
    FROZEN_NOW,
    frozen_clock,
    past_float_prompt,
    settle,
    sign_in,
    stack_profile,
    until,
    user,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ops"))
from ops_testkit import NOW, profile_for
from runbook_world import RunbookWorld
from runbooks_testkit import seeded_clock

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def app_for(stack: StackInfo, clock: Callable[[], dt.datetime] = frozen_clock) -> ShopConsoleApp:
    return create_app(stack_profile(stack), keys={}, clock=clock)


@pytest.fixture(scope="module")
def moto_clock(stack: StackInfo) -> Callable[[], dt.datetime]:
    profile = stack_profile(stack).model_copy(
        update={"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    )
    return seeded_clock(profile)


async def health_open(
    pilot: Pilot, stack: StackInfo, username: str, collect: Callable[[], Dashboard] | None = None
) -> HealthScreen:
    demo = user(stack, username)
    await sign_in(pilot, demo.username, demo.password)
    if collect is None:
        await pilot.press("h")
    else:
        pilot.app.push_screen(HealthScreen(collect))
    await until(pilot, lambda: isinstance(pilot.app.screen, HealthScreen) and pilot.app.screen.report is not None)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HealthScreen)
    return screen


def text(screen: HealthScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_admin_sees_the_incident_the_alarms_and_live_figures(
    stack: StackInfo, moto_clock: Callable[[], dt.datetime]
) -> None:
    app = app_for(stack, clock=moto_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await health_open(pilot, stack, "ops-admin")
        board = screen.report
        assert board is not None
        for panel in (*board.business, *board.infrastructure):
            row = screen.query_one(f"#metric-{panel.spec.key}", MetricRow)
            assert panel.error is None and len(row.query_one(Sparkline).data or []) >= 30, panel.spec.key
            assert str(row.query_one(".metric-latest", Static).render()) == panel.latest_text
        cpu = next(p for p in board.infrastructure if p.spec.key == "ecs_cpu")
        assert cpu.latest is not None and cpu.latest.value > 80  # the seeded incident, at the end
        alarms = text(screen, "#health-alarms").splitlines()
        assert {line.split()[1] for line in alarms[:2]} == {"API-High-Response-Time", "Database-High-Connections"}
        assert all(line.startswith("ALARM") for line in alarms[:2])
        assert text(screen, "#health-live").startswith("shop-api now  ") and "active shops" in text(
            screen, "#health-live"
        )
        assert " · 2 alarms firing · collected " in text(screen, "#health-summary")


async def test_support_sees_it_without_the_admin_only_figures(
    stack: StackInfo, moto_clock: Callable[[], dt.datetime]
) -> None:
    app = app_for(stack, clock=moto_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await health_open(pilot, stack, "corner-support")
        assert text(screen, "#health-live").startswith("shop-api now  unknown: shop-api refused: ")
        assert screen.report is not None and screen.report.infrastructure[0].error is None


async def test_a_cashier_is_not_let_in(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        demo = user(stack, "corner-cashier")
        await sign_in(pilot, demo.username, demo.password)
        await past_float_prompt(pilot)
        home = app.screen
        assert "health" not in [o.id for o in home.query_one("#destinations", OptionList).options]
        await pilot.press("h")
        await settle(pilot)
        assert app.screen is home


def counted(reads: list[Dashboard]) -> Callable[[], Dashboard]:
    def read() -> Dashboard:
        reads.append(stubbed_dashboard())
        return reads[-1]

    return read


async def test_it_says_how_old_it_is_and_refreshes_on_r(stack: StackInfo) -> None:
    reads: list[Dashboard] = []
    now = [FROZEN_NOW]
    app = app_for(stack, clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await health_open(pilot, stack, "ops-admin", counted(reads))
        now[0] = FROZEN_NOW + dt.timedelta(seconds=12)
        await until(pilot, lambda: text(screen, "#health-summary").endswith("collected 12 s ago"))
        await pilot.press("r")
        await until(pilot, lambda: len(reads) == 2)


async def test_it_refreshes_by_itself_but_not_behind_a_dialog(
    stack: StackInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "REFRESH", dt.timedelta(seconds=0.3))
    reads: list[Dashboard] = []
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        await health_open(pilot, stack, "corner-support", counted(reads))
        await until(pilot, lambda: len(reads) >= 2)  # re-armed after each answer
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        held = len(reads)
        await pilot.pause(1.0)
        assert len(reads) <= held + 1  # at most the read that was on its way
        held = len(reads)
        await pilot.press("escape")
        await until(pilot, lambda: len(reads) > held)


def stubbed_dashboard() -> Dashboard:
    """The dashboard from the stubbed CloudWatch at NOW; shop-api's live answer fixed too (the suite's shared stack
    counts every test's orders, and a picture must not move)."""
    board = collect_dashboard(
        profile_for("http://stubbed"), clients=RunbookWorld().dashboard().clients(), clock=lambda: NOW
    )
    return dataclasses.replace(board, live=LiveFigures(2, 5, 41, NOW), live_error=None)


@pytest.mark.parametrize("size", SIZES)
def test_the_dashboard(snap_compare: SnapCompare, stack: StackInfo, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await health_open(pilot, stack, "ops-admin", stubbed_dashboard)

    app = app_for(stack, clock=lambda: FROZEN_NOW + dt.timedelta(seconds=43))
    assert snap_compare(app, terminal_size=size, run_before=run_before)
