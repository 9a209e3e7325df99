"""The runbooks screen: the list, a runbook walked step by step, its confirmations by risk, read-only mode, who may
act — against the local stack (moto, with a clock just after its seeded incident), and, for the pictures, against
a stubbed AWS (tests/ops/runbook_world.py: moto's figures carry the real time, a picture needs a frozen one).

Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Static

from console import cli
from console.app import ShopConsoleApp, create_app
from console.config import Profile
from console.demo import StackInfo
from console.ops.audit import AuditLog, AuditRecord
from console.ops.aws import ClientSource
from console.ops.runbooks.engine import StepStatus
from console.ops.runbooks.loader import RUNBOOKS_DIR
from screens.action_dialog import ActionDialog, ApproveDialog
from screens.audit import AuditScreen
from screens.runbooks import RunbookScreen, RunbooksScreen
from tests.console.conftest import frozen_clock, past_float_prompt, settle, sign_in, stack_profile, until, user

# The stubbed AWS of the service tests (tests/ops), which import each other by module name.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ops"))
from runbook_world import RunbookWorld
from runbooks_testkit import seeded_clock
from test_runbooks_db import alive, connect, idle_in_transaction, pg_stack  # noqa: F401 (fixtures, by name)

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
CLUSTER, SERVICE = "shop-management-cluster", "shop-management-api"
RunBefore = Callable[[Pilot], Awaitable[None]]


def app_for(
    stack: StackInfo, write_mode: bool = False, clock: Callable[[], dt.datetime] = frozen_clock
) -> ShopConsoleApp:
    return create_app(stack_profile(stack), keys={}, clock=clock, write_mode=write_mode)


def ecs(stack: StackInfo) -> Any:
    return boto3.client(
        "ecs",
        region_name=stack.region,
        endpoint_url=stack.aws_endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def desired(stack: StackInfo) -> tuple[int, int]:
    (service,) = ecs(stack).describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
    return service["desiredCount"], service["runningCount"]


@pytest.fixture
def scaled_back(stack: StackInfo) -> Iterator[None]:
    """The stack is shared: put the API back at 2 tasks, as seeded."""
    yield
    ecs(stack).update_service(cluster=CLUSTER, service=SERVICE, desiredCount=2)


MOTO_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def moto_clock(stack: StackInfo) -> Callable[[], dt.datetime]:
    """Time running from just after the stack's seeded incident (its checks' windows hold it)."""
    return seeded_clock(stack_profile(stack).model_copy(update=MOTO_KEYS))


async def signed_in(pilot: Pilot, stack: StackInfo, username: str) -> None:
    demo = user(stack, username)
    await sign_in(pilot, demo.username, demo.password)
    await past_float_prompt(pilot)


async def list_open(
    pilot: Pilot, clients: Callable[[Profile], ClientSource] | None = None, directory: Path | None = None
) -> RunbooksScreen:
    """From home: with `r`, or (with stubbed clients, or the pictures' own files) pushed as home would."""
    if clients is None and directory is None:
        await pilot.press("r")
    else:
        pilot.app.push_screen(RunbooksScreen(clients, directory))
    await until(pilot, lambda: isinstance(pilot.app.screen, RunbooksScreen) and pilot.app.screen.runbooks is not None)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RunbooksScreen)
    return screen


async def runbook_open(
    pilot: Pilot, name: str, clients: Callable[[Profile], ClientSource] | None = None, directory: Path | None = None
) -> RunbookScreen:
    """The runbook highlighted in the list and opened with Enter, as a person does."""
    listing = await list_open(pilot, clients, directory)
    options = listing.query_one("#runbook-list", OptionList)
    options.highlighted = [option.id for option in options.options].index(name)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, RunbookScreen))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RunbookScreen) and screen.runbook.name == name
    return screen


async def next_step(pilot: Pilot, screen: RunbookScreen, times: int = 1) -> None:
    for _ in range(times):
        await pilot.press("n")
        await until(pilot, lambda: screen.busy is None)
        await settle(pilot)


def text(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def audit_records() -> list[AuditRecord]:
    return AuditLog().records()


async def dialog_of(pilot: Pilot, kind: type) -> Any:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind))
    await settle(pilot)
    return pilot.app.screen


# --- the High CPU runbook against the local stack -----------------------------------------------------------------


async def test_admin_walks_high_cpu_and_scales_in_write_mode(
    stack: StackInfo, moto_clock: Callable[[], dt.datetime], scaled_back: None
) -> None:
    app = app_for(stack, write_mode=True, clock=moto_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await runbook_open(pilot, "high-cpu")
        await next_step(pilot, screen, 5)  # the five checks
        run = screen.run
        assert run is not None
        cpu = run.state("cpu")
        assert cpu.status is StepStatus.FAILED and cpu.check is not None and cpu.check.actual is not None
        assert cpu.check.actual > 80 and len(cpu.check.series) >= 30  # the seeded spike, and its 3 hours
        screen.query_one("#step-list", OptionList).highlighted = 0
        await settle(pilot)
        assert text(screen, "#step-head").splitlines()[-1].startswith("FAIL  ")
        assert "(fail when > 80 %)" in text(screen, "#step-head")
        assert screen.query_one("#step-spark").display and len(screen.query_one("#step-spark").data) >= 30

        await pilot.press("n")  # the scale: its preview in a medium-risk dialog
        dialog = await dialog_of(pilot, ActionDialog)
        summary = text(dialog, "#action-summary").splitlines()
        assert summary == [
            "UpdateService shop-management-api desired 2 → 4 (autoscaling 2-10)",
            "cluster shop-management-cluster; now 2 running, 0 pending",
        ]
        assert "aws ecs update-service --cluster shop-management-cluster" in text(dialog, "#action-cli")
        assert text(dialog, "#action-prompt") == "Run it? Cancel has the focus: Tab to Run it, then Enter"
        assert dialog.focused is not None and dialog.focused.id == "cancel"
        await pilot.press("y")  # no shortcut for a medium risk
        assert app.screen is dialog and desired(stack) == (2, 2)
        await pilot.press("tab", "enter")  # to "Run it", on purpose
        await until(pilot, lambda: app.screen is screen and screen.busy is None, seconds=30)
        await settle(pilot)
        scale = run.state("scale")
        assert scale.status is StepStatus.DONE and scale.outcome is not None
        assert (scale.outcome.status, scale.outcome.detail) == (
            "verified",
            "shop-management-api: 4 of 4 running, 0 pending",
        )
        assert desired(stack) == (4, 4)
        assert "verified: shop-management-api: 4 of 4 running" in text(screen, "#step-head")

        records = audit_records()
        assert [r.action for r in records] == ["runbook.check"] * 5 + ["ecs.scale_service"] * 2
        executed, verified = records[-2:]
        assert (executed.outcome, verified.outcome, verified.confirmation) == ("executed", "verified", "yes")
        assert verified.context["runbook"] == "high-cpu" and verified.context["step"] == "scale"
        assert verified.actor.cognito_user == "ops-admin" and "desired 2 → 4" in (verified.preview or "")

        await pilot.press("escape", "escape", "a")  # back to the list, home, then the audit log
        await until(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.records is not None)
        await settle(pilot)
        audit = app.screen
        assert isinstance(audit, AuditScreen) and audit.records is not None
        assert [r.id for r in audit.records] == [r.id for r in reversed(records)]  # newest first
        shown = text(audit, "#audit-record")
        assert "ecs.scale_service · verified: shop-management-api: 4 of 4 running, 0 pending" in shown
        assert "high-cpu 1.0 · scale" in shown and "confirmed 'yes'" in shown


async def test_cancel_is_recorded_and_the_step_stays(stack: StackInfo, moto_clock: Callable[[], dt.datetime]) -> None:
    app = app_for(stack, write_mode=True, clock=moto_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await runbook_open(pilot, "high-cpu")
        await next_step(pilot, screen, 6)
        dialog = await dialog_of(pilot, ActionDialog)
        await pilot.press("enter")  # Cancel has the focus
        await until(pilot, lambda: app.screen is screen and screen.busy is None)
        assert dialog is not app.screen and desired(stack) == (2, 2)
        assert screen.run is not None and screen.run.next_step() is screen.run.state("scale")
        assert [(r.outcome, r.confirmation) for r in audit_records()[-1:]] == [("cancelled", "n")]
        await pilot.press("s")  # skip it: recorded too
        await until(pilot, lambda: screen.busy is None)
        assert screen.run.state("scale").status is StepStatus.SKIPPED and screen.run.done
        assert audit_records()[-1].action == "runbook.skip"


async def test_read_only_shows_the_preview_and_the_cli_without_a_dialog(
    stack: StackInfo, moto_clock: Callable[[], dt.datetime]
) -> None:
    app = app_for(stack, clock=moto_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await runbook_open(pilot, "high-cpu")
        await next_step(pilot, screen, 6)
        assert app.screen is screen  # no dialog, no button that would fail
        assert not app.screen.query(Button).filter("#run")
        body = text(screen, "#step-body")
        assert "UpdateService shop-management-api desired 2 → 4 (autoscaling 2-10)" in body
        assert "cli:    aws ecs update-service --cluster shop-management-cluster" in body
        assert "not run: the console is read-only: start it with --write to run actions" in body
        assert screen.run is not None and screen.run.state("scale").status is StepStatus.SKIPPED
        assert desired(stack) == (2, 2)
        assert [r.action for r in audit_records()][-1] == "runbook.skip"


# --- who may act --------------------------------------------------------------------------------------------------


async def test_support_walks_it_but_never_acts_by_key_or_palette(
    stack: StackInfo, moto_clock: Callable[[], dt.datetime]
) -> None:
    app = app_for(stack, write_mode=True, clock=moto_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "corner-support")
        screen = await runbook_open(pilot, "high-cpu")
        assert "read-only" in text(screen, "#runbook-header")
        await next_step(pilot, screen, 5)
        (run_next,) = [c for c in app.palette_commands(screen) if c.title == "Run the next step"]
        run_next.callback()  # the palette's way to the action
        await until(pilot, lambda: screen.busy is None)
        await settle(pilot)
        assert app.screen is screen
        assert "not run: actions need the admin role (yours: support)" in text(screen, "#step-body")
        assert desired(stack) == (2, 2)
        assert not [r for r in audit_records() if r.action == "ecs.scale_service"]


async def test_a_cashier_is_neither_offered_runbooks_nor_let_in(stack: StackInfo) -> None:
    app = app_for(stack, write_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "corner-cashier")
        home = app.screen
        offered = [option.id for option in home.query_one("#destinations", OptionList).options]
        assert not {"runbooks", "health", "audit"} & set(offered)
        assert not [
            c for c in app.palette_commands(home) if c.title in ("Open Runbooks", "Open Health", "Open Audit log")
        ]
        await pilot.press("r", "h", "a")
        for destination in ("runbooks", "health", "audit"):
            app.open_destination(destination)
        await settle(pilot)
        assert app.screen is home and desired(stack) == (2, 2)


def test_a_cashier_or_support_user_is_refused_headless(stack: StackInfo) -> None:
    """The same engine without the TUI: a real `shop-console runbooks run --write` process."""
    from console import config
    from console.demo import profile_for_stack
    from tests.console.conftest import run_cli

    config.save_profile(profile_for_stack(stack, "cli"))
    cashier, support = user(stack, "corner-cashier"), user(stack, "corner-support")
    args = ["runbooks", "run", "high-cpu", "--write", "--password-stdin", "--username"]
    refused = run_cli("cli", *args, cashier.username, password=cashier.password)
    assert refused.returncode == 4 and "needs the admin or support role (yours: cashier)" in refused.stderr
    seen = run_cli("cli", *args, support.username, password=support.password)
    assert "not run: actions need the admin role (yours: support)" in seen.stdout
    assert desired(stack) == (2, 2)


# --- the database steps, on PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
async def test_admin_terminates_a_listed_session_by_typing_its_pid(request: pytest.FixtureRequest) -> None:
    """shop-api on PostgreSQL with real client sessions: the fixtures of the engine's own database tests (they skip
    with the reason when PostgreSQL is absent, and fail under CI=true)."""
    info: StackInfo = request.getfixturevalue("pg_stack")[0]
    open_session: Callable[[str], Any] = request.getfixturevalue("connect")
    kept, ended = open_session("screen-test-kept"), open_session("screen-test-ended")
    idle_in_transaction(kept)
    pid = idle_in_transaction(ended)
    profile = stack_profile(info)
    app = create_app(profile, keys={}, clock=seeded_clock(profile.model_copy(update=MOTO_KEYS)), write_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, info, "ops-admin")
        screen = await runbook_open(pilot, "db-connections")
        await pilot.press("2")  # the inputs: sessions idle for any time; terminate only this pid
        screen.query_one("#input-idle_minutes", Input).value = "0"
        screen.query_one("#input-terminate_pids", Input).value = str(pid)
        screen.query_one("#start-run", Button).press()
        await settle(pilot)
        await next_step(pilot, screen, 4)  # the metric, the sessions by state, idle ones, long-running ones
        run = screen.run
        assert run is not None and run.state("idle-in-transaction").status is StepStatus.FAILED
        screen.query_one("#step-list", OptionList).highlighted = 2
        await settle(pilot)
        assert f"pid {pid} · " in text(screen, "#step-body") and "screen-test-ended" in text(screen, "#step-body")
        await next_step(pilot, screen)  # the cancel: no long-running query, so it cannot run and is skipped
        assert run.state("cancel").status is StepStatus.SKIPPED

        await pilot.press("n")
        dialog = await dialog_of(pilot, ActionDialog)
        assert text(dialog, "#action-prompt") == f"This is a high-risk action. Type {pid} to confirm"
        await pilot.press(*str(pid), "enter")
        await until(pilot, lambda: app.screen is screen and screen.busy is None, seconds=30)
        terminate = run.state("terminate")
        assert terminate.outcome is not None and terminate.outcome.status == "verified", terminate.outcome
        assert not alive(ended) and alive(kept)
        assert [r.outcome for r in audit_records() if r.action == "db.terminate_session"] == ["executed", "verified"]


# --- inputs -------------------------------------------------------------------------------------------------------


async def test_inputs_are_checked_in_place(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await runbook_open(pilot, "high-cpu", lambda _profile: RunbookWorld().clients())
        first = screen.run
        await pilot.press("2")
        field = screen.query_one("#input-desired_count", Input)
        field.value = "11"
        await settle(pilot)
        assert text(screen, "#error-desired_count") == "input desired_count: must be at most 10 (got '11')"
        screen.query_one("#input-window_minutes", Input).value = ""  # an empty field takes its default
        screen.query_one("#start-run", Button).press()
        await settle(pilot)
        assert screen.run is first  # not started with a bad input
        field.value = "3"
        await settle(pilot)
        assert text(screen, "#error-desired_count") == ""
        screen.query_one("#start-run", Button).press()
        await settle(pilot)
        assert screen.run is not first and screen.run is not None
        assert screen.run.inputs["desired_count"] == 3 and screen.run.inputs["window_minutes"] == 15


# --- the confirmations --------------------------------------------------------------------------------------------


async def test_high_risk_runs_only_with_the_name_typed(stack: StackInfo) -> None:
    world = RunbookWorld().failover_checks().cluster_read()
    app = app_for(stack, write_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await runbook_open(pilot, "dr-database-failover", lambda _profile: world.clients())
        await next_step(pilot, screen, 2)
        await pilot.press("n")
        approve = await dialog_of(pilot, ApproveDialog)
        assert approve.focused is not None and approve.focused.id == "action-typed"
        await pilot.press(*"ok", "enter")
        assert app.screen is approve and "Type announced exactly" in text(approve, "#action-typed-hint")
        approve.query_one("#action-typed", Input).value = "announced"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen and screen.busy is None)
        assert screen.run is not None and screen.run.state("announce").status is StepStatus.DONE

        await pilot.press("n")
        dialog = await dialog_of(pilot, ActionDialog)
        run_button = dialog.query_one("#run", Button)
        assert run_button.disabled and dialog.focused is not None and dialog.focused.id == "action-typed"
        await pilot.press(*"yes")
        assert run_button.disabled
        dialog.query_one("#action-typed", Input).value = "shop-management-aurora"
        await settle(pilot)
        assert not run_button.disabled
        await pilot.press("escape")  # not this time: nothing runs, the cancel is recorded
        await until(pilot, lambda: app.screen is screen and screen.busy is None)
        assert audit_records()[-1].action == "rds.failover_cluster" and audit_records()[-1].outcome == "cancelled"
        world.clients().assert_all_used()


def test_serve_passes_write_to_the_served_console() -> None:
    parse = cli._parser().parse_args
    assert parse(["serve", "--write"]).write is True and parse(["--write", "serve"]).write is True
    assert cli.serve_command("demo", True).endswith("-m console.cli --profile demo --write")
    assert cli.serve_command("demo", False).endswith("-m console.cli --profile demo")


# --- pictures -----------------------------------------------------------------------------------------------------


# The pictures show this runbooks only, so that a runbook added later does not move them.
PICTURED = ("high-cpu", "db-connections", "api-response-time", "dr-database-failover", "dr-region-recovery")
PICTURED += ("dr-complete-recovery", "manual-backup")


@pytest.fixture
def pictured(tmp_path: Path) -> Path:
    directory = tmp_path / "runbooks"
    directory.mkdir()
    for name in PICTURED:
        shutil.copy(RUNBOOKS_DIR / f"{name}.toml", directory)
    return directory


def picture(
    snap_compare: SnapCompare, stack: StackInfo, size: tuple[int, int], then: Callable[[Pilot], Awaitable[None]]
) -> bool:
    async def run_before(pilot: Pilot) -> None:
        await signed_in(pilot, stack, "ops-admin")
        await then(pilot)
        await settle(pilot)

    return snap_compare(app_for(stack, write_mode=True), terminal_size=size, run_before=run_before)


def stubbed(world: RunbookWorld) -> Callable[[Profile], ClientSource]:
    return lambda _profile: world.clients()


@pytest.mark.parametrize("size", SIZES)
def test_the_list(snap_compare: SnapCompare, stack: StackInfo, pictured: Path, size: tuple[int, int]) -> None:
    async def then(pilot: Pilot) -> None:
        await list_open(pilot, stubbed(RunbookWorld()), pictured)

    assert picture(snap_compare, stack, size, then)


@pytest.mark.parametrize("size", SIZES)
def test_high_cpu_mid_way(snap_compare: SnapCompare, stack: StackInfo, pictured: Path, size: tuple[int, int]) -> None:
    async def then(pilot: Pilot) -> None:
        screen = await runbook_open(pilot, "high-cpu", stubbed(RunbookWorld().high_cpu_checks()), pictured)
        await next_step(pilot, screen, 5)
        screen.query_one("#step-list", OptionList).highlighted = 0  # the CPU: its spike

    assert picture(snap_compare, stack, size, then)


@pytest.mark.parametrize("size", SIZES)
def test_low_risk_confirmation(
    snap_compare: SnapCompare, stack: StackInfo, pictured: Path, size: tuple[int, int]
) -> None:
    async def then(pilot: Pilot) -> None:
        await runbook_open(pilot, "manual-backup", stubbed(RunbookWorld().cluster_read()), pictured)
        await pilot.press("n")
        await dialog_of(pilot, ActionDialog)

    assert picture(snap_compare, stack, size, then)


@pytest.mark.parametrize("size", SIZES)
def test_medium_risk_confirmation(
    snap_compare: SnapCompare, stack: StackInfo, pictured: Path, size: tuple[int, int]
) -> None:
    async def then(pilot: Pilot) -> None:
        screen = await runbook_open(
            pilot, "high-cpu", stubbed(RunbookWorld().high_cpu_checks().scale_preview()), pictured
        )
        await next_step(pilot, screen, 5)
        await pilot.press("n")
        await dialog_of(pilot, ActionDialog)

    assert picture(snap_compare, stack, size, then)


async def _to_failover(pilot: Pilot, world: RunbookWorld, directory: Path) -> RunbookScreen:
    screen = await runbook_open(pilot, "dr-database-failover", stubbed(world), directory)
    await next_step(pilot, screen, 2)
    return screen


@pytest.mark.parametrize("size", SIZES)
def test_approve_confirmation(
    snap_compare: SnapCompare, stack: StackInfo, pictured: Path, size: tuple[int, int]
) -> None:
    async def then(pilot: Pilot) -> None:
        await _to_failover(pilot, RunbookWorld().failover_checks(), pictured)
        await pilot.press("n")
        await dialog_of(pilot, ApproveDialog)

    assert picture(snap_compare, stack, size, then)


@pytest.mark.parametrize("size", SIZES)
def test_high_risk_confirmation(
    snap_compare: SnapCompare, stack: StackInfo, pictured: Path, size: tuple[int, int]
) -> None:
    async def then(pilot: Pilot) -> None:
        screen = await _to_failover(pilot, RunbookWorld().failover_checks().cluster_read(), pictured)
        await pilot.press("n")
        approve = await dialog_of(pilot, ApproveDialog)
        approve.query_one("#action-typed", Input).value = "announced"
        await pilot.press("enter")
        await until(pilot, lambda: pilot.app.screen is screen and screen.busy is None)
        await pilot.press("n")
        dialog = await dialog_of(pilot, ActionDialog)
        dialog.query_one("#action-typed", Input).value = "shop-management"  # half typed: Run it stays disabled

    assert picture(snap_compare, stack, size, then)


def test_an_input_out_of_bounds(snap_compare: SnapCompare, stack: StackInfo, pictured: Path) -> None:
    async def then(pilot: Pilot) -> None:
        screen = await runbook_open(pilot, "high-cpu", stubbed(RunbookWorld()), pictured)
        await pilot.press("2")
        screen.query_one("#input-desired_count", Input).value = "11"
        screen.query_one("#input-desired_count", Input).focus()

    assert picture(snap_compare, stack, (80, 24), then)
