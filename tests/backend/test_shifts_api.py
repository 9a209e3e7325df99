"""/v1/shifts on SQLite and PostgreSQL: opening (a total or by denomination of the shop's currency), replays and
409s, cash paid in and out, the X and Z figures against hand-computed ones, closing once (the same count again
200, another 409), the unassigned shift for sales with no shift open, roles (a cashier's own shifts, a manager's
any) and shop isolation. Corner Grocer counts in EUR here (shop_api_testkit)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from shop_data_testkit import Api, assert_problem, new_id, new_order

from common.till import refund_split

SHIFTS = "/v1/shifts"


def terminal() -> str:
    return f"T-{uuid.uuid4().hex[:8]}"


def open_body(terminal_id: str, opening_float: Any = 10_000, **fields: Any) -> dict[str, Any]:
    return {"id": new_id(), "terminal_id": terminal_id, "opening_float": opening_float, **fields}


def open_shift(api: Api, terminal_id: str, persona: str = "cg.cashier", opening_float: Any = 10_000) -> dict:
    return api.ok(api.post(persona, SHIFTS, json=open_body(terminal_id, opening_float)), 201)


def cash(api: Api, shift_id: str, kind: str, amount: int, persona: str = "cg.cashier") -> Any:
    body = {"id": new_id(), "kind": kind, "amount": amount, "reason": f"{kind} test"}
    return api.post(persona, f"{SHIFTS}/{shift_id}/cash-movements", json=body)


def close(api: Api, shift_id: str, counted: Any, persona: str = "cg.cashier") -> Any:
    return api.post(persona, f"{SHIFTS}/{shift_id}/close", json={"counted_cash": counted})


def shifts_of(api: Api, terminal_id: str, persona: str = "cg.manager", **params: Any) -> list[dict[str, Any]]:
    return api.ok(api.get(persona, SHIFTS, params={"terminal_id": terminal_id, **params}))["items"]


def test_open_replay_id_reuse_and_one_open_shift_per_terminal(shop_data_api: Api) -> None:
    api, till = shop_data_api, terminal()
    body = open_body(till, 15_000)
    shift = api.ok(api.post("cg.cashier", SHIFTS, json=body), 201)
    assert (shift["terminal_id"], shift["kind"], shift["status"], shift["opening_float"]) == (
        till,
        "till",
        "open",
        15_000,
    )
    assert shift["opened_by"]["username"] == "cg.cashier" and shift["opening_float_breakdown"] is None
    assert shift["closed_at"] is None and shift["expected_cash"] is None and shift["over_short"] is None
    assert api.ok(api.post("cg.cashier", SHIFTS, json=body)) == shift
    assert_problem(api.post("cg.cashier", SHIFTS, json={**body, "opening_float": 1}), 422, "id-reused")
    occupied = assert_problem(api.post("cg.cashier2", SHIFTS, json=open_body(till)), 409, "shift-already-open")
    assert occupied["shift"]["id"] == shift["id"]
    assert [s["id"] for s in shifts_of(api, till)] == [shift["id"]]


def test_float_and_count_by_denomination_of_the_shops_currency(shop_data_api: Api) -> None:
    api = shop_data_api
    counted = [{"denomination": 1, "count": 3}, {"denomination": 2000, "count": 2}, {"denomination": 50, "count": 4}]
    shift = open_shift(api, terminal(), opening_float=counted)
    assert shift["opening_float"] == 3 + 4000 + 200
    assert shift["opening_float_breakdown"] == sorted(counted, key=lambda d: -d["denomination"])
    quarter = assert_problem(
        api.post("cg.cashier", SHIFTS, json=open_body(terminal(), [{"denomination": 25, "count": 1}])), 422
    )
    assert quarter["errors"][0]["pointer"] == "/opening_float/0/denomination"
    assert "EUR has no coin or note of 25" in quarter["detail"]
    twice = [{"denomination": 100, "count": 1}, {"denomination": 100, "count": 2}]
    assert_problem(api.post("cg.cashier", SHIFTS, json=open_body(terminal(), twice)), 422, "validation")
    assert_problem(api.post("cg.cashier", SHIFTS, json=open_body(terminal(), -1)), 422, "validation")
    # Harbor Hardware counts in USD: a quarter is a coin there.
    usd = api.ok(api.post("hh.cashier", SHIFTS, json=open_body(terminal(), [{"denomination": 25, "count": 4}])), 201)
    assert usd["opening_float"] == 100
    closed = api.ok(close(api, shift["id"], [{"denomination": 500, "count": 10}]))
    assert (closed["counted_cash"], closed["counted_cash_breakdown"]) == (5000, [{"denomination": 500, "count": 10}])


def test_shift_lifecycle_z_figures_by_hand(shop_data_api: Api) -> None:
    api, till = shop_data_api, terminal()
    a = api.product(price=1000, tax_rate_bp=2000)
    b = api.product(price=250, tax_rate_bp=1000)
    shift = open_shift(api, till, opening_float=10_000)
    start = datetime.now(UTC).replace(microsecond=0)

    def sell(lines: list, tenders: list, minutes: int, receipt: str, **line_fields: Any) -> dict[str, Any]:
        at = (start + timedelta(minutes=minutes)).isoformat()
        body = new_order(lines, tenders=tenders, terminal_id=till, receipt_no=receipt, created_at=at)
        body["lines"][0] |= line_fields
        return api.ok(api.post("cg.cashier", "/v1/orders", json=body), 201)

    # 2 x 10.00 + 20% tax = 24.00, paid 30.00 cash: 6.00 change.
    o1 = sell([(a, 2)], [{"method": "cash", "amount": 3000}], 1, f"{till}-1")
    # 4 x 2.50 - 1.00 = 9.00 + 10% = 9.90 by card.
    o2 = sell([(b, 4)], [{"method": "card", "amount": 990}], 2, f"{till}-2", discount=100)
    # 10.00 + 2 x 2.50 = 15.00 + 2.00 + 0.50 tax = 17.50: 10.00 card, 10.00 cash, 2.50 change.
    o3 = sell(
        [(a, 1), (b, 2)], [{"method": "card", "amount": 1000}, {"method": "cash", "amount": 1000}], 3, f"{till}-3"
    )
    assert [o["total"] for o in (o1, o2, o3)] == [2400, 990, 1750]
    assert api.ok(cash(api, shift["id"], "paid_out", 500), 201)["kind"] == "paid_out"
    api.ok(cash(api, shift["id"], "paid_in", 200, persona="cg.manager"), 201)
    # Refunds: one of a (12.00) from the cash sale, one b (2.50 + 0.25 tax) from the mixed one: card first.
    for order, product in ((o1, a), (o3, b)):
        refund = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 1}], "reason": "back"}
        api.ok(api.post("cg.manager", f"/v1/orders/{order['id']}/refunds", json=refund), 201)

    x = api.ok(api.get("cg.cashier", f"{SHIFTS}/{shift['id']}"))
    assert (x["report"], x["status"], x["counted_cash"], x["over_short"]) == ("X", "open", None, None)
    assert (x["order_count"], x["first_receipt_no"], x["last_receipt_no"]) == (3, f"{till}-1", f"{till}-3")
    assert (x["sales_total"], x["sales_tax"]) == (2400 + 990 + 1750, 400 + 90 + 250)
    assert x["sales_by_tender"] == [
        {"method": "card", "orders": 2, "amount": 990 + 1000},
        {"method": "cash", "orders": 2, "amount": 2400 + 750},
    ]
    assert x["refunds"]["count"] == 2 and x["refunds"]["total"] == 1200 + 275
    assert x["refunds"]["by_tender"] == [{"method": "card", "amount": 275}, {"method": "cash", "amount": 1200}]
    assert (x["cash_movements"]["paid_in"], x["cash_movements"]["paid_out"]) == (200, 500)
    assert [m["created_by"]["username"] for m in x["cash_movements"]["items"]] == ["cg.cashier", "cg.manager"]
    assert (x["cash_sales"], x["cash_refunds"]) == (3150, 1200)
    expected = 10_000 + 3150 - 1200 + 200 - 500
    assert x["expected_cash"] == expected == 11_650

    # The same from the orders as stored, independently of the shift's arithmetic.
    stored = [api.ok(api.get("cg.manager", f"/v1/orders/{o['id']}")) for o in (o1, o2, o3)]
    cash_in = sum(sum(t["amount"] for t in o["tenders"] if t["method"] == "cash") - o["change"] for o in stored)
    assert cash_in == x["cash_sales"]
    assert sum(o["total"] for o in stored) == x["sales_total"]
    assert sum(r["total"] for o in stored for r in o["refunds"]) == x["refunds"]["total"]

    counted = [
        {"denomination": 5000, "count": 2},
        {"denomination": 1000, "count": 1},
        {"denomination": 500, "count": 1},
    ]
    counted.append({"denomination": 100, "count": 1})
    z = api.ok(close(api, shift["id"], counted))
    assert (z["report"], z["status"], z["counted_cash"], z["expected_cash"], z["over_short"]) == (
        "Z",
        "closed",
        11_600,
        11_650,
        -50,
    )
    assert z["closed_by"]["username"] == "cg.cashier" and z["closed_at"] is not None
    assert {k: v for k, v in z.items() if k not in SHIFT_CLOSE_FIELDS} == {
        k: v for k, v in x.items() if k not in SHIFT_CLOSE_FIELDS
    }
    # Closing again: the same count answers the stored Z; another count is a conflict carrying it.
    assert api.ok(close(api, shift["id"], counted)) == z
    conflict = assert_problem(close(api, shift["id"], 11_650), 409, "shift-closed")
    assert conflict["shift"]["over_short"] == -50
    assert_problem(cash(api, shift["id"], "paid_out", 100), 409, "shift-closed")
    # A sale after the close goes to the terminal's unassigned shift: the Z figures stay as they were.
    late = api.ok(api.post("cg.cashier", "/v1/orders", json=new_order([(a, 1)], terminal_id=till)), 201)
    assert api.ok(api.get("cg.cashier", f"{SHIFTS}/{shift['id']}")) == z
    [unassigned] = shifts_of(api, till, status="open")
    assert unassigned["kind"] == "unassigned"
    assert api.ok(api.get("cg.manager", f"{SHIFTS}/{unassigned['id']}"))["last_receipt_no"] == late["receipt_no"]


SHIFT_CLOSE_FIELDS = {"report", "status", "closed_by", "closed_at", "counted_cash", "counted_cash_breakdown"}
SHIFT_CLOSE_FIELDS |= {"over_short"}


def test_unassigned_shift_for_sales_with_no_shift_open(shop_data_api: Api) -> None:
    api, till = shop_data_api, terminal()
    product = api.product(price=500, tax_rate_bp=0)
    first = api.order([(product, 1)], terminal_id=till)  # paid 10**9 in cash: change is all but 5.00
    api.order([(product, 2)], terminal_id=till, persona="cg.cashier2")
    [shift] = shifts_of(api, till)
    assert (shift["kind"], shift["status"], shift["opened_by"], shift["opening_float"]) == (
        "unassigned",
        "open",
        None,
        0,
    )
    figures = api.ok(api.get("cg.manager", f"{SHIFTS}/{shift['id']}"))
    assert (figures["order_count"], figures["cash_sales"], figures["expected_cash"]) == (2, 1500, 1500)
    assert figures["first_receipt_no"] == first["receipt_no"]
    # Nobody's own: cashiers neither see it nor close it; it has no drawer for cash movements.
    assert shifts_of(api, till, persona="cg.cashier") == []
    assert_problem(api.get("cg.cashier", f"{SHIFTS}/{shift['id']}"), 404)
    assert_problem(close(api, shift["id"], 1500), 403, "not-your-shift")
    assert_problem(cash(api, shift["id"], "paid_in", 100, persona="cg.manager"), 422, "unassigned-shift")
    z = api.ok(close(api, shift["id"], 1400, persona="cg.manager"))
    assert (z["kind"], z["report"], z["over_short"]) == ("unassigned", "Z", -100)
    # A till shift opened now takes the terminal's sales; the next stray sale after it closes opens a new one.
    till_shift = open_shift(api, till)
    api.order([(product, 1)], terminal_id=till)
    assert api.ok(api.get("cg.cashier", f"{SHIFTS}/{till_shift['id']}"))["order_count"] == 1
    api.ok(close(api, till_shift["id"], 10_500))
    api.order([(product, 1)], terminal_id=till)
    kinds = [(s["kind"], s["status"]) for s in shifts_of(api, till)]
    assert sorted(kinds) == [("till", "closed"), ("unassigned", "closed"), ("unassigned", "open")]


def test_roles_own_shifts_for_cashiers_any_for_managers(shop_data_api: Api) -> None:
    api, till = shop_data_api, terminal()
    shift = open_shift(api, till)
    path = f"{SHIFTS}/{shift['id']}"
    assert_problem(close(api, shift["id"], 0, persona="cg.cashier2"), 403, "not-your-shift")
    assert_problem(cash(api, shift["id"], "paid_in", 1, persona="cg.cashier2"), 403, "not-your-shift")
    assert_problem(api.get("cg.cashier2", path), 404)
    assert shifts_of(api, till, persona="cg.cashier2") == []
    for reader in ("cg.support", "cg.admin", "cg.manager"):
        assert api.ok(api.get(reader, path))["id"] == shift["id"]
        assert [s["id"] for s in shifts_of(api, till, persona=reader)] == [shift["id"]]
    for writer in ("cg.support", "cg.admin"):
        assert_problem(api.post(writer, SHIFTS, json=open_body(terminal())), 403, "role-required")
        assert_problem(close(api, shift["id"], 0, persona=writer), 403, "role-required")
    assert api.ok(close(api, shift["id"], 10_000, persona="cg.manager"))["closed_by"]["username"] == "cg.manager"
    assert api.ok(api.get("cg.cashier", path))["over_short"] == 0


def test_another_shop_can_neither_see_nor_touch_a_shift(shop_data_api: Api) -> None:
    api, till = shop_data_api, terminal()
    shift = open_shift(api, till)
    path = f"{SHIFTS}/{shift['id']}"
    for persona in ("hh.cashier", "hh.manager"):
        for response in (
            api.get(persona, path),
            close(api, shift["id"], 0, persona=persona),
            cash(api, shift["id"], "paid_out", 1, persona=persona),
        ):
            assert_problem(response, 404)
            assert till not in response.text
        assert shifts_of(api, till, persona=persona) == []
        assert shift["id"] not in api.get(persona, SHIFTS, params={"limit": 500}).text
    # The same client-made id in the other shop is another shift, and leaves this one as it was.
    theirs = api.ok(api.post("hh.cashier", SHIFTS, json=open_body("HH-1", 1, id=shift["id"])), 201)
    assert (theirs["id"], theirs["terminal_id"]) == (shift["id"], "HH-1")
    assert api.ok(api.get("cg.cashier", path))["terminal_id"] == till
    api.ok(close(api, shift["id"], 1, persona="hh.cashier"))
    assert api.ok(api.get("cg.cashier", path))["status"] == "open"


def test_list_filters_newest_first_and_pages(shop_data_api: Api) -> None:
    api, till = shop_data_api, terminal()
    made = []
    for n in range(3):
        at = (datetime(2024, 5, 1, 8, tzinfo=UTC) + timedelta(hours=n)).isoformat()
        body = open_body(till, 100 * n, opened_at=at)
        made.append(api.ok(api.post("cg.cashier", SHIFTS, json=body), 201))
        if n < 2:
            api.ok(close(api, made[-1]["id"], 100 * n))
    assert [s["id"] for s in shifts_of(api, till)] == [s["id"] for s in reversed(made)]
    assert [s["id"] for s in shifts_of(api, till, status="open")] == [made[2]["id"]]
    assert [s["over_short"] for s in shifts_of(api, till, status="closed")] == [0, 0]
    page = api.ok(api.get("cg.cashier", SHIFTS, params={"terminal_id": till, "limit": 2}))
    rest = api.ok(api.get("cg.cashier", SHIFTS, params={"terminal_id": till, "cursor": page["next_cursor"]}))
    assert [s["id"] for s in page["items"] + rest["items"]] == [s["id"] for s in reversed(made)]
    assert rest["next_cursor"] is None
    assert_problem(api.get("cg.cashier", SHIFTS, params={"status": "ajar"}), 422)


def test_concurrent_sales_and_close_lose_no_order(shop_data_api: Api) -> None:
    """Sales racing each other find or make one unassigned shift; sales racing a close land either in its Z figures
    or in the unassigned shift after it, never in a closed shift's figures after the fact."""
    api = shop_data_api
    product = api.product(price=100, tax_rate_bp=0)

    def sell_all(till: str, count: int, also: Any = None) -> list[int]:
        statuses: list[int] = []

        def sell() -> None:
            body = new_order([(product, 1)], terminal_id=till)
            statuses.append(api.post("cg.cashier", "/v1/orders", json=body).status_code)

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(sell) for _ in range(count // 2)]
            if also is not None:
                futures.append(pool.submit(also))
            futures += [pool.submit(sell) for _ in range(count - count // 2)]
            for future in futures:
                future.result()
        return statuses

    stray = terminal()
    assert sell_all(stray, 12) == [201] * 12
    [unassigned] = shifts_of(api, stray)
    assert api.ok(api.get("cg.manager", f"{SHIFTS}/{unassigned['id']}"))["order_count"] == 12

    till = terminal()
    shift = open_shift(api, till, opening_float=0)
    closed: list[dict[str, Any]] = []
    statuses = sell_all(till, 16, lambda: closed.append(api.ok(close(api, shift["id"], 0))))
    assert statuses == [201] * 16
    after = [api.ok(api.get("cg.manager", f"{SHIFTS}/{s['id']}")) for s in shifts_of(api, till, status="open")]
    assert [s["kind"] for s in after] in ([], ["unassigned"])
    assert closed[0]["order_count"] + sum(s["order_count"] for s in after) == 16
    assert api.ok(api.get("cg.cashier", f"{SHIFTS}/{shift['id']}"))["order_count"] == closed[0]["order_count"]


def test_refunds_go_back_to_card_first_and_cash_last() -> None:
    taken = {"cash": 750, "card": 1000}
    assert refund_split(taken, 0, 800) == {"card": 800, "cash": 0}
    assert refund_split(taken, 800, 500) == {"card": 200, "cash": 300}  # the card is used up: the rest is cash
    assert refund_split(taken, 1300, 450) == {"card": 0, "cash": 450}
    assert refund_split({"other": 300, "cash": 200}, 0, 400) == {"other": 300, "cash": 100}
    assert refund_split({}, 0, 0) == {"cash": 0}  # an order paid with nothing (a zero total)
