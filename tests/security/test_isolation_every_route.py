"""Tenant isolation driven by shop-api's own /openapi.json, on SQLite and PostgreSQL: with Harbor Hardware's
tokens (cashier and manager), every route with a path id answers 404 on Corner Grocer's ids (403 where the role is
missing: the role check comes first and tells nothing either), every list route, with every filter it documents
set to Corner Grocer's ids, shows none of its rows, and sync ops naming its ids are refused with 404. A new route
fails here until its ids or body are described below. On PostgreSQL the app role, unscoped or scoped to a forged
or another shop, sees no row of Corner Grocer in any tenant table.

tests/backend/test_tenant_isolation.py keeps its hand-written cases; test_role_matrix.py gives the roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from openapi_routes import Route, served_routes
from shop_api_testkit import CORNER_GROCER, HARBOR_HARDWARE
from shop_data_testkit import Api, new_id
from test_role_matrix import ROWS

from backend.auth import Role
from backend.db import create_engine, set_tenant
from backend.db.engine import app_role_url
from backend.db.tables import TENANT_COLUMNS

SHOP_B = {"hh.cashier": Role.cashier, "hh.manager": Role.manager}
ALLOWED = {f"{row.method} {row.route}": row.allowed for row in ROWS}
# Operator routes name no shop's data (database sessions, cross-shop figures): they are the admin role's alone,
# which test_role_matrix.py checks; Harbor Hardware has no admin.
NOT_TENANT_DATA = ("/v1/admin/",)
SECRET_NAME, SECRET_SKU, SECRET_TERMINAL = "Corner Vault Blend", "CG-VAULT", "CG-VAULT-T"


@pytest.fixture(scope="module")
def corner(shop_data_api: Api) -> dict[str, Any]:
    """Corner Grocer's data: a product with stock, an order of it, a refund, and a shift if the API has shifts."""
    api = shop_data_api
    product = api.product(name=SECRET_NAME, sku=SECRET_SKU)
    api.receive(product["id"], 10)
    order = api.order([(product, 2)], terminal_id=SECRET_TERMINAL, persona="cg.manager")
    refund = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 1}], "reason": "r"}
    api.ok(api.post("cg.manager", f"/v1/orders/{order['id']}/refunds", json=refund), 201)
    ids = {"product_id": product["id"], "order_id": order["id"], "refund_id": refund["id"]}
    if any(route.template == "/v1/shifts" for route in served_routes(api.url)):
        shift = {"id": new_id(), "terminal_id": SECRET_TERMINAL, "opening_float": 1000}
        ids["shift_id"] = api.ok(api.post("cg.cashier", "/v1/shifts", json=shift), 201)["id"]
    return {"product": product, "order": order, "ids": ids}


# A valid body for each id-bearing write, so that only tenancy can refuse it.
BODIES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "PATCH /v1/products/{product_id}": lambda c: {"price": 1},
    "POST /v1/orders/{order_id}/refunds": lambda c: {
        "id": new_id(),
        "lines": [{"product_id": c["product"]["id"], "quantity": 1}],
        "reason": "probe",
    },
    "POST /v1/shifts/{shift_id}/cash-movements": lambda c: {
        "id": new_id(),
        "kind": "paid_in",
        "amount": 1,
        "reason": "x",
    },
    "POST /v1/shifts/{shift_id}/close": lambda c: {"counted_cash": 0},
}
HEADERS = {"PATCH /v1/products/{product_id}": {"If-Match": "1"}}


def assert_no_trace(response: httpx.Response, corner: dict[str, Any], where: str) -> None:
    text = response.text
    leaked = [s for s in (SECRET_NAME, SECRET_SKU, SECRET_TERMINAL, corner["product"]["barcode"]) if s in text]
    leaked += [name for name, value in corner["ids"].items() if value in text]
    assert not leaked, f"{where} shows Corner Grocer's {leaked}: {text[:300]}"


def expected_statuses(route: Route, persona: str, allowed_answer: int) -> set[int]:
    """What Harbor Hardware's persona may get: 403 without the route's role (test_role_matrix.py's ROWS), else
    `allowed_answer`; either for a route the matrix does not know yet (its own test fails for that)."""
    if str(route) not in ALLOWED:
        return {allowed_answer, 403}
    allowed = ALLOWED[str(route)]
    return {allowed_answer if allowed is None or SHOP_B[persona] in allowed else 403}


def tenant_routes(api: Api) -> list[Route]:
    return [
        route for route in served_routes(api.url) if route.secured and not route.template.startswith(NOT_TENANT_DATA)
    ]


@pytest.mark.parametrize("persona", sorted(SHOP_B))
def test_id_routes_answer_404_to_another_shop(shop_data_api: Api, corner: dict[str, Any], persona: str) -> None:
    api, probed = shop_data_api, 0
    for route in tenant_routes(api):
        if not route.parameters:
            continue
        unknown = set(route.parameters) - set(corner["ids"])
        assert not unknown, f"{route}: say which of Corner Grocer's ids {unknown} names"
        assert not route.has_body or str(route) in BODIES, f"{route}: add a valid body to BODIES"
        body = BODIES[str(route)](corner) if route.has_body else None
        response = api.request(
            persona, route.method, route.path(corner["ids"]), json=body, headers=HEADERS.get(str(route), {})
        )
        assert response.status_code in expected_statuses(route, persona, 404), f"{route}: {response.text[:300]}"
        assert response.headers["content-type"] == "application/problem+json"
        assert_no_trace(response, corner, str(route))
        probed += 1
    assert probed >= 4


def _filters(route: Route, api: Api, corner: dict[str, Any]) -> list[dict[str, Any]]:
    """No filter, then each documented query parameter set to what would single out Corner Grocer's rows."""
    document = api.get(None, "/openapi.json").json()
    parameters = document["paths"][route.template][route.method.lower()].get("parameters", [])
    values = {
        **corner["ids"],
        "source_id": corner["order"]["id"],
        "terminal_id": SECRET_TERMINAL,
        "q": "Vault",
        "barcode": corner["product"]["barcode"],
        "sku": SECRET_SKU,
    }
    found: list[dict[str, Any]] = [{}]
    for parameter in parameters:
        name = parameter["name"]
        if parameter["in"] == "query" and name == "limit":
            found[0]["limit"] = parameter["schema"].get("maximum", 100)
        elif parameter["in"] == "query" and name in values:
            found.append({name: values[name]})
    return found


@pytest.mark.parametrize("persona", sorted(SHOP_B))
def test_list_routes_never_show_another_shops_rows(shop_data_api: Api, corner: dict[str, Any], persona: str) -> None:
    api, probed = shop_data_api, 0
    for route in tenant_routes(api):
        if route.parameters or route.method != "GET":
            continue
        for params in _filters(route, api, corner):
            response = api.get(persona, route.template, params=params)
            assert response.status_code in expected_statuses(route, persona, 200) | {422}, (
                f"{route}: {response.text[:300]}"
            )
            assert_no_trace(response, corner, f"{route} {params}")
            probed += 1
    assert probed >= 10


def test_sync_ops_naming_another_shops_ids_are_refused(shop_data_api: Api, corner: dict[str, Any]) -> None:
    product, order = corner["product"], corner["order"]
    ops = [
        (
            "order.refund",
            {
                "order_id": order["id"],
                "id": new_id(),
                "lines": [{"product_id": product["id"], "quantity": 1}],
                "reason": "x",
            },
        ),
        ("product.update", {"product_id": product["id"], "version": product["version"], "price": 1}),
    ]
    body = {
        "client_id": new_id(),
        "ops": [
            {"seq": n, "id": payload["id"] if "id" in payload else new_id(), "type": kind, "payload": payload}
            for n, (kind, payload) in enumerate(ops, 1)
        ],
    }
    response = shop_data_api.post("hh.manager", "/v1/sync/push", json=body)
    assert response.status_code == 200, response.text
    assert [result["http_status"] for result in response.json()["results"]] == [404, 404]
    assert_no_trace(response, corner, "sync push")
    assert shop_data_api.on_hand(product["id"]) == 9


@pytest.fixture
def app_engine(database_url: str, shop_data_api: Api) -> Iterator[sa.Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("row-level security is PostgreSQL's; on SQLite every query filters by shop itself")
    engine = create_engine(app_role_url(database_url), pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _rows_of(conn: sa.Connection, shop_id: str) -> dict[str, int]:
    """Rows of `shop_id` that this connection can see, per tenant table (all rows when no shop is given)."""
    return {
        table: conn.execute(
            sa.text(f'SELECT count(*) FROM "{table}" WHERE "{column}" = CAST(:shop AS uuid)'), {"shop": shop_id}
        ).scalar()
        for table, column in TENANT_COLUMNS.items()
    }


def test_the_app_role_unscoped_or_forged_sees_nothing_of_the_shop(
    app_engine: sa.Engine, corner: dict[str, Any]
) -> None:

    nothing = dict.fromkeys(TENANT_COLUMNS, 0)
    with app_engine.connect() as conn:
        with conn.begin():
            assert _rows_of(conn, CORNER_GROCER["id"]) == nothing  # app.shop_id never set
        for forged in (str(uuid.uuid4()), "", HARBOR_HARDWARE["id"]):
            with conn.begin():
                set_tenant(conn, forged)
                assert _rows_of(conn, CORNER_GROCER["id"]) == nothing, forged
        with pytest.raises(sa.exc.DataError), conn.begin():  # not a shop id at all: an error, never rows
            set_tenant(conn, f"{CORNER_GROCER['id']}' OR '1'='1")
            _rows_of(conn, CORNER_GROCER["id"])
        with conn.begin():
            set_tenant(conn, CORNER_GROCER["id"])  # the control: scoped to it, its rows are there
            seen = _rows_of(conn, CORNER_GROCER["id"])
    assert seen["products"] >= 1 and seen["orders"] >= 1 and seen["refunds"] >= 1
