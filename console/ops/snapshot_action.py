"""The write-mode action "take manual snapshot now": the guide's manual backup procedure (backup-database.sh).

It is the registry's `rds.create_cluster_snapshot` (runbooks run it too) and runs as every action does (see
console.ops.runbooks.actions), each step recorded in the audit log under one action id:
1. `preview_manual_snapshot` resolves what will happen: the cluster and its state, the snapshot name
   `manual-backup-<date>`, the API call and the equivalent AWS CLI command. Reading only.
2. `take_manual_snapshot` refuses unless the user may act (admin, --write, online) and confirmed (y/n: it only
   adds a snapshot); then it calls CreateDBClusterSnapshot.
3. It verifies as the guide does (describe-db-cluster-snapshots): it waits until the snapshot is `available`, up
   to a timeout; a snapshot still creating then is "unverified", not failed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from console.config import Profile
from console.ops.audit import Actor, AuditLog
from console.ops.aws import ClientSource, describe_error, error_code
from console.ops.checks import format_duration
from console.ops.guide import Resources
from console.ops.runbooks.actions import Action, Env, Executed, Observation, Preview, Risk, Status, run_action
from offline_cache.clock import Clock, system_clock

ACTION = "rds.create_cluster_snapshot"
VERIFY_TIMEOUT = dt.timedelta(minutes=30)
VERIFY_POLL = dt.timedelta(seconds=15)


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
        return self.as_preview().text

    def as_preview(self) -> Preview:
        return Preview(
            action=ACTION,
            risk=Risk.LOW,
            summary=(
                f"Create cluster snapshot {self.snapshot_id} of {self.cluster} ({self.region}; "
                f"cluster {self.cluster_status or 'state unknown'})"
            ),
            api_calls=(self.api_call,),
            cli=(self.cli,),
            verify=f"wait until it is 'available' (up to {format_duration(VERIFY_TIMEOUT)})",
            inputs={"cluster": self.cluster, "snapshot_id": self.snapshot_id, "region": self.region},
            subject=self,
            blocked=self.blocked,
        )


@dataclass(frozen=True)
class SnapshotOutcome:
    status: Status
    detail: str
    snapshot_id: str
    action_id: str


def preview_manual_snapshot(
    profile: Profile,
    clients: ClientSource,
    clock: Clock = system_clock,
    resources: Resources | None = None,
    snapshot_id: str | None = None,
) -> SnapshotPreview:
    res = resources or Resources()
    name = snapshot_id or snapshot_name(clock())
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
    env = Env(profile, actor, clients, audit, write_mode=write_mode, offline=offline, clock=clock, sleep=sleep)
    outcome = run_action(
        CreateClusterSnapshot(),
        preview.as_preview(),
        env=env,
        confirmation=confirmation,
        context=context or {"screen": "backups"},
        verify_timeout=verify_timeout,
        poll=poll,
    )
    return SnapshotOutcome(outcome.status, outcome.detail, preview.snapshot_id, outcome.action_id)


class SnapshotParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: str = Resources().cluster
    # Empty: `manual-backup-<now>`, as the guide names them.
    snapshot_id: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9-]{0,254}$")


class CreateClusterSnapshot(Action[SnapshotParams]):
    name = ACTION
    risk = Risk.LOW  # adds a snapshot; changes nothing that exists
    params = SnapshotParams
    operation = "CreateDBClusterSnapshot"
    verify_timeout = VERIFY_TIMEOUT
    poll = VERIFY_POLL

    def preview(self, params: SnapshotParams, env: Env, findings: Mapping[str, Any]) -> Preview:
        resources = Resources(cluster=params.cluster)
        return preview_manual_snapshot(env.profile, env.clients, env.clock, resources, params.snapshot_id).as_preview()

    def execute(self, preview: Preview, env: Env) -> Executed:
        shown: SnapshotPreview = preview.subject
        env.clients.client("rds").create_db_cluster_snapshot(
            DBClusterIdentifier=shown.cluster, DBClusterSnapshotIdentifier=shown.snapshot_id
        )
        return Executed(f"CreateDBClusterSnapshot accepted {shown.snapshot_id}", shown)

    def observe(self, executed: Executed, env: Env) -> Observation:
        """The guide's "Verify backup": describe the snapshot until it is available or failed."""
        snapshot_id = executed.subject.snapshot_id
        answer = env.clients.client("rds").describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=snapshot_id)
        snapshot = answer["DBClusterSnapshots"][0]
        state, progress = snapshot.get("Status", "unknown"), snapshot.get("PercentProgress", 0)
        if state == "available":
            return Observation("verified", f"{snapshot_id} is available ({progress} %)")
        if state not in ("creating", "copying"):
            return Observation("failed", f"{snapshot_id} is {state}")
        return Observation(None, f"{state} ({progress} %)")

    def pending(self, executed: Executed) -> str:
        return f"{executed.subject.snapshot_id} not available"
