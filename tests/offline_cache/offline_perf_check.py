"""Quick timings of offline_cache's hot paths over 100,000 generated products (not a test: the bench harness
measures the real figures). Run from the repository root:

    .venv/bin/python tests/offline_cache/offline_perf_check.py [--count N] [--stack]

Prints JSON lines. Always: the initial catalogue written locally as pull pages (2,000 a page, search index built
at the end), barcode lookup, search as you type (prefix, top 50), products page first/last, sale commit
(synchronous=FULL) beside a raw insert + commit, a delta page of 100 changes. With --stack: the local stack's
shop-api (SQLite) seeded with the catalogue, then the initial pull over HTTP in a separate process (wall time and
peak RSS), and a drain of 10,000 queued sales.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).resolve().parents[2])]

from offline_support import catalogue  # noqa: E402

from offline_cache import product_view, pull  # noqa: E402
from offline_cache.engine import SyncEngine  # noqa: E402
from offline_cache.models import SaleLine, Tender  # noqa: E402
from offline_cache.store import Store  # noqa: E402
from offline_cache.transport import Change  # noqa: E402

PAGE = 2000


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 3)  # noqa: E731
    return {"p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": round(ordered[-1] * 1000, 3), "n": len(samples)}


def timed(call: Callable[[Any], object], arguments: Iterable[Any]) -> list[float]:
    samples = []
    for argument in arguments:
        started = time.perf_counter()
        call(argument)
        samples.append(time.perf_counter() - started)
    return samples


def emit(name: str, **figures: Any) -> None:
    print(json.dumps({"name": name, **figures}), flush=True)


def local_figures(folder: Path, products: list[dict[str, Any]]) -> None:
    rng = random.Random(9)
    with Store.open(folder / "local.db", terminal_id="T1") as store:
        changes = [Change(str(n), "product", p["id"], p) for n, p in enumerate(products)]
        started = time.perf_counter()
        for first in range(0, len(changes), PAGE):
            with store.transaction() as conn:
                pull.apply_page(conn, changes[first : first + PAGE])
        with store.transaction() as conn:
            product_view.complete_initial_load(conn)
        emit("initial_catalogue_local_apply", seconds=round(time.perf_counter() - started, 2), products=len(products))

        barcodes = [rng.choice(products)["barcode"] for _ in range(5000)]
        emit("barcode_lookup", **percentiles(timed(store.catalogue.lookup, barcodes)))
        raw = store.conn.execute
        floor = timed(lambda code: raw("SELECT * FROM products WHERE barcode = ?", (code,)).fetchone(), barcodes)
        emit("barcode_lookup_floor_raw_sqlite", **percentiles(floor))
        typed = []
        for product in rng.sample(products, 300):
            text = " ".join(product["name"].split()[1:3])
            typed += [text[:n] for n in range(1, len(text) + 1)]
        emit("search_prefix_top50", **percentiles(timed(lambda text: store.catalogue.search(text, 50), typed)))
        fts = "SELECT rowid FROM products_fts WHERE products_fts MATCH ? ORDER BY rank LIMIT 50"
        words = [f'"{word}"*' for word in (t.split()[-1] for t in typed if t.split() and len(t.split()[-1]) > 2)]
        emit("search_floor_raw_fts5", **percentiles(timed(lambda q: raw(fts, (q,)).fetchall(), words)))
        emit("products_page_first", **percentiles(timed(lambda _: store.catalogue.page(limit=50), range(50))))
        emit("products_page_last", **percentiles(timed(lambda _: store.catalogue.page(limit=50, last=True), range(50))))

        ids = [p["id"] for p in products]
        sale = lambda _: store.writes.record_sale(  # noqa: E731
            [SaleLine(product_id, 1) for product_id in rng.sample(ids, 3)], [Tender("cash", 10**7)]
        )
        emit("sale_commit_sync_full", **percentiles(timed(sale, range(500))))
        raw("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, body TEXT)")

        def insert(_: object) -> None:
            raw("BEGIN IMMEDIATE")
            raw("INSERT INTO floor (body) VALUES (?)", ("x" * 300,))
            raw("COMMIT")

        emit("sale_commit_floor_raw_insert_commit", **percentiles(timed(insert, range(500))))

        edited = [
            Change(str(n), "product", p["id"], p | {"price": p["price"] + 1, "version": 2})
            for n, p in enumerate(rng.sample(products, 100))
        ]
        started = time.perf_counter()
        with store.transaction() as conn:
            pull.apply_page(conn, edited)
        emit("delta_page_100_local_apply", ms=round((time.perf_counter() - started) * 1000, 2))


# Peak RSS from VmHWM: ru_maxrss would carry over the parent's peak through fork and exec.
PULL_CHILD = """
import os, re, sys, time, json
from offline_cache.engine import SyncEngine
from offline_cache.http_transport import HttpSyncTransport
from offline_cache.store import Store
store = Store.open(sys.argv[1], terminal_id="PERF1")
transport = HttpSyncTransport(os.environ["API_URL"], access_token=lambda: os.environ["TOKEN"], timeout=60)
started = time.perf_counter()
report = SyncEngine(store, transport).run_once()
peak_kib = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "changes": report.pulled, "error": report.error,
                  "peak_rss_mib": round(peak_kib / 1024, 1)}))
"""


def stack_figures(folder: Path, products: list[dict[str, Any]]) -> None:
    from offline_stack import Session

    from backend.devstack import DevStack
    from backend.devstack.demo_accounts import CORNER_GROCER
    from backend.seed import seed_catalogue

    devstack = DevStack(folder / "stack")
    info = devstack.start()
    try:
        started = time.perf_counter()
        seed_catalogue(devstack.database_url, CORNER_GROCER.id, [p | {"on_hand": 50} for p in products])
        emit("stack_seed_catalogue", seconds=round(time.perf_counter() - started, 1), products=len(products))
        manager = Session(info, "corner-manager")
        path = folder / "pulled.db"
        env = {**os.environ, "API_URL": info.api_url, "TOKEN": manager.access_token or "", "PYTHONPATH": os.getcwd()}
        answer = subprocess.run([sys.executable, "-c", PULL_CHILD, str(path)], env=env, capture_output=True, text=True)
        emit("initial_pull_http_shop_api_sqlite", **json.loads(answer.stdout or "{}"), stderr=answer.stderr[-300:])

        with Store.open(path, terminal_id="PERF1") as store, Store.open(path, terminal_id="PERF1") as own:
            engine = SyncEngine(own, manager.transport())
            rng = random.Random(4)
            ids = [p["id"] for p in products]
            for _ in range(10_000):
                store.writes.record_sale([SaleLine(rng.choice(ids), 1)], [Tender("cash", 10**7)])
            started = time.perf_counter()
            report = engine.run_once()
            seconds = time.perf_counter() - started
            emit(
                "drain_10k_http_shop_api_sqlite",
                ops_per_s=round(report.pushed / seconds),
                pushed=report.pushed,
                remaining=report.remaining,
                seconds_incl_pull=round(seconds, 1),
                pulled=report.pulled,
            )
    finally:
        devstack.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--stack", action="store_true")
    options = parser.parse_args()
    products = catalogue(options.count, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        local_figures(Path(folder), products)
        if options.stack:
            stack_figures(Path(folder), products)
    emit("process_peak_rss", mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))


if __name__ == "__main__":
    main()
