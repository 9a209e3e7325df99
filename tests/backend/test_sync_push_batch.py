"""A push applies its ops in one transaction, each in a savepoint (services/sync.py), on SQLite and PostgreSQL: the
change feed still shows each row once at its latest state, after every change the push made; a rejected op in the
middle leaves no trace, not even in the feed, while the ops around it count; the same op twice in one push is one
effect and a `duplicate`; and two pushes selling the same products in opposite orders at once both finish."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from shop_data_testkit import Api, new_adjustment, new_id, new_order, new_product

PUSH = "/v1/sync/push"
CHANGES = "/v1/sync/changes"


def op(seq: int, op_type: str, payload: dict[str, Any], op_id: str | None = None) -> dict[str, Any]:
    return {"seq": seq, "id": op_id or payload.get("id") or new_id(), "type": op_type, "payload": payload}


def push(api: Api, ops: list[dict], persona: str = "cg.manager") -> dict[str, Any]:
    return api.ok(api.post(persona, PUSH, json={"client_id": f"batch-{uuid.uuid4().hex[:8]}", "ops": ops}))


def changes_after(api: Api, since: str | None) -> tuple[list[dict], str]:
    found: list[dict] = []
    while True:
        page = api.ok(api.get("cg.cashier", CHANGES, params={"limit": 5000, **({"since": since} if since else {})}))
        found += page["changes"]
        since = page["next_cursor"]
        if not page["has_more"]:
            return found, since


def test_the_feed_shows_a_pushs_rows_once_at_their_latest_state(shop_data_api: Api) -> None:
    api = shop_data_api
    _, cursor = changes_after(api, None)
    product = new_product(price=400)
    ops = [
        op(1, "product.create", product),
        op(2, "stock.adjust", new_adjustment(product["id"], reason="receive", delta=10)),
        op(3, "order.create", new_order([(product, 2)])),
        op(4, "product.update", {"product_id": product["id"], "version": 1, "price": 450}),
        op(5, "order.create", new_order([(product, 1)])),
    ]
    assert [r["status"] for r in push(api, ops)["results"]] == ["applied"] * 5
    changes, after = changes_after(api, cursor)
    assert [(c["entity"], c["id"]) for c in changes] == [
        ("product", product["id"]),
        ("stock", f"{product['id']}/store"),
    ]
    assert (changes[0]["data"]["price"], changes[0]["data"]["version"]) == (450, 2)
    assert changes[1]["data"]["on_hand"] == 7
    assert int(changes[0]["cursor"]) < int(changes[1]["cursor"]) == int(after)


def test_a_rejected_op_leaves_no_trace_and_the_ops_around_it_count(shop_data_api: Api) -> None:
    api = shop_data_api
    _, cursor = changes_after(api, None)
    kept, refused = new_product(), new_product()
    ops = [
        op(1, "product.create", kept),
        op(2, "product.create", {**refused, "price": -1}),  # refused after its claim was taken
        op(3, "stock.adjust", new_adjustment(kept["id"], reason="receive", delta=4)),
    ]
    result = push(api, ops)
    assert [(r["status"], r["http_status"]) for r in result["results"]] == [
        ("applied", 201),
        ("rejected", 422),
        ("applied", 201),
    ]
    assert result["last_applied_seq"] == 3
    changes, _ = changes_after(api, cursor)
    assert {c["id"] for c in changes} == {kept["id"], f"{kept['id']}/store"}
    assert api.get("cg.manager", f"/v1/products/{refused['id']}").status_code == 404
    fixed = push(api, [op(2, "product.create", refused)])  # the same op id, fixed: its claim was rolled back
    assert fixed["results"][0]["status"] == "applied"


def test_the_same_op_twice_in_one_push_is_one_effect(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    sale = op(1, "order.create", new_order([(product, 1)]))
    results = push(api, [sale, {**sale, "seq": 2}])["results"]
    assert [(r["status"], r["http_status"]) for r in results] == [("applied", 201), ("duplicate", 201)]
    assert results[0]["body"] == results[1]["body"]
    assert api.on_hand(product["id"]) == -1


def test_pushes_selling_the_same_products_in_opposite_orders_at_once_both_finish(shop_data_api: Api) -> None:
    api = shop_data_api
    products = [api.product() for _ in range(6)]
    sales = {
        "forward": [op(n, "order.create", new_order([(p, 1)])) for n, p in enumerate(products, start=1)],
        "backward": [op(n, "order.create", new_order([(p, 1)])) for n, p in enumerate(reversed(products), start=1)],
    }
    results: dict[str, list[dict]] = {}
    start = threading.Barrier(2)

    def terminal(name: str) -> None:
        start.wait()
        results[name] = push(api, sales[name], "cg.cashier")["results"]

    threads = [threading.Thread(target=terminal, args=(name,)) for name in sales]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [r["status"] for name in sales for r in results[name]] == ["applied"] * 12
    assert [api.on_hand(p["id"]) for p in products] == [-2] * 6
