"""The till-shift dialogs: counting cash (the float, the drawer) by denomination or as a total, cash paid in or out
with its reason, and the confirmation of a close (expected against counted)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from common import money
from console.counter import shifts
from console.counter.entry import Rejected
from offline_cache.shifts import CashAmount
from screens.base import ConsoleScreen, background
from screens.checkout import AmountInput


class CountDialog(ModalScreen[CashAmount | None]):
    """Count cash by coin and note of the shop's currency, or type a total; F2 takes it."""

    BINDINGS: ClassVar = [
        Binding("escape", "dismiss(None)", "Cancel", id="count.cancel"),
        Binding("enter", "next_field", "Next field", show=False, priority=True, id="count.next"),
        Binding("f2", "done", "Done", id="count.done"),
        Binding("f3", "total", "Type a total", id="count.total"),
    ]

    def __init__(self, title: str, currency: str, hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.grid = shifts.DenominationGrid(currency)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="count-dialog", classes="dialog"):
            yield Static(Content(self.title_text), classes="title")
            if self.grid.available:
                with Grid(id="count-grid"):
                    for denomination in self.grid.denominations:
                        with Horizontal(classes="count-cell"):
                            yield Label(self.grid.label(denomination), classes="count-label")
                            yield Input(id=f"count-{denomination}", compact=True, restrict=r"[0-9]*", max_length=7)
                            yield Static(id=f"line-{denomination}", classes="count-line")
            with Horizontal(classes="form-row"):
                yield Label("Or a total" if self.grid.available else "Total", classes="form-label")
                yield AmountInput(id="count-total", compact=True, restrict=r"[0-9.,]*", max_length=16)
            yield Static(id="count-sum")
            yield Static(id="count-error", classes="form-error")
            total = " · F3 type a total" if self.grid.available else ""
            yield Static(Content(f"{self.hint or 'Tab/Enter next'}{total} · F2 done · Esc cancel"), classes="hint")

    def on_mount(self) -> None:
        self._error("")
        self._show()
        self.query(Input).first().focus()

    def action_next_field(self) -> None:
        self.focus_next()

    def action_total(self) -> None:
        self.query_one("#count-total", Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name.startswith("count-") and name != "count-total":
            denomination = int(name.removeprefix("count-"))
            try:
                self.grid.set(denomination, event.value)
            except Rejected as refused:
                self._error(str(refused))
                return
        self._error("")
        self._show()

    def _show(self) -> None:
        for denomination in self.grid.denominations:
            line = self.grid.line_total(denomination)
            self.query_one(f"#line-{denomination}", Static).update(
                Content(money.format_amount(line, self.grid.decimals) if line else "")
            )
        total = money.format_amount(self.grid.total, self.grid.decimals)
        typed = self.query_one("#count-total", Input).value.strip()
        text = f"Counted {self.grid.currency} {total}" if not typed else f"Total as typed: {typed}"
        self.query_one("#count-sum", Static).update(Content.styled(text, "bold"))

    def _error(self, text: str) -> None:
        error = self.query_one("#count-error", Static)
        error.update(Content(text))
        error.display = bool(text)

    def action_done(self) -> None:
        typed = self.query_one("#count-total", Input).value
        if typed.strip() or not self.grid.available:
            try:
                self.dismiss(shifts.typed_total(typed, self.grid.decimals))
            except Rejected as refused:
                self._error(str(refused))
            return
        self.dismiss(self.grid.pairs())


class CashDialog(ModalScreen[bool], ConsoleScreen):  # type: ignore[misc]
    """Cash paid into or out of the drawer: the amount and the reason; F2 records it through the outbox."""

    BINDINGS: ClassVar = [
        Binding("escape", "dismiss(False)", "Cancel", id="cash.cancel"),
        Binding("enter", "next_field", "Next field", show=False, priority=True, id="cash.next"),
        Binding("f2", "save", "Record", id="cash.save"),
    ]

    class Done(Message):
        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    def __init__(self, kind: str, currency: str) -> None:
        super().__init__()
        self.kind = kind
        self.currency = currency
        self.saving = False

    def compose(self) -> ComposeResult:
        title = "Cash paid into the drawer" if self.kind == "paid_in" else "Cash paid out of the drawer"
        with Vertical(id="cash-dialog", classes="dialog"):
            yield Static(Content(title), classes="title")
            with Horizontal(classes="form-row"):
                yield Label(f"Amount {self.currency}", classes="form-label")
                yield AmountInput(id="cash-amount", compact=True, restrict=r"[0-9.,]*", max_length=16)
            with Horizontal(classes="form-row"):
                yield Label("Reason", classes="form-label")
                yield Input(id="cash-reason", compact=True, placeholder="why (required)", max_length=500)
            yield Static(id="cash-error", classes="form-error")
            yield Static(Content("Enter next field · F2 record · Esc cancel"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#cash-error").display = False
        self.query_one("#cash-amount", Input).focus()

    def action_next_field(self) -> None:
        self.focus_next()

    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        amount = self.query_one("#cash-amount", Input).value
        self._save(amount, self.query_one("#cash-reason", Input).value)

    @background("shift-cash", "Recording the cash movement")
    def _save(self, amount: str, reason: str) -> None:
        who = self.app.identity
        decimals = money.minor_units(self.currency)
        with self.app.local_store.use() as store:
            try:
                shifts.record_cash(store, self.kind, amount, reason, who.username, decimals)
            except (Rejected, shifts.ShiftRefused) as refused:
                self.post_message(self.Done(str(refused)))
                return
        self.app.call_from_thread(self.app.wake_sync)
        self.post_message(self.Done(""))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.saving = False
        if not message.problem:
            self.dismiss(True)
            return
        error = self.query_one("#cash-error", Static)
        error.update(Content(message.problem))
        error.display = True


class ConfirmCloseDialog(ModalScreen[bool]):
    """Expected against counted and the difference; y or Enter closes the shift, Esc goes back to the count."""

    BINDINGS: ClassVar = [
        Binding("y,enter", "dismiss(True)", "Close the shift", id="close.confirm"),
        Binding("escape,n", "dismiss(False)", "Back", id="close.back"),
    ]

    def __init__(self, expected: int, counted: int, decimals: int, currency: str, provisional: bool) -> None:
        super().__init__()
        self.expected = expected
        self.counted = counted
        self.decimals = decimals
        self.currency = currency
        self.provisional = provisional

    def compose(self) -> ComposeResult:
        difference = self.counted - self.expected
        verdict = "Balanced" if difference == 0 else ("Over" if difference > 0 else "Short")

        def amount(minor: int) -> str:
            return f"{self.currency} {money.format_amount(minor, self.decimals):>12}"

        with Vertical(id="close-dialog", classes="dialog"):
            yield Static(Content("Close the shift?"), classes="title")
            yield Static(Content(f"Expected cash  {amount(self.expected)}"), id="close-expected")
            yield Static(Content(f"Counted cash   {amount(self.counted)}"), id="close-counted")
            style = "bold" if difference == 0 else "bold $error" if difference < 0 else "bold $warning"
            yield Static(Content.styled(f"{verdict:<15}{amount(abs(difference))}", style), id="close-difference")
            if self.provisional:
                yield Static(
                    Content(f"Expected is {shifts.PROVISIONAL}: sales of this shift are still to sync."),
                    classes="hint",
                )
            yield Static(Content("y/Enter close the shift and print the Z report · Esc count again"), classes="hint")
