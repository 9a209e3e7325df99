"""Fixtures for the console's screens: a running local stack, profiles pointing at it, and pilot helpers."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from backend.devstack import StackInfo as BackendStackInfo
from console import logs
from console.config import Environment, Profile
from console.demo import DemoUser, StackInfo, profile_for_stack
from screens.home import HomeScreen

# Port 1 on loopback has no listener: a deterministic "connection refused" for the API and for Cognito.
UNREACHABLE = "http://127.0.0.1:1"
FROZEN_NOW = dt.datetime(2026, 3, 14, 9, 26, tzinfo=dt.UTC)


def frozen_clock() -> dt.datetime:
    """The status bar's clock in tests: snapshots must not change with the time of day."""
    return FROZEN_NOW


@pytest.fixture(autouse=True)
def no_os_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the machine's keyring: the fail backend means memory-only tokens."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture(scope="session")
def stack(stack: BackendStackInfo) -> StackInfo:
    """The suite's stack as the console sees it: its JSON line read into the console's own model."""
    return StackInfo.model_validate_json(stack.to_json())


def stack_profile(
    stack: StackInfo, environment: Environment = "demo", user_pool_id: str | None = None, client_id: str | None = None
) -> Profile:
    """The demo profile, on another pool of the stack if given; it keeps the console's default password rules,
    which the snapshots show."""
    return profile_for_stack(stack, "demo", environment=environment).model_copy(
        update={
            "user_pool_id": user_pool_id or stack.user_pool_id,
            "client_id": client_id or stack.client_id,
            "password_policy": None,
        }
    )


def offline_profile(environment: str = "demo") -> Profile:
    """Nothing answers: neither the API nor Cognito."""
    return Profile(
        name="demo",
        environment=environment,
        api_url=UNREACHABLE,
        region="us-east-1",
        user_pool_id="us-east-1_demo",
        client_id="console",
        aws_endpoint_url=UNREACHABLE,
    )


def user(stack: StackInfo, username: str) -> DemoUser:
    return next(u for u in stack.users if u.username == username)


async def settle(pilot: Pilot) -> None:
    """Let every worker finish and the screen redraw, with still cursors (a blinking one breaks snapshots)."""
    await until(pilot, lambda: pilot.app.api_status.reachable is not None)  # the first health check answered
    busy = [worker for worker in pilot.app.workers if worker.group != "sync"]  # the sync worker runs until sign-out
    if busy:  # (an empty list would mean every worker)
        await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await until(pilot, lambda: all(measured(table) for table in pilot.app.screen.query(DataTable)))
    await pilot.pause()


def measured(table: DataTable[Any]) -> bool:
    """A table has sized its columns to the rows last added: it does so when its queue is next idle, which a
    loaded machine may not reach within one pause (a snapshot then has narrow columns)."""
    return not table._require_update_dimensions and not table._updated_cells


async def until(pilot: Pilot, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait for something the app does through several message queues (no fixed sleeps)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "the app did not get there in time"


async def sign_in(pilot: Pilot, username: str, password: str, typed: bool = False) -> None:
    """Sign in from the login form with Enter: typed key by key as a person would, or (faster) filled in."""
    await settle(pilot)
    await pilot.press("escape")
    if typed:
        await pilot.press(*username, "enter", *password)
    else:
        pilot.app.screen.query_one("#username", Input).value = username
        pilot.app.screen.query_one("#password", Input).value = password
        pilot.app.screen.query_one("#password", Input).focus()
    login = pilot.app.screen
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.screen is not login or message(pilot.app) not in ("", "Signing in…"))
    await settle(pilot)


async def home(pilot: Pilot) -> None:
    """On home: a cashier's sign-in may ask for the till's float first (Esc: later)."""
    for _ in range(3):
        if isinstance(pilot.app.screen, HomeScreen):
            return
        await pilot.press("escape")
        await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen), pilot.app.screen


async def past_float_prompt(pilot: Pilot) -> None:
    """Wherever a sign-in led: a cashier's till-float prompt put off (Esc), anything else left as it is."""
    from screens.shift_dialogs import CountDialog

    if isinstance(pilot.app.screen, CountDialog):
        await pilot.press("escape")
        await settle(pilot)


def message(app: App[None]) -> str:
    """The line under a sign-in form: progress, or why it was refused."""
    return str(app.screen.query_one("#message", Static).render())


@pytest.fixture
def log_path() -> Iterator[Path]:
    """The console's JSON-lines log in this test's state dir (closed afterwards: tests share no handlers)."""
    path = logs.setup("demo", "T1")
    yield path
    for handler in logging.getLogger().handlers[:]:
        handler.close()
        logging.getLogger().removeHandler(handler)


def _cognito(stack: StackInfo) -> Any:
    import boto3

    return boto3.client(
        "cognito-idp",
        region_name=stack.region,
        endpoint_url=stack.aws_endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="session")
def new_starter(stack: StackInfo) -> tuple[str, str]:
    """A user of the demo pool who must still choose a password (the demo's own new hire is used up by a test)."""
    username, password = "new-starter", "Temporary-Pass-1!"
    _cognito(stack).admin_create_user(
        UserPoolId=stack.user_pool_id, Username=username, TemporaryPassword=password, MessageAction="SUPPRESS"
    )
    return username, password


@pytest.fixture(scope="session")
def authenticator_pool(stack: StackInfo) -> tuple[str, str]:
    """A second pool of the stack where an authenticator is required: (pool id, client id)."""
    cognito = _cognito(stack)
    pool_id = cognito.create_user_pool(PoolName="authenticator-required", MfaConfiguration="ON")["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="shop-console",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


@pytest.fixture
def mfa_required_pool(stack: StackInfo, authenticator_pool: tuple[str, str]) -> tuple[Profile, str, str]:
    """A profile on that pool and a user without an authenticator yet (made anew for each test): its sign-in asks
    for the set-up."""
    cognito = _cognito(stack)
    pool_id, client_id = authenticator_pool
    username, password = "new-device", "Device-Setup-1!"
    with contextlib.suppress(cognito.exceptions.UserNotFoundException):
        cognito.admin_delete_user(UserPoolId=pool_id, Username=username)
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    return stack_profile(stack, user_pool_id=pool_id, client_id=client_id), username, password


def run_cli(profile: str, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """`shop-console --profile P ARGS` as a script runs it: a real process, the password (if any) on stdin."""
    command = [sys.executable, "-m", "console.cli", "--profile", profile, *args]
    return subprocess.run(command, input=password and password + "\n", capture_output=True, text=True, timeout=120)


async def fresh_totp(secret: str) -> str:
    """An authenticator code that stays valid while it is typed and sent: moto accepts the current 30 s step only,
    so near the end of a step wait for the next one (a loaded machine takes seconds to type and send it)."""
    import asyncio
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < 8:
        await asyncio.sleep(left + 0.5)
    return totp.now()
