"""startup and startup_rss: `shop-console` to the login screen's first frame, beside a bare Textual app."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.harness import Figure, median, run_child

PROFILE = """\
[profiles.bench]
environment = "development"
api_url = "http://127.0.0.1:1"
region = "us-east-1"
user_pool_id = "us-east-1_bench"
client_id = "bench"
"""


def _measure(which: str, env: dict[str, str], runs: int) -> tuple[float, float]:
    walls, rss = [], []
    for _ in range(runs):
        wall, peak_kib, _ = run_child([sys.executable, "-m", "bench.startup_probe", which], env=env)
        walls.append(wall)
        rss.append(peak_kib / 1024)
    return median(walls), median(rss)


def figures(runs: int) -> Iterator[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(PROFILE)
        env = {**os.environ, "SHOP_CONSOLE_CONFIG": str(config), "XDG_STATE_HOME": tmp, "XDG_DATA_HOME": tmp}
        _measure("console", env, 1)  # warm the OS file cache and bytecode for both, so runs compare
        _measure("floor", env, 1)
        floor_wall, floor_rss = _measure("floor", env, runs)
        wall, rss = _measure("console", env, runs)
    yield Figure("startup", wall * 1000, "ms", 1.5, floor_wall * 1000, goal_is_ratio=True)
    yield Figure("startup_rss", rss, "MiB", 2.0, floor_rss, goal_is_ratio=True)
