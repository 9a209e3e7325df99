"""The shift ops through POST /v1/sync/push on SQLite and PostgreSQL, as an offline till queues them: shift.open,
shift.cash and shift.close answer what their routes would, a replayed batch changes nothing and answers the same
bodies as duplicates, a later close with another count is a conflict, malformed payloads are rejected alone, and
a whole offline shift pushed in one batch closes with the figures the till worked out."""

from __future__ import annotations

import uuid
from typing import Any

from shop_data_testkit import Api, new_id, new_order

PUSH = "/v1/sync/push"


def op(seq: int, op_type: str, payload: dict[str, Any], op_id: str | None = None) -> dict[str, Any]:
    return {"seq": seq, "id": op_id or payload.get("id") or new_id(), "type": op_type, "payload": payload}


def push(api: Api, ops: list[dict[str, Any]], persona: str = "cg.cashier", client: str | None = None) -> Any:
    body = {"client_id": client or f"till-{uuid.uuid4().hex[:8]}", "ops": ops}
    return api.ok(api.post(persona, PUSH, json=body))


def test_an_offline_shift_pushed_in_one_batch_and_replayed(shop_data_api: Api) -> None:
    api, till = shop_data_api, f"OFF-{uuid.uuid4().hex[:6]}"
    product = api.product(price=400, tax_rate_bp=0)
    shift_id = new_id()
    sales = [
        new_order([(product, n)], terminal_id=till, tenders=[{"method": "cash", "amount": 400 * n}]) for n in (1, 2, 3)
    ]
    card_sale = new_order([(product, 1)], terminal_id=till, tenders=[{"method": "card", "amount": 400}])
    paid_out = {"shift_id": shift_id, "id": new_id(), "kind": "paid_out", "amount": 500, "reason": "milk"}
    ops = [
        op(1, "shift.open", {"id": shift_id, "terminal_id": till, "opening_float": 5000}),
        *(op(n, "order.create", sale) for n, sale in enumerate([*sales, card_sale], start=2)),
        op(6, "shift.cash", paid_out),
        op(7, "shift.close", {"shift_id": shift_id, "counted_cash": 5000 + 2400 - 500 - 100}),
    ]
    client = f"till-{uuid.uuid4().hex[:8]}"
    first = push(api, ops, client=client)
    assert [(r["status"], r["http_status"]) for r in first["results"]] == [("applied", 201)] * 6 + [("applied", 200)]
    assert first["last_applied_seq"] == 7
    z = first["results"][-1]["body"]
    assert (z["report"], z["order_count"], z["cash_sales"], z["expected_cash"], z["over_short"]) == (
        "Z",
        4,
        2400,
        5000 + 2400 - 500,
        -100,
    )
    assert z["sales_by_tender"] == [
        {"method": "card", "orders": 1, "amount": 400},
        {"method": "cash", "orders": 3, "amount": 2400},
    ]
    assert z == api.ok(api.get("cg.cashier", f"/v1/shifts/{shift_id}"))

    again = push(api, ops, client=client)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 7
    assert [r["body"] for r in again["results"]] == [r["body"] for r in first["results"]]
    assert api.ok(api.get("cg.cashier", f"/v1/shifts/{shift_id}")) == z


def test_shift_op_outcomes(shop_data_api: Api) -> None:
    api, till = shop_data_api, f"OPS-{uuid.uuid4().hex[:6]}"
    shift_id = new_id()
    push(api, [op(1, "shift.open", {"id": shift_id, "terminal_id": till, "opening_float": 100})])
    closed = push(api, [op(1, "shift.close", {"shift_id": shift_id, "counted_cash": 100})])["results"][0]
    assert (closed["status"], closed["body"]["over_short"]) == ("applied", 0)
    results = push(
        api,
        [
            # The same count again as a new op: the stored Z, as its route answers a replayed close.
            op(1, "shift.close", {"shift_id": shift_id, "counted_cash": 100}),
            op(2, "shift.close", {"shift_id": shift_id, "counted_cash": 90}),
            op(3, "shift.cash", {"shift_id": shift_id, "id": new_id(), "kind": "paid_in", "amount": 1, "reason": "x"}),
            op(4, "shift.cash", {"id": new_id(), "kind": "paid_in", "amount": 1, "reason": "no shift named"}),
            op(5, "shift.open", {"id": new_id(), "terminal_id": till, "opening_float": 1}, op_id=new_id()),
            op(6, "shift.open", {"id": new_id(), "terminal_id": till, "opening_float": 1}),
            op(7, "shift.open", {"id": new_id(), "terminal_id": till, "opening_float": 2}),
            op(8, "shift.close", {"shift_id": str(uuid.uuid4()), "counted_cash": 0}),
        ],
    )["results"]
    outcomes = [(r["status"], r["http_status"], r["body"].get("type", "").rsplit(":", 1)[-1]) for r in results]
    assert outcomes == [
        ("duplicate", 200, ""),
        ("conflict", 409, "shift-closed"),
        ("conflict", 409, "shift-closed"),
        ("rejected", 422, "validation"),  # the op needs shift_id
        ("rejected", 422, "validation"),  # the payload's id is not the op's
        ("applied", 201, ""),
        ("conflict", 409, "shift-already-open"),
        ("rejected", 404, "blank"),
    ]
    assert results[0]["body"] == closed["body"]
    assert results[6]["body"]["shift"]["id"] == results[5]["body"]["id"]


def test_a_cashier_cannot_close_anothers_shift_through_the_queue(shop_data_api: Api) -> None:
    api, till = shop_data_api, f"Q-{uuid.uuid4().hex[:6]}"
    shift_id = new_id()
    push(api, [op(1, "shift.open", {"id": shift_id, "terminal_id": till, "opening_float": 0})])
    close = op(1, "shift.close", {"shift_id": shift_id, "counted_cash": 0})
    [refused] = push(api, [close], persona="cg.cashier2")["results"]
    assert (refused["status"], refused["http_status"]) == ("rejected", 403)
    [other_shop] = push(api, [op(1, "shift.close", close["payload"])], persona="hh.manager")["results"]
    assert (other_shop["status"], other_shop["http_status"]) == ("rejected", 404)
    [done] = push(api, [op(1, "shift.close", close["payload"])], persona="cg.manager")["results"]
    assert (done["status"], done["body"]["closed_by"]["username"]) == ("applied", "cg.manager")
