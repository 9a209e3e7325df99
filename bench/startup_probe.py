"""Child process for the startup figures: start an app headless at 80x24 and exit at its first frame.

`console` goes through `shop-console`'s own entry point (console.cli.main) on a profile whose API does not answer;
`floor` is the plainest Textual app with a Header, a Footer and a DataTable. App.run is wrapped only to make the
run headless and to stop it once the first screen has been composed and painted. At that first frame the probe
prints the wall clock (time.time()), its peak RSS and the CPU it has used (all threads). The parent took the wall
clock just before starting the process, so the difference is process start to first frame, without the
interpreter's shutdown after it.

The first frame is the first repaint the app reaches once ready (`call_after_refresh` runs after the screen has been
repainted), not the moment the process goes idle (`Pilot.pause()`): the console deliberately starts work after its
first frame (the keyring probe, the first health check), which an idle wait would count as start-up.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable, Footer, Header

from bench.harness import peak_rss_kib

_original_run = App.run


async def next_frame(app: App[Any]) -> None:
    """Return once the screen has been repainted (`call_after_refresh` runs its callback after the next refresh)."""
    painted = asyncio.Event()
    app.call_after_refresh(painted.set)
    await painted.wait()


def _run_to_first_frame(self: App[Any], *args: Any, **kwargs: Any) -> Any:
    async def first_frame(pilot: Pilot[Any]) -> None:
        await next_frame(pilot.app)
        peak_kib = peak_rss_kib()
        print(time.time(), peak_kib, time.process_time(), flush=True)
        pilot.app.exit()

    return _original_run(self, headless=True, size=(80, 24), auto_pilot=first_frame)


class Floor(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()


def main(which: str) -> int:
    App.run = _run_to_first_frame  # type: ignore[method-assign]
    if which == "floor":
        Floor().run()
        return 0
    from console.cli import main as console_main

    return console_main(["--profile", "bench"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
