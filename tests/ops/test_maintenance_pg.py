"""Weekly database maintenance against the local stack with shop-api on PostgreSQL: the guide's unused-index query
finds indexes, ANALYZE runs in write mode and is verified in pg_stat_user_tables and audited, and VACUUM (ANALYZE)
is refused before PostgreSQL 17 with the psql command. Skips (with the reason) without PostgreSQL, except in CI,
where that fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from ops_testkit import ADMIN
from runbooks_testkit import postgres_stack, signed_in_apart, stack_profile_for

from console.config import Profile
from console.demo import StackInfo
from console.ops.audit import AuditLog
from console.ops.aws import AwsClients
from console.ops.runbooks.actions import Env
from console.ops.runbooks.engine import RunbookRun, StepStatus
from console.ops.runbooks.loader import find_runbook
from console.session import SessionService, SignedIn

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StackInfo, str]]:
    with postgres_stack(tmp_path_factory, "maintenance-pg") as running:
        yield running


@pytest.fixture(scope="module")
def profile(pg_stack: tuple[StackInfo, str]) -> Profile:
    return stack_profile_for(pg_stack[0], "maintenance-pg")


@pytest.fixture(scope="module")
def admin(
    pg_stack: tuple[StackInfo, str], profile: Profile, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SessionService, SignedIn]:
    return signed_in_apart(profile, pg_stack[0], "ops-admin", tmp_path_factory)


def test_weekly_database_maintenance(
    pg_stack: tuple[StackInfo, str], profile: Profile, admin: tuple[SessionService, SignedIn], tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    env = Env(profile, ADMIN, AwsClients(profile), audit, api=admin[0].api, write_mode=True, sleep=lambda _: None)
    run = RunbookRun(find_runbook("maintenance-database"), env, {})
    indexes = run.run_check()
    assert indexes.verdict.value == "FAIL" and indexes.actual and indexes.actual > 0
    assert {"schema", "table", "index", "idx_tup_read", "idx_tup_fetch"} == set(indexes.rows[0])

    preview = run.preview_action()
    assert preview.blocked is None and preview.summary.startswith("ANALYZE of the API's database")
    run.confirm_and_run("y")
    assert run.state("analyze").status is StepStatus.DONE
    with psycopg.connect(pg_stack[1]) as conn:
        (analyzed,) = conn.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'orders'").fetchone()
    assert analyzed is not None
    assert [r.outcome for r in audit.records(action="db.maintenance")] == ["executed", "verified"]

    vacuum = run.preview_action()
    with psycopg.connect(pg_stack[1]) as conn:
        (version,) = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()
    if version < 170000:
        assert vacuum.blocked and "VACUUM (ANALYZE, VERBOSE)" in vacuum.blocked
    else:
        assert vacuum.blocked is None
