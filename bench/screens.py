"""The products screen's figures on a cache of N products: `products_screen_open` (home to the first page of the
list shown), `products_screen_end` (End to the last page shown), medians of 5, and `products_screen_rss`, the
probe process's peak RSS. The cache is built here, in the parent, so the probe's RSS is the console's alone."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.data import cached_store, catalogue, size_suffix
from bench.harness import Figure, median, run_child
from bench.screens_probe import TERMINAL, profile
from console.sync_service import queue_path


def figures(count: int) -> Iterator[Figure]:
    with tempfile.TemporaryDirectory(prefix="shop-bench-screens-") as home:
        env = {**os.environ, **{variable: str(Path(home) / variable.lower()) for variable in _XDG}}
        cached_store(_cache_path(env), catalogue(count), terminal_id=TERMINAL).close()
        _wall, rss_kib, out, _cpu = run_child([sys.executable, "-m", "bench.screens_probe"], env)
    measured = json.loads(out)
    suffix = size_suffix(count)
    yield Figure(f"products_screen_open{suffix}", round(median(measured["open_ms"]), 1), "ms", 300.0)
    yield Figure(f"products_screen_end{suffix}", round(median(measured["end_ms"]), 1), "ms", 300.0)
    yield Figure(f"products_screen_rss{suffix}", round(rss_kib / 1024, 1), "MiB", 150.0)


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
