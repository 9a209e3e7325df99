"""What the stack seeds into moto, read back as the admin screens will read it (boto3 against the endpoint)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.devstack import DevStack
from backend.devstack import names as n
from backend.devstack.seed_logs import HOSTS

Client = Callable[..., Any]


@pytest.fixture(scope="module")
def now(devstack: DevStack) -> datetime:
    assert devstack.started_at is not None
    return devstack.started_at


def averages(
    aws_client: Client, now: datetime, namespace: str, metric: str, dimensions: dict[str, str], since: timedelta
) -> list[float]:
    points = aws_client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=now - since,
        EndTime=now + timedelta(seconds=1),
        Period=300,
        Statistics=["Average"],
    )["Datapoints"]
    return [p["Average"] for p in sorted(points, key=lambda p: p["Timestamp"])]


def test_aurora_cluster_matches_the_guides_backup_settings(aws_client: Client) -> None:
    cluster = aws_client("rds").describe_db_clusters(DBClusterIdentifier=n.DB_CLUSTER)["DBClusters"][0]
    assert cluster["Engine"] == "aurora-postgresql"
    assert cluster["BackupRetentionPeriod"] == 30
    assert cluster["PreferredBackupWindow"] == "03:00-04:00"
    assert cluster["PreferredMaintenanceWindow"] == "sun:04:00-sun:05:00"
    assert cluster["DeletionProtection"] and cluster["CopyTagsToSnapshot"] and cluster["StorageEncrypted"]
    assert cluster["MultiAZ"]
    writers = {m["DBInstanceIdentifier"]: m["IsClusterWriter"] for m in cluster["DBClusterMembers"]}
    assert writers == {n.DB_WRITER: True, n.DB_READER: False}


def test_cluster_has_manual_and_automated_snapshots(aws_client: Client) -> None:
    snapshots = aws_client("rds").describe_db_cluster_snapshots(DBClusterIdentifier=n.DB_CLUSTER)
    kinds: dict[str, list[str]] = {}
    for snapshot in snapshots["DBClusterSnapshots"]:
        kinds.setdefault(snapshot["SnapshotType"], []).append(snapshot["DBClusterSnapshotIdentifier"])
    assert len(kinds["manual"]) >= 3
    assert all(re.fullmatch(r"manual-backup-\d{8}-\d{6}", name) for name in kinds["manual"])
    assert kinds["automated"]


def test_backup_bucket_holds_schema_dumps(aws_client: Client, now: datetime) -> None:
    objects = aws_client("s3").list_objects_v2(Bucket=n.BACKUP_BUCKET, Prefix="schema/")["Contents"]
    keys = sorted(o["Key"] for o in objects)
    assert len(keys) >= 3
    assert all(re.fullmatch(r"schema/schema_\d{8}_\d{6}\.sql", key) for key in keys)
    newest = datetime.strptime(keys[-1], "schema/schema_%Y%m%d_%H%M%S.sql").replace(tzinfo=now.tzinfo)
    assert timedelta(0) <= now - newest < timedelta(days=1)
    dump = aws_client("s3").get_object(Bucket=n.BACKUP_BUCKET, Key=keys[-1])["Body"].read().decode()
    assert "CREATE TABLE public.shops" in dump


def test_uploads_bucket_is_versioned_replicated_and_has_a_lifecycle(aws_client: Client) -> None:
    s3 = aws_client("s3")
    assert s3.get_bucket_versioning(Bucket=n.UPLOADS_BUCKET)["Status"] == "Enabled"
    rule = s3.get_bucket_replication(Bucket=n.UPLOADS_BUCKET)["ReplicationConfiguration"]["Rules"][0]
    assert rule["ID"] == "backup-replication" and rule["Status"] == "Enabled"
    assert rule["Filter"]["Prefix"] == "uploads/"
    assert rule["Destination"]["Bucket"] == f"arn:aws:s3:::{n.REPLICA_BUCKET}"
    assert rule["Destination"]["StorageClass"] == "STANDARD_IA"
    assert s3.get_bucket_location(Bucket=n.REPLICA_BUCKET)["LocationConstraint"] == n.REPLICA_REGION
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=n.UPLOADS_BUCKET)["Rules"]
    assert {r["ID"] for r in lifecycle} >= {"uploads-tiering"}
    uploads = s3.list_objects_v2(Bucket=n.UPLOADS_BUCKET, Prefix="uploads/")["Contents"]
    assert len(uploads) >= 3


@pytest.mark.parametrize(
    ("namespace", "metric", "dimensions"),
    [
        ("ShopManagement/Business", "active_shops", {"Environment": n.ENVIRONMENT}),
        ("ShopManagement/Business", "active_users", {"Environment": n.ENVIRONMENT}),
        ("ShopManagement/Business", "transactions_per_hour", {"Environment": n.ENVIRONMENT}),
        ("ShopManagement/Performance", "api_response_time", {}),
        ("AWS/ECS", "CPUUtilization", {"ClusterName": n.CLUSTER, "ServiceName": n.API_SERVICE}),
        ("AWS/ECS", "MemoryUtilization", {"ServiceName": n.API_SERVICE}),
        ("AWS/RDS", "DatabaseConnections", {"DBClusterIdentifier": n.DB_CLUSTER}),
        ("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": n.LOAD_BALANCER}),
    ],
)
def test_three_hours_of_five_minute_metrics(
    aws_client: Client, now: datetime, namespace: str, metric: str, dimensions: dict[str, str]
) -> None:
    assert len(averages(aws_client, now, namespace, metric, dimensions, timedelta(hours=3))) == 36


def test_the_incident_is_in_the_last_hour(aws_client: Client, now: datetime) -> None:
    def series(namespace: str, metric: str, dimensions: dict[str, str]) -> tuple[list[float], list[float]]:
        values = averages(aws_client, now, namespace, metric, dimensions, timedelta(hours=3))
        return values[:24], values[-6:]  # the first two hours; the last half hour

    cpu_before, cpu_now = series("AWS/ECS", "CPUUtilization", {"ServiceName": n.API_SERVICE})
    assert max(cpu_before) < 60 < 80 < min(cpu_now)
    api_before, api_now = series("ShopManagement/Performance", "api_response_time", {"Endpoint": "*"})
    assert max(api_before) < 1000 and min(api_now) > 2000
    alb_before, alb_now = series("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": n.LOAD_BALANCER})
    assert max(alb_before) < 1 and min(alb_now) > 2
    db_before, db_now = series("AWS/RDS", "DatabaseConnections", {"DBClusterIdentifier": n.DB_CLUSTER})
    assert max(db_before) < 50 and min(db_now) > 80 and max(db_now) < n.MAX_DB_CONNECTIONS
    # The guide's High CPU check: the average over the last 15 minutes is above 80%.
    last_quarter = averages(aws_client, now, "AWS/ECS", "CPUUtilization", {}, timedelta(minutes=15))
    assert sum(last_quarter) / len(last_quarter) > 80


def test_the_guides_alarms_exist_and_fire(aws_client: Client) -> None:
    alarms = aws_client("cloudwatch").describe_alarms(
        AlarmNames=["API-High-Response-Time", "Database-High-Connections"]
    )["MetricAlarms"]
    by_name = {a["AlarmName"]: a for a in alarms}
    api = by_name["API-High-Response-Time"]
    assert (api["Namespace"], api["MetricName"], api["Threshold"]) == (
        "ShopManagement/Performance",
        "ResponseTime",
        2000,
    )
    assert (api["Statistic"], api["Period"], api["EvaluationPeriods"]) == ("Average", 300, 2)
    assert api["ComparisonOperator"] == "GreaterThanThreshold"
    assert api["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:alerts"]
    db = by_name["Database-High-Connections"]
    assert (db["Namespace"], db["MetricName"], db["Threshold"]) == ("AWS/RDS", "DatabaseConnections", 80)
    assert {a["StateValue"] for a in alarms} == {"ALARM"}


def test_api_logs_in_the_guides_format_with_errors_and_slow_queries(aws_client: Client, now: datetime) -> None:
    logs = aws_client("logs")
    streams = logs.describe_log_streams(logGroupName=n.LOG_GROUP)["logStreams"]
    # One stream per running task, named as the guide's transport names them; other tests add streams of their own.
    seeded = [s["logStreamName"] for s in streams if re.fullmatch(rf"({'|'.join(HOSTS)})-\d+", s["logStreamName"])]
    assert len(seeded) == 2

    def events(pattern: str) -> list[dict[str, Any]]:
        found = logs.filter_log_events(logGroupName=n.LOG_GROUP, logStreamNames=seeded, filterPattern=pattern)["events"]
        return [{"at": e["timestamp"], **json.loads(e["message"])} for e in found]

    everything = events("")
    assert everything, "no log events"
    for line in everything:
        assert {"timestamp", "level", "message", "service", "environment", "version"} <= line.keys()
        assert line["service"] == n.API_SERVICE
    assert {line.get("action") for line in everything} >= {"login", "logout", "purchase"}
    assert all(now - timedelta(hours=3, seconds=1) <= _at(line) <= now for line in everything)

    errors = events("ERROR")
    assert errors and all(line["level"] == "ERROR" for line in errors)
    incident_start = now - timedelta(minutes=40)
    in_incident = [e for e in errors if _at(e) > incident_start]
    assert len(in_incident) > len(errors) - len(in_incident)  # 40 minutes out-error the 140 before them

    slow = [line for line in events("query_duration") if line["query_duration"] > 1000]
    assert slow and all("query" in line for line in slow)


def _at(line: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(line["at"] / 1000, tz=UTC)


def test_ecs_services_and_autoscaling_as_in_adr_002(aws_client: Client) -> None:
    ecs = aws_client("ecs")
    services = ecs.describe_services(cluster=n.CLUSTER, services=[n.API_SERVICE, n.FRONTEND_SERVICE])["services"]
    assert {s["serviceName"]: (s["desiredCount"], s["runningCount"]) for s in services} == {
        n.API_SERVICE: (2, 2),
        n.FRONTEND_SERVICE: (2, 2),
    }
    task = ecs.describe_task_definition(taskDefinition=services[0]["taskDefinition"])["taskDefinition"]
    assert (task["cpu"], task["memory"], task["requiresCompatibilities"]) == ("512", "1024", ["FARGATE"])

    autoscaling = aws_client("application-autoscaling")
    target = autoscaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    assert target["ResourceId"] == f"service/{n.CLUSTER}/{n.API_SERVICE}"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 10)
    policy = autoscaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"][0]
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["TargetValue"] == 70
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"


def test_get_metric_data_sees_the_same_series(aws_client: Client, now: datetime) -> None:
    """The dashboard's call: one query per widget line, 5-minute averages over 3 hours."""
    result = aws_client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": "cpu",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/ECS",
                        "MetricName": "CPUUtilization",
                        "Dimensions": [
                            {"Name": "ClusterName", "Value": n.CLUSTER},
                            {"Name": "ServiceName", "Value": n.API_SERVICE},
                        ],
                    },
                    "Period": 300,
                    "Stat": "Average",
                },
            }
        ],
        StartTime=now - timedelta(hours=3),
        EndTime=now + timedelta(seconds=1),
    )["MetricDataResults"][0]
    assert len(result["Values"]) == 36
    assert max(result["Values"]) > 80
