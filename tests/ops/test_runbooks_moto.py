"""Runbooks against the local stack (moto seeded from the guide, shop-api on SQLite), through the engine the
screen uses and through the headless command: the High CPU runbook finds the seeded incident and scales the API
2 → 4 only in write mode with the right confirmation; the failover needs the cluster's name typed; a cashier or
support user never changes anything. Every test leaves the stack as it found it (the stack is shared)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ops_testkit import ADMIN, SUPPORT
from runbooks_testkit import aws, seeded_clock, signed_in, stack_profile_for

from console.config import Profile
from console.demo import StackInfo
from console.ops.audit import Actor, AuditLog
from console.ops.aws import AwsClients
from console.ops.checks import Verdict
from console.ops.runbooks.actions import Env
from console.ops.runbooks.command import EXIT_ATTENTION, EXIT_REFUSED, EXIT_STOPPED, run_runbooks_command
from console.ops.runbooks.engine import RunbookRun, StepStatus
from console.ops.runbooks.loader import find_runbook
from console.session import SessionService, SignedIn
from offline_cache.clock import Clock

CLUSTER, SERVICE = "shop-management-cluster", "shop-management-api"
DB_CLUSTER, WRITER, READER = "shop-management-aurora", "shop-management-aurora-2", "shop-management-aurora-1"
Command = Callable[..., tuple[int, str, str]]
Sessions = dict[str, tuple[SessionService, SignedIn]]
CASHIER = Actor(cognito_user="corner-cashier", role="cashier", os_user="operator", host="bastion")


@pytest.fixture(scope="module")
def profile(stack: StackInfo) -> Profile:
    return stack_profile_for(stack)


@pytest.fixture(scope="module")
def clock(profile: Profile) -> Clock:
    return seeded_clock(profile)


@pytest.fixture
def audit(tmp_path: Path, clock: Clock) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl", clock=clock)


@pytest.fixture
def scaled_back(profile: Profile) -> Iterator[None]:
    yield
    aws(profile, "ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=2)


@pytest.fixture
def failed_back(profile: Profile) -> Iterator[None]:
    yield
    if writer(profile) != WRITER:
        aws(profile, "rds").failover_db_cluster(DBClusterIdentifier=DB_CLUSTER, TargetDBInstanceIdentifier=WRITER)


def desired(profile: Profile) -> tuple[int, int]:
    (service,) = aws(profile, "ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
    return service["desiredCount"], service["runningCount"]


def writer(profile: Profile) -> str:
    (cluster,) = aws(profile, "rds").describe_db_clusters(DBClusterIdentifier=DB_CLUSTER)["DBClusters"]
    return next(m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"] if m["IsClusterWriter"])


def make_run(
    name: str,
    profile: Profile,
    audit: AuditLog,
    clock: Clock,
    actor: Actor = ADMIN,
    write_mode: bool = False,
    **inputs: Any,
) -> RunbookRun:
    env = Env(profile, actor, AwsClients(profile), audit, write_mode=write_mode, clock=clock, sleep=lambda _: None)
    return RunbookRun(find_runbook(name), env, inputs)


def run_checks(run: RunbookRun) -> None:
    while (state := run.next_step()) is not None and state.step.kind == "check":
        run.run_check()


def test_high_cpu_finds_the_seeded_incident(profile: Profile, audit: AuditLog, clock: Clock) -> None:
    run = make_run("high-cpu", profile, audit, clock)
    run_checks(run)
    cpu = run.state("cpu").check
    assert cpu is not None and cpu.verdict is Verdict.FAIL and cpu.actual is not None and cpu.actual > 80
    assert cpu.target_text == "fail when > 80 %"
    values = [p.value for p in cpu.series]
    assert len(values) >= 30  # 3 hours at 5-minute periods, for the sparkline
    assert max(values[:-8]) < 50 < 80 < min(values[-3:])  # calm for hours, then the incident stretch
    assert "aws cloudwatch get-metric-statistics --namespace AWS/ECS --metric-name CPUUtilization" in cpu.cli
    statuses = {s.step.id: s.status for s in run.steps}
    assert statuses == {
        "cpu": StepStatus.FAILED,
        "cpu-max": statuses["cpu-max"],  # the hottest task's peak is seeded-random around the threshold
        "memory": StepStatus.PASSED,
        "errors": StepStatus.FAILED,
        "slow-queries": StepStatus.FAILED,
        "scale": StepStatus.PENDING,
    }
    errors = run.state("errors").check
    assert errors is not None and len(errors.series) == 12 and errors.series_label == "last 60 min, 5-min bins"
    records = audit.records(action="runbook.check")
    assert [r.context["step"] for r in records] == ["cpu", "cpu-max", "memory", "errors", "slow-queries"]
    assert records[0].context == {"runbook": "high-cpu", "version": "1.0", "step": "cpu", "run_id": run.run_id}
    assert records[0].outcome == "FAIL" and records[0].inputs["metric"] == "CPUUtilization"


def test_the_scale_previews_2_to_4_and_is_read_only_by_default(profile: Profile, audit: AuditLog, clock: Clock) -> None:
    run = make_run("high-cpu", profile, audit, clock)
    run_checks(run)
    preview = run.preview_action()
    assert preview.summary == "UpdateService shop-management-api desired 2 → 4 (autoscaling 2-10)"
    assert preview.cli == (
        "aws ecs update-service --cluster shop-management-cluster --service shop-management-api --desired-count 4 "
        "--region us-east-1",
    )
    assert preview.blocked is None and run.refusal == "the console is read-only: start it with --write to run actions"
    outcome = run.confirm_and_run("yes")
    assert (outcome.status, outcome.detail) == ("refused", run.refusal)
    assert desired(profile) == (2, 2)
    assert run.state("scale").status is StepStatus.REFUSED


def test_the_scale_runs_in_write_mode_with_the_right_confirmation(
    profile: Profile, audit: AuditLog, clock: Clock, scaled_back: None
) -> None:
    run = make_run("high-cpu", profile, audit, clock, write_mode=True)
    run_checks(run)
    run.preview_action()
    assert run.confirm_and_run("y").status == "cancelled"  # medium risk: "yes" in full
    assert desired(profile) == (2, 2) and run.next_step() is run.state("scale")

    preview = run.preview_action()
    outcome = run.confirm_and_run("yes")
    assert (outcome.status, outcome.detail) == ("verified", "shop-management-api: 4 of 4 running, 0 pending")
    assert desired(profile) == (4, 4)
    assert run.done and run.state("scale").status is StepStatus.DONE

    executed, verified = [r for r in audit.records(action="ecs.scale_service") if r.outcome != "cancelled"]
    assert (executed.outcome, verified.outcome) == ("executed", "verified")
    assert executed.action_id == verified.action_id == outcome.action_id
    assert verified.context == {"runbook": "high-cpu", "version": "1.0", "step": "scale", "run_id": run.run_id}
    assert verified.inputs == {"cluster": CLUSTER, "service": SERVICE, "desired_count": 4}
    assert verified.preview == preview.text and "desired 2 → 4" in verified.preview
    assert verified.confirmation == "yes"
    assert (verified.actor.cognito_user, verified.actor.os_user) == ("ops-admin", "operator")


def test_a_count_outside_autoscaling_is_blocked(profile: Profile, audit: AuditLog, clock: Clock) -> None:
    run = make_run("high-cpu", profile, audit, clock, write_mode=True, desired_count="1")
    run_checks(run)
    assert run.preview_action().blocked == "desired 1 is outside autoscaling 2-10"
    outcome = run.confirm_and_run("yes")
    assert (outcome.status, outcome.detail) == ("failed", "desired 1 is outside autoscaling 2-10")
    assert desired(profile) == (2, 2)


@pytest.mark.parametrize("actor", [CASHIER, SUPPORT], ids=["cashier", "support"])
def test_a_cashier_or_support_user_cannot_act(
    profile: Profile, audit: AuditLog, clock: Clock, actor: Actor, scaled_back: None
) -> None:
    run = make_run("high-cpu", profile, audit, clock, actor=actor, write_mode=True)
    run_checks(run)
    run.preview_action()
    outcome = run.confirm_and_run("yes")
    assert (outcome.status, outcome.detail) == ("refused", f"actions need the admin role (yours: {actor.role})")
    assert desired(profile) == (2, 2)
    (refused,) = audit.records(action="ecs.scale_service")
    assert (refused.outcome, refused.actor.role) == ("refused", actor.role)


def test_the_failover_needs_the_announcement_and_the_clusters_name(
    profile: Profile, audit: AuditLog, clock: Clock, failed_back: None
) -> None:
    run = make_run("dr-database-failover", profile, audit, clock, write_mode=True)
    run_checks(run)
    assert run.approve("ok") is False and run.next_step() is run.state("announce")
    assert run.approve("announced") is True
    preview = run.preview_action()
    assert preview.summary == f"FailoverDBCluster {DB_CLUSTER}: writer {WRITER} → {READER}"
    assert preview.confirm_phrase == DB_CLUSTER and preview.confirmation_prompt.endswith(
        f"Type {DB_CLUSTER} to confirm"
    )
    assert run.confirm_and_run("yes").status == "cancelled"
    assert writer(profile) == WRITER
    run.preview_action()
    outcome = run.confirm_and_run(DB_CLUSTER)
    assert (outcome.status, outcome.detail) == ("verified", f"{READER} is the writer; cluster available")
    assert writer(profile) == READER
    approvals = audit.records(action="runbook.approve")
    assert [(a.confirmation, a.outcome) for a in approvals] == [("ok", "not_approved"), ("announced", "approved")]


def test_database_checks_need_postgresql(stack: StackInfo, profile: Profile, audit: AuditLog, clock: Clock) -> None:
    session, _ = signed_in(profile, stack, "ops-admin")
    env = Env(profile, ADMIN, AwsClients(profile), audit, api=session.api, clock=clock)
    run = RunbookRun(find_runbook("db-connections"), env)
    run.run_check()  # the CloudWatch figure
    by_state = run.run_check()
    assert by_state.verdict is Verdict.UNKNOWN and "only on PostgreSQL" in by_state.actual_text


# --- headless ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sessions(stack: StackInfo, profile: Profile, tmp_path_factory: pytest.TempPathFactory) -> Sessions:
    """Each demo user signed in once for the module (in dirs of its own: a sign-in stores its session)."""
    with pytest.MonkeyPatch.context() as env:
        for kind in ("CONFIG", "DATA", "STATE", "CACHE"):
            env.setenv(f"XDG_{kind}_HOME", str(tmp_path_factory.mktemp(kind.lower())))
        return {name: signed_in(profile, stack, name) for name in ("ops-admin", "corner-support", "corner-cashier")}


@pytest.fixture
def command(sessions: Sessions, profile: Profile, audit: AuditLog, clock: Clock) -> Command:
    """`command(username, args, stdin)`: `shop-console runbooks ARGS` as that demo user; the exit code, stdout
    and stderr."""

    def run(username: str, args: list[str], stdin: Any = None) -> tuple[int, str, str]:
        session, who = sessions[username]
        out, err = io.StringIO(), io.StringIO()
        code = run_runbooks_command(
            args,
            profile,
            who,
            session.api,
            out,
            err,
            stdin or io.StringIO(),
            audit=audit,
            clock=clock,
            sleep=lambda _: None,
        )
        return code, out.getvalue(), err.getvalue()

    return run


def test_headless_list_and_show(profile: Profile, audit: AuditLog, command: Command) -> None:
    code, out, _ = command("ops-admin", ["list"])
    assert code == 0 and out.splitlines()[0].split()[:2] == ["api-response-time", "incident"]
    assert "dr-region-recovery" in out and "(manual procedure)" in out
    code, out, _ = command("ops-admin", ["show", "high-cpu"])
    assert code == 0 and out.startswith("High CPU Utilization (high-cpu 1.0, incident)")
    code, _, err = command("ops-admin", ["show", "nope"])
    assert code == 64 and "no runbook 'nope'" in err


def test_headless_run_is_read_only_by_default(profile: Profile, audit: AuditLog, command: Command) -> None:
    code, out, _ = command("ops-admin", ["run", "high-cpu", "--json"])
    document = json.loads(out)
    assert code == EXIT_ATTENTION == document["exit_code"]  # the incident's signs are there; nothing failed
    steps = {s["id"]: s for s in document["steps"]}
    assert steps["cpu"]["check"]["verdict"] == "FAIL" and len(steps["cpu"]["check"]["series"]) >= 30
    scale = steps["scale"]
    assert scale["status"] == "skipped"
    assert scale["note"] == "not run: the console is read-only: start it with --write to run actions"
    assert "desired 2 → 4" in scale["preview"] and scale["cli"][0].startswith("aws ecs update-service")
    assert desired(profile) == (2, 2)


def test_headless_text_shows_verdicts_and_sparklines(profile: Profile, audit: AuditLog, command: Command) -> None:
    code, out, _ = command("ops-admin", ["run", "high-cpu", "--input", "desired_count=3"])
    assert code == EXIT_ATTENTION
    assert "[1/6] check  Service CPU, average" in out
    line = next(line for line in out.splitlines() if line.strip().startswith("FAIL") and "fail when > 80 %" in line)
    assert line.split()[1].replace(".", "").isdigit()
    assert any(ch in out for ch in "▁▂▃") and "last 3 h, 5-min periods" in out
    assert "UpdateService shop-management-api desired 2 → 3 (autoscaling 2-10)" in out
    assert "not run: the console is read-only" in out


def test_headless_refuses_a_cashier(profile: Profile, audit: AuditLog, command: Command) -> None:
    code, out, err = command("corner-cashier", ["run", "high-cpu", "--write"])
    assert (code, out) == (EXIT_REFUSED, "")
    assert err == "shop-console runbooks: needs the admin or support role (yours: cashier)\n"
    assert audit.records() == [] and desired(profile) == (2, 2)


def test_headless_support_sees_but_cannot_act(profile: Profile, audit: AuditLog, command: Command) -> None:
    stdin = io.StringIO("yes\n")
    code, out, _ = command("corner-support", ["run", "high-cpu", "--write"], stdin)
    assert code == EXIT_ATTENTION
    assert "not run: actions need the admin role (yours: support)" in out
    assert stdin.read() == "yes\n"  # never even asked
    assert desired(profile) == (2, 2)


def test_headless_admin_scales_with_write_and_yes(
    profile: Profile, audit: AuditLog, command: Command, scaled_back: None
) -> None:
    code, out, err = command("ops-admin", ["run", "high-cpu", "--write"], io.StringIO("yes\n"))
    assert code == EXIT_ATTENTION, out
    assert "Run it? Type yes to confirm: " in err
    assert "verified: shop-management-api: 4 of 4 running, 0 pending" in out
    assert desired(profile) == (4, 4)
    assert [r.outcome for r in audit.records(action="ecs.scale_service")] == ["executed", "verified"]


def test_headless_high_risk_needs_a_terminal(profile: Profile, audit: AuditLog, command: Command) -> None:
    piped = io.StringIO(f"announced\n{DB_CLUSTER}\n")
    code, out, _ = command("ops-admin", ["run", "dr-database-failover", "--write"], piped)
    assert code == EXIT_STOPPED
    assert "refused: a high-risk action needs its confirmation typed at a terminal (stdin is not one)" in out
    assert writer(profile) == WRITER
    assert audit.records(action="rds.failover_cluster") == []


def test_headless_high_risk_typed_at_a_terminal(
    profile: Profile, audit: AuditLog, command: Command, failed_back: None
) -> None:
    main, side = os.openpty()
    try:
        os.write(main, f"announced\n{DB_CLUSTER}\n".encode())
        with open(side, encoding="utf-8", closefd=False) as terminal:
            code, out, err = command("ops-admin", ["run", "dr-database-failover", "--write"], terminal)
    finally:
        os.close(main)
        os.close(side)
    assert f"This is a high-risk action. Type {DB_CLUSTER} to confirm: " in err
    assert f"verified: {READER} is the writer; cluster available" in out
    assert writer(profile) == READER
    assert code == EXIT_ATTENTION  # the logs check of the incident still FAILs
