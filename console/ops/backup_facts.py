"""What AWS says about the backups, read once. Every fact is its value or `Unknown` with the one-line reason.

"Not there" is a fact (None, or an empty tuple), not an unknown: a missing bucket fails its check, while a bucket
that could not be read is unknown. Each service's facts are read in order on a thread of their own; the threads
run side by side, so a slow service does not hold up the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from console.ops.aws import ClientSource, answers_every_call, describe_error, error_code
from console.ops.guide import Resources

log = logging.getLogger(__name__)

T = TypeVar("T")
OBJECT_CAP = 100_000  # objects listed per bucket before the count is reported as "at least"
DUMP_HEADER = "PostgreSQL database dump"  # pg_dump's plain-format header
AURORA_RESOURCE_TYPE = "Aurora"  # AWS Backup's resource type for Aurora clusters


@dataclass(frozen=True)
class Unknown:
    reason: str


@dataclass(frozen=True)
class Cluster:
    identifier: str
    arn: str
    status: str
    engine: str
    created: dt.datetime | None
    backup_retention_days: int
    earliest_restorable: dt.datetime | None
    latest_restorable: dt.datetime | None
    backup_window: str | None
    maintenance_window: str | None
    deletion_protection: bool
    multi_az: bool
    copy_tags_to_snapshot: bool
    storage_encrypted: bool
    availability_zones: tuple[str, ...]
    writer: str | None  # the member instance that takes writes


@dataclass(frozen=True)
class Instance:
    identifier: str
    status: str
    availability_zone: str | None


@dataclass(frozen=True)
class Snapshot:
    identifier: str
    kind: str  # automated, manual, awsbackup
    created: dt.datetime | None
    status: str
    progress: int | None  # percent
    size_gib: int | None
    encrypted: bool
    region: str


@dataclass(frozen=True)
class Bucket:
    name: str
    objects: int
    total_bytes: int
    complete: bool  # False when the listing stopped at OBJECT_CAP


@dataclass(frozen=True)
class SchemaDump:
    key: str
    size: int
    last_modified: dt.datetime
    looks_like_dump: bool  # starts with pg_dump's header


@dataclass(frozen=True)
class ReplicationRule:
    rule_id: str
    status: str
    prefix: str
    destination_bucket: str
    destination_region: str | Unknown
    storage_class: str | None


@dataclass(frozen=True)
class RestoreTest:
    job_id: str
    status: str  # PENDING, RUNNING, COMPLETED, ABORTED, FAILED
    created: dt.datetime | None
    completed: dt.datetime | None
    validation_status: str | None  # SUCCESSFUL, FAILED, TIMED_OUT, VALIDATING
    message: str


@dataclass(frozen=True)
class Service:
    name: str
    status: str
    desired: int
    running: int
    scaling: tuple[int, int] | Unknown | None  # autoscaling (min, max); None when not registered


NOT_READ = Unknown("not read")  # e.g. the uploads bucket's replication, when the bucket is missing


@dataclass(frozen=True)
class BackupFacts:
    region: str
    cluster: Cluster | Unknown | None = NOT_READ
    instances: tuple[Instance, ...] | Unknown = NOT_READ
    snapshots: tuple[Snapshot, ...] | Unknown = NOT_READ  # this region's, newest first
    region_copies: tuple[Snapshot, ...] | Unknown = NOT_READ  # the backup region's, newest first
    global_secondary_regions: tuple[str, ...] | Unknown = NOT_READ
    backup_bucket: Bucket | Unknown | None = NOT_READ
    schema_dump: SchemaDump | Unknown | None = NOT_READ
    uploads_bucket: Bucket | Unknown | None = NOT_READ
    uploads_versioning: str | Unknown = NOT_READ  # Enabled, Suspended, or "never enabled"
    replication: tuple[ReplicationRule, ...] | Unknown = NOT_READ
    restore_tests: tuple[RestoreTest, ...] | Unknown = NOT_READ  # newest first
    api_service: Service | Unknown | None = NOT_READ


class Attempts:
    """Makes one reader's calls. A call's value; None when AWS answers with one of the `missing` error codes;
    Unknown for other errors. After an error that every later call would meet too (endpoint down, no credentials),
    the later calls are not made: they get the same Unknown at once instead of each waiting out its timeout."""

    def __init__(self) -> None:
        self.stop: Unknown | None = None

    def __call__(self, call: Callable[[], T], missing: tuple[str, ...] = ()) -> T | Unknown | None:
        if self.stop is not None:
            return self.stop
        try:
            return call()
        except (BotoCoreError, ClientError) as exc:
            if error_code(exc) in missing:
                return None
            unknown = Unknown(describe_error(exc))
            if answers_every_call(exc):
                self.stop = unknown
            return unknown


@dataclass(frozen=True)
class _Reader:
    clients: tuple[tuple[str, str | None], ...]  # (service, region or None for the profile's)
    read: Callable[..., dict[str, Any]]
    facts: tuple[str, ...]  # the BackupFacts fields it fills


def collect(clients: ClientSource, region: str, resources: Resources | None = None) -> BackupFacts:
    """Read every fact. Never raises: an error of a client, a call or this code becomes an Unknown."""
    res = resources or Resources()
    readers = (
        _Reader((("rds", None),), lambda rds: _read_rds(rds, res, region), ("cluster", "instances", "snapshots")),
        _Reader(
            (("rds", res.backup_region),),
            lambda rds: _read_backup_region(rds, res),
            ("region_copies", "global_secondary_regions"),
        ),
        _Reader(
            (("s3", None),),
            lambda s3: _read_s3(s3, res),
            ("backup_bucket", "schema_dump", "uploads_bucket", "uploads_versioning", "replication"),
        ),
        _Reader((("backup", None),), lambda backup: _read_restore_tests(backup, res), ("restore_tests",)),
        _Reader(
            (("ecs", None), ("application-autoscaling", None)),
            lambda ecs, scaling: _read_service(ecs, scaling, res),
            ("api_service",),
        ),
    )
    found: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=len(readers), thread_name_prefix="backup-facts") as pool:
        futures = []
        for reader in readers:
            # Clients are made here, on one thread (a boto3 session is not thread-safe).
            try:
                made = [clients.client(service, service_region) for service, service_region in reader.clients]
            except Exception as exc:  # e.g. a named AWS profile that does not exist
                found.update(dict.fromkeys(reader.facts, _failed(exc)))
                continue
            futures.append((reader, pool.submit(reader.read, *made)))
        for reader, future in futures:
            try:
                found.update(future.result())
            except Exception as exc:  # a bug, or an answer of a shape we did not expect
                found.update(dict.fromkeys(reader.facts, _failed(exc)))
    return BackupFacts(region=region, **found)


def _failed(exc: Exception) -> Unknown:
    if isinstance(exc, BotoCoreError | ClientError):
        return Unknown(describe_error(exc))
    log.error("reading backup facts failed", exc_info=exc)  # our bug or AWS's surprise: keep the traceback
    return Unknown(f"unexpected error: {type(exc).__name__}: {exc}")


# --- RDS -----------------------------------------------------------------------------------------------------


def _read_rds(rds: Any, resources: Resources, region: str) -> dict[str, Any]:
    attempt = Attempts()
    cluster = attempt(
        lambda: _cluster(rds.describe_db_clusters(DBClusterIdentifier=resources.cluster)["DBClusters"][0]),
        missing=("DBClusterNotFoundFault",),
    )
    instances = attempt(
        lambda: tuple(
            _instance(i)
            for page in rds.get_paginator("describe_db_instances").paginate(
                Filters=[{"Name": "db-cluster-id", "Values": [resources.cluster]}]
            )
            for i in page["DBInstances"]
        )
    )
    snapshots = attempt(
        lambda: _newest_first(
            _snapshot(s, region)
            for page in rds.get_paginator("describe_db_cluster_snapshots").paginate(
                DBClusterIdentifier=resources.cluster
            )
            for s in page["DBClusterSnapshots"]
        )
    )
    return {"cluster": cluster, "instances": instances, "snapshots": snapshots}


def _read_backup_region(rds: Any, resources: Resources) -> dict[str, Any]:
    """Copies of the database in the backup region: cluster snapshots copied there, and a global database's
    secondary clusters."""
    attempt = Attempts()
    copies = attempt(
        lambda: _newest_first(
            _snapshot(s, resources.backup_region)
            for page in rds.get_paginator("describe_db_cluster_snapshots").paginate()
            for s in page["DBClusterSnapshots"]
            if s.get("DBClusterIdentifier", "").lower() == resources.cluster
        )
    )
    secondaries = attempt(lambda: _secondary_regions(rds, resources.cluster))
    return {"region_copies": copies, "global_secondary_regions": secondaries}


def _secondary_regions(rds: Any, cluster: str) -> tuple[str, ...]:
    regions: list[str] = []
    for page in rds.get_paginator("describe_global_clusters").paginate():
        for global_cluster in page["GlobalClusters"]:
            arns = [m.get("DBClusterArn", "") for m in global_cluster.get("GlobalClusterMembers", [])]
            if any(arn.endswith(f":cluster:{cluster}") for arn in arns):
                regions += [
                    _arn_region(arn) for arn in arns if not arn.endswith(f":cluster:{cluster}") and _arn_region(arn)
                ]
    return tuple(sorted(set(regions)))


def _arn_region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def _cluster(data: dict[str, Any]) -> Cluster:
    return Cluster(
        identifier=data["DBClusterIdentifier"],
        arn=data.get("DBClusterArn", ""),
        status=data.get("Status", "unknown"),
        engine=data.get("Engine", ""),
        created=_utc(data.get("ClusterCreateTime")),
        backup_retention_days=int(data.get("BackupRetentionPeriod", 0)),
        earliest_restorable=_utc(data.get("EarliestRestorableTime")),
        latest_restorable=_utc(data.get("LatestRestorableTime")),
        backup_window=data.get("PreferredBackupWindow"),
        maintenance_window=data.get("PreferredMaintenanceWindow"),
        deletion_protection=bool(data.get("DeletionProtection")),
        multi_az=bool(data.get("MultiAZ")),
        copy_tags_to_snapshot=bool(data.get("CopyTagsToSnapshot")),
        storage_encrypted=bool(data.get("StorageEncrypted")),
        availability_zones=tuple(data.get("AvailabilityZones", ())),
        writer=next(
            (m["DBInstanceIdentifier"] for m in data.get("DBClusterMembers", []) if m.get("IsClusterWriter")), None
        ),
    )


def _instance(data: dict[str, Any]) -> Instance:
    return Instance(
        identifier=data["DBInstanceIdentifier"],
        status=data.get("DBInstanceStatus", "unknown"),
        availability_zone=data.get("AvailabilityZone"),
    )


def _snapshot(data: dict[str, Any], region: str) -> Snapshot:
    return Snapshot(
        identifier=data["DBClusterSnapshotIdentifier"],
        kind=data.get("SnapshotType", "unknown"),
        created=_utc(data.get("SnapshotCreateTime")),
        status=data.get("Status", "unknown"),
        progress=data.get("PercentProgress"),
        size_gib=data.get("AllocatedStorage"),
        encrypted=bool(data.get("StorageEncrypted")),
        region=region,
    )


def _newest_first(snapshots: Any) -> tuple[Snapshot, ...]:
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return tuple(sorted(snapshots, key=lambda s: s.created or oldest, reverse=True))


# --- S3 ------------------------------------------------------------------------------------------------------


def _read_s3(s3: Any, resources: Resources) -> dict[str, Any]:
    attempt = Attempts()
    backup_listing = attempt(lambda: _list_bucket(s3, resources.backup_bucket), missing=("NoSuchBucket",))
    if isinstance(backup_listing, tuple):
        backup_bucket, objects = backup_listing
        schema_dump = attempt(lambda: _newest_dump(s3, resources, objects))
    else:
        backup_bucket, schema_dump = backup_listing, backup_listing
    uploads_listing = attempt(lambda: _list_bucket(s3, resources.uploads_bucket), missing=("NoSuchBucket",))
    uploads_bucket = uploads_listing[0] if isinstance(uploads_listing, tuple) else uploads_listing
    facts: dict[str, Any] = {
        "backup_bucket": backup_bucket,
        "schema_dump": schema_dump,
        "uploads_bucket": uploads_bucket,
    }
    if uploads_bucket is None:  # no bucket: nothing more to read, the checks say it is missing
        return facts
    facts["uploads_versioning"] = attempt(
        lambda: s3.get_bucket_versioning(Bucket=resources.uploads_bucket).get("Status") or "never enabled"
    )
    rules = attempt(
        lambda: s3.get_bucket_replication(Bucket=resources.uploads_bucket)["ReplicationConfiguration"]["Rules"],
        missing=("ReplicationConfigurationNotFoundError",),
    )
    if rules is None:
        facts["replication"] = ()
    else:
        facts["replication"] = rules if isinstance(rules, Unknown) else tuple(_rule(s3, r, attempt) for r in rules)
    return facts


def _list_bucket(s3: Any, bucket: str) -> tuple[Bucket, list[dict[str, Any]]]:
    """The bucket's totals and the objects listed (current versions), up to OBJECT_CAP."""
    objects: list[dict[str, Any]] = []
    complete = True
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        objects += page.get("Contents", [])
        if len(objects) >= OBJECT_CAP:
            complete = not page.get("IsTruncated", False)
            break
    total = sum(int(o.get("Size", 0)) for o in objects)
    return Bucket(bucket, len(objects), total, complete), objects


def _newest_dump(s3: Any, resources: Resources, objects: list[dict[str, Any]]) -> SchemaDump | None:
    dumps = [o for o in objects if o["Key"].startswith(resources.schema_prefix) and not o["Key"].endswith("/")]
    if not dumps:
        return None
    # Dumps are named by their time, so the key breaks a tie of upload times (objects copied up together).
    newest = max(dumps, key=lambda o: (o["LastModified"], o["Key"]))
    size = int(newest.get("Size", 0))
    head = b""
    if size:
        head = s3.get_object(Bucket=resources.backup_bucket, Key=newest["Key"], Range="bytes=0-255")["Body"].read()
    return SchemaDump(
        key=newest["Key"],
        size=size,
        last_modified=_utc(newest["LastModified"]) or dt.datetime.min.replace(tzinfo=dt.UTC),
        looks_like_dump=DUMP_HEADER in head.decode("utf-8", errors="replace"),
    )


def _rule(s3: Any, rule: dict[str, Any], attempt: Attempts) -> ReplicationRule:
    rule_filter = rule.get("Filter", {})
    prefix = rule_filter.get("Prefix", rule_filter.get("And", {}).get("Prefix", rule.get("Prefix", "")))
    destination = rule.get("Destination", {})
    bucket = destination.get("Bucket", "").removeprefix("arn:aws:s3:::")
    # S3 answers None for us-east-1 and "EU" for buckets made long ago in eu-west-1.
    region = attempt(lambda: s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1")
    return ReplicationRule(
        rule_id=rule.get("ID", ""),
        status=rule.get("Status", ""),
        prefix=prefix,
        destination_bucket=bucket,
        destination_region="eu-west-1" if region == "EU" else region,
        storage_class=destination.get("StorageClass"),
    )


# --- AWS Backup restore testing ------------------------------------------------------------------------------


def _read_restore_tests(backup: Any, resources: Resources) -> dict[str, Any]:
    return {"restore_tests": Attempts()(lambda: _restore_tests(backup, resources.cluster))}


def _restore_tests(backup: Any, cluster: str) -> tuple[RestoreTest, ...]:
    jobs: list[dict[str, Any]] = []
    for page in backup.get_paginator("list_restore_testing_plans").paginate():
        for plan in page.get("RestoreTestingPlans", []):
            for jobs_page in backup.get_paginator("list_restore_jobs").paginate(
                ByRestoreTestingPlanArn=plan["RestoreTestingPlanArn"], PaginationConfig={"MaxItems": 500}
            ):
                jobs += [job for job in jobs_page.get("RestoreJobs", []) if _tests_cluster(job, cluster)]
    tests = [
        RestoreTest(
            job_id=job.get("RestoreJobId", ""),
            status=job.get("Status", "unknown"),
            created=_utc(job.get("CreationDate")),
            completed=_utc(job.get("CompletionDate")),
            validation_status=job.get("ValidationStatus"),
            message=job.get("ValidationStatusMessage") or job.get("StatusMessage") or "",
        )
        for job in jobs
    ]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return tuple(sorted(tests, key=lambda t: t.created or oldest, reverse=True))


def _tests_cluster(job: dict[str, Any], cluster: str) -> bool:
    source = job.get("SourceResourceArn")
    if source:
        return source.endswith(f":cluster:{cluster}")
    return job.get("ResourceType") == AURORA_RESOURCE_TYPE


# --- ECS (the application-failure scenario) ------------------------------------------------------------------


def _read_service(ecs: Any, autoscaling: Any, resources: Resources) -> dict[str, Any]:
    attempt = Attempts()
    described = attempt(
        lambda: ecs.describe_services(cluster=resources.ecs_cluster, services=[resources.api_service])["services"],
        missing=("ClusterNotFoundException",),
    )
    if not isinstance(described, list):
        return {"api_service": described}
    active = [s for s in described if s.get("status") != "INACTIVE"]
    if not active:
        return {"api_service": None}
    scaling = attempt(
        lambda: [
            (int(t["MinCapacity"]), int(t["MaxCapacity"]))
            for t in autoscaling.describe_scalable_targets(
                ServiceNamespace="ecs",
                ResourceIds=[f"service/{resources.ecs_cluster}/{resources.api_service}"],
                ScalableDimension="ecs:service:DesiredCount",
            )["ScalableTargets"]
        ]
    )
    service = active[0]
    return {
        "api_service": Service(
            name=service.get("serviceName", resources.api_service),
            status=service.get("status", "unknown"),
            desired=int(service.get("desiredCount", 0)),
            running=int(service.get("runningCount", 0)),
            scaling=(scaling[0] if scaling else None) if isinstance(scaling, list) else scaling,
        )
    }


def _utc(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
