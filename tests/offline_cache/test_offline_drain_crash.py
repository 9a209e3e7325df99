"""Crash safety of the drain (the issue's test): the headless sync process is killed with SIGKILL at seeded random
moments while it sends a 1,000-op queue to the real shop-api, and restarted until the queue is drained. Every time,
the server has each sale exactly once and the stock the ops add up to; locally every op is done.

Twenty seeded trials, one test each, so that xdist spreads them over its workers (each worker has its own stack).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from offline_stack import Session

from backend.devstack import StackInfo
from offline_cache.engine import SyncEngine
from offline_cache.models import Adjustment, RefundLine, SaleLine, Tender
from offline_cache.store import Store

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("offline_drain_child.py")
TRIALS = 20
OPS = 1000
PRODUCTS = 4
OPENING_STOCK = 50_000  # twenty trials sell from it
KILLS = (2, 4)  # per trial, then one run to the end: a trial always finishes
# Where to kill, whatever the server's speed: once the run has had N ops answered (N random), after a random delay
# up to about one batch's time, so a kill lands before a push, while the server works on one, between its answer
# and the local commit, or in the pull after the last push.
KILL_DELAY_S = (0.0, 1.5)


@pytest.fixture(scope="module")
def manager(stack: StackInfo) -> Session:
    return Session(stack, "corner-manager")


@pytest.fixture(scope="module")
def products(manager: Session) -> list[str]:
    """Products of this worker's stack that the trials sell (each trial reads their stock before it starts)."""
    tag = uuid.uuid4().hex[:8].upper()
    ids = []
    for n in range(PRODUCTS):
        product_id = str(uuid.uuid4())
        body = {
            "id": product_id,
            "sku": f"DC-{tag}-{n}",
            "name": f"Drain {tag} {n}",
            "price": 100 + n,
            "tax_rate_bp": 0,
        }
        assert manager.call("POST", "/v1/products", json=body).status_code == 201
        receipt = {
            "id": str(uuid.uuid4()),
            "product_id": product_id,
            "location": "store",
            "delta": OPENING_STOCK,
            "reason": "receive",
            "note": "",
        }
        assert manager.call("POST", "/v1/inventory/adjustments", json=receipt).status_code == 201
        ids.append(product_id)
    return ids


def _queue(store: Store, products: list[str], rng: random.Random) -> tuple[list[str], Counter[str]]:
    """1,000 ops of a busy offline day, in one transaction (the test's set-up, not what is timed): sales, some
    refunds of them, receipts and damage. Returns the sales and the stock movement each product should see."""
    sales: list[tuple[str, list[SaleLine]]] = []
    moved: Counter[str] = Counter()
    ops = 0
    with store.transaction():
        while ops < OPS:
            roll = rng.random()
            if roll < 0.08 and sales:
                order_id, lines = rng.choice(sales)
                line = lines[0]
                if store.orders.get(order_id).lines[0].refunded >= line.quantity:  # type: ignore[union-attr]
                    continue
                store.writes.record_refund(order_id, [RefundLine(line.product_id, 1)], "drain test")
                moved[line.product_id] += 1
            elif roll < 0.16:
                product_id = rng.choice(products)
                delta = rng.choice([rng.randint(1, 20), -rng.randint(1, 5)])
                reason = "receive" if delta > 0 else "damage"
                store.writes.record_adjustments([Adjustment(product_id, reason, delta=delta)])  # type: ignore[arg-type]
                moved[product_id] += delta
            else:
                lines = [SaleLine(p, rng.randint(1, 3)) for p in rng.sample(products, rng.randint(1, 3))]
                order = store.writes.record_sale(lines, [Tender("cash", 10**7)])
                sales.append((order.id, lines))
                for line in lines:
                    moved[line.product_id] -= line.quantity
            ops += 1
    return [order_id for order_id, _ in sales], moved


def _server_orders(manager: Session, terminal_id: str) -> list[str]:
    found: list[str] = []
    cursor = None
    while True:
        page = manager.get("/v1/orders", terminal_id=terminal_id, limit=500, **({"cursor": cursor} if cursor else {}))
        found += [order["id"] for order in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def _server_on_hand(manager: Session, product_id: str) -> int:
    items = manager.get("/v1/inventory", product_id=product_id)["items"]
    return sum(item["on_hand"] for item in items if item["location"] == "store")


def _drain_with_kills(path: Path, terminal_id: str, api_url: str, token: str, rng: random.Random) -> int:
    """Start the child, kill it at a random moment, again, until it finishes on its own; returns the kills."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SHOP_TEST_ACCESS_TOKEN": token}
    planned, kills = rng.randint(*KILLS), 0
    while True:
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(path), api_url, str(rng.randrange(10**6)), terminal_id],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "started", "the sync child did not start"
        if kills < planned:
            target = rng.randrange(0, OPS)
            for line in child.stdout:
                phase, _, done = line.partition(" ")
                if phase != "push" or int(done) >= target:
                    break
            try:
                child.wait(rng.uniform(*KILL_DELAY_S))
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
                child.communicate()
                kills += 1
                continue
        child.communicate(timeout=120)
        assert child.returncode == 0, "the sync child did not drain the queue"
        return kills


@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_drain_killed_at_random_moments_applies_every_op_exactly_once(
    trial: int, stack: StackInfo, manager: Session, products: list[str], tmp_path: Path
) -> None:
    rng = random.Random(20261206 + trial)
    before = {p: _server_on_hand(manager, p) for p in products}
    terminal_id = f"DC{trial:02d}{uuid.uuid4().hex[:6]}"  # receipt numbers are unique per terminal on the server
    path = tmp_path / "cache.db"
    transport = manager.transport()
    with Store.open(path, terminal_id=terminal_id) as store:
        assert SyncEngine(store, transport).run_once().error is None  # the first pull: the products are here
        sales, moved = _queue(store, products, rng)
        assert store.outbox.summary().pending == OPS
    transport.close()

    began = time.monotonic()
    kills = _drain_with_kills(path, terminal_id, stack.api_url, manager.access_token or "", rng)
    print(f"trial {trial}: {kills} kills, drained in {time.monotonic() - began:.1f} s")

    with Store.open(path, terminal_id=terminal_id) as store:
        summary = store.outbox.summary()
        assert (summary.unsent, summary.dead, summary.conflicts) == (0, 0, 0)
        assert store.conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'done'").fetchone()[0] == OPS
    on_server = _server_orders(manager, terminal_id)
    assert len(on_server) == len(set(on_server)) == len(sales)
    assert set(on_server) == set(sales)
    assert {p: _server_on_hand(manager, p) for p in products} == {p: before[p] + moved[p] for p in products}
