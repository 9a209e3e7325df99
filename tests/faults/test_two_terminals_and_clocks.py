"""Terminals that disagree with the world: the same outbox on two terminals (the database file copied, as a
restore from a backup onto a second till does), and device clocks an hour ahead and a day behind, against the
demo stack's real shop-api through offline_stack's fault proxy.

tests/offline_cache/test_offline_engine.py covers a queue exported and imported on another terminal, a clock
five minutes ahead and a day back for pulls and backoff; these add the copied file and the hour ahead."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_testkit import outbox_statuses
from offline_stack import FaultProxy, Session, pages
from offline_support import FakeClock
from test_offline_engine import Till

from backend.devstack import StackInfo
from offline_cache.models import Adjustment, RefundLine


@pytest.fixture(scope="module")
def manager(stack: StackInfo) -> Session:
    return Session(stack, "corner-manager")


@pytest.fixture
def proxy(stack: StackInfo) -> Iterator[FaultProxy]:
    with FaultProxy(stack.api_url) as running:
        yield running


def movements(session: Session, products: list[str]) -> Counter[str]:
    return Counter(
        m["source_id"] for p in products for m in pages(session, "/v1/inventory/movements", product_id=p, limit=500)
    )


def test_the_same_outbox_on_two_terminals_has_one_effect_per_op(
    manager: Session, proxy: FaultProxy, tmp_path: Path
) -> None:
    clock = FakeClock(dt.datetime.now(dt.UTC))
    first = Till(tmp_path / "first.db", manager, proxy.url, clock)
    assert first.engine.run_once().error is None
    products = first.new_products(2, stock=50)
    first.engine.run_once()
    sold = [first.sell(products[n % 2]) for n in range(20)]
    refund = first.store.writes.record_refund(sold[0], [RefundLine(products[0], 1)], "copied").id
    [count] = first.store.writes.record_adjustments([Adjustment(products[1], "count", counted=40)])
    first.store.writes.update_product(products[0], {"price": 321})
    queued = [*sold, refund, count]  # and the edit: 23 ops
    first.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(first.store.path, tmp_path / "second.db")  # the whole file: same client id, terminal, seqs
    second = Till(tmp_path / "second.db", manager, proxy.url, clock)
    assert second.store.sync_state().client_id == first.store.sync_state().client_id

    proxy.faults["push"].append("drop")  # the first's answer is lost: both then send everything
    assert first.engine.run_once().error is not None
    report = second.engine.run_once()
    assert (report.pushed, report.duplicate, report.remaining) == (0, 23, 0)
    clock.advance(seconds=5)
    report = first.engine.run_once()
    assert (report.pushed, report.duplicate, report.remaining) == (0, 23, 0)
    assert outbox_statuses(first.store)["done"] == outbox_statuses(second.store)["done"]

    moved = movements(manager, products)
    assert {op: moved[op] for op in queued} == dict.fromkeys(queued, 1)
    server_orders = [o["id"] for o in pages(manager, "/v1/orders", terminal_id=first.store.terminal_id, limit=500)]
    assert sorted(server_orders) == sorted(sold)
    assert manager.get(f"/v1/products/{products[0]}")["version"] == 2  # the edit applied once
    on_hand = manager.get("/v1/inventory", product_id=products[1])["items"][0]["on_hand"]
    assert on_hand == 40  # the count applied once: a second difference would have moved it again
    for till in (first, second):
        till.close()


@pytest.mark.parametrize("offset", [dt.timedelta(hours=1), dt.timedelta(days=-1)], ids=["hour ahead", "day behind"])
def test_a_wrong_device_clock_keeps_device_times_and_still_syncs(
    manager: Session, proxy: FaultProxy, tmp_path: Path, offset: dt.timedelta
) -> None:
    clock = FakeClock(dt.datetime.now(dt.UTC) + offset)
    till = Till(tmp_path / "till.db", manager, proxy.url, clock)
    assert till.engine.run_once().error is None
    products = till.new_products(1, stock=10)
    cursor = till.store.sync_state().cursor
    sold_at = clock.now
    order_id = till.sell(products[0])
    proxy.faults["push"] += ["503:30", "drop"]
    till.engine.run_once()
    status = till.engine.status()
    assert abs(status.state.clock_skew_seconds - offset.total_seconds()) < 30 and status.skew_warning
    assert 30 <= status.retry_in_seconds <= 60  # Retry-After counted on the device's own clock
    clock.advance(seconds=31)
    assert till.engine.run_once().error is not None  # the answer lost after the commit
    clock.advance(seconds=5)
    report = till.engine.run_once()
    assert (report.duplicate, report.remaining) == (3, 0)  # the new product, its receipt and the sale, once each
    created_at = dt.datetime.fromisoformat(manager.get(f"/v1/orders/{order_id}")["created_at"])
    assert abs((created_at - sold_at).total_seconds()) < 1  # the device's time of sale, skew and all
    manager_edit = manager.call("PATCH", f"/v1/products/{products[0]}", json={"price": 999}, headers={"If-Match": "1"})
    assert manager_edit.status_code == 200, manager_edit.text
    clock.advance(seconds=61)
    assert till.engine.run_once().error is None
    assert till.store.sync_state().cursor != cursor  # the server's cursor moved on, whatever the device's time
    assert till.store.catalogue.by_id(products[0]).price == 999
    assert till.store.stock.on_hand(products[0], "store") == 9
    till.close()
