"""CloudWatch metric series for the runbook checks and the health dashboard, and a text sparkline of one.

A series is read with GetMetricStatistics (the call the guide's runbooks use) at a fixed period and sorted by time;
for an Average the sample count comes along, so a statistic over a longer window weighs each period by its samples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Statistic = Literal["Average", "Maximum", "Minimum", "Sum", "SampleCount"]
SPARK_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Point:
    at: dt.datetime
    value: float
    samples: float = 1.0  # how many samples the period's value summarises (weights an Average)


@dataclass(frozen=True)
class MetricQuery:
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: Statistic

    @classmethod
    def of(cls, namespace: str, metric: str, dimensions: Mapping[str, str], statistic: Statistic) -> MetricQuery:
        return cls(namespace, metric, tuple(dimensions.items()), statistic)

    def cli(self, start: dt.datetime, end: dt.datetime, period: dt.timedelta, region: str) -> str:
        """The equivalent AWS CLI command, as the guide writes it."""
        dimensions = " ".join(f"Name={name},Value={value}" for name, value in self.dimensions)
        return (
            f"aws cloudwatch get-metric-statistics --namespace {self.namespace} --metric-name {self.metric}"
            + (f" --dimensions {dimensions}" if dimensions else "")
            + f" --statistics {self.statistic} --start-time {_iso(start)} --end-time {_iso(end)}"
            + f" --period {int(period.total_seconds())} --region {region}"
        )


def read_series(
    cloudwatch: Any, query: MetricQuery, start: dt.datetime, end: dt.datetime, period: dt.timedelta
) -> list[Point]:
    """The metric's periods between start and end, oldest first (empty when there is no data)."""
    statistics = [query.statistic] if query.statistic == "SampleCount" else [query.statistic, "SampleCount"]
    answer = cloudwatch.get_metric_statistics(
        Namespace=query.namespace,
        MetricName=query.metric,
        Dimensions=[{"Name": name, "Value": value} for name, value in query.dimensions],
        StartTime=start,
        EndTime=end,
        Period=int(period.total_seconds()),
        Statistics=statistics,
    )
    points = [
        Point(d["Timestamp"], float(d[query.statistic]), float(d.get("SampleCount", 1.0)))
        for d in answer.get("Datapoints", [])
        if query.statistic in d
    ]
    return sorted(points, key=lambda p: p.at)


def aggregate(points: Sequence[Point], statistic: Statistic) -> float | None:
    """The statistic over several periods: an Average weighted by samples, the max of Maximums, and so on."""
    if not points:
        return None
    if statistic == "Average":
        samples = sum(p.samples for p in points)
        return sum(p.value * p.samples for p in points) / samples if samples else None
    if statistic == "Maximum":
        return max(p.value for p in points)
    if statistic == "Minimum":
        return min(p.value for p in points)
    return sum(p.value for p in points)  # Sum and SampleCount add up


def sparkline(values: Sequence[float], width: int | None = None) -> str:
    """One block character per value (the last `width` values), scaled from the series' min to its max."""
    shown = list(values)[-width:] if width else list(values)
    if not shown:
        return ""
    low, high = min(shown), max(shown)
    span = high - low
    top = len(SPARK_BARS) - 1
    return "".join(SPARK_BARS[round((v - low) / span * top) if span else 0] for v in shown)


def format_value(value: float | None, unit: str = "") -> str:
    """Short and readable: 91.3 %, 2,480 ms, 3.41 s, 87."""
    if value is None:
        return "no data"
    digits = 0 if abs(value) >= 100 or value == int(value) else (1 if abs(value) >= 10 else 2)
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}" if unit else text


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
