"""Audit log (admin): who did what, when, from where, with which confirmation and outcome — newest first.

The records come from console.ops.audit (the append-only file in the state dir) in a worker, on opening and on `r`.
The highlighted record's whole detail shows below the list: who (Cognito user and role, OS user and host), the
runbook and step or the screen, the inputs, the preview that was shown, the confirmation given and the outcome.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from console.ops.audit import AuditLog, AuditRecord
from screens.base import ShellScreen, background
from screens.data_table import DataTable

# Fixed widths where a styled cell would not size its column; None: as wide as the widest value.
COLUMNS = (("When (UTC)", 11), ("User", None), ("Action", None), ("Outcome", 10), ("Where", None))
OUTCOME_STYLE = {
    "verified": "$success",
    "approved": "$success",
    "PASS": "$success",
    "executed": "$accent",
    "FAIL": "$error",
    "failed": "$error",
    "refused": "$warning",
    "unverified": "$warning",
    "partial": "$warning",
}


def where(record: AuditRecord) -> str:
    """`high-cpu 1.0 · scale` for a runbook step, `screen backups`, or whatever context the record has."""
    context = dict(record.context)
    if "runbook" in context:
        return f"{context['runbook']} {context.get('version', '')} · {context.get('step', '')}".replace("  ", " ")
    return " ".join(f"{key} {value}" for key, value in context.items())


class AuditScreen(ShellScreen):
    TITLE = "Audit log"
    BINDINGS: ClassVar = [
        Binding("r", "refresh", "Refresh", id="audit.refresh"),
        Binding("escape", "app.home", "Home", id="audit.home"),
    ]

    class Loaded(Message):
        def __init__(self, records: list[AuditRecord]) -> None:
            super().__init__()
            self.records = records

    def __init__(self, log: AuditLog | None = None) -> None:
        """`log` is the audit file to show; by default this user's (the state dir)."""
        super().__init__()
        self._log = log
        self.records: list[AuditRecord] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(Content("Audit log: reading…"), id="audit-summary")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="audit-detail"):
            yield Static(id="audit-record")

    def on_mount(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        self.action_refresh()
        self.query_one("#audit-table").focus()

    def action_refresh(self) -> None:
        self._read()

    @background("audit", "Reading the audit log")
    def _read(self) -> None:
        log = self._log or AuditLog(clock=self.app.clock)
        self.post_message(self.Loaded(list(reversed(log.records()))))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.records = message.records
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for record in message.records:
            table.add_row(
                record.at.strftime("%m-%d %H:%M"),
                record.actor.cognito_user or "—",
                record.action,
                Content.styled(record.outcome, OUTCOME_STYLE.get(record.outcome, "")),
                where(record),
                key=record.id,
            )
        count = f"{len(message.records)} records, newest first" if message.records else "no records yet"
        self.query_one("#audit-summary", Static).update(
            Content.assemble(("Audit log", "bold"), f" · {count}", (" · audit.jsonl in the state dir", "dim"))
        )
        self._show_record(0 if message.records else None)

    @on(DataTable.RowHighlighted, "#audit-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_record(event.cursor_row)

    def _show_record(self, index: int | None) -> None:
        shown = self.query_one("#audit-record", Static)
        if index is None or not self.records or index >= len(self.records):
            shown.update("")
            return
        shown.update(self.detail(self.records[index]))

    @staticmethod
    def detail(record: AuditRecord) -> Content:
        actor = record.actor
        who = f"{actor.cognito_user or 'not signed in'} ({actor.role or 'no role'}) as {actor.os_user}@{actor.host}"
        rows: list[tuple[str, str]] = [
            ("when", record.at.strftime("%Y-%m-%d %H:%M:%S UTC")),
            ("who", who),
            ("action", f"{record.action} · {record.outcome}" + (f": {record.detail}" if record.detail else "")),
            ("where", f"{where(record)} · profile {record.profile} ({record.environment})".lstrip(" ·")),
            ("id", f"record {record.id[:8]} · action {record.action_id[:8]}"),
        ]
        if record.inputs:
            rows.append(("inputs", json.dumps(record.inputs, ensure_ascii=False, default=str)))
        if record.confirmation is not None:
            rows.append(("confirmed", repr(record.confirmation)))
        if record.result:
            rows.append(("result", json.dumps(record.result, ensure_ascii=False, default=str)))
        lines = [Content.assemble((f"{label:<10}", "dim"), value) for label, value in rows]
        if record.preview:
            lines.append(Content.assemble(("preview", "dim"), "\n", record.preview))
        return Content("\n").join(lines)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh the audit log", "Read the audit file again", self.action_refresh)
