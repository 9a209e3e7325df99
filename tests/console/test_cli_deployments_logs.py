"""`shop-console deployments` and `shop-console logs` as a script runs them: a real process on the suite's stack."""

from __future__ import annotations

import json

import pytest

from console.demo import StackInfo
from tests.console.cli_support import ADMIN, CASHIER, saved_profile
from tests.console.conftest import run_cli as run


@pytest.fixture
def profile(stack: StackInfo) -> str:
    return saved_profile(stack, "cli-ops")


def test_deployments_json(profile: str) -> None:
    done = run(profile, "deployments", "--json", "--username", ADMIN[0], "--password-stdin", password=ADMIN[1])
    report = json.loads(done.stdout)
    assert done.returncode == report["exit_code"]
    assert [s["name"] for s in report["services"]] == ["shop-management-api", "shop-management-frontend"]


def test_logs_query_and_usage_errors(profile: str) -> None:
    sign_in = ("--username", ADMIN[0], "--password-stdin")
    done = run(profile, "logs", "query", "slow-queries", "--since", "3h", "--json", *sign_in, password=ADMIN[1])
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["query"] == "slow-queries" and result["rows"] and result["unanswered"]
    done = run(profile, "logs", "query", "--since", "soon", *sign_in, password=ADMIN[1])
    assert done.returncode == 64 and "--since" in done.stderr
    done = run(profile, "logs", "follow", *sign_in, password=ADMIN[1])
    assert done.returncode == 64
    done = run(profile, "logs", "tail", "--username", CASHIER[0], "--password-stdin", password=CASHIER[1])
    assert done.returncode == 4 and "needs the admin or support role" in done.stderr
