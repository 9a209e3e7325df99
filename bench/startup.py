"""startup and startup_rss: `shop-console` from process start to the login screen's first frame (and the peak RSS of
that process), beside a bare Textual app measured the same way in the same run."""

from __future__ import annotations

import os
import sys
import tempfile
import time
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


def _first_frame(which: str, env: dict[str, str]) -> tuple[float, float, float]:
    """One run: (seconds from process start to first frame, peak RSS until then in MiB, CPU seconds until then,
    for reading the wall figure on a busy machine)."""
    started = time.time()  # the wall clock, as the child prints it at its first frame
    _, out, _ = run_child([sys.executable, "-m", "bench.startup_probe", which], env=env)
    first_frame, peak_kib, cpu = out.split()[-3:]
    return float(first_frame) - started, int(peak_kib) / 1024, float(cpu)


def figures(runs: int) -> Iterator[Figure]:
    """Console and floor runs alternate, so that a noisy moment on the machine hits both alike."""
    samples: dict[str, list[tuple[float, float, float]]] = {"console": [], "floor": []}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(PROFILE)
        env = {**os.environ, "SHOP_CONSOLE_CONFIG": str(config), "XDG_STATE_HOME": tmp, "XDG_DATA_HOME": tmp}
        for which in samples:  # warm the OS file cache and bytecode for both, so runs compare
            _first_frame(which, env)
        for _ in range(runs):
            for which, taken in samples.items():
                taken.append(_first_frame(which, env))
    (wall, rss, cpu), (floor_wall, floor_rss, floor_cpu) = (
        [median([sample[n] for sample in samples[which]]) for n in range(3)] for which in ("console", "floor")
    )
    note = f"median of {runs}; CPU until the first frame {cpu:.2f} s, floor {floor_cpu:.2f} s"
    yield Figure("startup", wall * 1000, "ms", 1.5, floor_wall * 1000, goal_is_ratio=True, note=note)
    yield Figure("startup_rss", rss, "MiB", 2.0, floor_rss, goal_is_ratio=True, note="peak RSS until the first frame")
