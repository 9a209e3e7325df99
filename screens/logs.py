"""Logs (admin, support): the API's log group, live, and the guide's saved Logs Insights queries.

Tail (key 1): the newest lines of /aws/ecs/shop-management-api, followed every second (console.ops.logs.LogTail in
a worker that re-arms after each answer); each line as time, level, message and its user, shop and durations;
ERROR in red, WARN in amber. `p` pauses and resumes, `/` types a filter (any text of the line), Enter shows the
highlighted line whole. Queries (key 2): `e` API error rate, `s` slow database queries, `u` user activity, over
the range `t` cycles; the result as a table and, for binned counts, a bar chart; where the endpoint does not run
the query, the screen says so and shows the same figures computed from the events.

`x` exports the current view as JSON lines, `c` as CSV: to a file in the data dir, or to the browser under
`shop-console serve`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static, TabbedContent, TabPane

from common.display import printable
from console import paths
from console.files import write_private
from console.ops.aws import AwsClients, ClientSource
from console.ops.checks import format_time
from console.ops.logs import (
    SAVED_QUERIES,
    TAIL_POLL_SECONDS,
    LogLine,
    LogsError,
    LogTail,
    QueryResult,
    SavedQuery,
    bar_lines,
    export_lines,
    export_name,
    export_result,
    result_table,
    run_saved_query,
)
from screens.base import ShellScreen, background
from screens.data_table import DataTable
from screens.deployments import theme_text

MAX_LINES = 1000  # the tail keeps the newest lines
TAIL_BACK = dt.timedelta(minutes=15)  # what the tail shows when it opens
RANGES = (dt.timedelta(hours=1), dt.timedelta(hours=3), dt.timedelta(hours=24), dt.timedelta(minutes=15))
LEVEL_COLOR = {"ERROR": "error", "WARN": "warning"}
QUERY_KEYS = {"error-rate": "e", "slow-queries": "s", "user-activity": "u"}


def span_text(span: dt.timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} h" if hours >= 1 else f"{span.total_seconds() / 60:g} min"


class LogsScreen(ShellScreen):
    TITLE = "Logs"
    BINDINGS: ClassVar = [
        # The tabs and the queries line name these; the footer has no room for them at 80 columns.
        Binding("1", "tab('tail')", "Tail", show=False, id="logs.tab_tail"),
        Binding("2", "tab('queries')", "Queries", show=False, id="logs.tab_queries"),
        Binding("p", "pause", "Pause", id="logs.pause"),
        Binding("slash", "filter", "Filter", key_display="/", id="logs.filter"),
        *(
            Binding(key, f"query('{name}')", name, show=False, id=f"logs.query_{name}")
            for name, key in QUERY_KEYS.items()
        ),
        Binding("t", "range", "Range", show=False, id="logs.range"),
        Binding("x", "export('jsonl')", "Export JSONL", id="logs.export_jsonl"),
        Binding("c", "export('csv')", "CSV", id="logs.export_csv"),
        Binding("escape", "back", "Home", id="logs.home"),
    ]

    class Polled(Message):
        def __init__(self, lines: list[LogLine], error: str | None) -> None:
            super().__init__()
            self.lines = lines
            self.error = error

    class Answered(Message):
        def __init__(self, result: QueryResult | None, error: str | None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, clients: ClientSource | None = None) -> None:
        """`clients` reads AWS (by default the profile's)."""
        super().__init__()
        self._clients = clients
        self._tail: LogTail | None = None
        self.lines: list[LogLine] = []
        self.paused = False
        self.filter_text = ""
        self.tail_error: str | None = None
        self.range_index = 0
        self.result: QueryResult | None = None
        self.querying: SavedQuery | None = None
        self.query_error: str | None = None
        self.polls = 0

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="logs-tabs"):
            with TabPane("1 Tail", id="tail"):
                yield Static(id="tail-status")
                yield Input(placeholder="filter: any text of the line (Enter)", id="tail-filter")
                yield DataTable(id="tail-table", cursor_type="row")
                yield Static(id="tail-detail")
            with TabPane("2 Queries", id="queries"):
                yield Static(id="query-status")
                yield DataTable(id="query-table", cursor_type="row")
                yield Static(id="query-chart")

    def on_mount(self) -> None:
        # Fixed widths: the message takes what the others leave, so a long one is cut at the edge, not the columns.
        table = self.query_one("#tail-table", DataTable)
        fields = 40 if self.app.size.width >= 100 else 26
        table.add_column("Time", width=8)
        table.add_column("Level", width=5)
        table.add_column("Message", width=max(20, self.app.size.width - 8 - 5 - fields - 9))
        table.add_column("Fields", width=fields)

        self.query_one("#tail-filter", Input).display = False
        self.query_one("#tail-detail", Static).display = False
        self._show_tail_status()
        self._show_query_status()
        self._poll()
        self.query_one("#tail-table", DataTable).focus()

    def _client_source(self) -> ClientSource:
        if self._clients is None:
            self._clients = AwsClients(self.app.profile)
        return self._clients

    # --- tail -----------------------------------------------------------------------------------------------

    @background("logs-tail", "Reading the API's new log lines")
    def _poll(self) -> None:
        if self._tail is None:
            self._tail = LogTail(self._client_source().client("logs"), self.app.clock() - TAIL_BACK)
        try:
            self.post_message(self.Polled(self._tail.poll(), None))
        except LogsError as exc:
            self.post_message(self.Polled([], str(exc)))

    @on(Polled)
    def _polled(self, message: Polled) -> None:
        self.polls += 1
        self.tail_error = message.error
        if message.lines:
            self.lines = (self.lines + message.lines)[-MAX_LINES:]
            table = self.query_one("#tail-table", DataTable)
            at_end = table.cursor_row >= table.row_count - 1
            if len(self.lines) == MAX_LINES:
                self._show_lines()
            else:
                for line in message.lines:
                    if line.matches(self.filter_text):
                        table.add_row(*self._row(line))
            if at_end and table.row_count:
                table.move_cursor(row=table.row_count - 1)  # following: the newest line stays in view
        self._show_tail_status()
        # Re-armed after each answer, so a slow endpoint never stacks up reads.
        self.set_timer(TAIL_POLL_SECONDS, self._poll_unless_paused)

    def _poll_unless_paused(self) -> None:
        if not self.paused:
            self._poll()

    def _row(self, line: LogLine) -> tuple[str | Text, ...]:
        color = LEVEL_COLOR.get(line.level, "")
        error = line.level == "ERROR"
        return (
            f"{line.at:%H:%M:%S}",
            theme_text(self.app, line.level, color, bold=error),
            theme_text(self.app, line.message, color if error else "", bold=error),
            Text(line.shown_fields, style="dim"),
        )

    def shown(self) -> list[LogLine]:
        return [line for line in self.lines if line.matches(self.filter_text)]

    def _show_lines(self) -> None:
        table = self.query_one("#tail-table", DataTable)
        table.clear()
        for line in self.shown():
            table.add_row(*self._row(line))
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    def _show_tail_status(self) -> None:
        state = Content.styled("PAUSED", "$warning bold") if self.paused else Content.styled("following", "$success")
        parts = [
            Content.assemble(("Tail ", "bold"), "/aws/ecs/shop-management-api · ", state),
            Content(f" · {len(self.shown())} of {len(self.lines)} lines"),
        ]
        if self.filter_text:
            parts.append(Content.assemble(" · filter ", (self.filter_text, "bold")))
        if self.tail_error:
            parts.append(Content.styled(printable(f" · {self.tail_error}"), "$error"))
        self.query_one("#tail-status", Static).update(Content.assemble(*parts))

    def action_pause(self) -> None:
        self.paused = not self.paused
        self._show_tail_status()
        if not self.paused:
            self._poll()  # catch up at once

    def action_filter(self) -> None:
        self.action_tab("tail")
        field = self.query_one("#tail-filter", Input)
        field.display = True
        field.focus()

    @on(Input.Submitted, "#tail-filter")
    def _filtered(self, event: Input.Submitted) -> None:
        self.filter_text = event.value.strip()
        event.input.display = bool(self.filter_text)
        self._show_lines()
        self._show_tail_status()
        self.query_one("#tail-table", DataTable).focus()

    @on(DataTable.RowSelected, "#tail-table")
    def _expand(self, event: DataTable.RowSelected) -> None:
        """Enter: the highlighted line whole (its JSON, wrapped); Enter again folds it."""
        detail = self.query_one("#tail-detail", Static)
        shown = self.shown()
        if detail.display and getattr(detail, "line_index", None) == event.cursor_row:
            detail.display = False
            return
        if 0 <= event.cursor_row < len(shown):
            line = shown[event.cursor_row]
            head = printable(f"{format_time(line.at)} {line.stream}")
            detail.update(Content.assemble((f"{head}\n", "dim"), printable(line.raw)))
            detail.line_index = event.cursor_row  # type: ignore[attr-defined]
            detail.display = True

    def action_back(self) -> None:
        field = self.query_one("#tail-filter", Input)
        if field.has_focus:
            field.display = bool(self.filter_text)
            self.query_one("#tail-table", DataTable).focus()
            return
        self.app.action_home()

    # --- queries --------------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one("#logs-tabs", TabbedContent).active = tab
        self.query_one("#tail-table" if tab == "tail" else "#query-table", DataTable).focus()

    def action_range(self) -> None:
        self.range_index = (self.range_index + 1) % len(RANGES)
        self._show_query_status()
        if self.result is not None:
            self.action_query(self.result.query.name)

    def action_query(self, name: str) -> None:
        self.action_tab("queries")
        query = next(q for q in SAVED_QUERIES if q.name == name)
        self.querying, self.query_error = query, None
        self._show_query_status()
        self._run_query(query, RANGES[self.range_index])

    @background("logs-query", "Running a saved Logs Insights query")
    def _run_query(self, query: SavedQuery, span: dt.timedelta) -> None:
        end = self.app.clock()
        try:
            result = run_saved_query(self._client_source().client("logs"), query, end - span, end)
        except LogsError as exc:
            self.post_message(self.Answered(None, str(exc)))
            return
        self.post_message(self.Answered(result, None))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self.querying = None
        self.query_error = message.error
        if message.result is not None:
            self.result = message.result
            self._show_result(message.result)
        self._show_query_status()

    def _show_query_status(self) -> None:
        keys = " ".join(f"{key} {name}" for name, key in QUERY_KEYS.items())
        lines = [
            Content.assemble(
                ("Queries ", "bold"), (keys, "dim"), f" · t range: last {span_text(RANGES[self.range_index])}"
            )
        ]
        if self.querying is not None:
            lines.append(Content(f"{self.querying.title}: running…"))
        elif self.query_error:
            lines.append(Content.styled(printable(f"cannot run it: {self.query_error}"), "$error"))
        elif self.result is not None:
            result = self.result
            lines.append(
                Content.assemble(
                    (result.query.title, "bold"),
                    f" · {result.start:%H:%M}-{result.end:%H:%M} UTC · {len(result.rows)} rows · {result.source}",
                )
            )
            if result.unanswered:
                lines.append(Content.styled(f"Logs Insights not used: {result.unanswered}", "$warning"))
        else:
            lines.append(Content.styled("Choose a saved query.", "dim"))
        self.query_one("#query-status", Static).update(Content("\n").join(lines))

    def _show_result(self, result: QueryResult) -> None:
        table = self.query_one("#query-table", DataTable)
        table.clear(columns=True)
        columns, rows = result_table(result)
        table.add_columns(*columns)
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))  # Text: a str cell would be read as markup
        chart = self.query_one("#query-chart", Static)
        bars = bar_lines(result.bins[-12:], min(self.size.width - 2, 60))
        chart.update(Content("\n".join(bars)))
        chart.display = bool(bars)

    # --- export ---------------------------------------------------------------------------------------------

    def action_export(self, fmt: str) -> None:
        tab = self.query_one("#logs-tabs", TabbedContent).active
        now = self.app.clock()
        if tab == "queries":
            if self.result is None:
                self.notify("Run a query first: there is nothing to export.", timeout=4)
                return
            text, name = export_result(self.result, fmt), export_name(self.result.query.name, now, fmt)
        else:
            text, name = export_lines(self.shown(), fmt), export_name("tail", now, fmt)
        if self.app.is_web:  # under `shop-console serve`: the browser downloads it
            self.app.deliver_text(io.StringIO(text), save_filename=name)
            return
        self._write_export(paths.data_dir() / "exports" / name, text)

    @background("logs-export", "Writing the export")
    def _write_export(self, path: Path, text: str) -> None:
        write_private(path, text)
        self.app.call_from_thread(self.notify, f"Exported to {path}", timeout=8)

    def commands(self) -> Iterable[SystemCommand]:
        for query in SAVED_QUERIES:
            yield SystemCommand(
                f"Logs: {query.title}",
                f"Run the saved Logs Insights query ({query.name})",
                partial(self.action_query, query.name),
            )
        yield SystemCommand("Logs: pause or resume the tail", "Stop or go on following new lines", self.action_pause)
