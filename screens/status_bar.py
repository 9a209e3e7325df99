"""The line on top of every screen after sign-in: who, where, which environment, write mode, connection, queue,
time."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

if TYPE_CHECKING:
    from console.app import ShopConsoleApp
    from offline_cache.engine import SyncStatus


def environment_badge(environment: str) -> Static:
    """The environment's name on its colour (production red), so nobody mistakes production for a test."""
    return Static(f" {environment.upper()} ", classes=f"env-badge -{environment}")


def age_text(age: dt.timedelta | None) -> str:
    if age is None:
        return "—"
    seconds = max(0, int(age.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


class StatusBar(Horizontal):
    if TYPE_CHECKING:

        @property
        def app(self) -> ShopConsoleApp: ...

    def compose(self) -> ComposeResult:
        who = self.app.identity
        # The shop comes last: on a narrow terminal it is what the ellipsis takes.
        yield Static(f"{who.username} · {who.role} · {self.app.profile.terminal_id} · {who.shop_name}", id="who")
        yield environment_badge(self.app.profile.environment)
        if self.app.write_mode:  # `--write`: an admin's actions change things, so say so on every screen
            yield Static(" WRITE MODE ", id="write-mode")
        # Kept, not queried: the app's first reports may come while these are still being mounted.
        self._link, self._queue, self._skew, self._clock = (Static(id=n) for n in ("link", "queue", "skew", "clock"))
        yield from (self._link, self._queue, self._skew, self._clock)

    def on_mount(self) -> None:
        self.watch(self.app, "online", self._show_link)
        self.watch(self.app, "queue", lambda _queue: self._tick())
        self.watch(self.app, "sync_status", self._show_skew)
        self.set_interval(1, self._tick)

    def _show_link(self, online: bool) -> None:
        self._link.update("online" if online else "offline")
        self._link.set_class(not online, "-offline")

    def _show_skew(self, status: SyncStatus | None) -> None:
        """Only when the device clock is over 2 minutes off the server's: its times go on offline orders."""
        self._skew.display = status is not None and status.skew_warning
        if status is not None and status.skew_warning:
            # Here, not at the top: the login screen imports this module, and sync_view loads the offline cache's
            # models and writes (start-up speed).
            from console.sync_view import skew_badge

            self._skew.update(skew_badge(status.state.clock_skew_seconds))

    def _tick(self) -> None:
        now, queue = self.app.clock(), self.app.queue
        oldest = None if queue.oldest is None else now - queue.oldest  # grows while the queue waits
        self._queue.update(f"queue {queue.count} · {age_text(oldest)}")
        self._queue.set_class(queue.count > 0, "-pending")
        self.set_class(queue.attention, "-attention")  # dead or in conflict: someone must look at the queue
        self._clock.update(now.strftime("%H:%M"))
