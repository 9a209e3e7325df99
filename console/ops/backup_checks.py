"""The backup facts judged against the operations guide: every check of the backup report, in reading order.

The DR scenarios come from dr_checks; here are the backups ("exists", "verified" and "restore tested" are three
checks: a snapshot can exist without being complete, and be complete without ever having been restored), the
cluster's settings against the guide's values for the profile's environment, and the S3 buckets. Ages: within the
target OK, up to twice the target WARN, beyond FAIL (`checks.age_verdict`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from console.ops.backup_facts import (
    BackupFacts,
    Bucket,
    Cluster,
    ReplicationRule,
    RestoreTest,
    SchemaDump,
    Snapshot,
    Unknown,
)
from console.ops.checks import Check, age_verdict, format_bytes, format_duration, format_time
from console.ops.dr_checks import scenario_checks
from console.ops.drills import DrillResult
from console.ops.findings import (
    FAIL,
    OK,
    UNKNOWN,
    WARN,
    Context,
    Finding,
    age_of,
    cluster_missing,
    judge,
    make_check,
    restore_passed,
)
from console.ops.guide import (
    AUTOMATED_SNAPSHOT_MAX_AGE,
    BACKUP_WINDOW,
    DRILL_MAX_AGE,
    MAINTENANCE_WINDOW,
    SCHEMA_DUMP_MAX_AGE,
    Drill,
    Resources,
    settings_for,
)

NO_RESTORE_TEST_DATA = "no restore-test data"
HEALTHY_CLUSTER = {"available", "backing-up"}
BROKEN_CLUSTER = {
    "failed",
    "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable",
    "incompatible-parameters",
    "incompatible-restore",
    "stopped",
    "storage-full",
    "deleting",
}


def evaluate(
    facts: BackupFacts,
    drills: dict[Drill, DrillResult],
    now: dt.datetime,
    environment: str,
    resources: Resources | None = None,
) -> tuple[Check, ...]:
    """Every check, in the order a person reads them: the DR scenarios, then the backups, cluster and S3."""
    ctx = Context(facts, drills, now, environment, settings_for(environment), resources or Resources())
    return (*scenario_checks(ctx), *_backups(ctx), *_cluster(ctx), *_s3(ctx))


# --- backups: exists, verified, restore tested, old manual snapshots ---------------------------------------------


def _backups(ctx: Context) -> list[Check]:
    snapshots = ctx.facts.snapshots
    retention = ctx.expected.backup_retention_days
    return [
        make_check(
            "backup.exists",
            "Backup exists",
            "backups",
            f"automated snapshot ≤ {format_duration(AUTOMATED_SNAPSHOT_MAX_AGE)} old",
            "now - SnapshotCreateTime, newest automated cluster snapshot",
            judge(snapshots, lambda s: _backup_exists(ctx, s)),
        ),
        make_check(
            "backup.verified",
            "Backup verified",
            "backups",
            "newest automated snapshot available, 100 %, encrypted",
            "DescribeDBClusterSnapshots Status (the guide's 'Verify backup' step)",
            judge(snapshots, _backup_verified),
        ),
        _restore_tested(ctx),
        make_check(
            "backup.manual_past_retention",
            "Manual snapshots past retention",
            "backups",
            f"none older than {retention} d (manual snapshots never expire)",
            "now - SnapshotCreateTime, manual cluster snapshots",
            judge(snapshots, lambda s: _manual_past_retention(ctx, s, retention)),
        ),
    ]


def _automated(snapshots: tuple[Snapshot, ...]) -> list[Snapshot]:
    return [s for s in snapshots if s.kind == "automated"]


def _backup_exists(ctx: Context, snapshots: tuple[Snapshot, ...]) -> Finding:
    automated = _automated(snapshots)
    if not automated:
        return Finding(FAIL, "no automated snapshot", "automated backups look off: check BackupRetentionPeriod")
    newest = automated[0]
    age = age_of(newest.created, ctx)
    return Finding(
        age_verdict(age, AUTOMATED_SNAPSHOT_MAX_AGE),
        f"{newest.identifier}, {format_duration(age)} old",
        f"latest automated snapshot is {format_duration(age)} old; target "
        f"{format_duration(AUTOMATED_SNAPSHOT_MAX_AGE)}: check the cluster's events for failed backups",
    )


def _backup_verified(snapshots: tuple[Snapshot, ...]) -> Finding:
    automated = _automated(snapshots)
    finished = [s for s in automated if s.status != "creating"]
    if not finished:
        if automated:
            return Finding(WARN, f"{automated[0].identifier} still creating ({automated[0].progress or 0} %)")
        return Finding(FAIL, "no automated snapshot to verify", "automated backups look off")
    newest = finished[0]
    if newest.status != "available" or (newest.progress is not None and newest.progress < 100):
        return Finding(
            FAIL,
            f"{newest.identifier} is {newest.status} ({newest.progress or 0} %)",
            "the newest automated snapshot did not complete: see the cluster's events",
        )
    if not newest.encrypted:
        return Finding(
            WARN, f"{newest.identifier} available, not encrypted", "encrypt the cluster (snapshots follow it)"
        )
    return Finding(OK, f"{newest.identifier} available, encrypted")


def _manual_past_retention(ctx: Context, snapshots: tuple[Snapshot, ...], retention: int) -> Finding:
    limit = dt.timedelta(days=retention)
    old = [s for s in snapshots if s.kind == "manual" and age_of(s.created, ctx) > limit]
    if not old:
        return Finding(OK, "none")
    listed = ", ".join(f"{s.identifier} ({format_duration(age_of(s.created, ctx))})" for s in old)
    return Finding(
        WARN,
        f"{len(old)}: {listed}",
        "delete the ones no longer needed, or note why they are kept; they cost storage until deleted",
    )


def _restore_tested(ctx: Context) -> Check:
    """The newest finished restore test, from AWS Backup or from a recorded backup-restore drill."""
    tests = ctx.facts.restore_tests
    drill = ctx.drills.get(Drill.BACKUP_RESTORE)
    finished = [t for t in tests if t.status not in ("PENDING", "RUNNING")] if isinstance(tests, tuple) else []
    newest_test = finished[0] if finished else None
    target = f"a restore test passed within {format_duration(DRILL_MAX_AGE)}"
    source = "AWS Backup restore testing jobs, and backup-restore drills (audit log)"
    test_time = newest_test.completed or newest_test.created if newest_test else None
    if newest_test and test_time and (drill is None or test_time >= drill.at):
        finding = _restore_test_finding(ctx, newest_test, test_time)
    elif drill is not None:
        finding = _restore_drill_finding(ctx, drill)
    else:
        why = f" (AWS Backup: {tests.reason})" if isinstance(tests, Unknown) else ""
        finding = Finding(
            UNKNOWN,
            f"unknown: {NO_RESTORE_TEST_DATA}{why}",
            "set up an AWS Backup restore testing plan for the cluster, or record the guide's monthly "
            "backup-restore drill",
        )
    return make_check("backup.restore_tested", "Restore tested", "backups", target, source, finding)


def _restore_test_finding(ctx: Context, test: RestoreTest, when: dt.datetime) -> Finding:
    actual = f"restore test {test.job_id}: {test.status}"
    if test.validation_status:
        actual += f", validation {test.validation_status}"
    actual += f" ({format_time(when)})"
    if test.status in ("FAILED", "ABORTED") or test.validation_status in ("FAILED", "TIMED_OUT"):
        return Finding(FAIL, actual, f"the latest restore test failed: {test.message or 'see AWS Backup'}")
    if not restore_passed(test):
        return Finding(WARN, actual, "the restore completed but was not validated: add a validation to the plan")
    if ctx.now - when > DRILL_MAX_AGE:
        return Finding(WARN, actual, f"the last restore test is {format_duration(ctx.now - when)} old")
    return Finding(OK, actual)


def _restore_drill_finding(ctx: Context, drill: DrillResult) -> Finding:
    outcome = "succeeded" if drill.succeeded else "failed"
    actual = f"backup-restore drill by {drill.by}: {outcome} ({format_time(drill.at)})"
    if not drill.succeeded:
        return Finding(FAIL, actual, f"the latest restore drill failed: {drill.notes or 'see its notes'}")
    if ctx.now - drill.at > DRILL_MAX_AGE:
        return Finding(WARN, actual, f"the last restore drill is {format_duration(ctx.now - drill.at)} old")
    return Finding(OK, actual)


# --- the cluster against the guide ------------------------------------------------------------------------------


def _cluster(ctx: Context) -> list[Check]:
    expected, cluster = ctx.expected, ctx.facts.cluster
    retention = expected.backup_retention_days

    def check(name: str, title: str, target: str, source: str, rule: Callable[[Cluster], Finding]) -> Check:
        return make_check(
            f"cluster.{name}", title, "cluster", target, source, judge(cluster, rule, cluster_missing(ctx))
        )

    def flag(on: bool) -> str:
        return "on" if on else "off"

    return [
        check("status", "Cluster status", "available", "DescribeDBClusters Status", _cluster_status),
        check(
            "backup_retention",
            "Backup retention",
            f"≥ {retention} d ({ctx.environment})",
            "DescribeDBClusters BackupRetentionPeriod",
            lambda c: Finding(
                OK if c.backup_retention_days >= retention else FAIL,
                f"{c.backup_retention_days} d",
                f"set BackupRetentionPeriod to {retention} (the guide's backup_retention_period)",
            ),
        ),
        check(
            "restore_window",
            "Point-in-time restore window",
            "covers the retention period",
            "EarliestRestorableTime to LatestRestorableTime",
            lambda c: _restore_window(ctx, c),
        ),
        check(
            "backup_window",
            "Backup window",
            f"{BACKUP_WINDOW} UTC",
            "DescribeDBClusters PreferredBackupWindow",
            lambda c: Finding(
                OK if c.backup_window == BACKUP_WINDOW else WARN,
                f"{c.backup_window or 'none'} UTC",
                f"set PreferredBackupWindow to {BACKUP_WINDOW} (the guide's value)",
            ),
        ),
        check(
            "maintenance_window",
            "Maintenance window",
            f"{MAINTENANCE_WINDOW} UTC",
            "DescribeDBClusters PreferredMaintenanceWindow",
            lambda c: Finding(
                OK if c.maintenance_window == MAINTENANCE_WINDOW else WARN,
                f"{c.maintenance_window or 'none'} UTC",
                f"set PreferredMaintenanceWindow to {MAINTENANCE_WINDOW} (the guide's value)",
            ),
        ),
        check(
            "deletion_protection",
            "Deletion protection",
            "on" if expected.deletion_protection else f"optional ({ctx.environment})",
            "DescribeDBClusters DeletionProtection",
            lambda c: Finding(
                FAIL if expected.deletion_protection and not c.deletion_protection else OK,
                flag(c.deletion_protection),
                "turn on DeletionProtection: deleting the cluster would take its automated backups with it",
            ),
        ),
        check(
            "multi_az",
            "Multi-AZ",
            "on" if expected.multi_az else f"optional ({ctx.environment})",
            "DescribeDBClusters MultiAZ",
            lambda c: Finding(
                FAIL if expected.multi_az and not c.multi_az else OK,
                flag(c.multi_az),
                "add a reader instance in another AZ",
            ),
        ),
        check(
            "copy_tags_to_snapshot",
            "Copy tags to snapshots",
            "on",
            "DescribeDBClusters CopyTagsToSnapshot",
            lambda c: Finding(
                OK if c.copy_tags_to_snapshot else WARN,
                flag(c.copy_tags_to_snapshot),
                "turn on CopyTagsToSnapshot (the guide's copy_tags_to_snapshot)",
            ),
        ),
        check(
            "storage_encrypted",
            "Storage encryption",
            "on",
            "DescribeDBClusters StorageEncrypted",
            lambda c: Finding(
                OK if c.storage_encrypted else WARN,
                flag(c.storage_encrypted),
                "the cluster and its snapshots are not encrypted at rest",
            ),
        ),
    ]


def _cluster_status(cluster: Cluster) -> Finding:
    if cluster.status in HEALTHY_CLUSTER:
        return Finding(OK, cluster.status)
    if cluster.status in BROKEN_CLUSTER:
        return Finding(FAIL, cluster.status, f"the cluster is {cluster.status}: see its events in RDS")
    return Finding(
        WARN, cluster.status, f"the cluster is {cluster.status}; backups and failover wait until it is available"
    )


def _restore_window(ctx: Context, cluster: Cluster) -> Finding:
    earliest, latest = cluster.earliest_restorable, cluster.latest_restorable
    if earliest is None or latest is None:
        return Finding(FAIL, "no restore window", "automated backups are off: set BackupRetentionPeriod")
    window = latest - earliest
    actual = f"{format_time(earliest)} to {format_time(latest)} ({format_duration(window)})"
    # A cluster younger than its retention has a shorter window; a day of slack for the daily backup cycle.
    expected = dt.timedelta(days=cluster.backup_retention_days)
    if cluster.created:
        expected = min(expected, ctx.now - cluster.created)
    if window >= expected - dt.timedelta(days=1):
        return Finding(OK, actual)
    return Finding(
        WARN,
        actual,
        f"the window is {format_duration(window)}, shorter than the retention: backups were interrupted "
        "or the retention was raised recently",
    )


# --- S3 ----------------------------------------------------------------------------------------------------------


def _s3(ctx: Context) -> list[Check]:
    res, facts = ctx.res, ctx.facts
    dump_source = f"now - LastModified, newest s3://{res.backup_bucket}/{res.schema_prefix}"
    no_dump = Finding(
        FAIL,
        f"no schema dump under s3://{res.backup_bucket}/{res.schema_prefix}",
        "run the guide's backup-database.sh (pg_dump -s, then aws s3 cp)",
    )
    uploads_missing = Finding(FAIL, f"bucket {res.uploads_bucket} does not exist", "create it with the guide's module")
    uploads = facts.uploads_bucket
    return [
        make_check(
            "s3.schema_dump",
            "Schema dump",
            "s3",
            f"≤ {format_duration(SCHEMA_DUMP_MAX_AGE)} old",
            dump_source,
            judge(facts.schema_dump, lambda d: _dump_age(ctx, d), no_dump),
        ),
        make_check(
            "s3.schema_dump_verified",
            "Schema dump verified",
            "s3",
            "non-empty pg_dump output",
            "first bytes of the newest dump",
            judge(facts.schema_dump, _dump_verified, no_dump),
        ),
        make_check(
            "s3.backup_bucket",
            "Backup bucket",
            "s3",
            "exists",
            f"ListObjectsV2 s3://{res.backup_bucket}",
            judge(
                facts.backup_bucket,
                _bucket_summary,
                Finding(FAIL, f"bucket {res.backup_bucket} does not exist", "create it with the guide's module"),
            ),
        ),
        make_check(
            "s3.uploads_versioning",
            "Uploads versioning",
            "s3",
            "Enabled",
            f"GetBucketVersioning s3://{res.uploads_bucket}",
            uploads_missing
            if uploads is None
            else judge(
                facts.uploads_versioning,
                lambda status: Finding(
                    OK if status == "Enabled" else FAIL, status, "enable versioning: replication needs it"
                ),
            ),
        ),
        make_check(
            "s3.uploads_replication",
            "Uploads replication",
            "s3",
            f"rule {res.replication_rule}: Enabled, prefix {res.replication_prefix}, to another region",
            f"GetBucketReplication s3://{res.uploads_bucket}",
            uploads_missing if uploads is None else judge(facts.replication, lambda r: _replication(ctx, r)),
        ),
        make_check(
            "s3.uploads_bucket",
            "Uploads bucket",
            "s3",
            "exists",
            f"ListObjectsV2 s3://{res.uploads_bucket}",
            judge(uploads, _bucket_summary, uploads_missing),
        ),
    ]


def _dump_age(ctx: Context, dump: SchemaDump) -> Finding:
    age = ctx.now - dump.last_modified
    return Finding(
        age_verdict(age, SCHEMA_DUMP_MAX_AGE),
        f"{dump.key}, {format_duration(age)} old",
        f"the newest schema dump is {format_duration(age)} old; target {format_duration(SCHEMA_DUMP_MAX_AGE)}: "
        "check the backup job",
    )


def _dump_verified(dump: SchemaDump) -> Finding:
    if dump.size == 0:
        return Finding(FAIL, f"{dump.key} is empty", "the dump failed: run backup-database.sh again")
    if not dump.looks_like_dump:
        return Finding(FAIL, f"{dump.key} is not pg_dump output", "the dump is damaged: run backup-database.sh again")
    return Finding(OK, f"{format_bytes(dump.size)}, pg_dump header")


def _bucket_summary(bucket: Bucket) -> Finding:
    count = f"{bucket.objects}" if bucket.complete else f"at least {bucket.objects}"
    return Finding(OK, f"{count} objects, {format_bytes(bucket.total_bytes)}")


def _replication(ctx: Context, rules: tuple[ReplicationRule, ...]) -> Finding:
    res = ctx.res
    if not rules:
        return Finding(FAIL, "no replication configured", "apply the guide's backup-replication rule")
    rule = next((r for r in rules if r.prefix == res.replication_prefix), None) or next(
        (r for r in rules if r.rule_id == res.replication_rule), None
    )
    if rule is None:
        prefixes = ", ".join(r.prefix or "(all)" for r in rules)
        return Finding(FAIL, f"no rule for {res.replication_prefix} (rules for {prefixes})", "apply the guide's rule")
    actual = f"{rule.rule_id}: {rule.status}, {rule.prefix or '(all)'} to {rule.destination_bucket}"
    if rule.status != "Enabled":
        return Finding(FAIL, actual, f"enable the replication rule {rule.rule_id}")
    if isinstance(rule.destination_region, Unknown):
        return Finding(
            WARN, f"{actual} (region unknown: {rule.destination_region.reason})", "check the destination bucket"
        )
    actual += f" ({rule.destination_region}, {rule.storage_class or 'STANDARD'})"
    if rule.destination_region == ctx.facts.region:
        return Finding(WARN, actual, "the destination is in the same region: it does not survive a region failure")
    return Finding(OK, actual)
