"""The products screen as a manager feels it, in a process of its own (its peak RSS is the figure's): the real
console app under a Pilot at 80x24 on the profile's cache, signed in as after an offline unlock (no server needed),
the products screen opened and the end of its list reached, each RUNS times. Prints one JSON object.

    python -m bench.screens_probe   (XDG dirs and the `bench` profile's cache prepared by bench/screens.py)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import resource
import sys
import time
from collections.abc import Callable

from textual.css.query import NoMatches

RUNS = 5
PROFILE = "bench"
TERMINAL = "BENCH1"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing answers


async def _until(condition: Callable[[], bool]) -> None:
    while True:
        try:
            if condition():
                return
        except NoMatches:  # the screen is still composing its widgets
            pass
        await asyncio.sleep(0.001)


async def _measure() -> dict[str, object]:
    from console.app import create_app
    from console.offline_unlock import Identity
    from console.session import SignedIn
    from screens.products import ProductsScreen

    app = create_app(profile(), keys={})
    manager = Identity("bench-manager", "sub-bench", "shop-bench", "Bench Shop", "USD", "manager", ("manager",))
    opened: list[float] = []
    ends: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.api_status.reachable is not None and app.session is not None)
        await pilot.pause(0.5)  # the login screen settled, as a person would find it
        app.call_later(app.advance, SignedIn(manager, None, dt.datetime.now(dt.UTC)))
        await pilot.pause(0.5)
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
    return {"open_ms": opened, "end_ms": ends, "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def profile():
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
    print(json.dumps(asyncio.run(_measure())))
    sys.exit(0)
