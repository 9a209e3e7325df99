"""Deployments against the local stack (moto seeded from the guide): the facts are what was seeded, a profile of
another environment sees the drift, `ecs.force_new_deployment` is previewed read-only and runs only in write mode,
verified and audited, and the headless command prints the same facts. The stack is shared: tests put back what they
change."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from ops_testkit import ADMIN, SUPPORT
from runbooks_testkit import aws, stack_profile_for

from backend.devstack import seed_ecs
from backend.devstack.names import API_SERVICE, CLUSTER, FRONTEND_SERVICE
from console.config import Profile
from console.demo import StackInfo
from console.ops.audit import AuditLog
from console.ops.aws import AwsClients
from console.ops.backups import EXIT_REFUSED
from console.ops.deployments import Drift, Scaling, collect_deployments, run_deployments_command
from console.ops.runbooks.actions import Env, Risk, run_action
from console.ops.runbooks.ecs_actions import ForceNewDeployment, ForceParams
from console.ops.runbooks.registry import ACTIONS


@pytest.fixture(scope="module")
def profile(stack: StackInfo) -> Profile:
    return stack_profile_for(stack, "deployments")


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
def scaled_back(profile: Profile) -> Iterator[None]:
    yield
    aws(profile, "ecs").update_service(cluster=CLUSTER, service=API_SERVICE, desiredCount=seed_ecs.DESIRED_COUNT)


def test_the_facts_are_what_was_seeded(profile: Profile) -> None:
    report = collect_deployments(profile)
    assert not isinstance(report.services, type(None))
    assert [s.name for s in report.services] == [API_SERVICE, FRONTEND_SERVICE]  # type: ignore[union-attr]
    api = report.service(API_SERVICE)
    assert (api.status, api.desired, api.running, api.pending) == ("ACTIVE", 2, 2, 0)
    assert (api.cpu, api.memory, api.launch_type) == (512, 1024, "FARGATE")  # the guide's 512/1024
    assert api.task_definition == f"{API_SERVICE}:1"
    assert api.scaling == Scaling(seed_ecs.MIN_CAPACITY, seed_ecs.MAX_CAPACITY, seed_ecs.TARGET_CPU)
    (deployment,) = api.deployments
    assert (deployment.status, deployment.rollout_state, deployment.running) == ("PRIMARY", "COMPLETED", 2)
    assert deployment.task_definition == f"{API_SERVICE}:1" and deployment.created is not None
    assert api.steady
    frontend = report.service(FRONTEND_SERVICE)
    assert frontend.scaling is None  # the guide scales only the API
    assert report.expected == "production"  # the demo profile is held to production


def test_drift_shows_the_expected_and_actual_value(profile: Profile) -> None:
    development = collect_deployments(profile.model_copy(update={"environment": "development"}))
    assert development.expected == "development"
    drifts = {(d.subject, d.setting): d for d in development.drifts}
    assert drifts[(API_SERVICE, "desired count")] == Drift(
        API_SERVICE, "desired count", "1", "2", "guide: development environment"
    )
    assert drifts[(API_SERVICE, "task CPU")].expected == "256" and drifts[(API_SERVICE, "task CPU")].actual == "512"
    assert drifts[("shop-management-aurora", "instance class")].actual == "db.r6g.large"
    assert development.exit_code == 1
    production = collect_deployments(profile)
    assert not any(d.subject == API_SERVICE for d in production.drifts)


def test_a_scaled_down_production_service_drifts(profile: Profile, scaled_back: None) -> None:
    aws(profile, "ecs").update_service(cluster=CLUSTER, service=API_SERVICE, desiredCount=1)
    drift = next(d for d in collect_deployments(profile).drifts if d.setting == "desired count")
    assert drift.line() == (f"{API_SERVICE}: desired count is 1, expected 2 (guide: production environment)")


def test_force_new_deployment_is_previewed_read_only_and_refused(profile: Profile, audit: AuditLog) -> None:
    env = Env(profile, ADMIN, AwsClients(profile), audit, write_mode=False)
    action = ACTIONS["ecs.force_new_deployment"]
    before = aws(profile, "ecs").describe_services(cluster=CLUSTER, services=[API_SERVICE])["services"][0]
    preview = action.preview(ForceParams(), env, {})
    assert preview.risk is Risk.MEDIUM and preview.blocked is None
    assert preview.cli == (
        f"aws ecs update-service --cluster {CLUSTER} --service {API_SERVICE} --force-new-deployment --region us-east-1",
    )
    assert before["deployments"][0]["id"] in preview.details[0]
    outcome = run_action(action, preview, env=env, confirmation="yes", context={"screen": "deployments"})
    assert outcome.status == "refused" and "read-only" in outcome.detail
    after = aws(profile, "ecs").describe_services(cluster=CLUSTER, services=[API_SERVICE])["services"][0]
    assert after["deployments"][0]["id"] == before["deployments"][0]["id"]
    (record,) = audit.records(action="ecs.force_new_deployment")
    assert record.outcome == "refused"


def test_force_new_deployment_runs_in_write_mode_verified_and_audited(profile: Profile, audit: AuditLog) -> None:
    env = Env(profile, ADMIN, AwsClients(profile), audit, write_mode=True, sleep=lambda _: None)
    action = ForceNewDeployment()
    before = collect_deployments(profile).service(API_SERVICE).primary
    preview = action.preview(ForceParams(), env, {})
    assert run_action(action, preview, env=env, confirmation="y", context={}).status == "cancelled"  # "yes" only
    outcome = run_action(action, preview, env=env, confirmation="yes", context={"screen": "deployments"})
    assert outcome.status == "verified", outcome.detail
    after = collect_deployments(profile).service(API_SERVICE).primary
    assert before is not None and after is not None and after.id != before.id
    records = audit.records(action="ecs.force_new_deployment")
    assert [r.outcome for r in records] == ["cancelled", "executed", "verified"]
    assert records[1].result == {"deployment": after.id} and records[2].action_id == outcome.action_id
    assert records[2].context == {"screen": "deployments"} and records[2].confirmation == "yes"
    assert "--force-new-deployment" in (records[2].preview or "")


def test_support_cannot_force_a_deployment(profile: Profile, audit: AuditLog) -> None:
    env = Env(profile, SUPPORT, AwsClients(profile), audit, write_mode=True)
    action = ForceNewDeployment()
    outcome = run_action(action, action.preview(ForceParams(), env, {}), env=env, confirmation="yes", context={})
    assert outcome.status == "refused" and "admin" in outcome.detail


def test_the_headless_command(profile: Profile) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_deployments_command(profile, "support", True, out, err) == 0
    data = json.loads(out.getvalue())
    api = next(s for s in data["services"] if s["name"] == API_SERVICE)
    assert (api["desired"], api["cpu"], api["memory"], api["scaling"]["max"]) == (2, 512, 1024, 10)
    assert data["drifts"] == [] and data["expected_environment"] == "production"
    out = io.StringIO()
    assert run_deployments_command(profile.model_copy(update={"environment": "staging"}), "admin", False, out) == 1
    assert f"DRIFT  {API_SERVICE}: desired count is 2, expected 1" in out.getvalue()
    assert run_deployments_command(profile, "cashier", False, io.StringIO(), err) == EXIT_REFUSED
    assert "needs the admin or support role" in err.getvalue()
