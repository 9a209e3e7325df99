"""The receipt of a sale just completed, as it was saved (and printed): Enter or Esc closes it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from common import money
from common.display import printable
from screens.checkout import Completed


def headline(completed: Completed) -> str:
    """What the cashier needs first: the change to hand back."""
    order = completed.order
    if not order.change:
        return "Sale complete · no change due"
    return f"Sale complete · change due {money.format_amount(order.change, completed.shop.decimals)}"


class ReceiptScreen(ModalScreen[None]):
    BINDINGS: ClassVar = [
        Binding("escape,enter", "dismiss", "Close", id="receipt.close"),
    ]

    def __init__(self, completed: Completed) -> None:
        super().__init__()
        self.completed = completed

    def compose(self) -> ComposeResult:
        completed = self.completed
        with Vertical(id="receipt-dialog", classes="dialog"):
            yield Static(Content(headline(completed)), classes="title")
            with VerticalScroll(id="receipt-scroll"):
                yield Static(Content(completed.text.rstrip("\n")), id="receipt-text")
            if completed.problem:
                yield Static(Content(printable(completed.problem)), id="receipt-problem")
            yield Static(Content("Enter or Esc closes · ↑↓ scroll"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#receipt-scroll", VerticalScroll).focus()
