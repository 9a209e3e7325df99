"""The counter's screens on a cache of N products, from the real console in a probe process (bench/screens_probe.py):

- `products_screen_open` (home to the first page of the list shown), `products_screen_end` (End to the last page
  shown), medians of 5, and `products_screen_rss`, the probe's peak RSS once it has done those;
- `scan_to_cart`: a scanned barcode (its digits and Enter as a scanner sends them) to the cart showing the line,
  painted; each of 5 sales on a new sale screen scans 20 distinct products of the catalogue; the median of the
  sales' p99 (the note gives the median of all scans).

The cache is built here, in the parent, so the probe's RSS is the console's alone."""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.data import cached_store, catalogue, size_suffix
from bench.harness import Figure, median, p99, run_child
from bench.screens_probe import RUNS, SCANS, TERMINAL, profile
from console.sync_service import queue_path


def figures(count: int) -> Iterator[Figure]:
    with tempfile.TemporaryDirectory(prefix="shop-bench-screens-") as home:
        env = {**os.environ, **{variable: str(Path(home) / variable.lower()) for variable in _XDG}}
        products = catalogue(count)
        cached_store(_cache_path(env), products, terminal_id=TERMINAL).close()
        on_sale = [product for product in products if product["active"]]  # the catalogue has inactive ones too
        scanned = [product["barcode"] for product in random.Random(1).sample(on_sale, RUNS * SCANS)]
        del products, on_sale  # not held while the probe runs
        _wall, out, _cpu = run_child([sys.executable, "-m", "bench.screens_probe", *scanned], env)
    measured = json.loads(out)
    suffix = size_suffix(count)
    yield Figure(f"products_screen_open{suffix}", round(median(measured["open_ms"]), 1), "ms", 300.0)
    yield Figure(f"products_screen_end{suffix}", round(median(measured["end_ms"]), 1), "ms", 300.0)
    yield Figure(f"products_screen_rss{suffix}", round(measured["products_rss_kib"] / 1024, 1), "MiB", 150.0)
    sales = measured["scan_ms"]
    every = [taken for sale in sales for taken in sale]
    note = f"p99, median of {len(sales)} sales of {SCANS} scans; median of all {len(every)}: {median(every):.1f} ms"
    yield Figure(f"scan_to_cart{suffix}", round(median([p99(sale) for sale in sales]), 1), "ms", 50.0, note=note)


_XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


def _cache_path(env: dict[str, str]) -> Path:
    """Where the probe's console finds the profile's cache under those XDG dirs (console.paths reads them)."""
    saved = {variable: os.environ.get(variable) for variable in _XDG}
    os.environ.update({variable: env[variable] for variable in _XDG})
    try:
        return queue_path(profile())
    finally:
        for variable, value in saved.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value
