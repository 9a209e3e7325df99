"""Stock: levels at this terminal's location beside the catalogue (keyset pages, as on the products screen), with
on hand, reorder point and the low ones highlighted; `2` lists what is at or below its reorder point and `3` what
is oversold (below zero after sales rung up offline), highlighted in the lists too. Enter opens the product.

Managers receive (`i`, several lines at once), count (`k`), and from `m`: damage, transfer, correction. The
forms are in screens.stock_forms; other roles see no such keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding
from textual.content import Content

from console.counter.catalogue_view import CatalogueWindow
from console.counter.stock_forms import KINDS, Kind
from console.counter.stock_levels import StockRow, listed, rows_for
from offline_cache.store import Store
from screens.products import CatalogueListScreen, ChoiceDialog, Shown, cell, is_manager, right

MODES = {"all": "All levels", "low": "Below reorder", "oversold": "Oversold"}  # keys 1-3
TONES = {"ok": "", "none": "$text-muted", "low": "$warning", "oversold": "$error bold"}
RICH_TONES = {"ok": "", "none": "dim", "low": "yellow", "oversold": "bold red"}  # figures (Rich cells)
STATES = {"ok": "", "none": "no record", "low": "LOW", "oversold": "OVERSOLD"}


class StockScreen(CatalogueListScreen):
    TITLE = "Stock"
    BINDINGS: ClassVar = [
        *(
            Binding(str(n), f"mode('{mode}')", title, show=False, id=f"stock.mode_{mode}")
            for n, (mode, title) in enumerate(MODES.items(), start=1)
        ),
        Binding("i", "adjust('receive')", "Receive", id="stock.receive"),
        Binding("k", "adjust('count')", "Count", id="stock.count"),
        Binding("m", "more", "More", id="stock.more"),
        Binding("d", "adjust('damage')", "Damage", show=False, id="stock.damage"),
        Binding("t", "adjust('transfer')", "Transfer", show=False, id="stock.transfer"),
        Binding("x", "adjust('correction')", "Correction", show=False, id="stock.correction"),
    ]
    LIST_ID = "stock"
    MANAGER_ACTIONS = ("adjust", "more")

    def __init__(self) -> None:
        super().__init__()
        self.mode = "all"
        self._listed: list[StockRow] = []
        self._offset = 0

    def columns(self, width: int) -> list[tuple[str, int]]:
        fixed = [("SKU", 12), ("On hand", 8), ("Reorder", 8), ("State", 9)]
        name = max(width - sum(w for _, w in fixed) - 2 * (len(fixed) + 1) - 2, 16)
        return [fixed[0], ("Name", name), *fixed[1:]]

    def shown_page(self, store: Store, window: CatalogueWindow) -> Shown:
        rows = rows_for(store, window.items, store.location)
        keys = "1 all · 2 below reorder · 3 oversold · c category · Home/End"
        return self._shown(rows, window.position(), self.caption(window, keys), window.has_before, window.has_after)

    def _shown(self, rows: list[StockRow], position: str, caption: Content, before: bool, after: bool) -> Shown:
        cells: list[tuple[Any, ...]] = []
        for row in rows:
            style = TONES[row.tone]
            level = row.level
            cells.append(
                (
                    cell(row.product.sku),
                    cell(row.product.name, RICH_TONES[row.tone]),
                    right("—" if level is None else f"{level.on_hand:,}", RICH_TONES[row.tone]),
                    right("—" if level is None else f"{level.reorder_point:,}"),
                    Content.styled(STATES[row.tone], style),
                )
            )
        return Shown([row.product.id for row in rows], cells, position, caption, before, after)

    def read_page(self, store: Store, where: str) -> Shown:
        if self.mode == "all":
            return super().read_page(store, where)
        if where in ("first", "reload") or not self._listed:
            self._listed = listed(store, "below_reorder" if self.mode == "low" else "oversold")
        size = self.table.visible_rows()
        total = len(self._listed)
        last_start = max(total - 1, 0) // size * size
        self._offset = {
            "first": 0,
            "last": last_start,
            "next": self._offset + size,
            "down": self._offset + size,
            "previous": self._offset - size,
            "up": self._offset - size,
        }.get(where, self._offset)
        self._offset = max(0, min(self._offset, last_start))
        rows = self._listed[self._offset : self._offset + size]
        if rows:
            position = f"{self._offset + 1:,}-{self._offset + len(rows):,} of {total:,}"
        else:
            position = "Nothing " + ("below its reorder point" if self.mode == "low" else "oversold")
        what = "at or below the reorder point, lowest cover first" if self.mode == "low" else "below zero"
        caption = Content.assemble(f"{MODES[self.mode]}: {what} · ", ("1 all · 2 below reorder · 3 oversold", "dim"))
        return self._shown(rows, position, caption, self._offset > 0, self._offset + size < total)

    def action_mode(self, mode: str) -> None:
        self.mode = mode
        self.search_box.display = mode == "all"
        self.turn("first")

    def query_changed(self, **changes: object) -> None:
        self.mode = "all"
        self.search_box.display = True
        super().query_changed(**changes)

    # --- keys ---------------------------------------------------------------------------------------------------

    def action_more(self) -> None:
        choices = [(kind, title) for kind, title in KINDS.items()]
        self.app.push_screen(ChoiceDialog("Adjust stock", choices), self._chosen)

    def _chosen(self, kind: str | None) -> None:
        if kind is not None:
            self.action_adjust(kind)

    def action_adjust(self, kind: str) -> None:
        self.when_shown(lambda: self._adjust(kind))

    def _adjust(self, kind: str) -> None:
        from screens.stock_forms import StockFormScreen

        key = self.selected_key()
        shown = self.shown
        code = ""
        if key is not None and shown is not None:
            code = str(shown.cells[shown.keys.index(key)][0])  # the highlighted product's SKU on the first line
        self.app.push_screen(StockFormScreen(kind_of(kind), code), lambda done: done and self.turn("reload"))

    def commands(self) -> Iterable[SystemCommand]:
        yield from super().commands()
        for mode, title in MODES.items():
            yield SystemCommand(f"Stock: {title}", f"Show {title.lower()}", lambda mode=mode: self.action_mode(mode))
        if is_manager(self):
            for kind, title in KINDS.items():
                yield SystemCommand(
                    title, "A stock form (through the outbox)", lambda kind=kind: self.action_adjust(kind)
                )


def kind_of(text: str) -> Kind:
    for kind in KINDS:
        if kind == text:
            return kind
    raise ValueError(f"unknown stock form {text!r}")
