"""Child process for the initial_pull figures: `python -m bench.pull_probe API_URL CACHE_PATH` (the access token in
BENCH_TOKEN) opens a new cache, runs one sync cycle of the real engine over HTTP (the first full pull) and prints
`{"seconds", "pulled", "error", "peak_rss_mib"}`. Peak RSS is VmHWM: the whole process, interpreter included."""

from __future__ import annotations

import json
import os
import sys
import time

from bench.harness import peak_rss_kib
from offline_cache.engine import SyncEngine
from offline_cache.http_transport import HttpSyncTransport
from offline_cache.store import Store


def main(api_url: str, cache_path: str) -> int:
    token = os.environ["BENCH_TOKEN"]
    with Store.open(cache_path, terminal_id="PULL1") as store:
        transport = HttpSyncTransport(api_url, access_token=lambda: token, timeout=120)
        started = time.perf_counter()
        report = SyncEngine(store, transport).run_once()
        seconds = time.perf_counter() - started
        transport.close()
    peak_kib = peak_rss_kib()
    print(
        json.dumps(
            {"seconds": seconds, "pulled": report.pulled, "error": report.error, "peak_rss_mib": peak_kib / 1024}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
