"""kill -9 helpers shared by the drain crash test here and the fault suite's kill schedules (tests/faults): what a
store must look like after any SIGKILL (no torn write), a seeded busy offline day queued in one go, the server's
side of a terminal, and one run of the headless sync child, killed at a given moment or left to finish."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from offline_stack import Session, pages

from backend.devstack import StackInfo
from offline_cache.engine import MAX_BATCH
from offline_cache.models import Adjustment, RefundLine, SaleLine, Tender
from offline_cache.stock import adjustment_delta
from offline_cache.store import Store

ROOT = Path(__file__).resolve().parents[2]
SYNC_CHILD = Path(__file__).with_name("offline_drain_child.py")
DRAIN_PRODUCTS = 4
OPENING_STOCK = 50_000  # every trial of a module sells from it
UNSETTLED = ("pending", "in_flight")  # an op whose stock movement must still be in stock_delta


# --- after a kill: nothing torn -------------------------------------------------------------------------------------


def _movements(op_type: str, payload: dict[str, Any]) -> dict[str, int]:
    """The stock movement an op makes, by product (its lines' quantities, or an adjustment's delta)."""
    moved: dict[str, int] = defaultdict(int)
    if op_type == "stock.adjust":
        moved[payload["product_id"]] = adjustment_delta(payload)
    for line in payload.get("lines", []):
        moved[line["product_id"]] += (-1 if op_type == "order.create" else 1) * line["quantity"]
    return {product: delta for product, delta in moved.items() if delta}  # a count that found no change moves none


def assert_nothing_torn(store: Store) -> Counter[str]:
    """What a store must hold after a SIGKILL at any moment: an intact database, and every local sale, refund and
    adjustment whole: an order with all its lines and tenders, its outbox op and, until a pull settled it, its
    stock movements; no op without what it records; receipt numbers without gaps. Returns the ops by status."""
    conn = store.conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    ops = {
        op_id: (op_type, status, json.loads(payload), acked_at)
        for op_id, op_type, status, payload, acked_at in conn.execute(
            "SELECT id, type, status, payload, acked_at FROM outbox"
        )
    }
    orders = {row[0] for row in conn.execute("SELECT id FROM orders WHERE origin = 'local'")}
    assert orders == {op_id for op_id, op in ops.items() if op[0] == "order.create"}, (
        "an order without its outbox op, or an op without its order"
    )
    refunds = {row[0] for row in conn.execute("SELECT id FROM refunds")}
    assert {op_id for op_id, op in ops.items() if op[0] == "order.refund"} <= refunds, "a refund op without its refund"
    lines: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for order_id, product_id, quantity in conn.execute(
        "SELECT order_id, product_id, quantity FROM order_lines ORDER BY order_id, line_no"
    ):
        lines[order_id].append((product_id, quantity))
    tenders = Counter(row[0] for row in conn.execute("SELECT order_id FROM order_tenders"))
    refunded = {row[0] for row in conn.execute("SELECT DISTINCT refund_id FROM refund_lines")}
    deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for op_id, product_id, delta in conn.execute("SELECT op_id, product_id, delta FROM stock_delta"):
        deltas[op_id][product_id] += delta
    for op_id, (op_type, status, payload, acked_at) in ops.items():
        if op_type == "order.create":
            assert lines[op_id] == [(line["product_id"], line["quantity"]) for line in payload["lines"]], op_id
            assert tenders[op_id] == len(payload["tenders"]), op_id
        if op_type == "order.refund":
            assert op_id in refunded, op_id
        if op_type not in ("order.create", "order.refund", "stock.adjust"):
            continue
        moved = dict(deltas.get(op_id, {}))
        if status in UNSETTLED or moved:
            assert moved == _movements(op_type, payload), f"{op_type} {op_id} ({status}) without its stock movement"
        else:  # settled: the server acknowledged it and a later pull brought the server's figure
            assert acked_at is not None, op_id
    for terminal, day, last in conn.execute("SELECT terminal_id, day, last_number FROM receipt_counters"):
        numbers = sorted(
            int(row[0].rsplit("-", 1)[1])
            for row in conn.execute(
                "SELECT receipt_no FROM orders WHERE origin = 'local' AND receipt_no LIKE ?", (f"{terminal}-{day}-%",)
            )
        )
        assert numbers == list(range(1, last + 1)), "a receipt number lost or given twice"
    return Counter(op[1] for op in ops.values())


# --- a busy offline day, and the server's side of it ------------------------------------------------------------


@pytest.fixture(scope="module", name="drain_manager")
def drain_manager_fixture(stack: StackInfo) -> Session:
    return Session(stack, "corner-manager")


@pytest.fixture(scope="module", name="drain_products")
def drain_products_fixture(drain_manager: Session) -> list[str]:
    """Products of this worker's stack that a module's trials sell (each trial reads their stock before it starts).
    Import drain_manager_fixture and drain_products_fixture into a test module to use them."""
    tag = uuid.uuid4().hex[:8].upper()
    ids = []
    for n in range(DRAIN_PRODUCTS):
        product_id = str(uuid.uuid4())
        body = {
            "id": product_id,
            "sku": f"DC-{tag}-{n}",
            "name": f"Drain {tag} {n}",
            "price": 100 + n,
            "tax_rate_bp": 0,
        }
        assert drain_manager.call("POST", "/v1/products", json=body).status_code == 201
        receipt = {
            "id": str(uuid.uuid4()),
            "product_id": product_id,
            "location": "store",
            "delta": OPENING_STOCK,
            "reason": "receive",
            "note": "",
        }
        assert drain_manager.call("POST", "/v1/inventory/adjustments", json=receipt).status_code == 201
        ids.append(product_id)
    return ids


@dataclass
class Queued:
    """What a test queued: its sales (order id → lines) and the stock movement each product should see."""

    sales: dict[str, list[SaleLine]]
    moved: Counter[str]
    ops: int = 0


def queue_ops(store: Store, products: list[str], rng: random.Random, count: int, into: Queued | None = None) -> Queued:
    """`count` ops of a busy offline day, in one transaction (the test's set-up, not what is timed): sales, some
    refunds of them, receipts and damage; added to `into` when given."""
    queued = into or Queued({}, Counter())
    target = queued.ops + count
    with store.transaction():
        while queued.ops < target:
            roll = rng.random()
            if roll < 0.08 and queued.sales:
                order_id = rng.choice(list(queued.sales))
                line = queued.sales[order_id][0]
                if store.orders.get(order_id).lines[0].refunded >= line.quantity:  # type: ignore[union-attr]
                    continue
                store.writes.record_refund(order_id, [RefundLine(line.product_id, 1)], "drain test")
                queued.moved[line.product_id] += 1
            elif roll < 0.16:
                product_id = rng.choice(products)
                delta = rng.choice([rng.randint(1, 20), -rng.randint(1, 5)])
                reason = "receive" if delta > 0 else "damage"
                store.writes.record_adjustments([Adjustment(product_id, reason, delta=delta)])  # type: ignore[arg-type]
                queued.moved[product_id] += delta
            else:
                lines = [SaleLine(p, rng.randint(1, 3)) for p in rng.sample(products, rng.randint(1, 3))]
                order = store.writes.record_sale(lines, [Tender("cash", 10**7)])
                queued.sales[order.id] = lines
                for line in lines:
                    queued.moved[line.product_id] -= line.quantity
            queued.ops += 1
    return queued


def server_orders(manager: Session, terminal_id: str) -> list[str]:
    """The ids of a terminal's orders on the server, each as often as the server lists it."""
    return [order["id"] for order in pages(manager, "/v1/orders", terminal_id=terminal_id, limit=500)]


def server_on_hand(manager: Session, product_id: str) -> int:
    items = manager.get("/v1/inventory", product_id=product_id)["items"]
    return sum(item["on_hand"] for item in items if item["location"] == "store")


# --- one run of the headless sync, killed or not ----------------------------------------------------------------


@dataclass(frozen=True)
class KillAt:
    """Where to kill a run of the sync child: once it reports `answered` ops answered in this run (or its pull),
    `delay_s` later; or, given `batch_share` and once the run has had a batch answered, that share of the batch's
    round trip later (a moment inside the next batch, whatever the server's speed)."""

    answered: int
    delay_s: float
    batch_share: float | None = None


@dataclass(frozen=True)
class SyncRun:
    killed: bool
    batch_s: float | None  # a batch's round trip (one progress line to the next) seen before the kill, if any


def run_sync_child(
    path: Path, terminal_id: str, api_url: str, token: str, seed: int, kill: KillAt | None, batch_size: int = MAX_BATCH
) -> SyncRun:
    """Start the headless sync child (offline_drain_child.py) on the store at `path`, sending `batch_size` ops a
    push, and kill it with SIGKILL at `kill`; unless it finished first (or `kill` is None), when it must have
    drained the queue."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SHOP_TEST_ACCESS_TOKEN": token}
    child = subprocess.Popen(
        [sys.executable, str(SYNC_CHILD), str(path), api_url, str(seed), terminal_id, str(batch_size)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started", "the sync child did not start"
    batch_s = None
    if kill is not None:
        last_push: float | None = None
        for line in child.stdout:
            now = time.monotonic()
            phase, _, done = line.partition(" ")
            if phase == "push" and last_push is not None:
                batch_s = now - last_push
            last_push = now if phase == "push" else last_push
            if phase != "push" or int(done) >= kill.answered:
                break
        share = kill.batch_share
        try:
            child.wait(kill.delay_s if share is None or batch_s is None else share * batch_s)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            child.communicate()
            return SyncRun(True, batch_s)
    child.communicate(timeout=120)
    assert child.returncode == 0, "the sync child did not drain the queue"
    return SyncRun(False, batch_s)
