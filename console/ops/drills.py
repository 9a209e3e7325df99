"""DR drill results (the guide's monthly Recovery Testing) as audit records, and the latest one of each drill.

A drill is recorded as an audit record with action `dr.drill`, `inputs.drill` naming the drill, outcome
`succeeded` or `failed`, and the measured recovery time and data loss in `result` (seconds). The backup checks read
the latest drill of each kind for the profile: its measured RTO is the scenario's actual figure, and a
backup-restore drill is "restore tested".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from console.ops.audit import Actor, AuditLog, AuditRecord
from console.ops.guide import Drill

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
