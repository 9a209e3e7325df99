"""The health dashboard's data: the operations guide's CloudWatch dashboard (business metrics, infrastructure health)
as series with their latest value, its alarms with their state, and shop-api's live business figures.

`collect_dashboard(profile)` never raises: a metric, the alarms or the live figures that cannot be read carry the
reason instead. The screen refreshes it every REFRESH (and on a key) and shows how old it is ("collected 12 s ago").
Admin and support may see it; the live figures come from an admin route, so support sees the reason instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from console.api import ApiClient, ApiProblem, ApiUnavailable
from console.config import Profile
from console.ops.aws import AwsClients, ClientSource, answers_every_call, describe_error
from console.ops.checks import format_duration
from console.ops.guide import ENVIRONMENTS, Resources
from console.ops.metrics import MetricQuery, Point, format_value, read_series, sparkline
from offline_cache.clock import Clock, system_clock

ALLOWED_ROLES = ("admin", "support")
REFRESH = dt.timedelta(seconds=60)
SPAN = dt.timedelta(hours=3)
PERIOD = dt.timedelta(minutes=5)  # the guide's dashboard period
LOAD_BALANCER = "shop-management-alb"
GUIDE_ALARMS = ("API-High-Response-Time", "Database-High-Connections")
BUSINESS_METRICS_PATH = "/v1/admin/business-metrics"
_STATE_ORDER = {"ALARM": 0, "INSUFFICIENT_DATA": 1, "OK": 2}


@dataclass(frozen=True)
class MetricSpec:
    key: str
    title: str
    unit: str
    query: MetricQuery


def dashboard_metrics(environment: str, res: Resources | None = None) -> tuple[tuple[MetricSpec, ...], ...]:
    """The guide's two widgets (business: Sum; infrastructure: Average), plus the database's connections.
    The business metrics carry the Environment dimension of the guide's custom metrics; the demo stack is seeded as
    production."""
    res = res or Resources()
    env = {"Environment": environment if environment in ENVIRONMENTS else "production"}
    service = {"ClusterName": res.ecs_cluster, "ServiceName": res.api_service}
    business = tuple(
        MetricSpec(key, title, "", MetricQuery.of("ShopManagement/Business", key, env, "Sum"))
        for key, title in (
            ("active_shops", "Active shops"),
            ("active_users", "Active users"),
            ("transactions_per_hour", "Transactions per hour"),
        )
    )
    infrastructure = (
        MetricSpec("ecs_cpu", "API CPU", "%", MetricQuery.of("AWS/ECS", "CPUUtilization", service, "Average")),
        MetricSpec("ecs_memory", "API memory", "%", MetricQuery.of("AWS/ECS", "MemoryUtilization", service, "Average")),
        MetricSpec(
            "alb_response",
            "ALB target response time",
            "s",
            MetricQuery.of("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": LOAD_BALANCER}, "Average"),
        ),
        MetricSpec(
            "rds_connections",
            "RDS connections",
            "",
            MetricQuery.of("AWS/RDS", "DatabaseConnections", {"DBClusterIdentifier": res.cluster}, "Average"),
        ),
    )
    return business, infrastructure


@dataclass(frozen=True)
class Panel:
    spec: MetricSpec
    series: tuple[Point, ...]
    error: str | None = None

    @property
    def latest(self) -> Point | None:
        return self.series[-1] if self.series else None

    @property
    def latest_text(self) -> str:
        if self.error:
            return f"unknown: {self.error}"
        return format_value(self.latest.value if self.latest else None, self.spec.unit)

    def spark(self, width: int | None = None) -> str:
        return sparkline([p.value for p in self.series], width)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.spec.key,
            "title": self.spec.title,
            "unit": self.spec.unit,
            "namespace": self.spec.query.namespace,
            "metric": self.spec.query.metric,
            "statistic": self.spec.query.statistic,
            "latest": self.latest.value if self.latest else None,
            "latest_at": self.latest.at.isoformat() if self.latest else None,
            "series": [{"at": p.at.isoformat(), "value": p.value} for p in self.series],
            "error": self.error,
        }


@dataclass(frozen=True)
class Alarm:
    name: str
    state: str  # OK, ALARM, INSUFFICIENT_DATA
    reason: str
    updated: dt.datetime | None
    metric: str
    threshold: float | None
    comparison: str
    description: str
    in_guide: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "reason": self.reason,
            "updated": self.updated.isoformat() if self.updated else None,
            "metric": self.metric,
            "threshold": self.threshold,
            "comparison": self.comparison,
            "description": self.description,
            "in_guide": self.in_guide,
        }


@dataclass(frozen=True)
class LiveFigures:
    """shop-api's own count, now: shops and users active in the last 24 h, orders in the last hour."""

    active_shops: int
    active_users: int
    transactions_last_hour: int
    collected_at: dt.datetime


@dataclass(frozen=True)
class Dashboard:
    profile: str
    environment: str
    collected_at: dt.datetime
    business: tuple[Panel, ...]
    infrastructure: tuple[Panel, ...]
    alarms: tuple[Alarm, ...]
    alarms_error: str | None
    live: LiveFigures | None
    live_error: str | None

    def age(self, now: dt.datetime) -> dt.timedelta:
        return now - self.collected_at

    def collected_text(self, now: dt.datetime) -> str:
        return f"collected {format_duration(self.age(now))} ago"

    @property
    def alarms_firing(self) -> tuple[Alarm, ...]:
        return tuple(a for a in self.alarms if a.state == "ALARM")

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "environment": self.environment,
            "collected_at": self.collected_at.isoformat(),
            "business": [p.to_json() for p in self.business],
            "infrastructure": [p.to_json() for p in self.infrastructure],
            "alarms": [a.to_json() for a in self.alarms],
            "alarms_error": self.alarms_error,
            "live": None
            if self.live is None
            else {
                "active_shops": self.live.active_shops,
                "active_users": self.live.active_users,
                "transactions_last_hour": self.live.transactions_last_hour,
                "collected_at": self.live.collected_at.isoformat(),
            },
            "live_error": self.live_error,
        }


def collect_dashboard(
    profile: Profile,
    *,
    clients: ClientSource | None = None,
    api: ApiClient | None = None,
    clock: Clock = system_clock,
    resources: Resources | None = None,
) -> Dashboard:
    """Read everything (blocking, seconds: call it from a worker thread). `api` is the signed-in shop-api client."""
    clients = clients or AwsClients(profile)
    now = clock()
    business_specs, infrastructure_specs = dashboard_metrics(profile.environment, resources)
    reader = _Reader(clients)
    business = tuple(reader.panel(spec, now) for spec in business_specs)
    infrastructure = tuple(reader.panel(spec, now) for spec in infrastructure_specs)
    alarms, alarms_error = reader.guarded(lambda: _alarms(clients.client("cloudwatch")), ())
    live, live_error = _live(api)
    return Dashboard(
        profile.name,
        profile.environment,
        now,
        business,
        infrastructure,
        alarms,
        alarms_error,
        live,
        live_error,
    )


class _Reader:
    """Reads CloudWatch; after an error every later call would meet too (endpoint down, no credentials), it stops
    calling and gives that reason, so a dead endpoint costs one timeout, not one per metric."""

    def __init__(self, clients: ClientSource) -> None:
        self.clients = clients
        self.fatal: str | None = None

    def panel(self, spec: MetricSpec, now: dt.datetime) -> Panel:
        series, error = self.guarded(
            lambda: tuple(read_series(self.clients.client("cloudwatch"), spec.query, now - SPAN, now, PERIOD)), ()
        )
        return Panel(spec, series, error)

    def guarded(self, read: Callable[[], Any], empty: Any) -> tuple[Any, str | None]:
        if self.fatal:
            return empty, self.fatal
        try:
            return read(), None
        except (BotoCoreError, ClientError) as exc:
            reason = describe_error(exc)
            if answers_every_call(exc):
                self.fatal = reason
            return empty, reason


def _alarms(cloudwatch: Any) -> tuple[Alarm, ...]:
    found = []
    for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]):
        for alarm in page.get("MetricAlarms", []):
            found.append(
                Alarm(
                    name=alarm["AlarmName"],
                    state=alarm.get("StateValue", "INSUFFICIENT_DATA"),
                    reason=alarm.get("StateReason", ""),
                    updated=alarm.get("StateUpdatedTimestamp"),
                    metric=f"{alarm.get('Namespace', '')} {alarm.get('MetricName', '')}".strip(),
                    threshold=alarm.get("Threshold"),
                    comparison=alarm.get("ComparisonOperator", ""),
                    description=alarm.get("AlarmDescription", ""),
                    in_guide=alarm["AlarmName"] in GUIDE_ALARMS,
                )
            )
    return tuple(sorted(found, key=lambda a: (_STATE_ORDER.get(a.state, 1), not a.in_guide, a.name)))


def _live(api: ApiClient | None) -> tuple[LiveFigures | None, str | None]:
    if api is None:
        return None, "not signed in to shop-api"
    try:
        body = api.request("GET", BUSINESS_METRICS_PATH).json()
    except ApiProblem as exc:
        return None, f"shop-api refused: {exc}" if exc.status == 403 else f"shop-api: {exc}"
    except ApiUnavailable as exc:
        return None, f"shop-api: {exc}"
    return (
        LiveFigures(
            active_shops=int(body["active_shops"]),
            active_users=int(body["active_users"]),
            transactions_last_hour=int(body["transactions_last_hour"]),
            collected_at=dt.datetime.fromisoformat(body["collected_at"]),
        ),
        None,
    )
