"""kill -9 of the headless sync at 50 seeded moments (issue 10): the sync child of the drain crash test
(tests/offline_cache/offline_drain_child.py, the engine as `shop-console sync` runs it, here in pushes of 50 ops)
sends a busy day's queue to the real shop-api and is SIGKILLed ten times a trial, five trials. After every kill
the database passes `PRAGMA integrity_check`, nothing is torn (every sale with its lines, tenders, outbox op and
stock movement) and no op is missing; at the end the queue is drained, the server has each sale exactly once and
the stock the ops add up to.

A moment is where a run is killed: once it has had N ops answered (N seeded, short of its last three batches), a
seeded share of a batch's round trip later, so that each lands inside a batch, wherever that is for the server's
speed: before the push, while shop-api works on it, between its answer and the local commit, or in that commit.
The till keeps selling while its sync is down: before a run that is to be killed, the queue is topped up to at
least four batches, so the kill always comes before the drain ends.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
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

TRIALS = 5
KILLS = 10  # per trial: 50 moments
# Pushes of 50 ops (`shop-console sync` sends 200; the 20-trial drain test kills that): four times the batches for
# the ops sent, so as many moments for a quarter of the server's work.
BATCH = 50
OPS = 400  # queued before the first run
# What a run that is to be killed has to send, at least: its kill comes at most three batches before the end (and
# at most one batch's round trip after a progress line), so two whole batches are still to come.
AT_A_KILL = 4 * BATCH


def _moment(rng: random.Random, remaining: int, first: bool, batch_s: float | None) -> KillAt:
    """The trial's next moment for a run that has `remaining` ops to send. The first waits for a batch to be
    answered, so that its delay (and every later one's) is a share of a batch's round trip seen on this stack."""
    answered = rng.randint(BATCH if first else 0, remaining - 3 * BATCH)
    share = rng.random()
    return KillAt(answered, share * (batch_s or 0.0), batch_share=share)


@pytest.mark.parametrize("trial", range(TRIALS))
def test_the_headless_sync_killed_at_50_seeded_moments_loses_and_repeats_nothing(
    trial: int,
    stack: StackInfo,
    drain_manager: Session,
    drain_products: list[str],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    rng = random.Random(20261210 + trial)
    before = {p: server_on_hand(drain_manager, p) for p in drain_products}
    terminal_id = f"KM{trial}{uuid.uuid4().hex[:7]}"  # receipt numbers are unique per terminal on the server
    path = tmp_path / "cache.db"
    token = drain_manager.access_token or ""
    transport = drain_manager.transport()
    with Store.open(path, terminal_id=terminal_id) as store:
        assert SyncEngine(store, transport).run_once().error is None  # the first pull: the products are here
        queued = queue_ops(store, drain_products, rng, OPS)
    transport.close()

    began = time.monotonic()
    batch_s: float | None = None
    mid_batch = 0  # kills that found a batch in flight (sent, its answer not committed)
    done = 0
    for kill in range(KILLS):
        if queued.ops - done < AT_A_KILL:
            with Store.open(path, terminal_id=terminal_id) as store:
                queue_ops(
                    store, drain_products, rng, AT_A_KILL - (queued.ops - done) + rng.randrange(2 * BATCH), queued
                )
        moment = _moment(rng, queued.ops - done, kill == 0, batch_s)
        run = run_sync_child(path, terminal_id, stack.api_url, token, rng.randrange(10**6), moment, BATCH)
        assert run.killed, f"moment {kill} ({moment}) came after the drain had ended"
        batch_s = run.batch_s or batch_s
        with Store.open(path, terminal_id=terminal_id) as store:
            statuses = assert_nothing_torn(store)
        assert statuses.total() == queued.ops, "an op is missing from the outbox"
        mid_batch += statuses["in_flight"] > 0
        done = statuses["done"]
    assert not run_sync_child(path, terminal_id, stack.api_url, token, rng.randrange(10**6), None, BATCH).killed
    figures = {
        "trial": trial,
        "kills": KILLS,
        "kills_with_a_batch_in_flight": mid_batch,
        "ops": queued.ops,
        "sales": len(queued.sales),
        "seconds": round(time.monotonic() - began, 1),
    }
    print("sync kills:", json.dumps(figures))
    record_property("sync_kills", figures)

    with Store.open(path, terminal_id=terminal_id) as store:
        assert assert_nothing_torn(store) == {"done": queued.ops}
    on_server = server_orders(drain_manager, terminal_id)
    assert len(on_server) == len(set(on_server)) == len(queued.sales)  # none twice
    assert set(on_server) == set(queued.sales)  # none lost
    moved = queued.moved
    assert {p: server_on_hand(drain_manager, p) for p in drain_products} == {
        p: before[p] + moved[p] for p in drain_products
    }
