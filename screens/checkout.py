"""Checkout: take the tenders for a cart's total and complete the sale.

c, k and o choose cash, card or other; type an amount and Enter adds a tender of that kind (Enter on an empty field
adds what is left to pay). Cash over the total shows the change due. Enter on an empty field once the tenders cover
the total completes the sale: it is stored locally (order, stock, outbox) in a worker, the receipt is saved and
printed when a print command is set, and the dialog closes with the result. On any failure the dialog stays, says
why, and the cart is untouched. x takes back the last tender; Esc returns to the cart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from common import money
from console.counter import receipts
from console.counter.cart import items
from console.counter.checkout import TENDER_LABELS, CheckoutFailed, Payment
from console.counter.entry import Rejected
from console.counter.receipts import PrintFailed, Shop
from offline_cache.models import LocalOrder
from screens.base import ConsoleScreen, background
from screens.data_table import DataTable


@dataclass(frozen=True)
class Completed:
    """A stored sale and its receipt."""

    order: LocalOrder
    shop: Shop
    text: str
    path: Path | None  # where the receipt was saved (None: it could not be)
    problem: str = ""  # why it was not saved or printed


class AmountInput(Input):
    """An amount: digits and separators only, so the dialog's letter keys reach its bindings."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and (character.isdigit() or character in ".,")

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and not self.check_consume_key(event.key, event.character):
            event.prevent_default()  # not Input's: the key goes on to the bindings


class CheckoutScreen(ModalScreen[Completed | None], ConsoleScreen):
    BINDINGS: ClassVar = [
        Binding("c", "method('cash')", "Cash", id="checkout.cash"),
        Binding("k", "method('card')", "Card", id="checkout.card"),
        Binding("o", "method('other')", "Other", id="checkout.other"),
        Binding("x", "take_back", "Take back", id="checkout.take_back"),
        Binding("escape", "cancel", "Back to cart", id="checkout.cancel"),
    ]

    class Done(Message):
        def __init__(self, completed: Completed | None, problem: str = "") -> None:
            super().__init__()
            self.completed = completed
            self.problem = problem

    def __init__(self, payment: Payment, shop: Shop) -> None:
        super().__init__()
        self.payment = payment
        self.shop = shop
        self.method = "cash"
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="checkout-dialog", classes="dialog"):
            yield Static(id="checkout-total", classes="title")
            yield DataTable(id="tenders", cursor_type="row", show_cursor=False)
            yield Static(id="checkout-due")
            yield Static(id="checkout-method")
            yield AmountInput(id="tender-amount", restrict=r"[0-9.,]*", max_length=16, placeholder="amount")
            yield Static(id="checkout-message")
            yield Static(
                Content("c cash · k card · o other · Enter adds · x takes back · Esc back to the cart"),
                classes="hint",
            )

    def on_mount(self) -> None:
        table = self.query_one("#tenders", DataTable)
        table.add_column("Tender", key="method", width=10)
        table.add_column("Amount", key="amount", width=14)
        self._show()
        self.query_one("#tender-amount", Input).focus()

    def _amount(self, minor: int) -> str:
        return money.format_amount(minor, self.shop.decimals)

    def _show(self) -> None:
        state = self.payment.state
        self.query_one("#checkout-total", Static).update(
            Content.assemble(
                f"Pay for {items(self.payment.cart.totals.items)}: ",
                (f"TOTAL {self.shop.currency} {self._amount(state.total)}", "bold"),
            )
        )
        table = self.query_one("#tenders", DataTable)
        table.clear()
        for tender in self.payment.tenders:
            table.add_row(TENDER_LABELS[tender.method], self._amount(tender.amount).rjust(14))
        table.display = bool(self.payment.tenders)
        due = self.query_one("#checkout-due", Static)
        if state.covered:
            due.update(
                Content.assemble(
                    ("CHANGE DUE ", "bold"),
                    (self._amount(state.change), "bold reverse" if state.change else "bold"),
                    "   Enter completes the sale",
                )
            )
        else:
            due.update(
                Content.assemble(
                    f"Paid {self._amount(state.paid)}   ", ("LEFT TO PAY ", "bold"), self._amount(state.remaining)
                )
            )
        due.set_class(state.covered, "-covered")
        label = TENDER_LABELS[self.method]
        prompt = f"{label} amount (empty: {self._amount(state.remaining)})" if not state.covered else "Tenders cover it"
        self.query_one("#checkout-method", Static).update(Content(prompt))

    def _say(self, text: str, error: bool = True) -> None:
        message = self.query_one("#checkout-message", Static)
        message.update(Content(text))
        message.set_class(error, "-error")

    def action_method(self, method: str) -> None:
        self.method = method
        self._say("")
        self._show()

    def action_take_back(self) -> None:
        if not self.payment.tenders or self.busy:
            return
        tender = self.payment.remove(len(self.payment.tenders) - 1)
        self._say(f"Took back {TENDER_LABELS[tender.method]} {self._amount(tender.amount)}.", error=False)
        self._show()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    @on(Input.Submitted, "#tender-amount")
    def _entered(self, event: Input.Submitted) -> None:
        if self.busy:
            return
        field = self.query_one("#tender-amount", Input)
        if not event.value.strip() and self.payment.state.covered:
            self.busy = True
            self._say("Storing the sale…", error=False)
            self._complete(self.app.identity.username, not self.app.online)
            return
        try:
            tender = self.payment.add(self.method, event.value)
        except Rejected as exc:
            self._say(str(exc))
            return
        field.value = ""
        self._say(f"{TENDER_LABELS[tender.method]} {self._amount(tender.amount)} taken.", error=False)
        self._show()

    @background("checkout", "Completing the sale")
    def _complete(self, cashier: str, offline: bool) -> None:
        try:
            with self.app.local_store.use() as store:
                order = self.payment.complete(store, cashier)
        except (CheckoutFailed, Rejected) as exc:
            self.post_message(self.Done(None, str(exc)))
            return
        text = receipts.render(order, self.shop, offline=offline)
        path: Path | None = None
        problem = ""
        try:
            path = receipts.save(self.app.profile, order, text)
            command = self.app.profile.receipt_print_command
            if command:
                receipts.print_receipt(command, text)
        except OSError as exc:
            problem = f"The receipt could not be saved: {exc.strerror or exc}."
        except PrintFailed as exc:
            problem = str(exc)
        self.post_message(self.Done(Completed(order, self.shop, text, path, problem)))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.busy = False
        if message.completed is None:
            self._say(message.problem)
            return
        self.dismiss(message.completed)
