"""Actions and the engine where moto cannot go (botocore Stubber): tasks that never reach the wanted count, a failed
deployment, a failover that does not finish within the RTO; the 20-session cap; steps taken out of order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from aws_world import REGION, StubbedClients, cluster
from ops_testkit import ADMIN, NOW, profile_for

from console.ops.audit import AuditLog
from console.ops.runbooks.actions import Env, run_action
from console.ops.runbooks.checks import CheckOutcome
from console.ops.runbooks.db_actions import SessionParams, TerminateSession
from console.ops.runbooks.ecs_actions import ScaleParams, ScaleService
from console.ops.runbooks.engine import RunbookRun, StepError, StepStatus
from console.ops.runbooks.loader import find_runbook
from console.ops.runbooks.rds_actions import FailoverCluster, FailoverParams

PROFILE = profile_for("http://stubbed")
SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/shop-management-cluster/shop-management-api"


class Clock:
    """Time that moves only when the action sleeps."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def service(desired: int, running: int, pending: int = 0, rollout: str = "IN_PROGRESS") -> dict[str, Any]:
    return {
        "services": [
            {
                "serviceArn": SERVICE_ARN,
                "serviceName": "shop-management-api",
                "status": "ACTIVE",
                "desiredCount": desired,
                "runningCount": running,
                "pendingCount": pending,
                "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": rollout}],
            }
        ],
        "failures": [],
    }


SCALING = {
    "ScalableTargets": [
        {
            "ServiceNamespace": "ecs",
            "ResourceId": "service/shop-management-cluster/shop-management-api",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 2,
            "MaxCapacity": 10,
            "RoleARN": "arn:aws:iam::123456789012:role/scaling",
            "CreationTime": NOW,
        }
    ]
}


def env(clients: StubbedClients, tmp_path: Path, clock: Clock) -> Env:
    return Env(
        PROFILE, ADMIN, clients, AuditLog(tmp_path / "audit.jsonl"), write_mode=True, clock=clock, sleep=clock.sleep
    )


def scale_stub(*observed: dict[str, Any]) -> StubbedClients:
    clients = StubbedClients()
    ecs = clients.add("ecs", REGION)
    clients.add("application-autoscaling", REGION).add_response("describe_scalable_targets", SCALING)
    ecs.add_response("describe_services", service(2, 2))
    ecs.add_response("update_service", {"service": service(4, 2, 2)["services"][0]})
    for answer in observed:
        ecs.add_response("describe_services", answer)
    return clients


def test_tasks_that_never_start_leave_the_scale_unverified(tmp_path: Path) -> None:
    clock = Clock()
    clients = scale_stub(*[service(4, 3, 1)] * 61)  # every 10 s for 10 minutes, and once more at the deadline
    the_env = env(clients, tmp_path, clock)
    action = ScaleService()
    preview = action.preview(ScaleParams(desired_count=4), the_env, {})
    outcome = run_action(action, preview, env=the_env, confirmation="yes", context={"screen": "test"})
    clients.assert_all_used()
    assert (outcome.status, outcome.detail) == (
        "unverified",
        "shop-management-api not at 4 running after 10 min: 3 of 4 running, 1 pending",
    )


def test_a_failed_deployment_fails_the_scale(tmp_path: Path) -> None:
    clock = Clock()
    clients = scale_stub(service(4, 2, 2), service(4, 2, 0, rollout="FAILED"))
    the_env = env(clients, tmp_path, clock)
    action = ScaleService()
    preview = action.preview(ScaleParams(desired_count=4), the_env, {})
    outcome = run_action(action, preview, env=the_env, confirmation="yes", context={"screen": "test"})
    assert (outcome.status, outcome.detail) == (
        "failed",
        "shop-management-api: deployment failed (2 of 4 running, 0 pending)",
    )
    assert [r.outcome for r in the_env.audit.records()] == ["executed", "failed"]


def test_a_failover_that_does_not_finish_within_the_rto_is_unverified(tmp_path: Path) -> None:
    clock = Clock()
    clients = StubbedClients()
    rds = clients.add("rds", REGION)
    rds.add_response("describe_db_clusters", {"DBClusters": [cluster()]})
    rds.add_response("failover_db_cluster", {"DBCluster": cluster(Status="failing-over")})
    for _ in range(61):  # every 15 s for 15 minutes, and once more at the deadline
        rds.add_response("describe_db_clusters", {"DBClusters": [cluster(Status="failing-over")]})
    the_env = env(clients, tmp_path, clock)
    action = FailoverCluster()
    preview = action.preview(FailoverParams(), the_env, {})
    assert preview.confirm_phrase == "shop-management-aurora"
    outcome = run_action(action, preview, env=the_env, confirmation="shop-management-aurora", context={})
    clients.assert_all_used()
    assert outcome.status == "unverified"
    assert outcome.detail == (
        "shop-management-aurora-1 not the available writer after 15 min: "
        "writer shop-management-aurora-2, cluster failing-over"
    )


def test_the_writer_cannot_fail_over_to_itself(tmp_path: Path) -> None:
    clients = StubbedClients()
    clients.add("rds", REGION).add_response("describe_db_clusters", {"DBClusters": [cluster()]})
    preview = FailoverCluster().preview(
        FailoverParams(target_instance="shop-management-aurora-2"), env(clients, tmp_path, Clock()), {}
    )
    assert preview.blocked == "shop-management-aurora-2 is the writer already"


def test_at_most_20_sessions_per_confirmation(tmp_path: Path) -> None:
    rows = tuple({"pid": 1000 + n, "backend_start": NOW.isoformat(), "api_session": False} for n in range(21))
    finding = CheckOutcome("idle", "Idle", Any, 21, "21", "", "", "", NOW, rows=rows)  # type: ignore[arg-type]
    preview = TerminateSession().preview(
        SessionParams(from_steps=("idle",)), env(StubbedClients(), tmp_path, Clock()), {"idle": finding}
    )
    assert preview.blocked == "21 sessions chosen: at most 20 per confirmation (give pids)"
    assert preview.confirm_phrase == "terminate 21 sessions"


def test_steps_go_in_order(tmp_path: Path) -> None:
    run = RunbookRun(find_runbook("manual-backup"), env(StubbedClients(), tmp_path, Clock()))
    with pytest.raises(StepError, match="step snapshot is an action step, not a check"):
        run.run_check()
    with pytest.raises(StepError, match="not an approval"):
        run.approve("uploaded")
    with pytest.raises(StepError, match="preview it first"):
        run.confirm_and_run("y")
    run.skip("taken already this morning")
    assert run.state("snapshot").status is StepStatus.SKIPPED
    assert run.approve("uploaded") and run.done
    with pytest.raises(StepError, match="the run is over"):
        run.skip("again")
    skip, approval = run.env.audit.records()
    assert (skip.action, skip.outcome, skip.detail) == ("runbook.skip", "skipped", "taken already this morning")
    assert (approval.action, approval.confirmation, approval.context["step"]) == (
        "runbook.approve",
        "uploaded",
        "schema-dump",
    )
