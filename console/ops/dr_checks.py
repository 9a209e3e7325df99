"""The operations guide's disaster-recovery table as checks: an RPO and an RTO check per scenario.

An RPO is measured live (e.g. now - LatestRestorableTime). A recovery time is known only from a measurement (a
recorded DR drill, or an AWS Backup restore test); without one it is UNKNOWN, and when what the recovery needs is
missing (no reader to fail over to, no copy in the backup region) it is FAIL whatever was measured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from console.ops.backup_facts import Cluster, Instance, Service, Snapshot, Unknown
from console.ops.checks import Check, age_verdict, format_duration, format_time
from console.ops.findings import (
    FAIL,
    OK,
    UNKNOWN,
    UNREADABLE_HINT,
    WARN,
    Context,
    Finding,
    age_of,
    cluster_missing,
    combine,
    judge,
    make_check,
    restore_passed,
    unknown,
)
from console.ops.guide import DRILL_MAX_AGE, SCENARIOS, Scenario


def scenario_checks(ctx: Context) -> list[Check]:
    return [check for scenario in SCENARIOS for check in _scenario(ctx, scenario)]


def _scenario(ctx: Context, scenario: Scenario) -> tuple[Check, Check]:
    rpo_rules: dict[str, Callable[[Context, Scenario], tuple[str, Finding]]] = {
        "database": _rpo_restorable_time,
        "az": _rpo_az,
        "region": _rpo_region,
        "application": _rpo_application,
        "complete": _rpo_restorable_time,
    }
    rto_rules: dict[str, Callable[[Context, Scenario], tuple[str, Finding]]] = {
        "database": _rto_database,
        "az": _rto_az,
        "region": _rto_region,
        "application": _rto_application,
        "complete": _rto_complete,
    }
    rpo_source, rpo = rpo_rules[scenario.key](ctx, scenario)
    rto_source, rto = rto_rules[scenario.key](ctx, scenario)
    prefix = f"dr.{scenario.key}"
    return (
        make_check(f"{prefix}.rpo", f"{scenario.title}: RPO", "dr", _within(scenario.rpo), rpo_source, rpo),
        make_check(f"{prefix}.rto", f"{scenario.title}: RTO", "dr", _within(scenario.rto), rto_source, rto),
    )


def _within(target: dt.timedelta) -> str:
    return f"≤ {format_duration(target)}" if target else "0 s (no data loss)"


def _rpo_restorable_time(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    def rule(cluster: Cluster) -> Finding:
        if cluster.latest_restorable is None:
            return Finding(FAIL, "no restorable time", "automated backups are off: set BackupRetentionPeriod")
        lag = ctx.now - cluster.latest_restorable
        verdict = age_verdict(lag, scenario.rpo)
        return Finding(
            verdict,
            format_duration(lag),
            f"the latest restorable time is {format_duration(lag)} old; target {format_duration(scenario.rpo)}: "
            "check the cluster's events for backup problems",
        )

    return "now - LatestRestorableTime", judge(ctx.facts.cluster, rule, cluster_missing(ctx))


def _rpo_az(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    def rule(cluster: Cluster) -> Finding:
        zones = len(cluster.availability_zones)
        if cluster.engine.startswith("aurora") and zones >= 2:
            return Finding(OK, f"0 s (storage replicated across {zones} AZs)")
        return Finding(FAIL, f"storage in {zones} AZ(s)", "an AZ failure would lose data: use Aurora storage")

    return "Aurora storage: the cluster's AvailabilityZones", judge(ctx.facts.cluster, rule, cluster_missing(ctx))


def _rpo_region(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    region = ctx.res.backup_region
    secondaries = ctx.facts.global_secondary_regions
    if isinstance(secondaries, tuple) and secondaries:
        return (
            "DescribeGlobalClusters (replication lag not measured)",
            Finding(OK, f"global database secondary in {', '.join(secondaries)}"),
        )
    source = f"now - SnapshotCreateTime, newest cluster snapshot in {region}"

    def rule(copies: tuple[Snapshot, ...]) -> Finding:
        available = [s for s in copies if s.status == "available" and s.created]
        if not available:
            return Finding(
                FAIL,
                f"no copy of the database in {region}",
                f"copy cluster snapshots to {region}, or add an Aurora global database secondary there",
            )
        newest = available[0]
        age = age_of(newest.created, ctx)
        return Finding(
            age_verdict(age, scenario.rpo),
            f"{format_duration(age)} ({newest.identifier})",
            f"the newest copy in {region} is {format_duration(age)} old; target {format_duration(scenario.rpo)}: "
            "copy more often, or use an Aurora global database",
        )

    return source, judge(ctx.facts.region_copies, rule)


def _rpo_application(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    return "design: ADR-002 (Fargate tasks keep no state; data is in Aurora)", Finding(OK, "0 s (stateless tasks)")


def _rto_database(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    return _rto_failover(ctx, scenario, require_other_az=False)


def _rto_az(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    return _rto_failover(ctx, scenario, require_other_az=True)


def _rto_failover(ctx: Context, scenario: Scenario, require_other_az: bool) -> tuple[str, Finding]:
    """Aurora fails over to a reader: one must be available (in another AZ, for an AZ failure); the time it takes
    comes from the failover drill."""
    cluster = ctx.facts.cluster
    source = "failover drill (audit log); readers from DescribeDBInstances"
    if isinstance(cluster, Unknown):
        return source, unknown(cluster)
    if cluster is None:
        return source, cluster_missing(ctx)
    capability = judge(ctx.facts.instances, lambda i: _failover_capability(ctx, cluster, i, require_other_az))
    if capability.verdict in (FAIL, UNKNOWN):
        return source, capability
    return source, combine(_measured(ctx, scenario, "failover"), capability)


def _failover_capability(
    ctx: Context, cluster: Cluster, instances: tuple[Instance, ...], require_other_az: bool
) -> Finding:
    writer_zone = next((i.availability_zone for i in instances if i.identifier == cluster.writer), None)
    readers = [i for i in instances if i.identifier != cluster.writer and i.status == "available"]
    if require_other_az:
        readers = [i for i in readers if i.availability_zone and i.availability_zone != writer_zone]
    if not readers:
        where = " in another AZ" if require_other_az else ""
        severe = ctx.expected.multi_az or not require_other_az
        return Finding(
            FAIL if severe else WARN,
            f"no available reader{where} to fail over to",
            f"add a reader instance{where} (the guide's failover target is {ctx.res.failover_target})"
            + ("" if severe else f"; {ctx.environment} runs single-AZ by the guide's settings"),
        )
    names = ", ".join(f"{i.identifier} ({i.availability_zone})" for i in readers)
    if ctx.res.failover_target not in {i.identifier for i in readers}:
        return Finding(
            WARN,
            f"readers: {names}",
            f"the guide's failover target {ctx.res.failover_target} is not an available reader: "
            "disaster-recovery.sh 'database' would fail; fail over to one of the readers instead",
        )
    return Finding(OK, f"readers: {names}")


def _rto_region(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    region = ctx.res.backup_region
    secondaries, copies = ctx.facts.global_secondary_regions, ctx.facts.region_copies
    source = f"cross-region drill (audit log); copies in {region}"
    if isinstance(secondaries, tuple) and secondaries:
        capability = Finding(OK, f"global database secondary in {', '.join(secondaries)}")
    else:
        capability = judge(
            copies,
            lambda c: (
                Finding(OK, f"{len(c)} snapshot(s) in {region}")
                if any(s.status == "available" for s in c)
                else Finding(
                    FAIL,
                    f"nothing to restore from in {region}",
                    f"copy cluster snapshots to {region}, or add an Aurora global database secondary there",
                )
            ),
        )
    if capability.verdict in (FAIL, UNKNOWN):
        return source, capability
    return source, combine(_measured(ctx, scenario, "cross-region"), capability)


def _rto_application(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    source = "application recovery drill (audit log); ECS service and autoscaling"
    capability = judge(
        ctx.facts.api_service,
        lambda s: _service_capability(ctx, s),
        Finding(FAIL, f"service {ctx.res.api_service} not found", "check the ECS cluster and service names"),
    )
    if capability.verdict in (FAIL, UNKNOWN):
        return source, capability
    return source, combine(_measured(ctx, scenario, "application recovery"), capability)


def _service_capability(ctx: Context, service: Service) -> Finding:
    if service.status != "ACTIVE" or service.running == 0:
        return Finding(
            FAIL, f"{service.status}, {service.running} running", "no task is serving: see the service's events"
        )
    problems: list[Finding] = []
    if service.desired < ctx.expected.desired_count:
        problems.append(
            Finding(
                FAIL,
                f"desired {service.desired} < {ctx.expected.desired_count}",
                f"one task failure takes the API down: run at least {ctx.expected.desired_count} tasks",
            )
        )
    if isinstance(service.scaling, Unknown):
        problems.append(Finding(UNKNOWN, f"autoscaling {unknown(service.scaling).actual}", UNREADABLE_HINT))
    elif service.scaling is None:
        problems.append(Finding(WARN, "no autoscaling", "register the service with Application Auto Scaling"))
    if service.running < service.desired:
        problems.append(
            Finding(WARN, f"{service.running} of {service.desired} running", "the service is recovering tasks")
        )
    scaling = f", scaling {service.scaling[0]}-{service.scaling[1]}" if isinstance(service.scaling, tuple) else ""
    summary = Finding(OK, f"{service.running}/{service.desired} running{scaling}")
    return combine(summary, *problems) if problems else summary


def _rto_complete(ctx: Context, scenario: Scenario) -> tuple[str, Finding]:
    source = "backup-restore drill (audit log) or AWS Backup restore test duration"
    capability = judge(
        ctx.facts.snapshots,
        lambda s: (
            Finding(OK, "snapshots available")
            if any(x.status == "available" for x in s)
            else Finding(FAIL, "no available snapshot to rebuild from", "take a manual snapshot now")
        ),
    )
    if capability.verdict in (FAIL, UNKNOWN):
        return source, capability
    # The newer of two measurements: an AWS Backup restore test's duration, or the backup-restore drill's time.
    tests = ctx.facts.restore_tests if isinstance(ctx.facts.restore_tests, tuple) else ()
    timed = [t for t in tests if restore_passed(t) and t.created and t.completed]
    drill = ctx.drills.get(scenario.drill)
    if timed and timed[0].completed and (drill is None or timed[0].completed >= drill.at):
        test, completed = timed[0], timed[0].completed
        took = completed - (test.created or completed)
        what, when = f"restore test {test.job_id}", format_time(completed)
        measured = _figure(took, ctx.now - completed, scenario.rto, what, when)
    else:
        measured = _measured(ctx, scenario, "backup-restore")
    return source, combine(measured, capability)


def _measured(ctx: Context, scenario: Scenario, what: str) -> Finding:
    """The recovery time measured by the scenario's latest drill, against the target and the drills' cadence."""
    drill = ctx.drills.get(scenario.drill)
    if drill is None:
        return Finding(
            UNKNOWN,
            f"not measured: no {what} drill recorded",
            f"run the guide's {what} drill (Recovery Testing) and record its result",
        )
    when = format_time(drill.at)
    if not drill.succeeded:
        return Finding(FAIL, f"{what} drill of {when} failed", f"fix what the drill found: {drill.notes or '-'}")
    if drill.rto is None:
        return Finding(UNKNOWN, f"{what} drill of {when} recorded no time", "record the measured recovery time")
    return _figure(drill.rto, ctx.now - drill.at, scenario.rto, f"{what} drill by {drill.by}", when)


def _figure(took: dt.timedelta, age: dt.timedelta, target: dt.timedelta, what: str, when: str) -> Finding:
    actual = f"{format_duration(took)} ({what}, {when})"
    if took > target:
        return Finding(
            FAIL, actual, f"recovery took {format_duration(took)}; target {format_duration(target)}: speed it up"
        )
    if age > DRILL_MAX_AGE:
        return Finding(WARN, actual, f"measured {format_duration(age)} ago; repeat it (the guide's drills are monthly)")
    return Finding(OK, actual)
