"""Run by offline_kills.run_sync_child (the drain crash test, the fault suite's kill moments): the headless sync of
one terminal's queue, as `shop-console sync` runs it (the engine on its own store, pushing to shop-api), until the
queue is drained; killed at random moments.

argv: the cache's path, shop-api's URL, a seed for the engine's jitter, the terminal id, the ops a push sends (the
engine's default is what `shop-console sync` sends). The access token comes in
the environment (SHOP_TEST_ACCESS_TOKEN), so a restart does not sign in again. Prints "started" once the store is
open, then "push N" as the engine reports its progress (N ops answered in this run), and exits 0 when nothing is
left to send.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from offline_cache.engine import SyncEngine
from offline_cache.http_transport import HttpSyncTransport
from offline_cache.store import Store


def main(path: str, api_url: str, seed: int, terminal_id: str, batch_size: int) -> int:
    token = os.environ["SHOP_TEST_ACCESS_TOKEN"]
    transport = HttpSyncTransport(api_url, access_token=lambda: token, timeout=30)
    with Store.open(Path(path), terminal_id=terminal_id) as store:
        engine = SyncEngine(
            store,
            transport,
            rng=random.Random(seed),
            batch_size=batch_size,
            on_progress=lambda progress: print(f"{progress.phase} {progress.done}", flush=True),
        )
        print("started", flush=True)
        for _ in range(200):
            report = engine.run_once(force=True)
            if report.error is None and report.remaining == 0:
                return 0
            time.sleep(0.05)  # a refused or unanswered push: go again at once (the test wants it drained)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])))
