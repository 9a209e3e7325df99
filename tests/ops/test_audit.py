"""The audit log: append-only JSON lines in the state dir, 0600, redacted, safe with several writers."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import stat
from pathlib import Path

import pytest
from ops_testkit import ADMIN, NOW, SUPPORT, drill, frozen_clock

from console import paths
from console.ops.audit import Actor, AuditLog
from console.ops.drills import latest_drills
from console.ops.guide import Drill

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJl"


def record(audit: AuditLog, action: str = "rds.create_cluster_snapshot", **fields: object) -> None:
    audit.record(
        actor=fields.pop("actor", ADMIN),  # type: ignore[arg-type]
        profile=str(fields.pop("profile", "demo")),
        environment="demo",
        action=action,
        outcome=str(fields.pop("outcome", "verified")),
        **fields,  # type: ignore[arg-type]
    )


def test_records_are_json_lines_in_the_state_dir() -> None:
    audit = AuditLog(clock=frozen_clock)
    assert audit.path == paths.state_dir() / "audit.jsonl"
    written = audit.record(
        actor=ADMIN,
        profile="demo",
        environment="demo",
        action="rds.create_cluster_snapshot",
        context={"screen": "backups"},
        inputs={"cluster": "shop-management-aurora", "snapshot_id": "manual-backup-20260314-092600"},
        preview="Create cluster snapshot manual-backup-20260314-092600",
        confirmation="y",
        outcome="verified",
        detail="available (100 %)",
    )
    line = json.loads(audit.path.read_text())
    assert line["at"] == "2026-03-14T09:26:00Z"
    assert line["actor"] == {"cognito_user": "ops-admin", "role": "admin", "os_user": "operator", "host": "bastion"}
    assert line["action_id"] == line["id"] == written.id
    assert line["inputs"]["snapshot_id"] == "manual-backup-20260314-092600"
    assert (line["confirmation"], line["outcome"]) == ("y", "verified")
    assert stat.S_IMODE(audit.path.stat().st_mode) == 0o600


def test_appends_never_rewrite(audit: AuditLog) -> None:
    record(audit, outcome="executed", action_id="a1")
    first = audit.path.read_bytes()
    record(audit, outcome="verified", action_id="a1")
    assert audit.path.read_bytes().startswith(first)
    assert [r.outcome for r in audit.records()] == ["executed", "verified"]
    assert {r.action_id for r in audit.records()} == {"a1"}


def test_tokens_never_reach_the_file(audit: AuditLog) -> None:
    record(
        audit,
        inputs={"refresh_token": "r-123", "password": "hunter2", "note": f"Bearer {JWT}"},
        detail=f"token was {JWT}",
        result={"access_token": JWT},
    )
    text = audit.path.read_text()
    assert JWT not in text and "r-123" not in text and "hunter2" not in text
    stored = audit.records()[0]
    assert stored.inputs == {"refresh_token": "[REDACTED]", "password": "[REDACTED]", "note": "Bearer [REDACTED]"}


def test_a_torn_line_is_skipped_not_fatal(audit: AuditLog) -> None:
    record(audit)
    with open(audit.path, "a") as file:
        file.write('{"id": "half a rec')  # a crash mid-write
    record(audit, outcome="failed")
    assert [r.outcome for r in audit.records()] == ["verified", "failed"]


def test_no_file_reads_as_no_records(tmp_path: Path) -> None:
    assert AuditLog(tmp_path / "none.jsonl").records() == []


def test_records_filter_by_action_and_profile(audit: AuditLog) -> None:
    record(audit, action="rds.create_cluster_snapshot")
    record(audit, action="runbook.step", profile="staging")
    record(audit, action="runbook.step", actor=SUPPORT, outcome="refused")
    assert [r.profile for r in audit.records(action="runbook.step")] == ["staging", "demo"]
    assert [r.action for r in audit.records(profile="demo")] == ["rds.create_cluster_snapshot", "runbook.step"]


def _write_many(path: str, worker: int) -> None:
    audit = AuditLog(Path(path))
    for n in range(50):
        record(audit, detail=f"worker {worker} record {n} " + "x" * 2000)


def test_several_writers_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(path), w)) for w in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    records = AuditLog(path).records()
    assert len(records) == 100
    assert len(path.read_text().splitlines()) == 100


def test_actor_current_names_the_os_user_and_host() -> None:
    actor = Actor.current("ops-admin", "admin")
    assert actor.cognito_user == "ops-admin" and actor.role == "admin"
    assert actor.os_user and actor.host


# --- DR drills, the records issue 12 writes and the backup checks read ----------------------------------------


def test_latest_drill_of_each_kind_for_the_profile(audit: AuditLog) -> None:
    drill(audit, Drill.DATABASE_FAILOVER, days_ago=40, rto=dt.timedelta(minutes=9))
    drill(audit, Drill.DATABASE_FAILOVER, days_ago=3, rto=dt.timedelta(minutes=6))
    drill(audit, Drill.CROSS_REGION, days_ago=1, succeeded=False)
    drill(audit, Drill.BACKUP_RESTORE, days_ago=1, profile="staging")
    latest = latest_drills(audit, "demo")
    assert set(latest) == {Drill.DATABASE_FAILOVER, Drill.CROSS_REGION}
    failover = latest[Drill.DATABASE_FAILOVER]
    assert (failover.at, failover.rto, failover.by) == (
        NOW - dt.timedelta(days=3),
        dt.timedelta(minutes=6),
        "ops-admin",
    )
    assert latest[Drill.CROSS_REGION].succeeded is False
    assert latest[Drill.CROSS_REGION].notes == "replica lagged; failover aborted"


def test_a_drill_record_of_unknown_kind_is_ignored(audit: AuditLog) -> None:
    record(audit, action="dr.drill", inputs={"drill": "chaos-monkey"}, outcome="succeeded")
    assert latest_drills(audit, "demo") == {}


@pytest.mark.parametrize("outcome", ["succeeded", "failed"])
def test_drill_records_read_back(audit: AuditLog, outcome: str) -> None:
    drill(audit, Drill.APPLICATION_RECOVERY, succeeded=outcome == "succeeded")
    stored = audit.records(action="dr.drill")[0]
    assert stored.inputs == {"drill": "application_recovery"}
    assert stored.outcome == outcome
    assert stored.result == {"rto_seconds": 180, "rpo_seconds": 0}
