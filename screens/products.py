"""Products: the whole cached catalogue, a screenful at a time, read by keyset (never every row), with "N of M",
search as you type (`/`), filters (category `c`, active `a`), sort (`s`, reverse `r`), and `Home`/`End` for the
first and last page. Enter opens a product's detail: every field, stock per location, recent movements.

Managers create (`n`) and edit (`e`) products in screens.product_form; for other roles those keys are not
offered, and the form refuses them if reached another way. Pages are read in workers from the offline cache, so
the screen works the same offline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from common.display import printable
from common.money import format_amount, minor_units
from console.counter.catalogue_view import ACTIVE_FILTERS, SORTS, CatalogueView, CatalogueWindow
from console.counter.product_form import tax_text
from console.counter.stock_levels import Movements, recent_movements, unsettled_movements
from offline_cache.clock import from_text
from offline_cache.models import Product, StockLevel
from offline_cache.store import Store
from screens.base import ConsoleScreen, ShellScreen, background
from screens.data_table import DataTable

MANAGER = "manager"
SEARCH_DELAY = 0.15  # seconds of quiet typing before the list follows the search box
ALL_CATEGORIES = "\x00all"  # the category choice that clears the filter (no category has this name)


def is_manager(screen: ConsoleScreen) -> bool:
    signed_in = screen.app.signed_in  # None for a moment while signing out
    return signed_in is not None and signed_in.identity.role == MANAGER


def shop_decimals(screen: ConsoleScreen) -> int:
    return minor_units(screen.app.identity.currency)


def right(text: str, style: str = "") -> Text:
    """A table cell aligned right (figures); `style` is a Rich style (table cells take no theme variables)."""
    return Text(text, style=style, justify="right")


def cell(text: str, style: str = "") -> Text:
    """A table cell of cached, server or AWS text: drawn inert (no markup, no control characters); a plain str
    cell would be read as Rich markup."""
    return Text(printable(text), style=style)


def when(moment: str | None) -> str:
    """An RFC 3339 time as the counter reads it: local, to the minute."""
    if not moment:
        return "—"
    return f"{from_text(moment).astimezone():%Y-%m-%d %H:%M}"


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a few labelled values with the arrows and Enter; Escape picks nothing."""

    BINDINGS: ClassVar = [Binding("escape", "dismiss(None)", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-dialog", classes="dialog"):
            yield Static(Content(self.title_text), classes="title")
            # Content, not markup: the labels include category names from the cache.
            options = (Option(Content(printable(label)), id=value) for value, label in self.choices)
            yield OptionList(*options, id="choices")
            yield Static(Content("Enter chooses · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        values = [value for value, _ in self.choices]
        options.highlighted = values.index(self.current) if self.current in values else 0
        self.set_focus(options)

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id))


class PagedTable(DataTable[Any]):
    """A table that holds exactly one page: moving past its first or last row, PageUp/PageDown, Home and End ask
    the screen for another page instead of scrolling."""

    class Turn(Message):
        def __init__(self, where: str) -> None:
            super().__init__()
            self.where = where  # next, previous, first, last (keep the cursor row), up, down (wrap the cursor)

    has_before = False
    has_after = False

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self.has_after:
            self.post_message(self.Turn("down"))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.has_before:
            self.post_message(self.Turn("up"))
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        self.post_message(self.Turn("next"))

    def action_page_up(self) -> None:
        self.post_message(self.Turn("previous"))

    def action_scroll_home(self) -> None:
        self.post_message(self.Turn("first"))

    def action_scroll_end(self) -> None:
        self.post_message(self.Turn("last"))

    def visible_rows(self) -> int:
        return max(self.size.height - 1, 3)  # the header takes a line


@dataclass(frozen=True)
class Shown:
    """A page as the screen shows it: the rows' cells and keys, and where it is in the whole."""

    keys: list[str]
    cells: list[tuple[Any, ...]]
    position: str
    caption: Content
    has_before: bool
    has_after: bool


class CatalogueListScreen(ShellScreen):
    """A list over the catalogue by keyset pages with search, filters and sort (the products and stock screens)."""

    BINDINGS: ClassVar = [
        # Priority: these move the focus when the key arrives, so the keys typed right after them go where the
        # person meant (a non-priority binding runs only once the focused widget gets to the key).
        Binding("enter", "enter", "Open", priority=True, id="catalogue.enter"),
        Binding("slash", "search", "Search", priority=True, id="catalogue.search"),
        Binding("s", "sort", "Sort", id="catalogue.sort"),
        Binding("r", "reverse", "Reverse", show=False, id="catalogue.reverse"),
        Binding("a", "active", "Active", show=False, id="catalogue.active"),
        Binding("c", "category", "Category", show=False, id="catalogue.category"),
        Binding("escape", "back", "Back", id="catalogue.back"),
    ]
    LIST_ID = "catalogue"
    MANAGER_ACTIONS: ClassVar[tuple[str, ...]] = ()  # not offered (and not run) for cashiers, support and admins

    class PageRead(Message):
        def __init__(self, shown: Shown, cursor: str, number: int) -> None:
            super().__init__()
            self.shown = shown
            self.cursor = cursor
            self.number = number  # which read this answers: a late answer to an older one is dropped

    class CategoriesRead(Message):
        def __init__(self, categories: list[str]) -> None:
            super().__init__()
            self.categories = categories

    def __init__(self) -> None:
        super().__init__()
        self.view = CatalogueView()
        self.shown: Shown | None = None
        self._search_timer: Timer | None = None
        self._searched = ""  # the search text last asked for
        self._asked = 0  # reads asked for, and the latest one shown
        self._shown_read = 0
        self._then: Callable[[], None] | None = None  # a key that waits for the page asked for

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="list-top"):
            yield Input(placeholder="/ search name, SKU, category", id=f"{self.LIST_ID}-search", compact=True)
            yield Static(id=f"{self.LIST_ID}-position", classes="position")
        yield Static(id=f"{self.LIST_ID}-caption", classes="caption")
        yield PagedTable(id=f"{self.LIST_ID}-table", cursor_type="row", zebra_stripes=True)

    @property
    def table(self) -> PagedTable:
        return self.query_one(PagedTable)

    @property
    def search_box(self) -> Input:
        return self.query_one(f"#{self.LIST_ID}-search", Input)

    def on_mount(self) -> None:
        self.set_focus(self.table)
        self.call_after_refresh(self._first_read)

    def _first_read(self) -> None:
        self._set_columns()
        self.turn("first")

    def on_resize(self) -> None:
        if self.shown is not None:
            self._set_columns()
            self.turn("reload")

    # --- what a subclass says ------------------------------------------------------------------------------------

    def columns(self, width: int) -> list[tuple[str, int]]:
        raise NotImplementedError

    def shown_page(self, store: Store, window: CatalogueWindow) -> Shown:
        raise NotImplementedError

    def read_page(self, store: Store, where: str) -> Shown:
        """One page (by the service), as shown. Runs in a worker, with the store."""
        view = self.view
        view.page_size = self.table.visible_rows()
        turns: dict[str, Callable[[Store], CatalogueWindow]] = {
            "first": view.first,
            "last": view.last,
            "next": view.next,
            "down": view.next,
            "previous": view.previous,
            "up": view.previous,
            "reload": view.reload,
        }
        return self.shown_page(store, turns[where](store))

    # --- reading ---------------------------------------------------------------------------------------------

    def _set_columns(self) -> None:
        table = self.table
        table.clear(columns=True)
        for label, width in self.columns(table.size.width or self.size.width):
            table.add_column(label, width=width)

    def turn(self, where: str) -> None:
        self._ask(where, None)

    def _ask(self, where: str, changes: dict[str, object] | None) -> None:
        self._asked += 1
        self._read(where, changes, self._asked)

    @background("catalogue-page", "Reading the catalogue")
    def _read(self, where: str, changes: dict[str, object] | None, number: int) -> None:
        with self.app.local_store.use() as store:
            if changes is not None:
                self.view.page_size = self.table.visible_rows()
                shown = self.shown_page(store, self.view.set_query(store, **changes))
            else:
                shown = self.read_page(store, where)
        self.post_message(self.PageRead(shown, where, number))

    def when_shown(self, action: Callable[[], None]) -> None:
        """Run a key's action on the page the person asked for: now, or once that page is shown (a key typed
        right after the search must not act on the rows of the page before it)."""
        if self._shown_read == self._asked:
            action()
        else:
            self._then = action

    @on(PageRead)
    def _page_read(self, message: PageRead) -> None:
        if message.number < self._shown_read:
            return
        self._shown_read = message.number
        self._show(message)
        if self._then is not None and self._shown_read == self._asked:
            action, self._then = self._then, None
            action()

    def _show(self, message: PageRead) -> None:
        shown, table = message.shown, self.table
        previous_row = table.cursor_row
        self.shown = shown
        table.clear()
        table.has_before, table.has_after = shown.has_before, shown.has_after
        for key, cells in zip(shown.keys, shown.cells, strict=True):
            table.add_row(*cells, key=key)
        rows = table.row_count
        row = {"down": 0, "first": 0, "up": rows - 1, "last": rows - 1}.get(message.cursor, previous_row)
        if rows:
            table.move_cursor(row=max(0, min(row, rows - 1)), animate=False)
        self.query_one(f"#{self.LIST_ID}-position", Static).update(Content(shown.position))
        self.query_one(f"#{self.LIST_ID}-caption", Static).update(shown.caption)

    @on(PagedTable.Turn)
    def _turn(self, message: PagedTable.Turn) -> None:
        self.turn(message.where)

    def selected_key(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # --- search, filters, sort --------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.set_focus(self.search_box)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input is not self.search_box:
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._search_now)

    def _search_now(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if self.search_box.value != self._searched:
            self.query_changed(text=self.search_box.value)

    def action_enter(self) -> None:
        """From the search box back to the list, searching at once; on the list, open the highlighted row."""
        if self.focused is self.search_box:  # (has_focus waits for the Focus event)
            # Keys typed before Enter may still wait in the box's queue: search once they are in, and let keys
            # typed after Enter (now going to the list) wait for that page.
            self._asked += 1
            self.search_box.call_later(self._search_typed, self._asked)
            self.set_focus(self.table)
        else:
            self.when_shown(self.open_selected)

    def _search_typed(self, number: int) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self._searched = self.search_box.value
        self._read("first", {"text": self._searched}, number)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return is_manager(self) if action in self.MANAGER_ACTIONS else True

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.open_selected()  # a click

    def open_selected(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.app.push_screen(ProductDetailScreen(key), lambda _: self.turn("reload"))

    def query_changed(self, **changes: object) -> None:
        if "text" in changes:
            self._searched = str(changes["text"])
        self._ask("first", changes)

    def action_back(self) -> None:
        if self.focused is self.search_box:  # (has_focus waits for the Focus event)
            self.set_focus(self.table)
        else:
            self.app.action_home()

    def action_sort(self) -> None:
        self.query_changed(sort=SORTS[(SORTS.index(self.view.query.sort) + 1) % len(SORTS)])

    def action_reverse(self) -> None:
        self.query_changed(descending=not self.view.query.descending)

    def action_active(self) -> None:
        active = self.view.query.active
        self.query_changed(active=ACTIVE_FILTERS[(ACTIVE_FILTERS.index(active) + 1) % len(ACTIVE_FILTERS)])

    def action_category(self) -> None:
        self._read_categories()

    @background("categories", "Reading the categories")
    def _read_categories(self) -> None:
        with self.app.local_store.use() as store:
            self.post_message(self.CategoriesRead(store.catalogue.categories()))

    @on(CategoriesRead)
    def _categories_read(self, message: CategoriesRead) -> None:
        choices = [(ALL_CATEGORIES, "All categories"), *((name, name) for name in message.categories)]
        current = self.view.query.category or ALL_CATEGORIES
        self.app.push_screen(ChoiceDialog("Show one category", choices, current), self._category_chosen)

    def _category_chosen(self, category: str | None) -> None:
        if category is not None:
            self.query_changed(category=None if category == ALL_CATEGORIES else category)

    def caption(self, window: CatalogueWindow, keys: str) -> Content:
        q = window.query
        searched = f"“{q.text}” · " if q.text else ""
        everything = "" if window.total == window.catalogue_size else f" · {window.catalogue_size:,} in the cache"
        return Content.assemble(printable(f"{searched}{q.describe()}{everything} · "), (keys, "dim"))

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Search", "Search names, SKUs and categories (/)", self.action_search)
        yield SystemCommand("Sort", "By name, SKU or price (s); r reverses", self.action_sort)
        yield SystemCommand("Filter by category", "Show one category (c)", self.action_category)
        yield SystemCommand("Active filter", "Active, all, inactive (a)", self.action_active)


class ProductsScreen(CatalogueListScreen):
    TITLE = "Products"
    BINDINGS: ClassVar = [
        Binding("n", "new", "New", id="products.new"),
        Binding("e", "edit", "Edit", id="products.edit"),
    ]
    LIST_ID = "products"
    MANAGER_ACTIONS = ("new", "edit")

    def columns(self, width: int) -> list[tuple[str, int]]:
        fixed = [("SKU", 10), ("Category", 14), ("Price", 9), ("Act", 3)]
        name = max(width - sum(w for _, w in fixed) - 2 * (len(fixed) + 1) - 2, 16)
        return [fixed[0], ("Name", name), *fixed[1:]]

    def shown_page(self, store: Store, window: CatalogueWindow) -> Shown:
        decimals = minor_units(self.app.identity.currency)
        cells = [
            (
                cell(p.sku),
                cell(p.name + (" *" if p.local_changes else "")),
                cell(p.category or ""),
                right(format_amount(p.price, decimals)),
                "yes" if p.active else Content.styled("no", "$warning"),
            )
            for p in window.items
        ]
        keys = "c category · a active · r reverse · Home/End"
        return Shown(
            [p.id for p in window.items],
            cells,
            window.position(),
            self.caption(window, keys),
            window.has_before,
            window.has_after,
        )

    def action_new(self) -> None:
        from screens.product_form import ProductFormScreen

        self.app.push_screen(ProductFormScreen(None), self._saved)

    def action_edit(self) -> None:
        self.when_shown(self._edit_selected)

    def _edit_selected(self) -> None:
        key = self.selected_key()
        if key is None:
            return
        from screens.product_form import ProductFormScreen

        self.app.push_screen(ProductFormScreen(key), self._saved)

    def _saved(self, product: Product | None) -> None:
        if product is not None:
            self.turn("reload")

    def commands(self) -> Iterable[SystemCommand]:
        yield from super().commands()
        if is_manager(self):
            yield SystemCommand("New product", "Create a product (n)", self.action_new)
            yield SystemCommand("Edit product", "Edit the highlighted product (e)", self.action_edit)


# --- one product ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFacts:
    product: Product | None
    levels: list[StockLevel]
    movements: Movements


class ProductDetailScreen(ShellScreen):
    """Every field of one product, its stock at each location and its recent movements."""

    TITLE = "Product"
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="product.back"),
        Binding("e", "edit", "Edit", id="product.edit"),
    ]

    class Read(Message):
        def __init__(self, facts: ProductFacts) -> None:
            super().__init__()
            self.facts = facts

    def __init__(self, product_id: str) -> None:
        super().__init__()
        self.product_id = product_id
        self.facts: ProductFacts | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="product-detail"):
            yield Static(Content("Reading the product…"), id="product-fields")
            yield Static(id="product-stock")
            yield Static(id="movements-caption", classes="caption")
            yield DataTable(id="movements", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#movements", DataTable).add_columns("When", "Reason", "Change", "Location", "Note")
        self.set_focus(self.query_one("#product-detail"))
        self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return is_manager(self) if action == "edit" else True

    @background("product-detail", "Reading the product")
    def _load(self) -> None:
        with self.app.local_store.use() as store:
            product = store.catalogue.by_id(self.product_id)
            levels = store.stock.levels(self.product_id)
            local = unsettled_movements(store, self.product_id)
        # The server's ledger over the network, without holding the cache.
        api = self.app.api if self.app.online else None
        self.post_message(self.Read(ProductFacts(product, levels, recent_movements(local, api, self.product_id))))

    @on(Read)
    def _read(self, message: Read) -> None:
        self.facts = facts = message.facts
        fields = self.query_one("#product-fields", Static)
        product = facts.product
        if product is None:
            fields.update(Content("This product is no longer in the catalogue."))
            return
        decimals = shop_decimals(self)
        currency = self.app.identity.currency
        pending = Content.styled("  (edited here, not synced yet)", "$warning") if product.local_changes else ""
        rows = [
            ("Name", printable(product.name)),
            ("SKU", printable(product.sku)),
            ("Barcode", printable(product.barcode or "—")),
            ("Category", printable(product.category or "—")),
            ("Price", f"{format_amount(product.price, decimals)} {currency}"),
            ("Tax rate", f"{tax_text(product.tax_rate_bp)} %"),
            ("Active", "yes" if product.active else "no"),
            ("Version", f"{product.version or 'new, not on the server yet'}"),
            ("Updated", when(product.updated_at)),
        ]
        fields.update(
            Content.assemble(
                *(Content.assemble((f"{label:<10}", "dim"), value, "\n") for label, value in rows[:-1]),
                (f"{rows[-1][0]:<10}", "dim"),
                rows[-1][1],
                pending,
            )
        )
        stock = [Content.styled("Stock", "bold")]
        if not facts.levels:
            stock.append(Content("  no stock recorded"))
        for level in facts.levels:
            style = "$error bold" if level.oversold else "$warning" if level.below_reorder else ""
            line = f"  {printable(level.location):<12} on hand {level.on_hand:>6,}   reorder at {level.reorder_point:,}"
            stock.append(Content.styled(line, style))
        self.query_one("#product-stock", Static).update(Content("\n").join(stock))
        self.query_one("#movements-caption", Static).update(
            Content.assemble(("Recent movements", "bold"), " · ", (facts.movements.note, "dim"))
        )
        table = self.query_one("#movements", DataTable)
        table.clear()
        for movement in facts.movements.items:
            table.add_row(
                when(movement.at),
                cell(movement.reason + (" (unsent)" if movement.unsent else "")),
                right(f"{movement.delta:+,}"),
                cell(movement.location),
                cell(movement.note),
            )

    def action_edit(self) -> None:
        from screens.product_form import ProductFormScreen

        self.app.push_screen(ProductFormScreen(self.product_id), lambda saved: saved is not None and self._load())
