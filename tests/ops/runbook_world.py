"""A stubbed AWS (botocore Stubber) for the runbook and health screens' pictures: the guide's system at NOW in the
middle of the High CPU incident. moto's seeded figures are stamped with the real time the stack started, so a
picture taken with a frozen clock needs answers stamped from NOW; the moto tests cover the same calls live.

A Stubber answers in order, so each helper queues the calls of one walk: `high_cpu_checks` the five checks of the
High CPU runbook (then `scale_preview` for its action), `failover_checks` and `failover_preview` for the database
failover, `snapshot_preview` for the manual backup, `dashboard` for the health dashboard.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from aws_world import CLUSTER, REGION, StubbedClients, cluster
from botocore.stub import ANY, Stubber
from ops_testkit import NOW

SERVICE = "shop-management-api"
ECS_CLUSTER = "shop-management-cluster"
PERIOD = dt.timedelta(minutes=5)
SPAN = 36  # 3 hours of 5-minute periods


def _series(calm: float, incident: tuple[float, ...], wobble: float = 4.0) -> list[tuple[dt.datetime, float]]:
    """3 hours of periods ending 5 minutes before NOW: calm with a regular wobble, then the incident stretch."""
    values = [calm + wobble * ((i * 7) % 5 - 2) / 2 for i in range(SPAN - len(incident))] + list(incident)
    return [(NOW - PERIOD * (SPAN - i), value) for i, value in enumerate(values)]


CPU = _series(38, (55, 71, 84, 89, 92, 91))
CPU_MAX = _series(47, (66, 80, 93, 96, 97, 98))
MEMORY = _series(52, (55, 57, 58, 60, 61, 61), wobble=1.5)
ALB = _series(0.42, (0.9, 1.6, 2.3, 2.6, 2.8, 2.7), wobble=0.06)
CONNECTIONS = _series(31, (40, 58, 77, 86, 88, 90))
BUSINESS = {
    "active_shops": _series(2, (2, 2, 2, 2, 2, 2), wobble=0),
    "active_users": _series(5, (6, 6, 7, 7, 7, 7), wobble=1),
    "transactions_per_hour": _series(40, (52, 61, 58, 49, 44, 41), wobble=6),
}


def _statistics(stubber: Stubber, series: list[tuple[dt.datetime, float]], statistic: str) -> None:
    points = [{"Timestamp": at, statistic: value, "SampleCount": 10.0} for at, value in series]
    stubber.add_response("get_metric_statistics", {"Datapoints": points, "Label": "stubbed"}, _ANY_STATISTICS)


_ANY_STATISTICS = {
    "Namespace": ANY,
    "MetricName": ANY,
    "Dimensions": ANY,
    "StartTime": ANY,
    "EndTime": ANY,
    "Period": ANY,
    "Statistics": ANY,
}


def _events(stubber: Stubber, per_bin: list[int], message: str) -> None:
    """One page of log events: per_bin[i] events in the i-th 5-minute bin of the last hour."""
    start = NOW - dt.timedelta(hours=1)
    events = [
        {
            "timestamp": int((start + PERIOD * i + dt.timedelta(seconds=10 + n)).timestamp() * 1000),
            "message": message,
            "logStreamName": "api/1",
            "eventId": f"{i}-{n}",
        }
        for i, count in enumerate(per_bin)
        for n in range(count)
    ]
    expected = {"logGroupName": ANY, "startTime": ANY, "endTime": ANY, "filterPattern": ANY}
    stubber.add_response("filter_log_events", {"events": events, "searchedLogStreams": []}, expected)


ERRORS_PER_BIN = [0, 1, 0, 0, 1, 0, 2, 1, 4, 9, 12, 11]
SLOW_PER_BIN = [0, 0, 0, 1, 0, 0, 1, 3, 6, 8, 9, 7]


class RunbookWorld:
    """The stubbed clients of one walk; queue its calls in the order the walk makes them."""

    def __init__(self) -> None:
        self.stubs = StubbedClients()
        for service in ("cloudwatch", "logs", "ecs", "application-autoscaling", "rds"):
            self.stubs.add(service, REGION)

    def _stub(self, service: str) -> Stubber:
        return self.stubs.stubs[(service, REGION)]

    def high_cpu_checks(self) -> RunbookWorld:
        cloudwatch, logs = self._stub("cloudwatch"), self._stub("logs")
        _statistics(cloudwatch, CPU, "Average")
        _statistics(cloudwatch, CPU_MAX, "Maximum")
        _statistics(cloudwatch, MEMORY, "Average")
        _events(logs, ERRORS_PER_BIN, "ERROR request timed out waiting for a database connection")
        _events(logs, SLOW_PER_BIN, json.dumps({"level": "warn", "query_duration": 1840}))
        return self

    def scale_preview(self, desired: int = 2) -> RunbookWorld:
        service = {"serviceName": SERVICE, "status": "ACTIVE", "desiredCount": desired, "runningCount": desired}
        self._stub("ecs").add_response(
            "describe_services",
            {"services": [{**service, "pendingCount": 0}], "failures": []},
            {"cluster": ECS_CLUSTER, "services": [SERVICE]},
        )
        target: dict[str, Any] = {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{ECS_CLUSTER}/{SERVICE}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 2,
            "MaxCapacity": 10,
            "RoleARN": "arn:aws:iam::123456789012:role/ecs-autoscaling",
            "CreationTime": NOW - dt.timedelta(days=400),
        }
        self._stub("application-autoscaling").add_response(
            "describe_scalable_targets", {"ScalableTargets": [target]}, ANY_PARAMS
        )
        return self

    def failover_checks(self) -> RunbookWorld:
        _statistics(self._stub("cloudwatch"), CONNECTIONS, "Average")
        _events(self._stub("logs"), [0] * 9 + [5, 7, 6], "ERROR connection to the writer was lost")
        return self

    def cluster_read(self) -> RunbookWorld:
        """One DescribeDBClusters: the failover's and the manual snapshot's preview read it."""
        self._stub("rds").add_response(
            "describe_db_clusters", {"DBClusters": [cluster()]}, {"DBClusterIdentifier": CLUSTER}
        )
        return self

    def dashboard(self) -> RunbookWorld:
        cloudwatch = self._stub("cloudwatch")
        for series in BUSINESS.values():
            _statistics(cloudwatch, series, "Sum")
        for series in (CPU, MEMORY, ALB, CONNECTIONS):
            _statistics(cloudwatch, series, "Average")
        cloudwatch.add_response("describe_alarms", {"MetricAlarms": ALARMS}, ANY_PARAMS)
        return self

    def clients(self) -> StubbedClients:
        return self.stubs


ANY_PARAMS = None  # botocore's Stubber: no check of the call's parameters

ALARMS = [
    {
        "AlarmName": "API-High-Response-Time",
        "AlarmDescription": "API response time above 2 seconds",
        "StateValue": "ALARM",
        "StateReason": "Threshold Crossed: 2 datapoints [2780.0, 2610.0] were greater than the threshold (2000.0).",
        "StateUpdatedTimestamp": NOW - dt.timedelta(minutes=12),
        "MetricName": "ResponseTime",
        "Namespace": "ShopManagement/Performance",
        "Threshold": 2000.0,
        "ComparisonOperator": "GreaterThanThreshold",
    },
    {
        "AlarmName": "Database-High-Connections",
        "AlarmDescription": "Database connections above 80%",
        "StateValue": "ALARM",
        "StateReason": "Threshold Crossed: 2 datapoints [88.0, 86.0] were greater than the threshold (80.0).",
        "StateUpdatedTimestamp": NOW - dt.timedelta(minutes=9),
        "MetricName": "DatabaseConnections",
        "Namespace": "AWS/RDS",
        "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold",
    },
    {
        "AlarmName": "ECS-Service-Unhealthy-Tasks",
        "AlarmDescription": "Healthy targets below 2",
        "StateValue": "OK",
        "StateReason": "Threshold Crossed: 1 datapoint [2.0] was not less than the threshold (2.0).",
        "StateUpdatedTimestamp": NOW - dt.timedelta(days=3),
        "MetricName": "HealthyHostCount",
        "Namespace": "AWS/ApplicationELB",
        "Threshold": 2.0,
        "ComparisonOperator": "LessThanThreshold",
    },
]
