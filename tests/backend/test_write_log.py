"""Every write is one JSON log line of the real `shop-api` (event "write"): request id, user, shop, operation,
entity id and outcome (applied, duplicate, rejected, conflict) with the status, for single routes and sync ops."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from shop_api_testkit import CORNER_GROCER, Cognito, ShopApiProcess
from shop_data_testkit import Api, new_order, new_product, persona_tokens


@pytest.fixture(scope="module")
def api(shop_api: ShopApiProcess, cognito: Cognito) -> Any:
    client = Api(shop_api.url, persona_tokens(cognito))
    yield client
    client.close()


def writes(shop_api: ShopApiProcess, request_id: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 5
    while True:
        found = [r for r in shop_api.log_records() if r.get("event") == "write" and r.get("request_id") == request_id]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def call(api: Api, method: str, path: str, persona: str = "cg.manager", **kwargs: Any) -> str:
    request_id = f"w-{uuid.uuid4().hex}"
    api.request(persona, method, path, headers={"X-Request-ID": request_id, **kwargs.pop("headers", {})}, **kwargs)
    return request_id


def test_single_route_writes_are_logged_with_their_outcome(
    api: Api, shop_api: ShopApiProcess, cognito: Cognito
) -> None:
    product = new_product()
    outcomes = []
    for body in (product, product, {**product, "price": 1}):
        (record,) = writes(shop_api, call(api, "POST", "/v1/products", json=body), 1)
        outcomes.append((record["outcome"], record["status"]))
        assert record["operation"] == "product.create" and record["entity_id"] == product["id"]
        assert (record["user"], record["shop"], record["role"]) == (
            cognito.subs["cg.manager"],
            CORNER_GROCER["id"],
            "manager",
        )
    assert outcomes == [("applied", 201), ("duplicate", 200), ("rejected", 422)]
    stale = call(api, "PATCH", f"/v1/products/{product['id']}", json={"price": 3}, headers={"If-Match": "9"})
    (record,) = writes(shop_api, stale, 1)
    assert (record["operation"], record["outcome"], record["status"]) == ("product.update", "conflict", 409)
    assert "version" in record["detail"]


def test_sync_ops_are_logged_one_line_each(api: Api, shop_api: ShopApiProcess) -> None:
    product = api.product()
    order = new_order([(product, 1)])
    ops = [
        {"seq": 1, "id": order["id"], "type": "order.create", "payload": order},
        {"seq": 2, "id": str(uuid.uuid4()), "type": "stock.adjust", "payload": {"reason": "theft"}},
        {"seq": 3, "id": str(uuid.uuid4()), "type": "order.void", "payload": {}},
    ]
    body = {"client_id": "till-log", "ops": ops}
    first = writes(shop_api, call(api, "POST", "/v1/sync/push", json=body), 3)
    again = writes(shop_api, call(api, "POST", "/v1/sync/push", json=body), 3)
    assert [(r["operation"], r["outcome"], r["seq"], r["client_id"], r["via"]) for r in first] == [
        ("order.create", "applied", 1, "till-log", "sync"),
        ("stock.adjust", "rejected", 2, "till-log", "sync"),
        ("order.void", "rejected", 3, "till-log", "sync"),
    ]
    assert [(r["outcome"], r["status"]) for r in again] == [("duplicate", 201), ("rejected", 422), ("rejected", 422)]
