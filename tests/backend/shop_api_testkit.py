"""Helpers for shop-api tests, used by the fixtures in conftest.py; tests import its types and constants:
moto's Cognito set up as the product uses it, fresh PostgreSQL databases, and the `shop-api` CLI run for real."""

from __future__ import annotations

import functools
import json
import os
import select
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import jwt
import psycopg
import pytest
from moto.utilities.utils import load_resource
from pycognito.aws_srp import AWSSRP

REGION = "us-east-1"
PASSWORD = "Corr3ct-Horse-Battery!"
POSTGRES_ADMIN_URL = os.environ.get("SHOP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SHOP_API = Path(sys.executable).with_name("shop-api")
READY_TIMEOUT_S = 30

CORNER_GROCER = {"id": "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "name": "Corner Grocer", "currency": "EUR"}
HARBOR_HARDWARE = {"id": "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d", "name": "Harbor Hardware", "currency": "USD"}
SHOPS = [CORNER_GROCER, HARBOR_HARDWARE]


@dataclass(frozen=True)
class StaffUser:
    username: str
    groups: tuple[str, ...]
    shop: dict[str, str] | None  # None: no staff row
    other_pool: bool = False


USERS = {
    user.username: user
    for user in (
        StaffUser("cg.cashier", ("cashier",), CORNER_GROCER),
        StaffUser("cg.manager", ("cashier", "manager"), CORNER_GROCER),
        StaffUser("hh.cashier", ("cashier",), HARBOR_HARDWARE),
        StaffUser("no.staff", ("cashier",), None),
        StaffUser("no.role", (), CORNER_GROCER),
        # Same groups and a staff row, but in another pool: only the issuer check can refuse its tokens.
        StaffUser("other.pool", ("cashier",), CORNER_GROCER, other_pool=True),
    )
}


@dataclass
class Cognito:
    endpoint: str
    client: Any  # boto3 cognito-idp client pointed at moto
    pool_id: str
    client_id: str
    other_client_id: str  # a second app client of the same pool
    other_pool_id: str
    other_pool_client_id: str
    subs: dict[str, str] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint}/{self.pool_id}/.well-known/jwks.json"

    def api_args(self) -> list[str]:
        """shop-api options that point it at this pool (issuer derived from region + pool, as in production)."""
        return ["--region", REGION, "--user-pool-id", self.pool_id, "--client-id", self.client_id]

    def sign_in(self, username: str, client_id: str | None = None) -> dict[str, str]:
        """SRP sign-in as the console does it; returns the AuthenticationResult (AccessToken, IdToken, …)."""
        user = USERS[username]
        pool_id = self.other_pool_id if user.other_pool else self.pool_id
        client_id = client_id or (self.other_pool_client_id if user.other_pool else self.client_id)
        srp = AWSSRP(username=username, password=PASSWORD, pool_id=pool_id, client_id=client_id, client=self.client)
        return srp.authenticate_user()["AuthenticationResult"]

    def claims(self, username: str, **overrides: Any) -> dict[str, Any]:
        """Access-token claims as this pool issues them for `username`."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.subs[username],
            "client_id": self.client_id,
            "token_use": "access",
            "iat": now,
            "auth_time": now,
            "exp": now + 3600,
            "jti": str(uuid.uuid4()),
            "username": username,
            "scope": "aws.cognito.signin.user.admin",
            "cognito:groups": list(USERS[username].groups),
        }
        return {**claims, **overrides}

    def forge(self, claims: dict[str, Any], algorithm: str = "RS256", headers: dict[str, Any] | None = None) -> str:
        """A token signed with moto's private key: exactly what moto's JWKS vouches for."""
        return jwt.encode(claims, moto_private_key(), algorithm=algorithm, headers={"kid": "dummy", **(headers or {})})


@functools.cache
def moto_private_key() -> Any:
    """moto's Cognito signing key (loading it takes a third of a second: once is enough)."""
    return jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key


def create_pool(client: Any, name: str) -> tuple[str, str]:
    pool_id = client.create_user_pool(PoolName=name)["UserPool"]["Id"]
    client_id = client.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="shop-console",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    for group in ("cashier", "manager", "support", "admin"):
        client.create_group(UserPoolId=pool_id, GroupName=group)
    return pool_id, client_id


def create_cognito(endpoint: str) -> Cognito:
    """Set up moto (at `endpoint`) as the product's Cognito: pool, groups, public SRP client, the USERS."""
    client = boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pool_id, client_id = create_pool(client, "shop-console-test")
    other_client_id = client.create_user_pool_client(
        UserPoolId=pool_id, ClientName="another-app", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]
    )["UserPoolClient"]["ClientId"]
    other_pool_id, other_pool_client_id = create_pool(client, "another-pool")
    found = Cognito(endpoint, client, pool_id, client_id, other_client_id, other_pool_id, other_pool_client_id)
    for user in USERS.values():
        user_pool = other_pool_id if user.other_pool else pool_id
        created = client.admin_create_user(UserPoolId=user_pool, Username=user.username, MessageAction="SUPPRESS")
        found.subs[user.username] = next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
        client.admin_set_user_password(UserPoolId=user_pool, Username=user.username, Password=PASSWORD, Permanent=True)
        for group in user.groups:
            client.admin_add_user_to_group(UserPoolId=user_pool, Username=user.username, GroupName=group)
    return found


def staff_rows(cognito: Cognito) -> list[dict[str, str]]:
    return [
        {"sub": cognito.subs[u.username], "shop_id": u.shop["id"], "username": u.username, "display_name": u.username}
        for u in USERS.values()
        if u.shop is not None
    ]


def require_postgres() -> None:
    """Skip (with the reason) when PostgreSQL is not reachable; in CI (CI=true) fail instead."""
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}".strip()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs PostgreSQL. " + message)
        pytest.skip(message)


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (created and dropped as `postgres`); yields its URL."""
    require_postgres()
    name = f"shop_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class ShopApiProcess:
    process: subprocess.Popen[str]
    ready: dict[str, str]
    log_file: Path

    @property
    def url(self) -> str:
        return self.ready["url"]

    def log_records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_file.read_text().splitlines()]

    def stop(self, timeout: float = 15) -> int:
        """Close its stdin (it exits on EOF) and wait; kill it if it hangs. Returns the exit code."""
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@contextmanager
def start_shop_api(args: Sequence[str], log_file: Path, env: dict[str, str] | None = None) -> Iterator[ShopApiProcess]:
    """Run the `shop-api` console script with `args` (plus --port 0 --exit-on-stdin-eof --log-file unless env
    sets them); yields once its ready line arrived, stops it on exit."""
    given = env or {}
    defaults = []
    if "SHOP_API_PORT" not in given:
        defaults += ["--port", "0"]
    if "SHOP_API_EXIT_ON_STDIN_EOF" not in given:
        defaults += ["--exit-on-stdin-eof"]
    if "SHOP_API_LOG_FILE" not in given:
        defaults += ["--log-file", str(log_file)]
    process = subprocess.Popen(
        [str(SHOP_API), "serve", *defaults, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("SHOP_API_")}, **given},
    )
    readable, _, _ = select.select([process.stdout], [], [], READY_TIMEOUT_S)
    line = process.stdout.readline() if readable and process.stdout else ""
    if not line:
        process.kill()
        _, stderr = process.communicate(timeout=10)
        logs = log_file.read_text() if log_file.exists() else ""
        raise AssertionError(f"shop-api did not get ready (exit {process.returncode}):\n{stderr}\n{logs}")
    api = ShopApiProcess(process, json.loads(line), log_file)
    try:
        yield api
    finally:
        api.stop()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
