"""/v1/orders and refunds on SQLite and PostgreSQL: server-side totals and flags, tenders and change, stock moved
in the same transaction, receipt numbers unique per terminal, ids unique forever (replay 200, other body 422),
lists by time, terminal and cursor (a cashier sees their own), refunds within what was sold, prorated to the
minor unit, idempotent, with the stock returned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from shop_data_testkit import Api, assert_problem, new_id, new_order

ORDERS = "/v1/orders"


def refund_path(order_id: str) -> str:
    return f"{ORDERS}/{order_id}/refunds"


def test_order_totals_flags_and_stock(shop_data_api: Api) -> None:
    api = shop_data_api
    bread = api.product(price=349, tax_rate_bp=700)
    wine = api.product(price=1299, tax_rate_bp=2000)
    api.receive(bread["id"], 10)
    api.receive(wine["id"], 1)
    body = new_order(
        [(bread, 3), (wine, 2)], tenders=[{"method": "card", "amount": 1000}, {"method": "cash", "amount": 5000}]
    )
    body["lines"][0] |= {"unit_price": 299, "discount": 50}  # sold at yesterday's price, 0.50 off the line
    created_at = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    body["created_at"] = created_at.isoformat()
    order = api.ok(api.post("cg.cashier", ORDERS, json=body), 201)

    bread_net, wine_net = 3 * 299 - 50, 2 * 1299
    bread_tax, wine_tax = round(bread_net * 700 / 10000), round(wine_net * 2000 / 10000)  # 59.36 → 59, 519.6 → 520
    assert [(line["amount"], line["tax"]) for line in order["lines"]] == [(bread_net, bread_tax), (wine_net, wine_tax)]
    assert order["subtotal"] == bread_net + wine_net
    assert order["tax"] == bread_tax + wine_tax
    assert order["total"] == order["subtotal"] + order["tax"]
    assert (order["tendered"], order["change"]) == (6000, 6000 - order["total"])
    assert order["lines"][0]["flags"] == ["price_differs"] and order["lines"][0]["catalogue_price"] == 349
    assert order["lines"][1]["flags"] == ["oversold"]
    assert order["flags"] == ["oversold", "price_differs"]
    assert datetime.fromisoformat(order["created_at"]) == created_at  # business time as sent
    assert datetime.now(UTC) - datetime.fromisoformat(order["received_at"]) < timedelta(minutes=1)
    assert order["cashier"]["username"] == "cg.cashier"
    assert (api.on_hand(bread["id"]), api.on_hand(wine["id"])) == (7, -1)
    assert api.ok(api.get("cg.cashier", f"{ORDERS}/{order['id']}")) == order


def test_tax_rate_sold_with_is_kept_and_flagged(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product(price=1000, tax_rate_bp=2000)
    body = new_order([(product, 1)])
    body["lines"][0]["tax_rate_bp"] = 1900
    order = api.ok(api.post("cg.cashier", ORDERS, json=body), 201)
    assert (order["lines"][0]["tax_rate_bp"], order["tax"]) == (1900, 190)
    assert "tax_differs" in order["lines"][0]["flags"]


def test_archived_products_still_sell_and_are_flagged(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    api.ok(api.patch("cg.manager", f"/v1/products/{product['id']}", json={"active": False}, headers={"If-Match": "1"}))
    assert "archived_product" in api.order([(product, 1)])["flags"]


def test_half_even_rounding_per_line(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product(price=25, tax_rate_bp=1000)  # 2.5 → 2 per line, never 5 on the total
    order = api.order([(product, 1), (product, 1)])
    assert [line["tax"] for line in order["lines"]] == [2, 2]
    assert (order["subtotal"], order["tax"], order["total"]) == (50, 4, 54)
    odd = api.product(price=35, tax_rate_bp=1000)  # 3.5 → 4
    assert api.order([(odd, 1)])["tax"] == 4


@pytest.mark.parametrize(
    ("tenders", "ok", "change"),
    [
        ([{"method": "cash", "amount": 1200}], True, 0),
        ([{"method": "cash", "amount": 2000}], True, 800),
        ([{"method": "card", "amount": 1200}], True, 0),
        ([{"method": "card", "amount": 200}, {"method": "cash", "amount": 1500}], True, 500),
        ([{"method": "card", "amount": 1199}], False, None),  # does not cover
        ([{"method": "card", "amount": 1300}], False, None),  # overpaid by card: no change from a card
        ([{"method": "other", "amount": 1000}, {"method": "card", "amount": 300}], False, None),
        ([], False, None),
    ],
)
def test_tenders_cover_the_total_and_change_comes_from_cash(
    shop_data_api: Api, tenders: list, ok: bool, change: int | None
) -> None:
    api = shop_data_api
    product = api.product(price=1000, tax_rate_bp=2000)  # total 1200
    response = api.post("cg.cashier", ORDERS, json=new_order([(product, 1)], tenders=tenders))
    if ok:
        assert api.ok(response, 201)["change"] == change
    else:
        problem = assert_problem(response, 422, "tenders")
        assert problem["errors"][0]["pointer"] == "/tenders"
        assert api.on_hand(product["id"]) is None  # nothing moved


def test_free_order_needs_no_tender(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product(price=500)
    body = new_order([(product, 1)], tenders=[])
    body["lines"][0]["discount"] = 500
    assert api.ok(api.post("cg.cashier", ORDERS, json=body), 201)["total"] == 0


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"lines": []}, "/lines"),
        ({"lines": [{"product_id": "x", "quantity": 1, "unit_price": 1}]}, "/lines/0/product_id"),
        ({"line": {"quantity": 0}}, "/lines/0/quantity"),
        ({"line": {"quantity": -1}}, "/lines/0/quantity"),
        ({"line": {"quantity": 1.5}}, "/lines/0/quantity"),
        ({"line": {"unit_price": -1}}, "/lines/0/unit_price"),
        ({"line": {"unit_price": "2.50"}}, "/lines/0/unit_price"),
        ({"line": {"discount": 10**6}}, "/lines/0/discount"),
        ({"line": {"quantity": 10**6, "unit_price": 10**10}}, "/lines/0/discount"),
        ({"created_at": "2024-01-01T10:00:00"}, "/created_at"),  # no offset: ambiguous business time
        ({"created_at": 1700000000}, "/created_at"),  # a number is no RFC 3339 time
        ({"created_at": "2024-01-01"}, "/created_at"),
        ({"receipt_no": ""}, "/receipt_no"),
        ({"terminal_id": "T\x1b1"}, "/terminal_id"),
        ({"tenders": [{"method": "iou", "amount": 1}]}, "/tenders/0/method"),
        ({"tenders": [{"method": "cash", "amount": 0}]}, "/tenders/0/amount"),
    ],
)
def test_order_bodies_are_validated(shop_data_api: Api, change: dict, pointer: str) -> None:
    api = shop_data_api
    product = api.product()
    body = new_order([(product, 1)])
    body["lines"][0] |= change.get("line", {})
    body |= {key: value for key, value in change.items() if key != "line"}
    problem = assert_problem(api.post("cg.cashier", ORDERS, json=body), 422, "validation")
    assert pointer in [e["pointer"] for e in problem["errors"]], problem


def test_unknown_product_is_422_naming_the_line(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    body = new_order([(product, 1), ({"id": new_id(), "price": 100}, 1)])
    problem = assert_problem(api.post("cg.cashier", ORDERS, json=body), 422)
    assert [e["pointer"] for e in problem["errors"]] == ["/lines/1/product_id"]
    assert api.on_hand(product["id"]) is None


def test_order_id_is_unique_forever_and_a_replay_answers_the_same_order(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product(price=400, tax_rate_bp=1000)
    api.receive(product["id"], 5)
    body = new_order([(product, 2)])
    first = api.ok(api.post("cg.cashier", ORDERS, json=body), 201)
    same_instant = datetime.fromisoformat(body["created_at"]).astimezone(timezone(timedelta(hours=-5))).isoformat()
    assert api.ok(api.post("cg.cashier", ORDERS, json={**body, "created_at": same_instant}), 200) == first
    # The catalogue moves on; replays still answer what was stored, and move nothing.
    api.ok(
        api.patch("cg.manager", f"/v1/products/{product['id']}", json={"tax_rate_bp": 2500}, headers={"If-Match": "1"})
    )
    for _ in range(2):
        assert api.ok(api.post("cg.cashier", ORDERS, json=body), 200) == first
    assert api.on_hand(product["id"]) == 3
    assert_problem(api.post("cg.cashier", ORDERS, json={**body, "receipt_no": "T1-other"}), 422, "id-reused")
    movements = api.ok(api.get("cg.manager", "/v1/inventory/movements", params={"source_id": first["id"]}))["items"]
    assert len(movements) == 1


def test_receipt_numbers_are_unique_per_terminal(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    first = api.order([(product, 1)], terminal_id="T7")
    clash = api.post(
        "cg.cashier", ORDERS, json=new_order([(product, 1)], terminal_id="T7", receipt_no=first["receipt_no"])
    )
    assert assert_problem(clash, 422, "receipt-number-taken")["errors"][0]["pointer"] == "/receipt_no"
    api.order([(product, 1)], terminal_id="T8", receipt_no=first["receipt_no"])  # another terminal may
    harbor_product = api.product("hh.manager")  # and another shop's T7
    api.order([(harbor_product, 1)], persona="hh.cashier", terminal_id="T7", receipt_no=first["receipt_no"])


def test_lists_by_time_terminal_and_cursor(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    terminal = f"T-{new_id()[:8]}"
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3650)  # after every other test's orders
    made = [
        api.order([(product, 1)], terminal_id=terminal, created_at=(start + timedelta(minutes=n)).isoformat())["id"]
        for n in (3, 1, 2, 0, 4)
    ]
    listed: list[str] = []
    cursor = None
    while True:
        params = {
            "since": start.isoformat(),
            "terminal_id": terminal,
            "limit": 2,
            **({"cursor": cursor} if cursor else {}),
        }
        page = api.ok(api.get("cg.manager", ORDERS, params=params))
        listed += [o["id"] for o in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert listed == [made[3], made[1], made[2], made[0], made[4]]  # by business time
    later = api.ok(api.get("cg.manager", ORDERS, params={"since": (start + timedelta(minutes=2)).isoformat()}))["items"]
    assert [o["id"] for o in later] == [made[2], made[0], made[4]]
    for since in ("yesterday", "60.0", "1700000000", "2024-01-01"):
        assert_problem(api.get("cg.manager", ORDERS, params={"since": since}), 422)
    assert_problem(api.get("cg.manager", ORDERS, params={"cursor": "e30"}), 422)


def test_a_cashier_sees_only_their_own_orders(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    terminal = f"T-{new_id()[:8]}"
    mine = api.order([(product, 1)], persona="cg.cashier", terminal_id=terminal)
    theirs = api.order([(product, 1)], persona="cg.cashier2", terminal_id=terminal)
    assert_problem(api.get("cg.cashier", f"{ORDERS}/{theirs['id']}"), 404)
    listed = {o["id"] for o in api.ok(api.get("cg.cashier", ORDERS, params={"terminal_id": terminal}))["items"]}
    assert listed == {mine["id"]}
    for persona in ("cg.manager", "cg.support", "cg.admin"):
        everyone = {o["id"] for o in api.ok(api.get(persona, ORDERS, params={"terminal_id": terminal}))["items"]}
        assert everyone == {mine["id"], theirs["id"]}
        api.ok(api.get(persona, f"{ORDERS}/{theirs['id']}"))


def test_refunds_prorate_discount_and_tax_and_never_exceed_the_sale(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product(price=333, tax_rate_bp=1750)
    api.receive(product["id"], 10)
    body = new_order([(product, 3)])
    body["lines"][0]["discount"] = 100  # amount 899, tax round(157.325) = 157
    order = api.ok(api.post("cg.cashier", ORDERS, json=body), 201)
    line = order["lines"][0]
    assert (line["amount"], line["tax"]) == (899, 157)

    refunded = []
    for quantity in (1, 1, 1):
        refund = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": quantity}], "reason": "faulty"}
        refunded.append(api.ok(api.post("cg.manager", refund_path(order["id"]), json=refund), 201))
        assert api.on_hand(product["id"]) == 7 + len(refunded)
    # Shares are rounded cumulatively: 299.67 → 300, 599.33 → 599, 899; tax 52.33 → 52, 104.67 → 105, 157.
    assert [(r["amount"], r["tax"]) for r in refunded] == [(300, 52), (299, 53), (300, 52)]
    assert sum(r["total"] for r in refunded) == order["total"]

    more = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 1}], "reason": "again"}
    problem = assert_problem(api.post("cg.manager", refund_path(order["id"]), json=more), 422, "refund-exceeds-sale")
    assert "at most 0 more" in problem["detail"]
    stored = api.ok(api.get("cg.manager", f"{ORDERS}/{order['id']}"))
    assert stored["lines"][0]["refunded_quantity"] == 3
    assert [r["id"] for r in stored["refunds"]] == [r["id"] for r in refunded]


def test_refund_takes_from_every_line_of_the_product(shop_data_api: Api) -> None:
    api = shop_data_api
    product, other = api.product(price=1000, tax_rate_bp=0), api.product(price=50, tax_rate_bp=0)
    body = new_order([(product, 1), (other, 1), (product, 2)])
    body["lines"][2]["unit_price"] = 800  # the same product sold again at another price
    order = api.ok(api.post("cg.cashier", ORDERS, json=body), 201)
    refund = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 2}], "reason": "changed mind"}
    made = api.ok(api.post("cg.manager", refund_path(order["id"]), json=refund), 201)
    assert [(line["line_no"], line["quantity"], line["amount"]) for line in made["lines"]] == [
        (1, 1, 1000),
        (3, 1, 800),
    ]
    too_many = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 2}], "reason": "more"}
    assert (
        "at most 1 more"
        in assert_problem(api.post("cg.manager", refund_path(order["id"]), json=too_many), 422)["detail"]
    )


def test_refund_is_idempotent_and_validated(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    order = api.order([(product, 2)])
    path = refund_path(order["id"])
    body = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 2}], "reason": "wrong size"}
    first = api.ok(api.post("cg.manager", path, json=body), 201)
    # A replay answers the stored refund although nothing is left to refund by now.
    assert api.ok(api.post("cg.manager", path, json=body), 200) == first
    assert api.on_hand(product["id"]) == 0
    assert_problem(api.post("cg.manager", path, json={**body, "reason": "other"}), 422, "id-reused")
    other_order = api.order([(product, 1)])
    assert_problem(api.post("cg.manager", refund_path(other_order["id"]), json=body), 422, "id-reused")

    def refund(lines: list, **extra: object) -> dict:
        return {"id": new_id(), "lines": lines, "reason": "r", **extra}

    unknown = refund([{"product_id": new_id(), "quantity": 1}])
    assert [
        e["pointer"]
        for e in assert_problem(api.post("cg.manager", refund_path(other_order["id"]), json=unknown), 422)["errors"]
    ] == ["/lines/0/product_id"]
    twice = refund([{"product_id": product["id"], "quantity": 1}] * 2)
    assert_problem(api.post("cg.manager", refund_path(other_order["id"]), json=twice), 422, "validation")
    for bad in (refund([]), refund([{"product_id": product["id"], "quantity": 0}]), {**refund([]), "reason": ""}):
        assert_problem(api.post("cg.manager", refund_path(other_order["id"]), json=bad), 422, "validation")
    assert_problem(
        api.post("cg.manager", refund_path(new_id()), json=refund([{"product_id": product["id"], "quantity": 1}])), 404
    )


def test_refund_roles(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    order = api.order([(product, 1)])
    body = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 1}], "reason": "r"}
    for persona in ("cg.cashier", "cg.support", "cg.admin"):
        assert_problem(api.post(persona, refund_path(order["id"]), json=body), 403, "role-required")
