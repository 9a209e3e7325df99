"""shop-api killed (SIGKILL) in the middle of a batch and started again on the same port and database, on SQLite
and on PostgreSQL: the batch's ops it committed before dying are answered as duplicates when the engine sends
the batch again, the rest are applied, and every sale is on the server once, its stock moved once."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import sqlalchemy as sa
from fault_testkit import TokenSession, free_port, outbox_statuses
from offline_stack import pages
from offline_support import FakeClock
from shop_api_testkit import Cognito, ShopApiProcess, start_shop_api
from shop_data_testkit import Api, persona_tokens
from test_offline_engine import Till

from backend.db import create_engine

KILLS = 1  # per database (each start costs seconds): the kill lands inside a batch, a seeded number of its ops in
SALES = 300
BATCH = 50


@pytest.fixture
def restartable(
    database_url: str, cognito: Cognito, tmp_path: Path
) -> Callable[[], AbstractContextManager[ShopApiProcess]]:
    """`with restartable() as api:` starts shop-api on the test's database and port, each time the same."""
    port = str(free_port())
    args = ["--database", database_url, *cognito.api_args(), "--jwks-url", cognito.jwks_url]
    return lambda: start_shop_api(args, tmp_path / "shop-api.log", env={"SHOP_API_PORT": port})


@pytest.fixture
def applied_count(database_url: str) -> Iterator[Callable[[str], int]]:
    """How many ops of a client the server has committed, read as the database owner (past RLS)."""
    engine = create_engine(database_url)
    query = sa.text("SELECT count(*) FROM sync_ops WHERE client_id = :c")

    def count(client_id: str) -> int:
        with engine.connect() as conn:
            return conn.execute(query, {"c": client_id}).scalar() or 0

    yield count
    engine.dispose()


def test_a_killed_and_restarted_server_applies_each_op_once(
    restartable: Callable[[], AbstractContextManager[ShopApiProcess]],
    applied_count: Callable[[str], int],
    cognito: Cognito,
    tmp_path: Path,
) -> None:
    rng = random.Random(10)
    clock = FakeClock(dt.datetime.now(dt.UTC))
    kills: list[int] = []
    for life in range(KILLS + 1):  # each a shop-api process on the same port and database
        with restartable() as api:
            if life == 0:
                setup = Api(api.url, persona_tokens(cognito))
                products = [setup.product() for _ in range(3)]
                for product in products:
                    setup.receive(product["id"], 1000)
                setup.close()
                session = TokenSession(cognito, "cg.manager", api.url)
                till = Till(tmp_path / "till.db", session, api.url, clock, batch_size=BATCH)
                assert till.engine.run_once().error is None
                sold = [till.sell(products[n % 3]["id"]) for n in range(SALES)]
                client_id = till.store.sync_state().client_id
            if life < KILLS:
                before = applied_count(client_id)
                worker = threading.Thread(target=till.engine.run_once, kwargs={"force": True})
                worker.start()
                deadline = time.monotonic() + 30
                target = before + rng.randint(1, BATCH - 1)  # somewhere inside a batch
                while applied_count(client_id) < target:
                    assert time.monotonic() < deadline and worker.is_alive(), "the engine sent nothing"
                    time.sleep(0.002)
                api.process.kill()
                api.process.wait()
                worker.join(30)
                kills.append(applied_count(client_id) - before)
                assert till.engine.last_error and "offline" in till.engine.last_error
            else:  # the last one stays up: the queue drains
                for _ in range(10):
                    if till.engine.run_once(force=True).remaining == 0:
                        break
                orders = [o["id"] for o in pages(session, "/v1/orders", terminal_id=till.store.terminal_id, limit=500)]
                moves = Counter(
                    m["source_id"]
                    for p in products
                    for m in pages(session, "/v1/inventory/movements", product_id=p["id"], limit=500)
                )
    outbox = outbox_statuses(till.store)
    till.close()
    assert all(0 < applied < SALES for applied in kills), kills
    assert outbox == {"done": SALES}
    assert sorted(orders) == sorted(sold)  # none lost, none twice
    assert {source: n for source, n in moves.items() if source in set(sold)} == dict.fromkeys(sold, 1)
