"""POST /v1/sync/push on SQLite and PostgreSQL: each op answers what its single route would have, a replayed op is
a `duplicate` with the original result, a rejected op neither stops the rest nor is remembered, stale edits are
conflicts, every op type checks its own role, `last_applied_seq` per client, and one effect however often and
however concurrently an op arrives."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest
from shop_data_testkit import Api, assert_problem, new_adjustment, new_id, new_order, new_product

PUSH = "/v1/sync/push"


def op(seq: int, op_type: str, payload: dict[str, Any], op_id: str | None = None) -> dict[str, Any]:
    """An op as the console queues it: a create's id is its entity's id."""
    return {"seq": seq, "id": op_id or payload.get("id") or new_id(), "type": op_type, "payload": payload}


def push(api: Api, ops: list[dict], persona: str = "cg.manager", client_id: str | None = None) -> dict[str, Any]:
    body = {"client_id": client_id or f"client-{uuid.uuid4().hex[:8]}", "ops": ops}
    return api.ok(api.post(persona, PUSH, json=body))


def test_every_op_type_answers_as_its_route_and_replays_as_duplicate(shop_data_api: Api) -> None:
    api = shop_data_api
    product = new_product(price=500, tax_rate_bp=1000)
    order = new_order([(product, 2)])
    refund = {
        "id": new_id(),
        "order_id": order["id"],
        "lines": [{"product_id": product["id"], "quantity": 1}],
        "reason": "dented",
    }
    ops = [
        op(1, "product.create", product),
        op(2, "stock.adjust", new_adjustment(product["id"], reason="receive", delta=10)),
        op(3, "order.create", order),
        op(4, "order.refund", refund),
        op(5, "product.update", {"product_id": product["id"], "version": 1, "price": 550}),
    ]
    client = "till-7"
    first = push(api, ops, client_id=client)
    assert [(r["seq"], r["status"], r["http_status"]) for r in first["results"]] == [
        (1, "applied", 201),
        (2, "applied", 201),
        (3, "applied", 201),
        (4, "applied", 201),
        (5, "applied", 200),
    ]
    assert first["last_applied_seq"] == 5
    bodies = {r["seq"]: r["body"] for r in first["results"]}
    assert bodies[2]["on_hand"] == 10
    assert (bodies[3]["total"], bodies[4]["total"], bodies[5]["price"]) == (1100, 550, 550)
    stored_order = api.ok(api.get("cg.manager", f"/v1/orders/{order['id']}"))
    assert stored_order["refunds"][0]["id"] == refund["id"]
    assert bodies[3] == {**stored_order, "lines": bodies[3]["lines"], "refunds": []}
    assert api.on_hand(product["id"]) == 9

    again = push(api, ops, client_id=client)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 5
    assert [(r["http_status"], r["body"]) for r in again["results"]] == [
        (r["http_status"], r["body"]) for r in first["results"]
    ]
    assert api.on_hand(product["id"]) == 9
    assert api.ok(api.get("cg.manager", f"/v1/products/{product['id']}"))["version"] == 2


def test_a_rejected_op_does_not_stop_the_rest_and_is_not_remembered(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    bad = new_adjustment(product["id"], reason="damage", delta=3)  # damage must remove stock
    ops = [
        op(1, "stock.adjust", new_adjustment(product["id"], reason="receive", delta=5)),
        op(2, "stock.adjust", bad),
        op(3, "order.create", new_order([(product, 1)])),
    ]
    result = push(api, ops, client_id="till-bad")
    assert [(r["status"], r["http_status"]) for r in result["results"]] == [
        ("applied", 201),
        ("rejected", 422),
        ("applied", 201),
    ]
    problem = result["results"][1]["body"]
    assert problem["type"] == "urn:shop-api:problem:validation" and problem["errors"][0]["pointer"] == "/delta"
    assert result["last_applied_seq"] == 3
    assert api.on_hand(product["id"]) == 4
    fixed = push(api, [op(2, "stock.adjust", {**bad, "delta": -3})], client_id="till-bad")  # same id, fixed
    assert fixed["results"][0]["status"] == "applied"
    assert fixed["last_applied_seq"] == 3  # the highest seq applied, not the last one pushed
    assert api.on_hand(product["id"]) == 1


def test_stale_update_is_a_conflict_with_the_current_product(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    api.ok(
        api.patch(
            "cg.manager", f"/v1/products/{product['id']}", json={"name": "Edited online"}, headers={"If-Match": "1"}
        )
    )
    result = push(api, [op(1, "product.update", {"product_id": product["id"], "version": 1, "price": 1})])
    (conflict,) = result["results"]
    assert (conflict["status"], conflict["http_status"]) == ("conflict", 409)
    assert conflict["body"]["current"]["name"] == "Edited online"
    assert conflict["body"]["current"]["version"] == 2
    assert result["last_applied_seq"] is None


@pytest.mark.parametrize(
    ("op_type", "payload", "status"),
    [
        ("order.pay", {}, 422),
        ("product.update", {"version": 1, "price": 1}, 422),  # no product_id
        ("product.update", {"product_id": "nope", "version": 1, "price": 1}, 422),
        ("product.update", {"product_id": "{existing}", "price": 1}, 428),  # no version
        ("product.update", {"product_id": "{existing}", "version": "1", "price": 1}, 422),
        ("product.update", {"product_id": "{unknown}", "version": 1, "price": 1}, 404),
        ("order.refund", {"lines": [], "reason": "x"}, 422),  # no order_id
        (
            "order.refund",
            {"order_id": "{unknown}", "lines": [{"product_id": "{existing}", "quantity": 1}], "reason": "x"},
            404,
        ),
        ("product.create", {"id": "{unknown}", "sku": "X", "name": "X", "price": 1}, 422),  # id is not the op's
        ("stock.adjust", "not an object", 422),
        ("stock.adjust", ["a", "list"], 422),
    ],
)
def test_bad_ops_are_rejected_alone(shop_data_api: Api, op_type: str, payload: Any, status: int) -> None:
    api = shop_data_api
    existing = api.product()["id"]
    filled = json.loads(json.dumps(payload).replace("{existing}", existing).replace("{unknown}", new_id()))
    ops = [
        {"seq": 1, "id": new_id(), "type": op_type, "payload": filled},
        op(2, "stock.adjust", new_adjustment(existing, reason="receive", delta=1)),
    ]
    results = push(api, ops)["results"]
    assert (results[0]["status"], results[0]["http_status"]) == ("rejected", status)
    assert results[0]["body"]["status"] == status
    assert results[1]["status"] == "applied"


def test_op_ids_must_be_uuids_and_never_reused_for_another_op(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    result = push(api, [{"seq": 1, "id": "not-a-uuid", "type": "order.create", "payload": new_order([(product, 1)])}])
    assert (result["results"][0]["status"], result["results"][0]["http_status"]) == ("rejected", 422)
    update_id = new_id()
    push(api, [op(1, "product.update", {"product_id": product["id"], "version": 1, "price": 260}, update_id)])
    reused = push(api, [op(2, "product.update", {"product_id": product["id"], "version": 2, "price": 270}, update_id)])
    assert reused["results"][0]["http_status"] == 422
    assert reused["results"][0]["body"]["type"] == "urn:shop-api:problem:id-reused"


def test_each_op_needs_its_role_and_readers_cannot_push(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    ops = [
        op(1, "order.create", new_order([(product, 1)])),
        op(2, "stock.adjust", new_adjustment(product["id"], reason="receive", delta=1)),
        op(3, "product.create", new_product()),
        op(4, "product.update", {"product_id": product["id"], "version": 1, "price": 1}),
    ]
    results = push(api, ops, persona="cg.cashier")["results"]
    assert [(r["status"], r["http_status"]) for r in results] == [("applied", 201)] + [("rejected", 403)] * 3
    for persona in ("cg.support", "cg.admin"):
        assert_problem(api.post(persona, PUSH, json={"client_id": "c", "ops": ops}), 403, "role-required")
    assert_problem(api.post(None, PUSH, json={"client_id": "c", "ops": ops}), 401)


def test_batch_limits_and_envelope(shop_data_api: Api) -> None:
    api = shop_data_api
    many = [op(n, "order.create", {"id": new_id()}) for n in range(501)]
    assert_problem(api.post("cg.cashier", PUSH, json={"client_id": "c", "ops": many}), 422, "validation")
    for body in (
        {"ops": []},
        {"client_id": "", "ops": []},
        {"client_id": "c", "ops": [{"seq": -1, "id": new_id(), "type": "x", "payload": {}}]},
    ):
        assert_problem(api.post("cg.cashier", PUSH, json=body), 422, "validation")
    empty = api.ok(api.post("cg.cashier", PUSH, json={"client_id": f"new-{new_id()}", "ops": []}))
    assert empty == {"results": [], "last_applied_seq": None}


def test_last_applied_seq_is_kept_per_client(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    client = f"till-{new_id()[:8]}"
    assert push(api, [op(7, "order.create", new_order([(product, 1)]))], "cg.cashier", client)["last_applied_seq"] == 7
    assert push(api, [], "cg.cashier", client)["last_applied_seq"] == 7
    assert push(api, [op(3, "order.create", new_order([(product, 1)]))], "cg.cashier", client)["last_applied_seq"] == 7
    assert push(api, [], "cg.cashier", f"{client}-other")["last_applied_seq"] is None


def test_the_same_order_three_times_by_route_and_by_sync_has_one_effect(shop_data_api: Api) -> None:
    api = shop_data_api
    bread, milk = api.product(), api.product()
    api.receive(bread["id"], 10)
    api.receive(milk["id"], 10)
    order = new_order([(bread, 2), (milk, 3)])
    statuses = [api.post("cg.cashier", "/v1/orders", json=order).status_code for _ in range(3)]
    results = [push(api, [op(n, "order.create", order)], "cg.cashier", "till-3x")["results"][0] for n in (1, 2, 3)]
    assert statuses == [201, 200, 200]
    assert [(r["status"], r["http_status"]) for r in results] == [("duplicate", 200)] * 3
    assert (api.on_hand(bread["id"]), api.on_hand(milk["id"])) == (8, 7)
    movements = api.ok(api.get("cg.manager", "/v1/inventory/movements", params={"source_id": order["id"]}))["items"]
    assert sorted(m["line_no"] for m in movements) == [1, 2]
    listed = api.ok(api.get("cg.manager", "/v1/orders", params={"terminal_id": "T1", "limit": 500}))["items"]
    assert [o["id"] for o in listed].count(order["id"]) == 1


def test_two_clients_pushing_the_same_ops_at_once_have_one_effect(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    ops = [op(n, "order.create", new_order([(product, 1)])) for n in range(1, 21)]
    ops.append(op(21, "stock.adjust", new_adjustment(product["id"], reason="receive", delta=100)))
    ops.append(op(22, "product.update", {"product_id": product["id"], "version": 1, "price": 300}))
    results: dict[str, list[dict]] = {}
    start = threading.Barrier(2)

    def terminal(client: str) -> None:
        start.wait()
        results[client] = push(api, ops, "cg.manager", client)["results"]

    threads = [threading.Thread(target=terminal, args=(f"copied-outbox-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    a, b = results["copied-outbox-1"], results["copied-outbox-2"]
    for first, second in zip(a, b, strict=True):
        assert {first["status"], second["status"]} == {"applied", "duplicate"}, (first, second)
        assert first["body"] == second["body"]
    assert api.on_hand(product["id"]) == 100 - 20
    assert api.ok(api.get("cg.manager", f"/v1/products/{product['id']}"))["version"] == 2


def test_another_shops_entities_are_not_found_through_sync(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    order = api.order([(product, 1)])
    ops = [
        op(1, "product.update", {"product_id": product["id"], "version": 1, "price": 1}),
        op(
            2,
            "order.refund",
            {
                "id": new_id(),
                "order_id": order["id"],
                "lines": [{"product_id": product["id"], "quantity": 1}],
                "reason": "x",
            },
        ),
        op(3, "stock.adjust", new_adjustment(product["id"], reason="receive", delta=1)),
        op(4, "order.create", new_order([(product, 1)])),
    ]
    results = push(api, ops, "hh.manager")["results"]
    assert [r["http_status"] for r in results] == [404, 404, 422, 422]
    for result in results:
        assert product["name"] not in str(result["body"])
    assert api.ok(api.get("cg.manager", f"/v1/products/{product['id']}"))["price"] == product["price"]
