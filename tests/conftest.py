"""Suite-wide fixtures: every test gets its own config, data and state dirs, and no SHOP_CONSOLE_* leaks in; the
local stack (moto + shop-api on free loopback ports) runs once per test process, as moto's state is per process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from backend.devstack import DevStack, StackInfo
from backend.devstack.aws import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    dirs = {}
    for kind in ("CONFIG", "DATA", "STATE", "CACHE"):
        dirs[kind.lower()] = tmp_path / "xdg" / kind.lower()
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(dirs[kind.lower()]))
    for key in [k for k in os.environ if k.startswith("SHOP_CONSOLE_")]:
        monkeypatch.delenv(key)
    return dirs


@pytest.fixture(scope="session")
def devstack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """The running stack; reuses one that another fixture of this process started already."""
    running = DevStack.active()
    if running is not None and running.info is not None:
        yield running
        return
    stack = DevStack(tmp_path_factory.mktemp("devstack"))
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def stack(devstack: DevStack) -> StackInfo:
    assert devstack.info is not None
    return devstack.info


@pytest.fixture(scope="session")
def aws_client(stack: StackInfo) -> Callable[..., Any]:
    """`aws_client("rds")`: a boto3 client for the stack's moto, as a console profile would make it."""

    def make(service: str, region: str | None = None) -> Any:
        return boto3.client(
            service,
            region_name=region or stack.region,
            endpoint_url=stack.aws_endpoint_url,
            aws_access_key_id=DUMMY_ACCESS_KEY_ID,
            aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        )

    return make


@pytest.fixture(scope="session")
def cognito(aws_client: Callable[..., Any]) -> Any:
    return aws_client("cognito-idp")


@pytest.fixture
def new_hire(stack: StackInfo, cognito: Any) -> Any:
    """The demo's new hire, put back as seeded (must set a new password): tests sharing the stack use it up."""
    hire = next(user for user in stack.users if user.challenge == "new_password")
    cognito.admin_set_user_password(
        UserPoolId=stack.user_pool_id, Username=hire.username, Password=hire.password, Permanent=False
    )
    return hire
