"""`rds.failover_cluster`: the disaster-recovery "database" scenario (`aws rds failover-db-cluster`): make the
named reader the Aurora cluster's writer. High risk: every connection to the writer drops while it switches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict

from console.ops.aws import describe_error, error_code
from console.ops.checks import format_duration
from console.ops.guide import SCENARIOS, Resources
from console.ops.runbooks.actions import Action, Env, Executed, Observation, Preview, Risk

DATABASE_RTO = next(s.rto for s in SCENARIOS if s.key == "database")


class FailoverParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: str = Resources().cluster
    target_instance: str = Resources().failover_target


@dataclass(frozen=True)
class FailoverPlan:
    cluster: str
    writer: str | None
    target: str


class FailoverCluster(Action[FailoverParams]):
    name = "rds.failover_cluster"
    risk = Risk.HIGH
    params = FailoverParams
    operation = "FailoverDBCluster"
    verify_timeout = DATABASE_RTO  # the guide's RTO for a database failure
    poll = dt.timedelta(seconds=15)

    def preview(self, params: FailoverParams, env: Env, findings: Mapping[str, Any]) -> Preview:
        writer: str | None = None
        details: tuple[str, ...] = ()
        blocked: str | None = None
        try:
            cluster = _cluster(env, params.cluster)
            members = cluster.get("DBClusterMembers", [])
            writer = next((m["DBInstanceIdentifier"] for m in members if m.get("IsClusterWriter")), None)
            details = (
                "members: "
                + ", ".join(
                    f"{m['DBInstanceIdentifier']} ({'writer' if m.get('IsClusterWriter') else 'reader'})"
                    for m in members
                ),
            )
            if cluster.get("Status") != "available":
                blocked = f"the cluster is {cluster.get('Status')}; a failover needs it available"
            elif params.target_instance not in {m["DBInstanceIdentifier"] for m in members}:
                blocked = f"{params.target_instance} is not a member of {params.cluster}"
            elif params.target_instance == writer:
                blocked = f"{params.target_instance} is the writer already"
        except (BotoCoreError, ClientError) as exc:
            not_found = error_code(exc) == "DBClusterNotFoundFault"
            blocked = (
                f"cluster {params.cluster} not found"
                if not_found
                else f"cannot read the cluster: {describe_error(exc)}"
            )
        return Preview(
            action=self.name,
            risk=self.risk,
            summary=f"FailoverDBCluster {params.cluster}: writer {writer or 'unknown'} → {params.target_instance}",
            details=details,
            api_calls=(
                f"rds:FailoverDBCluster DBClusterIdentifier={params.cluster} "
                f"TargetDBInstanceIdentifier={params.target_instance}",
            ),
            cli=(
                f"aws rds failover-db-cluster --db-cluster-identifier {params.cluster} "
                f"--target-db-instance-identifier {params.target_instance} --region {env.profile.region}",
            ),
            verify=(
                f"wait until {params.target_instance} is the writer and the cluster is available "
                f"(up to {format_duration(self.verify_timeout)}: the guide's RTO)"
            ),
            notes=("connections to the writer drop for about a minute while it switches; shop-api reconnects",),
            inputs=params.model_dump(),
            subject=FailoverPlan(params.cluster, writer, params.target_instance),
            confirm_phrase=params.cluster,
            blocked=blocked,
        )

    def execute(self, preview: Preview, env: Env) -> Executed:
        plan: FailoverPlan = preview.subject
        env.clients.client("rds").failover_db_cluster(
            DBClusterIdentifier=plan.cluster, TargetDBInstanceIdentifier=plan.target
        )
        return Executed(f"FailoverDBCluster accepted: {plan.cluster} writer {plan.writer} → {plan.target}", plan)

    def observe(self, executed: Executed, env: Env) -> Observation:
        plan: FailoverPlan = executed.subject
        cluster = _cluster(env, plan.cluster)
        writer = next(
            (m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", []) if m.get("IsClusterWriter")), None
        )
        status = cluster.get("Status")
        if writer == plan.target and status == "available":
            return Observation("verified", f"{plan.target} is the writer; cluster available")
        return Observation(None, f"writer {writer}, cluster {status}")

    def pending(self, executed: Executed) -> str:
        return f"{executed.subject.target} not the available writer"


def _cluster(env: Env, name: str) -> dict[str, Any]:
    return env.clients.client("rds").describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]
