"""Authorisation: DESIGN.md's roles table as a role by route by method matrix, every cell checked against a real
shop-api on both databases.

Each row is one route and method: who may call it, what an allowed caller gets, and how to build a valid
request (fresh client ids for creates, so every allowed cell is a first create). Every other role gets 403 and
no token gets 401. `test_matrix_covers_every_route` fails when the API serves a route with no row here, so a new
route is covered by adding its row. The sync push runs ops of every kind on one route, so each op type has a
row too (OP_ROWS): the op's result must carry the status its single route would give that role.

The roles: everyone reads the shop's screens; cashiers and managers sell and push their queue; managers alone
keep the catalogue and stock and refund; admins alone reach the operator routes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from shop_api_testkit import Cognito, ShopApiProcess
from shop_data_testkit import Api, new_adjustment, new_id, new_order, new_product, persona_tokens

from backend.auth import Role
from backend.services.operations import OPERATIONS

EVERYONE = frozenset(Role)
SELLERS = frozenset({Role.cashier, Role.manager})
MANAGERS = frozenset({Role.manager})
ADMINS = frozenset({Role.admin})
NOT_A_SESSION = 2**31 - 1  # a valid pid no session has: an admin gets past the role check to a 404
SEEN_BACKEND_START = {"backend_start": "2024-01-01T00:00:00Z"}


@dataclass(frozen=True)
class Context:
    """What rows build their requests from: the database, and a product and an order of Corner Grocer (sold by
    its cashier, who sees only their own orders)."""

    database: str  # "sqlite" | "postgresql"
    api: Api
    product: dict[str, Any]
    order: dict[str, Any]


@dataclass(frozen=True)
class Request:
    path: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    method: str
    route: str  # the path template, as /openapi.json names it
    allowed: frozenset[Role] | None  # None: a public route, no token needed
    ok: int | Callable[[Context], int] = 200  # what an allowed caller gets
    build: Callable[[Context], Request] | None = None  # default: the route itself, no body

    def request(self, ctx: Context) -> Request:
        return self.build(ctx) if self.build else Request(self.route)

    def expected(self, who: Role | None, ctx: Context) -> int:
        if self.allowed is not None and who is None:
            return 401
        if self.allowed is not None and who not in self.allowed:
            return 403
        return self.ok(ctx) if callable(self.ok) else self.ok


def postgresql_only(on_postgresql: int) -> Callable[[Context], int]:
    return lambda ctx: on_postgresql if ctx.database == "postgresql" else 501


def signal(action: str) -> Row:
    path = f"/v1/admin/db/sessions/{NOT_A_SESSION}/{action}"
    route = f"/v1/admin/db/sessions/{{pid}}/{action}"
    return Row("POST", route, ADMINS, postgresql_only(404), lambda _: Request(path, SEEN_BACKEND_START))


def patch_fresh_product(ctx: Context) -> Request:
    """Each cell edits a product of its own at version 1, so an allowed cell never meets a stale version."""
    product = ctx.api.product()
    return Request(f"/v1/products/{product['id']}", {"price": 199}, {"If-Match": str(product["version"])})


def new_shift() -> dict[str, Any]:
    """A shift on a terminal of its own (a terminal has one open shift at a time)."""
    return {"id": new_id(), "terminal_id": f"M-{new_id()[:8]}", "opening_float": 0}


def cashier_shift(ctx: Context) -> str:
    """A fresh open shift of Corner Grocer's cashier: the cashier may write to it (their own), the manager too
    (any), and every role may read it."""
    return ctx.api.ok(ctx.api.post("cg.cashier", "/v1/shifts", json=new_shift()), 201)["id"]


def cash_movement() -> dict[str, Any]:
    return {"id": new_id(), "kind": "paid_in", "amount": 100, "reason": "matrix"}


ROWS: tuple[Row, ...] = (
    Row("GET", "/v1/health", None),
    Row("GET", "/v1/me", EVERYONE),
    # Catalogue
    Row("GET", "/v1/products", EVERYONE),
    Row("POST", "/v1/products", MANAGERS, 201, lambda _: Request("/v1/products", new_product())),
    Row("GET", "/v1/products/{product_id}", EVERYONE, 200, lambda ctx: Request(f"/v1/products/{ctx.product['id']}")),
    Row("PATCH", "/v1/products/{product_id}", MANAGERS, 200, patch_fresh_product),
    # Stock
    Row("GET", "/v1/inventory", EVERYONE),
    Row("GET", "/v1/inventory/movements", EVERYONE),
    Row(
        "POST",
        "/v1/inventory/adjustments",
        MANAGERS,
        201,
        lambda ctx: Request("/v1/inventory/adjustments", new_adjustment(ctx.product["id"], reason="receive", delta=5)),
    ),
    Row(
        "PUT",
        "/v1/inventory/reorder-point",
        MANAGERS,
        200,
        lambda ctx: Request("/v1/inventory/reorder-point", {"product_id": ctx.product["id"], "reorder_point": 3}),
    ),
    # Sales
    Row("GET", "/v1/orders", EVERYONE),
    Row("POST", "/v1/orders", SELLERS, 201, lambda ctx: Request("/v1/orders", new_order([(ctx.product, 1)]))),
    Row("GET", "/v1/orders/{order_id}", EVERYONE, 200, lambda ctx: Request(f"/v1/orders/{ctx.order['id']}")),
    Row(
        "POST",
        "/v1/orders/{order_id}/refunds",
        MANAGERS,
        201,
        lambda ctx: Request(
            f"/v1/orders/{ctx.order['id']}/refunds",
            {"id": new_id(), "lines": [{"product_id": ctx.product["id"], "quantity": 1}], "reason": "matrix"},
        ),
    ),
    # Sync
    Row("POST", "/v1/sync/push", SELLERS, 200, lambda _: Request("/v1/sync/push", {"client_id": new_id(), "ops": []})),
    Row("GET", "/v1/sync/changes", EVERYONE),
    # Shifts and reports
    Row("POST", "/v1/shifts", SELLERS, 201, lambda _: Request("/v1/shifts", new_shift())),
    Row("GET", "/v1/shifts", EVERYONE),
    Row("GET", "/v1/shifts/{shift_id}", EVERYONE, 200, lambda ctx: Request(f"/v1/shifts/{cashier_shift(ctx)}")),
    Row(
        "POST",
        "/v1/shifts/{shift_id}/cash-movements",
        SELLERS,
        201,
        lambda ctx: Request(f"/v1/shifts/{cashier_shift(ctx)}/cash-movements", cash_movement()),
    ),
    Row(
        "POST",
        "/v1/shifts/{shift_id}/close",
        SELLERS,
        200,
        lambda ctx: Request(f"/v1/shifts/{cashier_shift(ctx)}/close", {"counted_cash": 0}),
    ),
    Row("GET", "/v1/reports/sales", frozenset({Role.manager, Role.support, Role.admin})),
    # Operators
    Row("GET", "/v1/admin/db/sessions", ADMINS, postgresql_only(200)),
    signal("cancel"),
    signal("terminate"),
    Row("GET", "/v1/admin/business-metrics", ADMINS),
    Row("GET", "/v1/admin/db/maintenance", ADMINS, postgresql_only(200)),
    Row(
        "POST",
        "/v1/admin/db/maintenance",
        ADMINS,
        postgresql_only(200),
        lambda _: Request("/v1/admin/db/maintenance", {"operation": "analyze"}),
    ),
)


@dataclass(frozen=True)
class OpRow:
    """A sync op type: the push route admits every seller, then each op is checked against its own roles, as its
    single route would be (a cashier's queued product edit is refused in the op's result, not applied)."""

    type: str
    allowed: frozenset[Role]
    ok: int  # the op's http_status for an allowed role
    payload: Callable[[Context], dict[str, Any]]


def refund_payload(ctx: Context) -> dict[str, Any]:
    lines = [{"product_id": ctx.product["id"], "quantity": 1}]
    return {"order_id": ctx.order["id"], "id": new_id(), "lines": lines, "reason": "matrix"}


def update_payload(ctx: Context) -> dict[str, Any]:
    product = ctx.api.product()
    return {"product_id": product["id"], "version": product["version"], "price": 199}


OP_ROWS: tuple[OpRow, ...] = (
    OpRow("order.create", SELLERS, 201, lambda ctx: new_order([(ctx.product, 1)])),
    OpRow("order.refund", MANAGERS, 201, refund_payload),
    OpRow("stock.adjust", MANAGERS, 201, lambda ctx: new_adjustment(ctx.product["id"], reason="receive", delta=1)),
    OpRow("product.create", MANAGERS, 201, lambda _: new_product()),
    OpRow("product.update", MANAGERS, 200, update_payload),
    OpRow("shift.open", SELLERS, 201, lambda _: new_shift()),
    OpRow("shift.cash", SELLERS, 201, lambda ctx: {"shift_id": cashier_shift(ctx), **cash_movement()}),
    OpRow("shift.close", SELLERS, 200, lambda ctx: {"shift_id": cashier_shift(ctx), "counted_cash": 0}),
)
PUSHERS = frozenset({Role.cashier, Role.manager})

WHO: tuple[Role | None, ...] = (*Role, None)


@pytest.fixture(scope="module")
def ctx(shop_api: ShopApiProcess, cognito: Cognito) -> Iterator[Context]:
    api = Api(shop_api.url, persona_tokens(cognito))
    product = api.product()
    order = api.order([(product, 5)], persona="cg.cashier")
    yield Context(database=shop_api.ready["database"], api=api, product=product, order=order)
    api.close()


@pytest.mark.parametrize("who", WHO, ids=lambda who: who.value if who else "no-token")
@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.route}")
def test_cell(row: Row, who: Role | None, ctx: Context) -> None:
    request = row.request(ctx)
    persona = f"cg.{who.value}" if who else None
    response = ctx.api.request(persona, row.method, request.path, json=request.json, headers=request.headers)
    assert response.status_code == row.expected(who, ctx), response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"


def test_matrix_covers_every_route(ctx: Context) -> None:
    paths = ctx.api.get(None, "/openapi.json").json()["paths"]
    served = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    assert served == {(row.method, row.route) for row in ROWS}


@pytest.mark.parametrize("who", WHO, ids=lambda who: who.value if who else "no-token")
@pytest.mark.parametrize("row", OP_ROWS, ids=lambda row: row.type)
def test_sync_op_cell(row: OpRow, who: Role | None, ctx: Context) -> None:
    payload = row.payload(ctx)
    op = {"seq": 1, "id": payload.get("id", new_id()), "type": row.type, "payload": payload}
    persona = f"cg.{who.value}" if who else None
    response = ctx.api.post(persona, "/v1/sync/push", json={"client_id": new_id(), "ops": [op]})
    assert response.status_code == (401 if who is None else 200 if who in PUSHERS else 403), response.text
    if response.status_code == 200:
        [result] = response.json()["results"]
        assert result["http_status"] == (row.ok if who in row.allowed else 403), result


def test_matrix_covers_every_sync_op() -> None:
    assert {row.type for row in OP_ROWS} == set(OPERATIONS)
