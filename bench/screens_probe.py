"""The counter's screens as staff feel them, in a process of its own (its peak RSS is a figure): the real console
app under a Pilot at 80x24 on the profile's cache, signed in as a manager after an offline unlock (no server
needed). First the products screen, opened and the end of its list reached, RUNS times (the peak RSS is taken
then); then RUNS sales on the sale screen, each of SCANS scanned barcodes, from the scanner's burst to the cart
showing the line. Prints one JSON object.

    python -m bench.screens_probe BARCODE...   (XDG dirs and the `bench` profile's cache prepared by
                                                 bench/screens.py; RUNS x SCANS distinct barcodes of it)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import events
from textual.css.query import NoMatches
from textual.pilot import Pilot

from bench.harness import peak_rss_kib
from bench.startup_probe import next_frame

if TYPE_CHECKING:
    from console.app import ShopConsoleApp
    from console.config import Profile

RUNS = 5
SCANS = 20  # lines of one sale: a big basket
PROFILE = "bench"
TERMINAL = "BENCH1"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing answers
TIMEOUT_S = 30.0


async def _until(condition: Callable[[], bool]) -> None:
    deadline = time.perf_counter() + TIMEOUT_S
    while time.perf_counter() < deadline:
        try:
            if condition():
                return
        except NoMatches:  # the screen is still composing its widgets
            pass
        await asyncio.sleep(0.001)
    raise TimeoutError("the screen never showed what the probe waits for")


async def _measure(barcodes: Sequence[str]) -> dict[str, object]:
    from console.app import create_app
    from console.offline_unlock import Identity
    from console.session import SignedIn

    app = create_app(profile(), keys={})
    manager = Identity("bench-manager", "sub-bench", "shop-bench", "Bench Shop", "USD", "manager", ("manager",))
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.api_status.reachable is not None and app.session is not None)
        await pilot.pause(0.5)  # the login screen settled, as a person would find it
        app.call_later(app.advance, SignedIn(manager, None, dt.datetime.now(dt.UTC)))
        await pilot.pause(0.5)
        opened, ends = await _products(app, pilot)
        rss_kib = peak_rss_kib()
        scans = [await _sale(app, pilot, barcodes[run * SCANS : (run + 1) * SCANS]) for run in range(RUNS)]
    return {"open_ms": opened, "end_ms": ends, "products_rss_kib": rss_kib, "scan_ms": scans}


async def _products(app: ShopConsoleApp, pilot: Pilot[None]) -> tuple[list[float], list[float]]:
    """Home → the products screen until its first page shows, then End until the last page shows."""
    from screens.products import ProductsScreen

    opened: list[float] = []
    ends: list[float] = []
    for _ in range(RUNS):
        started = time.perf_counter()
        app.open_destination("products")
        await _until(lambda: isinstance(app.screen, ProductsScreen) and app.screen.table.row_count > 0)
        opened.append((time.perf_counter() - started) * 1000)
        screen = app.screen
        assert isinstance(screen, ProductsScreen)
        await pilot.pause(0.2)
        started = time.perf_counter()
        await pilot.press("end")
        await _until(lambda table=screen.table: table.has_before and not table.has_after)
        ends.append((time.perf_counter() - started) * 1000)
        app.action_home()
        await pilot.pause(0.2)
    return opened, ends


async def _sale(app: ShopConsoleApp, pilot: Pilot[None], barcodes: Sequence[str]) -> list[float]:
    """One sale on a new sale screen: each barcode as a scanner sends it (its digits and Enter at once, as
    tests/console/test_sale_screen.py's `scan` does), timed until the cart shows its line and that frame is
    painted. Between scans the app settles, as it does between a cashier's scans."""
    from screens.sale import CartTable, SaleScreen

    app.open_destination("sale")
    await _until(lambda: isinstance(app.screen, SaleScreen))
    await pilot.pause(0.2)
    table = app.screen.query_one(CartTable)
    taken: list[float] = []
    for lines, barcode in enumerate(barcodes, start=1):
        started = time.perf_counter()
        for key, char in [*((digit, digit) for digit in barcode), ("enter", "\r")]:
            app.post_message(events.Key(key, char))
        await _until(lambda lines=lines: table.row_count == lines)
        await next_frame(app)
        taken.append((time.perf_counter() - started) * 1000)
        await pilot.pause()
    app.action_home()
    await pilot.pause(0.2)
    return taken


def profile() -> Profile:
    from console.config import Profile

    return Profile(
        name=PROFILE,
        environment="demo",
        api_url=UNREACHABLE,
        region="us-east-1",
        user_pool_id="us-east-1_bench",
        client_id="console",
        aws_endpoint_url=UNREACHABLE,
        terminal_id=TERMINAL,
    )


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_measure(sys.argv[1:]))))
    sys.exit(0)
