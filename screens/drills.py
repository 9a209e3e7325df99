"""DR drills (admin, support): the guide's monthly DR test schedule as a checklist. Each week's drill with its
steps, who ran it last, when, the measured RTO and RPO and the notes; a drill older than 35 days is due (amber),
a failed one red.

An admin records a drill's result (`n`): succeeded or failed, the measured RTO and RPO in minutes, and notes. It is
written to the audit log (console.ops.drills.record_drill), where the backup screen reads its "restore tested"
and RTO facts, with their date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from console.ops.audit import Actor, AuditLog
from console.ops.checks import Verdict, format_duration, format_time
from console.ops.drills import ChecklistRow, ScheduledDrill, checklist, record_drill
from console.ops.write_mode import ACTION_ROLE
from screens.base import ShellScreen, background
from screens.data_table import DataTable
from screens.deployments import theme_text

VERDICT_COLOR = {Verdict.OK: "success", Verdict.WARN: "warning", Verdict.FAIL: "error"}


@dataclass(frozen=True)
class DrillEntry:
    succeeded: bool
    rto: dt.timedelta
    rpo: dt.timedelta
    notes: str


def minutes(text: str) -> dt.timedelta | None:
    """ "45", "4.5" → minutes; None for anything else (or a negative figure)."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return dt.timedelta(minutes=value) if value >= 0 else None


class RecordDrillDialog(ModalScreen[DrillEntry | None]):
    """The result of one drill: measured RTO and RPO in minutes, notes, and whether it succeeded."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="drill.cancel")]

    def __init__(self, scheduled: ScheduledDrill) -> None:
        super().__init__()
        self.scheduled = scheduled

    def compose(self) -> ComposeResult:
        with Vertical(id="drill-dialog", classes="dialog"):
            yield Static(Content(f"Record week {self.scheduled.week}: {self.scheduled.title}"), classes="title")
            yield Input(placeholder="measured RTO, minutes", id="drill-rto")
            yield Input(placeholder="measured RPO (data lost), minutes", id="drill-rpo")
            yield Input(placeholder="notes (issues found, follow-ups)", id="drill-notes")
            yield Static(id="drill-problem")
            with Horizontal(classes="actions"):
                yield Button("Cancel", id="cancel")
                yield Button("Failed", variant="error", id="failed")
                yield Button("Succeeded", variant="success", id="succeeded")

    def on_mount(self) -> None:
        self.query_one("#drill-rto", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#succeeded, #failed")
    def _record(self, event: Button.Pressed) -> None:
        rto = minutes(self.query_one("#drill-rto", Input).value)
        rpo = minutes(self.query_one("#drill-rpo", Input).value)
        if rto is None or rpo is None:
            self.query_one("#drill-problem", Static).update(Content("RTO and RPO: minutes, e.g. 12 or 0.5"))
            return
        notes = self.query_one("#drill-notes", Input).value.strip()
        self.dismiss(DrillEntry(event.button.id == "succeeded", rto, rpo, notes))


class DrillsScreen(ShellScreen):
    TITLE = "DR drills"
    BINDINGS: ClassVar = [
        Binding("n", "record", "Record a result", id="drills.record"),
        Binding("r", "refresh", "Refresh", id="drills.refresh"),
        Binding("escape", "app.home", "Home", id="drills.home"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[ChecklistRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ChecklistRow] = []

    def compose_body(self) -> ComposeResult:
        yield Static("DR drills: reading the audit log…", id="drills-summary")
        yield DataTable(id="drills-table", cursor_type="row")
        yield Static(id="drill-detail")

    def on_mount(self) -> None:
        table = self.query_one("#drills-table", DataTable)
        for label, width in (("Wk", 2), ("Drill", 25), ("Last run", 11), ("RTO", 6), ("RPO", 6), ("State", 14)):
            table.add_column(label, width=width)
        self.action_refresh()
        table.focus()

    def action_refresh(self) -> None:
        self._load()

    @background("drills", "Reading the DR drills")
    def _load(self) -> None:
        app = self.app
        self.post_message(self.Loaded(checklist(AuditLog(clock=app.clock), app.profile.name, app.clock())))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        table = self.query_one("#drills-table", DataTable)
        row = table.cursor_row
        table.clear()
        for item in message.rows:
            table.add_row(*self._row(item), key=item.scheduled.drill.value)
        table.move_cursor(row=min(row, len(message.rows) - 1))
        due = sum(r.verdict is not Verdict.OK for r in message.rows)
        summary = (
            Content.styled(f"{due} of {len(message.rows)} drills due or failed", "$warning bold")
            if due
            else Content.styled("every drill done within 35 days", "$success")
        )
        self.query_one("#drills-summary", Static).update(
            Content.assemble(("Monthly DR test schedule ", "bold"), summary)
        )
        self._show_detail()

    def _row(self, item: ChecklistRow) -> tuple[str | Text, ...]:
        latest = item.latest
        return (
            str(item.scheduled.week),
            item.scheduled.title,
            "never" if latest is None else f"{latest.at:%m-%d %H:%M}",
            "—" if latest is None or latest.rto is None else format_duration(latest.rto),
            "—" if latest is None or latest.rpo is None else format_duration(latest.rpo),
            theme_text(self.app, item.state, VERDICT_COLOR[item.verdict], bold=item.verdict is not Verdict.OK),
        )

    @on(DataTable.RowHighlighted, "#drills-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def selected(self) -> ChecklistRow | None:
        if not self.rows:
            return None
        return self.rows[min(self.query_one("#drills-table", DataTable).cursor_row, len(self.rows) - 1)]

    def _show_detail(self) -> None:
        item = self.selected()
        if item is None:
            return
        lines = [Content.styled(f"Week {item.scheduled.week}: {item.scheduled.title}", "bold")]
        lines += [Content(f"  [ ] {step}") for step in item.scheduled.steps]
        latest = item.latest
        if latest is None:
            lines.append(Content.styled("Not recorded yet.", "dim"))
        else:
            outcome = "succeeded" if latest.succeeded else "failed"
            lines.append(Content.assemble(("Last: ", "bold"), f"{outcome} {format_time(latest.at)} by {latest.by}"))
            if latest.notes:
                lines.append(Content.assemble(("Notes: ", "bold"), latest.notes))
        self.query_one("#drill-detail", Static).update(Content("\n").join(lines))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record":
            signed_in = self.app.signed_in
            return signed_in is not None and signed_in.identity.role == ACTION_ROLE  # support reads only
        return True

    def action_record(self) -> None:
        item = self.selected()
        if item is not None:
            self.app.push_screen(RecordDrillDialog(item.scheduled), partial(self._entered, item.scheduled))

    def _entered(self, scheduled: ScheduledDrill, entry: DrillEntry | None) -> None:
        if entry is not None:
            self._record(scheduled, entry)

    @background("drills-record", "Recording the drill")
    def _record(self, scheduled: ScheduledDrill, entry: DrillEntry) -> None:
        app = self.app
        who = app.signed_in.identity if app.signed_in else None
        record = record_drill(
            AuditLog(clock=app.clock),
            actor=Actor.current(who.username if who else None, who.role if who else None),
            profile=app.profile.name,
            environment=app.profile.environment,
            drill=scheduled.drill,
            succeeded=entry.succeeded,
            rto=entry.rto,
            rpo=entry.rpo,
            notes=entry.notes,
        )
        app.call_from_thread(app.notify, f"Recorded {scheduled.title}: {record.outcome} (audit {record.id[:8]})")
        self._load()
