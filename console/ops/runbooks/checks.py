"""The check steps of a runbook: read one figure live and judge it against the step's threshold.

- metric: a CloudWatch statistic over the last window (the series of the chart span comes along for a sparkline);
- logs: CloudWatch Logs events matching a filter pattern, counted in bins (FilterLogEvents: the guide's own call;
  Logs Insights queries are asynchronous and not served by every endpoint, and counting needs no more);
- db: the database's client sessions through shop-api's admin route, by state or filtered;
- maintenance: a fact of the weekly maintenance (console.ops.maintenance: unused indexes, old log streams,
  certificate expiry, S3 lifecycle rules).

A check FAILs when `actual <fail_when> threshold` (the incident's sign is there), passes otherwise, and is UNKNOWN
when the figure cannot be read (with the reason). Evaluating never raises for AWS or API errors.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from console.api import ApiProblem, ApiUnavailable
from console.ops.aws import describe_error
from console.ops.checks import Verdict, format_duration
from console.ops.maintenance import read_fact
from console.ops.metrics import MetricQuery, Point, aggregate, format_value, read_series
from console.ops.runbooks.actions import Env
from console.ops.runbooks.model import Comparison, DbCheck, LogsCheck, MaintenanceCheck, MetricCheck, number

SESSIONS_PATH = "/v1/admin/db/sessions"
COMPARE: dict[Comparison, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
LABELS = {Verdict.OK: "PASS", Verdict.FAIL: "FAIL", Verdict.UNKNOWN: "UNKNOWN", Verdict.WARN: "WARN"}


@dataclass(frozen=True)
class CheckOutcome:
    step_id: str
    title: str
    verdict: Verdict  # OK (shown as PASS), FAIL or UNKNOWN
    actual: float | None
    actual_text: str  # "89.4 %", or why it is unknown
    target_text: str  # "fail when > 80 %"
    source: str  # where the figure comes from, for people
    cli: str  # the equivalent command (AWS CLI, or psql for the database)
    collected_at: dt.datetime
    series: tuple[Point, ...] = ()
    series_label: str = ""  # "last 180 min, 300 s periods"
    rows: tuple[dict[str, Any], ...] = ()  # sessions (or counts by state) behind a database figure
    hint: str | None = None  # what to do, when not PASS

    @property
    def label(self) -> str:
        return LABELS[self.verdict]

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step_id,
            "title": self.title,
            "verdict": self.label,
            "actual": self.actual,
            "actual_text": self.actual_text,
            "target": self.target_text,
            "source": self.source,
            "cli": self.cli,
            "collected_at": self.collected_at.isoformat(),
            "series": [{"at": p.at.isoformat(), "value": p.value} for p in self.series],
            "rows": list(self.rows),
            "hint": self.hint,
        }


@dataclass(frozen=True)
class _Reading:
    actual: float | None
    source: str
    cli: str
    series: tuple[Point, ...] = ()
    series_label: str = ""
    rows: tuple[dict[str, Any], ...] = ()
    missing: str = ""  # why there is no figure, when actual is None


def evaluate(step: MetricCheck | LogsCheck | DbCheck | MaintenanceCheck, env: Env) -> CheckOutcome:
    """Read and judge one resolved check step."""
    now = env.clock()
    reader = {MetricCheck: _metric, LogsCheck: _logs, DbCheck: _db, MaintenanceCheck: _maintenance}[type(step)]
    threshold = number(step.threshold)
    target = f"fail when {step.fail_when} {format_value(threshold, step.unit)}"
    try:
        reading = reader(step, env, now)  # type: ignore[operator]
    except (BotoCoreError, ClientError) as exc:
        return _unknown(step, now, target, describe_error(exc))
    except (ApiProblem, ApiUnavailable) as exc:
        return _unknown(step, now, target, f"shop-api: {exc}")
    if reading.actual is None:
        verdict, actual_text = Verdict.UNKNOWN, reading.missing
    else:
        failed = COMPARE[step.fail_when](reading.actual, threshold)
        verdict, actual_text = (Verdict.FAIL if failed else Verdict.OK), format_value(reading.actual, step.unit)
    hint = None if verdict is Verdict.OK else (step.hint or None)
    if verdict is Verdict.UNKNOWN:
        hint = "fix what is named above, then run the check again"
    return CheckOutcome(
        step.id,
        step.title,
        verdict,
        reading.actual,
        actual_text,
        target,
        reading.source,
        reading.cli,
        now,
        reading.series,
        reading.series_label,
        reading.rows,
        hint,
    )


def _unknown(
    step: MetricCheck | LogsCheck | DbCheck | MaintenanceCheck, now: dt.datetime, target: str, reason: str
) -> CheckOutcome:
    return CheckOutcome(
        step.id,
        step.title,
        Verdict.UNKNOWN,
        None,
        f"unknown: {reason}",
        target,
        _source_of(step),
        "",
        now,
        hint="fix what is named above, then run the check again",
    )


def _source_of(step: MetricCheck | LogsCheck | DbCheck | MaintenanceCheck) -> str:
    if isinstance(step, MetricCheck):
        return f"CloudWatch {step.namespace} {step.metric}"
    if isinstance(step, LogsCheck):
        return f"CloudWatch Logs {step.log_group}"
    if isinstance(step, MaintenanceCheck):
        return f"maintenance: {step.fact} {step.subject}".rstrip()
    return f"shop-api GET {SESSIONS_PATH}"


def _maintenance(step: MaintenanceCheck, env: Env, now: dt.datetime) -> _Reading:
    fact = read_fact(step.fact, step.subject, number(step.days), env, now)
    return _Reading(fact.actual, fact.source, fact.cli, rows=fact.rows, missing=fact.missing)


def _metric(step: MetricCheck, env: Env, now: dt.datetime) -> _Reading:
    window = dt.timedelta(minutes=number(step.window_minutes))
    chart = max(dt.timedelta(minutes=step.chart_minutes), window)
    period = dt.timedelta(seconds=step.period_seconds)
    query = MetricQuery.of(step.namespace, step.metric, step.dimensions, step.statistic)
    points = read_series(env.clients.client("cloudwatch"), query, now - chart, now, period)
    in_window = [p for p in points if p.at >= now - window]
    dimensions = ", ".join(f"{k}={v}" for k, v in step.dimensions.items())
    minutes = _minutes(window)
    return _Reading(
        actual=aggregate(in_window, step.statistic),
        source=f"CloudWatch {step.namespace} {step.metric} ({dimensions}), {step.statistic} over the last {minutes}",
        cli=query.cli(now - window, now, period, env.profile.region),
        series=tuple(points),
        series_label=f"last {_minutes(chart)}, {step.period_seconds // 60}-min periods",
        missing=f"no datapoints in the last {minutes}",
    )


def _logs(step: LogsCheck, env: Env, now: dt.datetime) -> _Reading:
    window = dt.timedelta(minutes=number(step.window_minutes))
    size = dt.timedelta(minutes=step.bin_minutes)
    start = now - window
    bins = max(1, math.ceil(window / size))
    counts = [0] * bins
    pages = (
        env.clients.client("logs")
        .get_paginator("filter_log_events")
        .paginate(
            logGroupName=step.log_group,
            startTime=_ms(start),
            endTime=_ms(now),
            filterPattern=step.filter_pattern,
        )
    )
    for page in pages:
        for event in page.get("events", []):
            if step.json_field is None or _field_above(event.get("message", ""), step.json_field, step.json_above):
                at = dt.datetime.fromtimestamp(event["timestamp"] / 1000, dt.UTC)
                counts[min(bins - 1, max(0, int((at - start) / size)))] += 1
    series = tuple(Point(start + size * i, float(c)) for i, c in enumerate(counts))
    measured = max(counts) if step.measure == "max_per_bin" else sum(counts)
    also = f" with {step.json_field} > {number(step.json_above):g}" if step.json_field else ""
    per = f"most in one {step.bin_minutes}-min bin" if step.measure == "max_per_bin" else "in total"
    return _Reading(
        actual=float(measured),
        source=(
            f"CloudWatch Logs {step.log_group}: events matching '{step.filter_pattern}'{also}, {per} "
            f"over the last {_minutes(window)}"
        ),
        cli=(
            f"aws logs filter-log-events --log-group-name {step.log_group} --start-time {_ms(start)} "
            f"--end-time {_ms(now)} --filter-pattern '{step.filter_pattern}' --region {env.profile.region}"
        ),
        series=series,
        series_label=f"last {_minutes(window)}, {step.bin_minutes}-min bins",
    )


def _field_above(message: str, name: str, bound: float | str | None) -> bool:
    try:
        value = json.loads(message).get(name)
    except (ValueError, AttributeError):
        return False
    return isinstance(value, int | float) and not isinstance(value, bool) and value > number(bound)


def _db(step: DbCheck, env: Env, now: dt.datetime) -> _Reading:
    if env.api is None:
        return _Reading(None, _source_of(step), "", missing="unknown: not signed in to shop-api")
    items: list[dict[str, Any]] = env.api.request("GET", SESSIONS_PATH).json()["items"]
    source = f"shop-api GET {SESSIONS_PATH} (pg_stat_activity of the API's database)"
    if step.query == "sessions_by_state":
        by_state = Counter(item.get("state") or "unknown" for item in items)
        rows = tuple({"state": state, "count": count} for state, count in by_state.most_common())
        cli = (
            'psql -c "SELECT count(*) AS total_connections, state, application_name FROM pg_stat_activity '
            'WHERE state IS NOT NULL GROUP BY state, application_name;"'
        )
        return _Reading(float(len(items)), f"{source}: all client sessions", cli, rows=rows)
    least = None if step.min_minutes is None else number(step.min_minutes)
    matching = tuple(
        item
        for item in items
        if (step.state is None or item.get("state") == step.state)
        and (least is None or (item.get("duration_s") or 0) >= least * 60)
    )
    conditions = [f"state = '{step.state}'"] if step.state else []
    if least is not None:
        conditions.append(f"now() - query_start > interval '{least:g} minutes'")
    where = " AND ".join(conditions) or "true"
    described = " ".join(
        part
        for part in (
            f"in state '{step.state}'" if step.state else "",
            f"for at least {least:g} min" if least is not None else "",
        )
        if part
    )
    cli = (
        'psql -c "SELECT pid, usename, application_name, state, backend_start, now() - query_start AS duration, '
        f'query FROM pg_stat_activity WHERE {where};"'
    )
    return _Reading(float(len(matching)), f"{source}: sessions {described}".rstrip(), cli, rows=matching)


def session_line(row: dict[str, Any]) -> str:
    """One session as a person reads it: pid, user, application, state and for how long, query."""
    duration = row.get("duration_s")
    lasting = f" for {format_duration(dt.timedelta(seconds=duration))}" if duration is not None else ""
    own = " [shop-api's own: never signalled]" if row.get("api_session") else ""
    query = (row.get("query") or "").replace("\n", " ")
    return (
        f"pid {row['pid']} · {row.get('user') or '?'} · {row.get('application') or '-'} · "
        f"{row.get('state') or '?'}{lasting} · {query[:60]}{own}"
    )


def _minutes(span: dt.timedelta) -> str:
    minutes = span.total_seconds() / 60
    return f"{minutes / 60:g} h" if minutes >= 120 and minutes % 60 == 0 else f"{minutes:g} min"


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)
