"""DR drill results (the guide's monthly Recovery Testing) as audit records, and the latest one of each drill.

A drill is recorded as an audit record with action `dr.drill`, `inputs.drill` naming the drill, outcome
`succeeded` or `failed`, and the measured recovery time and data loss in `result` (seconds). The backup checks read
the latest drill of each kind for the profile: its measured RTO is the scenario's actual figure, and a
backup-restore drill is "restore tested".

The drills screen shows the guide's schedule as a checklist (`SCHEDULE`: week, title, steps) with each drill's
latest result and whether it is due (`checklist`): a drill older than DRILL_MAX_AGE (35 days) is WARN, as the
backup screen's facts that it feeds turn WARN then too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from console.ops.audit import Actor, AuditLog, AuditRecord
from console.ops.checks import Verdict, format_duration
from console.ops.guide import DRILL_MAX_AGE, Drill

ACTION = "dr.drill"
SUCCEEDED = "succeeded"
FAILED = "failed"


@dataclass(frozen=True)
class DrillResult:
    drill: Drill
    at: dt.datetime
    succeeded: bool
    rto: dt.timedelta | None  # measured recovery time
    rpo: dt.timedelta | None  # measured data loss
    by: str
    notes: str


def record_drill(
    audit: AuditLog,
    *,
    actor: Actor,
    profile: str,
    environment: str,
    drill: Drill,
    succeeded: bool,
    rto: dt.timedelta | None,
    rpo: dt.timedelta | None,
    notes: str = "",
) -> AuditRecord:
    return audit.record(
        actor=actor,
        profile=profile,
        environment=environment,
        action=ACTION,
        context={"procedure": "Recovery Testing"},
        inputs={"drill": drill.value},
        outcome=SUCCEEDED if succeeded else FAILED,
        detail=notes,
        result={
            "rto_seconds": None if rto is None else round(rto.total_seconds()),
            "rpo_seconds": None if rpo is None else round(rpo.total_seconds()),
        },
    )


def latest_drills(audit: AuditLog, profile: str) -> dict[Drill, DrillResult]:
    """The newest recorded result of each drill for this profile (records that do not parse are ignored)."""
    latest: dict[Drill, DrillResult] = {}
    for record in audit.records(action=ACTION, profile=profile):
        result = _parse(record)
        if result is not None and (result.drill not in latest or result.at >= latest[result.drill].at):
            latest[result.drill] = result
    return latest


def _parse(record: AuditRecord) -> DrillResult | None:
    try:
        drill = Drill(record.inputs.get("drill"))
    except ValueError:
        return None
    return DrillResult(
        drill=drill,
        at=record.at,
        succeeded=record.outcome == SUCCEEDED,
        rto=_seconds(record.result.get("rto_seconds")),
        rpo=_seconds(record.result.get("rpo_seconds")),
        by=record.actor.cognito_user or record.actor.os_user,
        notes=record.detail,
    )


def _seconds(value: object) -> dt.timedelta | None:
    return dt.timedelta(seconds=value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class ScheduledDrill:
    week: int
    drill: Drill
    title: str
    steps: tuple[str, ...]


# The guide's "Monthly DR Test Schedule", week by week, as written.
SCHEDULE: tuple[ScheduledDrill, ...] = (
    ScheduledDrill(
        1,
        Drill.DATABASE_FAILOVER,
        "Database Failover Test",
        ("Trigger manual failover", "Verify application connectivity", "Measure RTO/RPO", "Document any issues"),
    ),
    ScheduledDrill(
        2,
        Drill.APPLICATION_RECOVERY,
        "Application Recovery Test",
        (
            "Stop ECS services",
            "Verify auto-scaling response",
            "Test load balancer health checks",
            "Validate monitoring alerts",
        ),
    ),
    ScheduledDrill(
        3,
        Drill.BACKUP_RESTORE,
        "Backup Restore Test",
        (
            "Restore to test environment",
            "Verify data integrity",
            "Test application functionality",
            "Performance validation",
        ),
    ),
    ScheduledDrill(
        4,
        Drill.CROSS_REGION,
        "Cross-Region Test",
        ("Simulate region failure", "Execute DR procedures", "Measure recovery time", "Update runbooks"),
    ),
)


@dataclass(frozen=True)
class ChecklistRow:
    scheduled: ScheduledDrill
    latest: DrillResult | None
    verdict: Verdict  # OK: succeeded within DRILL_MAX_AGE; WARN: older, or never; FAIL: the latest failed
    state: str  # "done 10 d ago", "due: 41 d ago", "never run", "failed 3 d ago"


def checklist(audit: AuditLog, profile: str, now: dt.datetime) -> list[ChecklistRow]:
    """The schedule with each drill's latest result, in week order."""
    latest = latest_drills(audit, profile)
    rows = []
    for scheduled in SCHEDULE:
        result = latest.get(scheduled.drill)
        rows.append(ChecklistRow(scheduled, result, *_state(result, now)))
    return rows


def _state(result: DrillResult | None, now: dt.datetime) -> tuple[Verdict, str]:
    if result is None:
        return Verdict.WARN, "never run"
    age = format_duration(now - result.at)
    if not result.succeeded:
        return Verdict.FAIL, f"failed {age} ago"
    if now - result.at > DRILL_MAX_AGE:
        return Verdict.WARN, f"due: last {age} ago"
    return Verdict.OK, f"done {age} ago"
