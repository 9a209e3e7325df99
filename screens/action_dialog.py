"""The preview of an admin action and its confirmation, in one dialog: what will be called, how it is verified, the
equivalent AWS CLI command, and — only when the person may run it — a confirmation with Cancel focused.

It runs nothing: it is dismissed with the confirmation given ("y" for a low-risk action) or None, and the screen
that opened it runs the action in a worker. When the action may not run here (read-only console, not an admin,
offline, or blocked), it shows why and the CLI command instead of a button that would fail.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from console.ops.runbooks.actions import Preview, Risk

CONFIRMED = "y"


class ActionDialog(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="action.cancel"),
        Binding("n", "cancel", "No", show=False, id="action.no"),
        Binding("y", "confirm", "Yes", show=False, id="action.yes"),
    ]

    def __init__(self, title: str, preview: Preview, refused: str | None) -> None:
        super().__init__()
        if preview.risk is not Risk.LOW:  # the y/n form fits low-risk actions only; the others need typing
            raise ValueError(f"{preview.action} is {preview.risk.value} risk: it needs a typed confirmation")
        self.title_text = title
        self.preview = preview
        # Why it cannot run here: the console's refusal, or the preview's own (e.g. the cluster is not available).
        self.cannot_run = refused or preview.blocked

    def compose(self) -> ComposeResult:
        preview = self.preview
        with Vertical(id="action-dialog", classes="dialog"):
            yield Static(Content(self.title_text), classes="title")
            yield Static(Content(preview.summary), id="action-summary")
            yield Static(self._section("API call", preview.api_calls), id="action-calls")
            yield Static(self._section("Verify", (preview.verify,)), id="action-verify")
            yield Static(self._section("The same with the AWS CLI", preview.cli), id="action-cli")
            if self.cannot_run:
                yield Static(Content(f"Cannot run it here: {self.cannot_run}"), id="action-refused")
                with Horizontal(classes="actions"):
                    yield Button("Close", id="cancel")
            else:
                yield Static(Content(preview.confirmation_prompt), id="action-prompt")
                with Horizontal(classes="actions"):
                    yield Button("Cancel", id="cancel")
                    yield Button("Run it", variant="warning", id="run")

    @staticmethod
    def _section(heading: str, lines: tuple[str, ...]) -> Content:
        return Content.assemble((heading, "bold"), *(f"\n  {line}" for line in lines))

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # Enter alone never runs an action

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "confirm" and self.cannot_run)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        self.dismiss(CONFIRMED)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#run")
    def _run(self) -> None:
        self.action_confirm()
