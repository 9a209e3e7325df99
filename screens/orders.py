"""Orders: today's orders in this terminal's cache by default, newest first, each with its sync state (pending,
syncing, synced, failed, discarded); `d` picks the day, `t` the terminal, `s` cycles the state. Enter opens an
order: its lines (with what was refunded), tenders and refunds; `p` shows the receipt again (and prints it when
the profile has a print command); managers refund lines or the whole order with `f` (screens.refund).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from common.display import printable
from common.money import format_amount
from console.counter.orders_view import STATES, OrdersPage, OrdersView, parse_day, reprint
from console.counter.receipts import PrintFailed, print_receipt
from offline_cache.models import LocalOrder
from screens.base import ConsoleScreen, ShellScreen, background
from screens.data_table import DataTable
from screens.products import PagedTable, cell, is_manager, right, shop_decimals, when

STATE_STYLES = {"pending": "$warning", "syncing": "$warning", "failed": "$error bold", "discarded": "$text-muted"}
STATE_CELLS = {"pending": "yellow", "syncing": "yellow", "failed": "bold red", "discarded": "dim", "synced": "green"}


def state_label(state: str) -> Content:
    return Content.styled(state, STATE_STYLES.get(state, "$success"))


def state_cell(state: str) -> Text:
    """The state in a table cell (Rich styles: table cells take no theme variables)."""
    return Text(state, style=STATE_CELLS.get(state, ""))


class AskDialog(ModalScreen[str | None]):
    """One line of text (a day, a terminal), checked before it is taken: the reason shows under it."""

    BINDINGS: ClassVar = [Binding("escape", "dismiss(None)", "Cancel", id="ask.cancel")]

    def __init__(self, title: str, value: str, check: Callable[[str], str | None], hint: str) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.check = check
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-dialog", classes="dialog"):
            yield Static(Content(self.title_text), classes="title")
            yield Input(self.value, id="answer", compact=True)
            yield Static(id="error-answer", classes="field-error")
            yield Static(Content(self.hint), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#error-answer").display = False
        self.set_focus(self.query_one("#answer", Input))

    @on(Input.Submitted, "#answer")
    def _answered(self, event: Input.Submitted) -> None:
        problem = self.check(event.value)
        if problem is None:
            self.dismiss(event.value)
            return
        error = self.query_one("#error-answer", Static)
        error.update(Content(problem))
        error.display = True


class OrdersScreen(ShellScreen):
    TITLE = "Orders"
    BINDINGS: ClassVar = [
        Binding("enter", "detail", "Detail", priority=True, id="orders.detail"),
        Binding("d", "day", "Day", id="orders.day"),
        Binding("t", "terminal", "Terminal", id="orders.terminal"),
        Binding("s", "state", "Sync state", id="orders.state"),
        Binding("escape", "app.home", "Back", id="orders.back"),
    ]

    class Read(Message):
        def __init__(self, page: OrdersPage, cursor: str) -> None:
            super().__init__()
            self.page = page
            self.cursor = cursor

    def __init__(self) -> None:
        super().__init__()
        self.view: OrdersView | None = None
        self.page: OrdersPage | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="orders-caption", classes="caption")
        yield PagedTable(id="orders-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.add_columns("Time", "Receipt", "Terminal", "Cashier", "Total", "Sync")
        self.set_focus(table)
        today = self.app.clock().astimezone()
        self.view = OrdersView(today.date(), today.tzinfo or dt.UTC)
        self.call_after_refresh(lambda: self.turn("reload"))

    def turn(self, where: str, changes: dict[str, Any] | None = None) -> None:
        self._read(where, changes)

    @background("orders", "Reading the orders")
    def _read(self, where: str, changes: dict[str, Any] | None) -> None:
        view = self.view
        assert view is not None
        view.page_size = self.query_one(PagedTable).visible_rows()
        with self.app.local_store.use() as store:
            if changes is not None:
                page = view.set_filter(store, **changes)
            elif where in ("next", "down"):
                page = view.next(store)
            elif where in ("previous", "up"):
                page = view.previous(store)
            elif where == "first":
                page = view.set_filter(store)
            else:
                page = view.reload(store)
        self.post_message(self.Read(page, where))

    @on(Read)
    def _shown(self, message: Read) -> None:
        self.page = page = message.page
        table = self.query_one(PagedTable)
        table.clear()
        table.has_before, table.has_after = page.page > 1, page.has_more
        decimals = shop_decimals(self)
        for order in page.orders:
            table.add_row(
                when(order.created_at)[-5:],
                cell(order.receipt_no),
                cell(order.terminal_id),
                cell(order.cashier or "—"),
                right(format_amount(order.total, decimals)),
                state_cell(order.sync_state),
                key=order.id,
            )
        if table.row_count:
            row = {"down": 0, "up": table.row_count - 1}.get(message.cursor, 0)
            table.move_cursor(row=row, animate=False)
        count = f"{len(page.orders)} order(s)" + (f" · page {page.page}" if page.page > 1 or page.has_more else "")
        if not page.orders:
            count = "No orders"
        self.query_one("#orders-caption", Static).update(
            Content.assemble(
                (count, "bold"), f" · {page.filter.describe()} · ", ("d day · t terminal · s state", "dim")
            )
        )

    @on(PagedTable.Turn)
    def _turn(self, message: PagedTable.Turn) -> None:
        self.turn(message.where)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_detail()

    def action_detail(self) -> None:
        table = self.query_one(PagedTable)
        if table.row_count:
            order_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            assert order_id is not None
            self.app.push_screen(OrderDetailScreen(order_id), lambda _: self.turn("reload"))

    def action_day(self) -> None:
        assert self.view is not None
        today = self.app.clock().astimezone().date()

        def check(text: str) -> str | None:
            try:
                parse_day(text, today)
            except ValueError as exc:
                return str(exc)
            return None

        def chosen(text: str | None) -> None:
            if text is not None:
                self.turn("first", {"day": parse_day(text, today)})

        dialog = AskDialog("Orders of which day?", "today", check, "YYYY-MM-DD, today, yesterday or -N days · Esc")
        self.app.push_screen(dialog, chosen)

    def action_terminal(self) -> None:
        assert self.view is not None
        current = self.view.filter.terminal_id or ""

        def chosen(text: str | None) -> None:
            if text is not None:
                self.turn("first", {"terminal_id": text.strip() or None})

        hint = f"A terminal id (this one is {self.app.profile.terminal_id}); empty for all · Esc"
        self.app.push_screen(AskDialog("Orders of which terminal?", current, lambda _: None, hint), chosen)

    def action_state(self) -> None:
        assert self.view is not None
        cycle = (None, *STATES)
        self.turn("first", {"state": cycle[(cycle.index(self.view.filter.state) + 1) % len(cycle)]})

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Orders of a day", "Pick the day (d)", self.action_day)
        yield SystemCommand("Orders of a terminal", "Pick the terminal (t)", self.action_terminal)
        yield SystemCommand("Orders by sync state", "Pending, synced, failed… (s)", self.action_state)


class OrderDetailScreen(ShellScreen):
    TITLE = "Order"
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="order.back"),
        Binding("p", "reprint", "Reprint", id="order.reprint"),
        Binding("f", "refund", "Refund", id="order.refund"),
    ]

    class Read(Message):
        def __init__(self, order: LocalOrder | None) -> None:
            super().__init__()
            self.order = order

    class Printed(Message):
        def __init__(self, problem: str | None) -> None:
            super().__init__()
            self.problem = problem

    def __init__(self, order_id: str) -> None:
        super().__init__()
        self.order_id = order_id
        self.order: LocalOrder | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="order-detail"):
            yield Static(Content("Reading the order…"), id="order-head")
            yield DataTable(id="order-lines", cursor_type="row", zebra_stripes=True)
            yield Static(id="order-money")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#order-detail"))
        self._load()

    def _columns(self, table: DataTable[Any]) -> None:
        fixed = [("#", 2), ("Qty", 4), ("Refunded", 8), ("Price", 9), ("Amount", 10)]
        item = max(self.size.width - sum(w for _, w in fixed) - 2 * (len(fixed) + 1) - 4, 12)
        table.clear(columns=True)
        for label, width in [fixed[0], ("Item", item), *fixed[1:]]:
            table.add_column(label, width=width)

    @background("order-detail", "Reading the order")
    def _load(self) -> None:
        with self.app.local_store.use() as store:
            self.post_message(self.Read(store.orders.get(self.order_id)))

    @on(Read)
    def _read(self, message: Read) -> None:
        self.order = order = message.order
        head = self.query_one("#order-head", Static)
        if order is None:
            head.update(Content("This order is not in this terminal's cache."))
            return
        decimals = shop_decimals(self)

        def money(amount: int) -> str:
            return format_amount(amount, decimals)

        head_parts = [
            Content.assemble(
                (printable(f"Receipt {order.receipt_no}"), "bold"),
                printable(f" · {when(order.created_at)} · terminal {order.terminal_id} · {order.cashier or '—'} · "),
                state_label(order.sync_state),
            )
        ]
        if order.last_error:
            head_parts.append(Content.styled(printable(order.last_error), "$error"))
        if order.flags:
            head_parts.append(Content.styled(printable(f"flags: {', '.join(order.flags)}"), "$warning"))
        head.update(Content("\n").join(head_parts))
        table = self.query_one("#order-lines", DataTable)
        self._columns(table)
        for line in order.lines:
            table.add_row(
                str(line.line_no),
                cell(line.name),
                right(str(line.quantity)),
                right(str(line.refunded), "yellow" if line.refunded else "dim"),
                right(money(line.unit_price)),
                right(money(line.amount)),
            )
        tenders = " · ".join(f"{t.method} {money(t.amount)}" for t in order.tenders) or "—"
        parts = [
            Content(
                f"Subtotal {money(order.subtotal)} · tax {money(order.tax)} · total {money(order.total)} "
                f"{self.app.identity.currency}"
            ),
            Content(printable(f"Tenders {tenders} · change {money(order.change)}")),
        ]
        for refund in order.refunds:
            parts.append(
                Content.assemble(
                    printable(
                        f"Refund {when(refund.created_at)} · {money(refund.amount + refund.tax)} · {refund.reason} · "
                    ),
                    state_label(refund.sync_state),
                )
            )
        self.query_one("#order-money", Static).update(Content("\n").join(parts))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refund":
            return is_manager(self)
        return True

    def action_reprint(self) -> None:
        order = self.order
        if order is None:
            return
        who = self.app.identity
        text = reprint(order, who.shop_name, who.currency)
        self.app.push_screen(ReceiptDialog(text))
        command = self.app.profile.receipt_print_command
        if command:
            self._print(command, text)

    @background("reprint", "Printing the receipt")
    def _print(self, command: str, text: str) -> None:
        try:
            print_receipt(command, text)
        except PrintFailed as exc:
            self.post_message(self.Printed(str(exc)))
            return
        self.post_message(self.Printed(None))

    @on(Printed)
    def _printed(self, message: Printed) -> None:
        if message.problem:
            self.notify(printable(message.problem), title="Not printed", severity="error", timeout=10, markup=False)
        else:
            self.notify("Receipt sent to the printer.", timeout=4)

    def action_refund(self) -> None:
        if self.order is None:
            return
        from screens.refund import RefundScreen

        self.app.push_screen(RefundScreen(self.order), lambda done: done and self._load())


class ReceiptDialog(ModalScreen[None], ConsoleScreen):  # type: ignore[misc]
    BINDINGS: ClassVar = [Binding("escape", "dismiss", "Close", id="reprint.close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="reprint-dialog", classes="dialog"):
            with VerticalScroll(id="reprint-scroll"):
                yield Static(Content(self.text), id="reprint-text")
            yield Static(Content("Esc closes · arrows scroll"), classes="hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#reprint-scroll"))
