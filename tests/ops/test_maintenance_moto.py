"""The maintenance runbook family against the local stack (moto seeded from the guide; shop-api on SQLite): each
check reads what was seeded (the certificate 24 days from expiry, the uploads bucket's two lifecycle rules, no
stream past retention), the database check is unknown on SQLite with shop-api's reason, every run is in the audit
log, and the maintenance status says which task is overdue. The stream deletion, which needs streams older than
moto can make, runs against botocore Stubber."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from ops_testkit import ADMIN
from runbooks_testkit import signed_in, stack_profile_for

from backend.devstack import seed_acm
from console.config import Profile
from console.demo import StackInfo
from console.ops.audit import AuditLog
from console.ops.aws import AwsClients
from console.ops.checks import Verdict
from console.ops.maintenance import task_statuses
from console.ops.runbooks.actions import Env, Risk, run_action
from console.ops.runbooks.engine import RunbookRun, StepStatus
from console.ops.runbooks.loader import find_runbook, load_all
from console.ops.runbooks.maintenance_actions import DeleteLogStreams, DeleteStreamsParams

LOG_GROUP = "/aws/ecs/shop-management-api"


@pytest.fixture(scope="module")
def profile(stack: StackInfo) -> Profile:
    return stack_profile_for(stack, "maintenance")


@pytest.fixture(scope="module")
def api(profile: Profile, stack: StackInfo) -> Any:
    session, _signed_in = signed_in(profile, stack, "ops-admin")
    return session.api


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


def run_checks(name: str, env: Env) -> RunbookRun:
    run = RunbookRun(find_runbook(name), env, {})
    while (state := run.next_step()) is not None and state.step.kind == "check":
        run.run_check()
    return run


def test_the_checks_read_what_was_seeded(profile: Profile, api: Any, audit: AuditLog) -> None:
    env = Env(profile, ADMIN, AwsClients(profile), audit, api=api)
    certificate = run_checks("maintenance-certificates", env).state("certificate")
    assert certificate.status is StepStatus.FAILED and certificate.check is not None
    assert certificate.check.actual is not None
    assert seed_acm.CERTIFICATE_DAYS_LEFT - 1 < certificate.check.actual <= seed_acm.CERTIFICATE_DAYS_LEFT
    assert certificate.check.rows[0]["status"] == "ISSUED" and certificate.check.target_text == "fail when < 30 days"
    lifecycle = run_checks("maintenance-s3-lifecycle", env).state("lifecycle")
    assert lifecycle.status is StepStatus.PASSED and lifecycle.check and lifecycle.check.actual == 2
    assert [r["rule"] for r in lifecycle.check.rows] == ["uploads-tiering", "expire-temporary-files"]
    streams = run_checks("maintenance-log-retention", env).state("old-streams")
    assert streams.status is StepStatus.PASSED and streams.check and streams.check.actual == 0
    indexes = run_checks("maintenance-database", env).state("unused-indexes")
    assert indexes.status is StepStatus.UNKNOWN and indexes.check is not None
    assert "PostgreSQL" in indexes.check.actual_text  # shop-api's 501 on SQLite, in its words
    checked = {r.context["runbook"] for r in audit.records(action="runbook.check")}
    assert checked == {
        "maintenance-certificates",
        "maintenance-s3-lifecycle",
        "maintenance-log-retention",
        "maintenance-database",
    }


def test_database_maintenance_is_blocked_on_sqlite(profile: Profile, api: Any, audit: AuditLog) -> None:
    env = Env(profile, ADMIN, AwsClients(profile), audit, api=api, write_mode=True)
    run = run_checks("maintenance-database", env)
    preview = run.preview_action()
    assert preview.risk is Risk.LOW and preview.blocked and "PostgreSQL" in preview.blocked


def test_overdue_from_the_audit_log(profile: Profile, api: Any, tmp_path: Path) -> None:
    runbooks, _problems = load_all()
    now = dt.datetime.now(dt.UTC)
    audit = AuditLog(tmp_path / "audit.jsonl", clock=lambda: now - dt.timedelta(days=9))
    statuses = {s.name: s for s in task_statuses(runbooks, audit, profile.name, now)}
    assert list(statuses) == [
        "maintenance-certificates",
        "maintenance-log-retention",
        "maintenance-s3-lifecycle",
        "maintenance-database",
    ]
    assert all(s.verdict is Verdict.WARN and s.due == "never run" for s in statuses.values())
    run_checks("maintenance-s3-lifecycle", Env(profile, ADMIN, AwsClients(profile), audit, api=api))
    lifecycle = next(s for s in task_statuses(runbooks, audit, profile.name, now) if s.name.endswith("lifecycle"))
    assert lifecycle.verdict is Verdict.WARN and lifecycle.due == "overdue by 2 d"
    assert lifecycle.last is not None and lifecycle.last.by == "ops-admin"
    audit.clock = lambda: now - dt.timedelta(days=1)
    run_checks("maintenance-s3-lifecycle", Env(profile, ADMIN, AwsClients(profile), audit, api=api))
    lifecycle = next(s for s in task_statuses(runbooks, audit, profile.name, now) if s.name.endswith("lifecycle"))
    assert lifecycle.verdict is Verdict.OK and lifecycle.due == "due in 6 d"


class _Logs:
    """A ClientSource whose logs client is a stubbed one (moto cannot backdate a stream's creationTime)."""

    def __init__(self, client: Any) -> None:
        self.logs = client

    def client(self, service: str, region: str | None = None) -> Any:
        assert service == "logs"
        return self.logs


def test_old_streams_are_deleted_only_with_the_typed_phrase(profile: Profile, tmp_path: Path) -> None:
    now = dt.datetime(2026, 3, 14, 9, 26, tzinfo=dt.UTC)
    logs = boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(logs)

    def listing(*names_and_ages: tuple[str, int]) -> dict[str, Any]:
        return {
            "logStreams": [
                {
                    "logStreamName": name,
                    "creationTime": int((now - dt.timedelta(days=age)).timestamp() * 1000),
                    "storedBytes": 1000,
                }
                for name, age in names_and_ages
            ]
        }

    everything = listing(("ip-10-0-1-23-old", 45), ("ip-10-0-2-47-old", 31), ("ip-10-0-1-23-new", 2))
    for _ in range(2):  # the cancelled run's preview and the confirmed run's
        stubber.add_response("describe_log_streams", everything, {"logGroupName": LOG_GROUP})
    for name in ("ip-10-0-1-23-old", "ip-10-0-2-47-old"):
        stubber.add_response("delete_log_stream", {}, {"logGroupName": LOG_GROUP, "logStreamName": name})
    stubber.add_response("describe_log_streams", listing(("ip-10-0-1-23-new", 2)), {"logGroupName": LOG_GROUP})
    stubber.activate()
    audit = AuditLog(tmp_path / "audit.jsonl", clock=lambda: now)
    env = Env(profile, ADMIN, _Logs(logs), audit, write_mode=True, clock=lambda: now, sleep=lambda _: None)
    action = DeleteLogStreams()
    preview = action.preview(DeleteStreamsParams(), env, {})
    assert preview.risk is Risk.HIGH and preview.confirm_phrase == "delete 2 streams"
    assert preview.inputs["streams"] == ["ip-10-0-1-23-old", "ip-10-0-2-47-old"]
    assert run_action(action, preview, env=env, confirmation="yes", context={}).status == "cancelled"
    outcome = run_action(
        action, action.preview(DeleteStreamsParams(), env, {}), env=env, confirmation="delete 2 streams", context={}
    )
    assert outcome.status == "verified", outcome.detail
    stubber.assert_no_pending_responses()
    assert [r.outcome for r in audit.records(action="logs.delete_log_streams")] == ["cancelled", "executed", "verified"]
