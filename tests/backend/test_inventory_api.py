"""/v1/inventory on SQLite and PostgreSQL: adjustments as signed ledger movements with reasons, counts applied as
counted - expected, stock allowed below zero and flagged, idempotent adjustment ids, reorder points and the
below_reorder filter, the movement ledger."""

from __future__ import annotations

import pytest
from shop_data_testkit import Api, assert_problem, new_adjustment, new_id

ADJUST = "/v1/inventory/adjustments"


def test_movements_add_up_with_their_signs(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    pid = product["id"]
    steps = [
        ({"reason": "receive", "delta": 12}, 12),
        ({"reason": "damage", "delta": -2}, 10),
        ({"reason": "transfer_out", "delta": -3}, 7),
        ({"reason": "transfer_in", "delta": 1}, 8),
        ({"reason": "correction", "delta": -1}, 7),
        ({"reason": "correction", "delta": 2, "note": "found behind the shelf"}, 9),
    ]
    for fields, on_hand in steps:
        adjustment = api.ok(api.post("cg.manager", ADJUST, json=new_adjustment(pid, **fields)), 201)
        assert (adjustment["on_hand"], adjustment["delta"], adjustment["oversold"]) == (on_hand, fields["delta"], False)
        assert adjustment["location"] == "store"
    assert api.on_hand(pid) == 9
    ledger = api.ok(api.get("cg.support", "/v1/inventory/movements", params={"product_id": pid}))["items"]
    assert [m["delta"] for m in ledger] == [f["delta"] for f, _ in reversed(steps)]  # newest first
    assert [m["on_hand_after"] for m in ledger] == [h for _, h in reversed(steps)]
    assert {m["source"] for m in ledger} == {"adjustment"}


def test_a_count_applies_counted_minus_expected(shop_data_api: Api) -> None:
    api = shop_data_api
    pid = api.product()["id"]
    api.receive(pid, 10)
    # The device believed 10 were there and counted 7; meanwhile a sale it had not heard of took 2.
    api.order([({"id": pid, "price": 250}, 2)])
    count = new_adjustment(pid, reason="count", counted=7, expected=10)
    adjustment = api.ok(api.post("cg.manager", ADJUST, json=count), 201)
    assert (adjustment["delta"], adjustment["counted"], adjustment["expected"], adjustment["on_hand"]) == (-3, 7, 10, 5)
    with_delta = new_adjustment(pid, reason="count", counted=5, expected=5, delta=0)
    assert api.ok(api.post("cg.manager", ADJUST, json=with_delta), 201)["on_hand"] == 5


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"reason": "receive", "delta": -1}, "/delta"),
        ({"reason": "receive", "delta": 0}, "/delta"),
        ({"reason": "receive"}, "/delta"),
        ({"reason": "damage", "delta": 2}, "/delta"),
        ({"reason": "transfer_out", "delta": 2}, "/delta"),
        ({"reason": "transfer_in", "delta": -2}, "/delta"),
        ({"reason": "correction", "delta": 0}, "/delta"),
        ({"reason": "count", "counted": 3}, "/expected"),
        ({"reason": "count", "counted": 3, "expected": 1, "delta": 1}, "/delta"),
        ({"reason": "receive", "delta": 1, "counted": 3}, "/counted"),
        ({"reason": "theft", "delta": -1}, "/reason"),
        ({"reason": "receive", "delta": 1.0}, "/delta"),
        ({"reason": "receive", "delta": 10**10}, "/delta"),
        ({"reason": "receive", "delta": 1, "location": ""}, "/location"),
        ({"reason": "receive", "delta": 1, "note": "\x1b[2J"}, "/note"),
    ],
)
def test_adjustments_are_validated(shop_data_api: Api, fields: dict, pointer: str) -> None:
    api = shop_data_api
    pid = api.product()["id"]
    problem = assert_problem(api.post("cg.manager", ADJUST, json=new_adjustment(pid, **fields)), 422, "validation")
    assert pointer in [e["pointer"] for e in problem["errors"]]
    assert api.on_hand(pid) is None


def test_unknown_product_is_422(shop_data_api: Api) -> None:
    body = new_adjustment(new_id(), reason="receive", delta=1)
    problem = assert_problem(shop_data_api.post("cg.manager", ADJUST, json=body), 422)
    assert [e["pointer"] for e in problem["errors"]] == ["/product_id"]


def test_adjustment_is_idempotent_by_id(shop_data_api: Api) -> None:
    api = shop_data_api
    pid = api.product()["id"]
    body = new_adjustment(pid, reason="receive", delta=4, note="delivery 17")
    first = api.ok(api.post("cg.manager", ADJUST, json=body), 201)
    for _ in range(2):
        assert api.ok(api.post("cg.manager", ADJUST, json=body), 200) == first
    assert api.on_hand(pid) == 4
    assert_problem(api.post("cg.manager", ADJUST, json={**body, "delta": 5}), 422, "id-reused")
    assert api.on_hand(pid) == 4


def test_stock_may_go_negative_and_says_so(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    api.receive(product["id"], 1)
    order = api.order([(product, 3)])
    assert "oversold" in order["flags"] and order["lines"][0]["flags"] == ["oversold"]
    level = api.ok(api.get("cg.cashier", "/v1/inventory", params={"product_id": product["id"]}))["items"]
    assert [(s["on_hand"], s["oversold"]) for s in level] == [(-2, True)]
    damage = new_adjustment(product["id"], reason="damage", delta=-1)
    assert api.ok(api.post("cg.manager", ADJUST, json=damage), 201)["oversold"] is True


def test_locations_are_separate(shop_data_api: Api) -> None:
    api = shop_data_api
    pid = api.product()["id"]
    api.ok(
        api.post("cg.manager", ADJUST, json=new_adjustment(pid, reason="receive", delta=10, location="backroom")), 201
    )
    api.ok(
        api.post("cg.manager", ADJUST, json=new_adjustment(pid, reason="transfer_out", delta=-4, location="backroom")),
        201,
    )
    api.ok(api.post("cg.manager", ADJUST, json=new_adjustment(pid, reason="transfer_in", delta=4)), 201)
    items = api.ok(api.get("cg.cashier", "/v1/inventory", params={"product_id": pid}))["items"]
    assert {s["location"]: s["on_hand"] for s in items} == {"backroom": 6, "store": 4}
    only = api.ok(api.get("cg.cashier", "/v1/inventory", params={"product_id": pid, "location": "backroom"}))["items"]
    assert [s["on_hand"] for s in only] == [6]


def test_reorder_points_and_below_reorder(shop_data_api: Api) -> None:
    api = shop_data_api
    low, fine, fresh = (api.product()["id"] for _ in range(3))
    api.receive(low, 2)
    api.receive(fine, 20)
    for pid in (low, fine):
        level = api.ok(
            api.put("cg.manager", "/v1/inventory/reorder-point", json={"product_id": pid, "reorder_point": 5})
        )
        assert level["reorder_point"] == 5
    # A reorder point for a product with no stock row yet starts it at 0, which is at or below it.
    assert (
        api.ok(api.put("cg.manager", "/v1/inventory/reorder-point", json={"product_id": fresh, "reorder_point": 1}))[
            "on_hand"
        ]
        == 0
    )
    below = set()
    cursor = None
    while True:
        params = {"below_reorder": "true", "limit": 50, **({"cursor": cursor} if cursor else {})}
        page = api.ok(api.get("cg.cashier", "/v1/inventory", params=params))
        below |= {s["product_id"] for s in page["items"]}
        assert all(s["on_hand"] <= s["reorder_point"] for s in page["items"])
        if not (cursor := page["next_cursor"]):
            break
    assert {low, fresh} <= below and fine not in below
    unknown = api.put("cg.manager", "/v1/inventory/reorder-point", json={"product_id": new_id(), "reorder_point": 1})
    assert_problem(unknown, 422)
    assert_problem(
        api.put("cg.cashier", "/v1/inventory/reorder-point", json={"product_id": low, "reorder_point": 1}), 403
    )


def test_stock_list_pages(shop_data_api: Api) -> None:
    api = shop_data_api
    for _ in range(3):
        api.receive(api.product()["id"], 1)
    seen: list[tuple[str, str]] = []
    cursor = None
    while True:
        page = api.ok(
            api.get("cg.cashier", "/v1/inventory", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        )
        seen += [(s["product_id"], s["location"]) for s in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) >= 3
    assert seen == sorted(seen)


def test_movement_ledger_pages_and_filters(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    for quantity in (1, 2, 3):
        api.receive(product["id"], quantity)
    order = api.order([(product, 2)])
    ledger: list[dict] = []
    cursor = None
    while True:
        params = {"product_id": product["id"], "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.ok(api.get("cg.cashier", "/v1/inventory/movements", params=params))
        ledger += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert [(m["reason"], m["delta"]) for m in ledger] == [("sale", -2), ("receive", 3), ("receive", 2), ("receive", 1)]
    by_order = api.ok(api.get("cg.cashier", "/v1/inventory/movements", params={"source_id": order["id"]}))["items"]
    assert [(m["source"], m["line_no"], m["on_hand_after"]) for m in by_order] == [("order", 1, 4)]
    assert_problem(api.get("cg.cashier", "/v1/inventory/movements", params={"cursor": "WzEsMiwzLDRd"}), 422)
