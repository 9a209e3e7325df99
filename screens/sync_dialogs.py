"""The sync screen's dialogs, and the one sign-out shows when it is refused: correct a refused op's fields, type
DISCARD to give one up, choose the file a queue export goes to, and why sign-out waits.

They decide nothing themselves: each is dismissed with what the person typed or chose, and the screen (or the app)
checks and acts on it in a worker. A dialog reopened after a failed check shows why, above the fields.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from console.sync_view import DISCARD_WORD, DeadLetter, discard_allowed
from offline_cache.exchange import ExitCheck


class _Dialog(ModalScreen[object]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="sync_dialog.cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()


class EditRetryDialog(_Dialog):
    """A refused op's correctable fields; dismissed with the values that changed (name → typed text)."""

    def __init__(self, letter: DeadLetter, typed: dict[str, str] | None = None, problem: str | None = None) -> None:
        super().__init__()
        self.letter = letter
        self.typed = typed or {}
        self.problem = problem

    def compose(self) -> ComposeResult:
        row = self.letter.row
        with Vertical(id="edit-retry-dialog", classes="dialog"):
            yield Static(Content(f"Correct and send again: {row.kind} #{row.seq}"), classes="title")
            yield Static(Content(row.what), id="edit-what")
            yield Static(Content.styled(f"Refused: {self.letter.error}", "$text-error"), id="edit-error")
            if self.problem:
                yield Static(Content.styled(self.problem, "$text-warning bold"), id="edit-problem")
            for field in self.letter.fields:
                with Horizontal(classes="edit-field"):
                    yield Label(field.label)
                    yield Input(self.typed.get(field.name, field.value), id=f"field-{field.name}")
            with Horizontal(classes="actions"):
                yield Button("Cancel", id="cancel")
                yield Button("Send again", variant="primary", id="send")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        changed = {}
        for field in self.letter.fields:
            text = self.query_one(f"#field-{field.name}", Input).value
            if text != field.value:
                changed[field.name] = text
        self.dismiss(changed)


class DiscardDialog(_Dialog):
    """Giving up a refused op: only after typing DISCARD. Dismissed with True, or None."""

    def __init__(self, letter: DeadLetter) -> None:
        super().__init__()
        self.letter = letter

    def compose(self) -> ComposeResult:
        row = self.letter.row
        with Vertical(id="discard-dialog", classes="dialog"):
            yield Static(Content(f"Discard {row.kind} #{row.seq}?"), classes="title")
            yield Static(Content(row.what), id="discard-what")
            yield Static(
                Content(
                    "It will never reach the server, and what it changed on this terminal stops counting. "
                    f"Export the queue first if someone may need it. Type {DISCARD_WORD} to go on."
                ),
                id="discard-warning",
            )
            yield Input(placeholder=DISCARD_WORD, id="discard-word")
            with Horizontal(classes="actions"):
                yield Button("Cancel", id="cancel")
                yield Button("Discard", variant="error", id="discard", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#discard-word", Input).focus()

    @on(Input.Changed, "#discard-word")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#discard", Button).disabled = not discard_allowed(event.value)

    @on(Input.Submitted, "#discard-word")
    @on(Button.Pressed, "#discard")
    def _discard(self) -> None:
        if discard_allowed(self.query_one("#discard-word", Input).value):
            self.dismiss(True)


class ExportDialog(_Dialog):
    """Where to write the queue; dismissed with the typed path (blank: the suggested one), or None."""

    def __init__(self, suggested: str, count: int | None = None) -> None:
        super().__init__()
        self.suggested = suggested
        self.count = count

    def compose(self) -> ComposeResult:
        what = "every operation not yet settled" if self.count is None else f"{self.count} unsettled operation(s)"
        with Vertical(id="export-dialog", classes="dialog"):
            yield Static(Content("Export the queue"), classes="title")
            yield Static(
                Content(
                    f"Writes {what} to a JSON file that `shop-console queue import FILE` replays on another "
                    "terminal (the same ids: nothing is applied twice)."
                ),
                id="export-help",
            )
            yield Input(self.suggested, id="export-path")
            with Horizontal(classes="actions"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", variant="primary", id="export")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        self.dismiss(self.query_one("#export-path", Input).value)


class SignOutRefusedDialog(_Dialog):
    """Sign-out would strand work on this terminal: why, and the two ways on. Dismissed with "export", "sync" or
    None."""

    def __init__(self, check: ExitCheck) -> None:
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="sign-out-dialog", classes="dialog"):
            yield Static(Content("Not signed out"), classes="title")
            yield Static(Content(self.check.reason), id="sign-out-reason")
            with Horizontal(classes="actions"):
                yield Button("Cancel", id="cancel")
                yield Button("Open Sync", id="open-sync")
                yield Button("Export queue…", variant="primary", id="export-queue")

    def on_mount(self) -> None:
        self.query_one("#open-sync", Button).focus()

    @on(Button.Pressed, "#open-sync")
    def _open_sync(self) -> None:
        self.dismiss("sync")

    @on(Button.Pressed, "#export-queue")
    def _export(self) -> None:
        self.dismiss("export")
