"""Headless sub-commands as a script runs them: a real process on the suite's stack, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest

from console.demo import StackInfo
from tests.console.cli_support import ADMIN, CASHIER, saved_profile
from tests.console.conftest import run_cli as run


@pytest.fixture
def profile(stack: StackInfo) -> str:
    return saved_profile(stack, "cli")


def test_backups_json_for_an_admin(profile: str) -> None:
    done = run(profile, "backups", "--json", "--username", ADMIN[0], "--password-stdin", password=ADMIN[1])
    report = json.loads(done.stdout)
    assert done.returncode == report["exit_code"] and done.returncode in (0, 1, 2)
    assert {c["name"] for c in report["checks"]} >= {"dr.database.rpo", "backup.exists"}
    for check in report["checks"]:
        assert set(check) >= {"name", "verdict", "actual", "target", "source", "hint"}


def test_backups_refuses_a_cashier_with_exit_4(profile: str) -> None:
    done = run(profile, "backups", "--username", CASHIER[0], "--password-stdin", password=CASHIER[1])
    assert done.returncode == 4 and done.stdout == ""
    assert done.stderr.strip() == "shop-console backups: needs the admin or support role (yours: cashier)"


@pytest.mark.parametrize(
    ("args", "password", "says"),
    [
        (["--username", ADMIN[0], "--password-stdin"], "wrong-password", "Wrong username or password."),
        (["--username", ADMIN[0], "--password-stdin"], "", "no password"),
        ([], None, "not signed in"),
    ],
    ids=["wrong-password", "no-password", "no-user"],
)
def test_sign_in_failures_are_one_line_and_exit_3(
    profile: str, args: list[str], password: str | None, says: str
) -> None:
    done = run(profile, "backups", *args, password=password)
    assert done.returncode == 3
    assert len(done.stderr.strip().splitlines()) == 1 and says in done.stderr


def test_runbooks_list_and_a_read_only_run(profile: str) -> None:
    listed = run(profile, "runbooks", "list", "--username", ADMIN[0], "--password-stdin", password=ADMIN[1])
    assert listed.returncode == 0 and "high-cpu" in listed.stdout
    sign_in = ["--username", ADMIN[0], "--password-stdin"]
    ran = run(profile, "runbooks", "run", "high-cpu", "--json", *sign_in, password=ADMIN[1])
    assert ran.returncode == 1, ran.stderr  # the seeded incident fails its checks; nothing runs read-only
    assert "desired 2 → 4" in ran.stdout


def test_usage_and_config_errors_have_their_own_exit_codes(profile: str) -> None:
    assert run(profile, "backups", "--bogus").returncode == 64
    assert run("no-such-profile", "backups").returncode == 78
