"""Shared helpers of the admin-service tests: the frozen clock, profiles for moto, demo actors."""

from __future__ import annotations

import datetime as dt

from console.config import Profile
from console.ops.audit import Actor, AuditLog
from console.ops.drills import record_drill
from console.ops.guide import Drill

NOW = dt.datetime(2026, 3, 14, 9, 26, tzinfo=dt.UTC)
UNREACHABLE = "http://127.0.0.1:1"  # nothing listens on port 1: a prompt "connection refused"


def frozen_clock() -> dt.datetime:
    return NOW


def profile_for(
    endpoint: str | None,
    environment: str = "demo",
    region: str = "us-east-1",
    keys: bool = True,
    aws_profile: str | None = None,
) -> Profile:
    """A profile for moto (dummy keys) or, with keys=False, one that must find credentials elsewhere."""
    return Profile(
        name="demo",
        environment=environment,
        api_url=UNREACHABLE,
        region=region,
        user_pool_id=f"{region}_demo",
        client_id="console",
        aws_endpoint_url=endpoint,
        aws_profile=aws_profile,
        aws_access_key_id="testing" if keys else None,
        aws_secret_access_key="testing" if keys else None,
    )


ADMIN = Actor(cognito_user="ops-admin", role="admin", os_user="operator", host="bastion")
SUPPORT = Actor(cognito_user="corner-support", role="support", os_user="operator", host="bastion")

# Each of the guide's monthly drills, measured within its scenario's target.
DRILL_TIMES = {
    Drill.DATABASE_FAILOVER: dt.timedelta(minutes=4),
    Drill.APPLICATION_RECOVERY: dt.timedelta(minutes=3),
    Drill.BACKUP_RESTORE: dt.timedelta(hours=2),
    Drill.CROSS_REGION: dt.timedelta(hours=3),
}


def drill(
    audit: AuditLog,
    kind: Drill,
    days_ago: float = 10,
    rto: dt.timedelta | None = None,
    succeeded: bool = True,
    profile: str = "demo",
) -> None:
    """Record a drill as done `days_ago` before NOW (in the same audit file)."""
    record_drill(
        AuditLog(audit.path, clock=lambda: NOW - dt.timedelta(days=days_ago)),
        actor=ADMIN,
        profile=profile,
        environment="demo",
        drill=kind,
        succeeded=succeeded,
        rto=rto if rto is not None else DRILL_TIMES[kind],
        rpo=dt.timedelta(0),
        notes="" if succeeded else "replica lagged; failover aborted",
    )
