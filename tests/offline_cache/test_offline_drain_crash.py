"""Crash safety of the drain (the issue's test): the headless sync process is killed with SIGKILL at seeded random
moments while it sends a 1,000-op queue to the real shop-api, and restarted until the queue is drained. After every
kill nothing in the store is torn; at the end the server has each sale exactly once and the stock the ops add up
to, and locally every op is done.

Eight seeded trials, one test each, so that xdist spreads them over its workers (each worker has its own stack).
The fault suite's kill schedule (tests/faults/test_kill_sync_moments.py) runs the same child at 50 more moments.
"""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path

import pytest
from offline_kills import (
    KillAt,
    assert_nothing_torn,
    drain_manager_fixture,  # noqa: F401 (the fixtures drain_manager and drain_products)
    drain_products_fixture,  # noqa: F401
    queue_ops,
    run_sync_child,
    server_on_hand,
    server_orders,
)
from offline_stack import Session

from backend.devstack import StackInfo
from offline_cache.engine import SyncEngine
from offline_cache.store import Store

TRIALS = 8
OPS = 1000
KILLS = (2, 4)  # per trial, then one run to the end: a trial always finishes
# Where to kill, whatever the server's speed: once the run has had N ops answered (N random), after a random delay
# up to about one batch's time, so a kill lands before a push, while the server works on one, between its answer
# and the local commit, or in the pull after the last push.
KILL_DELAY_S = (0.0, 1.5)


def _drain_with_kills(path: Path, terminal_id: str, api_url: str, token: str, rng: random.Random) -> int:
    """Start the child, kill it at a random moment, again, until it finishes on its own; returns the kills."""
    planned, kills = rng.randint(*KILLS), 0
    while True:
        seed = rng.randrange(10**6)
        kill = KillAt(rng.randrange(0, OPS), rng.uniform(*KILL_DELAY_S)) if kills < planned else None
        if not run_sync_child(path, terminal_id, api_url, token, seed, kill).killed:
            return kills
        kills += 1
        with Store.open(path, terminal_id=terminal_id) as store:
            assert_nothing_torn(store)


@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_drain_killed_at_random_moments_applies_every_op_exactly_once(
    trial: int, stack: StackInfo, drain_manager: Session, drain_products: list[str], tmp_path: Path
) -> None:
    rng = random.Random(20261206 + trial)
    before = {p: server_on_hand(drain_manager, p) for p in drain_products}
    terminal_id = f"DC{trial:02d}{uuid.uuid4().hex[:6]}"  # receipt numbers are unique per terminal on the server
    path = tmp_path / "cache.db"
    transport = drain_manager.transport()
    with Store.open(path, terminal_id=terminal_id) as store:
        assert SyncEngine(store, transport).run_once().error is None  # the first pull: the products are here
        queued = queue_ops(store, drain_products, rng, OPS)
        assert store.outbox.summary().pending == OPS
    transport.close()

    began = time.monotonic()
    kills = _drain_with_kills(path, terminal_id, stack.api_url, drain_manager.access_token or "", rng)
    print(f"trial {trial}: {kills} kills, drained in {time.monotonic() - began:.1f} s")

    with Store.open(path, terminal_id=terminal_id) as store:
        summary = store.outbox.summary()
        assert (summary.unsent, summary.dead, summary.conflicts) == (0, 0, 0)
        assert assert_nothing_torn(store) == {"done": OPS}
    on_server = server_orders(drain_manager, terminal_id)
    assert len(on_server) == len(set(on_server)) == len(queued.sales)
    assert set(on_server) == set(queued.sales)
    moved = queued.moved
    assert {p: server_on_hand(drain_manager, p) for p in drain_products} == {
        p: before[p] + moved[p] for p in drain_products
    }
