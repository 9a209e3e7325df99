"""The console's DataTable draws its columns at the widths it measured, even when a frame was painted between
adding rows and measuring them (which Textual's own table then kept on screen)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable as TextualDataTable

from screens.data_table import DataTable

LONG = "shop-management-api"


class TableApp(App[None]):
    def __init__(self, table: TextualDataTable[str]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


async def header_after_a_frame_in_between(table: TextualDataTable[str]) -> str:
    app = TableApp(table)
    async with app.run_test(size=(60, 10)) as pilot:
        table.add_columns("Service", "Tasks")
        await pilot.pause()
        table.clear()  # as a screen does before it shows a report read again
        table.add_row(LONG, "2/2")
        table.render_lines(Region(0, 0, table.size.width, 1))  # a frame painted before the table measured the row
        await pilot.pause()
        assert not table._require_update_dimensions  # measured
        return table.render_lines(Region(0, 0, table.size.width, 1))[0].text


async def test_the_header_is_drawn_at_the_measured_widths() -> None:
    header = await header_after_a_frame_in_between(DataTable[str]())
    assert header.index("Tasks") == len(LONG) + 3, header


async def test_textual_still_draws_the_old_widths() -> None:
    """When this fails, Textual has fixed it: screens/data_table.py can go."""
    header = await header_after_a_frame_in_between(TextualDataTable[str]())
    if header.index("Tasks") == len(LONG) + 3:
        pytest.fail("Textual's DataTable now draws the measured widths: drop screens/data_table.py")
