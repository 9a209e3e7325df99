"""Helpers of the runbook and dashboard tests: signing in to the local stack as a demo user (the console's own
headless sign-in), a profile for the whole stack, a clock running from the stack's seeded "now", boto3 clients
for asserting on moto, and the PostgreSQL helpers of the shop-api tests."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

from console.config import Profile
from console.demo import DemoStack, StackInfo, profile_for_stack
from console.headless import sign_in
from console.session import SessionService, SignedIn
from offline_cache.clock import Clock


def stack_profile_for(info: StackInfo, name: str = "runbooks") -> Profile:
    """The demo's profile for the whole stack, its refresh token kept in a file, never in the machine's keyring."""
    return profile_for_stack(info, name).model_copy(update={"token_store": "file"})


def signed_in(profile: Profile, info: StackInfo, username: str) -> tuple[SessionService, SignedIn]:
    """Sign in as a demo user the way `shop-console` headless commands do; `session.api` carries the token."""
    user = next(u for u in info.users if u.username == username)
    environ = {"SHOP_CONSOLE_USERNAME": user.username, "SHOP_CONSOLE_PASSWORD": user.password}
    return sign_in(profile, None, False, io.StringIO(), environ)


def signed_in_apart(
    profile: Profile, info: StackInfo, username: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SessionService, SignedIn]:
    """`signed_in` with config, data, state and cache dirs of its own: for a module-scoped fixture, which no test's
    own dirs cover."""
    with pytest.MonkeyPatch.context() as env:
        for kind in ("CONFIG", "DATA", "STATE", "CACHE"):
            env.setenv(f"XDG_{kind}_HOME", str(tmp_path_factory.mktemp(kind.lower())))
        return signed_in(profile, info, username)


def aws(profile: Profile, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=profile.aws_endpoint_url,
        region_name=profile.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def seeded_clock(profile: Profile) -> Clock:
    """Time running from just after the stack's last seeded datapoint (its start): the seeded incident stays in
    the checks' windows however long the test session has been running."""
    cpu = aws(profile, "cloudwatch").get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        StartTime=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        EndTime=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
        Period=300,
        Statistics=["Average"],
    )["Datapoints"]
    last = max(point["Timestamp"] for point in cpu)
    began = time.monotonic()
    return lambda: last + dt.timedelta(seconds=30 + time.monotonic() - began)


def backend_testkit() -> ModuleType:
    """tests/backend/shop_api_testkit (fresh PostgreSQL databases, skip-or-fail when PostgreSQL is absent),
    loaded by path: pytest puts tests/backend on sys.path only when that folder's tests are collected too."""
    name = "shop_api_testkit"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "backend" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@contextmanager
def postgres_stack(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[StackInfo, str]]:
    """A stack of its own whose shop-api runs on a new PostgreSQL database: its info and the database URL."""
    with backend_testkit().new_postgres_database() as url:
        base = tmp_path_factory.mktemp(name)
        demo = DemoStack(name)
        demo.data_dir, demo.log_path = base / "stack", base / "stack.log"
        try:
            yield demo.start(database_url=url), url
        finally:
            demo.stop()
