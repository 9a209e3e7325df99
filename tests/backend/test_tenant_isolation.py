"""Tenant isolation on SQLite and PostgreSQL: with Harbor Hardware's tokens, every route that names one of Corner
Grocer's ids answers 404 (or 422 "no such product" where the id is in the body) with none of its data, lists and
the change feed never show its rows, and the same client-made id in another shop is another entity."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from shop_data_testkit import Api, new_adjustment, new_id, new_order, new_product

SHOP_B = ("hh.cashier", "hh.manager")


@pytest.fixture(scope="module")
def corner(shop_data_api: Api) -> dict[str, Any]:
    """Corner Grocer's data: a product with stock, an order of it and a refund."""
    api = shop_data_api
    product = api.product(name="Corner Secret Blend", sku="CG-SECRET")
    api.receive(product["id"], 10)
    order = api.order([(product, 2)], terminal_id="CG-T1")
    refund = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 1}], "reason": "r"}
    api.ok(api.post("cg.manager", f"/v1/orders/{order['id']}/refunds", json=refund), 201)
    return {"product": product, "order": order, "refund_id": refund["id"]}


def assert_nothing_of(response: httpx.Response, corner: dict[str, Any], status: int) -> None:
    assert response.status_code == status, response.text
    text = response.text
    for secret in (
        "Corner Secret Blend",
        "CG-SECRET",
        corner["product"]["barcode"],
        "CG-T1",
        corner["order"]["receipt_no"],
    ):
        assert secret not in text


@pytest.mark.parametrize("persona", SHOP_B)
def test_id_routes_answer_404(shop_data_api: Api, corner: dict[str, Any], persona: str) -> None:
    api = shop_data_api
    product_id, order_id = corner["product"]["id"], corner["order"]["id"]
    refund = {"id": new_id(), "lines": [{"product_id": product_id, "quantity": 1}], "reason": "r"}
    calls = [
        api.get(persona, f"/v1/products/{product_id}"),
        api.patch(persona, f"/v1/products/{product_id}", json={"price": 1}, headers={"If-Match": "1"}),
        api.get(persona, f"/v1/orders/{order_id}"),
        api.post(persona, f"/v1/orders/{order_id}/refunds", json=refund),
    ]
    expected = [404, 404 if persona == "hh.manager" else 403, 404, 404 if persona == "hh.manager" else 403]
    for response, status in zip(calls, expected, strict=True):
        assert_nothing_of(response, corner, status)
        assert response.headers["content-type"] == "application/problem+json"


def test_body_ids_of_another_shop_are_unknown(shop_data_api: Api, corner: dict[str, Any]) -> None:
    api = shop_data_api
    product = corner["product"]
    responses = [
        api.post(
            "hh.manager", "/v1/inventory/adjustments", json=new_adjustment(product["id"], reason="receive", delta=1)
        ),
        api.post("hh.cashier", "/v1/orders", json=new_order([(product, 1)])),
        api.put("hh.manager", "/v1/inventory/reorder-point", json={"product_id": product["id"], "reorder_point": 3}),
    ]
    for response in responses:
        assert_nothing_of(response, corner, 422)
        assert response.json()["errors"][0]["detail"] == "There is no such product."
    assert api.on_hand(product["id"]) == 9


def test_lists_and_feed_never_show_another_shops_rows(shop_data_api: Api, corner: dict[str, Any]) -> None:
    api = shop_data_api
    product, order = corner["product"], corner["order"]
    lists = [
        api.get("hh.manager", "/v1/products", params={"limit": 500}),
        api.get("hh.manager", "/v1/products", params={"q": "Secret"}),
        api.get("hh.manager", "/v1/products", params={"barcode": product["barcode"]}),
        api.get("hh.manager", "/v1/inventory", params={"limit": 5000}),
        api.get("hh.manager", "/v1/inventory", params={"product_id": product["id"]}),
        api.get("hh.manager", "/v1/inventory/movements", params={"product_id": product["id"]}),
        api.get("hh.manager", "/v1/inventory/movements", params={"source_id": order["id"]}),
        api.get("hh.manager", "/v1/orders", params={"limit": 500}),
        api.get("hh.manager", "/v1/orders", params={"terminal_id": "CG-T1"}),
    ]
    for response in lists:
        assert_nothing_of(response, corner, 200)
        assert product["id"] not in response.text and order["id"] not in response.text
    feed = api.get("hh.manager", "/v1/sync/changes", params={"limit": 5000})
    assert_nothing_of(feed, corner, 200)
    assert product["id"] not in feed.text


def test_the_same_id_in_another_shop_is_another_entity(shop_data_api: Api, corner: dict[str, Any]) -> None:
    api = shop_data_api
    product = corner["product"]
    theirs = api.ok(api.post("hh.manager", "/v1/products", json=new_product(id=product["id"], name="Harbor own")), 201)
    assert theirs["name"] == "Harbor own"
    assert api.ok(api.get("cg.cashier", f"/v1/products/{product['id']}"))["name"] == "Corner Secret Blend"
    order = api.ok(api.post("hh.cashier", "/v1/orders", json=new_order([(theirs, 1)], id=corner["order"]["id"])), 201)
    assert order["id"] == corner["order"]["id"]
    assert api.ok(api.get("cg.manager", f"/v1/orders/{order['id']}"))["terminal_id"] == "CG-T1"
