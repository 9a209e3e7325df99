"""The guide's weekly maintenance ("Maintenance Procedures", scripts/weekly-maintenance.sh) as the maintenance
runbook family: the facts its checks read, and when each task last ran and whether it is overdue.

Facts (the `source = "maintenance"` checks of assets/runbooks/maintenance-*.toml), each a figure with its rows:
- `unused_indexes`: the guide's pg_stat_user_indexes query through shop-api (GET /v1/admin/db/maintenance;
  PostgreSQL only, so on SQLite it is unknown with shop-api's reason);
- `old_log_streams`: the log streams of a group created more than N days ago (the guide's describe-log-streams
  query), which `logs.delete_log_streams` deletes;
- `certificate_days_left`: days until the soonest ACM certificate of a domain expires (one not ISSUED counts 0);
- `lifecycle_rules`: the enabled lifecycle rules of a bucket (0 when it has no configuration).

Status: each maintenance runbook's cadence (`cadence_days`) against its latest run in the audit log (any record a
run of it left, a check or an action), so the maintenance screen can say which task is overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from console.ops.audit import AuditLog, AuditRecord
from console.ops.aws import error_code
from console.ops.checks import Verdict, format_duration, format_time
from console.ops.runbooks.actions import Env

MAINTENANCE_PATH = "/v1/admin/db/maintenance"
CATEGORY = "maintenance"


@dataclass(frozen=True)
class FactReading:
    actual: float | None
    source: str
    cli: str
    rows: tuple[dict[str, Any], ...] = ()
    missing: str = ""  # why there is no figure, when actual is None


def read_fact(fact: str, subject: str, days: float, env: Env, now: dt.datetime) -> FactReading:
    """Read one fact (AWS and shop-api errors escape: the check turns them into UNKNOWN with the reason)."""
    readers = {
        "unused_indexes": _unused_indexes,
        "old_log_streams": _old_log_streams,
        "certificate_days_left": _certificate_days_left,
        "lifecycle_rules": _lifecycle_rules,
    }
    return readers[fact](subject, days, env, now)


def _unused_indexes(_subject: str, _days: float, env: Env, _now: dt.datetime) -> FactReading:
    source = f"shop-api GET {MAINTENANCE_PATH}: pg_stat_user_indexes WHERE idx_tup_read = 0"
    cli = (
        'psql -c "SELECT schemaname, tablename, indexname, idx_tup_read, idx_tup_fetch FROM pg_stat_user_indexes '
        'WHERE idx_tup_read = 0;"'
    )
    if env.api is None:
        return FactReading(None, source, cli, missing="unknown: not signed in to shop-api")
    rows = tuple(env.api.request("GET", MAINTENANCE_PATH).json()["unused_indexes"])
    return FactReading(float(len(rows)), source, cli, rows)


def _old_log_streams(log_group: str, days: float, env: Env, now: dt.datetime) -> FactReading:
    rows = tuple(old_log_streams(env.clients.client("logs"), log_group, now - dt.timedelta(days=days)))
    cutoff = int((now - dt.timedelta(days=days)).timestamp() * 1000)
    return FactReading(
        float(len(rows)),
        f"CloudWatch Logs {log_group}: streams created more than {days:g} days ago",
        f"aws logs describe-log-streams --log-group-name {log_group} "
        f"--query 'logStreams[?creationTime<`{cutoff}`].logStreamName' --region {env.profile.region}",
        rows,
    )


def old_log_streams(logs: Any, log_group: str, before: dt.datetime) -> list[dict[str, Any]]:
    """The streams of the group created before `before`, oldest first: name, created, last event, stored bytes."""
    cutoff = before.timestamp() * 1000
    found = []
    for page in logs.get_paginator("describe_log_streams").paginate(logGroupName=log_group):
        for stream in page.get("logStreams", []):
            if stream.get("creationTime", cutoff) < cutoff:
                found.append(
                    {
                        "stream": stream["logStreamName"],
                        "created": _iso(stream["creationTime"]),
                        "last_event": _iso(stream.get("lastEventTimestamp")),
                        "stored_bytes": stream.get("storedBytes", 0),
                    }
                )
    return sorted(found, key=lambda s: s["created"])


def _certificate_days_left(domain: str, _days: float, env: Env, now: dt.datetime) -> FactReading:
    acm = env.clients.client("acm")
    rows = []
    for page in acm.get_paginator("list_certificates").paginate():
        for summary in page.get("CertificateSummaryList", []):
            if domain and summary.get("DomainName") != domain:
                continue
            cert = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
            not_after = cert.get("NotAfter")
            left = (not_after - now).total_seconds() / 86400 if not_after else 0.0
            issued = cert.get("Status") == "ISSUED"
            rows.append(
                {
                    "domain": cert.get("DomainName"),
                    "status": cert.get("Status"),
                    "not_after": not_after.isoformat() if not_after else None,
                    "days_left": round(left, 1) if issued else 0.0,
                    "arn": cert["CertificateArn"],
                }
            )
    source = f"ACM certificates for {domain or 'every domain'}: days until the soonest expires"
    cli = (
        "aws acm describe-certificate --certificate-arn ARN --query 'Certificate.{Status:Status,NotAfter:NotAfter}' "
        f"--region {env.profile.region}"
    )
    if not rows:
        return FactReading(None, source, cli, missing=f"no ACM certificate for {domain or 'any domain'}")
    rows.sort(key=lambda r: r["days_left"])
    return FactReading(float(rows[0]["days_left"]), source, cli, tuple(rows))


def _lifecycle_rules(bucket: str, _days: float, env: Env, _now: dt.datetime) -> FactReading:
    source = f"S3 lifecycle configuration of {bucket}: enabled rules"
    cli = f"aws s3api get-bucket-lifecycle-configuration --bucket {bucket} --region {env.profile.region}"
    try:
        rules = env.clients.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
    except ClientError as exc:
        if error_code(exc) != "NoSuchLifecycleConfiguration":
            raise
        rules = []
    rows = tuple(
        {
            "rule": rule.get("ID", ""),
            "status": rule.get("Status", ""),
            "prefix": rule.get("Filter", {}).get("Prefix", rule.get("Prefix", "")),
        }
        for rule in rules
    )
    return FactReading(float(sum(r["status"] == "Enabled" for r in rows)), source, cli, rows)


def _iso(ms: int | None) -> str | None:
    return None if ms is None else dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat()


# --- when each task last ran ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LastRun:
    at: dt.datetime
    by: str
    steps: int  # audit records of that run
    outcomes: tuple[str, ...]  # each record's step and outcome, "cpu FAIL"


@dataclass(frozen=True)
class TaskStatus:
    name: str
    title: str
    cadence: dt.timedelta | None
    last: LastRun | None
    verdict: Verdict  # OK within the cadence, WARN overdue or never run
    due: str  # "due in 4 d", "overdue by 3 d", "never run"


def task_statuses(runbooks: list[Any], audit: AuditLog, profile: str, now: dt.datetime) -> list[TaskStatus]:
    """Each maintenance runbook (in the order given) with its latest run and whether it is due."""
    runs = latest_runs(audit.records(profile=profile))
    statuses = []
    for runbook in runbooks:
        if runbook.category != CATEGORY:
            continue
        cadence = dt.timedelta(days=runbook.cadence_days) if runbook.cadence_days else None
        last = runs.get(runbook.name)
        statuses.append(TaskStatus(runbook.name, runbook.title, cadence, last, *_due(cadence, last, now)))
    return statuses


def _due(cadence: dt.timedelta | None, last: LastRun | None, now: dt.datetime) -> tuple[Verdict, str]:
    if last is None:
        return Verdict.WARN, "never run"
    if cadence is None:
        return Verdict.OK, f"last run {format_duration(now - last.at)} ago"
    late = now - (last.at + cadence)
    if late > dt.timedelta(0):
        return Verdict.WARN, f"overdue by {format_duration(late)}"
    return Verdict.OK, f"due in {format_duration(-late)}"


def latest_runs(records: list[AuditRecord]) -> dict[str, LastRun]:
    """The newest run of each runbook: the records that share its run id (a run's first record names its start)."""
    by_run: dict[tuple[str, str], list[AuditRecord]] = {}
    for record in records:
        name, run_id = record.context.get("runbook"), record.context.get("run_id")
        if name and run_id:
            by_run.setdefault((name, run_id), []).append(record)
    latest: dict[str, LastRun] = {}
    for (name, _run_id), run in by_run.items():
        last = max(r.at for r in run)
        if name not in latest or last > latest[name].at:
            who = run[-1].actor.cognito_user or run[-1].actor.os_user
            outcomes = tuple(f"{r.context.get('step', '?')} {r.outcome}" for r in run)
            latest[name] = LastRun(last, who, len(run), outcomes)
    return latest


def status_line(status: TaskStatus) -> str:
    last = "never" if status.last is None else f"{format_time(status.last.at)} by {status.last.by}"
    every = "—" if status.cadence is None else f"every {format_duration(status.cadence)}"
    return f"{status.verdict.value:<5} {status.title} · {every} · last run {last} · {status.due}"
