""" "Take manual snapshot now" with stubbed RDS answers: who may, the preview, failures, and the verify wait."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aws_world import CLUSTER, REGION, StubbedClients, cluster, snapshot
from ops_testkit import ADMIN, NOW, SUPPORT, frozen_clock, profile_for

from console.ops.audit import Actor, AuditLog
from console.ops.snapshot_action import (
    SnapshotPreview,
    preview_manual_snapshot,
    snapshot_name,
    take_manual_snapshot,
)

NAME = "manual-backup-20260314-092600"
PROFILE = profile_for("http://stubbed")


class Clock:
    """Time that moves only when the action sleeps."""

    def __init__(self) -> None:
        self.now = NOW
        self.sleeps: list[float] = []

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += dt.timedelta(seconds=seconds)


def rds_stub(*answers: tuple[str, Any]) -> StubbedClients:
    clients = StubbedClients()
    stub = clients.add("rds", REGION)
    for method, answer in answers:
        if isinstance(answer, tuple):
            stub.add_client_error(method, answer[0], answer[0], answer[1])
        else:
            stub.add_response(method, answer)
    return clients


def described(status: str, progress: int = 100) -> dict[str, Any]:
    return {"DBClusterSnapshots": [snapshot(NAME, "manual", dt.timedelta(0), status=status, progress=progress)]}


CREATED = ("create_db_cluster_snapshot", {"DBClusterSnapshot": snapshot(NAME, "manual", dt.timedelta(0), "creating")})


def preview(status: str = "available") -> SnapshotPreview:
    clients = rds_stub(("describe_db_clusters", {"DBClusters": [cluster(Status=status)]}))
    return preview_manual_snapshot(PROFILE, clients, frozen_clock)


def take(
    clients: StubbedClients,
    audit: AuditLog,
    actor: Actor = ADMIN,
    write_mode: bool = True,
    offline: bool = False,
    confirmation: str = "y",
    the_preview: SnapshotPreview | None = None,
    clock: Clock | None = None,
) -> Any:
    clock = clock or Clock()
    return take_manual_snapshot(
        the_preview or preview(),
        profile=PROFILE,
        clients=clients,
        actor=actor,
        write_mode=write_mode,
        offline=offline,
        confirmation=confirmation,
        audit=audit,
        clock=clock,
        sleep=clock.sleep,
        verify_timeout=dt.timedelta(minutes=2),
        poll=dt.timedelta(seconds=30),
    )


def test_the_name_follows_the_guide() -> None:
    assert snapshot_name(NOW) == NAME
    assert snapshot_name(dt.datetime(2026, 3, 14, 10, 26, tzinfo=dt.timezone(dt.timedelta(hours=1)))) == NAME


def test_preview_says_what_will_be_called() -> None:
    shown = preview()
    assert (shown.cluster, shown.snapshot_id, shown.cluster_status, shown.blocked) == (CLUSTER, NAME, "available", None)
    assert (
        shown.api_call
        == f"rds:CreateDBClusterSnapshot DBClusterIdentifier={CLUSTER} DBClusterSnapshotIdentifier={NAME}"
    )
    assert shown.cli == (
        f"aws rds create-db-cluster-snapshot --db-cluster-identifier {CLUSTER} "
        f"--db-cluster-snapshot-identifier {NAME} --region us-east-1"
    )
    assert shown.text.splitlines()[0] == f"Create cluster snapshot {NAME} of {CLUSTER} (us-east-1; cluster available)"


@pytest.mark.parametrize(
    ("answer", "blocked"),
    [
        ({"DBClusters": [cluster(Status="modifying")]}, "the cluster is modifying; a snapshot needs it available"),
        (("DBClusterNotFoundFault", 404), f"cluster {CLUSTER} not found"),
        (
            ("AccessDenied", 403),
            "cannot read the cluster: access denied to DescribeDBClusters: the AWS role lacks that permission",
        ),
    ],
)
def test_preview_says_why_it_cannot_run(answer: Any, blocked: str) -> None:
    shown = preview_manual_snapshot(PROFILE, rds_stub(("describe_db_clusters", answer)), frozen_clock)
    assert shown.blocked == blocked
    assert shown.text.endswith(f"cannot run now: {blocked}")


def test_runs_then_verifies_and_audits_both(audit: AuditLog) -> None:
    clock = Clock()
    clients = rds_stub(
        CREATED,
        ("describe_db_cluster_snapshots", described("creating", 40)),
        ("describe_db_cluster_snapshots", ("Throttling", 400)),
        ("describe_db_cluster_snapshots", described("available")),
    )
    outcome = take(clients, audit, clock=clock)
    clients.assert_all_used()
    assert (outcome.status, outcome.detail) == ("verified", f"{NAME} is available (100 %)")
    assert clock.sleeps == [30.0, 30.0]
    records = audit.records()
    assert [r.outcome for r in records] == ["executed", "verified"]
    assert {r.action_id for r in records} == {outcome.action_id}
    first = records[0]
    assert first.action == "rds.create_cluster_snapshot"
    assert first.inputs == {"cluster": CLUSTER, "snapshot_id": NAME, "region": "us-east-1"}
    assert first.confirmation == "y"
    assert first.context == {"screen": "backups"}
    assert first.preview and first.preview.startswith(f"Create cluster snapshot {NAME}")
    assert first.actor.cognito_user == "ops-admin"


def test_still_creating_at_the_deadline_is_unverified(audit: AuditLog) -> None:
    clients = rds_stub(CREATED, *[("describe_db_cluster_snapshots", described("creating", 10))] * 5)
    outcome = take(clients, audit)
    assert outcome.status == "unverified"
    assert outcome.detail == f"{NAME} not available after 2 min: creating (10 %)"


def test_a_snapshot_that_fails_is_reported(audit: AuditLog) -> None:
    outcome = take(rds_stub(CREATED, ("describe_db_cluster_snapshots", described("failed", 0))), audit)
    assert (outcome.status, outcome.detail) == ("failed", f"{NAME} is failed")


def test_a_refused_call_is_a_failed_outcome(audit: AuditLog) -> None:
    outcome = take(rds_stub(("create_db_cluster_snapshot", ("SnapshotQuotaExceeded", 400))), audit)
    assert outcome.status == "failed"
    assert outcome.detail.startswith("CreateDBClusterSnapshot: SnapshotQuotaExceeded")
    assert [r.outcome for r in audit.records()] == ["failed"]


def test_a_blocked_preview_does_not_call(audit: AuditLog) -> None:
    clients = rds_stub()  # nothing queued: any call would fail the test
    outcome = take(clients, audit, the_preview=preview("stopped"))
    assert (outcome.status, outcome.detail) == ("failed", "the cluster is stopped; a snapshot needs it available")


@pytest.mark.parametrize(
    ("actor", "write_mode", "offline", "reason"),
    [
        (SUPPORT, True, False, "actions need the admin role (yours: support)"),
        (ADMIN, False, False, "the console is read-only: start it with --write to run actions"),
        (ADMIN, True, True, "signed in offline: actions need an online sign-in"),
    ],
)
def test_only_an_online_admin_in_write_mode_may_run_it(
    audit: AuditLog, actor: Actor, write_mode: bool, offline: bool, reason: str
) -> None:
    outcome = take(rds_stub(), audit, actor=actor, write_mode=write_mode, offline=offline)
    assert (outcome.status, outcome.detail) == ("refused", reason)
    (refused,) = audit.records()
    assert (refused.outcome, refused.actor.role) == ("refused", actor.role)


@pytest.mark.parametrize("answer", ["n", "", "no", "maybe"])
def test_anything_but_yes_cancels(audit: AuditLog, answer: str) -> None:
    outcome = take(rds_stub(), audit, confirmation=answer)
    assert outcome.status == "cancelled"
    assert audit.records()[0].confirmation == answer
