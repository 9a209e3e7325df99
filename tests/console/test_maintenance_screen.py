"""The maintenance screen: the weekly tasks with their last run (audit log) and whether each is overdue; `c` runs a
task's checks against the local stack (moto) and the task then counts as run. Pictures with a frozen clock and an
audit log written here.

Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from console.app import create_app
from console.demo import StackInfo
from console.ops.audit import Actor, AuditLog
from screens.maintenance import MaintenanceScreen
from screens.runbooks import RunbookScreen
from tests.console.conftest import FROZEN_NOW, frozen_clock, settle, sign_in, stack_profile, until, user

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def opened(pilot: Pilot, stack: StackInfo) -> MaintenanceScreen:
    demo = user(stack, "ops-admin")
    await sign_in(pilot, demo.username, demo.password)
    await pilot.press("m")
    await until(pilot, lambda: isinstance(pilot.app.screen, MaintenanceScreen) and bool(pilot.app.screen.statuses))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MaintenanceScreen)
    return screen


def due(screen: MaintenanceScreen) -> list[str]:
    table = screen.query_one("#maintenance-table", DataTable)
    return [str(table.get_row_at(i)[4]) for i in range(table.row_count)]


async def test_running_the_checks_counts_as_a_run(stack: StackInfo) -> None:
    app = create_app(stack_profile(stack), keys={}, clock=lambda: dt.datetime.now(dt.UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, stack)
        assert due(screen) == ["never run"] * 4
        assert screen.statuses[0].name == "maintenance-certificates"
        await pilot.press("c")
        await until(pilot, lambda: "maintenance-certificates" in screen.outcomes and screen.checking is None)
        await until(pilot, lambda: due(screen)[0] == "due in 7 d")
        detail = str(screen.query_one("#maintenance-detail", Static).render())
        assert "FAIL" in detail and "Days until the API's certificate expires" in detail
        (record,) = AuditLog().records(action="runbook.check")
        assert record.context["runbook"] == "maintenance-certificates" and record.outcome == "FAIL"
        await pilot.press("enter")  # the task as a runbook, to run its steps
        await until(pilot, lambda: isinstance(app.screen, RunbookScreen))
        assert app.screen.runbook.name == "maintenance-certificates"


def remember(name: str, days_ago: float, steps: tuple[str, ...]) -> None:
    audit = AuditLog(clock=lambda: FROZEN_NOW - dt.timedelta(days=days_ago))
    for step in steps:
        audit.record(
            actor=Actor(cognito_user="ops-admin", role="admin", os_user="operator", host="bastion"),
            profile="demo",
            environment="demo",
            action="runbook.check",
            context={"runbook": name, "version": "1.0", "step": step, "run_id": f"run-{name}"},
            outcome="PASS",
        )


@pytest.mark.parametrize("size", SIZES)
def test_snapshot(stack: StackInfo, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        remember("maintenance-database", 12, ("unused-indexes", "analyze"))
        remember("maintenance-s3-lifecycle", 3, ("lifecycle",))
        remember("maintenance-log-retention", 6.5, ("old-streams",))
        await opened(pilot, stack)

    app = create_app(stack_profile(stack), keys={}, clock=frozen_clock)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
