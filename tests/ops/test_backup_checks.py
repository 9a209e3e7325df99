"""Every verdict of every backup check, from stubbed AWS answers (botocore Stubber) and an injected clock.

The starting point is the guide's system in good order (aws_world.World) with every DR drill recorded recently;
each case changes one thing and names the check, the verdict and a phrase of what the person reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from aws_world import BACKUP_REGION, Err, World, ago, instance, restore_job, s3_object, snapshot
from ops_testkit import ADMIN, NOW, drill, frozen_clock, profile_for

from console.ops.audit import AuditLog
from console.ops.backup_checks import evaluate
from console.ops.backup_facts import BackupFacts
from console.ops.backups import BackupReport, collect_report
from console.ops.checks import Verdict
from console.ops.drills import record_drill
from console.ops.guide import Drill

OK, WARN, UNKNOWN, FAIL = Verdict.OK, Verdict.WARN, Verdict.UNKNOWN, Verdict.FAIL


def run(world: World, audit: AuditLog, environment: str = "demo") -> BackupReport:
    clients = world.clients()
    report = collect_report(
        profile_for("http://stubbed", environment), clients=clients, clock=frozen_clock, audit=audit
    )
    clients.assert_all_used()  # the facts were read as the world expects, no more and no less
    for check in report.checks:
        assert check.target and check.source and check.actual, check
        assert (check.hint is None) == (check.verdict is OK), check
    return report


def test_the_guide_in_good_order_is_all_ok(drilled: AuditLog) -> None:
    report = run(World(), drilled)
    assert [c.name for c in report.checks if c.verdict is not OK] == []
    assert report.exit_code == 0
    assert len(report.checks) == 29
    assert report.check("dr.database.rpo").actual == "2 min"
    assert report.check("dr.database.rpo").source == "now - LatestRestorableTime"
    assert report.check("dr.database.rto").actual.startswith("4 min (failover drill by ops-admin, 2026-03-04")


Mutation = Callable[[World], Any]


def change(**fields: Any) -> Mutation:
    return lambda world: [setattr(world, name, value) for name, value in fields.items()]


def cluster_change(**fields: Any) -> Mutation:
    return lambda world: world.cluster.update(fields)


def automated_only(*ages_and_states: tuple[dt.timedelta, str]) -> Mutation:
    snapshots = [
        snapshot(
            f"rds:shop-management-aurora-{i}",
            "automated",
            age,
            status=state,
            progress=100 if state != "creating" else 40,
        )
        for i, (age, state) in enumerate(ages_and_states)
    ]
    return change(snapshots=snapshots)


H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
M = dt.timedelta(minutes=1)

CASES: list[tuple[str, Mutation, str, Verdict, str]] = [
    # --- the scenarios' RPOs
    (
        "restore time 8 min behind",
        cluster_change(LatestRestorableTime=ago(minutes=8)),
        "dr.database.rpo",
        WARN,
        "the latest restorable time is 8 min old; target 5 min",
    ),
    (
        "restore time 12 min behind",
        cluster_change(LatestRestorableTime=ago(minutes=12)),
        "dr.database.rpo",
        FAIL,
        "12 min",
    ),
    (
        "restore time 12 min behind, complete",
        cluster_change(LatestRestorableTime=ago(minutes=12)),
        "dr.complete.rpo",
        OK,
        "12 min",
    ),
    (
        "restore time 45 min behind",
        cluster_change(LatestRestorableTime=ago(minutes=45)),
        "dr.complete.rpo",
        WARN,
        "target 30 min",
    ),
    ("restore time 2 h behind", cluster_change(LatestRestorableTime=ago(hours=2)), "dr.complete.rpo", FAIL, "2 h"),
    (
        "no restorable time",
        lambda w: w.cluster.pop("LatestRestorableTime"),
        "dr.database.rpo",
        FAIL,
        "automated backups are off",
    ),
    ("storage in one AZ", cluster_change(AvailabilityZones=["us-east-1a"]), "dr.az.rpo", FAIL, "1 AZ"),
    (
        "global database secondary",
        change(
            region_snapshots=[],
            global_clusters=[
                {
                    "GlobalClusterIdentifier": "shop-global",
                    "GlobalClusterMembers": [
                        {
                            "DBClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:shop-management-aurora",
                            "IsWriter": True,
                        },
                        {"DBClusterArn": "arn:aws:rds:us-west-2:123456789012:cluster:shop-dr", "IsWriter": False},
                    ],
                }
            ],
        ),
        "dr.region.rpo",
        OK,
        "global database secondary in us-west-2",
    ),
    (
        "copy 25 min old",
        change(region_snapshots=[snapshot("copy", "manual", 25 * M)]),
        "dr.region.rpo",
        WARN,
        "the newest copy in us-west-2 is 25 min old",
    ),
    ("copy 3 h old", change(region_snapshots=[snapshot("copy", "manual", 3 * H)]), "dr.region.rpo", FAIL, "3 h"),
    ("no copy", change(region_snapshots=[]), "dr.region.rpo", FAIL, "no copy of the database in us-west-2"),
    (
        "copies unreadable",
        change(region_snapshots=Err("AccessDenied", 403)),
        "dr.region.rpo",
        UNKNOWN,
        "access denied to DescribeDBClusterSnapshots",
    ),
    # --- the scenarios' RTOs: what the recovery needs
    (
        "no reader",
        change(instances=[instance("shop-management-aurora-2", "us-east-1a")]),
        "dr.database.rto",
        FAIL,
        "no available reader to fail over to",
    ),
    (
        "reader not the guide's target",
        change(
            instances=[
                instance("shop-management-aurora-2", "us-east-1a"),
                instance("shop-management-aurora-3", "us-east-1b"),
            ]
        ),
        "dr.database.rto",
        WARN,
        "disaster-recovery.sh 'database' would fail",
    ),
    (
        "reader rebooting",
        change(
            instances=[
                instance("shop-management-aurora-2", "us-east-1a"),
                instance("shop-management-aurora-1", "us-east-1b", "rebooting"),
            ]
        ),
        "dr.database.rto",
        FAIL,
        "no available reader",
    ),
    (
        "reader in the writer's AZ",
        change(
            instances=[
                instance("shop-management-aurora-2", "us-east-1a"),
                instance("shop-management-aurora-1", "us-east-1a"),
            ]
        ),
        "dr.az.rto",
        FAIL,
        "no available reader in another AZ",
    ),
    (
        "reader in the writer's AZ, database",
        change(
            instances=[
                instance("shop-management-aurora-2", "us-east-1a"),
                instance("shop-management-aurora-1", "us-east-1a"),
            ]
        ),
        "dr.database.rto",
        OK,
        "readers: shop-management-aurora-1 (us-east-1a)",
    ),
    (
        "instances unreadable",
        change(instances=Err("Throttling", 400)),
        "dr.database.rto",
        UNKNOWN,
        "throttled by AWS on DescribeDBInstances",
    ),
    (
        "nothing in the backup region",
        change(region_snapshots=[]),
        "dr.region.rto",
        FAIL,
        "nothing to restore from in us-west-2",
    ),
    (
        "API desired 1",
        lambda w: w.service.update(desiredCount=1, runningCount=1),
        "dr.application.rto",
        FAIL,
        "desired 1 < 2",
    ),
    ("API recovering", lambda w: w.service.update(runningCount=1), "dr.application.rto", WARN, "1 of 2 running"),
    ("API not running", lambda w: w.service.update(runningCount=0), "dr.application.rto", FAIL, "no task is serving"),
    ("API service missing", change(service=None), "dr.application.rto", FAIL, "service shop-management-api not found"),
    ("ECS cluster missing", change(service=Err("ClusterNotFoundException")), "dr.application.rto", FAIL, "not found"),
    ("no autoscaling", change(scaling=[]), "dr.application.rto", WARN, "no autoscaling"),
    (
        "autoscaling unreadable",
        change(scaling=Err("AccessDeniedException", 400)),
        "dr.application.rto",
        UNKNOWN,
        "autoscaling unknown: access denied to DescribeScalableTargets",
    ),
    (
        "no snapshot to rebuild from",
        change(snapshots=[]),
        "dr.complete.rto",
        FAIL,
        "no available snapshot to rebuild from",
    ),
    (
        "restore test took 30 h",
        change(restore_jobs=[restore_job("slow", 2 * D, took=30 * H)]),
        "dr.complete.rto",
        FAIL,
        "recovery took 30 h; target 24 h",
    ),
    # --- backup exists / verified / restore tested / old manual snapshots
    (
        "automated snapshot 31 h old",
        automated_only((31 * H, "available")),
        "backup.exists",
        WARN,
        "latest automated snapshot is 31 h old; target 24 h",
    ),
    ("automated snapshot 50 h old", automated_only((50 * H, "available")), "backup.exists", FAIL, "2 d old"),
    (
        "no automated snapshot",
        change(snapshots=[snapshot("manual-backup-x", "manual", H)]),
        "backup.exists",
        FAIL,
        "no automated snapshot",
    ),
    (
        "snapshots unreadable",
        change(snapshots=Err("AccessDenied", 403)),
        "backup.exists",
        UNKNOWN,
        "unknown: access denied to DescribeDBClusterSnapshots",
    ),
    (
        "snapshots throttled",
        change(snapshots=Err("ThrottlingException", 400)),
        "backup.verified",
        UNKNOWN,
        "unknown: throttled by AWS",
    ),
    (
        "newest creating, previous available",
        automated_only((M, "creating"), (D, "available")),
        "backup.verified",
        OK,
        "available",
    ),
    ("only one, creating", automated_only((M, "creating")), "backup.verified", WARN, "still creating (40 %)"),
    ("newest failed", automated_only((H, "failed"), (D, "available")), "backup.verified", FAIL, "is failed"),
    (
        "not encrypted",
        change(snapshots=[snapshot("rds:a", "automated", H, encrypted=False)]),
        "backup.verified",
        WARN,
        "not encrypted",
    ),
    (
        "restore test failed",
        change(restore_jobs=[restore_job("j1", D, status="FAILED", validation=None, message="subnet group missing")]),
        "backup.restore_tested",
        FAIL,
        "the latest restore test failed: subnet group missing",
    ),
    (
        "restore validation failed",
        change(restore_jobs=[restore_job("j1", D, validation="FAILED")]),
        "backup.restore_tested",
        FAIL,
        "validation FAILED",
    ),
    (
        "restore not validated",
        change(restore_jobs=[restore_job("j1", D, validation=None)]),
        "backup.restore_tested",
        WARN,
        "not validated",
    ),
    (
        "running test, older one passed",
        change(
            restore_jobs=[
                restore_job("now", dt.timedelta(0), status="RUNNING", validation=None),
                restore_job("j1", 3 * D),
            ]
        ),
        "backup.restore_tested",
        OK,
        "restore test j1",
    ),
    (
        "AWS Backup unreadable",
        change(restore_plans=Err("AccessDeniedException", 403)),
        "backup.restore_tested",
        OK,
        "backup-restore drill by ops-admin: succeeded",
    ),
    (
        "manual snapshot 45 d old",
        change(snapshots=[*World().snapshots, snapshot("manual-backup-old", "manual", 45 * D)]),
        "backup.manual_past_retention",
        WARN,
        "1: manual-backup-old (45 d)",
    ),
    # --- the cluster against the guide
    ("cluster backing up", cluster_change(Status="backing-up"), "cluster.status", OK, "backing-up"),
    ("cluster modifying", cluster_change(Status="modifying"), "cluster.status", WARN, "modifying"),
    ("cluster stopped", cluster_change(Status="stopped"), "cluster.status", FAIL, "stopped"),
    (
        "retention 7 d",
        cluster_change(BackupRetentionPeriod=7),
        "cluster.backup_retention",
        FAIL,
        "set BackupRetentionPeriod to 30",
    ),
    (
        "window 10 d of 30",
        cluster_change(EarliestRestorableTime=ago(days=10)),
        "cluster.restore_window",
        WARN,
        "shorter than the retention",
    ),
    (
        "young cluster",
        cluster_change(ClusterCreateTime=ago(days=5), EarliestRestorableTime=ago(days=5)),
        "cluster.restore_window",
        OK,
        "(5 d)",
    ),
    (
        "no restore window",
        lambda w: w.cluster.pop("EarliestRestorableTime"),
        "cluster.restore_window",
        FAIL,
        "no restore window",
    ),
    (
        "other backup window",
        cluster_change(PreferredBackupWindow="07:00-07:30"),
        "cluster.backup_window",
        WARN,
        "07:00-07:30 UTC",
    ),
    (
        "other maintenance window",
        cluster_change(PreferredMaintenanceWindow="mon:01:00-mon:02:00"),
        "cluster.maintenance_window",
        WARN,
        "set PreferredMaintenanceWindow",
    ),
    ("no deletion protection", cluster_change(DeletionProtection=False), "cluster.deletion_protection", FAIL, "off"),
    ("single AZ", cluster_change(MultiAZ=False), "cluster.multi_az", FAIL, "add a reader instance"),
    ("no tag copying", cluster_change(CopyTagsToSnapshot=False), "cluster.copy_tags_to_snapshot", WARN, "off"),
    ("unencrypted", cluster_change(StorageEncrypted=False), "cluster.storage_encrypted", WARN, "not encrypted"),
    (
        "cluster missing",
        change(cluster=Err("DBClusterNotFoundFault", 404)),
        "cluster.backup_retention",
        FAIL,
        "cluster shop-management-aurora not found",
    ),
    ("cluster missing, RPO", change(cluster=Err("DBClusterNotFoundFault", 404)), "dr.database.rpo", FAIL, "not found"),
    ("cluster missing, RTO", change(cluster=Err("DBClusterNotFoundFault", 404)), "dr.az.rto", FAIL, "not found"),
    (
        "access denied",
        change(cluster=Err("AccessDenied", 403)),
        "cluster.status",
        UNKNOWN,
        "unknown: access denied to DescribeDBClusters",
    ),
    (
        "expired credentials",
        change(cluster=Err("ExpiredTokenException", 403)),
        "dr.database.rpo",
        UNKNOWN,
        "AWS credentials expired",
    ),
    # --- S3
    (
        "dump 30 h old",
        change(backup_objects=[s3_object("schema/schema_a.sql", 30 * H, 2530)]),
        "s3.schema_dump",
        WARN,
        "the newest schema dump is 30 h old",
    ),
    (
        "dump 3 d old",
        change(backup_objects=[s3_object("schema/schema_a.sql", 3 * D, 2530)]),
        "s3.schema_dump",
        FAIL,
        "3 d old",
    ),
    ("no dump", change(backup_objects=[s3_object("other/x", H, 1)]), "s3.schema_dump", FAIL, "no schema dump"),
    (
        "empty dump",
        change(backup_objects=[s3_object("schema/schema_a.sql", H, 0)]),
        "s3.schema_dump_verified",
        FAIL,
        "is empty",
    ),
    ("damaged dump", change(dump_body=b"\x00\x01garbage"), "s3.schema_dump_verified", FAIL, "not pg_dump output"),
    (
        "no backup bucket",
        change(backup_objects=Err("NoSuchBucket", 404)),
        "s3.backup_bucket",
        FAIL,
        "bucket shop-management-backups does not exist",
    ),
    (
        "no backup bucket, dump",
        change(backup_objects=Err("NoSuchBucket", 404)),
        "s3.schema_dump",
        FAIL,
        "no schema dump",
    ),
    (
        "backup bucket unreadable",
        change(backup_objects=Err("AccessDenied", 403)),
        "s3.schema_dump",
        UNKNOWN,
        "access denied to ListObjectsV2",
    ),
    ("versioning suspended", change(versioning={"Status": "Suspended"}), "s3.uploads_versioning", FAIL, "Suspended"),
    ("versioning never on", change(versioning={}), "s3.uploads_versioning", FAIL, "never enabled"),
    (
        "no replication",
        change(replication=Err("ReplicationConfigurationNotFoundError", 404)),
        "s3.uploads_replication",
        FAIL,
        "no replication configured",
    ),
    (
        "replication disabled",
        lambda w: w.replication[0].update(Status="Disabled"),
        "s3.uploads_replication",
        FAIL,
        "enable the replication rule backup-replication",
    ),
    (
        "replication of another prefix",
        lambda w: w.replication[0].update(ID="other", Filter={"Prefix": "logs/"}),
        "s3.uploads_replication",
        FAIL,
        "no rule for uploads/",
    ),
    (
        "replication within the region",
        change(destination_location=None),
        "s3.uploads_replication",
        WARN,
        "does not survive a region failure",
    ),
    (
        "replica region unreadable",
        change(destination_location=Err("AccessDenied", 403)),
        "s3.uploads_replication",
        WARN,
        "region unknown: access denied",
    ),
    (
        "no uploads bucket",
        change(uploads_objects=Err("NoSuchBucket", 404)),
        "s3.uploads_replication",
        FAIL,
        "bucket shop-management-uploads does not exist",
    ),
    (
        "no uploads bucket, versioning",
        change(uploads_objects=Err("NoSuchBucket", 404)),
        "s3.uploads_versioning",
        FAIL,
        "does not exist",
    ),
    (
        "no uploads bucket, bucket",
        change(uploads_objects=Err("NoSuchBucket", 404)),
        "s3.uploads_bucket",
        FAIL,
        "does not exist",
    ),
]


@pytest.mark.parametrize(("mutate", "name", "verdict", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_verdict(drilled: AuditLog, mutate: Mutation, name: str, verdict: Verdict, phrase: str) -> None:
    world = World()
    mutate(world)
    check = run(world, drilled).check(name)
    assert check.verdict is verdict, check
    assert phrase in f"{check.actual} | {check.hint}", check


def test_every_check_is_exercised_beyond_ok() -> None:
    """Keeps the table honest: every check but the one fixed by design appears with a verdict other than OK."""
    every = {c.name for c in evaluate(BackupFacts(region="us-east-1"), {}, NOW, "demo")}
    covered = {case[2] for case in CASES if case[3] is not OK}
    assert every - covered == {"dr.application.rpo"}


# --- the measured recovery times (DR drills in the audit log) -------------------------------------------------


def test_without_drills_recovery_times_are_unknown_never_a_pass(audit: AuditLog) -> None:
    report = run(World(restore_jobs=[]), audit)
    for name in ("dr.database.rto", "dr.az.rto", "dr.region.rto", "dr.application.rto", "dr.complete.rto"):
        check = report.check(name)
        assert check.verdict is UNKNOWN, check
        assert check.actual.startswith("not measured: no "), check
    assert report.check("backup.restore_tested").actual == "unknown: no restore-test data"
    assert report.exit_code == 1


def test_a_drill_older_than_35_days_warns(audit: AuditLog) -> None:
    for kind in Drill:
        drill(audit, kind, days_ago=36)
    report = run(World(restore_jobs=[]), audit)
    for name in ("dr.database.rto", "dr.az.rto", "dr.region.rto", "dr.application.rto", "dr.complete.rto"):
        assert report.check(name).verdict is WARN, report.check(name)
        assert "repeat it" in (report.check(name).hint or "")
    assert report.check("backup.restore_tested").verdict is WARN


def test_a_slow_or_failed_drill_fails(audit: AuditLog) -> None:
    drill(audit, Drill.DATABASE_FAILOVER, rto=dt.timedelta(minutes=12))  # within 15 min, over AZ failure's 10
    drill(audit, Drill.CROSS_REGION, rto=dt.timedelta(hours=5))
    drill(audit, Drill.APPLICATION_RECOVERY, succeeded=False)
    drill(audit, Drill.BACKUP_RESTORE, days_ago=1, succeeded=False)
    report = run(World(restore_jobs=[restore_job("older", 3 * D)]), audit)
    assert report.check("dr.database.rto").verdict is OK
    assert report.check("dr.az.rto").verdict is FAIL
    assert "recovery took 12 min; target 10 min" in (report.check("dr.az.rto").hint or "")
    assert report.check("dr.region.rto").verdict is FAIL
    assert report.check("dr.application.rto").verdict is FAIL
    assert "replica lagged" in (report.check("dr.application.rto").hint or "")
    # The failed drill is newer than the passed restore test: it decides.
    assert report.check("backup.restore_tested").verdict is FAIL
    assert report.check("dr.complete.rto").verdict is FAIL
    assert report.exit_code == 2


def test_an_old_restore_test_warns_when_no_drill_is_newer(audit: AuditLog) -> None:
    check = run(World(restore_jobs=[restore_job("j1", 40 * D)]), audit).check("backup.restore_tested")
    assert check.verdict is WARN
    assert check.hint == "the last restore test is 40 d old"


def test_drills_of_another_profile_do_not_count(audit: AuditLog) -> None:
    for kind in Drill:
        drill(audit, kind, profile="staging")
    report = run(World(restore_jobs=[]), audit)
    assert report.check("dr.database.rto").verdict is UNKNOWN


def test_a_drill_without_a_time_is_unknown(audit: AuditLog) -> None:
    record_drill(
        audit,
        actor=ADMIN,
        profile="demo",
        environment="demo",
        drill=Drill.DATABASE_FAILOVER,
        succeeded=True,
        rto=None,
        rpo=None,
    )
    report = run(World(), audit)
    assert report.check("dr.database.rto").verdict is UNKNOWN
    assert "recorded no time" in report.check("dr.database.rto").actual


# --- environments: the guide's development / staging / production settings ------------------------------------


@pytest.mark.parametrize(
    ("environment", "name", "change_", "verdict"),
    [
        ("staging", "cluster.backup_retention", {"BackupRetentionPeriod": 7}, OK),
        ("development", "cluster.backup_retention", {"BackupRetentionPeriod": 1}, OK),
        ("production", "cluster.backup_retention", {"BackupRetentionPeriod": 7}, FAIL),
        ("development", "cluster.deletion_protection", {"DeletionProtection": False}, OK),
        ("staging", "cluster.deletion_protection", {"DeletionProtection": False}, FAIL),
        ("staging", "cluster.multi_az", {"MultiAZ": False}, OK),
        ("production", "cluster.multi_az", {"MultiAZ": False}, FAIL),
    ],
)
def test_settings_follow_the_environment(
    drilled: AuditLog, environment: str, name: str, change_: dict[str, Any], verdict: Verdict
) -> None:
    world = World()
    world.cluster.update(change_)
    assert run(world, drilled, environment).check(name).verdict is verdict


def test_single_az_is_a_warning_where_the_guide_runs_single_az(drilled: AuditLog) -> None:
    world = World(
        instances=[
            instance("shop-management-aurora-2", "us-east-1a"),
            instance("shop-management-aurora-1", "us-east-1a"),
        ]
    )
    assert run(world, drilled, "staging").check("dr.az.rto").verdict is WARN
    assert run(World(instances=world.instances), drilled, "production").check("dr.az.rto").verdict is FAIL


def test_staging_manual_snapshots_past_its_shorter_retention(drilled: AuditLog) -> None:
    check = run(World(), drilled, "staging").check("backup.manual_past_retention")
    assert check.verdict is WARN
    assert check.actual == "1: manual-backup-20260305-120000 (9 d)"


def test_region_copies_in_the_backup_region_only_count_for_this_cluster(drilled: AuditLog) -> None:
    other = snapshot("someone-elses", "manual", M)
    other["DBClusterIdentifier"] = "another-cluster"
    report = run(World(region_snapshots=[other]), drilled)
    assert report.check("dr.region.rpo").verdict is FAIL
    assert BACKUP_REGION in report.check("dr.region.rpo").actual
