"""Sale (cashiers, managers): ring up a cart from the offline cache, take payment, show the receipt.

One input takes a scanner's burst (its digits arrive within 50 ms) or typed text. Enter adds an exact barcode or
SKU at once; typed text shows ranked matches under the input as it is typed (a search in a worker, the latest
query wins) and Enter adds the highlighted one. A scanned code that matches nothing says so and keeps the cart.

The cart (Tab to reach it) changes with + and -, a typed number (Enter sets it), Delete, d (line discount),
o or D (order discount); p parks it and r resumes a parked one (parked carts live in the offline cache, so they
survive a restart). F10 pays (screens.checkout) and, once the sale is stored, the receipt shows and the cart
clears. Everything reads and writes the local cache, so it works the same offline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual._types import SegmentLines
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.data_table import ColumnKey, RowKey
from textual.widgets.option_list import Option

from common import money
from common.display import printable
from console.counter.cart import Cart, PricedLine, discount_limit, items
from console.counter.checkout import Payment
from console.counter.entry import Rejected, clean_text, parse_discount, parse_quantity
from console.counter.receipts import Shop
from offline_cache.db import StorageError
from offline_cache.models import ParkedCart, Product
from screens.base import ShellScreen, background
from screens.checkout import CheckoutScreen, Completed
from screens.data_table import DataTable
from screens.receipt import ReceiptScreen

SCAN_BURST_SECONDS = 0.05  # a scanner types its digits faster than any person can
MIN_SCAN_LENGTH = 4
MATCHES = 8  # search results shown under the input
NUMBER_COLUMNS = 5 + 9 + 8 + 10 + 2 * 5 + 2  # qty, price, discount, total, the cells' padding, the scrollbar
RENDERED = 1_000  # a cart's rows and cells as rendered, kept across changes (a screenful is ~40 rows, ~200 cells)
CART_HINT = "+/- quantity · digits, Enter: set it · Del removes · Tab: back to scanning"


def scan_burst(text: str, first_at: float | None, last_at: float | None) -> bool:
    """Could `text` be (the start of) a scanner's burst: digits only, all typed within SCAN_BURST_SECONDS?"""
    return text.isdigit() and first_at is not None and last_at is not None and last_at - first_at < SCAN_BURST_SECONDS


def scan_code(text: str, first_at: float | None, last_at: float | None) -> bool:
    """Did `text` come from a scanner: a burst of at least MIN_SCAN_LENGTH digits?"""
    return len(text) >= MIN_SCAN_LENGTH and scan_burst(text, first_at, last_at)


class ScanInput(Input):
    """The sale's input: remembers when its text started and when the last key came (to tell a scanner from a
    person), and cleans what is pasted into it."""

    first_key_at: float | None = None
    last_key_at: float | None = None

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable:
            if not self.value:
                self.first_key_at = event.time
            self.last_key_at = event.time  # Input's own handler (next in the MRO) then types the key

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # instead of Input's, which keeps control characters
        self.first_key_at = self.last_key_at = None  # a paste is never a scan
        self.insert_text_at_cursor(clean_text(event.text))

    def was_scanned(self) -> bool:
        return scan_code(self.value, self.first_key_at, self.last_key_at)

    def may_be_scanning(self) -> bool:
        return scan_burst(self.value, self.first_key_at, self.last_key_at)


class CartTable(DataTable[str]):
    """The cart. Its keys change the highlighted line; digits typed here set its quantity, unless they come as a
    scanner's burst, which scans instead."""

    BINDINGS: ClassVar = [
        # + and - are in the hint the cart shows when it takes focus: the footer has no room for them at 80 columns.
        Binding("plus", "screen.more", "One more", show=False, id="sale.more"),
        Binding("minus", "screen.fewer", "One fewer", show=False, id="sale.fewer"),
        Binding("delete", "screen.remove", "Remove", id="sale.remove"),
        Binding("d", "screen.line_discount", "Discount", id="sale.line_discount"),
        Binding("o,D", "screen.order_discount", "Order disc.", id="sale.order_discount"),
        Binding("p", "screen.park", "Park", id="sale.park"),
        Binding("r", "screen.resume", "Resume", id="sale.resume"),
    ]

    class Typed(Message):
        """Digits typed on the cart: a quantity for the line, or a scanned code."""

        def __init__(self, digits: str, entered: bool = False, scanned: bool = False) -> None:
            super().__init__()
            self.digits = digits
            self.entered = entered  # Enter ended it
            self.scanned = scanned

    digits = ""
    first_key_at: float | None = None
    last_key_at: float | None = None

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._rendered_cells: LRUCache[tuple[object, ...], SegmentLines] = LRUCache(RENDERED)
        self._rendered_rows: LRUCache[tuple[object, ...], tuple[SegmentLines, SegmentLines]] = LRUCache(RENDERED)

    # DataTable keys what it renders on a count that every change bumps, and a row on the cursor's coordinate:
    # adding a line rendered every visible row and cell again, most of a scan's time. What a cart row or cell
    # looks like depends only on its text, its place, its widths and whether the cursor is on its row.

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        key = (
            self._cell_text(row_index, column_index),
            row_index,
            column_index,
            base_style,
            width,
            cursor,
            hover,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        lines = self._rendered_cells.get(key)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._rendered_cells[key] = lines
        return lines

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[SegmentLines, SegmentLines]:
        row_index = self._row_locations.get(row_key) if row_key in self._row_locations else -1  # -1: the header
        on_row = self.cursor_type == "row"
        key = (
            tuple(self._cell_text(row_index, column_index) for column_index in range(len(self.ordered_columns))),
            tuple(column.get_render_width(self) for column in self.ordered_columns),
            row_index,
            line_no,
            base_style,
            cursor_location.row == row_index if on_row else cursor_location,
            hover_location.row == row_index if on_row else hover_location,
            self.cursor_type,
            self.show_cursor,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        lines = self._rendered_rows.get(key)
        if lines is None:
            lines = super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
            self._rendered_rows[key] = lines
        return lines

    def _cell_text(self, row_index: int, column_index: int) -> str:
        if row_index == -1:  # the header
            return str(self.ordered_columns[column_index].label) if column_index >= 0 else ""
        row_key = self._row_locations.get_key(row_index)
        if column_index == -1:  # a row label
            return str(self.rows[row_key].label or "")
        return str(self._data[row_key][self.ordered_columns[column_index].key])

    def notify_style_update(self) -> None:
        self._rendered_cells.clear()  # a theme changed how they look
        self._rendered_rows.clear()
        super().notify_style_update()

    async def _on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character.isdigit():
            if not self.digits:
                self.first_key_at = event.time
            self.last_key_at = event.time
            self.digits += event.character
            self.post_message(self.Typed(self.digits))
        elif event.key == "enter" and self.digits:
            digits, self.digits = self.digits, ""
            self.post_message(self.Typed(digits, True, scan_code(digits, self.first_key_at, self.last_key_at)))
        elif event.key in ("escape", "backspace") and self.digits:
            self.digits = "" if event.key == "escape" else self.digits[:-1]
            self.post_message(self.Typed(self.digits))
        else:
            return  # the table's own keys and bindings
        event.stop()
        event.prevent_default()


class PromptDialog(ModalScreen[bool]):
    """One line to type (a discount): `apply` takes it, or raises Rejected, whose reason shows under the field and
    the dialog stays."""

    BINDINGS: ClassVar = [Binding("escape", "dismiss(False)", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, hint: str, apply: Callable[[str], None], value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.apply = apply
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog", classes="dialog"):
            yield Static(Content(printable(self.title_text)), classes="title")
            yield Input(self.value, id="prompt-input", max_length=40)
            yield Static(id="prompt-error")
            yield Static(Content(self.hint), classes="hint")

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            self.apply(event.value)
        except Rejected as exc:
            self.query_one("#prompt-error", Static).update(Content(str(exc)))
            return
        self.dismiss(True)


def parked_at(cart: ParkedCart) -> dt.datetime:
    return dt.datetime.fromisoformat(cart.created_at).astimezone()


class ParkedDialog(ModalScreen[str | None]):
    """The parked carts of this terminal, oldest first; Enter resumes the highlighted one."""

    BINDINGS: ClassVar = [Binding("escape", "dismiss(None)", "Cancel", id="parked.cancel")]

    def __init__(self, carts: list[ParkedCart]) -> None:
        super().__init__()
        self.carts = carts

    def compose(self) -> ComposeResult:
        with Vertical(id="parked-dialog", classes="dialog"):
            yield Static("Resume a parked cart", classes="title")
            yield OptionList(
                *(
                    Option(Content(printable(f"{parked_at(cart):%H:%M}  {cart.label}")), id=cart.id)
                    for cart in self.carts
                ),
                id="parked-list",
            )
            yield Static("Enter resumes · Esc cancels", classes="hint")

    @on(OptionList.OptionSelected, "#parked-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class SaleScreen(ShellScreen):
    TITLE = "Sale"
    BINDINGS: ClassVar = [
        Binding("f10", "pay", "Pay", id="sale.pay"),
        Binding("escape", "leave", "Home", id="sale.home"),
        Binding("down", "match(1)", "Next match", show=False, id="sale.next_match"),
        Binding("up", "match(-1)", "Previous match", show=False, id="sale.previous_match"),
        Binding("q", "leave(True)", "Quit", show=False, id="sale.quit"),
    ]

    class Matches(Message):
        def __init__(self, query: str, products: list[Product]) -> None:
            super().__init__()
            self.query = query
            self.products = products

    class Found(Message):
        def __init__(
            self, code: str, product: Product | None, fallback: Product | None, typed: bool, problem: str = ""
        ) -> None:
            super().__init__()
            self.code = code
            self.product = product
            self.fallback = fallback  # the highlighted (or best) match, for typed text that is no code
            self.typed = typed
            self.problem = problem

    class Parked(Message):
        def __init__(self, label: str, problem: str = "") -> None:
            super().__init__()
            self.label = label
            self.problem = problem

    class ParkedList(Message):
        def __init__(self, carts: list[ParkedCart], show: bool, problem: str = "") -> None:
            super().__init__()
            self.carts = carts
            self.show = show
            self.problem = problem

    class Resumed(Message):
        def __init__(self, cart: Cart | None, problem: str = "") -> None:
            super().__init__()
            self.cart = cart
            self.problem = problem

    def __init__(self) -> None:
        super().__init__()
        identity = self.app.identity
        self.shop = Shop(identity.shop_name, identity.currency, self.app.profile.terminal_id)
        self.cart = Cart(self.shop.decimals, discount_limit(self.app.profile, identity.role))
        self.matches: list[Product] = []
        self._burst_search: Timer | None = None
        self._rows: list[tuple[str, ...]] = []  # the cart table's cells as shown, to change only what changes

    def compose_body(self) -> ComposeResult:
        yield ScanInput(placeholder="Scan a barcode, or type a name or SKU", id="scan", max_length=200)
        yield OptionList(id="matches")
        yield Static(id="sale-message")
        yield CartTable(id="cart")
        with Horizontal(id="totals"):
            yield Static(id="totals-detail")
            yield Static(id="totals-total")

    def on_mount(self) -> None:
        table = self.query_one(CartTable)
        table.add_column("Item", key="name", width=30)
        for key, label, width in (
            ("qty", "Qty", 5),
            ("price", "Price", 9),
            ("discount", "Disc.", 8),
            ("total", "Total", 10),
        ):
            table.add_column(Text(label, justify="right"), key=key, width=width)
        self._show_cart()
        self.query_one("#scan", ScanInput).focus()
        self._list_parked(show=False)

    def on_resize(self) -> None:
        self._show_cart()

    # --- the input: scan, search, add ---------------------------------------------------------------------

    @on(Input.Changed, "#scan")
    def _typed(self, event: Input.Changed) -> None:
        text = clean_text(event.value)
        if not text:
            self._show_matches([])
            return
        if self.query_one("#scan", ScanInput).may_be_scanning():
            # A scanner's digits all come within the burst window and its Enter adds the code: searching every
            # prefix would only load the catalogue and the screen. Search once the window has passed (a person).
            if self._burst_search is None:
                self._burst_search = self.set_timer(SCAN_BURST_SECONDS, self._search_after_burst)
            return
        self._search(text)

    def _search_after_burst(self) -> None:
        self._burst_search = None
        text = clean_text(self.query_one("#scan", ScanInput).value)
        if text:
            self._search(text)

    @background("sale-search", "Searching the catalogue")
    def _search(self, text: str) -> None:
        try:
            with self.app.local_store.use() as store:
                products = store.catalogue.search(text, limit=MATCHES)
        except StorageError as exc:
            self.post_message(self.Found(text, None, None, True, f"The catalogue cannot be read: {exc}"))
            return
        self.post_message(self.Matches(text, products))

    @on(Matches)
    def _matched(self, message: Matches) -> None:
        if message.query == clean_text(self.query_one("#scan", ScanInput).value):  # the latest query wins
            self._show_matches(message.products)

    def _show_matches(self, products: list[Product]) -> None:
        if not products and not self.matches:
            return  # none shown already (every add clears them)
        self.matches = products
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        options.add_options(
            Option(
                Content.assemble(
                    (money.format_amount(p.price, self.shop.decimals).rjust(9), "bold"),
                    printable(f"  {p.name}"),
                    (printable(f"  {p.sku}"), "dim"),
                ),
                id=p.id,
            )
            for p in products
        )
        options.set_class(bool(products), "-shown")
        if products:
            options.highlighted = 0
            self._say("↑↓ choose a match · Enter adds it · Esc clears")

    def action_match(self, step: int) -> None:
        options = self.query_one("#matches", OptionList)
        if self.matches:
            options.highlighted = ((options.highlighted or 0) + step) % len(self.matches)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "match":
            return self.query_one("#scan", ScanInput).has_focus and bool(self.matches)
        return True

    @on(OptionList.OptionSelected, "#matches")
    def _match_clicked(self, event: OptionList.OptionSelected) -> None:
        product = next((p for p in self.matches if p.id == event.option.id), None)
        if product is not None:
            self._add(product)

    @on(Input.Submitted, "#scan")
    def _entered(self, event: Input.Submitted) -> None:
        field = self.query_one("#scan", ScanInput)
        code = clean_text(event.value)
        if not code:
            return
        if field.was_scanned():
            self.scan(code)  # a scan adds its own code or nothing
        elif self.matches:
            self._lookup(code, self.matches[self.query_one("#matches", OptionList).highlighted or 0], typed=True)
        else:
            self._lookup(code, None, typed=True)  # Enter came before the matches: the best one then

    def scan(self, code: str) -> None:
        """Add the product of an exact barcode or SKU, or say there is none (the cart stays as it is)."""
        self._lookup(code, None, typed=False)

    @background("sale-lookup", "Looking up the code")
    def _lookup(self, code: str, fallback: Product | None, *, typed: bool) -> None:
        try:
            with self.app.local_store.use() as store:
                product = store.catalogue.lookup(code)
                if product is None and fallback is None and typed:
                    fallback = next(iter(store.catalogue.search(code, limit=1)), None)
        except StorageError as exc:
            self.post_message(self.Found(code, None, None, typed, f"The catalogue cannot be read: {exc}"))
            return
        self.post_message(self.Found(code, product, fallback, typed))

    @on(Found)
    def _found(self, message: Found) -> None:
        if message.problem:
            self._say(message.problem, error=True)
            return
        product = message.product or message.fallback
        if product is None:
            if message.typed:
                self._say(f"No product matches {message.code!r}: nothing was added.", error=True)
            else:
                self._say(f"No product has the code {message.code}: nothing was added.", error=True)
            self._clear_input()
            return
        self._add(product)

    def _add(self, product: Product) -> None:
        try:
            index = self.cart.add(product)
        except Rejected as exc:
            self._say(str(exc), error=True)
            return
        self._clear_input()
        self._show_cart(index)
        line = self.cart.lines[index]
        self._say(f"Added {line.name} ({line.quantity} x {money.format_amount(line.unit_price, self.shop.decimals)})")

    def _clear_input(self) -> None:
        field = self.query_one("#scan", ScanInput)
        field.value = ""
        field.first_key_at = field.last_key_at = None
        self._show_matches([])

    # --- the cart -------------------------------------------------------------------------------------------

    def _show_cart(self, select: int | None = None) -> None:
        """Show the cart's lines and totals, changing only the cells and rows that differ from what is shown (a
        scan adds one row or changes one line's cells; refilling the table would render every row again)."""
        table = self.query_one(CartTable)
        keep = table.cursor_row if select is None else select
        name_width = max(16, table.size.width - NUMBER_COLUMNS) if table.size.width else 30
        if table.columns["name"].width != name_width:  # type: ignore[index]
            table.columns["name"].width = name_width  # type: ignore[index]
            table.clear()  # every name is cut anew
            self._rows = []
        rows = [self._cells(priced, name_width) for priced in self.cart.totals.lines]
        for n, cells in enumerate(rows):
            if n >= len(self._rows):
                table.add_row(*map(_cell, table.columns, cells), key=str(n))
            elif cells != self._rows[n]:
                for column, shown, cell in zip(table.columns, self._rows[n], cells, strict=True):
                    if shown != cell:
                        table.update_cell(str(n), column, _cell(column, cell))
        for n in range(len(self._rows) - 1, len(rows) - 1, -1):
            table.remove_row(str(n))
        self._rows = rows
        if rows:
            table.move_cursor(row=min(max(keep, 0), len(rows) - 1))
        totals = self.cart.totals
        amount = self._amount
        parts = [items(totals.items)]
        if self.cart.order_discount is not None:
            parts.append(f"order disc. {self.cart.order_discount.label(self.shop.decimals)}")
        if totals.discounts:
            parts.append(f"saved {amount(totals.discounts)}")
        parts += [f"subtotal {amount(totals.subtotal)}", f"tax {amount(totals.tax)}"]
        # The detail's width is the rest of the line: only the total's own width can change the layout.
        self.query_one("#totals-detail", Static).update(Content("  ·  ".join(parts)), layout=False)
        total = self.query_one("#totals-total", Static)
        text = Content(f"TOTAL {self.shop.currency} {amount(totals.total)}")
        shown = total.content
        total.update(text, layout=not isinstance(shown, Content) or shown.cell_length != text.cell_length)

    def _cells(self, priced: PricedLine, name_width: int) -> tuple[str, ...]:
        line = priced.line
        name = line.name if len(line.name) <= name_width else line.name[: name_width - 1] + "…"
        discount = "" if not priced.discount else self._amount(-priced.discount)
        return (
            printable(name),
            f"{line.quantity:>5}",
            self._amount(line.unit_price).rjust(9),
            discount.rjust(8),
            self._amount(priced.amount).rjust(10),
        )

    def _amount(self, minor: int) -> str:
        return money.format_amount(minor, self.shop.decimals)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, CartTable) and self.cart.lines:
            self._say(CART_HINT)

    def _current(self) -> int | None:
        if not self.cart.lines:
            self._say("The cart is empty.", error=True)
            return None
        return self.query_one(CartTable).cursor_row

    def _change(self, change: Callable[[], object], done: str = "") -> None:
        """Apply a cart change; a refusal says why and leaves the cart as it was."""
        try:
            change()
        except Rejected as exc:
            self._say(str(exc), error=True)
            return
        self._show_cart()
        if done:
            self._say(done)

    def action_more(self) -> None:
        index = self._current()
        if index is not None:
            self._change(lambda: self.cart.change_quantity(index, 1))

    def action_fewer(self) -> None:
        index = self._current()
        if index is not None:
            self._change(lambda: self.cart.change_quantity(index, -1))

    def action_remove(self) -> None:
        index = self._current()
        if index is not None:
            name = self.cart.lines[index].name
            self._change(lambda: self.cart.remove(index), f"Removed {name}.")

    @on(CartTable.Typed)
    def _cart_typed(self, message: CartTable.Typed) -> None:
        if message.scanned:
            self.scan(message.digits)
        elif not message.entered:
            if message.digits and self.cart.lines:
                line = self.cart.lines[self.query_one(CartTable).cursor_row]
                self._say(f"Quantity {message.digits} for {line.name}: Enter sets it, Esc cancels")
            else:
                self._say("")
        elif (index := self._current()) is not None:
            self._change(lambda: self.cart.set_quantity(index, parse_quantity(message.digits)))

    def action_line_discount(self) -> None:
        index = self._current()
        if index is None:
            return
        line = self.cart.lines[index]
        current = "" if line.discount is None else line.discount.label(self.shop.decimals)
        self._ask_discount(
            f"Discount on {line.name}",
            lambda typed: self.cart.set_line_discount(index, parse_discount(typed, self.shop.decimals)),
            current,
        )

    def action_order_discount(self) -> None:
        if self._current() is None:
            return
        current = "" if self.cart.order_discount is None else self.cart.order_discount.label(self.shop.decimals)
        self._ask_discount(
            "Discount on the whole order",
            lambda typed: self.cart.set_order_discount(parse_discount(typed, self.shop.decimals)),
            current,
        )

    def _ask_discount(self, title: str, apply: Callable[[str], None], current: str) -> None:
        limit = self.cart.limit_percent
        hint = f"A percent (10%) or an amount (1.50), at most {limit}% · empty removes it · Esc cancels"

        def done(applied: bool | None) -> None:
            if applied:
                self._show_cart()
                self._say("Discount set.")

        self.app.push_screen(PromptDialog(title, hint, apply, current), done)

    # --- park and resume ------------------------------------------------------------------------------------

    def action_park(self) -> None:
        if not self.cart.lines:
            self._say("The cart is empty: there is nothing to park.", error=True)
            return
        totals = self.cart.totals
        label = f"{items(totals.items)} · {self.shop.currency} {self._amount(totals.total)}"
        self._park(self.cart.to_dict(), label)

    @background("sale-park", "Parking the cart")
    def _park(self, data: dict[str, object], label: str) -> None:
        try:
            with self.app.local_store.use() as store:
                store.parked.park(data, label)
        except StorageError as exc:
            self.post_message(self.Parked(label, f"The cart could not be parked: {exc} It is still here."))
            return
        self.post_message(self.Parked(label))

    @on(Parked)
    def _parked(self, message: Parked) -> None:
        if message.problem:
            self._say(message.problem, error=True)
            return
        self.cart.clear()
        self._show_cart()
        self.query_one(CartTable).focus()  # where r resumes it; a scanner's burst still scans here
        self._say(f"Parked {message.label}. r resumes it · Tab: back to scanning")

    def action_resume(self) -> None:
        if self.cart.lines:
            self._say("Pay for or park this cart before resuming another.", error=True)
            return
        self._list_parked(show=True)

    @background("sale-parked", "Reading the parked carts")
    def _list_parked(self, show: bool) -> None:
        try:
            with self.app.local_store.use() as store:
                carts = store.parked.list()
        except StorageError as exc:
            self.post_message(self.ParkedList([], show, f"The parked carts cannot be read: {exc}"))
            return
        self.post_message(self.ParkedList(carts, show))

    @on(ParkedList)
    def _parked_listed(self, message: ParkedList) -> None:
        if message.problem:
            self._say(message.problem, error=True)
        elif not message.carts:
            if message.show:
                self._say("No cart is parked on this terminal.", error=True)
        elif message.show:
            self.app.push_screen(ParkedDialog(message.carts), self._resume_chosen)
        else:
            count = len(message.carts)
            self._say(f"{count} parked cart{'s' if count != 1 else ''} on this terminal: Tab, then r resumes.")

    def _resume_chosen(self, cart_id: str | None) -> None:
        if cart_id is not None:
            self._resume(cart_id)

    @background("sale-resume", "Resuming the parked cart")
    def _resume(self, cart_id: str) -> None:
        try:
            with self.app.local_store.use() as store:
                parked = next((cart for cart in store.parked.list() if cart.id == cart_id), None)
                if parked is None:
                    self.post_message(self.Resumed(None, "That cart was resumed already."))
                    return
                # Checked before it leaves the list: a cart this person may not take (a discount above their
                # limit, a damaged one) stays parked.
                cart = Cart.from_dict(parked.cart, self.shop.decimals, self.cart.limit_percent)
                if store.parked.resume(cart_id) is None:
                    self.post_message(self.Resumed(None, "That cart was resumed already."))
                    return
        except Rejected as exc:
            self.post_message(self.Resumed(None, f"{exc} The cart stays parked."))
            return
        except StorageError as exc:
            self.post_message(self.Resumed(None, f"The parked cart could not be taken back: {exc}"))
            return
        self.post_message(self.Resumed(cart))

    @on(Resumed)
    def _resumed(self, message: Resumed) -> None:
        if message.cart is None:
            self._say(message.problem, error=True)
            return
        self.cart = message.cart
        self._show_cart(0)
        self._say(f"Resumed a cart of {items(message.cart.totals.items)}.")
        self.query_one(CartTable).focus()

    # --- pay, leave -----------------------------------------------------------------------------------------

    def action_pay(self) -> None:
        try:
            payment = Payment(self.cart)
        except Rejected as exc:
            self._say(str(exc), error=True)
            return
        self.app.push_screen(CheckoutScreen(payment, self.shop), self._paid)

    def _paid(self, completed: Completed | None) -> None:
        if completed is None:
            return
        self.cart.clear()
        self._show_cart()
        self._say(f"Sale {completed.order.receipt_no} done.")
        self.query_one("#scan", ScanInput).focus()
        self.app.wake_sync()
        self.app.push_screen(ReceiptScreen(completed))

    def action_leave(self, quit_app: bool = False) -> None:
        field = self.query_one("#scan", ScanInput)
        if not quit_app and field.has_focus and field.value:
            self._clear_input()
            return
        if self.cart.lines:
            self._say("The cart is not empty: pay for it (F10) or park it (p) first.", error=True)
            return
        if quit_app:
            self.app.exit()
        else:
            self.app.action_home()

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#sale-message", Static)
        # Messages name products and carts from the cache; the line's height is fixed: no layout to redo.
        message.update(Content(printable(text)), layout=False)
        message.set_class(error, "-error")


def _cell(column: ColumnKey, text: str) -> Text | str:
    """A cart cell; the name as Text, not a str: a DataTable reads a str cell as markup (names come from the cache)."""
    return Text(text) if column == "name" else text
