"""The confirmations of the admin screens, in one piece of code: an action's preview with the confirmation its risk
needs, and a runbook's approval.

- low risk: y/n, Cancel focused (Enter alone never runs an action); dismissed with "y".
- medium risk: no shortcut key; Cancel focused, the person moves to "Run it" on purpose; dismissed with "yes".
- high risk: the target's name typed (`Preview.confirm_phrase`); "Run it" is enabled only when it matches;
  dismissed with what was typed.
- approve (ApproveDialog): the step's phrase typed, as for high risk.

The dialogs run nothing: the screen that opened one runs the action (or records the approval) in a worker with the
answer, or None for a cancel. When the action may not run here (read-only console, not an admin, offline, or
blocked), the dialog shows why and the CLI command instead of a button that would fail.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from console.ops.runbooks.actions import Preview, Risk

CONFIRMED = "y"
# What each risk's buttons answer; a high risk answers with the typed phrase instead.
ANSWERS = {Risk.LOW: CONFIRMED, Risk.MEDIUM: "yes"}
MEDIUM_PROMPT = "Run it? Cancel has the focus: Tab to Run it, then Enter"


class ConfirmDialog(ModalScreen[str | None]):
    """A body (the subclass's), then either why it cannot be done or the confirmation: Cancel and a run button, with
    a field for the phrase when one must be typed."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="action.cancel"),
        Binding("n", "cancel", "No", show=False, id="action.no"),
        Binding("y", "confirm", "Yes", show=False, id="action.yes"),
    ]
    CONTAINER_ID = "action-dialog"
    RUN_LABEL = "Run it"

    def __init__(self, title: str, prompt: str, *, phrase: str | None, answer: str, cannot_run: str | None) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.phrase = phrase  # typed in full to confirm, or None for buttons only
        self.answer = answer  # what confirming answers when no phrase is typed
        self.cannot_run = cannot_run
        self.y_confirms = answer == CONFIRMED and phrase is None

    def compose(self) -> ComposeResult:
        with Vertical(id=self.CONTAINER_ID, classes="dialog"):
            yield Static(Content(self.title_text), classes="title")
            # The preview scrolls (Shift+Tab to it) when the terminal is short; the confirmation stays in view.
            with VerticalScroll(classes="dialog-body"):
                yield from self.compose_body()
            if self.cannot_run:
                yield Static(Content(f"Cannot run it here: {self.cannot_run}"), id="action-refused")
                with Horizontal(classes="actions"):
                    yield Button("Close", id="cancel")
                return
            yield Static(Content(self.prompt), id="action-prompt")
            if self.phrase is not None:
                yield Input(placeholder=self.phrase, id="action-typed", select_on_focus=False)
                yield Static(id="action-typed-hint")  # shown when what was typed is not the phrase
            with Horizontal(classes="actions"):
                yield Button("Cancel", id="cancel")
                yield Button(self.RUN_LABEL, variant="warning", id="run", disabled=self.phrase is not None)

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        for hint in self.query("#action-typed-hint"):
            hint.display = False
        # Enter alone never confirms: Cancel is focused, or the empty field where the phrase must be typed.
        self.query_one("#action-typed" if self.phrase is not None and not self.cannot_run else "#cancel").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.y_confirms and not self.cannot_run
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        self.dismiss(self.answer)

    def _typed(self) -> str:
        return self.query_one("#action-typed", Input).value.strip()

    @on(Input.Changed, "#action-typed")
    def _typing(self) -> None:
        self.query_one("#run", Button).disabled = self._typed() != self.phrase
        self.query_one("#action-typed-hint", Static).display = False

    @on(Input.Submitted, "#action-typed")
    def _submitted(self) -> None:
        if self._typed() == self.phrase:
            self.dismiss(self._typed())
        else:
            hint = self.query_one("#action-typed-hint", Static)
            hint.update(Content(f"Type {self.phrase} exactly, or Esc."))
            hint.display = True

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#run")
    def _run(self) -> None:
        self.dismiss(self._typed() if self.phrase is not None else self.answer)


class ActionDialog(ConfirmDialog):
    """An action's preview: what will be called, how it is verified, the equivalent CLI command; then its
    confirmation, matched to its risk."""

    def __init__(self, title: str, preview: Preview, refused: str | None) -> None:
        # Why it cannot run here: the console's refusal, or the preview's own (e.g. the cluster is not available).
        high = preview.risk is Risk.HIGH
        super().__init__(
            title,
            MEDIUM_PROMPT if preview.risk is Risk.MEDIUM else preview.confirmation_prompt,
            phrase=preview.confirm_phrase if high else None,
            answer=ANSWERS.get(preview.risk, ""),
            cannot_run=refused or preview.blocked,
        )
        if high and not preview.confirm_phrase and not self.cannot_run:
            raise ValueError(f"{preview.action} is high risk but names nothing to type")
        self.preview = preview

    def compose_body(self) -> ComposeResult:
        # Compact, so that the longest preview and its confirmation fit at 80x24.
        preview = self.preview
        yield Static(
            Content.assemble(preview.summary, *((f"\n{line}", "dim") for line in preview.details)), id="action-summary"
        )
        calls = Content.assemble(
            ("API call  ", "bold"),
            "\n          ".join(preview.api_calls) or "none",
            ("\nVerify    ", "bold"),
            preview.verify,
        )
        yield Static(calls, id="action-calls")
        cli = Content.assemble(("The same with the AWS CLI", "bold"), *(f"\n  {line}" for line in preview.cli))
        if preview.notes:
            cli = Content.assemble(cli, ("\nNote  ", "bold"), ("; ".join(preview.notes), "dim"))
        yield Static(cli, id="action-cli")


class ApproveDialog(ConfirmDialog):
    """A runbook's pause: what to do or check by hand, then its phrase typed to go on."""

    CONTAINER_ID = "approve-dialog"
    RUN_LABEL = "Approve"

    def __init__(self, title: str, instructions: str, phrase: str) -> None:
        super().__init__(title, f"Type {phrase} to go on", phrase=phrase, answer=phrase, cannot_run=None)
        self.instructions = instructions

    def compose_body(self) -> ComposeResult:
        yield Static(Content(self.instructions.strip()), id="approve-instructions")
