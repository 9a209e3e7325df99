"""Refund an order (managers): a quantity per line (never more than is left after earlier refunds, synced or not),
F3 fills in everything left, a reason is required; F2 records it through the outbox, with the stock going back."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from common.display import printable
from common.money import format_amount
from console.counter import refunds
from console.counter.fields import FormErrors
from offline_cache.models import LocalOrder
from screens.base import background
from screens.counter_form import CounterFormScreen
from screens.products import is_manager, shop_decimals

REFUSED = "Only a manager may refund."


class RefundScreen(ModalScreen[bool], CounterFormScreen):  # type: ignore[misc]
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="refund.cancel"),
        Binding("enter", "next_field", "Next field", show=False, priority=True, id="refund.next"),
        Binding("f2", "save", "Refund", id="refund.save"),
        Binding("f3", "whole", "Whole order", id="refund.whole"),
    ]
    MANAGER_ACTIONS = ("save", "whole")

    class Done(Message):
        def __init__(self, errors: dict[str, str]) -> None:
            super().__init__()
            self.errors = errors

    def __init__(self, order: LocalOrder) -> None:
        super().__init__()
        self.order = order
        self.saving = False

    def compose(self) -> ComposeResult:
        order = self.order
        with Vertical(id="refund-form", classes="dialog"):
            yield Static(Content(printable(f"Refund receipt {order.receipt_no}")), classes="title")
            if not is_manager(self):
                yield from self.refusal(REFUSED)
                return
            decimals = shop_decimals(self)
            with VerticalScroll(id="refund-lines"):
                for line in refunds.refundable(order):
                    with Horizontal(classes="refund-line"):
                        yield Input(
                            id=f"qty-{line.line_no}", compact=True, classes="refund-qty", disabled=not line.left
                        )
                        yield Static(
                            Content(
                                printable(f"{line.name} · {line.left} of {line.sold} left")
                                + f" · {format_amount(line.amount, decimals)}"
                            ),
                            classes="refund-info",
                        )
                    yield Static(id=f"error-{line.line_no}", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("Reason", classes="form-label")
                yield Input(id="field-reason", compact=True, placeholder="why (required)")
            yield Static(id="error-reason", classes="field-error")
            yield from self.footer("F2 refund · F3 whole order · Enter next field · Esc cancel")

    def on_mount(self) -> None:
        boxes = [box for box in self.query(".refund-qty").results(Input) if not box.disabled]
        if boxes:
            self.set_focus(boxes[0])
        elif is_manager(self):
            self.show_form_error("Everything on this order is refunded already.")

    def quantities(self) -> dict[int, str]:
        return {line.line_no: self.query_one(f"#qty-{line.line_no}", Input).value for line in self.order.lines}

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("qty-").removeprefix("field-")
        self.show_error(name, None)

    def action_whole(self) -> None:
        left = refunds.whole_order(self.order)
        for line in self.order.lines:
            box = self.query_one(f"#qty-{line.line_no}", Input)
            box.value = left.get(line.line_no, "")
        self.set_focus(self.query_one("#field-reason", Input))

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.show_form_error("Recording…")
        self._save(self.quantities(), self.query_one("#field-reason", Input).value)

    @background("refund-save", "Recording the refund")
    def _save(self, quantities: dict[int, str], reason: str) -> None:
        with self.app.local_store.use() as store:
            try:
                refunds.record(store, self.order.id, quantities, reason)
            except FormErrors as refused:
                self.post_message(self.Done(refused.errors))
                return
        self.app.call_from_thread(self.app.wake_sync)
        self.post_message(self.Done({}))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.saving = False
        errors = message.errors
        if not errors:
            self.app.notify("Refund recorded; it syncs when the network allows.", timeout=5)
            self.dismiss(True)
            return
        for line in self.order.lines:
            self.show_error(str(line.line_no), errors.get(str(line.line_no)))
        self.show_error("reason", errors.get("reason"))
        self.show_form_error(errors.get("", "Not recorded: see above."))

    def action_cancel(self) -> None:
        self.dismiss(False)
