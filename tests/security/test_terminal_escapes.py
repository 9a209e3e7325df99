"""Terminal escape sequences in product names must never reach the terminal as sequences. The server refuses
control characters in every name (test_hostile_input.py), so do the console's local writes (here); but Textual
writes a widget's text to the terminal as it is (proved here with the exact bytes it would send), so a name that
got into the cache some other way (an old row, a restored database) would repaint the till unless the screen that
shows it neutralises it. `terminal_bytes` is the probe: what the app would write to draw its current screen; the
products screen is checked with it here.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from pathlib import Path

import pytest
from test_hostile_input import ESCAPES
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Label

from backend.devstack import StackInfo as BackendStackInfo
from common.display import printable
from console.app import create_app
from console.demo import StackInfo
from console.ops.logs import LOG_GROUP, QueryResult, parse_event, result_table, saved_query, tail_text
from console.sync_service import open_store
from offline_cache import product_view
from offline_cache.store import Store
from offline_cache.writes import InvalidWrite
from tests.console.conftest import settle, stack_profile, until
from tests.console.counter_screens import CASHIER, app_for, signed_in, till
from tests.console.test_logs_screen import messages, opened
from tests.ops.runbooks_testkit import aws

RAW_SEQUENCES = ("\x1b[2J", "\x1b]0;", "\x1b]52;", "\x9b")
HOSTILE_ROW = {
    "sku": "ESC-ROW-1",
    "barcode": None,
    "category": "Tests",
    "price": 100,
    "tax_rate_bp": 0,
    "active": True,
    "version": 1,
    "updated_at": "2026-03-01T08:00:00.000000Z",
}


async def terminal_bytes(app: App[None]) -> str:
    """Everything the app would write to the terminal to draw its current screen from scratch."""
    update = app.screen._compositor.render_update(full=True)
    return update.render_segments(app.console)


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_local_writes_refuse_control_characters(tmp_path: Path, name: str) -> None:
    with Store.open(tmp_path / "cache.db", terminal_id="T1") as store:
        with pytest.raises(InvalidWrite, match="control characters"):
            store.writes.create_product(sku="ESC-1", name=ESCAPES[name], price=100, tax_rate_bp=0)
        with pytest.raises(InvalidWrite, match="control characters"):
            store.writes.create_product(sku="ESC-2", name="Tea", category=ESCAPES[name], price=100, tax_rate_bp=0)
        product = store.writes.create_product(sku="ESC-3", name="Tea", price=100, tax_rate_bp=0)
        with pytest.raises(InvalidWrite, match="control characters"):
            store.writes.update_product(product.id, {"name": ESCAPES[name]})
        assert store.catalogue.by_id(product.id).name == "Tea"
        assert [op.type for op in store.outbox.list()] == ["product.create"]


class _Names(App[None]):
    """The widgets a product list is made of, showing one hostile name each."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.product_name = name

    def compose(self) -> ComposeResult:
        yield Label(self.product_name, markup=False)
        table: DataTable[str] = DataTable()
        table.add_columns("Name")
        table.add_row(self.product_name)
        yield table


async def test_textual_writes_widget_text_to_the_terminal_as_it_is() -> None:
    """Why screens must neutralise names themselves: if this starts failing, Textual began to filter (good news:
    then screens may rely on it)."""
    name = "Tea\x1b[2J\x1b]0;pwned\x07\x9b31m"
    app = _Names(name)
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        written = await terminal_bytes(app)
    assert all(sequence in written for sequence in RAW_SEQUENCES[:2]), repr(written)


async def test_the_products_screen_shows_a_cached_escape_sequence_inert(stack: BackendStackInfo) -> None:
    """A product whose name carries escape sequences reaches the cache (as from an old server row: the pull
    stores what the server holds) and the products screen lists it: the terminal must not get the sequences."""
    console_stack = StackInfo.model_validate_json(stack.to_json())
    profile = till(console_stack)
    hostile = "AAA Tea\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZWNobyBwd25lZA==\x07\x9b31m"
    app = app_for(profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in(pilot, console_stack, CASHIER)
        with open_store(profile) as store, store.transaction() as conn:
            product_view.apply_server_products(conn, [{**HOSTILE_ROW, "id": str(uuid.uuid4()), "name": hostile}])
        app.open_destination("products")
        await until(pilot, lambda: type(app.screen).__name__ == "ProductsScreen", 20)
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count > 0, 20)
        await settle(pilot)
        written = await terminal_bytes(app)
    assert "AAA Tea" in written  # the row is on screen…
    assert not [s for s in RAW_SEQUENCES if s in written], repr(written[:2000])  # …and inert


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_printable_leaves_no_control_character(name: str) -> None:
    shown = printable(ESCAPES[name] + "\u202e\u200b")  # and a bidi override, a zero-width space
    assert shown.isprintable() and len(shown) == len(ESCAPES[name]) + 2  # one placeholder per character
    assert printable("Tea [bold]x[/bold] · Café 茶") == "Tea [bold]x[/bold] · Café 茶"  # other text as it is


def test_log_lines_and_query_rows_are_shown_inert() -> None:
    """The logs service's text for the CLI and the screen: a log line is anyone's text (a request path, a name)."""
    hostile = "login \x1b[2J\x1b]0;pwned\x07 \x9b31m"
    lines = [
        parse_event({"timestamp": 0, "message": json.dumps({"level": "INFO", "message": hostile, "userId": hostile})}),
        parse_event({"timestamp": 0, "message": f"plain {hostile}"}),
    ]
    assert lines[0].message == hostile  # the data (and the export) keep what was logged…
    for line in lines:
        assert tail_text(line).isprintable() and "login ␛[2J" in tail_text(line)  # …what is shown is inert
    query = saved_query("error-rate")
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    result = QueryResult(query, start, start, (dict.fromkeys(query.columns, hostile),), "test")
    _, rows = result_table(result)
    assert all(cell.isprintable() for row in rows for cell in row)


async def test_the_logs_screen_shows_escape_sequences_in_log_lines_inert(stack: BackendStackInfo) -> None:
    """A JSON log line whose message decodes to escape sequences and a plain line that carries them raw, tailed
    from CloudWatch Logs (moto) and opened whole (Enter): the terminal must not get the sequences."""
    console_stack = StackInfo.model_validate_json(stack.to_json())
    profile = stack_profile(console_stack)
    marker = uuid.uuid4().hex
    hostile = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZWNobyBwd25lZA==\x07\x9b31m"
    app = create_app(profile, keys={}, clock=lambda: dt.datetime.now(dt.UTC))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot, console_stack)
        logs = aws(profile, "logs")
        stream = f"ip-10-0-7-{marker[:8]}"
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
        now = int(time.time() * 1000)
        json_line = json.dumps({"level": "ERROR", "message": f"AAA {marker} {hostile}", "userId": hostile})
        logs.put_log_events(
            logGroupName=LOG_GROUP,
            logStreamName=stream,
            logEvents=[
                {"timestamp": now, "message": json_line},
                {"timestamp": now, "message": f"BBB {marker} {hostile}"},
            ],
        )
        await until(pilot, lambda: sum(marker in m for m in messages(screen)) == 2, 10)
        await pilot.press("slash", *marker, "enter")
        await until(pilot, lambda: len(messages(screen)) == 2)
        await pilot.press("enter")  # the last line (the plain one) whole, as it was logged
        await settle(pilot)
        written = await terminal_bytes(app)
    assert f"AAA {marker}" in written and f"BBB {marker}" in written  # the lines are on screen…
    assert not [s for s in RAW_SEQUENCES if s in written], repr(written[:2000])  # …and inert
