"""The Database Connection Exhaustion runbook against the local stack with shop-api on PostgreSQL: real sessions
(opened here, idle in a transaction, or busy) are listed, one is terminated while one whose backend_start changed
is refused, a long query is cancelled, the API's own sessions are never targets, and only an admin in write mode
acts. Skips (with the reason) without PostgreSQL, except in CI, where that fails."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from ops_testkit import ADMIN, SUPPORT
from runbooks_testkit import postgres_stack, seeded_clock, signed_in_apart, stack_profile_for

from backend.db import DEFAULT_APP_ROLE
from console.config import Profile
from console.demo import StackInfo
from console.ops.audit import Actor, AuditLog
from console.ops.aws import AwsClients
from console.ops.checks import Verdict
from console.ops.runbooks.actions import Env
from console.ops.runbooks.command import run_runbooks_command
from console.ops.runbooks.engine import RunbookRun, StepStatus
from console.ops.runbooks.loader import find_runbook
from console.session import SessionService, SignedIn
from offline_cache.clock import Clock

pytestmark = pytest.mark.postgres
Connect = Callable[[str], psycopg.Connection]


@pytest.fixture(scope="module")
def pg_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StackInfo, str]]:
    with postgres_stack(tmp_path_factory, "runbooks-pg") as running:
        yield running


@pytest.fixture(scope="module")
def profile(pg_stack: tuple[StackInfo, str]) -> Profile:
    return stack_profile_for(pg_stack[0], "runbooks-pg")


@pytest.fixture(scope="module")
def admin(
    pg_stack: tuple[StackInfo, str], profile: Profile, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SessionService, SignedIn]:
    return signed_in_apart(profile, pg_stack[0], "ops-admin", tmp_path_factory)


@pytest.fixture
def connect(pg_stack: tuple[StackInfo, str]) -> Iterator[Connect]:
    """Opens client sessions to shop-api's database as its app role (not a superuser), closed afterwards."""
    opened: list[psycopg.Connection] = []

    def open_session(name: str) -> psycopg.Connection:
        conn = psycopg.connect(pg_stack[1], user=DEFAULT_APP_ROLE, application_name=name)
        opened.append(conn)
        return conn

    yield open_session
    for conn in opened:
        conn.close()


def idle_in_transaction(conn: psycopg.Connection) -> int:
    conn.execute("SELECT 1 AS left_open")  # psycopg opened a transaction and leaves it open
    return conn.info.backend_pid


def alive(conn: psycopg.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture
def make_run(profile: Profile, admin: tuple[SessionService, SignedIn], tmp_path: Path) -> Callable[..., RunbookRun]:
    clock: Clock = seeded_clock(profile)

    def make(actor: Actor = ADMIN, write_mode: bool = True, **inputs: str) -> RunbookRun:
        audit = AuditLog(tmp_path / "audit.jsonl", clock=clock)
        env = Env(profile, actor, AwsClients(profile), audit, api=admin[0].api, write_mode=write_mode, clock=clock)
        return RunbookRun(find_runbook("db-connections"), env, {"idle_minutes": "0", **inputs})

    return make


def run_checks(run: RunbookRun) -> None:
    while (state := run.next_step()) is not None and state.step.kind == "check":
        run.run_check()


def test_lists_real_sessions_and_terminates_one_refusing_a_changed_one(
    make_run: Callable[..., RunbookRun], connect: Connect
) -> None:
    kept, ended = connect("runbook-test-kept"), connect("runbook-test-ended")
    kept_pid, ended_pid = idle_in_transaction(kept), idle_in_transaction(ended)
    run = make_run()
    run_checks(run)

    by_state = run.state("by-state").check
    assert by_state is not None and by_state.verdict is Verdict.OK  # a handful of sessions, far below 80
    assert {"state": "idle in transaction", "count": 2} in by_state.rows
    idle = run.state("idle-in-transaction").check
    assert idle is not None and idle.verdict is Verdict.FAIL and idle.actual == 2
    rows = {row["pid"]: row for row in idle.rows}
    assert rows.keys() == {kept_pid, ended_pid}
    assert rows[kept_pid]["application"] == "runbook-test-kept" and rows[kept_pid]["user"] == DEFAULT_APP_ROLE
    assert rows[kept_pid]["query"] == "SELECT 1 AS left_open" and rows[kept_pid]["api_session"] is False

    assert run.preview_action().blocked == "no session to act on: the checks listed none (run them first)"
    run.skip("no long-running query")  # the cancel step: nothing is active for long here

    # The operator saw `kept` with another backend_start: as if its pid now belonged to a newer connection.
    seen_earlier = dt.datetime.fromisoformat(rows[kept_pid]["backend_start"]) - dt.timedelta(seconds=1)
    preview = run.preview_action(
        targets=[rows[ended_pid], {"pid": kept_pid, "backend_start": seen_earlier.isoformat()}]
    )
    assert preview.blocked is None and preview.confirm_phrase == "terminate 2 sessions"
    assert any(
        line.startswith(f"pid {ended_pid} · {DEFAULT_APP_ROLE} · runbook-test-ended") for line in preview.details
    )
    assert any(line.startswith(f"pid {kept_pid}: CHANGED") for line in preview.details)
    assert run.confirm_and_run(str(ended_pid)).status == "cancelled"  # high risk: the phrase, exactly

    run.preview_action(targets=[rows[ended_pid], {"pid": kept_pid, "backend_start": seen_earlier.isoformat()}])
    outcome = run.confirm_and_run("terminate 2 sessions")
    assert outcome.status == "partial", outcome
    assert outcome.result["signalled"] == [ended_pid]
    assert "is not the one you saw" in outcome.result["refused"][str(kept_pid)]
    assert outcome.detail.startswith(f"is gone: pid {ended_pid}; pid {kept_pid} refused: ")
    assert not alive(ended) and alive(kept)
    assert run.state("terminate").status is StepStatus.INCOMPLETE
    records = run.env.audit.records(action="db.terminate_session")
    assert [r.outcome for r in records] == ["cancelled", "executed", "partial"]
    assert records[-1].inputs["pids"] == [ended_pid, kept_pid]


def test_terminates_the_listed_sessions_by_pid(make_run: Callable[..., RunbookRun], connect: Connect) -> None:
    first, second = connect("runbook-test-a"), connect("runbook-test-b")
    first_pid, _ = idle_in_transaction(first), idle_in_transaction(second)
    run = make_run(terminate_pids=str(first_pid))
    run_checks(run)
    run.preview_action()
    run.skip("no long-running query")
    preview = run.preview_action()
    assert preview.confirm_phrase == str(first_pid) and len(preview.api_calls) == 1
    outcome = run.confirm_and_run(str(first_pid))
    assert (outcome.status, outcome.detail) == ("verified", f"is gone: pid {first_pid}")
    assert not alive(first) and alive(second)


def test_cancels_a_long_query_and_keeps_its_session(make_run: Callable[..., RunbookRun], connect: Connect) -> None:
    busy = connect("runbook-test-busy")
    pid = busy.info.backend_pid
    failures: list[BaseException] = []

    def sleep_in_database() -> None:
        try:
            busy.execute("SELECT pg_sleep(30)")
        except psycopg.Error as exc:
            failures.append(exc)

    worker = threading.Thread(target=sleep_in_database)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while True:  # until the query shows as active
            run = make_run(long_running_minutes="0", cancel_pids=str(pid))
            run_checks(run)
            long_running = run.state("long-running").check
            if long_running and pid in {row["pid"] for row in long_running.rows}:
                break
            assert time.monotonic() < deadline, "the query never showed as active"
        preview = run.preview_action()
        assert preview.action == "db.cancel_session" and preview.confirm_phrase is None
        outcome = run.confirm_and_run("yes")
        assert (outcome.status, outcome.detail) == ("verified", f"stopped its query: pid {pid}")
    finally:
        worker.join(15)
    assert len(failures) == 1 and isinstance(failures[0], psycopg.errors.QueryCanceled)
    busy.rollback()
    assert alive(busy)


def test_never_targets_the_apis_own_sessions(make_run: Callable[..., RunbookRun]) -> None:
    run = make_run(long_running_minutes="0")
    run_checks(run)
    long_running = run.state("long-running").check
    assert long_running is not None
    own = next(row for row in long_running.rows if row["api_session"])  # the one listing the sessions
    assert run.preview_action().blocked == "no session to act on: the checks listed none (run them first)"
    preview = run.preview_action(targets=[own])
    assert preview.blocked == (
        f"pid {own['pid']} is one of shop-api's own sessions: those are never cancelled or terminated"
    )
    assert run.confirm_and_run("yes").status == "failed"


@pytest.mark.parametrize(
    ("actor", "write_mode", "reason"),
    [
        (
            Actor(cognito_user="corner-cashier", role="cashier", os_user="op", host="h"),
            True,
            "admin role (yours: cashier)",
        ),
        (SUPPORT, True, "admin role (yours: support)"),
        (ADMIN, False, "the console is read-only"),
    ],
    ids=["cashier", "support", "read-only admin"],
)
def test_only_an_admin_in_write_mode_terminates(
    make_run: Callable[..., RunbookRun], connect: Connect, actor: Actor, write_mode: bool, reason: str
) -> None:
    conn = connect("runbook-test-guarded")
    idle_in_transaction(conn)
    run = make_run(actor=actor, write_mode=write_mode)
    run_checks(run)
    run.skip("not this one")
    preview = run.preview_action()
    outcome = run.confirm_and_run(preview.confirm_phrase or "")
    assert outcome.status == "refused" and reason in outcome.detail
    assert alive(conn)


def test_headless_lists_the_sessions_read_only(
    profile: Profile, admin: tuple[SessionService, SignedIn], connect: Connect, tmp_path: Path
) -> None:
    pid = idle_in_transaction(connect("runbook-test-headless"))
    session, who = admin
    out, err = io.StringIO(), io.StringIO()
    code = run_runbooks_command(
        ["run", "db-connections", "--input", "idle_minutes=0", "--json"],
        profile,
        who,
        session.api,
        out,
        err,
        io.StringIO(),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        clock=seeded_clock(profile),
    )
    document = json.loads(out.getvalue())
    steps = {s["id"]: s for s in document["steps"]}
    assert code == 1 and steps["idle-in-transaction"]["check"]["verdict"] == "FAIL"
    assert pid in {row["pid"] for row in steps["idle-in-transaction"]["check"]["rows"]}
    assert steps["terminate"]["status"] == "skipped" and f"pid {pid}" in steps["terminate"]["preview"]
    assert "read-only" in steps["terminate"]["note"]
