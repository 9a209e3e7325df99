"""2,000 ops (sales, refunds, stock adjustments and counts, product edits) made on a manager's till while its sync
engine pushes them to the real shop-api through a fault proxy on a seeded schedule: connections reset, requests
cut mid-body, answers lost after the server committed, bodies cut short, 502/503/429 with and without Retry-After,
short delays, and one push held 10 s, past the client's timeout, so the server applies it while the retry
is on its way. Afterwards the server holds exactly what the test's own ledger says: every order, refund and
adjustment once (no movement twice, none missing), every product's stock, price and version; the outbox holds
nothing but done ops, and the till's cache equals the server.

tests/offline_cache/test_offline_engine.py tests each fault alone; this runs them all, mixed, at volume."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fault_testkit import Ledger, SeededFaultProxy, outbox_statuses
from offline_stack import Session, pages
from offline_support import FakeClock
from test_offline_engine import Till

from backend.devstack import StackInfo
from offline_cache.models import Adjustment, RefundLine, SaleLine, Tender

SEED = int(os.environ.get("SHOP_FAULTS_SEED", "20261206"))
OPS = int(os.environ.get("SHOP_FAULTS_OPS", "2000"))
PRODUCTS = 24
SYNC_EVERY = 40  # ops made between two sync cycles, as a busy till makes them between wake-ups
BATCH = 20
# The 10 s hold hits the fifth push: the engine's transport gives up after 10 s and retries later.
LONG_DELAY_AT = frozenset({5})
MAX_CYCLES = 2000


@pytest.fixture
def soak(stack: StackInfo, tmp_path: Path) -> Iterator[tuple[Till, SeededFaultProxy, FakeClock]]:
    clock = FakeClock(dt.datetime.now(dt.UTC))
    proxy = SeededFaultProxy(stack.api_url, SEED, long_delay_at=LONG_DELAY_AT)
    with proxy:
        proxy.enabled = False  # the first full pull and the shelf go through untouched
        till = Till(tmp_path / "till.db", Session(stack, "corner-manager"), proxy.url, clock, batch_size=BATCH)
        try:
            assert till.engine.run_once().error is None
            yield till, proxy, clock
        finally:
            till.close()


def make_op(till: Till, ledger: Ledger, products: list[str], rng: random.Random) -> None:
    """One op of a seeded mix: mostly sales, then edits, adjustments, counts and refunds."""
    writes, kind = till.store.writes, rng.choices(["sale", "refund", "adjust", "count", "edit"], [62, 10, 10, 4, 14])[0]
    product_id = rng.choice(products)
    refundable = [(o, p) for o, lines in ledger.orders.items() for p, q in lines.items() if q > 0]
    if kind == "refund" and refundable:
        order_id, product_id = rng.choice(refundable)
        refund = writes.record_refund(order_id, [RefundLine(product_id, 1)], "soak")
        ledger.orders[order_id][product_id] -= 1
        ledger.moved(product_id, refund.id, +1)
    elif kind == "adjust":
        reason, delta = rng.choice([("receive", rng.randint(1, 20)), ("damage", -rng.randint(1, 3))])
        [op_id] = writes.record_adjustments([Adjustment(product_id, reason, delta=delta)])
        ledger.moved(product_id, op_id, delta)
    elif kind == "count":
        counted = rng.randint(50, 500)
        [op_id] = writes.record_adjustments([Adjustment(product_id, "count", counted=counted)])
        ledger.moved(product_id, op_id, counted - ledger.on_hand[product_id])
    elif kind == "edit":
        price = rng.randint(100, 9999)
        writes.update_product(product_id, {"price": price})
        ledger.price[product_id] = price
        ledger.version[product_id] += 1
    else:
        kind, quantity = "sale", rng.randint(1, 3)
        order = writes.record_sale([SaleLine(product_id, quantity)], [Tender("cash", 10**7)])
        ledger.orders[order.id] = {product_id: quantity}
        ledger.moved(product_id, order.id, -quantity)
    ledger.ops[kind] += 1


def sync_cycle(till: Till, clock: FakeClock, tally: Counter[str]) -> int:
    """One wake-up of the engine, after waiting out its backoff on the till's clock; returns what remains."""
    clock.advance(seconds=(till.engine.status().retry_in_seconds or 0) + 0.5)
    report = till.engine.run_once()
    tally.update(pushed=report.pushed, duplicate=report.duplicate, rejected=report.rejected, conflicts=report.conflicts)
    tally["cycles"] += 1
    tally["failed cycles"] += report.error is not None
    return report.remaining


def server_state(session: Session, products: list[str]) -> tuple[dict[str, Counter[str]], dict[str, dict]]:
    movements = {
        p: Counter(m["source_id"] for m in pages(session, "/v1/inventory/movements", product_id=p, limit=500))
        for p in products
    }
    catalogue = {p: session.get(f"/v1/products/{p}") for p in products}
    return movements, catalogue


def test_ops_through_a_faulty_network_arrive_once_each(
    soak: tuple[Till, SeededFaultProxy, FakeClock], record_property: Callable[[str, object], None]
) -> None:
    till, proxy, clock = soak
    started = time.monotonic()
    rng, ledger, tally = random.Random(SEED), Ledger(), Counter[str]()
    products = till.new_products(PRODUCTS, stock=300)
    for product_id in products:
        [receipt] = [
            op.id
            for op in till.store.outbox.list()
            if op.type == "stock.adjust" and op.payload["product_id"] == product_id
        ]
        ledger.moved(product_id, receipt, 300)
        ledger.price[product_id] = till.store.catalogue.by_id(product_id).price
        ledger.version[product_id] = 1
    ledger.ops.update({"product.create": PRODUCTS, "receive": PRODUCTS})
    assert till.engine.run_once().remaining == 0  # the shelf, before any fault
    proxy.enabled = True
    while ledger.op_count < OPS:
        make_op(till, ledger, products, rng)
        if ledger.op_count % SYNC_EVERY == 0:
            sync_cycle(till, clock, tally)
    for _ in range(MAX_CYCLES):
        if sync_cycle(till, clock, tally) == 0:
            break
    proxy.enabled = False
    proxy.wait_idle()  # the held push reaches the server late: count only once it has
    outbox = outbox_statuses(till.store)
    assert outbox == {"done": ledger.op_count}, outbox

    movements, catalogue = server_state(till.session, products)
    lost = {p: ledger.sources[p] - set(movements[p]) for p in products}
    duplicated = {p: [s for s, n in movements[p].items() if n > 1] for p in products}
    unexpected = {p: set(movements[p]) - ledger.sources[p] for p in products}
    assert not any(lost.values()), lost
    assert not any(duplicated.values()), duplicated
    assert not any(unexpected.values()), unexpected
    server_orders = [o["id"] for o in pages(till.session, "/v1/orders", terminal_id=till.store.terminal_id, limit=500)]
    assert len(server_orders) == len(set(server_orders)) and set(server_orders) == set(ledger.orders)
    for product_id in products:
        assert catalogue[product_id]["price"] == ledger.price[product_id]
        assert catalogue[product_id]["version"] == ledger.version[product_id]
    on_hand = {
        i["product_id"]: i["on_hand"]
        for p in products
        for i in till.session.get("/v1/inventory", product_id=p)["items"]
    }
    assert on_hand == {p: ledger.on_hand[p] for p in products}

    clock.advance(seconds=61)
    assert till.engine.run_once().error is None  # a pull brings the cache to the server's figures
    assert {p: till.store.stock.on_hand(p, "store") for p in products} == on_hand
    assert {p: till.store.catalogue.by_id(p).price for p in products} == ledger.price

    figures = {
        "seed": SEED,
        "ops": ledger.op_count,
        "ops_by_kind": dict(ledger.ops),
        "pushes": proxy.requests["push"],
        "faults_injected": dict(proxy.injected),
        "faults_total": proxy.faults_injected,
        **dict(tally),
        "lost": 0,
        "duplicated": 0,
        "seconds": round(time.monotonic() - started, 1),
    }
    print("proxy soak:", json.dumps(figures))
    record_property("proxy_soak", figures)
    assert proxy.faults_injected >= 50 and tally["duplicate"] > 0
