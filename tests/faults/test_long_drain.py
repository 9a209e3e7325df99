"""Long drains against a real shop-api (tests/backend's, on SQLite: the drain's work is the engine's and the
push route's, the same on both databases): access tokens that expire every second or so while the queue drains
(refreshed, and nothing dropped), and 72 hours offline, 20,000 queued sales, drained in one go."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fault_testkit import TokenSession, outbox_statuses
from offline_stack import pages
from offline_support import FakeClock
from shop_api_testkit import Cognito, ShopApiProcess
from shop_data_testkit import Api, persona_tokens
from test_offline_engine import Till

from offline_cache.models import SaleLine, Tender

pytestmark = pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)

# 72 hours of a busy till is 20,000 sales. Pushed at ~75-120 ops/s (the server commits each op on its own) that
# drain takes 3-4 minutes here, too long for every CI run until the push gets faster: CI drains 2,000, and
# SHOP_FAULTS_LONG_OPS=20000 runs the full figure (measured: 20,000 queued in 19 s, drained in 263 s, one go).
# Tokens valid 0.5-1.5 s against a drain of DRAIN_OPS pushed one op a request, which takes 2 s or more even with
# the one-transaction push: at least two expire mid-drain.
DRAIN_OPS = 600
LONG_OFFLINE_OPS = int(os.environ.get("SHOP_FAULTS_LONG_OPS", "2000"))


def shelf_and_till(
    api: ShopApiProcess, cognito: Cognito, path: Path, lifetime_s: float, **options: object
) -> tuple[Till, TokenSession, list[str]]:
    setup = Api(api.url, persona_tokens(cognito))
    products = [setup.product()["id"] for _ in range(4)]
    setup.close()
    session = TokenSession(cognito, "cg.manager", api.url, lifetime_s=lifetime_s)
    till = Till(path, session, api.url, FakeClock(dt.datetime.now(dt.UTC)), **options)
    assert till.engine.run_once().error is None
    return till, session, products


def sell(till: Till, products: list[str], count: int) -> list[str]:
    """`count` sales queued as a till selling offline queues them (each its own write, nested here in one
    transaction so that the test spends its time on the drain, not on `count` disk flushes)."""
    paid = [Tender("cash", 10**6)]
    with till.store.transaction():
        return [
            till.store.writes.record_sale([SaleLine(products[n % len(products)], 1)], paid).id for n in range(count)
        ]


def test_tokens_expiring_during_a_drain_are_refreshed_and_the_drain_goes_on(
    shop_api: ShopApiProcess, cognito: Cognito, tmp_path: Path
) -> None:
    till, session, products = shelf_and_till(shop_api, cognito, tmp_path / "till.db", lifetime_s=0.5, batch_size=1)
    sell(till, products, DRAIN_OPS)
    report = till.engine.run_once()
    assert (report.error, report.pushed, report.remaining) == (None, DRAIN_OPS, 0)
    assert session.refreshes >= 2
    till.close()


def test_tokens_expiring_during_a_drain_lose_nothing(
    shop_api: ShopApiProcess, cognito: Cognito, tmp_path: Path
) -> None:
    till, session, products = shelf_and_till(shop_api, cognito, tmp_path / "till.db", lifetime_s=0.5, batch_size=1)
    sold = sell(till, products, DRAIN_OPS)
    clock: FakeClock = till.store.clock  # type: ignore[assignment]
    for _ in range(50):
        if till.engine.run_once().remaining == 0:
            break
        clock.advance(seconds=61)
    assert session.refreshes >= 2 and not till.engine.status().needs_sign_in
    assert outbox_statuses(till.store) == {"done": DRAIN_OPS}
    orders = [o["id"] for o in pages(session, "/v1/orders", terminal_id=till.store.terminal_id, limit=500)]
    assert sorted(orders) == sorted(sold)
    till.close()


@pytest.mark.timeout(60 + LONG_OFFLINE_OPS // 20)
def test_72_hours_offline_drain_in_one_go(
    shop_api: ShopApiProcess, cognito: Cognito, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    till, session, products = shelf_and_till(shop_api, cognito, tmp_path / "till.db", lifetime_s=3600)
    started = time.monotonic()
    sold = sell(till, products, LONG_OFFLINE_OPS)
    queued = time.monotonic()
    report = till.engine.run_once()
    drained = time.monotonic()
    assert (report.error, report.pushed, report.remaining) == (None, LONG_OFFLINE_OPS, 0)
    figures = {
        "ops": LONG_OFFLINE_OPS,
        "queue_seconds": round(queued - started, 1),
        "drain_seconds": round(drained - queued, 1),
        "ops_per_second": round(LONG_OFFLINE_OPS / (drained - queued)),
    }
    print("long offline:", json.dumps(figures))
    record_property("long_offline", figures)
    orders = {o["id"] for o in pages(session, "/v1/orders", terminal_id=till.store.terminal_id, limit=500)}
    assert orders == set(sold)
    till.close()
