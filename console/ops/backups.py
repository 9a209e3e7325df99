"""Backup and disaster-recovery status: the report the backup screen shows and `shop-console backups` prints.

`collect_report(profile)` reads AWS (see backup_facts), the DR drills of the audit log (see drills) and judges them
(see backup_checks). It never raises: whatever cannot be read is an UNKNOWN check with its reason.

`--json` prints one object: profile, environment, collected_at, verdict (the worst), exit_code, and `checks`, one
object per check with name, title, group, verdict (OK, WARN, UNKNOWN, FAIL), actual, target, source and hint (null
when OK).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from console.config import Profile
from console.ops import backup_checks, backup_facts
from console.ops.audit import AuditLog
from console.ops.aws import AwsClients, ClientSource
from console.ops.checks import Check, Verdict, by_severity, exit_code, format_time, worst
from console.ops.drills import DrillResult, latest_drills
from console.ops.guide import SCENARIOS, Drill, Resources, Scenario
from offline_cache.clock import Clock, system_clock

log = logging.getLogger(__name__)

ALLOWED_ROLES = ("admin", "support")
EXIT_REFUSED = 4


@dataclass(frozen=True)
class BackupReport:
    profile: str
    environment: str
    collected_at: dt.datetime
    facts: backup_facts.BackupFacts
    drills: dict[Drill, DrillResult]
    checks: tuple[Check, ...]

    @property
    def verdict(self) -> Verdict:
        return worst([c.verdict for c in self.checks])

    @property
    def exit_code(self) -> int:
        """0 all OK, 1 any WARN or UNKNOWN, 2 any FAIL."""
        return exit_code(self.checks)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "environment": self.environment,
            "collected_at": self.collected_at.isoformat(),
            "verdict": self.verdict.value,
            "exit_code": self.exit_code,
            "checks": [c.to_json() for c in self.checks],
        }


@dataclass(frozen=True)
class ScenarioRow:
    """One line of the screen's top: a DR scenario with its RPO and RTO checks."""

    scenario: Scenario
    rpo: Check
    rto: Check

    @property
    def verdict(self) -> Verdict:
        return worst([self.rpo.verdict, self.rto.verdict])


def scenario_rows(report: BackupReport) -> list[ScenarioRow]:
    """Failures first; the guide's order within a verdict."""
    rows = [ScenarioRow(s, report.check(f"dr.{s.key}.rpo"), report.check(f"dr.{s.key}.rto")) for s in SCENARIOS]
    return sorted(rows, key=lambda row: -row.verdict.rank)


def collect_report(
    profile: Profile,
    *,
    clients: ClientSource | None = None,
    clock: Clock = system_clock,
    audit: AuditLog | None = None,
    resources: Resources | None = None,
) -> BackupReport:
    """Read and judge everything; blocking (seconds): call it from a worker thread."""
    facts = backup_facts.collect(clients or AwsClients(profile), profile.region, resources)
    audit = audit or AuditLog(clock=clock)
    try:
        drills = latest_drills(audit, profile.name)
    except OSError as exc:  # an unreadable audit file: the drills are then simply not known
        log.warning("cannot read the audit log for DR drills", extra={"fields": {"error": str(exc)}})
        drills = {}
    now = clock()
    checks = backup_checks.evaluate(facts, drills, now, profile.environment, resources)
    return BackupReport(profile.name, profile.environment, now, facts, drills, checks)


def run_backups_command(
    profile: Profile,
    role: str | None,
    as_json: bool,
    out: TextIO,
    err: TextIO = sys.stderr,
    *,
    clients: ClientSource | None = None,
    clock: Clock = system_clock,
    audit: AuditLog | None = None,
) -> int:
    """`shop-console backups [--json]` for a signed-in user whose role is `role`. Exit codes: 0 all OK, 1 any WARN
    or UNKNOWN, 2 any FAIL, 4 refused (not admin or support)."""
    if role_refused("backups", role, err):
        return EXIT_REFUSED
    report = collect_report(profile, clients=clients, clock=clock, audit=audit)
    log.info(
        "backup status collected",
        extra={"fields": {"verdict": report.verdict.value, "checks": len(report.checks), "role": role}},
    )
    out.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n" if as_json else render_text(report))
    return report.exit_code


def role_refused(command: str, role: str | None, err: TextIO) -> bool:
    """Whether `role` may not run the read-only admin command `shop-console <command>` (then saying so on `err`)."""
    if role in ALLOWED_ROLES:
        return False
    err.write(f"shop-console {command}: needs the admin or support role (yours: {role or 'none'})\n")
    return True


def render_text(report: BackupReport) -> str:
    """For a terminal or a cron mail: a summary line, then every check, failures first, each one not OK with its
    target, source and hint."""
    counts = ", ".join(
        f"{sum(c.verdict is v for c in report.checks)} {v.value}"
        for v in (Verdict.FAIL, Verdict.UNKNOWN, Verdict.WARN, Verdict.OK)
    )
    lines = [
        f"Backups: {report.verdict.value} ({counts}) · profile {report.profile} ({report.environment}) · "
        f"collected {format_time(report.collected_at)}"
    ]
    for check in by_severity(report.checks):
        lines.append(f"{check.verdict.value:<7}  {check.title}: {check.actual}")
        if check.verdict is not Verdict.OK:
            lines.append(f"{'':<9}target {check.target} · source: {check.source}")
            lines.append(f"{'':<9}hint: {check.hint}")
    return "\n".join(lines) + "\n"
