"""A push applies its ops in one transaction (services/sync.py), on SQLite and PostgreSQL: the change feed still
shows each row once at its latest state, after every change the push made; a rejected op in the middle leaves no
trace, not even in the feed, while the ops around it count; the same op twice in one push is one effect and a
`duplicate`; two pushes selling the same products in opposite orders at once both finish. Consecutive sales,
applied set-wise as one run, answer and move stock as they would one by one: each sale's movements carry the
on-hand it left, a refused sale or a taken receipt number in the run is rejected alone, replays in a run are
`duplicate` with their first answers, and each terminal's sales go to its shift."""

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


# Consecutive sales in a push are applied set-wise as one run (services/sync.py): the answers, the stock ledger,
# replays and refusals must be those of the same sales applied one by one.


def movements_of(api: Api, order_id: str) -> list[tuple[int, int, int | None]]:
    page = api.ok(api.get("cg.manager", "/v1/inventory/movements", params={"source_id": order_id}))
    return sorted((m["line_no"], m["delta"], m["on_hand_after"]) for m in page["items"])


def test_a_run_of_sales_moves_stock_sale_after_sale(shop_data_api: Api) -> None:
    api = shop_data_api
    apple, pear = api.product(), api.product()
    api.receive(apple["id"], 3)
    api.receive(pear["id"], 5)
    sales = [
        new_order([(apple, 2)]),
        new_order([(apple, 1), (pear, 1), (apple, 1)]),  # the second apple line takes the row below zero
        new_order([(apple, 1)]),
    ]
    results = push(api, [op(n, "order.create", sale) for n, sale in enumerate(sales, start=1)], "cg.cashier")
    assert [(r["status"], r["http_status"]) for r in results["results"]] == [("applied", 201)] * 3
    assert [r["body"]["flags"] for r in results["results"]] == [[], ["oversold"], ["oversold"]]
    assert [line["flags"] for line in results["results"][1]["body"]["lines"]] == [[], [], ["oversold"]]
    assert [movements_of(api, sale["id"]) for sale in sales] == [
        [(1, -2, 1)],
        [(1, -1, 0), (2, -1, 4), (3, -1, -1)],
        [(1, -1, -2)],
    ]
    assert (api.on_hand(apple["id"]), api.on_hand(pear["id"])) == (-2, 4)
    for result in results["results"]:
        assert result["body"] == api.ok(api.get("cg.cashier", f"/v1/orders/{result['id']}"))


def test_a_refused_sale_in_a_run_leaves_no_trace_and_the_sales_around_it_count(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    taken = api.order([(product, 1)])  # through its route, before the push
    unknown = new_product()
    sales = [
        new_order([(product, 1)]),
        new_order([(unknown, 1)]),  # refused: not in the catalogue
        new_order([(product, 2)]),
        new_order([(product, 1)], terminal_id=taken["terminal_id"], receipt_no=taken["receipt_no"]),  # refused
        new_order([(product, 3)]),
    ]
    ops = [op(n, "order.create", sale) for n, sale in enumerate(sales, start=1)]
    client = f"batch-{uuid.uuid4().hex[:8]}"
    first = push_as(api, client, ops)
    assert [(r["status"], r["http_status"]) for r in first["results"]] == [
        ("applied", 201),
        ("rejected", 422),
        ("applied", 201),
        ("rejected", 422),
        ("applied", 201),
    ]
    assert first["results"][3]["body"]["type"] == "urn:shop-api:problem:receipt-number-taken"
    assert first["last_applied_seq"] == 5
    assert api.on_hand(product["id"]) == -1 - 1 - 2 - 3
    for refused in (sales[1], sales[3]):
        assert api.get("cg.manager", f"/v1/orders/{refused['id']}").status_code == 404
        assert movements_of(api, refused["id"]) == []

    again = push_as(api, client, ops)
    assert [r["status"] for r in again["results"]] == ["duplicate", "rejected", "duplicate", "rejected", "duplicate"]
    assert [r["body"] for r in again["results"][::2]] == [r["body"] for r in first["results"][::2]]
    assert api.on_hand(product["id"]) == -7

    api.ok(api.post("cg.manager", "/v1/products", json=unknown), 201)
    fixed = push_as(api, client, [ops[1], ops[2]])
    assert [r["status"] for r in fixed["results"]] == ["applied", "duplicate"]  # its claim was rolled back


def test_a_run_mixing_new_sales_with_replays(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    sales = [new_order([(product, 1)]) for _ in range(3)]
    client = f"batch-{uuid.uuid4().hex[:8]}"
    first = push_as(api, client, [op(1, "order.create", sales[0])])
    ops = [op(n, "order.create", sale) for n, sale in enumerate(sales, start=1)]
    results = push_as(api, client, [ops[1], ops[0], ops[2]])["results"]
    statuses = [(r["status"], r["http_status"]) for r in results]
    assert statuses == [("applied", 201), ("duplicate", 201), ("applied", 201)]
    assert results[1]["body"] == first["results"][0]["body"]

    posted = new_order([(product, 1)])
    api.ok(api.post("cg.cashier", "/v1/orders", json=posted), 201)  # the same sale through its route first
    fresh = new_order([(product, 1)])
    results = push_as(api, client, [op(4, "order.create", posted), op(5, "order.create", fresh)])["results"]
    assert [(r["status"], r["http_status"]) for r in results] == [("duplicate", 200), ("applied", 201)]
    assert results[0]["body"] == api.ok(api.get("cg.cashier", f"/v1/orders/{posted['id']}"))
    assert api.on_hand(product["id"]) == -5


def push_as(api: Api, client_id: str, ops: list[dict]) -> dict[str, Any]:
    return api.ok(api.post("cg.cashier", PUSH, json={"client_id": client_id, "ops": ops}))


def test_a_run_puts_each_terminals_sales_in_its_shift(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    with_shift, without = (f"RUN-{uuid.uuid4().hex[:6]}" for _ in range(2))
    shift = {"id": new_id(), "terminal_id": with_shift, "opening_float": 0}
    api.ok(api.post("cg.cashier", "/v1/shifts", json=shift), 201)
    terminals = [with_shift, without, with_shift, without, without]
    ops = [op(n, "order.create", new_order([(product, 1)], terminal_id=t)) for n, t in enumerate(terminals, start=1)]
    assert {r["status"] for r in push(api, ops, "cg.cashier")["results"]} == {"applied"}

    def counts(terminal_id: str) -> list[tuple[str, int]]:
        found = api.ok(api.get("cg.manager", "/v1/shifts", params={"terminal_id": terminal_id}))["items"]
        return [(s["kind"], api.ok(api.get("cg.manager", f"/v1/shifts/{s['id']}"))["order_count"]) for s in found]

    assert counts(with_shift) == [("till", 2)]
    assert counts(without) == [("unassigned", 3)]
