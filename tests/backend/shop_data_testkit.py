"""Helpers for the catalogue, stock, orders and sync tests: callers of every role in both shops, shop-api served
in-process, and builders of valid request bodies with fresh ids (tests share a module's database).

Tokens are signed with moto's own key (what its JWKS vouches for), for users of the test pool with the groups a
role needs: faster than SRP sign-in, and the only way to the roles the pool has no user for. `cg.cashier2` is a
second cashier of Corner Grocer, with a staff row added by `EXTRA_STAFF`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from shop_api_testkit import CORNER_GROCER, HARBOR_HARDWARE, Cognito

from backend.app import create_app
from backend.server import running_in_thread
from backend.settings import Settings
from common.barcodes import ean13_from_body

SECOND_CASHIER_SUB = "7d1e5c2a-9b4f-4e3d-8a6c-2f0b1d9e8c7a"
EXTRA_STAFF = [
    {"sub": SECOND_CASHIER_SUB, "shop_id": CORNER_GROCER["id"], "username": "cg.cashier2", "display_name": "Second"}
]
SHOP_OF = {"cg": CORNER_GROCER, "hh": HARBOR_HARDWARE}
PROBLEM = "application/problem+json"


def persona_tokens(cognito: Cognito) -> dict[str, str]:
    """Access tokens by persona: `<shop>.<role>` for each role in Corner Grocer (cg), cashier and manager in
    Harbor Hardware (hh), and a second Corner Grocer cashier."""

    def token(user: str, *groups: str, **overrides: Any) -> str:
        return cognito.forge({**cognito.claims(user), "cognito:groups": list(groups), **overrides})

    return {
        "cg.cashier": token("cg.cashier", "cashier"),
        "cg.cashier2": token("cg.cashier", "cashier", sub=SECOND_CASHIER_SUB, username="cg.cashier2"),
        "cg.manager": token("cg.manager", "cashier", "manager"),
        "cg.support": token("cg.cashier", "support"),
        "cg.admin": token("cg.cashier", "admin"),
        "hh.cashier": token("hh.cashier", "cashier"),
        "hh.manager": token("hh.cashier", "manager"),
    }


class Api:
    """An HTTP client for one shop-api that calls as any persona: `api.post("cg.manager", "/v1/products", json=…)`."""

    def __init__(self, url: str, tokens: dict[str, str]):
        self.url = url
        self.tokens = tokens
        self.http = httpx.Client(base_url=url, timeout=60)

    def request(self, persona: str | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if persona is not None:
            headers["Authorization"] = f"Bearer {self.tokens[persona]}"
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, persona: str | None, path: str, **kwargs: Any) -> httpx.Response:
        return self.request(persona, "GET", path, **kwargs)

    def post(self, persona: str | None, path: str, **kwargs: Any) -> httpx.Response:
        return self.request(persona, "POST", path, **kwargs)

    def patch(self, persona: str | None, path: str, **kwargs: Any) -> httpx.Response:
        return self.request(persona, "PATCH", path, **kwargs)

    def put(self, persona: str | None, path: str, **kwargs: Any) -> httpx.Response:
        return self.request(persona, "PUT", path, **kwargs)

    def ok(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, f"{response.status_code}: {response.text}"
        return response.json()

    # Shortcuts for setting up a test's data; each asserts success.
    def product(self, persona: str = "cg.manager", **overrides: Any) -> dict[str, Any]:
        return self.ok(self.post(persona, "/v1/products", json=new_product(**overrides)), 201)

    def receive(self, product_id: str, quantity: int, persona: str = "cg.manager") -> dict[str, Any]:
        body = new_adjustment(product_id, reason="receive", delta=quantity)
        return self.ok(self.post(persona, "/v1/inventory/adjustments", json=body), 201)

    def order(self, lines: Sequence[tuple[dict[str, Any], int]], persona: str = "cg.cashier", **overrides: Any) -> Any:
        return self.ok(self.post(persona, "/v1/orders", json=new_order(lines, **overrides)), 201)

    def on_hand(self, product_id: str, persona: str = "cg.manager", location: str = "store") -> int | None:
        items = self.ok(self.get(persona, "/v1/inventory", params={"product_id": product_id}))["items"]
        return next((item["on_hand"] for item in items if item["location"] == location), None)

    def close(self) -> None:
        self.http.close()


@contextmanager
def inprocess_api(database_url: str, cognito: Cognito) -> Iterator[str]:
    """shop-api (the app, not the CLI) in a thread on a free port, trusting the test pool."""
    settings = Settings(
        database_url=database_url, user_pool_id=cognito.pool_id, client_id=cognito.client_id, jwks_url=cognito.jwks_url
    )
    with running_in_thread(create_app(settings)) as url:
        yield url


def new_id() -> str:
    return str(uuid.uuid4())


def new_barcode() -> str:
    return ean13_from_body(f"{random.randrange(10**12):012d}")


def new_product(**overrides: Any) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:10]
    return {
        "id": new_id(),
        "sku": f"T-{tag}",
        "barcode": new_barcode(),
        "name": f"Test product {tag}",
        "category": "Test",
        "price": 250,
        "tax_rate_bp": 2000,
        "active": True,
        **overrides,
    }


def new_adjustment(product_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": new_id(), "product_id": product_id, **fields}


def new_order(
    lines: Sequence[tuple[dict[str, Any], int]], *, tenders: list[dict[str, Any]] | None = None, **overrides: Any
) -> dict[str, Any]:
    """An order of `quantity` of each product at its catalogue price, paid in cash well over any total."""
    return {
        "id": new_id(),
        "terminal_id": "T1",
        "receipt_no": f"T1-{uuid.uuid4().hex[:12]}",
        "created_at": datetime.now(UTC).isoformat(),
        "lines": [{"product_id": p["id"], "quantity": q, "unit_price": p["price"], "discount": 0} for p, q in lines],
        "tenders": tenders if tenders is not None else [{"method": "cash", "amount": 10**9}],
        **overrides,
    }


def assert_problem(response: httpx.Response, status: int, type_: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    if type_ is not None:
        assert body["type"] == f"urn:shop-api:problem:{type_}", body
    return body
