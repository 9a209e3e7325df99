"""CloudWatch: 3 hours of the metrics the operations guide's dashboard and alarms name, and its two alarms.

Values are seeded-random and realistic, with the incident of `Timeline` at the end: ECS CPU above 80%, response
times above 2 s, database connections near the limit of 100.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.devstack.aws import ACCOUNT_ID, REGION
from backend.devstack.names import ALERTS_TOPIC, API_SERVICE, CLUSTER, DB_CLUSTER, ENVIRONMENT, LOAD_BALANCER
from backend.devstack.timeline import PERIOD, Timeline

SEED = 20240101


@dataclass(frozen=True)
class Series:
    namespace: str
    name: str
    unit: str
    dimensions: tuple[tuple[str, str], ...]
    normal: tuple[float, float]
    incident: tuple[float, float]
    digits: int
    key: str = ""  # series with the same key get the same values (two names for one measurement)

    def values(self, timeline: Timeline) -> list[tuple[datetime, float]]:
        rng = random.Random(f"{SEED}:{self.key or self.name}")
        out = []
        for moment in timeline.points():
            low, high = self.incident if timeline.in_incident(moment) else self.normal
            out.append((moment, round(rng.uniform(low, high), self.digits)))
        return out


_ECS = (("ClusterName", CLUSTER), ("ServiceName", API_SERVICE))
SERIES: tuple[Series, ...] = (
    Series("ShopManagement/Business", "active_shops", "Count", (("Environment", ENVIRONMENT),), (2, 2), (2, 2), 0),
    Series("ShopManagement/Business", "active_users", "Count", (("Environment", ENVIRONMENT),), (4, 8), (3, 7), 0),
    Series(
        "ShopManagement/Business",
        "transactions_per_hour",
        "Count",
        (("Environment", ENVIRONMENT),),
        (60, 115),
        (18, 45),  # slow checkouts: fewer sales go through
        0,
    ),
    Series(
        "ShopManagement/Performance",
        "api_response_time",
        "Milliseconds",
        (("Endpoint", "*"),),
        (120, 320),
        (2100, 3400),
        0,
        key="response_time",
    ),
    # The name the guide's API-High-Response-Time alarm watches (no dimensions), so the alarm has data.
    Series(
        "ShopManagement/Performance", "ResponseTime", "Milliseconds", (), (120, 320), (2100, 3400), 0, "response_time"
    ),
    Series("AWS/ECS", "CPUUtilization", "Percent", _ECS, (22, 45), (82, 96), 1),
    Series("AWS/ECS", "MemoryUtilization", "Percent", _ECS, (46, 58), (68, 79), 1),
    Series("AWS/RDS", "DatabaseConnections", "Count", (("DBClusterIdentifier", DB_CLUSTER),), (14, 32), (85, 95), 0),
    Series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        "Seconds",
        (("LoadBalancer", LOAD_BALANCER),),
        (0.12, 0.32),
        (2.1, 3.4),
        3,
    ),
)

# Exactly as the guide's `aws cloudwatch put-metric-alarm` commands define them.
ALARMS: tuple[dict[str, Any], ...] = (
    {
        "AlarmName": "API-High-Response-Time",
        "AlarmDescription": "API response time above 2 seconds",
        "MetricName": "ResponseTime",
        "Namespace": "ShopManagement/Performance",
        "Statistic": "Average",
        "Period": 300,
        "Threshold": 2000.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "EvaluationPeriods": 2,
        "AlarmActions": [f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{ALERTS_TOPIC}"],
    },
    {
        "AlarmName": "Database-High-Connections",
        "AlarmDescription": "Database connections above 80%",
        "MetricName": "DatabaseConnections",
        "Namespace": "AWS/RDS",
        "Statistic": "Average",
        "Period": 300,
        "Threshold": 80.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "EvaluationPeriods": 2,
    },
)
_ALARM_SERIES = {"API-High-Response-Time": "ResponseTime", "Database-High-Connections": "DatabaseConnections"}


def seed(cloudwatch: Any, sns: Any, timeline: Timeline) -> None:
    by_namespace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for series in SERIES:
        dimensions = [{"Name": name, "Value": value} for name, value in series.dimensions]
        by_namespace[series.namespace] += [
            {"MetricName": series.name, "Dimensions": dimensions, "Timestamp": at, "Value": v, "Unit": series.unit}
            for at, v in series.values(timeline)
        ]
    for namespace, data in by_namespace.items():  # one call per namespace: well under the 1,000-item limit
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)

    sns.create_topic(Name=ALERTS_TOPIC)
    for alarm in ALARMS:
        cloudwatch.put_metric_alarm(**alarm)
        # moto never evaluates alarms; set the state the seeded data puts them in.
        cloudwatch.set_alarm_state(
            AlarmName=alarm["AlarmName"], StateValue="ALARM", StateReason=_breach_reason(alarm, timeline)
        )


def _breach_reason(alarm: dict[str, Any], timeline: Timeline) -> str:
    series = next(s for s in SERIES if s.name == _ALARM_SERIES[alarm["AlarmName"]])
    latest = series.values(timeline)[-alarm["EvaluationPeriods"] :]
    shown = ", ".join(f"{value:g} ({at:%d/%m/%y %H:%M:%S})" for at, value in reversed(latest))
    return (
        f"Threshold Crossed: {len(latest)} datapoints [{shown}] were greater than the threshold "
        f"({alarm['Threshold']:g}) over {alarm['EvaluationPeriods']} periods of {PERIOD.seconds // 60} minutes."
    )
