"""Till shifts in the offline cache: each write commits its row and its outbox op together, sales and refunds join
the open shift in their own transaction, the X/Z figures follow common.till (the server's rules), a v1 cache
migrates, and a whole shift synced to the real shop-api closes with exactly the figures worked out here."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from offline_stack import Session
from offline_support import FakeClock, load

from backend.devstack import StackInfo
from common import till
from common.denominations import DENOMINATIONS, count_total, denominations
from offline_cache.db import connect
from offline_cache.engine import SyncEngine
from offline_cache.migrations import SCHEMA_VERSION, migrate
from offline_cache.models import Adjustment, RefundLine, SaleLine, Tender
from offline_cache.shifts import TenderFigure, figures_from_report
from offline_cache.store import Store
from offline_cache.writes import InvalidWrite

SHIFT_TABLES = ("shifts", "shift_cash_movements", "outbox")


def _counts(store: Store) -> dict[str, int]:
    return {table: store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in SHIFT_TABLES}


def _sell(store: Store, product: dict[str, Any], *tenders: Tender, quantity: int = 1) -> Any:
    return store.writes.record_sale([SaleLine(product["id"], quantity, unit_price=1000)], list(tenders))


@pytest.fixture
def priced(stocked: Store, products: list[dict[str, Any]]) -> tuple[Store, dict[str, Any]]:
    """A store and a product with no tax, sold at 10.00, so the figures are easy to check by hand."""
    product = {**products[0], "id": str(uuid.uuid4()), "sku": "NO-TAX-1", "barcode": None, "tax_rate_bp": 0}
    load(stocked, [product])
    return stocked, product


# --- arithmetic (common) -------------------------------------------------------------------------------------


def test_expected_cash_and_over_short_follow_the_formula() -> None:
    expected = till.expected_cash(opening_float=10000, cash_sales=2500, cash_refunds=300, paid_in=1000, paid_out=500)
    assert expected == 10000 + 2500 - 300 + 1000 - 500
    assert till.over_short(expected - 20, expected) == -20
    assert till.over_short(expected + 5, expected) == 5


def test_refunds_go_back_to_card_first_and_cash_last_cumulatively() -> None:
    taken = {"cash": 600, "card": 400}
    assert till.refund_split(taken, 0, 300) == {"card": 300, "cash": 0}
    assert till.refund_split(taken, 300, 300) == {"card": 100, "cash": 200}  # the card is used up first
    assert till.refund_split({"other": 100, "card": 100}, 0, 150) == {"card": 100, "other": 50}
    assert till.refund_split({}, 0, 70) == {"cash": 70}  # nothing tendered: cash


def test_denominations_are_one_table_shared_with_shop_api() -> None:
    from backend.schemas import shifts as schemas

    assert schemas.DENOMINATIONS is DENOMINATIONS
    assert denominations("usd") == DENOMINATIONS["USD"] and denominations("XXX") == ()
    assert count_total([(10000, 1), (25, 4), (1, 3)]) == 10103


# --- writes ----------------------------------------------------------------------------------------------------


def test_opening_commits_the_shift_and_its_op_together(store: Store) -> None:
    shift = store.shifts.open([(2000, 2), (100, 10), (25, 4)], currency="USD", opened_by="cg.cashier")
    assert (shift.status, shift.opening_float, shift.opened_by, shift.terminal_id) == ("open", 5100, "cg.cashier", "T1")
    assert shift.opening_breakdown is not None and (2000, 2) in shift.opening_breakdown
    assert store.shifts.current() == shift
    [op] = store.outbox.list()
    assert (op.id, op.type, op.entity) == (shift.id, "shift.open", f"shift:{shift.id}")
    breakdown = op.payload["opening_float"]
    assert [item["denomination"] for item in breakdown] == sorted(DENOMINATIONS["USD"], reverse=True)
    assert count_total((item["denomination"], item["count"]) for item in breakdown) == 5100
    assert op.payload == {
        "id": shift.id,
        "terminal_id": "T1",
        "opening_float": breakdown,
        "opened_at": "2026-03-02T09:30:00.000000Z",
    }


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ([(3, 1)], "no coin or note of 3"),
        ([(100, 1), (100, 2)], "once"),
        ([(100, -1)], "whole number"),
        (-5, "from 0"),
        (True, "amount"),
    ],
)
def test_a_float_the_currency_cannot_have_is_refused_before_anything_is_stored(
    store: Store, amount: Any, message: str
) -> None:
    with pytest.raises(InvalidWrite, match=message):
        store.shifts.open(amount, currency="USD")
    assert _counts(store) == dict.fromkeys(SHIFT_TABLES, 0)


def test_a_currency_without_a_table_takes_a_total_only(store: Store) -> None:
    with pytest.raises(InvalidWrite, match="as a total"):
        store.shifts.open([(100, 1)], currency="XTS")
    assert store.shifts.open(5000, currency="XTS").opening_float == 5000


def test_one_open_shift_per_terminal(store: Store) -> None:
    store.shifts.open(100, currency="USD")
    with pytest.raises(InvalidWrite, match="already has a shift open"):
        store.shifts.open(100, currency="USD")
    assert _counts(store)["shifts"] == 1


@pytest.mark.parametrize("table", ["shifts", "outbox"])
def test_an_open_that_fails_midway_leaves_nothing(store: Store, table: str) -> None:
    store.conn.execute(
        f"CREATE TEMP TRIGGER fault BEFORE INSERT ON main.{table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="injected fault"):
        store.shifts.open(100, currency="USD")
    assert _counts(store) == dict.fromkeys(SHIFT_TABLES, 0)
    assert store.conn.execute("SELECT next_seq FROM sync_state").fetchone()[0] == 1


def test_cash_movements_need_an_open_shift_and_a_reason(store: Store, clock: FakeClock) -> None:
    with pytest.raises(InvalidWrite, match="no shift open"):
        store.shifts.record_cash("paid_out", 500, "milk")
    shift = store.shifts.open(10000, currency="USD")
    with pytest.raises(InvalidWrite, match="required"):
        store.shifts.record_cash("paid_out", 500, "  ")
    with pytest.raises(InvalidWrite, match="from 1"):
        store.shifts.record_cash("paid_in", 0, "change")
    with pytest.raises(InvalidWrite, match="Unknown"):
        store.shifts.record_cash("stolen", 5, "x")
    clock.advance(minutes=5)
    movement = store.shifts.record_cash("paid_out", 500, " milk for the staff room ", created_by="cg.cashier")
    op = store.outbox.get(movement.id)
    assert op is not None and (op.type, op.entity) == ("shift.cash", f"shift:{shift.id}")
    assert op.payload == {
        "id": movement.id,
        "shift_id": shift.id,
        "kind": "paid_out",
        "amount": 500,
        "reason": "milk for the staff room",
        "created_at": "2026-03-02T09:35:00.000000Z",
    }


def test_closing_queues_the_count_and_later_sales_join_no_shift(priced: tuple[Store, dict[str, Any]]) -> None:
    store, product = priced
    shift = store.shifts.open(5000, currency="USD")
    inside = _sell(store, product, Tender("cash", 1000))
    closed = store.shifts.close([(1000, 6)], currency="USD", closed_by="cg.cashier")
    assert (closed.status, closed.counted_cash, store.shifts.current()) == ("closed", 6000, None)
    ops = store.outbox.list()
    assert [op.type for op in ops] == ["shift.open", "order.create", "shift.close"]
    assert ops[-1].payload["shift_id"] == shift.id and ops[-1].payload["closed_at"] == closed.closed_at
    after = _sell(store, product, Tender("cash", 1000))
    joined = dict(store.conn.execute("SELECT order_id, shift_id FROM shift_orders").fetchall())
    assert joined == {inside.id: shift.id}
    assert after.id not in joined
    with pytest.raises(InvalidWrite, match="no shift open"):
        store.shifts.close(0, currency="USD")
    figures = store.shifts.figures(shift.id)
    assert (figures.report, figures.expected_cash, figures.counted_cash, figures.over_short) == ("Z", 6000, 6000, 0)


# --- figures ---------------------------------------------------------------------------------------------------


def test_x_figures_from_local_sales_refunds_and_cash(priced: tuple[Store, dict[str, Any]], clock: FakeClock) -> None:
    store, product = priced
    shift = store.shifts.open(10000, currency="USD")
    cash = _sell(store, product, Tender("cash", 2000))  # 10.00 with 10.00 change
    clock.advance(minutes=1)
    card = _sell(store, product, Tender("card", 1000))
    clock.advance(minutes=1)
    split = _sell(store, product, Tender("card", 1200), Tender("cash", 1000), quantity=2)  # 12.00 card, 8.00 cash
    store.writes.record_refund(split.id, [RefundLine(product["id"], 1)], "broken")  # 10.00: card 10.00
    store.writes.record_refund(split.id, [RefundLine(product["id"], 1)], "broken")  # card 2.00, cash 8.00
    store.shifts.record_cash("paid_in", 2500, "coins from the bank")
    store.shifts.record_cash("paid_out", 500, "milk")
    figures = store.shifts.figures(shift.id)
    assert figures.report == "X" and figures.counted_cash is None and figures.over_short is None
    assert (figures.order_count, figures.first_receipt_no, figures.last_receipt_no) == (
        3,
        cash.receipt_no,
        split.receipt_no,
    )
    assert (figures.sales_total, figures.sales_tax) == (4000, 0)
    assert figures.sales_by_tender == (TenderFigure("card", 2, 2200), TenderFigure("cash", 2, 1800))
    assert (figures.refund_count, figures.refund_total, dict(figures.refunds_by_tender)) == (
        2,
        2000,
        {"card": 1200, "cash": 800},
    )
    assert (figures.paid_in, figures.paid_out, figures.cash_sales, figures.cash_refunds) == (2500, 500, 1800, 800)
    assert figures.expected_cash == 10000 + 1800 - 800 + 2500 - 500
    assert card.id in {row[0] for row in store.conn.execute("SELECT order_id FROM shift_orders")}
    state = store.shifts.sync(shift.id)
    assert (state.unsent, state.failed, state.provisional) == (1 + 3 + 2 + 2, 0, True)


def test_a_discarded_sale_leaves_the_figures(priced: tuple[Store, dict[str, Any]]) -> None:
    store, product = priced
    shift = store.shifts.open(0, currency="USD")
    kept = _sell(store, product, Tender("cash", 1000))
    dropped = _sell(store, product, Tender("cash", 1000))
    store.conn.execute("UPDATE outbox SET status = 'dead' WHERE id = ?", (dropped.id,))
    assert store.shifts.sync(shift.id).failed == 1
    store.outbox.discard(dropped.id)
    figures = store.shifts.figures(shift.id)
    assert (figures.order_count, figures.cash_sales, figures.first_receipt_no) == (1, 1000, kept.receipt_no)
    assert store.shifts.sync(shift.id).discarded == 1


def test_a_version_1_cache_migrates_with_its_orders_kept_outside_any_shift(tmp_path: Path, clock: FakeClock) -> None:
    old = connect(tmp_path / "v1.db")
    migrate(old, target=1)
    old.execute(
        "INSERT INTO orders (id, origin, terminal_id, receipt_no, created_at, subtotal, tax, total, change) "
        "VALUES ('o1', 'local', 'T1', 'T1-1', '2026-03-01T10:00:00.000000Z', 100, 0, 100, 0)"
    )
    old.close()
    with Store.open(tmp_path / "v1.db", terminal_id="T1", clock=clock) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.orders.get("o1") is not None
        shift = store.shifts.open(100, currency="USD")
        assert store.shifts.figures(shift.id).order_count == 0  # an order from before the shift is not in it


# --- against shop-api ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manager(stack: StackInfo) -> Session:
    return Session(stack, "corner-manager")


def test_a_whole_offline_shift_syncs_to_the_same_z_as_here(tmp_path: Path, stack: StackInfo, manager: Session) -> None:
    """Open by denomination, sales by several tenders with change, refunds (card first), paid in and out, close
    with a count: all queued offline, then one sync. The server's Z (the close's answer, kept by the ack, and
    GET /v1/shifts/{id}) equals the local one, field by field."""
    clock = FakeClock(dt.datetime.now(dt.UTC))
    terminal = f"OS{uuid.uuid4().hex[:8]}"
    with (
        Store.open(tmp_path / "till.db", terminal_id=terminal, clock=clock) as store,
        Store.open(tmp_path / "till.db", terminal_id=terminal, clock=clock) as own,
    ):
        transport = manager.transport()
        engine = SyncEngine(own, transport, rng=random.Random(5))
        try:
            tag = uuid.uuid4().hex[:8].upper()
            product = store.writes.create_product(
                sku=f"SH-{tag}", name=f"Shift Test {tag}", price=1250, tax_rate_bp=800, category="Tests"
            )
            store.writes.record_adjustments([Adjustment(product.id, "receive", delta=100)])
            shift = store.shifts.open(
                [(2000, 2), (500, 4), (100, 10), (25, 8)], currency="USD", opened_by="corner-manager"
            )
            orders = []
            for n in range(12):
                clock.advance(seconds=30)
                total = 1350 * (1 + n % 3)  # 12.50 + 8 % tax = 13.50 a unit
                tenders = (
                    [Tender("cash", total + 150)]
                    if n % 4 == 0
                    else [Tender("card", total)]
                    if n % 4 == 1
                    else [Tender("card", 500), Tender("cash", total)]
                    if n % 4 == 2
                    else [Tender("other", 100), Tender("cash", total - 100)]
                )
                orders.append(store.writes.record_sale([SaleLine(product.id, 1 + n % 3)], tenders))
            store.writes.record_refund(orders[2].id, [RefundLine(product.id, 2)], "wrong size")
            store.writes.record_refund(orders[3].id, [RefundLine(product.id, 1)], "faulty")
            store.shifts.record_cash("paid_in", 1000, "more change", created_by="corner-manager")
            store.shifts.record_cash("paid_out", 500, "window cleaner", created_by="corner-manager")
            local_x = store.shifts.figures(shift.id)
            store.shifts.close(local_x.expected_cash - 35, currency="USD", closed_by="corner-manager")
            local_z = store.shifts.figures(shift.id)
            assert store.shifts.sync(shift.id).provisional
            report = engine.run_once()
            assert (report.rejected, report.conflicts, report.remaining) == (0, 0, 0)
        finally:
            transport.close()
        assert not store.shifts.sync(shift.id).provisional
        server_z = manager.get(f"/v1/shifts/{shift.id}")
        kept = store.shifts.get(shift.id)
        assert kept is not None and kept.server_report == server_z  # the close's answer, kept by the ack
        assert figures_from_report(server_z) == store.shifts.figures(shift.id) == local_z
        assert (local_z.over_short, local_z.order_count, local_z.refund_count) == (-35, 12, 2)
        assert dict(local_z.refunds_by_tender)["card"] > 0  # the split order's refund went to the card first


def test_opening_where_the_server_has_a_shift_open_is_a_conflict_with_theirs(
    tmp_path: Path, stack: StackInfo, manager: Session
) -> None:
    terminal = f"OS{uuid.uuid4().hex[:8]}"
    online = manager.call(
        "POST", "/v1/shifts", json={"id": str(uuid.uuid4()), "terminal_id": terminal, "opening_float": 100}
    )
    assert online.status_code == 201
    with Store.open(tmp_path / "till.db", terminal_id=terminal) as store:
        transport = manager.transport()
        try:
            store.shifts.open(200, currency="USD")
            report = SyncEngine(store, transport).run_once()
        finally:
            transport.close()
        assert report.conflicts == 1
        [conflict] = store.conflicts.list()
        assert conflict.theirs is not None and conflict.theirs["id"] == online.json()["id"]
