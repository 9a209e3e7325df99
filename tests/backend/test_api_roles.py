"""Roles: the most privileged Cognito group counts, and `require_roles` guards a route (403 problem otherwise).

Runs the app in-process (uvicorn in a thread) on both databases, with a guarded route added the way issue 3's
routers will declare theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends
from shop_api_testkit import Cognito

from backend.app import create_app
from backend.auth import Principal, Role, require_roles, role_from_groups
from backend.dependencies import DbConnection
from backend.server import running_in_thread
from backend.settings import Settings

Managers = Annotated[Principal, Depends(require_roles(Role.manager))]


@pytest.fixture(scope="module")
def api_url(database_url: str, cognito: Cognito) -> Iterator[str]:
    settings = Settings(
        database_url=database_url, user_pool_id=cognito.pool_id, client_id=cognito.client_id, jwks_url=cognito.jwks_url
    )
    app = create_app(settings)

    @app.get("/test/managers-only")
    def managers_only(principal: Managers, conn: DbConnection) -> dict[str, str]:
        staff = conn.exec_driver_sql("SELECT count(*) FROM staff").scalar()  # RLS-scoped on PostgreSQL
        return {"role": principal.role, "shop": principal.shop_name, "staff_seen": str(staff)}

    with running_in_thread(app) as url:
        yield url


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ([], None),
        (["unrelated"], None),
        (["cashier"], Role.cashier),
        (["cashier", "manager"], Role.manager),
        (["support", "cashier"], Role.support),
        (["manager", "admin", "support"], Role.admin),
    ],
)
def test_role_from_groups(groups: list[str], role: Role | None) -> None:
    assert role_from_groups(groups) == role


def test_required_role_admits(api_url: str, cognito: Cognito, database_url: str) -> None:
    token = cognito.sign_in("cg.manager")["AccessToken"]
    response = httpx.get(f"{api_url}/test/managers-only", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["role"] == "manager" and body["shop"] == "Corner Grocer"
    if database_url.startswith("postgresql"):
        assert body["staff_seen"] == "4"  # Corner Grocer's staff rows only (of 6), with no WHERE in the query


def test_other_roles_get_403(api_url: str, cognito: Cognito) -> None:
    token = cognito.sign_in("cg.cashier")["AccessToken"]
    response = httpx.get(f"{api_url}/test/managers-only", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:shop-api:problem:role-required"
