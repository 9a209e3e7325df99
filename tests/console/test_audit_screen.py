"""The audit screen (admin only): the audit file newest first, and the whole of the highlighted record.

The records are written by the engine's own AuditLog with a fixed clock and actor; for the pictures, the record
and action ids are fixed too (a uuid on screen would change every run). Look at a changed SVG before accepting it.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from console.app import ShopConsoleApp, create_app
from console.demo import StackInfo
from console.ops.audit import AuditLog
from screens.audit import AuditScreen
from tests.console.conftest import FROZEN_NOW, frozen_clock, settle, sign_in, stack_profile, until, user

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ops"))
from ops_testkit import ADMIN

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SCALE_PREVIEW = (
    "UpdateService shop-management-api desired 2 → 4 (autoscaling 2-10)\n"
    "  call:   ecs:UpdateService cluster=shop-management-cluster service=shop-management-api desiredCount=4\n"
    "  verify: wait until 4 of 4 tasks run (up to 10 min)"
)


def app_for(stack: StackInfo) -> ShopConsoleApp:
    return create_app(stack_profile(stack), keys={}, clock=frozen_clock)


def walk(log: AuditLog) -> None:
    """What a High CPU walk leaves: its checks, then the scale executed and verified (one action id)."""
    context = {"runbook": "high-cpu", "version": "1.0", "run_id": "run-1"}
    for minute, (step, outcome, detail) in enumerate(
        [
            ("cpu", "FAIL", "91.0 % (fail when > 80 %)"),
            ("memory", "PASS", "60.0 % (fail when > 85 %)"),
            ("errors", "FAIL", "12 errors (fail when > 5 errors)"),
        ]
    ):
        at = FROZEN_NOW - dt.timedelta(minutes=10 - minute)
        AuditLog(log.path, clock=lambda at=at: at).record(
            actor=ADMIN,
            profile="demo",
            environment="demo",
            action="runbook.check",
            outcome=outcome,
            detail=detail,
            context={**context, "step": step},
        )
    for seconds, outcome, detail in (
        (0, "executed", "UpdateService accepted: shop-management-api desired 2 → 4"),
        (40, "verified", "shop-management-api: 4 of 4 running, 0 pending"),
    ):
        at = FROZEN_NOW - dt.timedelta(minutes=5) + dt.timedelta(seconds=seconds)
        AuditLog(log.path, clock=lambda at=at: at).record(
            actor=ADMIN,
            profile="demo",
            environment="demo",
            action="ecs.scale_service",
            action_id="5ca1e000-0000-4000-8000-000000000001",
            outcome=outcome,
            detail=detail,
            context={**context, "step": "scale"},
            inputs={"cluster": "shop-management-cluster", "service": "shop-management-api", "desired_count": 4},
            preview=SCALE_PREVIEW,
            confirmation="yes",
        )


def fixed_ids(log: AuditLog) -> None:
    """The file rewritten with ids that do not change from run to run (for the pictures only)."""
    records = log.records()
    lines = [
        record.model_copy(update={"id": f"0000000{i}-0000-4000-8000-000000000000"}).model_dump_json() + "\n"
        for i, record in enumerate(records)
    ]
    log.path.write_text("".join(lines), encoding="utf-8")


async def audit_open(pilot: Pilot, stack: StackInfo, username: str = "ops-admin") -> AuditScreen:
    demo = user(stack, username)
    await sign_in(pilot, demo.username, demo.password)
    await pilot.press("a")
    await until(pilot, lambda: isinstance(pilot.app.screen, AuditScreen) and pilot.app.screen.records is not None)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AuditScreen)
    return screen


def text(screen: AuditScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_newest_first_with_the_highlighted_records_detail(stack: StackInfo) -> None:
    log = AuditLog()
    walk(log)
    written = log.records()
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await audit_open(pilot, stack)
        assert [r.id for r in screen.records or []] == [r.id for r in reversed(written)]
        table = screen.query_one("#audit-table", DataTable)
        assert [str(table.get_row_at(i)[2]) for i in range(table.row_count)] == [
            "ecs.scale_service",
            "ecs.scale_service",
            "runbook.check",
            "runbook.check",
            "runbook.check",
        ]
        detail = text(screen, "#audit-record")
        assert "ops-admin (admin) as operator@bastion" in detail
        assert "ecs.scale_service · verified: shop-management-api: 4 of 4 running, 0 pending" in detail
        assert "high-cpu 1.0 · scale" in detail and "confirmed 'yes'" in detail and "desired 2 → 4" in detail
        await pilot.press("down", "down")
        assert "runbook.check · FAIL: 12 errors" in text(screen, "#audit-record")
        log.record(actor=ADMIN, profile="demo", environment="demo", action="runbook.skip", outcome="skipped")
        await pilot.press("r")
        await until(pilot, lambda: len(screen.records or []) == 6)
        assert (screen.records or [])[0].action == "runbook.skip"


async def test_support_is_not_let_in(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        demo = user(stack, "corner-support")
        await sign_in(pilot, demo.username, demo.password)
        home = app.screen
        assert "audit" not in [o.id for o in home.query_one("#destinations", OptionList).options]
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is home


async def test_an_empty_log_says_so(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await audit_open(pilot, stack)
        assert text(screen, "#audit-summary").startswith("Audit log · no records yet · ")


@pytest.mark.parametrize("size", SIZES)
def test_the_audit_log(snap_compare: SnapCompare, stack: StackInfo, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await audit_open(pilot, stack)

    log = AuditLog()
    walk(log)
    fixed_ids(log)
    assert snap_compare(app_for(stack), terminal_size=size, run_before=run_before)
