"""Sync (F5, every role): is this terminal connected, what waits to be sent, and what a person must settle.

On top, the connection, the last push and pull, how much waits and for how long, clock skew (a warning over two
minutes), and a progress bar while the queue drains or changes are pulled — all from `app.sync_status`, which the
sync engine feeds. Below, in tabs: the queue (keyset pages, never the whole of a long queue), the refused ops
(retry; correct and retry where the fix is local; discard after typing DISCARD) and the conflicts (base, mine and
theirs side by side; keep mine or take theirs). `x` exports the queue to a file on any tab.

The store is read through `app.local_store.use()` in workers, again after every change of the engine's status
(at most once a second) and after each action; an action wakes the engine so its effect is sent at once. In the
demo, `s` stops and starts the embedded shop-api, so the terminal can be taken offline and brought back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import ProgressBar, Static, TabbedContent, TabPane

from console import sync_view
from console.sync_view import ConflictView, DeadLetter, Describer, Overview, QueuePage
from offline_cache.conflicts import ConflictError
from offline_cache.engine import SyncStatus
from offline_cache.outbox import OutboxError
from offline_cache.store import Store
from offline_cache.writes import InvalidWrite
from screens.base import ShellScreen, background
from screens.data_table import DataTable
from screens.sync_dialogs import DiscardDialog, EditRetryDialog, ExportDialog

RELOAD_SECONDS = 1.0  # the tables follow the engine's status at most this often
AGE_REFRESH_SECONDS = 5.0  # and are read again this often when nothing changes
TABS = {"queue": "Queue", "refused": "Refused", "conflicts": "Conflicts"}  # keys 1-3
LEVEL_STYLE = {"ok": "$text-success", "warning": "$text-warning", "error": "$text-error bold"}
WHAT_WIDTH = 28
# Fixed column widths: a styled cell does not widen its column, and the table measures its cells only when idle,
# which a busy console can put off; the last column of each table takes the rest.
QUEUE_COLUMNS = (("#", 6), ("Kind", 12), ("What", WHAT_WIDTH), ("Status", 8), ("Tries", 5), ("Age", 4))
DEAD_COLUMNS = (("#", 6), ("Kind", 12), ("What", WHAT_WIDTH), ("HTTP", 4))
CONFLICT_LIST_COLUMNS = (("Product", 50),)
CONFLICT_COLUMNS = ("Field", "Base", "Mine", "Theirs")
ERROR_WIDTH = 60
# Actions that change the queue: not for support ("no sales edits"); everybody may retry as is and export.
CHANGING = frozenset({"edit_retry", "discard", "keep_mine", "take_theirs"})
TAB_ACTIONS = {
    "queue": frozenset({"previous_page", "next_page"}),
    "refused": frozenset({"retry", "edit_retry", "discard"}),
    "conflicts": frozenset({"keep_mine", "take_theirs"}),
}


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(text: str, width: int) -> Text:
    """A table cell cut to `width`; Text, as a DataTable reads a str cell as markup (sync_view made it inert)."""
    return Text(_cut(text, width))


@dataclass(frozen=True)
class Snapshot:
    """What one read of the store gave."""

    page: QueuePage
    dead: list[DeadLetter]
    conflicts: list[ConflictView]


class SyncScreen(ShellScreen):
    TITLE = "Sync"
    BINDINGS: ClassVar = [
        Binding("r", "retry", "Retry", id="sync.retry"),
        Binding("e", "edit_retry", "Edit & retry", id="sync.edit_retry"),
        Binding("d", "discard", "Discard", id="sync.discard"),
        Binding("m", "keep_mine", "Keep mine", id="sync.keep_mine"),
        Binding("t", "take_theirs", "Take theirs", id="sync.take_theirs"),
        Binding("n", "next_page", "Next page", id="sync.next_page"),
        Binding("p", "previous_page", "Previous page", id="sync.previous_page"),
        Binding("x", "export", "Export", id="sync.export"),
        Binding("s", "backend(False)", "Stop backend", id="sync.stop_backend"),
        Binding("s", "backend(True)", "Start backend", id="sync.start_backend"),
        *(
            Binding(str(n), f"tab('{tab}')", f"{title} tab", show=False, id=f"sync.tab_{tab}")
            for n, (tab, title) in enumerate(TABS.items(), start=1)
        ),
        Binding("escape", "app.home", "Home", id="sync.home"),
    ]

    class Loaded(Message):
        def __init__(self, snapshot: Snapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    class Done(Message):
        """An action finished: what to tell the person, and whether it went wrong."""

        def __init__(self, text: str, failed: bool = False) -> None:
            super().__init__()
            self.text = text
            self.failed = failed

    class EditRefused(Message):
        def __init__(self, letter: DeadLetter, typed: dict[str, str], problem: str) -> None:
            super().__init__()
            self.letter = letter
            self.typed = typed
            self.problem = problem

    class BackendSwitched(Message):
        def __init__(self, running: bool, problem: str | None) -> None:
            super().__init__()
            self.running = running
            self.problem = problem

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: Snapshot | None = None
        self.reading = False
        self._reload_due = False
        self._reload_timer: Timer | None = None
        self._after_seq: int | None = None  # the queue page shown: the first, or the one after/before a seq
        self._before_seq: int | None = None
        self._switching = False

    # --- layout ---------------------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="sync-overview")
        yield Static(id="sync-skew")
        yield Static(id="sync-progress-label")
        yield ProgressBar(id="sync-progress", show_eta=False)
        with TabbedContent(id="sync-tabs"):
            with TabPane(self._tab_label("queue"), id="queue"):
                yield Static(id="queue-caption")
                yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
            with TabPane(self._tab_label("refused"), id="refused"):
                yield DataTable(id="dead-table", cursor_type="row")
                yield Static(id="dead-detail")
            with TabPane(self._tab_label("conflicts"), id="conflicts"):
                yield DataTable(id="conflict-list", cursor_type="row")
                yield DataTable(id="conflict-fields", cursor_type="none", zebra_stripes=True)

    def _tab_label(self, tab: str, count: int | None = None) -> str:
        key = self.app.key_display(f"sync.tab_{tab}", str(list(TABS).index(tab) + 1))
        return f"{key} {TABS[tab]}" + (f" ({count})" if count else "")

    def on_mount(self) -> None:
        for selector, columns, last in (
            ("#queue-table", QUEUE_COLUMNS, "Error"),
            ("#dead-table", DEAD_COLUMNS, "Fix here"),
            ("#conflict-list", CONFLICT_LIST_COLUMNS, "Since"),
        ):
            table = self.query_one(selector, DataTable)
            for label, width in columns:
                table.add_column(label, width=width)
            table.add_column(last)
        self.query_one("#queue-table", DataTable).focus()
        self.watch(self.app, "sync_status", self._status_changed)  # called at once too: the first read
        self.set_interval(1, lambda: self._show_overview(self.app.sync_status))  # the ages grow between reports
        self.set_interval(AGE_REFRESH_SECONDS, self._request_reload)  # and so do the rows' ages

    # --- following the engine -------------------------------------------------------------------------------

    def _status_changed(self, status: SyncStatus | None) -> None:
        self._show_overview(status)
        self._request_reload()

    def _request_reload(self) -> None:
        """Read the store again soon: at once when idle, else after the read under way (never two at a time)."""
        if self.reading or self._reload_timer is not None:
            self._reload_due = True
            return
        self._load()

    def _show_overview(self, status: SyncStatus | None) -> None:
        signed_in = self.app.signed_in
        view = sync_view.overview(status, self.app.clock(), offline_session=bool(signed_in and signed_in.offline))
        self.query_one("#sync-overview", Static).update(self._overview_text(view))
        skew = self.query_one("#sync-skew", Static)
        skew.update(
            Content.styled(f"Clock skew over 2 minutes: {view.skew}. Set the device's clock.", "$text-warning bold")
        )
        skew.display = view.skew_warning
        label = self.query_one("#sync-progress-label", Static)
        bar = self.query_one("#sync-progress", ProgressBar)
        label.display = bar.display = view.progress is not None
        if view.progress is not None:
            label.update(view.progress.label)
            bar.update(total=view.progress.total, progress=view.progress.done)

    @staticmethod
    def _overview_text(view: Overview) -> Content:
        def line(name: str, value: Content, right_name: str, right: str) -> Content:
            pad = max(1, 34 - len(value.plain))
            return Content.assemble((f"{name:<11}", "dim"), value, " " * pad, (f"{right_name:<11}", "dim"), right)

        attention = (
            Content.styled(view.attention, "$text-error bold") if view.attention else Content.styled("none", "dim")
        )
        lines = [
            line(
                "Connection",
                Content.styled(view.connection, LEVEL_STYLE[view.connection_level]),
                "Last push",
                view.last_push,
            ),
            line("Queue", Content.styled(view.waiting, LEVEL_STYLE[view.waiting_level]), "Last pull", view.last_pull),
            line("Attention", attention, "Clock", view.skew),
        ]
        if view.error:
            lines.append(
                Content.assemble(("Last error ", "dim"), Content.styled(_cut(view.error, 200), "$text-warning"))
            )
        return Content("\n").join(lines)

    # --- reading the store ----------------------------------------------------------------------------------

    def _load(self) -> None:
        self.reading = True
        self._read_store()

    @background("sync-view", "Reading the sync queue")
    def _read_store(self) -> None:
        app = self.app
        now = app.clock()
        with app.local_store.use() as store:
            describer = Describer(store, app.identity.currency)
            page = sync_view.queue_page(store, describer, now, after_seq=self._after_seq, before_seq=self._before_seq)
            snapshot = Snapshot(
                page,
                sync_view.dead_letters(store, describer, now),
                sync_view.conflict_views(store, describer, now),
            )
        self.post_message(self.Loaded(snapshot))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.reading = False
        self.snapshot = message.snapshot
        self._show_queue(message.snapshot.page)
        self._show_dead(message.snapshot.dead)
        self._show_conflicts(message.snapshot.conflicts)
        tabs = self.query_one("#sync-tabs", TabbedContent)
        tabs.get_tab("refused").label = self._tab_label("refused", len(message.snapshot.dead))
        tabs.get_tab("conflicts").label = self._tab_label("conflicts", len(message.snapshot.conflicts))
        self.refresh_bindings()
        if self._reload_due:  # the status changed while reading: read again, but not at once
            self._reload_due = False
            self._reload_timer = self.set_timer(RELOAD_SECONDS, self._reload_later)

    def _reload_later(self) -> None:
        self._reload_timer = None
        self._load()

    def _show_queue(self, page: QueuePage) -> None:
        table = self.query_one("#queue-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in page.rows:
            table.add_row(
                str(row.seq),
                Text(row.kind),
                _cell(row.what, WHAT_WIDTH),
                Content.styled(row.status, "$text-error" if row.status in ("refused", "conflict") else ""),
                str(row.attempts),
                row.age,
                _cell(row.error, ERROR_WIDTH),
                key=row.op_id,
            )
        if page.rows:
            table.move_cursor(row=min(cursor, len(page.rows) - 1))
        caption = self.query_one("#queue-caption", Static)
        if not page.rows:
            caption.update(Content.styled("Nothing waits: every sale and change has reached the server.", "dim"))
            return
        pages = " · ".join(
            text for text, shown in (("p previous page", page.has_before), ("n next page", page.has_after)) if shown
        )
        caption.update(
            Content.assemble(
                f"#{page.first_seq} to #{page.last_seq} · {page.total:,} not settled",
                (f"   {pages}" if pages else "", "dim"),
            )
        )

    def _show_dead(self, dead: list[DeadLetter]) -> None:
        table = self.query_one("#dead-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for letter in dead:
            row = letter.row
            table.add_row(
                str(row.seq),
                Text(row.kind),
                _cell(row.what, WHAT_WIDTH),
                str(letter.http_status or ""),
                "yes (e)" if letter.editable else "no",
                key=row.op_id,
            )
        if dead:
            table.move_cursor(row=min(cursor, len(dead) - 1))
        self._show_dead_detail()

    def _show_dead_detail(self) -> None:
        detail = self.query_one("#dead-detail", Static)
        letter = self._selected_dead()
        if letter is None:
            detail.update(Content.styled("Nothing was refused.", "dim"))
            return
        hint = "r retry as it is · e correct and retry · d discard" if letter.editable else "r retry · d discard"
        detail.update(
            Content.assemble(("Refused: ", "bold"), Content.styled(letter.error, "$text-error"), ("\n" + hint, "dim"))
        )

    def _show_conflicts(self, conflicts: list[ConflictView]) -> None:
        table = self.query_one("#conflict-list", DataTable)
        cursor = table.cursor_row
        table.clear()
        for conflict in conflicts:
            table.add_row(_cell(conflict.title, 50), conflict.age, key=str(conflict.id))
        if conflicts:
            table.move_cursor(row=min(cursor, len(conflicts) - 1))
        self._show_conflict_fields()

    def _show_conflict_fields(self) -> None:
        table = self.query_one("#conflict-fields", DataTable)
        table.clear(columns=True)
        conflict = self._selected_conflict()
        if conflict is None:
            return
        # Three values side by side in what the screen has (a long name is cut); styled cells do not widen their
        # columns, so each is sized for its longest value.
        room = max(10, (self.size.width - 4 - 12 - 8) // 3)
        cells = [
            (row.field, _cut(row.base, room), _cut(row.mine, room), _cut(row.theirs, room)) for row in conflict.rows
        ]
        for index, label in enumerate(CONFLICT_COLUMNS):
            table.add_column(label, width=max(len(label), *(len(cell[index]) for cell in cells)))
        for row, (field, base, mine, theirs) in zip(conflict.rows, cells, strict=True):
            style = "$text-warning bold" if row.differs else ""
            table.add_row(field, Text(base), Content.styled(mine, style), Content.styled(theirs, style))

    @on(DataTable.RowHighlighted, "#dead-table")
    def _dead_highlighted(self) -> None:
        self._show_dead_detail()

    @on(DataTable.RowHighlighted, "#conflict-list")
    def _conflict_highlighted(self) -> None:
        self._show_conflict_fields()

    def _selected_dead(self) -> DeadLetter | None:
        dead = self.snapshot.dead if self.snapshot else []
        row = self.query_one("#dead-table", DataTable).cursor_row
        return dead[row] if 0 <= row < len(dead) else None

    def _selected_conflict(self) -> ConflictView | None:
        conflicts = self.snapshot.conflicts if self.snapshot else []
        row = self.query_one("#conflict-list", DataTable).cursor_row
        return conflicts[row] if 0 <= row < len(conflicts) else None

    # --- keys -----------------------------------------------------------------------------------------------

    def _active_tab(self) -> str:
        return self.query_one("#sync-tabs", TabbedContent).active or "queue"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "backend":
            switch = self.app.backend_switch
            return switch is not None and not self._switching and switch.api_running != parameters[0]
        for tab, actions in TAB_ACTIONS.items():
            if action in actions and self._active_tab() != tab:
                return False
        if action in CHANGING:
            signed_in = self.app.signed_in
            return signed_in is not None and signed_in.identity.role != "support"
        if action == "next_page":
            return bool(self.snapshot and self.snapshot.page.has_after)
        if action == "previous_page":
            return bool(self.snapshot and self.snapshot.page.has_before)
        return True

    @on(TabbedContent.TabActivated, "#sync-tabs")
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def action_tab(self, tab: str) -> None:
        self.query_one("#sync-tabs", TabbedContent).active = tab
        self.query_one(f"#{tab} DataTable", DataTable).focus()
        self.refresh_bindings()

    def action_next_page(self) -> None:
        if self.snapshot and self.snapshot.page.has_after:
            self._after_seq, self._before_seq = self.snapshot.page.last_seq, None
            self._request_reload()

    def action_previous_page(self) -> None:
        if self.snapshot and self.snapshot.page.has_before:
            self._after_seq, self._before_seq = None, self.snapshot.page.first_seq
            self._request_reload()

    def commands(self) -> list[SystemCommand]:
        commands = [SystemCommand("Export the queue", "Write every unsettled operation to a file", self.action_export)]
        for tab, title in TABS.items():
            commands.append(
                SystemCommand(f"Sync: {title}", f"Show the {title.lower()} tab", partial(self.action_tab, tab))
            )
        return commands

    # --- refused ops ----------------------------------------------------------------------------------------

    def action_retry(self) -> None:
        letter = self._selected_dead()
        if letter is not None:
            self._act(lambda store: store.outbox.retry(letter.row.op_id), f"#{letter.row.seq} goes again.")

    def action_edit_retry(self) -> None:
        letter = self._selected_dead()
        if letter is None:
            return
        if not letter.editable:
            self.notify("Nothing in it can be corrected here: retry it as it is, export it, or discard it.")
            return
        self.app.push_screen(EditRetryDialog(letter), partial(self._edited, letter))

    def _edited(self, letter: DeadLetter, typed: object) -> None:
        if isinstance(typed, dict):
            self._retry_corrected(letter, typed)

    @background("sync-action", "Sending a corrected operation again")
    def _retry_corrected(self, letter: DeadLetter, typed: dict[str, str]) -> None:
        try:
            with self.app.local_store.use() as store:
                sync_view.retry_corrected(store, letter.row.op_id, typed, Describer(store, self.app.identity.currency))
        except InvalidWrite as exc:
            self.post_message(self.EditRefused(letter, typed, str(exc)))
            return
        self.post_message(self.Done(f"#{letter.row.seq} corrected; it goes again."))

    @on(EditRefused)
    def _edit_refused(self, message: EditRefused) -> None:
        self.app.push_screen(
            EditRetryDialog(message.letter, message.typed, message.problem), partial(self._edited, message.letter)
        )

    def action_discard(self) -> None:
        letter = self._selected_dead()
        if letter is not None:
            self.app.push_screen(DiscardDialog(letter), partial(self._discard_confirmed, letter))

    def _discard_confirmed(self, letter: DeadLetter, confirmed: object) -> None:
        if confirmed is True:
            self._act(lambda store: store.outbox.discard(letter.row.op_id), f"#{letter.row.seq} discarded.")

    # --- conflicts ------------------------------------------------------------------------------------------

    def action_keep_mine(self) -> None:
        conflict = self._selected_conflict()
        if conflict is not None:
            self._act(
                lambda store: store.conflicts.keep_mine(conflict.id),
                f"Kept mine: {conflict.title} goes again on the server's current version.",
            )

    def action_take_theirs(self) -> None:
        conflict = self._selected_conflict()
        if conflict is not None:
            self._act(
                lambda store: store.conflicts.take_theirs(conflict.id),
                f"Took theirs: my edit of {conflict.title} is dropped.",
            )

    # --- doing it -------------------------------------------------------------------------------------------

    @background("sync-action", "Changing the sync queue")
    def _act(self, change: Callable[[Store], object], done: str) -> None:
        try:
            with self.app.local_store.use() as store:
                change(store)
        except (OutboxError, ConflictError) as exc:
            self.post_message(self.Done(str(exc), failed=True))
            return
        self.post_message(self.Done(done))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.notify(message.text, severity="error" if message.failed else "information", timeout=6)
        if not message.failed:
            self.app.wake_sync()
        self._request_reload()

    # --- export ---------------------------------------------------------------------------------------------

    def action_export(self) -> None:
        suggested = sync_view.default_export_path(self.app.profile, self.app.clock())
        count = self.snapshot.page.total if self.snapshot else None
        self.app.push_screen(ExportDialog(str(suggested), count), self._export_to)

    def _export_to(self, typed: object) -> None:
        if isinstance(typed, str):
            self._export(typed)

    @background("sync-action", "Exporting the queue")
    def _export(self, typed: str) -> None:
        app = self.app
        try:
            path = sync_view.export_path(typed, app.profile, app.clock())
            with app.local_store.use() as store:
                count = sync_view.export_queue(store, path)
        except (InvalidWrite, OSError) as exc:
            self.post_message(self.Done(f"Not exported: {exc}", failed=True))
            return
        self.post_message(self.Done(f"Exported {count} operation(s) to {path}."))

    # --- the demo's backend ---------------------------------------------------------------------------------

    def action_backend(self, running: bool) -> None:
        if self.app.backend_switch is None or self._switching:
            return
        self._switching = True
        self.refresh_bindings()
        self.notify("Starting the backend…" if running else "Stopping the backend…", timeout=3)
        self._switch_backend(running)

    @background("sync-backend", "Switching the demo backend")
    def _switch_backend(self, running: bool) -> None:
        switch = self.app.backend_switch
        assert switch is not None
        try:
            switch.set_api_running(running)
        except Exception as exc:  # the demo stack's own failure, said in words; the console goes on
            self.post_message(self.BackendSwitched(switch.api_running, str(exc)))
            return
        self.post_message(self.BackendSwitched(switch.api_running, None))

    @on(BackendSwitched)
    def _backend_switched(self, message: BackendSwitched) -> None:
        self._switching = False
        self.refresh_bindings()
        if message.problem:
            self.notify(message.problem, title="Backend", severity="error", timeout=10)
        else:
            self.notify("Backend started: the queue drains now." if message.running else "Backend stopped.", timeout=5)
        self.app.wake_sync()  # notice the change at once rather than at the next probe
