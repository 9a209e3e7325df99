"""Textual's DataTable, with its columns drawn at the widths it last measured.

A DataTable measures its columns when its queue is next idle after rows are added, and keys what it has rendered
on a count that adding a row bumps and measuring does not: a frame painted in between (a loaded machine) kept the
narrow header and rows on screen until something else changed. Textual is pinned (8.2.8): check on upgrade whether
tests/console/test_data_table.py still finds the fault in Textual's own table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from textual.widgets import DataTable as TextualDataTable
from textual.widgets.data_table import RowKey

Cell = TypeVar("Cell")


class DataTable(TextualDataTable[Cell], Generic[Cell]):
    _measured_widths: tuple[int, ...] = ()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        widths = (self._row_label_column_width, *(column.get_render_width(self) for column in self.ordered_columns))
        if widths != self._measured_widths:
            self._measured_widths = widths
            self._update_count += 1  # what was rendered at the old widths is keyed on the old count
            self.refresh()
