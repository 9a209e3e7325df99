"""Hostile input against the real app on SQLite and PostgreSQL: oversized bodies on every write route (413), JSON
nested too deep to parse, numbers beyond any column, negative quantities, control characters and terminal escape
sequences (refused), any other Unicode and SQL in names (stored and shown back verbatim, never executed), in the
routes' bodies and in sync ops alike. Never a 5xx, and a refused write leaves nothing behind.

tests/backend/test_api_problems.py proves the size cap on a test route; test_schemathesis.py generates the rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_routes import served_routes
from shop_data_testkit import Api, assert_problem, new_adjustment, new_id, new_order, new_product

from backend.middleware import MAX_BODY_BYTES

WRITER = "cg.manager"
ESCAPES = {
    "NUL": "Tea\x00bags",
    "ANSI clear screen": "Tea\x1b[2J\x1b[H",
    "ANSI colour": "\x1b[31mRed Tea\x1b[0m",
    "OSC title": "Tea\x1b]0;pwned\x07",
    "OSC 52 clipboard": "Tea\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "C1 CSI": "Tea\x9b2J",
    "carriage return": "Tea\rCoffee",
    "newline": "Tea\nCoffee",
    "backspace": "Tea\x08\x08\x08Rum",
    "DEL": "Tea\x7f",
}
FINE_NAMES = [
    "Crème brûlée 🍮",
    "日本茶 (緑)",
    "مرحبا שלום",
    "e\u0301\u0301\u0301 combining",
    "zero\u200bwidth\u200djoiner",
    "\u202eRTL override",  # a format character, not a control one: shown, never executed
    "Robert'); DROP TABLE products;--",
    "x' OR '1'='1",
    "%_\\ LIKE wildcards",
    "[bold red]markup[/] & <b>html</b>",
]
HUGE = [2**63, 2**64 + 1, 10**30, -(2**63) - 1, 1e308, 1.5]


@pytest.fixture(scope="module")
def product(shop_data_api: Api) -> dict[str, Any]:
    product = shop_data_api.product()
    shop_data_api.receive(product["id"], 50)
    return product


@pytest.fixture(scope="module")
def order(shop_data_api: Api, product: dict[str, Any]) -> dict[str, Any]:
    return shop_data_api.order([(product, 3)])


def assert_refused(response: Any, statuses: tuple[int, ...] = (422,)) -> None:
    assert response.status_code in statuses, f"{response.status_code}: {response.text[:300]}"
    assert_problem(response, response.status_code)


def with_lines(lines: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """An order body with these lines as given (new_order builds lines from products)."""
    return {**new_order([], **overrides), "lines": lines}


def test_oversized_bodies_on_every_write_route_are_413(shop_data_api: Api) -> None:
    api, checked = shop_data_api, 0
    for route in served_routes(api.url):
        if route.method not in ("POST", "PUT", "PATCH"):
            continue
        pad = b"x" * (MAX_BODY_BYTES + 1)
        declared = api.request(WRITER, route.method, route.path(), content=b'{"pad": "' + pad + b'"}')

        def chunks() -> Iterator[bytes]:
            yield b'{"pad": "'
            for _ in range(MAX_BODY_BYTES // 65536 + 2):
                yield b"x" * 65536
            yield b'"}'

        chunked = api.request(
            WRITER, route.method, route.path(), content=chunks(), headers={"content-type": "application/json"}
        )
        for response in (declared, chunked):
            assert response.status_code == 413, f"{route}: {response.status_code} {response.text[:200]}"
            assert response.headers["content-type"] == "application/problem+json"
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("depth", [64, 1_000, 100_000])
@pytest.mark.parametrize("where", ["body", "sync op payload"])
def test_deeply_nested_json_is_refused_not_a_crash(shop_data_api: Api, depth: int, where: str) -> None:
    nested = "[" * depth + "]" * depth
    if where == "body":
        body = f'{{"id": "{new_id()}", "sku": "DEEP", "name": {nested}, "price": 1}}'
        response = shop_data_api.post(
            WRITER, "/v1/products", content=body, headers={"content-type": "application/json"}
        )
    else:
        op = f'{{"seq": 1, "id": "{new_id()}", "type": "product.create", "payload": {{"name": {nested}}}}}'
        body = f'{{"client_id": "{new_id()}", "ops": [{op}]}}'
        response = shop_data_api.post(
            WRITER, "/v1/sync/push", content=body, headers={"content-type": "application/json"}
        )
        if response.status_code == 200:  # the batch parsed: the op itself must be refused
            [result] = response.json()["results"]
            assert (result["status"], result["http_status"]) == ("rejected", 422), result
            return
    assert_refused(response, (400, 422))  # 400: the parser itself gave up (too deep to read), problem+json too


@pytest.mark.parametrize("number", HUGE, ids=repr)
def test_numbers_beyond_any_column_are_refused(
    shop_data_api: Api, product: dict[str, Any], order: dict[str, Any], number: float
) -> None:
    api, pid = shop_data_api, product["id"]
    line = {"product_id": pid, "quantity": 1, "unit_price": 250, "discount": 0}
    bodies = [
        ("/v1/products", new_product(price=number)),
        ("/v1/products", new_product(tax_rate_bp=number)),
        ("/v1/orders", with_lines([{**line, "quantity": number}])),
        ("/v1/orders", with_lines([{**line, "unit_price": number}])),
        ("/v1/orders", with_lines([line], tenders=[{"method": "cash", "amount": number}])),
        ("/v1/inventory/adjustments", new_adjustment(pid, reason="receive", delta=number)),
        ("/v1/inventory/adjustments", new_adjustment(pid, reason="count", counted=number, expected=0)),
        (
            f"/v1/orders/{order['id']}/refunds",
            {"id": new_id(), "lines": [{"product_id": pid, "quantity": number}], "reason": "x"},
        ),
    ]
    for path, body in bodies:
        assert_refused(api.post(WRITER, path, json=body))
    patched = api.patch(WRITER, f"/v1/products/{pid}", json={"price": number}, headers={"If-Match": "1"})
    assert_refused(patched)
    ops = [
        {"seq": n, "id": b["id"], "type": t, "payload": b}
        for n, (t, b) in enumerate(
            [("product.create", bodies[0][1]), ("order.create", bodies[2][1]), ("stock.adjust", bodies[5][1])], 1
        )
    ]
    pushed = api.ok(api.post(WRITER, "/v1/sync/push", json={"client_id": new_id(), "ops": ops}))
    assert {r["http_status"] for r in pushed["results"]} == {422}, pushed
    assert api.on_hand(pid) == 47
    assert api.ok(api.get(WRITER, f"/v1/products/{pid}"))["price"] == product["price"]


def test_negative_and_zero_quantities_are_refused(
    shop_data_api: Api, product: dict[str, Any], order: dict[str, Any]
) -> None:
    api, pid = shop_data_api, product["id"]
    line = {"product_id": pid, "quantity": 1, "unit_price": 250, "discount": 0}
    for quantity in (-1, 0, -(10**6)):
        assert_refused(api.post("cg.cashier", "/v1/orders", json=with_lines([{**line, "quantity": quantity}])))
        refund = {"id": new_id(), "lines": [{"product_id": pid, "quantity": quantity}], "reason": "x"}
        assert_refused(api.post(WRITER, f"/v1/orders/{order['id']}/refunds", json=refund))
    for field, value in (("unit_price", -250), ("discount", -100)):
        assert_refused(api.post("cg.cashier", "/v1/orders", json=with_lines([{**line, field: value}])))
    assert_refused(
        api.post("cg.cashier", "/v1/orders", json=new_order([(product, 1)], tenders=[{"method": "cash", "amount": -5}]))
    )
    assert_refused(api.post(WRITER, "/v1/inventory/adjustments", json=new_adjustment(pid, reason="receive", delta=-5)))
    too_many = {"id": new_id(), "lines": [{"product_id": pid, "quantity": 4}], "reason": "more than sold"}
    assert api.post(WRITER, f"/v1/orders/{order['id']}/refunds", json=too_many).status_code in (409, 422)
    assert api.on_hand(pid) == 47


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_control_characters_and_terminal_escapes_in_names_are_refused(
    shop_data_api: Api, product: dict[str, Any], name: str
) -> None:
    api, hostile = shop_data_api, ESCAPES[name]
    created = new_product(name=hostile)
    assert_refused(api.post(WRITER, "/v1/products", json=created))
    assert_refused(api.post(WRITER, "/v1/products", json=new_product(category=hostile)))
    assert_refused(api.post(WRITER, "/v1/products", json=new_product(sku=f"S{hostile}")))
    assert_refused(
        api.patch(WRITER, f"/v1/products/{product['id']}", json={"name": hostile}, headers={"If-Match": "1"})
    )
    assert_refused(api.post("cg.cashier", "/v1/orders", json=new_order([(product, 1)], terminal_id=f"T{hostile}")))
    op = {"seq": 1, "id": created["id"], "type": "product.create", "payload": created}
    [result] = api.ok(api.post(WRITER, "/v1/sync/push", json={"client_id": new_id(), "ops": [op]}))["results"]
    assert (result["status"], result["http_status"]) == ("rejected", 422)
    assert api.get(WRITER, f"/v1/products/{created['id']}").status_code == 404
    searched = api.get(WRITER, "/v1/products", params={"q": hostile})
    assert searched.status_code in (200, 422), searched.text
    assert "\x1b" not in searched.text and "\x00" not in searched.text


@pytest.mark.parametrize("name", FINE_NAMES)
def test_unicode_and_sql_in_names_round_trip_verbatim(shop_data_api: Api, name: str) -> None:
    api = shop_data_api
    created = api.product(name=name, category=name[:100])
    assert (created["name"], created["category"]) == (name, name[:100])
    assert api.ok(api.get("cg.cashier", f"/v1/products/{created['id']}"))["name"] == name
    found = api.ok(api.get("cg.cashier", "/v1/products", params={"q": name, "limit": 50}))["items"]
    assert created["id"] in [item["id"] for item in found] or not name.strip("%_\\' ;-()[]<>/&")
    assert api.ok(api.get("cg.cashier", "/v1/products", params={"limit": 1}))["items"]  # the table is still there
