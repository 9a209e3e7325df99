"""`shop-console backups [--json]` as the lead wires it: run_backups_command, its exit codes, text and JSON."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from aws_world import Err, World, ago, restore_job
from ops_testkit import frozen_clock, profile_for

from console.ops.audit import AuditLog
from console.ops.backups import EXIT_REFUSED, collect_report, run_backups_command, scenario_rows
from console.ops.checks import Verdict


def command(world: World, audit: AuditLog, role: str | None = "admin", as_json: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_backups_command(
        profile_for("http://stubbed"), role, as_json, out, err, clients=world.clients(), clock=frozen_clock, audit=audit
    )
    return code, out.getvalue(), err.getvalue()


def test_all_ok_exits_0(drilled: AuditLog) -> None:
    code, out, err = command(World(), drilled)
    assert (code, err) == (0, "")
    assert out.startswith("Backups: OK (0 FAIL, 0 UNKNOWN, 0 WARN, 29 OK) · profile demo (demo) · collected 2026-03-14")


def test_a_warning_exits_1_with_its_hint(drilled: AuditLog) -> None:
    world = World()
    world.cluster["PreferredBackupWindow"] = "07:00-07:30"
    code, out, _ = command(world, drilled)
    assert code == 1
    lines = out.splitlines()
    assert lines[1] == "WARN     Backup window: 07:00-07:30 UTC"
    assert lines[2] == "         target 03:00-04:00 UTC · source: DescribeDBClusters PreferredBackupWindow"
    assert lines[3] == "         hint: set PreferredBackupWindow to 03:00-04:00 (the guide's value)"


def test_an_unknown_exits_1(drilled: AuditLog) -> None:
    code, out, _ = command(World(scaling=Err("ThrottlingException")), drilled)
    assert code == 1
    assert "UNKNOWN  Application failure: RTO" in out


def test_a_failure_exits_2_and_comes_first(drilled: AuditLog) -> None:
    world = World(restore_jobs=[restore_job("j9", dt.timedelta(days=1), status="FAILED", validation=None)])
    world.cluster["PreferredBackupWindow"] = "07:00-07:30"
    code, out, _ = command(world, drilled)
    assert code == 2
    verdicts = [line.split()[0] for line in out.splitlines()[1:] if not line.startswith(" ")]
    assert verdicts[0] == "FAIL"
    assert verdicts == sorted(verdicts, key=lambda v: -Verdict(v).rank)


def test_json_has_one_object_per_check(drilled: AuditLog) -> None:
    world = World()
    world.cluster["LatestRestorableTime"] = ago(minutes=8)
    code, out, _ = command(world, drilled, as_json=True)
    document = json.loads(out)
    assert code == 1 == document["exit_code"]
    assert document["verdict"] == "WARN"
    assert document["profile"] == "demo" and document["environment"] == "demo"
    assert document["collected_at"] == "2026-03-14T09:26:00+00:00"
    assert len(document["checks"]) == 29
    for check in document["checks"]:
        assert {"name", "verdict", "actual", "target", "source", "hint"} <= set(check)
    rpo = next(c for c in document["checks"] if c["name"] == "dr.database.rpo")
    assert rpo == {
        "name": "dr.database.rpo",
        "title": "Database failure: RPO",
        "group": "dr",
        "verdict": "WARN",
        "actual": "8 min",
        "target": "≤ 5 min",
        "source": "now - LatestRestorableTime",
        "hint": "the latest restorable time is 8 min old; target 5 min: check the cluster's events for backup problems",
    }


@pytest.mark.parametrize("role", ["cashier", "manager", None])
def test_only_admin_and_support_may_look(audit: AuditLog, role: str | None) -> None:
    out, err = io.StringIO(), io.StringIO()
    # No clients are made for a refused user: the refusal comes before any AWS call.
    code = run_backups_command(profile_for("http://stubbed"), role, False, out, err, clients=None, audit=audit)
    assert code == EXIT_REFUSED == 4
    assert out.getvalue() == ""
    assert err.getvalue() == f"shop-console backups: needs the admin or support role (yours: {role or 'none'})\n"


def test_support_may_look(drilled: AuditLog) -> None:
    assert command(World(), drilled, role="support")[0] == 0


def test_scenario_rows_put_failures_first(drilled: AuditLog) -> None:
    world = World(region_snapshots=[])
    world.cluster["LatestRestorableTime"] = ago(minutes=8)
    report = collect_report(profile_for("http://stubbed"), clients=world.clients(), clock=frozen_clock, audit=drilled)
    rows = scenario_rows(report)
    assert [(r.scenario.key, r.verdict) for r in rows] == [
        ("region", Verdict.FAIL),
        ("database", Verdict.WARN),
        ("az", Verdict.OK),
        ("application", Verdict.OK),
        ("complete", Verdict.OK),
    ]
    assert rows[0].rpo.name == "dr.region.rpo" and rows[0].rto.name == "dr.region.rto"
