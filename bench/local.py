"""The counter's local figures over a cached catalogue, each beside the same work done with raw sqlite3:

- barcode_lookup: `Catalogue.lookup` of scanned barcodes (p99) beside a raw indexed `SELECT … WHERE barcode = ?`;
- search_prefix: `Catalogue.search(text, 50)` keystroke by keystroke (p99) beside a raw FTS5 prefix query;
- sale_commit: `LocalWrites.record_sale` of 1-3 lines (order, lines, stock, outbox row, synchronous=FULL; p99)
  beside a raw sqlite3 insert + commit on a file with the same settings.

Each figure is the median over RUNS runs of the run's p99.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.data import cached_store, catalogue, size_suffix, typed_searches
from bench.harness import Figure, each_ms, median, p99
from offline_cache.db import connect
from offline_cache.models import SaleLine, Tender
from offline_cache.search_text import prefix_query, terms
from offline_cache.store import Store

RUNS = 5
LOOKUPS, SEARCHES, SALES = 2000, 500, 200  # per run
RAW_FTS = "SELECT rowid FROM products_fts WHERE products_fts MATCH ? ORDER BY rank LIMIT 50"
RAW_BARCODE = "SELECT * FROM products WHERE barcode = ?"


def figures(count: int) -> Iterator[Figure]:
    suffix = size_suffix(count)
    products = catalogue(count)
    rng = random.Random(1)
    with (
        tempfile.TemporaryDirectory(prefix="bench-local-") as folder,
        cached_store(Path(folder) / "cache.db", products) as store,
    ):
        barcodes = [rng.choice(products)["barcode"] for _ in range(LOOKUPS)]
        raw = store.conn
        yield _p99_figure(
            f"barcode_lookup{suffix}",
            1.0,
            lambda: each_ms(store.catalogue.lookup, barcodes),
            lambda: each_ms(lambda code: raw.execute(RAW_BARCODE, (code,)).fetchone(), barcodes),
        )
        typed = typed_searches(products, SEARCHES, rng)
        queries = [query for text in typed if (query := prefix_query(terms(text)))]
        yield _p99_figure(
            f"search_prefix{suffix}",
            10.0,
            lambda: each_ms(lambda text: store.catalogue.search(text, 50), typed),
            lambda: each_ms(lambda query: raw.execute(RAW_FTS, (query,)).fetchall(), queries),
        )
        yield _sale_commit(store, [p["id"] for p in products], Path(folder), rng, suffix)


Samples = tuple[list[float], list[float]]  # each_ms: wall and CPU ms per call


def _p99_figure(name: str, goal_ms: float, run: Callable[[], Samples], floor: Callable[[], Samples]) -> Figure:
    """Runs alternate between the figure and its floor, so a noisy moment hits both alike."""
    values, cpus, floors = [], [], []
    for _ in range(RUNS):
        walls, cpu = run()
        values.append(p99(walls))
        cpus.append(p99(cpu))
        floors.append(p99(floor()[0]))
    note = f"p99, median of {RUNS} runs; CPU p99 {median(cpus):.3f} ms"
    return Figure(name, median(values), "ms", goal_ms, median(floors), note=note)


def _sale_commit(store: Store, ids: list[str], folder: Path, rng: random.Random, suffix: str) -> Figure:
    def sale(_: object) -> None:
        lines = [SaleLine(product_id, rng.randint(1, 3)) for product_id in rng.sample(ids, rng.randint(1, 3))]
        store.writes.record_sale(lines, [Tender("cash", 10**7)])

    floor_conn = connect(folder / "floor.db")  # the same WAL, synchronous=FULL and busy timeout
    floor_conn.execute("CREATE TABLE sale (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")

    def raw_insert(_: object) -> None:
        floor_conn.execute("BEGIN IMMEDIATE")
        floor_conn.execute("INSERT INTO sale (body) VALUES (?)", ("x" * 400,))
        floor_conn.execute("COMMIT")

    try:
        sales = list(range(SALES))
        figure = _p99_figure(
            f"sale_commit{suffix}", 10.0, lambda: each_ms(sale, sales), lambda: each_ms(raw_insert, sales)
        )
    finally:
        floor_conn.close()
    return figure
