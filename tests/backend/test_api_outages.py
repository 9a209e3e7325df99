"""When what the API depends on is gone: 503 problems, not 500s or hangs (the console retries 5xx later)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from shop_api_testkit import POSTGRES_ADMIN_URL, Cognito, new_postgres_database

from backend.app import create_app
from backend.server import running_in_thread
from backend.settings import Settings


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A loopback URL whose port is bound but not listening: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/keys.json"


def test_unreachable_signing_keys_are_a_503(tmp_path: Path, cognito: Cognito, refused_url: str) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'shop-api.db'}",
        user_pool_id=cognito.pool_id,
        client_id=cognito.client_id,
        jwks_url=refused_url,
    )
    with running_in_thread(create_app(settings)) as url:
        token = cognito.forge(cognito.claims("cg.cashier"))
        response = httpx.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["Retry-After"]


@pytest.mark.postgres
def test_health_is_503_when_the_database_is_gone() -> None:
    with new_postgres_database() as database_url:
        settings = Settings(database_url=database_url, user_pool_id="us-east-1_unused", client_id="x")
        with running_in_thread(create_app(settings)) as url:
            assert httpx.get(f"{url}/v1/health", timeout=10).status_code == 200
            name = database_url.rsplit("/", 1)[1]
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            response = httpx.get(f"{url}/v1/health", timeout=30)
    assert response.status_code == 503
    assert response.json()["type"] == "urn:shop-api:problem:database-unavailable"
