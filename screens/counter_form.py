"""What the counter's manager-only forms share (products, stock, refunds): a refusal in place of the fields for
other roles, each field's error under it and one for the whole form (drawn inert: they quote names from the
cache), Enter to the next field, and saving only for managers."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from common.display import printable
from screens.base import ConsoleScreen
from screens.products import is_manager


class CounterFormScreen(ConsoleScreen):
    MANAGER_ACTIONS: ClassVar[tuple[str, ...]] = ("save",)  # not offered (and not run) for other roles

    def refusal(self, text: str) -> ComposeResult:
        """What the form shows instead of its fields to anyone but a manager."""
        yield Static(Content(text), id="form-error", classes="form-error")
        yield Static(Content("Esc closes"), classes="hint")

    def footer(self, keys: str) -> ComposeResult:
        """The form's own error line, then its keys."""
        yield Static(id="form-error", classes="form-error")
        yield Static(Content(keys), classes="hint")

    def on_mount(self) -> None:
        for error in self.query(".field-error"):
            error.display = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return is_manager(self) if action in self.MANAGER_ACTIONS else True

    def action_next_field(self) -> None:
        """Enter moves on at once, before the keys typed after it arrive (a scanner's burst, a fast typist)."""
        self.focus_next()

    def show_error(self, field: str, error: str | None) -> None:
        for label in self.query(f"#error-{field}"):
            assert isinstance(label, Static)
            label.update(Content(printable(error or "")))
            label.display = bool(error)

    def show_form_error(self, error: str) -> None:
        self.query_one("#form-error", Static).update(Content(printable(error)))
