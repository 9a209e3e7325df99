"""What the console's screens share: background workers that report their failures, and the signed-in frame."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from console.app import ShopConsoleApp


def background(group: str, description: str) -> Callable[[Callable[..., Any]], Callable[..., Worker[Any]]]:
    """Run a method in a thread, replacing any earlier run in its group. An unexpected error does not end the app:
    the screen's `on_worker_state_changed` hands it to the app, which logs it and shows a dialog."""
    return work(thread=True, exclusive=True, group=group, description=description, exit_on_error=False)


class ConsoleScreen(Screen[None]):
    """A screen whose workers' failures become the app's error dialog."""

    if TYPE_CHECKING:

        @property
        def app(self) -> ShopConsoleApp: ...

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.report_worker_error(event.worker)

    def commands(self) -> Iterable[SystemCommand]:
        """This screen's own command-palette commands (the app adds navigation, sign-out, themes)."""
        return ()


class ShellScreen(ConsoleScreen):
    """A screen after sign-in: the status bar on top, the body, and the keys at the bottom."""

    def compose(self) -> ComposeResult:
        from screens.status_bar import StatusBar

        yield StatusBar()
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError
