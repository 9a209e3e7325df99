"""The sync engine against the real shop-api of the local stack, through a loopback fault proxy: pushes exactly
once, pulls, and how each failure is sorted (network, 5xx, 429, 401, 403, malformed batch, per-op refusals,
conflicts), with the fixes a person makes (retry, discard, keep mine, take theirs)."""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from offline_stack import FaultProxy, Session
from offline_support import FakeClock

from backend.devstack import StackInfo
from offline_cache import outbox
from offline_cache.engine import Backoff, SyncEngine, SyncProgress, SyncReport
from offline_cache.models import Adjustment, RefundLine, SaleLine, Tender
from offline_cache.store import Store


@pytest.fixture(scope="module")
def manager(stack: StackInfo) -> Session:
    return Session(stack, "corner-manager")


@pytest.fixture(scope="module")
def cashier(stack: StackInfo) -> Session:
    return Session(stack, "corner-cashier")


@pytest.fixture
def clock() -> FakeClock:
    """The device's clock, starting at the real time (the server's Date is real)."""
    return FakeClock(dt.datetime.now(dt.UTC))


@pytest.fixture
def proxy(stack: StackInfo) -> Iterator[FaultProxy]:
    with FaultProxy(stack.api_url) as running:
        yield running


class Till:
    """A terminal as the console runs one: the counter's store, and the engine on its own connection."""

    def __init__(self, path: Path, session: Session, url: str, clock: FakeClock, **options: Any) -> None:
        terminal_id = f"OC{uuid.uuid4().hex[:8]}"  # receipt numbers are unique per terminal on the shared server
        self.session = session
        self.store = Store.open(path, terminal_id=terminal_id, clock=clock)
        self._own = Store.open(path, terminal_id=terminal_id, clock=clock)
        self._transport = session.transport(url)
        self.engine = SyncEngine(self._own, self._transport, rng=random.Random(3), **options)

    def new_products(self, count: int, stock: int = 0) -> list[str]:
        tag = uuid.uuid4().hex[:8].upper()
        ids = [
            self.store.writes.create_product(
                sku=f"OC-{tag}-{n}", name=f"Offline Test {tag} {n}", price=250 + n, tax_rate_bp=800, category="Tests"
            ).id
            for n in range(count)
        ]
        if stock:
            self.store.writes.record_adjustments([Adjustment(product_id, "receive", delta=stock) for product_id in ids])
        return ids

    def sell(self, product_id: str, quantity: int = 1) -> str:
        return self.store.writes.record_sale([SaleLine(product_id, quantity)], [Tender("cash", 10**6)]).id

    def close(self) -> None:
        for closable in (self.store, self._own, self._transport):
            closable.close()


@pytest.fixture
def till(tmp_path: Path, proxy: FaultProxy, clock: FakeClock) -> Iterator[Callable[..., Till]]:
    """`till(session, **engine_options)`: a new terminal behind the fault proxy, after its first full pull."""
    made: list[Till] = []

    def make(session: Session, *, pull_first: bool = True, **options: Any) -> Till:
        made.append(Till(tmp_path / f"till{len(made)}.db", session, proxy.url, clock, **options))
        if pull_first:
            assert made[-1].engine.run_once().error is None
        return made[-1]

    yield make
    for each in made:
        each.close()


@pytest.fixture
def shelf(till: Callable[..., Till], manager: Session) -> Iterator[tuple[Till, list[str]]]:
    """A manager's till with three new products on the server, 40 of each in stock."""
    terminal = till(manager)
    products = terminal.new_products(3, stock=40)
    assert terminal.engine.run_once().remaining == 0
    yield terminal, products


def _server_on_hand(session: Session, product_id: str) -> int:
    items = session.get("/v1/inventory", product_id=product_id)["items"]
    return sum(item["on_hand"] for item in items if item["location"] == "store")


def _assert_stock_matches_server(terminal: Till, products: list[str]) -> None:
    for product_id in products:
        assert terminal.store.stock.on_hand(product_id, "store") == _server_on_hand(terminal.session, product_id)


# --- pull ----------------------------------------------------------------------------------------------------


def test_the_initial_pull_streams_pages_and_builds_the_search_index(
    till: Callable[..., Till], shelf: tuple[Till, list[str]], manager: Session
) -> None:
    _, products = shelf
    progress: list[SyncProgress] = []
    fresh = till(manager, pull_first=False, pull_limit=2, on_progress=progress.append)
    report = fresh.engine.run_once()
    assert report.error is None and report.pulled >= 6
    assert [p.done for p in progress][:3] == [2, 4, 6] and progress[-1].done == report.pulled
    assert fresh.store.sync_state().initial_pull_done
    name = fresh.store.catalogue.by_id(products[1]).name
    assert fresh.store.catalogue.search(name)[0].id == products[1]
    assert fresh.store.stock.on_hand(products[0], "store") == 40


def test_an_interrupted_pull_resumes_from_its_cursor(
    till: Callable[..., Till], shelf: tuple[Till, list[str]], manager: Session, proxy: FaultProxy
) -> None:
    _, products = shelf
    fresh = till(manager, pull_first=False, pull_limit=2)
    proxy.faults["pull"] += [None, "cut"]
    report = fresh.engine.run_once()
    assert report.pulled == 2 and report.error is not None and fresh.engine.online is False
    cursor = fresh.store.sync_state().cursor
    assert cursor is not None and not fresh.store.sync_state().initial_pull_done
    pulls = proxy.requests["pull"]
    report = fresh.engine.run_once(force=True)
    assert report.error is None and fresh.store.sync_state().initial_pull_done
    total = fresh.store.catalogue.count() + fresh.store.conn.execute("SELECT COUNT(*) FROM stock").fetchone()[0]
    assert 2 + report.pulled == total  # nothing pulled twice
    assert proxy.requests["pull"] - pulls == max(1, -(-report.pulled // 2))
    assert all(fresh.store.catalogue.by_id(product_id) for product_id in products)


def test_a_delta_pull_brings_server_edits(shelf: tuple[Till, list[str]], manager: Session, clock: FakeClock) -> None:
    terminal, products = shelf
    edited = manager.call("PATCH", f"/v1/products/{products[0]}", json={"price": 4242}, headers={"If-Match": "1"})
    assert edited.status_code == 200, edited.text
    assert terminal.engine.run_once().pulled == 0  # pulled moments ago: not due yet
    clock.advance(seconds=61)
    assert terminal.engine.run_once().pulled >= 1
    assert terminal.store.catalogue.by_id(products[0]).price == 4242


# --- push ----------------------------------------------------------------------------------------------------


def test_offline_work_drains_exactly_once_and_the_cache_matches_the_server(
    till: Callable[..., Till], manager: Session
) -> None:
    terminal = till(manager, batch_size=8)
    products = terminal.new_products(3, stock=40)
    orders = [terminal.sell(products[n % 3], quantity=1 + n % 2) for n in range(24)]
    refund = terminal.store.writes.record_refund(orders[0], [RefundLine(products[0], 1)], "dented tin")
    terminal.store.writes.record_adjustments([Adjustment(products[2], "count", counted=30)])
    report = terminal.engine.run_once()
    assert (report.pushed, report.rejected, report.conflicts, report.remaining) == (3 + 3 + 24 + 1 + 1, 0, 0, 0)
    for order_id in orders:
        server_order = manager.get(f"/v1/orders/{order_id}")
        local = terminal.store.orders.get(order_id)
        assert (server_order["subtotal"], server_order["tax"], server_order["total"]) == (
            local.subtotal,
            local.tax,
            local.total,
        )  # the same arithmetic on both sides
        assert local.sync_state == "synced"
    [server_refund] = manager.get(f"/v1/orders/{orders[0]}")["refunds"]
    [local_refund] = terminal.store.orders.get(orders[0]).refunds
    assert (server_refund["id"], server_refund["amount"], server_refund["tax"]) == (
        refund.id,
        local_refund.amount,
        local_refund.tax,
    )
    _assert_stock_matches_server(terminal, products)
    assert _server_on_hand(manager, products[2]) == 30
    assert terminal.store.conn.execute("SELECT COUNT(*) FROM stock_delta").fetchone()[0] == 0  # settled by the pull
    state = terminal.store.sync_state()
    assert state.last_applied_seq == 32 and state.last_push_at is not None


def test_a_lost_answer_is_resent_and_answered_as_a_duplicate(
    shelf: tuple[Till, list[str]], proxy: FaultProxy, clock: FakeClock
) -> None:
    terminal, products = shelf
    sold = [terminal.sell(products[n]) for n in range(3)]
    proxy.faults["push"].append("drop")  # shop-api commits; the answer never arrives
    report = terminal.engine.run_once()
    assert report.error is not None and report.remaining == 3
    assert {terminal.store.outbox.get(op).status for op in sold} == {"pending"}
    assert terminal.store.stock.on_hand(products[0], "store") == 39  # the sale shows, once
    clock.advance(seconds=2)
    report = terminal.engine.run_once()
    assert (report.pushed, report.duplicate, report.remaining) == (0, 3, 0)
    _assert_stock_matches_server(terminal, products)
    assert _server_on_hand(terminal.session, products[0]) == 39


@pytest.mark.parametrize("fault", ["503", "502", "500", "cut", "truncate"])
def test_server_and_network_failures_back_off_and_keep_the_op(
    shelf: tuple[Till, list[str]], proxy: FaultProxy, clock: FakeClock, fault: str
) -> None:
    terminal, products = shelf
    op_id = terminal.sell(products[0])
    proxy.faults["push"].append(fault)
    report = terminal.engine.run_once()
    assert report.error and report.remaining == 1
    op = terminal.store.outbox.get(op_id)
    assert (op.status, op.attempts) == ("pending", 1) and op.last_error and op.next_attempt_at
    pushes = proxy.requests["push"]
    assert terminal.engine.run_once().remaining == 1  # still backing off: nothing sent
    assert proxy.requests["push"] == pushes
    clock.advance(seconds=1)
    assert terminal.engine.run_once().remaining == 0
    assert _server_on_hand(terminal.session, products[0]) == 39


def test_retry_after_is_honoured(shelf: tuple[Till, list[str]], proxy: FaultProxy, clock: FakeClock) -> None:
    terminal, products = shelf
    terminal.sell(products[0])
    proxy.faults["push"].append("429:30")
    terminal.engine.run_once()
    assert 30 <= terminal.engine.status().retry_in_seconds <= 60
    clock.advance(seconds=29)
    assert terminal.engine.run_once().remaining == 1
    clock.advance(seconds=2)
    assert terminal.engine.run_once().remaining == 0


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(random.Random(1), base=1.0, cap=60.0)
    delays = [backoff.next_delay() for _ in range(10)]
    for step, delay in zip([1, 2, 4, 8, 16, 32, 60, 60, 60, 60], delays, strict=True):
        assert step / 2 <= delay <= step
    assert len(set(delays)) == 10  # jittered
    assert backoff.next_delay(retry_after=500) == 60


def test_coming_back_online_ends_the_backoff(shelf: tuple[Till, list[str]], proxy: FaultProxy) -> None:
    terminal, products = shelf
    terminal.sell(products[0])
    proxy.faults["push"] += ["503"] * 5
    for _ in range(5):
        terminal.engine.run_once(force=True)
    assert terminal.engine.status().retry_in_seconds > 5
    proxy.faults["health"].append("cut")
    assert not terminal.engine.probe()  # offline noticed
    assert terminal.engine.probe()  # and back
    assert terminal.engine.run_once().remaining == 0


def test_a_401_refreshes_the_session_and_carries_on(shelf: tuple[Till, list[str]], manager: Session) -> None:
    terminal, products = shelf
    terminal.sell(products[0])
    manager.access_token = "expired-or-forged"
    refreshes = manager.refreshes
    report = terminal.engine.run_once()
    assert (report.pushed, report.remaining, manager.refreshes) == (1, 0, refreshes + 1)


def test_when_the_session_cannot_be_refreshed_the_queue_is_held(
    till: Callable[..., Till], stack: StackInfo, clock: FakeClock
) -> None:
    session = Session(stack, "corner-manager")
    terminal = till(session)
    [product_id] = terminal.new_products(1)
    session.access_token, session.can_refresh = "expired", False
    report = terminal.engine.run_once()
    assert "sign in again" in report.error and report.remaining == 1
    assert terminal.engine.status().needs_sign_in
    assert terminal.store.outbox.get(product_id).status == "pending"
    session.can_refresh = True
    clock.advance(seconds=5)
    assert terminal.engine.run_once().remaining == 0
    assert not terminal.engine.status().needs_sign_in


def test_a_push_this_user_may_not_make_is_held_not_dropped(shelf: tuple[Till, list[str]], proxy: FaultProxy) -> None:
    terminal, products = shelf
    terminal.sell(products[0])
    proxy.faults["push"].append("403")
    report = terminal.engine.run_once()
    assert report.error.startswith("403") and report.remaining == 1 and report.rejected == 0


def test_a_batch_refused_as_a_whole_is_narrowed_down_to_the_bad_op(
    shelf: tuple[Till, list[str]], proxy: FaultProxy
) -> None:
    terminal, products = shelf
    sold = [terminal.sell(products[n % 3]) for n in range(4)]
    proxy.faults["push"] += ["422", "422", "422"]  # 4 ops, then 2, then the first alone
    report = terminal.engine.run_once()
    assert (report.rejected, report.pushed, report.remaining) == (1, 3, 0)
    assert terminal.store.outbox.get(sold[0]).status == "dead"
    assert terminal.store.orders.get(sold[0]).sync_state == "failed"


def test_an_op_in_flight_when_the_engine_died_is_resent_on_start(
    shelf: tuple[Till, list[str]], manager: Session
) -> None:
    terminal, products = shelf
    op_id = terminal.sell(products[0])
    outbox.mark_in_flight(terminal.store.conn, outbox.due_batch(terminal.store.conn, 10))
    restarted = SyncEngine(Store.open(terminal.store.path, terminal_id=terminal.store.terminal_id), manager.transport())
    try:
        assert restarted.recovered == 1
        assert restarted.run_once().pushed == 1
    finally:
        restarted._store.close()
    assert terminal.store.outbox.get(op_id).status == "done"


# --- dead letters and conflicts ------------------------------------------------------------------------------


def test_an_op_the_role_may_not_send_is_dead_and_the_rest_go_on(
    shelf: tuple[Till, list[str]], till: Callable[..., Till], cashier: Session
) -> None:
    _, products = shelf
    terminal = till(cashier)
    [adjustment] = terminal.store.writes.record_adjustments([Adjustment(products[0], "receive", delta=5)])
    sale = terminal.sell(products[0], quantity=2)
    report = terminal.engine.run_once()
    assert (report.rejected, report.pushed, report.remaining) == (1, 1, 0)
    dead = terminal.store.outbox.get(adjustment)
    assert dead.status == "dead" and dead.http_status == 403 and "manager" in dead.last_error
    assert terminal.store.orders.get(sale).sync_state == "synced"
    assert terminal.store.stock.on_hand(products[0], "store") == 38  # the refused receipt does not count
    terminal.store.outbox.discard(adjustment)
    assert terminal.store.outbox.get(adjustment).resolution == "discarded"
    assert terminal.store.outbox.summary().dead == 0 and terminal.store.exit_check().allowed


def test_a_dead_letter_blocks_only_its_entity_and_is_fixed_and_retried(
    shelf: tuple[Till, list[str]], manager: Session
) -> None:
    terminal, products = shelf
    store = terminal.store
    taken = store.catalogue.by_id(products[0]).sku
    created = store.writes.create_product(sku=f"{taken}-X", name="Late Arrival", price=100, tax_rate_bp=0)
    store.conn.execute("UPDATE outbox SET payload = json_set(payload, '$.sku', ?) WHERE id = ?", (taken, created.id))
    store.writes.update_product(created.id, {"price": 120})  # made on top of the create: waits behind it
    sale = terminal.sell(products[1])
    report = terminal.engine.run_once()
    assert (report.rejected, report.pushed, report.remaining) == (1, 1, 1)
    dead = store.outbox.get(created.id)
    assert (dead.status, dead.http_status) == ("dead", 422) and f"SKU {taken} is already used" in dead.last_error
    [blocked] = [op for op in store.outbox.list() if op.blocked]
    assert blocked.type == "product.update" and store.outbox.summary().blocked == 1
    assert store.outbox.get(sale).status == "done"
    assert store.catalogue.by_id(created.id) is None  # refused: it no longer shows
    assert not store.exit_check().allowed
    store.outbox.retry(created.id, {**dead.payload, "sku": f"{taken}-X"})
    assert store.catalogue.by_id(created.id).price == 120
    assert terminal.engine.run_once(force=True).pushed == 2
    server = manager.get(f"/v1/products/{created.id}")
    assert (server["sku"], server["price"], server["version"]) == (f"{taken}-X", 120, 2)
    assert store.catalogue.by_id(created.id).version == 2


def test_a_stale_edit_becomes_a_conflict_and_keep_mine_resends_it(
    shelf: tuple[Till, list[str]], manager: Session
) -> None:
    terminal, products = shelf
    store = terminal.store
    store.writes.update_product(products[0], {"price": 199})
    store.writes.update_product(products[0], {"name": "Mine Later Name"})
    response = manager.call(
        "PATCH", f"/v1/products/{products[0]}", json={"category": "Theirs"}, headers={"If-Match": "1"}
    )
    assert response.status_code == 200, response.text
    assert terminal.engine.run_once().conflicts == 1
    [conflict] = store.conflicts.list()
    assert conflict.base == {"price": 250}
    assert conflict.mine == {"product_id": products[0], "version": 1, "price": 199}
    assert (conflict.theirs["version"], conflict.theirs["category"]) == (2, "Theirs")
    local = store.catalogue.by_id(products[0])
    assert (local.price, local.category, local.name) == (250, "Theirs", "Mine Later Name")  # theirs + blocked edit
    store.conflicts.keep_mine(conflict.id)
    report = terminal.engine.run_once(force=True)
    assert (report.pushed, report.conflicts, report.remaining) == (2, 0, 0)
    server = manager.get(f"/v1/products/{products[0]}")
    assert (server["price"], server["category"], server["name"], server["version"]) == (
        199,
        "Theirs",
        "Mine Later Name",
        4,
    )
    assert store.conflicts.list() == [] and store.conflicts.list(open_only=False)[0].resolution == "kept_mine"
    local = store.catalogue.by_id(products[0])
    assert (local.price, local.version, local.local_changes) == (199, 4, False)


def test_take_theirs_drops_my_edit(shelf: tuple[Till, list[str]], manager: Session) -> None:
    terminal, products = shelf
    terminal.store.writes.update_product(products[1], {"price": 111})
    response = manager.call("PATCH", f"/v1/products/{products[1]}", json={"price": 222}, headers={"If-Match": "1"})
    assert response.status_code == 200, response.text
    terminal.engine.run_once()
    [conflict] = terminal.store.conflicts.list()
    terminal.store.conflicts.take_theirs(conflict.id)
    assert terminal.engine.run_once(force=True).remaining == 0
    assert manager.get(f"/v1/products/{products[1]}")["price"] == 222
    local = terminal.store.catalogue.by_id(products[1])
    assert (local.price, local.local_changes) == (222, False)


def test_edits_made_offline_one_on_another_reach_the_server_without_conflict(
    shelf: tuple[Till, list[str]], manager: Session
) -> None:
    terminal, products = shelf
    store = terminal.store
    created = store.writes.create_product(sku=f"CH-{uuid.uuid4().hex[:8]}", name="Chain", price=100, tax_rate_bp=0)
    store.writes.update_product(created.id, {"price": 150})
    store.writes.update_product(created.id, {"name": "Chain Two"})
    store.writes.update_product(products[0], {"price": 5})
    store.writes.update_product(products[0], {"price": 6})
    report = terminal.engine.run_once()
    assert (report.pushed, report.conflicts, report.remaining) == (5, 0, 0)
    server = manager.get(f"/v1/products/{created.id}")
    assert (server["name"], server["price"], server["version"]) == ("Chain Two", 150, 3)
    assert manager.get(f"/v1/products/{products[0]}")["price"] == 6
    assert store.catalogue.by_id(created.id).version == 3


def test_an_import_on_another_terminal_and_the_original_both_syncing_apply_once(
    shelf: tuple[Till, list[str]], till: Callable[..., Till], manager: Session, tmp_path: Path
) -> None:
    terminal, products = shelf
    sold = [terminal.sell(products[n]) for n in range(3)]
    terminal.store.export_queue(tmp_path / "queue.json")
    other = till(manager)
    assert other.store.import_queue(tmp_path / "queue.json").added == 3
    assert other.engine.run_once().pushed == 3
    report = terminal.engine.run_once()
    assert (report.pushed, report.duplicate, report.remaining) == (0, 3, 0)
    assert all(manager.get(f"/v1/orders/{order_id}")["id"] == order_id for order_id in sold)
    _assert_stock_matches_server(terminal, products)
    assert [_server_on_hand(manager, product_id) for product_id in products] == [39, 39, 39]


# --- clock, status, housekeeping, loop ------------------------------------------------------------------------


def test_clock_skew_is_measured_on_every_answer_and_flagged_over_two_minutes(
    shelf: tuple[Till, list[str]], clock: FakeClock
) -> None:
    terminal, products = shelf
    clock.now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # the device runs 5 minutes ahead
    terminal.engine.probe()
    status = terminal.engine.status()
    assert 298 <= status.state.clock_skew_seconds <= 302 and status.skew_warning
    clock.now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    terminal.sell(products[0])
    terminal.engine.run_once()
    assert -32 <= terminal.engine.status().state.clock_skew_seconds <= -28
    assert not terminal.engine.status().skew_warning


def test_a_device_clock_set_a_day_back_still_pulls_and_retries(
    shelf: tuple[Till, list[str]], proxy: FaultProxy, clock: FakeClock, manager: Session
) -> None:
    terminal, products = shelf
    response = manager.call("PATCH", f"/v1/products/{products[2]}", json={"price": 777}, headers={"If-Match": "1"})
    assert response.status_code == 200, response.text
    clock.advance(days=-1)
    assert terminal.engine.run_once().pulled >= 1  # "a minute since the last pull" is not a day away
    assert terminal.store.catalogue.by_id(products[2]).price == 777
    order_id = terminal.sell(products[0])
    proxy.faults["push"].append("503")
    terminal.engine.run_once()
    assert terminal.engine.run_once().remaining == 1  # an ordinary backoff holds
    clock.advance(days=-1)
    assert terminal.engine.run_once().remaining == 0  # but not a day-long one
    created_at = manager.get(f"/v1/orders/{order_id}")["created_at"]
    assert created_at.startswith(f"{clock.now + dt.timedelta(days=1):%Y-%m-%d}")  # the device's time of sale


def test_done_ops_are_pruned_after_30_days_and_seqs_are_never_reused(
    shelf: tuple[Till, list[str]], clock: FakeClock
) -> None:
    terminal, products = shelf
    old = terminal.sell(products[0])
    terminal.engine.run_once()
    clock.advance(days=20)
    recent = terminal.sell(products[0])
    terminal.engine.run_once(force=True)
    clock.advance(days=10, seconds=1)
    assert terminal.store.outbox.prune() == 7  # the setup's six and the first sale
    assert terminal.store.outbox.get(old) is None and terminal.store.outbox.get(recent).status == "done"
    assert terminal.store.orders.get(old).sync_state == "synced"  # the order stays; its op is gone
    assert terminal.store.outbox.get(terminal.sell(products[0])).seq == 9


def test_the_report_has_what_sync_once_json_prints(shelf: tuple[Till, list[str]]) -> None:
    terminal, products = shelf
    terminal.sell(products[0])
    assert set(terminal.engine.run_once().as_json()) == {
        "pushed",
        "duplicate",
        "rejected",
        "conflicts",
        "pulled",
        "remaining",
        "online",
        "error",
    }


def test_the_loop_probes_syncs_reports_and_stops(shelf: tuple[Till, list[str]]) -> None:
    terminal, products = shelf
    terminal.sell(products[0])
    reports: list[SyncReport] = []

    def on_report(report: SyncReport) -> None:
        reports.append(report)
        terminal.engine.stop()

    thread = threading.Thread(target=terminal.engine.run, kwargs={"on_report": on_report})
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert reports[0].pushed == 1 and terminal.engine.online
