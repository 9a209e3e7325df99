"""The write-mode action "take manual snapshot now": the guide's manual backup procedure (backup-database.sh).

Three steps, each recorded in the audit log under one action id:
1. `preview_manual_snapshot` resolves what will happen: the cluster and its state, the snapshot name
   `manual-backup-<date>`, the API call and the equivalent AWS CLI command. Reading only.
2. `take_manual_snapshot` refuses unless the user may act (admin, --write, online) and confirmed; then it calls
   CreateDBClusterSnapshot.
3. It verifies as the guide does (describe-db-cluster-snapshots): it waits until the snapshot is `available`, up
   to a timeout; a snapshot still creating then is "unverified", not failed.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from console.config import Profile
from console.ops.audit import Actor, AuditLog
from console.ops.aws import ClientSource, describe_error, error_code
from console.ops.checks import format_duration
from console.ops.guide import Resources
from console.ops.write_mode import refusal
from offline_cache.clock import Clock, system_clock

ACTION = "rds.create_cluster_snapshot"
RISK = "low"  # adds a snapshot; changes nothing that exists
CONFIRMATIONS = ("y", "yes")  # a low-risk action asks y/n
VERIFY_TIMEOUT = dt.timedelta(minutes=30)
VERIFY_POLL = dt.timedelta(seconds=15)

Status = Literal["verified", "unverified", "failed", "refused", "cancelled"]


def snapshot_name(moment: dt.datetime) -> str:
    """`manual-backup-<date>`: the guide's `date +%Y%m%d_%H%M%S`, with a hyphen, since RDS identifiers allow no
    underscore."""
    return f"manual-backup-{moment.astimezone(dt.UTC):%Y%m%d-%H%M%S}"


@dataclass(frozen=True)
class SnapshotPreview:
    cluster: str
    snapshot_id: str
    region: str
    cluster_status: str | None  # as read for the preview; None when it could not be read
    blocked: str | None  # why it cannot run now, or None

    @property
    def api_call(self) -> str:
        return (
            f"rds:CreateDBClusterSnapshot DBClusterIdentifier={self.cluster} "
            f"DBClusterSnapshotIdentifier={self.snapshot_id}"
        )

    @property
    def cli(self) -> str:
        return (
            f"aws rds create-db-cluster-snapshot --db-cluster-identifier {self.cluster} "
            f"--db-cluster-snapshot-identifier {self.snapshot_id} --region {self.region}"
        )

    @property
    def text(self) -> str:
        lines = [
            f"Create cluster snapshot {self.snapshot_id} of {self.cluster} ({self.region}; "
            f"cluster {self.cluster_status or 'state unknown'})",
            f"  call:   {self.api_call}",
            f"  verify: wait until it is 'available' (up to {format_duration(VERIFY_TIMEOUT)})",
            f"  cli:    {self.cli}",
        ]
        if self.blocked:
            lines.append(f"  cannot run now: {self.blocked}")
        return "\n".join(lines)


@dataclass(frozen=True)
class SnapshotOutcome:
    status: Status
    detail: str
    snapshot_id: str
    action_id: str


def preview_manual_snapshot(
    profile: Profile, clients: ClientSource, clock: Clock = system_clock, resources: Resources | None = None
) -> SnapshotPreview:
    res = resources or Resources()
    name = snapshot_name(clock())
    status: str | None = None
    blocked: str | None = None
    try:
        clusters = clients.client("rds").describe_db_clusters(DBClusterIdentifier=res.cluster)["DBClusters"]
        status = clusters[0].get("Status", "unknown")
        if status != "available":
            blocked = f"the cluster is {status}; a snapshot needs it available"
    except (BotoCoreError, ClientError) as exc:
        not_found = error_code(exc) == "DBClusterNotFoundFault"
        blocked = f"cluster {res.cluster} not found" if not_found else f"cannot read the cluster: {describe_error(exc)}"
    return SnapshotPreview(res.cluster, name, profile.region, status, blocked)


def take_manual_snapshot(
    preview: SnapshotPreview,
    *,
    profile: Profile,
    clients: ClientSource,
    actor: Actor,
    write_mode: bool,
    offline: bool,
    confirmation: str,
    audit: AuditLog,
    context: dict[str, str] | None = None,
    clock: Clock = system_clock,
    sleep: Callable[[float], None] = time.sleep,
    verify_timeout: dt.timedelta = VERIFY_TIMEOUT,
    poll: dt.timedelta = VERIFY_POLL,
) -> SnapshotOutcome:
    """Run the previewed action. Never raises for AWS errors: every outcome is returned and audited."""
    action_id = str(uuid.uuid4())
    inputs = {"cluster": preview.cluster, "snapshot_id": preview.snapshot_id, "region": preview.region}

    def record(status: str, detail: str) -> None:
        audit.record(
            actor=actor,
            profile=profile.name,
            environment=profile.environment,
            action=ACTION,
            action_id=action_id,
            context=context or {"screen": "backups"},
            inputs=inputs,
            preview=preview.text,
            confirmation=confirmation,
            outcome=status,
            detail=detail,
        )

    def finish(status: Status, detail: str) -> SnapshotOutcome:
        record(status, detail)
        return SnapshotOutcome(status, detail, preview.snapshot_id, action_id)

    refused = refusal(actor.role, write_mode, offline)
    if refused:
        return finish("refused", refused)
    if confirmation.strip().lower() not in CONFIRMATIONS:
        return finish("cancelled", "not confirmed")
    if preview.blocked:
        return finish("failed", preview.blocked)
    try:
        rds = clients.client("rds")
        rds.create_db_cluster_snapshot(
            DBClusterIdentifier=preview.cluster, DBClusterSnapshotIdentifier=preview.snapshot_id
        )
    except (BotoCoreError, ClientError) as exc:
        return finish("failed", f"CreateDBClusterSnapshot: {describe_error(exc)}")
    # Recorded before the wait, so that a console closed while verifying still leaves the snapshot on record.
    record("executed", f"CreateDBClusterSnapshot accepted {preview.snapshot_id}")
    status, detail = _verify(rds, preview.snapshot_id, clock, sleep, verify_timeout, poll)
    return finish(status, detail)


def _verify(
    rds: Any,
    snapshot_id: str,
    clock: Clock,
    sleep: Callable[[float], None],
    timeout: dt.timedelta,
    poll: dt.timedelta,
) -> tuple[Status, str]:
    """The guide's "Verify backup": describe the snapshot until it is available, failed, or the time is up."""
    deadline = clock() + timeout
    last = "not described yet"
    while True:
        try:
            snapshot = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=snapshot_id)["DBClusterSnapshots"][
                0
            ]
            state, progress = snapshot.get("Status", "unknown"), snapshot.get("PercentProgress", 0)
            if state == "available":
                return "verified", f"{snapshot_id} is available ({progress} %)"
            if state not in ("creating", "copying"):
                return "failed", f"{snapshot_id} is {state}"
            last = f"{state} ({progress} %)"
        except (BotoCoreError, ClientError) as exc:  # a passing error while waiting: keep waiting, say so at the end
            last = describe_error(exc)
        if clock() >= deadline:
            return "unverified", f"{snapshot_id} not available after {format_duration(timeout)}: {last}"
        sleep(poll.total_seconds())
