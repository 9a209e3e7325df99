"""Against the local stack (moto seeded from the guide by backend.devstack): the report's facts are what was
seeded, the headless command prints the same verdicts, and "take manual snapshot now" really creates one."""

from __future__ import annotations

import datetime as dt
import io
import json
from importlib.resources import files

import boto3
import pytest
from ops_testkit import ADMIN, SUPPORT, profile_for

from backend.devstack import seed_ecs, seed_rds, seed_s3
from backend.devstack.names import (
    BACKUP_BUCKET,
    DB_CLUSTER,
    DB_READER,
    DB_WRITER,
    REPLICA_BUCKET,
    REPLICA_REGION,
    UPLOADS_BUCKET,
)
from console.config import Profile
from console.demo import StackInfo
from console.ops.audit import AuditLog
from console.ops.aws import AwsClients
from console.ops.backup_facts import Bucket, Cluster, SchemaDump, Service, Unknown
from console.ops.backups import BackupReport, collect_report, run_backups_command
from console.ops.checks import Verdict
from console.ops.snapshot_action import preview_manual_snapshot, take_manual_snapshot


@pytest.fixture(scope="module")
def report(stack: StackInfo, tmp_path_factory: pytest.TempPathFactory) -> BackupReport:
    audit = AuditLog(tmp_path_factory.mktemp("audit") / "audit.jsonl")
    return collect_report(profile_for(stack.aws_endpoint_url, region=stack.region), audit=audit)


def seeded_at(report: BackupReport) -> dt.datetime:
    """The stack's clock at seeding: moto stamps the cluster's creation with it."""
    assert isinstance(report.facts.cluster, Cluster) and report.facts.cluster.created
    return report.facts.cluster.created


def test_cluster_facts_are_the_seeded_ones(report: BackupReport) -> None:
    cluster = report.facts.cluster
    assert isinstance(cluster, Cluster)
    assert (cluster.identifier, cluster.status, cluster.engine) == (DB_CLUSTER, "available", seed_rds.ENGINE)
    assert cluster.backup_retention_days == 30
    assert (cluster.backup_window, cluster.maintenance_window) == ("03:00-04:00", "sun:04:00-sun:05:00")
    assert cluster.deletion_protection and cluster.copy_tags_to_snapshot and cluster.storage_encrypted
    assert cluster.multi_az
    assert cluster.writer == DB_WRITER
    assert cluster.earliest_restorable and cluster.latest_restorable
    zones = {i.identifier: (i.availability_zone, i.status) for i in report.facts.instances}  # type: ignore[union-attr]
    assert zones == {DB_WRITER: ("us-east-1a", "available"), DB_READER: ("us-east-1b", "available")}


def test_snapshots_are_the_seeded_ones_newest_first(report: BackupReport) -> None:
    snapshots = report.facts.snapshots
    assert isinstance(snapshots, tuple)
    at = seeded_at(report)
    seeded_manual = {
        f"manual-backup-{(at - dt.timedelta(days=d)).replace(hour=12, minute=0, second=0):%Y%m%d-%H%M%S}"
        for d in seed_rds.MANUAL_SNAPSHOT_AGES_DAYS
    }
    assert seeded_manual <= {s.identifier for s in snapshots if s.kind == "manual"}
    automated = [s for s in snapshots if s.kind == "automated"]
    assert len(automated) == 1 and automated[0].identifier.startswith(f"rds:{DB_CLUSTER}-")
    assert all(s.status == "available" and s.encrypted for s in snapshots)
    created = [s.created for s in snapshots]
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]


def test_s3_facts_are_the_seeded_ones(report: BackupReport) -> None:
    at = seeded_at(report)
    dumps = [
        (at - dt.timedelta(days=d)).replace(hour=3, minute=30, second=0, microsecond=0)
        for d in seed_s3.SCHEMA_DUMP_DAYS
    ]
    dumps = [taken for taken in dumps if taken <= at]
    dump_size = len(files("backend.devstack").joinpath("schema_dump.sql").read_bytes())
    assert report.facts.backup_bucket == Bucket(BACKUP_BUCKET, len(dumps), len(dumps) * dump_size, True)
    dump = report.facts.schema_dump
    assert isinstance(dump, SchemaDump)
    assert dump.key == f"schema/schema_{max(dumps):%Y%m%d_%H%M%S}.sql"
    assert (dump.size, dump.looks_like_dump) == (dump_size, True)

    uploads_size = sum(len(body) for body, _ in seed_s3.UPLOADS.values())
    assert report.facts.uploads_bucket == Bucket(UPLOADS_BUCKET, len(seed_s3.UPLOADS), uploads_size, True)
    assert report.facts.uploads_versioning == "Enabled"
    (rule,) = report.facts.replication  # type: ignore[misc]
    expected = seed_s3.REPLICATION_RULE
    assert (rule.rule_id, rule.status, rule.prefix) == (expected["ID"], "Enabled", "uploads/")
    assert (rule.destination_bucket, rule.destination_region) == (REPLICA_BUCKET, REPLICA_REGION)
    assert rule.storage_class == "STANDARD_IA"


def test_other_facts(report: BackupReport) -> None:
    assert report.facts.api_service == Service(
        "shop-management-api",
        "ACTIVE",
        seed_ecs.DESIRED_COUNT,
        seed_ecs.DESIRED_COUNT,
        (seed_ecs.MIN_CAPACITY, seed_ecs.MAX_CAPACITY),
    )
    assert report.facts.region_copies == () and report.facts.global_secondary_regions == ()
    # moto has no AWS Backup restore testing: the fact is unknown, and says why.
    assert isinstance(report.facts.restore_tests, Unknown)
    assert "ListRestoreTestingPlans not available at this endpoint (HTTP 404)" in report.facts.restore_tests.reason


def test_verdicts_on_the_seeded_stack(report: BackupReport) -> None:
    verdicts = {c.name: c.verdict for c in report.checks}
    assert {n: v for n, v in verdicts.items() if n.startswith(("cluster.", "s3."))} == {
        n: Verdict.OK for n in verdicts if n.startswith(("cluster.", "s3."))
    }
    assert verdicts["backup.exists"] is verdicts["backup.verified"] is Verdict.OK
    restore = report.check("backup.restore_tested")
    assert restore.verdict is Verdict.UNKNOWN
    assert restore.actual.startswith("unknown: no restore-test data (AWS Backup: ")
    # The seeded stack has no copy of the database in the backup region (us-west-2).
    assert report.check("dr.region.rpo").actual == "no copy of the database in us-west-2"
    assert verdicts["dr.region.rpo"] is Verdict.FAIL
    for name in ("dr.database.rpo", "dr.az.rpo", "dr.complete.rpo", "dr.application.rpo"):
        assert verdicts[name] is Verdict.OK, report.check(name)
    for name in ("dr.database.rto", "dr.az.rto", "dr.application.rto", "dr.complete.rto"):
        assert verdicts[name] is Verdict.UNKNOWN, report.check(name)  # no drill recorded yet
    assert report.exit_code == 2


def test_the_headless_command_prints_the_same_verdicts(
    report: BackupReport, stack_profile: Profile, audit: AuditLog
) -> None:
    out = io.StringIO()
    code = run_backups_command(stack_profile, "support", True, out, audit=audit)
    document = json.loads(out.getvalue())
    assert code == report.exit_code == document["exit_code"]
    assert {c["name"]: c["verdict"] for c in document["checks"]} == {c.name: c.verdict.value for c in report.checks}


def test_take_manual_snapshot_now(stack_profile: Profile, audit: AuditLog) -> None:
    clients = AwsClients(stack_profile)
    # A moment no other test uses: the stack (and so its snapshot names) is shared by the whole test process.
    moment = dt.datetime(2026, 3, 14, 7, 41, 3, tzinfo=dt.UTC)
    preview = preview_manual_snapshot(stack_profile, clients, clock=lambda: moment)
    assert (preview.snapshot_id, preview.cluster_status, preview.blocked) == (
        "manual-backup-20260314-074103",
        "available",
        None,
    )
    outcome = take_manual_snapshot(
        preview,
        profile=stack_profile,
        clients=clients,
        actor=ADMIN,
        write_mode=True,
        offline=False,
        confirmation="y",
        audit=audit,
    )
    assert outcome.status == "verified", outcome
    rds = boto3.client(
        "rds",
        endpoint_url=stack_profile.aws_endpoint_url,
        region_name=stack_profile.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    (made,) = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=preview.snapshot_id)["DBClusterSnapshots"]
    assert (made["DBClusterIdentifier"], made["SnapshotType"], made["Status"]) == (DB_CLUSTER, "manual", "available")
    assert [r.outcome for r in audit.records()] == ["executed", "verified"]
    # The next report lists it among the manual snapshots.
    listed = collect_report(stack_profile, clients=clients, audit=audit).facts.snapshots
    assert preview.snapshot_id in {s.identifier for s in listed}  # type: ignore[union-attr]


def test_support_cannot_take_a_snapshot(stack_profile: Profile, audit: AuditLog) -> None:
    clients = AwsClients(stack_profile)
    preview = preview_manual_snapshot(
        stack_profile, clients, clock=lambda: dt.datetime(2026, 3, 14, 11, 0, tzinfo=dt.UTC)
    )
    outcome = take_manual_snapshot(
        preview,
        profile=stack_profile,
        clients=clients,
        actor=SUPPORT,
        write_mode=True,
        offline=False,
        confirmation="y",
        audit=audit,
    )
    assert outcome.status == "refused"
    listed = collect_report(stack_profile, clients=clients, audit=audit).facts.snapshots
    assert preview.snapshot_id not in {s.identifier for s in listed}  # type: ignore[union-attr]
