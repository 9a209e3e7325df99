"""A served request is not held back by TCP: shop-api's own listening socket must let asyncio turn Nagle off."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import httpx

from backend.app import create_app
from backend.server import running_in_thread
from backend.settings import Settings

# Nagle's algorithm with the client's delayed ACK costs ~40 ms a response; served over loopback it takes ~1 ms.
MEDIAN_LIMIT_MS = 15


def test_loopback_round_trip_is_fast(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'shop-api.db'}", user_pool_id="us-east-1_x", client_id="x")
    with running_in_thread(create_app(settings)) as url, httpx.Client(base_url=url) as client:
        client.get("/v1/health").raise_for_status()
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            client.get("/v1/health").raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    assert statistics.median(timings) < MEDIAN_LIMIT_MS, timings
