"""Deployments (guide: "Application Deployment", "Environment-Specific Deployments", ADR-002): the ECS services of
the cluster as the deployments screen and `shop-console deployments` show them, and the environment drift.

For each service: desired, running and pending tasks, the task definition and its revision, the task's CPU and
memory, the autoscaling bounds and CPU target, the deployments with their rollout state and age, and the latest
service events. The profile's environment (development, staging, production; the demo is held to production) says
what the guide expects of ECS and RDS; every setting that differs is a drift with the expected and actual value.

`collect_deployments` never raises for AWS errors: a part that cannot be read is `Unknown` with its reason.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from console.config import Profile
from console.ops.aws import AwsClients, ClientSource, describe_error
from console.ops.backup_facts import Unknown
from console.ops.backups import EXIT_REFUSED, role_refused
from console.ops.checks import format_duration, format_time
from console.ops.guide import Resources, settings_for
from offline_cache.clock import Clock, system_clock

log = logging.getLogger(__name__)
T = TypeVar("T")

EVENTS_SHOWN = 5  # the latest service events per service
MAX_CAPACITY = 10  # ADR-002's max_capacity
TARGET_CPU = 70.0  # ADR-002's target_cpu_utilization
EXIT_DRIFT = 1


@dataclass(frozen=True)
class TaskSettings:
    """What "Environment-Specific Deployments" sets per environment beyond the backup settings (guide.py)."""

    cpu: int
    memory: int
    db_instance_class: str


TASK_SETTINGS = {
    "development": TaskSettings(256, 512, "db.t3.micro"),
    "staging": TaskSettings(256, 512, "db.r6g.medium"),
    "production": TaskSettings(512, 1024, "db.r6g.large"),
}


def expected_environment(environment: str) -> str:
    """The guide's environment a profile is held to: the demo stack is seeded as production."""
    return environment if environment in TASK_SETTINGS else "production"


@dataclass(frozen=True)
class Deployment:
    id: str
    status: str  # PRIMARY, ACTIVE (the one being replaced), INACTIVE
    rollout_state: str  # COMPLETED, IN_PROGRESS, FAILED
    reason: str
    desired: int
    running: int
    pending: int
    task_definition: str  # family:revision
    created: dt.datetime | None


@dataclass(frozen=True)
class ServiceEvent:
    at: dt.datetime
    message: str


@dataclass(frozen=True)
class Scaling:
    min: int
    max: int
    target_cpu: float | None  # the target-tracking policy's CPU target, None without one


@dataclass(frozen=True)
class Service:
    name: str
    status: str
    desired: int
    running: int
    pending: int
    task_definition: str  # family:revision
    cpu: int | None
    memory: int | None
    launch_type: str
    scaling: Scaling | Unknown | None
    deployments: tuple[Deployment, ...]
    events: tuple[ServiceEvent, ...]

    @property
    def primary(self) -> Deployment | None:
        return next((d for d in self.deployments if d.status == "PRIMARY"), None)

    @property
    def steady(self) -> bool:
        """Every wanted task runs, nothing pending, one deployment and it completed."""
        return (
            self.running == self.desired
            and self.pending == 0
            and len(self.deployments) == 1
            and self.deployments[0].rollout_state == "COMPLETED"
        )


@dataclass(frozen=True)
class Drift:
    """A setting that differs from what the guide sets for the profile's environment."""

    subject: str  # "shop-management-api", "shop-management-aurora"
    setting: str  # "desired count", "multi-AZ"
    expected: str
    actual: str
    source: str

    def line(self) -> str:
        return f"{self.subject}: {self.setting} is {self.actual}, expected {self.expected} ({self.source})"

    def short(self) -> str:
        return f"{self.subject} {self.setting}: {self.actual}, expected {self.expected}"


@dataclass(frozen=True)
class Database:
    cluster: str
    multi_az: bool
    deletion_protection: bool
    instance_classes: tuple[str, ...]


@dataclass(frozen=True)
class DeploymentsReport:
    profile: str
    environment: str  # the profile's
    expected: str  # the guide's environment it is held to
    cluster: str
    collected_at: dt.datetime
    services: tuple[Service, ...] | Unknown
    database: Database | Unknown | None
    drifts: tuple[Drift, ...]

    @property
    def exit_code(self) -> int:
        """0 nothing to see, 1 a drift, a service not steady, or something unread."""
        unread = isinstance(self.services, Unknown) or isinstance(self.database, Unknown)
        unsteady = not isinstance(self.services, Unknown) and not all(s.steady for s in self.services)
        return EXIT_DRIFT if self.drifts or unread or unsteady else 0

    def service(self, name: str) -> Service:
        assert not isinstance(self.services, Unknown), self.services.reason
        return next(s for s in self.services if s.name == name)

    def to_json(self) -> dict[str, Any]:
        services = (
            {"unknown": self.services.reason}
            if isinstance(self.services, Unknown)
            else [_service_json(s) for s in self.services]
        )
        database: Any = None
        if isinstance(self.database, Unknown):
            database = {"unknown": self.database.reason}
        elif self.database is not None:
            database = {
                "cluster": self.database.cluster,
                "multi_az": self.database.multi_az,
                "deletion_protection": self.database.deletion_protection,
                "instance_classes": list(self.database.instance_classes),
            }
        return {
            "profile": self.profile,
            "environment": self.environment,
            "expected_environment": self.expected,
            "cluster": self.cluster,
            "collected_at": self.collected_at.isoformat(),
            "exit_code": self.exit_code,
            "services": services,
            "database": database,
            "drifts": [
                {"subject": d.subject, "setting": d.setting, "expected": d.expected, "actual": d.actual}
                for d in self.drifts
            ],
        }


def _service_json(service: Service) -> dict[str, Any]:
    scaling: Any = None
    if isinstance(service.scaling, Unknown):
        scaling = {"unknown": service.scaling.reason}
    elif service.scaling is not None:
        scaling = {"min": service.scaling.min, "max": service.scaling.max, "target_cpu": service.scaling.target_cpu}
    return {
        "name": service.name,
        "status": service.status,
        "desired": service.desired,
        "running": service.running,
        "pending": service.pending,
        "task_definition": service.task_definition,
        "cpu": service.cpu,
        "memory": service.memory,
        "launch_type": service.launch_type,
        "scaling": scaling,
        "deployments": [
            {
                "id": d.id,
                "status": d.status,
                "rollout_state": d.rollout_state,
                "reason": d.reason,
                "desired": d.desired,
                "running": d.running,
                "pending": d.pending,
                "task_definition": d.task_definition,
                "created": d.created.isoformat() if d.created else None,
            }
            for d in service.deployments
        ],
        "events": [{"at": e.at.isoformat(), "message": e.message} for e in service.events],
    }


# --- reading ------------------------------------------------------------------------------------------------------


def collect_deployments(
    profile: Profile,
    *,
    clients: ClientSource | None = None,
    clock: Clock = system_clock,
    resources: Resources | None = None,
) -> DeploymentsReport:
    """Read ECS, autoscaling and RDS, and compare them with the environment; blocking: call it from a worker."""
    res = resources or Resources()
    clients = clients or AwsClients(profile)
    services = _read(lambda: _services(clients, res.ecs_cluster))
    database = _read(lambda: _database(clients, res.cluster))
    expected = expected_environment(profile.environment)
    drifts = tuple(_drifts(expected, services, database))
    return DeploymentsReport(
        profile.name, profile.environment, expected, res.ecs_cluster, clock(), services, database, drifts
    )


def _read(read: Callable[[], T]) -> T | Unknown:
    """What `read` returns, or Unknown with the AWS error in words."""
    try:
        return read()
    except (BotoCoreError, ClientError) as exc:
        return Unknown(describe_error(exc))


def _services(clients: ClientSource, cluster: str) -> tuple[Service, ...]:
    ecs = clients.client("ecs")
    arns = [arn for page in ecs.get_paginator("list_services").paginate(cluster=cluster) for arn in page["serviceArns"]]
    found: list[dict[str, Any]] = []
    for start in range(0, len(arns), 10):  # DescribeServices takes ten at a time
        found += ecs.describe_services(cluster=cluster, services=arns[start : start + 10])["services"]
    autoscaling = clients.client("application-autoscaling")
    return tuple(_service(ecs, autoscaling, cluster, data) for data in sorted(found, key=lambda s: s["serviceName"]))


def _service(ecs: Any, autoscaling: Any, cluster: str, data: dict[str, Any]) -> Service:
    task = ecs.describe_task_definition(taskDefinition=data["taskDefinition"])["taskDefinition"]
    return Service(
        name=data["serviceName"],
        status=data.get("status", "UNKNOWN"),
        desired=data.get("desiredCount", 0),
        running=data.get("runningCount", 0),
        pending=data.get("pendingCount", 0),
        task_definition=f"{task['family']}:{task['revision']}",
        cpu=_int(task.get("cpu")),
        memory=_int(task.get("memory")),
        launch_type=data.get("launchType") or "-",
        scaling=_read(lambda: _scaling(autoscaling, f"service/{cluster}/{data['serviceName']}")),
        deployments=tuple(
            Deployment(
                id=d.get("id", "?"),
                status=d.get("status", "?"),
                rollout_state=d.get("rolloutState", "?"),
                reason=d.get("rolloutStateReason", ""),
                desired=d.get("desiredCount", 0),
                running=d.get("runningCount", 0),
                pending=d.get("pendingCount", 0),
                task_definition=_revision(d.get("taskDefinition", "")),
                created=d.get("createdAt"),
            )
            for d in data.get("deployments", [])
        ),
        events=tuple(
            ServiceEvent(e["createdAt"], e.get("message", ""))
            for e in sorted(data.get("events", []), key=lambda e: e["createdAt"], reverse=True)[:EVENTS_SHOWN]
        ),
    )


def _scaling(autoscaling: Any, resource_id: str) -> Scaling | None:
    targets = autoscaling.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[resource_id], ScalableDimension="ecs:service:DesiredCount"
    )["ScalableTargets"]
    if not targets:
        return None
    policies = autoscaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource_id)["ScalingPolicies"]
    cpu_targets = [
        p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
        for p in policies
        if p.get("PolicyType") == "TargetTrackingScaling"
        and "CPU"
        in p["TargetTrackingScalingPolicyConfiguration"]
        .get("PredefinedMetricSpecification", {})
        .get("PredefinedMetricType", "")
    ]
    return Scaling(targets[0]["MinCapacity"], targets[0]["MaxCapacity"], cpu_targets[0] if cpu_targets else None)


def _database(clients: ClientSource, cluster: str) -> Database | None:
    rds = clients.client("rds")
    try:
        data = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "DBClusterNotFoundFault":
            return None
        raise
    instances = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [cluster]}])["DBInstances"]
    return Database(
        cluster,
        bool(data.get("MultiAZ")),
        bool(data.get("DeletionProtection")),
        tuple(sorted({i.get("DBInstanceClass", "?") for i in instances})),
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _revision(arn: str) -> str:
    """arn:aws:ecs:…:task-definition/shop-management-api:3 → shop-management-api:3"""
    return arn.rpartition("/")[2] or arn


# --- drift --------------------------------------------------------------------------------------------------------


def _drifts(expected: str, services: tuple[Service, ...] | Unknown, database: Database | Unknown | None) -> list[Drift]:
    backup = settings_for(expected)
    task = TASK_SETTINGS[expected]
    source = f"guide: {expected} environment"
    drifts: list[Drift] = []

    def differs(subject: str, setting: str, want: object, have: object, where: str = source) -> None:
        if want != have:
            drifts.append(Drift(subject, setting, _text(want), _text(have), where))

    if not isinstance(services, Unknown):
        for service in services:
            differs(service.name, "desired count", backup.desired_count, service.desired)
            differs(service.name, "task CPU", task.cpu, service.cpu)
            differs(service.name, "task memory", task.memory, service.memory)
            scaling = service.scaling
            if isinstance(scaling, Scaling):
                adr = "ADR-002"
                differs(service.name, "autoscaling min", backup.desired_count, scaling.min, adr)
                differs(service.name, "autoscaling max", MAX_CAPACITY, scaling.max, adr)
                differs(service.name, "CPU target", TARGET_CPU, scaling.target_cpu, adr)
    if isinstance(database, Database):
        differs(database.cluster, "multi-AZ", backup.multi_az, database.multi_az)
        differs(database.cluster, "deletion protection", backup.deletion_protection, database.deletion_protection)
        for instance_class in database.instance_classes:
            differs(database.cluster, "instance class", task.db_instance_class, instance_class)
    return drifts


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g} %"
    return "none" if value is None else str(value)


# --- text ---------------------------------------------------------------------------------------------------------


def deployment_line(deployment: Deployment, now: dt.datetime) -> str:
    age = format_duration(now - deployment.created) if deployment.created else "?"
    return (
        f"{deployment.status:<8} {deployment.rollout_state:<11} {deployment.task_definition}  "
        f"{deployment.running}/{deployment.desired} running, {deployment.pending} pending · {age} ago"
    )


def scaling_text(scaling: Scaling | Unknown | None, brief: bool = False) -> str:
    if isinstance(scaling, Unknown):
        return "unknown" if brief else f"unknown: {scaling.reason}"
    if scaling is None:
        return "none" if brief else "no autoscaling target"
    if brief:
        return f"{scaling.min}-{scaling.max}" + ("" if scaling.target_cpu is None else f" @{scaling.target_cpu:g}%")
    target = "no CPU target" if scaling.target_cpu is None else f"CPU target {scaling.target_cpu:g} %"
    return f"{scaling.min}-{scaling.max} tasks, {target}"


def render_text(report: DeploymentsReport) -> str:
    """For a terminal or a cron mail: each service with its deployments and events, then the drift."""
    lines = [
        f"Deployments · cluster {report.cluster} · profile {report.profile} ({report.environment}, held to "
        f"{report.expected}) · collected {format_time(report.collected_at)}"
    ]
    if isinstance(report.services, Unknown):
        lines.append(f"services: unknown: {report.services.reason}")
    else:
        for service in report.services:
            lines.append("")
            lines.append(
                f"{service.name} ({service.status}, {service.launch_type}): {service.running}/{service.desired} "
                f"running, {service.pending} pending · {service.task_definition} · CPU {service.cpu} / memory "
                f"{service.memory} MiB · autoscaling {scaling_text(service.scaling)}"
            )
            lines += [f"  {deployment_line(d, report.collected_at)}" for d in service.deployments]
            lines += [f"  {format_time(e.at)}  {e.message}" for e in service.events] or ["  no service events"]
    if isinstance(report.database, Unknown):
        lines.append(f"database: unknown: {report.database.reason}")
    lines.append("")
    lines += [f"DRIFT  {d.line()}" for d in report.drifts] or [f"no drift from the guide's {report.expected} settings"]
    return "\n".join(lines) + "\n"


def run_deployments_command(
    profile: Profile,
    role: str | None,
    as_json: bool,
    out: TextIO,
    err: TextIO = sys.stderr,
    *,
    clients: ClientSource | None = None,
    clock: Clock = system_clock,
) -> int:
    """`shop-console deployments [--json]`: exit 0 steady and no drift, 1 a drift, an unsteady service or an unread
    part, 4 refused (not admin or support)."""
    if role_refused("deployments", role, err):
        return EXIT_REFUSED
    report = collect_deployments(profile, clients=clients, clock=clock)
    log.info("deployments collected", extra={"fields": {"drifts": len(report.drifts), "role": role}})
    out.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n" if as_json else render_text(report))
    return report.exit_code
