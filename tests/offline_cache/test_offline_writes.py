"""Local writes: one transaction for the entity and its outbox row, payloads as the contract's routes take them,
receipt numbers, and the local view (cache + unsent ops)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from offline_support import FakeClock, load

from offline_cache.models import Adjustment, RefundLine, SaleLine, Tender
from offline_cache.store import Store
from offline_cache.writes import InvalidWrite

TABLES = (
    "orders",
    "order_lines",
    "order_tenders",
    "refunds",
    "refund_lines",
    "outbox",
    "stock_delta",
    "receipt_counters",
    "product_server",
)


def _counts(store: Store) -> dict[str, int]:
    return {table: store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


def _fail_on_insert_into(store: Store, table: str) -> None:
    """A fault inside the transaction, raised by SQLite itself on the write's last statements."""
    store.conn.execute(
        f"CREATE TEMP TRIGGER fault BEFORE INSERT ON main.{table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
    )


def _sale(store: Store, product: dict[str, Any], quantity: int = 1, cash: int = 10**6) -> Any:
    return store.writes.record_sale([SaleLine(product["id"], quantity)], [Tender("cash", cash)])


# --- sales ---------------------------------------------------------------------------------------------------


def test_a_sale_commits_order_lines_tenders_op_and_stock_together(stocked: Store, products: list[dict]) -> None:
    milk, bread = products[0], products[1]
    order = stocked.writes.record_sale(
        [SaleLine(milk["id"], 2, discount=10), SaleLine(bread["id"], 1, unit_price=250)],
        [Tender("card", 100), Tender("cash", 10**5)],
        cashier="cg.cashier",
    )
    amount_milk = 2 * milk["price"] - 10
    tax = round(amount_milk * milk["tax_rate_bp"] / 10000) + round(250 * bread["tax_rate_bp"] / 10000)
    assert order.subtotal == amount_milk + 250
    assert order.tax == tax  # these rates give no .5 cases; half-even is covered in test_offline_money
    assert order.change == 100 + 10**5 - order.total
    assert order.receipt_no == "T1-20260302-1"
    [op] = stocked.outbox.list()
    assert (op.id, op.type, op.entity, op.status) == (order.id, "order.create", f"order:{order.id}", "pending")
    assert op.payload == {
        "id": order.id,
        "terminal_id": "T1",
        "receipt_no": "T1-20260302-1",
        "created_at": "2026-03-02T09:30:00.000000Z",
        "lines": [
            {
                "product_id": milk["id"],
                "quantity": 2,
                "unit_price": milk["price"],
                "discount": 10,
                "tax_rate_bp": milk["tax_rate_bp"],
            },
            {
                "product_id": bread["id"],
                "quantity": 1,
                "unit_price": 250,
                "discount": 0,
                "tax_rate_bp": bread["tax_rate_bp"],
            },
        ],
        "tenders": [{"method": "card", "amount": 100}, {"method": "cash", "amount": 10**5}],
    }
    assert stocked.stock.on_hand(milk["id"], "store") == -2
    assert stocked.stock.on_hand(bread["id"], "store") == -1
    listed = stocked.orders.get(order.id)
    assert (listed.sync_state, listed.cashier, len(listed.lines), len(listed.tenders)) == (
        "pending",
        "cg.cashier",
        2,
        2,
    )


@pytest.mark.parametrize("table", ["orders", "order_lines", "order_tenders", "outbox", "stock_delta"])
def test_a_sale_that_fails_midway_leaves_nothing(stocked: Store, products: list[dict], table: str) -> None:
    before = _counts(stocked)
    _fail_on_insert_into(stocked, table)
    with pytest.raises(sqlite3.IntegrityError, match="injected fault"):
        _sale(stocked, products[0])
    assert _counts(stocked) == before
    stocked.conn.execute("DROP TRIGGER temp.fault")
    assert _sale(stocked, products[0]).receipt_no == "T1-20260302-1"  # the failed sale used no number


def test_receipt_numbers_count_per_terminal_and_day_and_survive_a_restart(
    tmp_path: Path, products: list[dict], clock: FakeClock
) -> None:
    with Store.open(tmp_path / "c.db", terminal_id="T1", clock=clock) as store:
        load(store, products[:5])
        assert [_sale(store, products[0]).receipt_no for _ in range(3)] == [
            "T1-20260302-1",
            "T1-20260302-2",
            "T1-20260302-3",
        ]
    with Store.open(tmp_path / "c.db", terminal_id="T1", clock=clock) as store:
        assert _sale(store, products[0]).receipt_no == "T1-20260302-4"
        clock.advance(days=1)
        assert _sale(store, products[0]).receipt_no == "T1-20260303-1"
    with Store.open(tmp_path / "c.db", terminal_id="T2", clock=clock) as store:
        assert _sale(store, products[0]).receipt_no == "T2-20260303-1"


def test_the_receipt_day_is_the_devices_local_day(
    stocked: Store, products: list[dict], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.now = dt.datetime(2026, 3, 2, 23, 0, tzinfo=dt.UTC)  # already the 3rd in Auckland
    with monkeypatch.context() as patch:
        patch.setenv("TZ", "Pacific/Auckland")
        time.tzset()
        try:
            assert _sale(stocked, products[0]).receipt_no == "T1-20260303-1"
        finally:
            patch.undo()
            time.tzset()


@pytest.mark.parametrize(
    ("lines", "tenders", "message"),
    [
        ([], [Tender("cash", 100)], "at least one line"),
        ([SaleLine("nope", 1)], [Tender("cash", 100)], "not in the catalogue"),
        ([SaleLine("P0", 0)], [Tender("cash", 100)], "from 1 to 9,999"),
        ([SaleLine("P0", 10_000)], [Tender("cash", 10**9)], "from 1 to 9,999"),
        ([SaleLine("P0", 1.5)], [Tender("cash", 100)], "whole number"),  # type: ignore[arg-type]
        ([SaleLine("P0", 1, discount=10**9)], [Tender("cash", 10**6)], "discount"),
        ([SaleLine("P0", 1)], [], "at least one tender"),
        ([SaleLine("P0", 1)], [Tender("bitcoin", 100)], "Unknown tender"),  # type: ignore[arg-type]
        ([SaleLine("P0", 1)], [Tender("cash", 1)], "do not cover"),
        ([SaleLine("P0", 1)], [Tender("card", 10**6)], "Only cash"),
    ],
)
def test_a_bad_sale_is_refused_before_anything_is_written(
    stocked: Store, products: list[dict], lines: list[SaleLine], tenders: list[Tender], message: str
) -> None:
    lines = [
        SaleLine(
            products[0]["id"] if line.product_id == "P0" else line.product_id,
            line.quantity,
            line.unit_price,
            line.discount,
        )
        for line in lines
    ]
    before = _counts(stocked)
    with pytest.raises(InvalidWrite, match=message):
        stocked.writes.record_sale(lines, tenders)
    assert _counts(stocked) == before


# --- refunds -------------------------------------------------------------------------------------------------


def test_refunds_never_exceed_what_was_sold_and_return_exact_shares(stocked: Store, products: list[dict]) -> None:
    item = products[3]
    order = stocked.writes.record_sale([SaleLine(item["id"], 3, unit_price=100, discount=1)], [Tender("cash", 10**4)])
    line = order.lines[0]
    first = stocked.writes.record_refund(order.id, [RefundLine(item["id"], 1)], "damaged")
    second = stocked.writes.record_refund(order.id, [RefundLine(item["id"], 1), RefundLine(item["id"], 1)], "all")
    assert first.amount + second.amount == line.amount == 299
    assert first.tax + second.tax == line.tax
    with pytest.raises(InvalidWrite, match="only 0 are unrefunded"):
        stocked.writes.record_refund(order.id, [RefundLine(item["id"], 1)], "again")
    assert stocked.stock.on_hand(item["id"], "store") == 0
    op = stocked.outbox.get(second.id)
    assert (op.type, op.entity) == ("order.refund", f"order:{order.id}")
    assert op.payload == {
        "id": second.id,
        "order_id": order.id,
        "reason": "all",
        "created_at": second.created_at,
        "lines": [{"product_id": item["id"], "quantity": 2}],
    }
    assert stocked.orders.get(order.id).lines[0].refunded == 3


def test_a_discarded_refund_no_longer_counts(stocked: Store, products: list[dict]) -> None:
    item = products[3]
    order = _sale(stocked, item)
    refund = stocked.writes.record_refund(order.id, [RefundLine(item["id"], 1)], "oops")
    stocked.conn.execute("UPDATE outbox SET status = 'dead' WHERE id = ?", (refund.id,))
    stocked.outbox.discard(refund.id)
    assert stocked.orders.get(order.id).refunds[0].sync_state == "discarded"
    stocked.writes.record_refund(order.id, [RefundLine(item["id"], 1)], "again")


@pytest.mark.parametrize(
    ("order_id", "lines", "reason", "message"),
    [
        ("missing", [RefundLine("P", 1)], "r", "not on this terminal"),
        (None, [RefundLine("other", 1)], "r", "no such product"),
        (None, [RefundLine("P", 2)], "r", "only 1"),
        (None, [], "r", "at least one line"),
        (None, [RefundLine("P", 1)], "  ", "Reason is required"),
    ],
)
def test_a_bad_refund_is_refused(
    stocked: Store, products: list[dict], order_id: str | None, lines: list[RefundLine], reason: str, message: str
) -> None:
    order = _sale(stocked, products[0])
    lines = [
        RefundLine(products[0]["id"] if line.product_id == "P" else line.product_id, line.quantity) for line in lines
    ]
    with pytest.raises(InvalidWrite, match=message):
        stocked.writes.record_refund(order_id or order.id, lines, reason)


def test_a_server_order_can_be_cached_and_refunded_here(stocked: Store, products: list[dict]) -> None:
    item = products[5]
    stocked.orders.cache_server_order(
        {
            "id": "11111111-1111-4111-8111-111111111111",
            "terminal_id": "T9",
            "receipt_no": "T9-20260301-4",
            "created_at": "2026-03-01T10:00:00Z",
            "subtotal": 400,
            "tax": 0,
            "total": 400,
            "change": 0,
            "flags": [],
            "lines": [{"product_id": item["id"], "quantity": 2, "unit_price": 200, "discount": 0}],
            "tenders": [{"method": "card", "amount": 400}],
        }
    )
    refund = stocked.writes.record_refund("11111111-1111-4111-8111-111111111111", [RefundLine(item["id"], 2)], "r")
    assert refund.amount == 400
    assert stocked.orders.get("11111111-1111-4111-8111-111111111111").sync_state == "synced"


# --- stock ---------------------------------------------------------------------------------------------------


def test_adjustments_of_a_delivery_commit_together(stocked: Store, products: list[dict]) -> None:
    a, b = products[0]["id"], products[1]["id"]
    ids = stocked.writes.record_adjustments(
        [Adjustment(a, "receive", delta=12, note="pallet 7"), Adjustment(b, "receive", delta=5)]
    )
    assert [stocked.outbox.get(i).payload["delta"] for i in ids] == [12, 5]
    assert stocked.outbox.get(ids[0]).payload == {
        "id": ids[0],
        "product_id": a,
        "location": "store",
        "reason": "receive",
        "note": "pallet 7",
        "delta": 12,
    }
    before = _counts(stocked)
    with pytest.raises(InvalidWrite, match="Line 2"):
        stocked.writes.record_adjustments([Adjustment(a, "receive", delta=1), Adjustment(b, "damage", delta=3)])
    assert _counts(stocked) == before
    assert stocked.stock.on_hand(a, "store") == 12


def test_a_count_records_counted_and_expected(stocked: Store, products: list[dict]) -> None:
    item = products[2]["id"]
    stocked.writes.record_adjustments([Adjustment(item, "receive", delta=10)])
    _sale(stocked, products[2], quantity=3)
    [count_id] = stocked.writes.record_adjustments([Adjustment(item, "count", counted=5, note="shelf")])
    payload = stocked.outbox.get(count_id).payload
    assert (payload["counted"], payload["expected"], "delta" in payload) == (5, 7, False)
    assert stocked.stock.on_hand(item, "store") == 5


@pytest.mark.parametrize(
    ("adjustment", "message"),
    [
        (Adjustment("P", "receive", delta=-1), "more than 0"),
        (Adjustment("P", "damage", delta=2), "less than 0"),
        (Adjustment("P", "correction", delta=0), "other than 0"),
        (Adjustment("P", "count", delta=3), "counted quantity"),
        (Adjustment("P", "count"), "whole number"),
        (Adjustment("P", "receive", delta=1, counted=3), "only a count"),
        (Adjustment("P", "stolen", delta=1), "unknown reason"),  # type: ignore[arg-type]
        (Adjustment("P", "receive", delta=1, note="a\x1b[2Jb"), "control characters"),
        (Adjustment("nope", "receive", delta=1), "not in the catalogue"),
    ],
)
def test_a_bad_adjustment_is_refused(
    stocked: Store, products: list[dict], adjustment: Adjustment, message: str
) -> None:
    product_id = products[0]["id"] if adjustment.product_id == "P" else adjustment.product_id
    item = Adjustment(product_id, adjustment.reason, adjustment.delta, adjustment.counted, adjustment.note)
    with pytest.raises(InvalidWrite, match=message):
        stocked.writes.record_adjustments([item])


# --- products ------------------------------------------------------------------------------------------------


def test_a_product_edited_offline_shows_at_once_and_keeps_its_base(stocked: Store, products: list[dict]) -> None:
    item = products[4]
    edited = stocked.writes.update_product(item["id"], {"price": item["price"] + 50, "name": "Renamed Zebra Cake"})
    assert (edited.price, edited.name, edited.version, edited.local_changes) == (
        item["price"] + 50,
        "Renamed Zebra Cake",
        1,
        True,
    )
    assert [p.id for p in stocked.catalogue.search("zebra")] == [item["id"]]
    [op] = stocked.outbox.list()
    assert op.payload == {
        "product_id": item["id"],
        "version": 1,
        "price": item["price"] + 50,
        "name": "Renamed Zebra Cake",
    }
    base = json.loads(stocked.conn.execute("SELECT base FROM outbox").fetchone()[0])
    assert base == {"name": item["name"], "price": item["price"]}
    assert stocked.writes.update_product(item["id"], {"price": item["price"] + 50}) == edited  # no change, no op
    assert len(stocked.outbox.list()) == 1


def test_a_product_created_offline_can_be_found_and_sold(stocked: Store) -> None:
    created = stocked.writes.create_product(
        sku="NEW-1", name="Quokka Biscuits", price=350, tax_rate_bp=700, barcode="4006381333931", category="Bakery"
    )
    assert stocked.catalogue.lookup("4006381333931") == created
    assert created.version == 0 and created.local_changes
    [op] = stocked.outbox.list()
    assert (op.id, op.type, op.payload) == (
        created.id,
        "product.create",
        {
            "id": created.id,
            "sku": "NEW-1",
            "barcode": "4006381333931",
            "name": "Quokka Biscuits",
            "category": "Bakery",
            "price": 350,
            "tax_rate_bp": 700,
            "active": True,
        },
    )
    order = stocked.writes.record_sale([SaleLine(created.id, 2)], [Tender("cash", 1000)])
    assert order.total == 700 + 49


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"barcode": "4006381333932"}, "check digit"),
        ({"barcode": "TAKEN"}, "already belongs"),
        ({"sku": "TAKEN"}, "already belongs"),
        ({"price": 0}, "from 1"),
        ({"price": 1.99}, "whole number"),
        ({"tax_rate_bp": 10_001}, "tax rate"),
        ({"name": "a\x00b"}, "control characters"),
        ({"name": "x" * 201}, "too long"),
        ({"name": " "}, "Name is required"),
        ({"active": "yes"}, "yes or no"),
    ],
)
def test_bad_product_fields_are_refused(stocked: Store, products: list[dict], fields: dict, message: str) -> None:
    taken = products[9]
    fields = {
        k: (taken["barcode"] if k == "barcode" else taken["sku"]) if v == "TAKEN" else v for k, v in fields.items()
    }
    values = {"sku": "OK-1", "name": "Fine", "price": 100, "tax_rate_bp": 0} | fields
    before = _counts(stocked)
    with pytest.raises(InvalidWrite, match=message):
        stocked.writes.create_product(**values)
    assert _counts(stocked) == before
    with pytest.raises(InvalidWrite):
        stocked.writes.update_product(products[0]["id"], fields | ({"sku": "OK-1"} if "sku" not in fields else {}))


def test_only_editable_fields_can_change(stocked: Store, products: list[dict]) -> None:
    with pytest.raises(InvalidWrite, match="cannot be edited: version"):
        stocked.writes.update_product(products[0]["id"], {"version": 9})


# --- parked carts --------------------------------------------------------------------------------------------


def test_parked_carts_survive_a_restart_and_leave_when_resumed(tmp_path: Path, clock: FakeClock) -> None:
    cart = {"lines": [{"product_id": "p", "quantity": 2}], "discount": 0}
    with Store.open(tmp_path / "c.db", terminal_id="T1", clock=clock) as store:
        cart_id = store.parked.park(cart, "blue coat")
    with Store.open(tmp_path / "c.db", terminal_id="T1", clock=clock) as store:
        assert [(c.label, c.cart) for c in store.parked.list()] == [("blue coat", cart)]
        assert store.parked.resume(cart_id) == cart
        assert store.parked.resume(cart_id) is None
        assert store.parked.list() == []
