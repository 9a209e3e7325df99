"""What the backup checks are made of: a finding (verdict, actual figure, hint), the context they judge in, and the
rules shared by every check (an unread fact is UNKNOWN with its reason; a missing one FAILs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from console.ops.backup_facts import BackupFacts, RestoreTest, Unknown
from console.ops.checks import Check, Verdict, worst
from console.ops.drills import DrillResult
from console.ops.guide import Drill, EnvironmentSettings, Resources

T = TypeVar("T")
OK, WARN, UNKNOWN, FAIL = Verdict.OK, Verdict.WARN, Verdict.UNKNOWN, Verdict.FAIL
UNREADABLE_HINT = "fix the AWS access named above, then refresh"


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    actual: str
    hint: str | None = None


@dataclass(frozen=True)
class Context:
    facts: BackupFacts
    drills: dict[Drill, DrillResult]
    now: dt.datetime
    environment: str
    expected: EnvironmentSettings
    res: Resources


def make_check(name: str, title: str, group: str, target: str, source: str, finding: Finding) -> Check:
    hint = None if finding.verdict is OK else (finding.hint or UNREADABLE_HINT)
    return Check(name, title, group, finding.verdict, finding.actual, target, source, hint)


def judge(fact: T | Unknown | None, rule: Callable[[T], Finding], missing: Finding | None = None) -> Finding:
    """The rule's finding for a fact that was read; UNKNOWN with the reason for one that was not; `missing` (a
    FAIL) for one that is not there."""
    if isinstance(fact, Unknown):
        return unknown(fact)
    if fact is None:
        assert missing is not None, "a fact that can be missing needs a finding for it"
        return missing
    return rule(fact)


def unknown(fact: Unknown) -> Finding:
    return Finding(UNKNOWN, f"unknown: {fact.reason}", UNREADABLE_HINT)


def combine(*findings: Finding) -> Finding:
    """The worst verdict; the actual figures of all, and the hints of the ones that are not OK."""
    verdict = worst([f.verdict for f in findings])
    hints = [f.hint for f in findings if f.verdict is not OK and f.hint]
    return Finding(verdict, "; ".join(f.actual for f in findings), " ".join(hints) or None)


def age_of(since: dt.datetime | None, ctx: Context) -> dt.timedelta:
    return ctx.now - since if since else dt.timedelta.max


def cluster_missing(ctx: Context) -> Finding:
    return Finding(FAIL, f"cluster {ctx.res.cluster} not found", "check the profile's region and the cluster name")


def restore_passed(test: RestoreTest) -> bool:
    return test.status == "COMPLETED" and test.validation_status == "SUCCESSFUL"
