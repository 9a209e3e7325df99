"""A stock form (managers): receive, count, damage, transfer or correction, several lines at once. Each line takes
a barcode (a scanner's Enter moves on to the quantity) or SKU and a quantity; beside it, the product and what is on
hand, or why the line is refused. F2 records the whole form through the outbox, all or nothing."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from common.display import printable
from console.counter.fields import FormErrors
from console.counter.stock_forms import (
    KINDS,
    NOTE_REQUIRED,
    QUANTITY_LABELS,
    Kind,
    StockForm,
    TypedLine,
    line_quantity,
    resolve,
)
from screens.base import background
from screens.counter_form import CounterFormScreen
from screens.products import is_manager

LINES = 6
REFUSED = "Only a manager may adjust stock."


class StockFormScreen(ModalScreen[bool], CounterFormScreen):  # type: ignore[misc]
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="stock_form.cancel"),
        Binding("enter", "next_field", "Next field", show=False, priority=True, id="stock_form.next"),
        Binding("f2", "save", "Save", id="stock_form.save"),
    ]

    class Located(Message):
        def __init__(self, location: str) -> None:
            super().__init__()
            self.location = location

    class LineChecked(Message):
        def __init__(self, number: int, info: Content) -> None:
            super().__init__()
            self.number = number
            self.info = info

    class Done(Message):
        def __init__(self, recorded: int, errors: dict[str, str]) -> None:
            super().__init__()
            self.recorded = recorded
            self.errors = errors

    def __init__(self, kind: Kind, code: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.code = code
        self.form: StockForm | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="stock-form", classes="dialog"):
            yield Static(Content(KINDS[self.kind]), classes="title")
            if not is_manager(self):
                yield from self.refusal(REFUSED)
                return
            yield Static(id="stock-location", classes="hint")
            with Horizontal(classes="stock-line stock-head"):
                yield Label("Barcode or SKU", classes="stock-code")
                yield Label(QUANTITY_LABELS[self.kind], classes="stock-qty")
                yield Label("product · on hand", classes="stock-info")
            for number in range(1, LINES + 1):
                with Horizontal(classes="stock-line"):
                    yield Input(id=f"code-{number}", compact=True, classes="stock-code")
                    yield Input(id=f"qty-{number}", compact=True, classes="stock-qty")
                    yield Static(id=f"info-{number}", classes="stock-info")
            if self.kind == "transfer":
                with Horizontal(classes="form-row"):
                    yield Label("To location", classes="form-label")
                    yield Input(id="field-to_location", compact=True, placeholder="e.g. backroom")
                yield Static(id="error-to_location", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("Note" + (" (why)" if self.kind in NOTE_REQUIRED else ""), classes="form-label")
                yield Input(id="field-note", compact=True, placeholder="delivery note, reason…")
            yield Static(id="error-note", classes="field-error")
            yield from self.footer("F2 save · Enter next field · Esc cancel")

    def on_mount(self) -> None:
        if is_manager(self):
            self._locate()

    @background("stock-form-load", "Opening the stock form")
    def _locate(self) -> None:
        with self.app.local_store.use() as store:
            self.post_message(self.Located(store.location))

    @on(Located)
    def _located(self, message: Located) -> None:
        self.form = StockForm(self.kind, message.location)
        where = f"At {message.location}" + (" (to another location below)" if self.kind == "transfer" else "")
        self.query_one("#stock-location", Static).update(Content(printable(where)))
        first = self.query_one("#code-1", Input)
        if self.code:
            first.value = self.code
            self.set_focus(self.query_one("#qty-1", Input))
        else:
            self.set_focus(first)

    def lines(self) -> list[TypedLine]:
        return [
            TypedLine(self.query_one(f"#code-{n}", Input).value, self.query_one(f"#qty-{n}", Input).value)
            for n in range(1, LINES + 1)
        ]

    # --- checks as typed ----------------------------------------------------------------------------------------

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name.startswith(("code-", "qty-")):
            self._check_line(int(name.partition("-")[2]))
        elif name.startswith("field-"):
            self.show_error(name.removeprefix("field-"), None)

    def _check_line(self, number: int) -> None:
        form = self.form
        if form is None:
            return
        code = self.query_one(f"#code-{number}", Input).value
        typed_quantity = self.query_one(f"#qty-{number}", Input).value

        def check() -> None:
            problems: list[Content] = []  # first, so a long product name never hides them
            found: list[Content] = []
            if code.strip():
                with self.app.local_store.use() as store:
                    try:
                        product = resolve(store, code)
                    except ValueError as exc:
                        problems.append(Content.styled(printable(str(exc)), "$error"))
                    else:
                        on_hand = store.stock.on_hand(product.id, form.location)
                        expected = "expected" if self.kind == "count" else "on hand"
                        found.append(Content(printable(f"{product.name} · {expected} {on_hand:,}")))
            if typed_quantity.strip():
                try:
                    line_quantity(self.kind, typed_quantity)
                except ValueError as exc:
                    problems.append(Content.styled(str(exc), "$error"))
            self.post_message(self.LineChecked(number, Content(" · ").join([*problems, *found])))

        self.run_worker(check, thread=True, exclusive=True, group=f"stock-line-{number}", exit_on_error=False)

    @on(LineChecked)
    def _line_checked(self, message: LineChecked) -> None:
        self.query_one(f"#info-{message.number}", Static).update(message.info)

    # --- saving -----------------------------------------------------------------------------------------------

    def _value(self, field: str) -> str:
        found = self.query(f"#field-{field}")
        return found.first(Input).value if found else ""

    def action_save(self) -> None:
        if self.form is None or self.saving:
            return
        self.saving = True
        self.show_form_error("Saving…")
        self._save(self.form, self.lines(), self._value("note"), self._value("to_location"))

    @background("stock-form-save", "Recording the stock form")
    def _save(self, form: StockForm, lines: list[TypedLine], note: str, to_location: str) -> None:
        with self.app.local_store.use() as store:
            try:
                recorded = form.submit(store, lines, note, to_location)
            except FormErrors as refused:
                self.post_message(self.Done(0, refused.errors))
                return
        self.app.call_from_thread(self.app.wake_sync)
        self.post_message(self.Done(len(recorded), {}))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.saving = False
        errors = message.errors
        if not errors:
            lines = sum(1 for line in self.lines() if line.code.strip())
            self.app.notify(f"{KINDS[self.kind]}: {lines} line(s) recorded; they sync when the network allows.")
            self.dismiss(True)
            return
        for number in range(1, LINES + 1):
            why = [errors[key] for key in (f"{number}.code", f"{number}.quantity") if key in errors]
            if why:
                self.query_one(f"#info-{number}", Static).update(Content.styled(printable(" ".join(why)), "$error"))
        for field in ("note", "to_location"):
            self.show_error(field, errors.get(field))
        self.show_form_error(errors.get("", "Not recorded: see the lines above."))

    def action_cancel(self) -> None:
        self.dismiss(False)
