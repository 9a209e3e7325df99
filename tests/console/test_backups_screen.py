"""The backups screen: who may open it, what it shows, its keys, its refresh, and the manual snapshot — against the
local stack (moto), and, for the pictures, against the stubbed AWS of the service tests with a frozen clock.

Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, OptionList, Static, TabbedContent

from console import cli
from console.app import ShopConsoleApp, create_app
from console.demo import StackInfo
from console.ops.audit import AuditLog, AuditRecord
from console.ops.backups import BackupReport, collect_report
from console.ops.checks import Verdict
from console.ops.guide import Drill
from screens import backups
from screens.action_dialog import ActionDialog
from screens.backups import BackupsScreen, headline
from screens.help import HelpScreen
from screens.home import HomeScreen
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

# The stubbed AWS and drill records of the service tests (tests/ops), which import each other by module name.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ops"))
from aws_world import Err, World, ago, cluster, restore_job, s3_object, snapshot
from ops_testkit import NOW, drill, profile_for

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SNAPSHOT_NAME = "manual-backup-20260314-092600"  # the frozen clock's


def collected_43_s_ago() -> dt.datetime:
    return FROZEN_NOW + dt.timedelta(seconds=43)


def all_ok(audit: AuditLog) -> World:
    """The guide's system in good order, every monthly drill done ten days ago."""
    for kind in Drill:
        drill(audit, kind)
    return World()


def failing(audit: AuditLog) -> World:
    """A stale restore window, old snapshots, a failed restore test, a denied backup region, a throttled read."""
    drill(audit, Drill.DATABASE_FAILOVER, days_ago=50)
    drill(audit, Drill.APPLICATION_RECOVERY)
    world = World()
    world.cluster = cluster(LatestRestorableTime=ago(minutes=40), MultiAZ=False)
    world.snapshots = [
        snapshot("rds:shop-management-aurora-2026-03-13-03-11", "automated", dt.timedelta(hours=31)),
        snapshot("manual-backup-20260101-120000", "manual", dt.timedelta(days=72)),
    ]
    world.region_snapshots = Err("AccessDenied", 403)
    world.restore_jobs = [
        restore_job("job-0310", dt.timedelta(days=4), "FAILED", None, message="restore failed: subnet group missing")
    ]
    world.backup_objects = [s3_object("schema/schema_20260312_033000.sql", dt.timedelta(hours=53), 2530)]
    world.replication = Err("Throttling")
    return world


def stubbed(tmp_path: Path, make_world: Callable[[AuditLog], World]) -> Callable[[], BackupReport]:
    """The real report, read from a stubbed AWS at NOW (a fresh world for each read)."""
    audit = AuditLog(tmp_path / "drills.jsonl", clock=lambda: NOW)
    world = make_world(audit)
    profile = profile_for("http://stubbed")
    return lambda: collect_report(profile, clients=world.clients(), clock=lambda: NOW, audit=audit)


def app_for(
    stack: StackInfo, write_mode: bool = False, clock: Callable[[], dt.datetime] = frozen_clock
) -> ShopConsoleApp:
    return create_app(stack_profile(stack), keys={}, clock=clock, write_mode=write_mode)


async def signed_in(pilot: Pilot, stack: StackInfo, username: str) -> None:
    demo = user(stack, username)
    await sign_in(pilot, demo.username, demo.password)
    await past_float_prompt(pilot)


async def backups_open(pilot: Pilot, collect: Callable[[], BackupReport] | None = None) -> BackupsScreen:
    """From home: with `b`, or (with a report source) pushed as home would."""
    if collect is None:
        await pilot.press("b")
    else:
        pilot.app.push_screen(BackupsScreen(collect))
    await until(pilot, lambda: isinstance(pilot.app.screen, BackupsScreen) and pilot.app.screen.report is not None)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BackupsScreen)
    return screen


def text(screen: BackupsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def footer_keys(screen: BackupsScreen) -> set[str]:
    return {active.binding.id or "" for active in screen.active_bindings.values() if active.enabled}


def audit_records() -> list[AuditRecord]:
    """The console's own audit log (in this test's state dir)."""
    return AuditLog().records()


# --- who may open it ---------------------------------------------------------------------------------------------


async def test_admin_opens_it_from_home_and_sees_every_scenario(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await backups_open(pilot)
        report = screen.report
        assert report is not None
        scenarios = text(screen, "#scenarios").splitlines()[1:]
        assert [line.split()[0] for line in scenarios] == [row.verdict.value for row in backups.scenario_rows(report)]
        assert {"Database failure", "AZ failure", "Region failure", "Application failure", "Complete disaster"} == {
            line[8:29].strip() for line in scenarios
        }
        assert text(screen, "#backups-summary").startswith(f"Backups {report.verdict.value} · ")
        assert "backups.manual_snapshot" in footer_keys(screen)
        assert len(screen.query("#all-checks .check")) == len(report.checks)
        table = screen.query_one("#snapshot-table", DataTable)
        assert table.row_count == len(report.facts.snapshots) + len(report.facts.region_copies)  # type: ignore[arg-type]
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_support_opens_it_but_never_sees_the_snapshot_action(stack: StackInfo) -> None:
    app = app_for(stack, write_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "corner-support")
        screen = await backups_open(pilot)
        assert "backups.manual_snapshot" not in footer_keys(screen)
        assert "Take a manual snapshot" not in [c.title for c in app.palette_commands(screen)]
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is screen
        assert not audit_records()


async def test_a_cashier_is_neither_offered_it_nor_let_in(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "corner-cashier")
        home = app.screen
        offered = [option.id for option in home.query_one("#destinations", OptionList).options]
        assert "backups" not in offered
        await pilot.press("b")
        app.open_destination("backups")
        await settle(pilot)
        assert app.screen is home
        assert [n.message for n in app._notifications] == ["That is not open to your role."]


# --- keys and refresh --------------------------------------------------------------------------------------------


async def test_snapshots_filter_by_kind_and_sort(stack: StackInfo, tmp_path: Path) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "corner-support")
        screen = await backups_open(pilot, stubbed(tmp_path, all_ok))
        table = screen.query_one("#snapshot-table", DataTable)

        def rows() -> list[tuple[str, str]]:
            return [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[2])) for i in range(table.row_count)]

        newest_first = [
            ("copy-of-latest", "manual"),
            ("rds:shop-management-aurora-2026-03-14-03-12", "automated"),
            ("manual-backup-20260313-120000", "manual"),
            ("rds:shop-management-aurora-2026-03-13-03-11", "automated"),
            ("manual-backup-20260305-120000", "manual"),
        ]
        assert rows() == newest_first
        await pilot.press("f")
        assert screen.query_one("#backups-tabs", TabbedContent).active == "snapshots"
        assert rows() == [r for r in newest_first if r[1] == "automated"]
        await pilot.press("f")
        assert rows() == [r for r in newest_first if r[1] == "manual"]
        await pilot.press("s")
        assert rows() == [r for r in reversed(newest_first) if r[1] == "manual"]
        assert text(screen, "#snapshot-caption").startswith("3 of 5 snapshots · manual · oldest first")
        await pilot.press("f", "s", "s")  # all kinds, by kind
        assert [kind for _, kind in rows()] == ["automated", "automated", "manual", "manual", "manual"]


async def test_it_refreshes_by_itself_but_not_behind_a_dialog(
    stack: StackInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backups, "AUTO_REFRESH_SECONDS", 0.3)
    read = stubbed(tmp_path, all_ok)
    reads: list[BackupReport] = []

    def counted() -> BackupReport:
        reads.append(read())
        return reads[-1]

    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "corner-support")
        await backups_open(pilot, counted)
        await until(pilot, lambda: len(reads) >= 2)  # re-armed after each answer
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        held = len(reads)
        await pilot.pause(1.0)
        assert len(reads) == held  # at most the read that was on its way
        await pilot.press("escape")
        await until(pilot, lambda: len(reads) > held)
        await pilot.press("r")
        await until(pilot, lambda: len(reads) > held + 1)


def test_the_scenario_figures_lose_their_explanations() -> None:
    assert headline("4 min (failover drill by ops-admin); readers: x (us-east-1b)") == "4 min"
    assert headline("unknown: access denied to DescribeDBClusterSnapshots") == "unknown"
    assert headline("not measured: no drill; snapshots available") == "not measured"
    assert headline("≤ 15 min") == "≤ 15 min"


# --- write mode and the manual snapshot --------------------------------------------------------------------------


def test_write_is_a_flag_of_the_console_and_of_the_demo() -> None:
    parse = cli._parser().parse_args
    assert getattr(parse([]), "write", False) is False
    assert parse(["--write"]).write is True
    assert parse(["demo", "--write"]).write is True
    assert parse(["--write", "demo"]).write is True


async def test_write_mode_is_marked_in_the_status_bar(stack: StackInfo) -> None:
    for write_mode in (False, True):
        app = app_for(stack, write_mode=write_mode)
        async with app.run_test(size=(80, 24)) as pilot:
            await signed_in(pilot, stack, "ops-admin")
            marks = app.screen.query("#write-mode")
            assert [str(m.render()) for m in marks] == ([" WRITE MODE "] if write_mode else [])


def _cluster_snapshots(stack: StackInfo) -> set[str]:
    rds = boto3.client(
        "rds",
        region_name=stack.region,
        endpoint_url=stack.aws_endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return {s["DBClusterSnapshotIdentifier"] for s in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]}


async def preview_dialog(pilot: Pilot) -> ActionDialog:
    await pilot.press("m")
    await until(pilot, lambda: isinstance(pilot.app.screen, ActionDialog))
    dialog = pilot.app.screen
    assert isinstance(dialog, ActionDialog)
    return dialog


async def test_read_only_shows_the_preview_and_the_cli_but_runs_nothing(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await backups_open(pilot)
        dialog = await preview_dialog(pilot)
        cli_text = str(dialog.query_one("#action-cli", Static).render())
        assert "aws rds create-db-cluster-snapshot --db-cluster-identifier shop-management-aurora " in cli_text
        assert f"--db-cluster-snapshot-identifier {SNAPSHOT_NAME} --region {stack.region}" in cli_text
        refused = str(dialog.query_one("#action-refused", Static).render())
        assert refused == "Cannot run it here: the console is read-only: start it with --write to run actions"
        assert [b.id for b in dialog.query(Button)] == ["cancel"]
        await pilot.press("y")  # no confirmation to give
        assert app.screen is dialog
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert not audit_records()
        assert SNAPSHOT_NAME not in _cluster_snapshots(stack)


async def test_write_mode_cancel_is_focused_and_a_cancel_is_audited(stack: StackInfo) -> None:
    app = app_for(stack, write_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await backups_open(pilot)
        dialog = await preview_dialog(pilot)
        assert dialog.focused is not None and dialog.focused.id == "cancel"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        (record,) = audit_records()
        assert (record.outcome, record.confirmation, record.context) == ("cancelled", "n", {"screen": "backups"})
        assert SNAPSHOT_NAME not in _cluster_snapshots(stack)


async def test_write_mode_takes_verifies_and_audits_a_manual_snapshot(stack: StackInfo) -> None:
    app = app_for(stack, write_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, "ops-admin")
        screen = await backups_open(pilot)
        dialog = await preview_dialog(pilot)
        assert str(dialog.query_one("#action-prompt", Static).render()) == "Run it? [y/N]"
        await pilot.press("tab", "enter")  # to "Run it", by keyboard
        await until(pilot, lambda: "verified" in text(screen, "#snapshot-action"))
        await settle(pilot)
        assert text(screen, "#snapshot-action").startswith(
            f"Manual snapshot verified: {SNAPSHOT_NAME} is available (100 %) · audit "
        )
        assert SNAPSHOT_NAME in _cluster_snapshots(stack)
        records = audit_records()
        assert [r.outcome for r in records] == ["executed", "verified"]
        assert records[0].actor.cognito_user == "ops-admin"
        assert records[0].inputs["snapshot_id"] == SNAPSHOT_NAME
        # The screen read the report again: the new snapshot is in the list.
        table = screen.query_one("#snapshot-table", DataTable)
        assert SNAPSHOT_NAME in [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


# --- pictures ----------------------------------------------------------------------------------------------------


def shot(
    snap_compare: SnapCompare, stack: StackInfo, size: tuple[int, int], collect: Callable[[], BackupReport]
) -> bool:
    async def run_before(pilot: Pilot) -> None:
        await signed_in(pilot, stack, "ops-admin")
        await backups_open(pilot, collect)

    return snap_compare(app_for(stack, clock=collected_43_s_ago), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_all_ok(snap_compare: SnapCompare, stack: StackInfo, tmp_path: Path, size: tuple[int, int]) -> None:
    assert shot(snap_compare, stack, size, stubbed(tmp_path, all_ok))


@pytest.mark.parametrize("size", SIZES)
def test_failing(snap_compare: SnapCompare, stack: StackInfo, tmp_path: Path, size: tuple[int, int]) -> None:
    assert shot(snap_compare, stack, size, stubbed(tmp_path, failing))


def test_read_only_snapshot_preview(snap_compare: SnapCompare, stack: StackInfo, tmp_path: Path) -> None:
    """The preview reads the local stack's cluster (the report behind it is the stubbed one: moto's dates move)."""

    async def run_before(pilot: Pilot) -> None:
        await signed_in(pilot, stack, "ops-admin")
        await backups_open(pilot, stubbed(tmp_path, all_ok))
        await preview_dialog(pilot)
        await settle(pilot)

    assert snap_compare(app_for(stack), terminal_size=(80, 24), run_before=run_before)


def test_the_failing_world_fails(tmp_path: Path) -> None:
    """The pictures' failing state has every kind of verdict, failures first in the scenarios."""
    report = stubbed(tmp_path, failing)()
    assert {c.verdict for c in report.checks} == set(Verdict)
    assert backups.scenario_rows(report)[0].verdict is Verdict.FAIL
