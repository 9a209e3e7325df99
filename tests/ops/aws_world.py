"""A stubbed AWS (botocore Stubber) for the backup checks: what moto cannot express, told as a small world.

`World()` is the guide's system in good order at NOW; a test changes one thing (`world.cluster["MultiAZ"] = False`,
`world.snapshots = Err("AccessDenied", 403)`) and `world.clients()` queues every answer, in the order the backup
facts read them, on real botocore clients. A test can then check that every queued answer was used.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.response import StreamingBody
from botocore.stub import Stubber
from ops_testkit import NOW

ACCOUNT = "123456789012"
REGION = "us-east-1"
BACKUP_REGION = "us-west-2"
CLUSTER = "shop-management-aurora"
CLUSTER_ARN = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{CLUSTER}"
BACKUP_BUCKET = "shop-management-backups"
UPLOADS_BUCKET = "shop-management-uploads"
REPLICA_BUCKET = "shop-management-uploads-replica"
PLAN_ARN = f"arn:aws:backup:{REGION}:{ACCOUNT}:restore-testing-plan:monthly-aurora"
DUMP = b"--\n-- PostgreSQL database dump (schema only)\n--\n\nSET statement_timeout = 0;\n"


@dataclass(frozen=True)
class Err:
    code: str
    status: int = 400
    message: str = ""


def ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


def cluster(**changes: Any) -> dict[str, Any]:
    return {
        "DBClusterIdentifier": CLUSTER,
        "DBClusterArn": CLUSTER_ARN,
        "Status": "available",
        "Engine": "aurora-postgresql",
        "ClusterCreateTime": ago(days=400),
        "BackupRetentionPeriod": 30,
        "EarliestRestorableTime": ago(days=30),
        "LatestRestorableTime": ago(minutes=2),
        "PreferredBackupWindow": "03:00-04:00",
        "PreferredMaintenanceWindow": "sun:04:00-sun:05:00",
        "DeletionProtection": True,
        "MultiAZ": True,
        "CopyTagsToSnapshot": True,
        "StorageEncrypted": True,
        "AvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
        "DBClusterMembers": [
            {"DBInstanceIdentifier": "shop-management-aurora-2", "IsClusterWriter": True},
            {"DBInstanceIdentifier": "shop-management-aurora-1", "IsClusterWriter": False},
        ],
        **changes,
    }


def instance(identifier: str, zone: str, status: str = "available") -> dict[str, Any]:
    return {"DBInstanceIdentifier": identifier, "DBInstanceStatus": status, "AvailabilityZone": zone}


def snapshot(
    identifier: str,
    kind: str,
    age: dt.timedelta,
    status: str = "available",
    progress: int = 100,
    encrypted: bool = True,
) -> dict[str, Any]:
    return {
        "DBClusterSnapshotIdentifier": identifier,
        "DBClusterIdentifier": CLUSTER,
        "SnapshotType": kind,
        "SnapshotCreateTime": NOW - age,
        "Status": status,
        "PercentProgress": progress,
        "AllocatedStorage": 20,
        "StorageEncrypted": encrypted,
    }


def s3_object(key: str, age: dt.timedelta, size: int) -> dict[str, Any]:
    return {"Key": key, "LastModified": NOW - age, "Size": size}


def restore_job(
    job_id: str,
    age: dt.timedelta,
    status: str = "COMPLETED",
    validation: str | None = "SUCCESSFUL",
    took: dt.timedelta = dt.timedelta(minutes=45),
    message: str = "",
) -> dict[str, Any]:
    job: dict[str, Any] = {
        "RestoreJobId": job_id,
        "SourceResourceArn": CLUSTER_ARN,
        "ResourceType": "Aurora",
        "Status": status,
        "CreationDate": NOW - age - took,
        "CompletionDate": NOW - age,
        "StatusMessage": message,
    }
    if validation:
        job["ValidationStatus"] = validation
    return job


def _default_snapshots() -> list[dict[str, Any]]:
    return [
        snapshot("rds:shop-management-aurora-2026-03-14-03-12", "automated", dt.timedelta(hours=6, minutes=14)),
        snapshot("manual-backup-20260313-120000", "manual", dt.timedelta(hours=21, minutes=26)),
        snapshot("rds:shop-management-aurora-2026-03-13-03-11", "automated", dt.timedelta(hours=30, minutes=15)),
        snapshot("manual-backup-20260305-120000", "manual", dt.timedelta(days=8, hours=21)),
    ]


def _default_rules() -> list[dict[str, Any]]:
    return [
        {
            "ID": "backup-replication",
            "Status": "Enabled",
            "Priority": 1,
            "Filter": {"Prefix": "uploads/"},
            "DeleteMarkerReplication": {"Status": "Disabled"},
            "Destination": {"Bucket": f"arn:aws:s3:::{REPLICA_BUCKET}", "StorageClass": "STANDARD_IA"},
        }
    ]


Answer = Any  # a response dict, or Err


@dataclass
class World:
    cluster: Answer = field(default_factory=cluster)
    instances: Answer = field(
        default_factory=lambda: [
            instance("shop-management-aurora-2", "us-east-1a"),
            instance("shop-management-aurora-1", "us-east-1b"),
        ]
    )
    snapshots: Answer = field(default_factory=_default_snapshots)
    region_snapshots: Answer = field(
        default_factory=lambda: [snapshot("copy-of-latest", "manual", dt.timedelta(minutes=9))]
    )
    global_clusters: Answer = field(default_factory=list)
    backup_objects: Answer = field(
        default_factory=lambda: [
            s3_object("schema/schema_20260313_033000.sql", dt.timedelta(hours=29, minutes=56), 2530),
            s3_object("schema/schema_20260314_033000.sql", dt.timedelta(hours=5, minutes=56), 2530),
        ]
    )
    dump_body: bytes = DUMP
    uploads_objects: Answer = field(
        default_factory=lambda: [s3_object(f"uploads/shop/p{i}.png", dt.timedelta(days=i), 70) for i in range(5)]
    )
    versioning: Answer = field(default_factory=lambda: {"Status": "Enabled"})
    replication: Answer = field(default_factory=_default_rules)
    destination_location: Answer = BACKUP_REGION
    restore_plans: Answer = field(
        default_factory=lambda: [
            {
                "RestoreTestingPlanArn": PLAN_ARN,
                "RestoreTestingPlanName": "monthly-aurora",
                "CreationTime": NOW - dt.timedelta(days=200),
                "ScheduleExpression": "cron(0 5 ? * 1 *)",
            }
        ]
    )
    restore_jobs: Answer = field(default_factory=lambda: [restore_job("job-0314", dt.timedelta(days=5))])
    service: Answer = field(
        default_factory=lambda: {
            "serviceName": "shop-management-api",
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
        }
    )
    scaling: Answer = field(
        default_factory=lambda: [
            {
                "ServiceNamespace": "ecs",
                "ResourceId": "service/shop-management-cluster/shop-management-api",
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 2,
                "MaxCapacity": 10,
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/ecs-autoscaling",
                "CreationTime": NOW - dt.timedelta(days=400),
            }
        ]
    )

    def clients(self) -> StubbedClients:
        stubs = StubbedClients()
        rds = _Queue(stubs.add("rds", REGION))
        rds.answer(
            "describe_db_clusters", self.cluster, lambda c: {"DBClusters": [c]}, {"DBClusterIdentifier": CLUSTER}
        )
        rds.answer(
            "describe_db_instances",
            self.instances,
            lambda i: {"DBInstances": i},
            {"Filters": [{"Name": "db-cluster-id", "Values": [CLUSTER]}]},
        )
        rds.answer(
            "describe_db_cluster_snapshots",
            self.snapshots,
            lambda s: {"DBClusterSnapshots": s},
            {"DBClusterIdentifier": CLUSTER},
        )

        west = _Queue(stubs.add("rds", BACKUP_REGION))
        west.answer("describe_db_cluster_snapshots", self.region_snapshots, lambda s: {"DBClusterSnapshots": s}, {})
        west.answer("describe_global_clusters", self.global_clusters, lambda g: {"GlobalClusters": g}, {})

        s3 = _Queue(stubs.add("s3", REGION))
        s3.answer("list_objects_v2", self.backup_objects, _listing, {"Bucket": BACKUP_BUCKET})
        dumps = (
            [o for o in self.backup_objects if o["Key"].startswith("schema/")]
            if isinstance(self.backup_objects, list)
            else []
        )
        if dumps and max(dumps, key=lambda o: (o["LastModified"], o["Key"]))["Size"]:
            newest = max(dumps, key=lambda o: (o["LastModified"], o["Key"]))
            body = StreamingBody(io.BytesIO(self.dump_body), len(self.dump_body))
            s3.answer(
                "get_object",
                {"Body": body},
                lambda r: r,
                {"Bucket": BACKUP_BUCKET, "Key": newest["Key"], "Range": "bytes=0-255"},
            )
        s3.answer("list_objects_v2", self.uploads_objects, _listing, {"Bucket": UPLOADS_BUCKET})
        if not (isinstance(self.uploads_objects, Err) and self.uploads_objects.code == "NoSuchBucket"):
            s3.answer("get_bucket_versioning", self.versioning, lambda v: v, {"Bucket": UPLOADS_BUCKET})
            s3.answer(
                "get_bucket_replication",
                self.replication,
                lambda rules: {"ReplicationConfiguration": {"Role": "arn:aws:iam::1:role/r", "Rules": rules}},
                {"Bucket": UPLOADS_BUCKET},
            )
            for rule in self.replication if isinstance(self.replication, list) else []:
                bucket = rule["Destination"]["Bucket"].removeprefix("arn:aws:s3:::")
                s3.answer(
                    "get_bucket_location",
                    self.destination_location,
                    lambda location: {"LocationConstraint": location} if location else {},
                    {"Bucket": bucket},
                )

        backup = _Queue(stubs.add("backup", REGION))
        backup.answer("list_restore_testing_plans", self.restore_plans, lambda p: {"RestoreTestingPlans": p}, {})
        for plan in self.restore_plans if isinstance(self.restore_plans, list) else []:
            backup.answer(
                "list_restore_jobs",
                self.restore_jobs,
                lambda j: {"RestoreJobs": j},
                {"ByRestoreTestingPlanArn": plan["RestoreTestingPlanArn"]},
            )

        ecs = _Queue(stubs.add("ecs", REGION))
        autoscaling = _Queue(stubs.add("application-autoscaling", REGION))
        services = self.service if isinstance(self.service, Err) else [self.service] if self.service else []
        ecs.answer(
            "describe_services",
            services,
            lambda s: {"services": s, "failures": []},
            {"cluster": "shop-management-cluster", "services": ["shop-management-api"]},
        )
        if self.service and not isinstance(self.service, Err):
            autoscaling.answer(
                "describe_scalable_targets",
                self.scaling,
                lambda t: {"ScalableTargets": t},
                {
                    "ServiceNamespace": "ecs",
                    "ResourceIds": ["service/shop-management-cluster/shop-management-api"],
                    "ScalableDimension": "ecs:service:DesiredCount",
                },
            )
        return stubs


def _listing(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Contents": objects, "KeyCount": len(objects), "IsTruncated": False}


# Errors after which the backup facts make no more calls on that client (console.ops.aws.answers_every_call).
STOPS_THE_CLIENT = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"}


class _Queue:
    """The answers of one client, in order; none after an error that stops the client's reader."""

    def __init__(self, stubber: Stubber) -> None:
        self.stubber = stubber
        self.stopped = False

    def answer(self, method: str, answer: Answer, shape: Any, expected: dict[str, Any]) -> None:
        if self.stopped:
            return
        if isinstance(answer, Err):
            message = answer.message or answer.code
            self.stubber.add_client_error(method, answer.code, message, answer.status, expected_params=expected)
            self.stopped = answer.code in STOPS_THE_CLIENT
        else:
            self.stubber.add_response(method, shape(answer), expected)


# One session for all stubbed clients: it caches the service models, so making clients stays cheap.
_SESSION = boto3.session.Session(aws_access_key_id="stub", aws_secret_access_key="stub")


class StubbedClients:
    """A ClientSource of real botocore clients with a Stubber each, keyed by service and region."""

    def __init__(self) -> None:
        self.stubs: dict[tuple[str, str], Stubber] = {}
        self.made: list[tuple[str, str]] = []

    def add(self, service: str, region: str) -> Stubber:
        client = _SESSION.client(service, region_name=region)
        stubber = Stubber(client)
        stubber.activate()
        self.stubs[(service, region)] = stubber
        return stubber

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or REGION)
        self.made.append(key)
        return self.stubs[key].client

    def assert_all_used(self) -> None:
        for stubber in self.stubs.values():
            stubber.assert_no_pending_responses()
