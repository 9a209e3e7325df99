"""Checks: one fact against one target, with a verdict, where the figure came from, and a hint when not OK."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    OK = "OK"
    WARN = "WARN"
    UNKNOWN = "UNKNOWN"
    FAIL = "FAIL"

    @property
    def rank(self) -> int:
        """Worse is higher: an unknown is worse than a known warning, better than a known failure."""
        return _RANK[self]


_RANK = {Verdict.OK: 0, Verdict.WARN: 1, Verdict.UNKNOWN: 2, Verdict.FAIL: 3}

EXIT_OK = 0
EXIT_ATTENTION = 1  # any WARN or UNKNOWN
EXIT_FAILED = 2  # any FAIL


@dataclass(frozen=True)
class Check:
    """`name` is stable for scripts (e.g. "dr.database.rpo"); `title` is for people; `group` gathers checks on a
    screen (the backups use dr, backups, cluster, s3)."""

    name: str
    title: str
    group: str
    verdict: Verdict
    actual: str
    target: str
    source: str
    hint: str | None = None  # set whenever the verdict is not OK

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict.value}


def worst(verdicts: list[Verdict] | tuple[Verdict, ...]) -> Verdict:
    return max(verdicts, key=lambda v: v.rank, default=Verdict.OK)


def exit_code(checks: list[Check] | tuple[Check, ...]) -> int:
    verdict = worst([c.verdict for c in checks])
    if verdict is Verdict.FAIL:
        return EXIT_FAILED
    return EXIT_OK if verdict is Verdict.OK else EXIT_ATTENTION


def by_severity(checks: list[Check] | tuple[Check, ...]) -> list[Check]:
    """Failures first, then unknowns, warnings, and the OK ones; stable within a verdict."""
    return sorted(checks, key=lambda c: -c.verdict.rank)


def age_verdict(age: dt.timedelta, target: dt.timedelta) -> Verdict:
    """Ages and lags: within the target OK, up to twice the target WARN (one missed run), beyond that FAIL."""
    if age <= target:
        return Verdict.OK
    return Verdict.WARN if age <= 2 * target else Verdict.FAIL


def format_duration(span: dt.timedelta) -> str:
    """Short and readable: "45 s", "12 min", "31 h", "45 d" (negative spans, from clock skew, read as 0 s)."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} d"


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_bytes(size: int) -> str:
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value, unit = float(size), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{size} B" if unit == 0 else f"{value:.1f} {units[unit]}"
