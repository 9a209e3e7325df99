"""/v1/health and /v1/me against the real `shop-api` on SQLite and PostgreSQL, with moto's Cognito."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from moto.utilities.utils import load_resource
from shop_api_testkit import Cognito, ShopApiProcess

import backend

PROBLEM = "application/problem+json"


def me(api: ShopApiProcess, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{api.url}/v1/me", headers=headers, timeout=10)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["type"]
    return body


def test_health_answers(shop_api: ShopApiProcess, database_url: str) -> None:
    response = httpx.get(f"{shop_api.url}/v1/health", timeout=10)
    assert response.status_code == 200
    database = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    assert response.json() == {"status": "ok", "version": backend.__version__, "database": database}
    assert shop_api.ready["database"] == database


def test_srp_sign_in_then_me(shop_api: ShopApiProcess, cognito: Cognito) -> None:
    tokens = cognito.sign_in("cg.cashier")
    response = me(shop_api, bearer(tokens["AccessToken"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == {"sub": cognito.subs["cg.cashier"], "username": "cg.cashier"}
    assert body["shop"] == {"id": "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "name": "Corner Grocer", "currency": "EUR"}
    assert body["role"] == "cashier"
    server_time = datetime.fromisoformat(body["server_time"])
    assert server_time.utcoffset() is not None and server_time.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - server_time).total_seconds()) < 60


def test_most_privileged_group_is_the_role(shop_api: ShopApiProcess, cognito: Cognito) -> None:
    response = me(shop_api, bearer(cognito.sign_in("cg.manager")["AccessToken"]))
    assert response.json()["role"] == "manager"


def test_shop_comes_from_the_staff_table(shop_api: ShopApiProcess, cognito: Cognito) -> None:
    response = me(shop_api, bearer(cognito.sign_in("hh.cashier")["AccessToken"]))
    assert response.json()["shop"]["name"] == "Harbor Hardware"


def test_request_is_logged_with_user_shop_and_request_id(shop_api: ShopApiProcess, cognito: Cognito) -> None:
    request_id = f"test-{time.monotonic_ns()}"
    response = me(shop_api, {**bearer(cognito.sign_in("cg.cashier")["AccessToken"]), "X-Request-ID": request_id})
    assert response.headers["X-Request-ID"] == request_id
    deadline = time.monotonic() + 5  # the access line is written just after the response
    while not (lines := [r for r in shop_api.log_records() if r.get("request_id") == request_id]):
        assert time.monotonic() < deadline, "no access log line"
        time.sleep(0.05)
    assert lines[-1]["user"] == cognito.subs["cg.cashier"]
    assert lines[-1]["shop"] == "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
    assert lines[-1]["status"] == 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_signed_with_the_public_key(claims: dict) -> str:
    """The classic key-confusion forgery: HMAC keyed with the RSA public key anyone can fetch."""
    public = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key.public_key()
    secret = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = ".".join(_b64(json.dumps(part).encode()) for part in ({"alg": "HS256", "kid": "dummy"}, claims))
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _tampered(token: str) -> str:
    """A real token with its claims edited (promoted to admin), the signature left as it was."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["cognito:groups"] = ["admin"]
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _expired(c: Cognito) -> dict[str, str]:
    now = int(time.time())
    return bearer(c.forge(c.claims("cg.cashier", iat=now - 3700, exp=now - 100)))


INVALID_CREDENTIALS: dict[str, Callable[[Cognito], dict[str, str]]] = {
    "no header": lambda c: {},
    "bearer without a token": lambda c: {"Authorization": "Bearer"},
    "basic scheme": lambda c: {"Authorization": "Basic Y2FzaGllcjpwYXNzd29yZA=="},
    "garbage": lambda c: bearer("not-a-token"),
    "garbage with dots": lambda c: bearer("eyJhbGciOiJSUzI1NiJ9.bm9wZQ.c2ln"),
    "expired": _expired,
    "another pool's issuer": lambda c: bearer(c.sign_in("other.pool")["AccessToken"]),
    "ID token": lambda c: bearer(c.sign_in("cg.cashier")["IdToken"]),
    "another app client": lambda c: bearer(c.sign_in("cg.cashier", client_id=c.other_client_id)["AccessToken"]),
    "alg none": lambda c: bearer(jwt.encode(c.claims("cg.cashier"), None, algorithm="none", headers={"kid": "dummy"})),
    "HS256 with the public key": lambda c: bearer(_hs256_signed_with_the_public_key(c.claims("cg.cashier"))),
    "tampered claims": lambda c: bearer(_tampered(c.sign_in("cg.cashier")["AccessToken"])),
    "unknown key id": lambda c: bearer(c.forge(c.claims("cg.cashier"), headers={"kid": "not-in-the-jwks"})),
    "id use with client_id": lambda c: bearer(c.forge(c.claims("cg.cashier", token_use="id"))),
    "no expiry": lambda c: bearer(c.forge({k: v for k, v in c.claims("cg.cashier").items() if k != "exp"})),
    "not yet valid": lambda c: bearer(c.forge(c.claims("cg.cashier", nbf=int(time.time()) + 600))),
}


@pytest.mark.parametrize("case", sorted(INVALID_CREDENTIALS))
def test_invalid_credentials_get_401(shop_api: ShopApiProcess, cognito: Cognito, case: str) -> None:
    response = me(shop_api, INVALID_CREDENTIALS[case](cognito))
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_says_so(shop_api: ShopApiProcess, cognito: Cognito) -> None:
    assert "expired" in me(shop_api, _expired(cognito)).json()["detail"]


def test_expiry_has_30_seconds_leeway(shop_api: ShopApiProcess, cognito: Cognito) -> None:
    """Also proves the forged tokens above fail for the reason they name, not for a bad forgery."""
    now = int(time.time())
    response = me(shop_api, bearer(cognito.forge(cognito.claims("cg.cashier", iat=now - 3610, exp=now - 10))))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("username", ["no.staff", "no.role"])
def test_valid_token_without_staff_row_or_role_gets_403(
    shop_api: ShopApiProcess, cognito: Cognito, username: str
) -> None:
    assert_problem(me(shop_api, bearer(cognito.sign_in(username)["AccessToken"])), 403)
