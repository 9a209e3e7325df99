"""The sync figures, through the real SyncEngine and HttpSyncTransport to a real shop-api on loopback:

- initial_pull, initial_pull_rss: a new cache's first full pull of the catalogue (and its stock), in a child
  process (bench.pull_probe) so that its peak RSS is its own;
- delta_pull: a pull of 100 products changed on the server, beside a raw httpx GET of the same page;
- drain_sqlite, drain_postgresql: a cycle of the engine draining queued sales (order.create ops, 1-3 lines),
  beside a raw httpx POST loop of the same batch bodies to a no-op route (bench.noop_api), and checked exactly
  once: every sale is on the server once, and the first batch pushed again comes back `duplicate`;
- api_concurrent_pg, api_concurrent_pg_p99: 20 terminals at once, each pushing its sales one per push.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from backend.db.tables import orders
from bench.data import catalogue, size_suffix
from bench.harness import Figure, median, p99, process_cpu_seconds, run_child
from bench.stack import (
    CASHIER,
    MANAGER,
    BenchCognito,
    ShopApi,
    analyse,
    count_rows,
    load_catalogue,
    postgres_answers,
    shop_api,
)
from offline_cache.engine import MAX_BATCH, SyncEngine, SyncReport
from offline_cache.http_transport import HttpSyncTransport
from offline_cache.models import SaleLine, Tender
from offline_cache.store import Store
from offline_cache.transport import PushOp

RUNS = 5
DRAIN_PRODUCTS = 1000  # the catalogue the queued sales sell from
DELTA = 100
TERMINALS, SALES_PER_TERMINAL = 20, 25


def figures(cognito: BenchCognito, *, pull_size: int, drain_ops: int, concurrent: bool) -> Iterator[Figure]:
    yield from pull_figures(cognito, pull_size)
    yield from drain_figures(cognito, "sqlite", drain_ops)
    skipped = postgres_answers()
    if skipped is not None:
        print(f"bench: PostgreSQL figures skipped: {skipped}", file=sys.stderr)
        return
    yield from drain_figures(cognito, "postgresql", drain_ops, concurrent=concurrent)


# --- pulls -------------------------------------------------------------------------------------------------


def pull_figures(cognito: BenchCognito, count: int) -> Iterator[Figure]:
    suffix = size_suffix(count)
    products = catalogue(count)
    token = cognito.token(CASHIER)
    with shop_api(cognito, "sqlite") as api, tempfile.TemporaryDirectory(prefix="bench-pull-") as folder:
        load_catalogue(api.database_url, products)
        env = {**os.environ, "BENCH_TOKEN": token}
        seconds, rss, client_cpu, server_cpu = [], [], [], []
        for run in range(RUNS):
            cache = Path(folder) / f"pull-{run}.db"
            server_before = process_cpu_seconds(api.pid)
            _, out, cpu = run_child([sys.executable, "-m", "bench.pull_probe", api.url, str(cache)], env=env)
            server_cpu.append(process_cpu_seconds(api.pid) - server_before)
            client_cpu.append(cpu)
            answer = json.loads(out)
            if answer["error"] or answer["pulled"] != 2 * count:  # every product and its stock row
                raise RuntimeError(f"initial pull: {answer}")
            seconds.append(answer["seconds"])
            rss.append(answer["peak_rss_mib"])
        note = (
            f"{count} products and their stock rows over HTTP (shop-api on SQLite), new cache; median of {RUNS}; "
            f"CPU: client process {median(client_cpu):.1f} s (start-up included), shop-api {median(server_cpu):.1f} s"
        )
        yield Figure(f"initial_pull{suffix}", median(seconds), "s", 15.0, note=note)
        yield Figure(f"initial_pull_rss{suffix}", median(rss), "MiB", 150.0, note="peak RSS (VmHWM) of that process")
        yield _delta_pull(api.url, Path(folder) / "pull-0.db", products, token, cognito.token(MANAGER), suffix)


def _delta_pull(
    api_url: str, cache: Path, products: list[dict[str, Any]], token: str, manager_token: str, suffix: str
) -> Figure:
    """Each run: 100 other products get a new price through the API, then the engine pulls them."""
    values, floors = [], []
    with (
        Store.open(cache, terminal_id="PULL1") as store,
        _transport(api_url, token) as transport,
        httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {manager_token}"}) as raw,
    ):
        engine = SyncEngine(store, transport)
        for run in range(RUNS):
            changed = products[run * DELTA : (run + 1) * DELTA]
            ops = [
                {"seq": n, "id": str(uuid.uuid4()), "type": "product.update", "payload": _price_change(p)}
                for n, p in enumerate(changed, start=1)
            ]
            raw.post("/v1/sync/push", json={"client_id": f"bench-edit-{run}", "ops": ops}).raise_for_status()
            cursor = store.sync_state().cursor
            started = time.perf_counter()
            report = engine.pull()
            values.append((time.perf_counter() - started) * 1000)
            if report.error or report.pulled != DELTA:
                raise RuntimeError(f"delta pull: {report}")
            started = time.perf_counter()
            raw.get("/v1/sync/changes", params={"since": cursor, "limit": 5000}).raise_for_status()
            floors.append((time.perf_counter() - started) * 1000)
    note = f"{DELTA} changed products into a cache of {len(products)}; floor: raw GET of the same page"
    return Figure(f"delta_pull{suffix}", median(values), "ms", 100.0, median(floors), note=note)


def _price_change(product: dict[str, Any]) -> dict[str, Any]:
    return {"product_id": product["id"], "version": product["version"], "price": product["price"] + 1}


# --- drains --------------------------------------------------------------------------------------------------


def drain_figures(cognito: BenchCognito, database: str, ops: int, *, concurrent: bool = False) -> Iterator[Figure]:
    products = catalogue(DRAIN_PRODUCTS)
    token = cognito.token(CASHIER)
    suffix = "" if ops == 10_000 else f"_{ops // 1000}k"
    with shop_api(cognito, database) as api, _noop_api() as noop_url:
        load_catalogue(api.database_url, products, on_hand=1_000_000)
        runs = []
        for run in range(RUNS):
            analyse(api.database_url)  # what the runs before added, as autovacuum would have by now
            runs.append(_drain_once(api, noop_url, token, products, ops, f"DRAIN{run}"))
        rates, floors, server_cpu, client_cpu = ([run[n] for run in runs] for n in range(4))
        note = (
            f"{ops} queued sales through SyncEngine + HttpSyncTransport, {MAX_BATCH} per push, incl. the pull "
            f"after it; exactly once verified; floor: raw httpx POSTs of the same bodies to a no-op route; "
            f"median of {RUNS}; CPU per op: shop-api {median(server_cpu) / ops * 1000:.2f} ms, "
            f"engine {median(client_cpu) / ops * 1000:.2f} ms; load average {os.getloadavg()[0]:.1f}"
        )
        yield Figure(
            f"drain_{database}{suffix}", median(rates), "ops/s", 1000.0, median(floors), comparison="min", note=note
        )
        if concurrent:
            yield from _concurrent(api.url, token, products)


def _drain_once(
    api: ShopApi, noop_url: str, token: str, products: list[dict[str, Any]], ops: int, terminal: str
) -> tuple[float, float, float, float]:
    """(ops/s of the engine's drain, ops/s of the raw POST loop, CPU seconds of shop-api and of this process
    during the drain)."""
    rng = random.Random(terminal)
    with tempfile.TemporaryDirectory(prefix="bench-drain-") as folder:
        path = Path(folder) / "cache.db"
        with (
            Store.open(path, terminal_id=terminal) as counter,
            Store.open(path, terminal_id=terminal) as own,
            _transport(api.url, token) as transport,
        ):
            engine = SyncEngine(own, transport)
            engine.run_once()  # the first full pull: the catalogue the sales sell from
            with counter.transaction():  # queued in one commit: the setup is not what is measured
                for _ in range(ops):
                    chosen = rng.sample(products, rng.randint(1, 3))
                    lines = [SaleLine(p["id"], rng.randint(1, 4)) for p in chosen]
                    counter.writes.record_sale(lines, [Tender("cash", 10**7)])
            bodies = _push_bodies(counter, MAX_BATCH)
            server_before, client_before = process_cpu_seconds(api.pid), time.process_time()
            started = time.perf_counter()
            report = engine.run_once()
            seconds = time.perf_counter() - started
            server_cpu, client_cpu = process_cpu_seconds(api.pid) - server_before, time.process_time() - client_before
            _check_exactly_once(report, ops, api.database_url, terminal, transport, bodies[0])
        with httpx.Client(base_url=noop_url) as raw:
            started = time.perf_counter()
            for body in bodies:
                raw.post("/noop", json=body).raise_for_status()
            floor_seconds = time.perf_counter() - started
    return ops / seconds, ops / floor_seconds, server_cpu, client_cpu


def _push_bodies(store: Store, batch: int) -> list[dict[str, Any]]:
    """The pending ops as the engine will push them: batches of `batch` in seq order."""
    client_id = store.sync_state().client_id
    rows = store.conn.execute("SELECT seq, id, type, payload FROM outbox WHERE status = 'pending' ORDER BY seq")
    ops = [PushOp(seq, op_id, kind, json.loads(payload)).as_json() for seq, op_id, kind, payload in rows]
    return [{"client_id": client_id, "ops": ops[start : start + batch]} for start in range(0, len(ops), batch)]


def _check_exactly_once(
    report: SyncReport, ops: int, database_url: str, terminal: str, transport: HttpSyncTransport, first: dict[str, Any]
) -> None:
    on_server = sa.select(sa.func.count()).select_from(orders).where(orders.c.terminal_id == terminal)
    if report.error or report.pushed != ops or report.remaining or count_rows(database_url, on_server) != ops:
        raise RuntimeError(f"drain {terminal}: not exactly once: {report}")
    again = transport.push(first["client_id"], [PushOp(**op) for op in first["ops"]])
    if {result.status for result in again.results} != {"duplicate"} or count_rows(database_url, on_server) != ops:
        raise RuntimeError(f"drain {terminal}: a replayed batch was not all duplicate")


@contextmanager
def _transport(api_url: str, token: str) -> Iterator[HttpSyncTransport]:
    transport = HttpSyncTransport(api_url, access_token=lambda: token, timeout=120)
    try:
        yield transport
    finally:
        transport.close()


@contextmanager
def _noop_api() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.noop_api"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        yield process.stdout.readline().strip()  # type: ignore[union-attr]
    finally:
        process.stdin.close()  # type: ignore[union-attr]  # it stops at EOF
        process.wait(10)


# --- concurrent terminals ------------------------------------------------------------------------------------


def _concurrent(api_url: str, token: str, products: list[dict[str, Any]]) -> Iterator[Figure]:
    """TERMINALS threads, each its own client id and connection, each pushing SALES_PER_TERMINAL sales one per
    push as a till does while online. Orders/s over the whole wall time, p99 of a push's latency."""
    latencies: list[float] = []
    failures: list[str] = []
    start = threading.Barrier(TERMINALS + 1)

    def terminal(number: int) -> None:
        rng = random.Random(number)
        client_id = f"bench-terminal-{number}-{uuid.uuid4().hex[:8]}"
        with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as api:
            start.wait()
            for seq in range(1, SALES_PER_TERMINAL + 1):
                order = _order(rng, products, f"CT{number}", seq)
                body = {
                    "client_id": client_id,
                    "ops": [{"seq": seq, "id": order["id"], "type": "order.create", "payload": order}],
                }
                started = time.perf_counter()
                response = api.post("/v1/sync/push", json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200 or response.json()["results"][0]["status"] != "applied":
                    failures.append(response.text[:300])

    threads = [threading.Thread(target=terminal, args=(n,)) for n in range(TERMINALS)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"concurrent terminals: {len(failures)} pushes failed, e.g. {failures[0]}")
    total = TERMINALS * SALES_PER_TERMINAL
    note = f"{TERMINALS} terminals at once, {SALES_PER_TERMINAL} sales each, one per push, shop-api on PostgreSQL"
    yield Figure("api_concurrent_pg", total / seconds, "orders/s", None, note=note)
    yield Figure("api_concurrent_pg_p99", p99(latencies), "ms", None, note=f"p99 of a push's latency; {note}")


def _order(rng: random.Random, products: list[dict[str, Any]], terminal: str, number: int) -> dict[str, Any]:
    chosen = rng.sample(products, rng.randint(1, 3))
    return {
        "id": str(uuid.uuid4()),
        "terminal_id": terminal,
        "receipt_no": f"{terminal}-{number:06d}",
        "created_at": datetime.now(UTC).isoformat(),
        "lines": [{"product_id": p["id"], "quantity": rng.randint(1, 4), "unit_price": p["price"]} for p in chosen],
        "tenders": [{"method": "cash", "amount": 10**7}],
    }
