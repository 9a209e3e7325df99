"""The benchmark harness (not a benchmark): figure lines and verdicts, percentiles, the deterministic data, and the
local figures end to end on a small catalogue; and what `shop-console` imports before its first frame."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import local, startup
from bench.data import catalogue, size_suffix
from bench.harness import Figure, emit, median, p99
from common.barcodes import has_valid_check_digit

KEYS = {"name", "value", "unit", "goal", "floor", "ratio", "ok"}


def test_a_figure_is_one_json_line_with_its_verdict() -> None:
    out = io.StringIO()
    emit(Figure("startup", 900.0, "ms", 1.5, 500.0, goal_is_ratio=True), out, as_json=True)
    emit(Figure("drain_sqlite", 800.0, "ops/s", 1000.0, 20000.0, comparison="min", note="n"), out, as_json=True)
    emit(Figure("api_concurrent_pg", 300.0, "orders/s", None), out, as_json=True)
    startup, drain, concurrent = [json.loads(line) for line in out.getvalue().splitlines()]
    assert startup.keys() >= KEYS and drain.keys() >= KEYS and concurrent.keys() >= KEYS
    assert (startup["ratio"], startup["goal"], startup["ok"]) == (1.8, "<= 1.5x floor", False)
    assert (drain["goal"], drain["ok"], drain["note"]) == (">= 1000.0 ops/s", False, "n")
    assert (concurrent["floor"], concurrent["ratio"], concurrent["ok"]) == (None, None, None)
    assert Figure("lookup", 0.5, "ms", 1.0).ok and Figure("drain", 1200, "ops/s", 1000.0, comparison="min").ok


def test_median_and_p99() -> None:
    samples = [float(n) for n in range(1, 201)]
    assert median(samples) == 100.5
    assert p99(samples) == 198.0
    assert p99([3.0]) == 3.0


def test_the_catalogue_is_deterministic_with_valid_barcodes() -> None:
    first, again = catalogue(2000), catalogue(2000)
    assert first == again
    assert len({p["id"] for p in first}) == len({p["barcode"] for p in first}) == len({p["sku"] for p in first}) == 2000
    assert all(has_valid_check_digit(p["barcode"]) and len(p["barcode"]) == 13 for p in first)
    assert (size_suffix(100_000), size_suffix(20_000)) == ("", "_20k")


def test_the_local_figures_run_on_a_small_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "RUNS", 1)
    monkeypatch.setattr(local, "LOOKUPS", 50)
    monkeypatch.setattr(local, "SEARCHES", 50)
    monkeypatch.setattr(local, "SALES", 20)
    figures = {figure.name: figure for figure in local.figures(2000)}
    assert set(figures) == {"barcode_lookup_2k", "search_prefix_2k", "sale_commit_2k"}
    assert all(figure.value > 0 and figure.floor and figure.unit == "ms" for figure in figures.values())


# What the console loads only when first needed, never before its first frame (start-up time and RSS).
LAZY_PACKAGES = {
    "moto",  # never in the console
    "boto3",  # signing in
    "botocore",
    "pycognito",
    "jwt",  # reading a session's claims
    "cryptography",
    "keyring",  # a worker after the first frame
    "httpx",  # the first request, in a worker
    "httpcore",
    "segno",  # an MFA challenge
    "tomlkit",  # writing a profile
    "sqlalchemy",  # the server's
    "fastapi",
}
LAZY_MODULES = {
    "offline_cache.engine",  # sync, the counter
    "offline_cache.http_transport",
    "offline_cache.store",
    "console.sync_view",  # the status bar's clock-skew badge, once signed in
    "offline_cache.models",
}


def test_the_console_loads_no_sdk_http_client_or_sync_engine_before_its_first_frame(tmp_path: Path) -> None:
    """Importing the entry point and making the app as `shop-console` does, in a fresh interpreter."""
    config = tmp_path / "config.toml"
    config.write_text(startup.PROFILE)
    code = (
        "import json, sys\n"
        "from console import cli, config\n"
        "from console.app import create_app\n"
        "create_app(config.load_profile('bench'))\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    env = {**os.environ, "SHOP_CONSOLE_CONFIG": str(config), "XDG_STATE_HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env)
    loaded = set(json.loads(run.stdout))
    assert not {name.split(".")[0] for name in loaded} & LAZY_PACKAGES
    assert not loaded & LAZY_MODULES
