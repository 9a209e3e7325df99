"""The deployments screen: who may open it and what it shows against the local stack (moto), the forced deployment
from the screen (read-only: preview only; --write: confirmed, verified, audited), and its pictures against a stubbed
AWS with a frozen clock.

Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Static

from console.app import ShopConsoleApp, create_app
from console.demo import StackInfo
from console.ops.audit import AuditLog
from console.ops.deployments import DeploymentsReport, collect_deployments
from screens.action_dialog import ActionDialog
from screens.deployments import DeploymentsScreen
from tests.console.conftest import frozen_clock, settle, sign_in, stack_profile, until, user

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ops"))
from deployments_world import DeploymentsWorld
from ops_testkit import NOW, profile_for

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def app_for(stack: StackInfo, write_mode: bool = False) -> ShopConsoleApp:
    return create_app(stack_profile(stack), keys={}, clock=frozen_clock, write_mode=write_mode)


def stubbed(world: DeploymentsWorld, environment: str = "demo") -> Callable[[], DeploymentsReport]:
    profile = profile_for("http://stubbed", environment=environment)
    return lambda: collect_deployments(profile, clients=world.clients(), clock=lambda: NOW)


async def opened(pilot: Pilot, collect: Callable[[], DeploymentsReport] | None = None) -> DeploymentsScreen:
    if collect is None:
        await pilot.press("d")
    else:
        pilot.app.push_screen(DeploymentsScreen(collect))
    await until(pilot, lambda: isinstance(pilot.app.screen, DeploymentsScreen) and pilot.app.screen.report is not None)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DeploymentsScreen)
    return screen


def text(screen: DeploymentsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_admin_sees_the_seeded_services(stack: StackInfo) -> None:
    async with app_for(stack).run_test(size=(80, 24)) as pilot:
        demo = user(stack, "ops-admin")
        await sign_in(pilot, demo.username, demo.password)
        screen = await opened(pilot)
        table = screen.query_one("#services-table", DataTable)
        assert table.row_count == 2
        assert [str(c) for c in table.get_row_at(0)] == [
            "shop-management-api",
            "2/2/0",
            "1",
            "512/1024",
            "2-10 @70%",
        ]
        detail = text(screen, "#service-detail")
        assert "shop-management-api:1 · FARGATE · autoscaling 2-10 tasks, CPU target 70 %" in detail
        assert "PRIMARY  COMPLETED" in detail
        assert "as the guide's production" in text(screen, "#deployments-summary")


async def test_read_only_shows_the_preview_and_changes_nothing(stack: StackInfo) -> None:
    async with app_for(stack).run_test(size=(80, 24)) as pilot:
        demo = user(stack, "ops-admin")
        await sign_in(pilot, demo.username, demo.password)
        screen = await opened(pilot)
        before = screen.selected()
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, ActionDialog))
        dialog = pilot.app.screen
        assert "--force-new-deployment" in str(dialog.query_one("#action-cli", Static).render())
        assert "read-only" in str(dialog.query_one("#action-refused", Static).render())
        await pilot.press("escape")
        assert AuditLog().records() == []
        assert before is not None and before.primary is not None


async def test_write_mode_forces_a_deployment_verified_and_audited(stack: StackInfo) -> None:
    async with app_for(stack, write_mode=True).run_test(size=(80, 24)) as pilot:
        demo = user(stack, "ops-admin")
        await sign_in(pilot, demo.username, demo.password)
        screen = await opened(pilot)
        before = screen.selected()
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, ActionDialog))
        pilot.app.screen.query_one("#run", Button).press()
        await until(pilot, lambda: any(r.outcome == "verified" for r in AuditLog().records()))
        await until(pilot, lambda: not screen.collecting and "verified" in text(screen, "#deployments-action"))
        await settle(pilot)
        records = AuditLog().records(action="ecs.force_new_deployment")
        assert [r.outcome for r in records] == ["executed", "verified"]
        assert records[-1].confirmation == "yes" and records[-1].actor.cognito_user == "ops-admin"
        after = screen.selected()
        assert before is not None and after is not None and before.primary and after.primary
        assert after.primary.id != before.primary.id


async def test_support_sees_no_actions(stack: StackInfo) -> None:
    async with app_for(stack, write_mode=True).run_test(size=(80, 24)) as pilot:
        demo = user(stack, "corner-support")
        await sign_in(pilot, demo.username, demo.password)
        screen = await opened(pilot)
        keys = {a.binding.id for a in screen.active_bindings.values() if a.enabled}
        assert "deployments.force" not in keys and "deployments.refresh" in keys


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_mid_deployment_with_drift(stack: StackInfo, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    world = DeploymentsWorld(task_memory="512", multi_az=False)

    async def run_before(pilot: Pilot) -> None:
        demo = user(stack, "ops-admin")
        await sign_in(pilot, demo.username, demo.password)
        await opened(pilot, stubbed(world))

    assert snap_compare(app_for(stack), terminal_size=size, run_before=run_before)
