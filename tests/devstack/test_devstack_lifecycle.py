"""The stack object itself: one per process, idempotent stop, and the line it prints."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from backend.devstack import DevStack, StackInfo


def test_a_second_stack_in_the_same_process_is_refused_and_the_first_runs_on(
    devstack: DevStack, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError, match="already ran in this process"):
        DevStack(tmp_path).start()
    assert DevStack.active() is devstack
    assert devstack.info is not None
    assert httpx.get(f"{devstack.info.api_url}/v1/health", timeout=10).status_code == 200


def test_stopping_a_stack_that_never_started_does_nothing(stack: StackInfo, tmp_path: Path) -> None:
    DevStack(tmp_path).stop()
    assert DevStack.active() is not None


def test_the_json_line_has_what_the_console_reads(stack: StackInfo) -> None:
    line = stack.to_json()
    assert "\n" not in line
    body = json.loads(line)
    assert body["region"] == "us-east-1"
    assert body["jwks_url"] == f"{body['aws_endpoint_url']}/{body['user_pool_id']}/.well-known/jwks.json"
    users = {u["username"]: u for u in body["users"]}
    assert users["corner-new-hire"]["challenge"] == "new_password"
    assert users["harbor-mfa-manager"]["challenge"] == "totp" and users["harbor-mfa-manager"]["totp_secret"]
    assert {u["role"] for u in users.values()} == {"cashier", "manager", "support", "admin"}
    assert {u["shop"] for u in users.values()} == {"Corner Grocer", "Harbor Hardware"}
    # The console shows the pool's rules when a new password is chosen; they must be the pool's own.
    assert body["password_policy"] == (
        "At least 12 characters, with upper case letters, lower case letters, a number and a symbol."
    )
