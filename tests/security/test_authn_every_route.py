"""Authentication on every route: each operation of shop-api's own /openapi.json (so a new route is covered
without being listed), on SQLite and PostgreSQL, answers 401 problem+json with a Bearer challenge to every
credential that is not a valid access token of this pool and client. tests/backend/test_api_session.py proves the
same cases against /v1/me (and that a good token passes); this runs them against every route and method."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from openapi_routes import Route, served_routes
from shop_api_testkit import Cognito, ShopApiProcess
from test_api_session import INVALID_CREDENTIALS, bearer

PUBLIC_ROUTES = {"GET /v1/health"}


def _future(**claims: int) -> Callable[[Cognito], dict[str, str]]:
    """A well-signed token whose times lie ahead: issued in the future, or not valid before some time to come."""

    def make(c: Cognito) -> dict[str, str]:
        now = int(time.time())
        return bearer(c.forge(c.claims("cg.manager", **{name: now + ahead for name, ahead in claims.items()})))

    return make


CREDENTIALS: dict[str, Callable[[Cognito], dict[str, str]]] = {
    **INVALID_CREDENTIALS,
    "issued an hour ahead": _future(iat=3600, exp=7200),
    "issued and valid from a day ahead": _future(iat=86400, nbf=86400, exp=90000),
    "valid from 10 minutes ahead, issued now": _future(nbf=600, iat=0, exp=3600),
    "wrong issuer, same key": lambda c: bearer(c.forge(c.claims("cg.manager", iss=c.issuer + "-forged"))),
    "another client id, same key": lambda c: bearer(c.forge(c.claims("cg.manager", client_id=c.other_client_id))),
    "expired long ago": lambda c: bearer(c.forge(c.claims("cg.manager", iat=1, exp=2))),
    "no issued-at": lambda c: bearer(c.forge({k: v for k, v in c.claims("cg.manager").items() if k != "iat"})),
    "admin claimed, unsigned": lambda c: bearer(
        ".".join(c.forge(c.claims("cg.manager", **{"cognito:groups": ["admin"]})).split(".")[:2]) + "."
    ),
}


@pytest.fixture(scope="module")
def routes(shop_api: ShopApiProcess) -> list[Route]:
    return served_routes(shop_api.url)


def test_only_health_is_public(routes: list[Route]) -> None:
    assert {str(route) for route in routes if not route.secured} == PUBLIC_ROUTES
    assert len(routes) >= 20


@pytest.mark.parametrize("case", sorted(CREDENTIALS))
def test_every_route_refuses(shop_api: ShopApiProcess, cognito: Cognito, routes: list[Route], case: str) -> None:
    headers = CREDENTIALS[case](cognito)
    wrong = []
    with httpx.Client(base_url=shop_api.url, timeout=10) as http:
        for route in routes:
            if not route.secured:
                continue
            body = {} if route.has_body else None
            response = http.request(route.method, route.path(), headers=headers, json=body)
            challenge = response.headers.get("WWW-Authenticate", "")
            if (
                response.status_code != 401
                or response.headers["content-type"] != "application/problem+json"
                or not challenge.startswith("Bearer")
            ):
                wrong.append(f"{route}: {response.status_code} {response.text[:200]}")
    assert not wrong, "\n".join(wrong)
