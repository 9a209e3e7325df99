"""The DR drills screen: the guide's four-week schedule with each drill's latest result; an admin records a drill,
which lands in the audit log and turns the backup screen's "restore tested" fact (against the local stack, moto)
to that drill; a drill older than 35 days is due. Pictures with a frozen clock and drills recorded here.

Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Static

from console.app import create_app
from console.demo import StackInfo
from console.ops.audit import AuditLog
from console.ops.backups import collect_report
from console.ops.checks import Verdict
from console.ops.drills import checklist
from console.ops.guide import Drill
from screens.drills import DrillsScreen, RecordDrillDialog
from tests.console.conftest import FROZEN_NOW, frozen_clock, settle, sign_in, stack_profile, until, user

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ops"))
from ops_testkit import drill

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def opened(pilot: Pilot, stack: StackInfo, username: str = "ops-admin") -> DrillsScreen:
    demo = user(stack, username)
    await sign_in(pilot, demo.username, demo.password)
    await pilot.press("k")
    await until(pilot, lambda: isinstance(pilot.app.screen, DrillsScreen) and bool(pilot.app.screen.rows))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DrillsScreen)
    return screen


async def test_recording_a_restore_drill_feeds_the_backup_facts(stack: StackInfo) -> None:
    profile = stack_profile(stack)
    app = create_app(profile, keys={}, clock=lambda: dt.datetime.now(dt.UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, stack)
        assert [row.state for row in screen.rows] == ["never run"] * 4
        await pilot.press("down", "down")  # week 3: backup restore
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, RecordDrillDialog))
        dialog = app.screen
        dialog.query_one("#drill-rto", Input).value = "45"
        dialog.query_one("#drill-rpo", Input).value = "5"
        dialog.query_one("#drill-notes", Input).value = "restored to staging; checksums match"
        dialog.query_one("#succeeded", Button).press()
        await until(pilot, lambda: screen.rows[2].latest is not None)
        await settle(pilot)
        table = screen.query_one("#drills-table", DataTable)
        assert [str(c) for c in table.get_row_at(2)][3:] == ["45 min", "5 min", "done 0 s ago"]
        assert "restored to staging; checksums match" in str(screen.query_one("#drill-detail", Static).render())
    (record,) = AuditLog().records(action="dr.drill")
    assert record.inputs == {"drill": "backup_restore"} and record.outcome == "succeeded"
    assert record.result == {"rto_seconds": 45 * 60, "rpo_seconds": 300} and record.actor.cognito_user == "ops-admin"
    restore = collect_report(profile).check("backup.restore_tested")
    assert restore.verdict is Verdict.OK and "backup-restore drill by ops-admin: succeeded" in restore.actual
    rto = collect_report(profile).check("dr.complete.rto")
    assert rto.actual.startswith("45 min"), rto.actual


async def test_support_reads_but_cannot_record(stack: StackInfo) -> None:
    app = create_app(stack_profile(stack), keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, stack, "corner-support")
        keys = {a.binding.id for a in screen.active_bindings.values() if a.enabled}
        assert "drills.record" not in keys and "drills.refresh" in keys


def test_an_old_drill_is_due_and_the_backup_fact_warns(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    drill(audit, Drill.BACKUP_RESTORE, days_ago=40)
    drill(audit, Drill.DATABASE_FAILOVER, days_ago=3, succeeded=False)
    rows = {row.scheduled.drill: row for row in checklist(audit, "demo", FROZEN_NOW)}
    assert (rows[Drill.BACKUP_RESTORE].verdict, rows[Drill.BACKUP_RESTORE].state) == (
        Verdict.WARN,
        "due: last 40 d ago",
    )
    assert rows[Drill.DATABASE_FAILOVER].verdict is Verdict.FAIL
    assert rows[Drill.CROSS_REGION].state == "never run"


@pytest.mark.parametrize("size", SIZES)
def test_snapshot(stack: StackInfo, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        audit = AuditLog()
        drill(audit, Drill.DATABASE_FAILOVER, days_ago=12)
        drill(audit, Drill.APPLICATION_RECOVERY, days_ago=41)
        drill(audit, Drill.BACKUP_RESTORE, days_ago=3, succeeded=False)
        await opened(pilot, stack)
        await pilot.press("down", "down")
        await settle(pilot)

    app = create_app(stack_profile(stack), keys={}, clock=frozen_clock)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
