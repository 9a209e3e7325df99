"""`?`: the keys of the screen underneath, as the keymap has them now, with the ids the config file uses."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from screens.data_table import DataTable

KeyRow = tuple[str, str, str]  # key as shown, what it does, binding id


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close_again"),
    ]

    def __init__(self, title: str, rows: list[KeyRow]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Static(f"Keys: {self.title_text}", classes="title")
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield Static(
                Content('Change a key in the config file: [keymap] <id> = "<key>"  ·  Esc closes'), classes="hint"
            )

    def on_mount(self) -> None:
        table = self.query_one("#keys", DataTable)
        table.add_columns("Key", "What it does", "Id")
        table.add_rows(self.rows)
        table.focus()
