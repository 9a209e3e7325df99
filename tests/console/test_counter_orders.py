"""Orders and refunds as services: today's orders with their sync state and filters, refund limits counting
earlier refunds, and a product's recent movements on this terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from counter_support import FakeClock, catalogue, filled_store

from console.counter import refunds
from console.counter.fields import FormErrors
from console.counter.orders_view import OrdersView, parse_day, parse_state
from console.counter.stock_levels import listed, recent_movements, rows_for, unsettled_movements
from offline_cache.models import Adjustment, SaleLine, Tender
from offline_cache.store import Store


@pytest.fixture
def products() -> list[dict[str, Any]]:
    return catalogue(20, kind="grocery")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, products: list[dict[str, Any]], clock: FakeClock) -> Iterator[Store]:
    levels = {products[0]["id"]: 12, products[1]["id"]: 1, products[2]["id"]: 8}
    with filled_store(tmp_path / "cache.db", products, clock, levels) as opened:
        yield opened


def sell(store: Store, products: list[dict[str, Any]], *quantities: int) -> str:
    lines = [SaleLine(products[n]["id"], q) for n, q in enumerate(quantities) if q]
    return store.writes.record_sale(lines, [Tender("cash", 10**7)], cashier="corner-cashier").id


def test_refund_lines_never_more_than_sold_counting_earlier_refunds(store: Store, products: list[dict]) -> None:
    order_id = sell(store, products, 3, 1)
    order = store.orders.get(order_id)
    assert order is not None
    refunds.record(store, order_id, {1: "2"}, "wrong size")
    order = store.orders.get(order_id)
    assert order is not None
    assert [(line.line_no, line.left) for line in refunds.refundable(order)] == [(1, 1), (2, 1)]
    with pytest.raises(FormErrors) as refused:
        refunds.record(store, order_id, {1: "2"}, "again")
    assert refused.value.errors == {"1": "Only 1 of 3 can be refunded: 2 were refunded before."}
    with pytest.raises(FormErrors) as refused:
        refunds.record(store, order_id, {1: "1", 2: "x"}, "  ")
    assert refused.value.errors == {
        "reason": "A refund needs a reason.",
        "2": "A quantity is a whole number from 1 to 9,999, not 'x'.",
    }
    with pytest.raises(FormErrors) as refused:
        refunds.record(store, order_id, {}, "nothing")
    assert refused.value.errors == {"": "Type a quantity on at least one line, or refund the whole order."}
    whole = refunds.whole_order(order)
    assert whole == {1: "1", 2: "1"}
    refunds.record(store, order_id, whole, "customer returned all")
    done = store.orders.get(order_id)
    assert done is not None and all(line.refunded == line.quantity for line in done.lines)
    assert refunds.whole_order(done) == {}
    with pytest.raises(FormErrors) as refused:
        refunds.record(store, order_id, {1: "1"}, "more")
    assert refused.value.errors == {"1": "This line is refunded in full already."}
    refund_ops = [op.payload for op in store.outbox.list() if op.type == "order.refund"]
    assert [(p["lines"], p["reason"]) for p in refund_ops] == [
        ([{"product_id": products[0]["id"], "quantity": 2}], "wrong size"),
        (
            [{"product_id": products[0]["id"], "quantity": 1}, {"product_id": products[1]["id"], "quantity": 1}],
            "customer returned all",
        ),
    ]
    assert store.stock.on_hand(products[0]["id"], "store") == 12  # sold 3, all back


def test_orders_of_today_by_default_with_filters(store: Store, products: list[dict], clock: FakeClock) -> None:
    tz = dt.UTC
    today = clock().date()
    first = sell(store, products, 1)
    clock.advance(minutes=5)
    second = sell(store, products, 2)
    clock.advance(days=1)
    sell(store, products, 1)  # tomorrow's
    view = OrdersView(today, tz, page_size=1)
    page = view.reload(store)
    assert [o.id for o in page.orders] == [second] and page.has_more
    assert [o.id for o in view.next(store).orders] == [first]
    assert [o.id for o in view.previous(store).orders] == [second]
    assert {o.sync_state for o in view.set_filter(store, state="pending").orders} == {"pending"}
    assert view.set_filter(store, state="synced").orders == []
    assert view.set_filter(store, state=None, terminal_id="T9").orders == []
    assert len(OrdersView(today + dt.timedelta(days=1), tz).reload(store).orders) == 1
    assert parse_day("yesterday", today) == today - dt.timedelta(days=1)
    assert parse_day("-2", today) == today - dt.timedelta(days=2)
    assert parse_day("2026-03-01", today) == dt.date(2026, 3, 1)
    with pytest.raises(ValueError, match="is not a day"):
        parse_day("tomorrow\x07", today)
    assert parse_state("Failed") == "failed" and parse_state("any") is None
    with pytest.raises(ValueError, match="is not a sync state"):
        parse_state("lost")


def test_stock_rows_lists_and_movements(store: Store, products: list[dict]) -> None:
    sell(store, products, 0, 3)  # the second product had 1: oversold
    store.writes.record_adjustments([Adjustment(products[2]["id"], "damage", delta=-5, note="wet")])
    rows = rows_for(store, [store.catalogue.by_id(p["id"]) for p in products[:4]], "store")  # type: ignore[misc]
    assert [row.tone for row in rows] == ["ok", "oversold", "low", "none"]
    assert [row.product.id for row in listed(store, "oversold")] == [products[1]["id"]]
    assert [row.product.id for row in listed(store, "below_reorder")] == [products[1]["id"], products[2]["id"]]
    moved = unsettled_movements(store, products[2]["id"])
    assert [(m.reason, m.delta, m.note, m.unsent) for m in moved] == [("damage", -5, "wet", True)]
    offline = recent_movements(moved, None, products[2]["id"])
    assert offline.items == moved and offline.note.startswith("offline")
