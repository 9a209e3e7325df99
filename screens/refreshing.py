"""The admin screens that show a report read from AWS (backups, deployments, health): read in a worker on a key
and again a while after each answer, so a slow AWS never stacks up reads, and not while a dialog is in front."""

from __future__ import annotations

from asyncio import CancelledError
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar, cast

from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from screens.base import ShellScreen


def verify_wait(say: Callable[[int], None]) -> Callable[[float], None]:
    """The `sleep` an action's service waits with between its verify checks, in the current worker: `say(n)` before
    the nth wait (a sign of progress), and the moment to stop when the screen or the console closes (the action goes
    on in AWS; the audit log has it as executed): the worker then ends as cancelled, not as an error."""
    worker = get_current_worker()
    checks = 0

    def wait(seconds: float) -> None:
        nonlocal checks
        checks += 1
        say(checks)
        if worker.cancelled_event.wait(seconds):
            raise CancelledError

    return wait


Report = TypeVar("Report")


class RefreshingScreen(ShellScreen, Generic[Report]):
    READING: ClassVar[tuple[str, str]]  # the reading worker's group and description (the error dialog names it)

    class Collected(Message):
        def __init__(self, report: Any) -> None:
            super().__init__()
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None  # the latest answer
        self.collecting = False
        self._refresh_due = False
        self._auto_refresh: Timer | None = None

    # --- what a subclass says ------------------------------------------------------------------------------------

    def refresh_seconds(self) -> float:
        """How long after an answer the report is read again."""
        raise NotImplementedError

    def collect(self) -> Report:
        """Read the report (called in a worker thread)."""
        raise NotImplementedError

    def show_report(self, report: Report) -> None:
        """Show a report just read."""
        raise NotImplementedError

    def _show_summary(self) -> None:
        """The line that says how fresh the report is (and that it is being read)."""
        raise NotImplementedError

    # --- the rhythm ------------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.collecting:
            return  # the answer on its way is as fresh
        self.collecting = True
        self._refresh_due = False
        self._show_summary()
        self.read_report()

    def read_report(self) -> None:
        group, description = self.READING
        self.run_worker(
            lambda: self.post_message(self.Collected(self.collect())),
            thread=True,
            exclusive=True,
            group=group,
            description=description,
            exit_on_error=False,
        )

    def on_refreshing_screen_collected(self, message: Collected) -> None:
        """An answer arrived: shown, and the next read is armed from now."""
        self.collecting = False
        if self._auto_refresh is not None:
            self._auto_refresh.stop()
        self._auto_refresh = self.set_timer(self.refresh_seconds(), self._refresh_when_visible)
        self.report = cast(Report, message.report)
        self.show_report(self.report)

    def _refresh_when_visible(self) -> None:
        """The timed refresh waits while a dialog (or anything else) is in front of this screen."""
        if self.is_active:
            self.action_refresh()
        else:
            self._refresh_due = True

    def on_screen_resume(self) -> None:
        if self._refresh_due:
            self.action_refresh()
