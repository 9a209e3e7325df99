"""Maintenance (admin, support): the guide's weekly tasks (the maintenance runbooks), when each last ran and by whom
(the audit log), and which is overdue against its cadence.

`c` runs the highlighted task's checks now (read only; recorded in the audit log, so the task counts as run) and
shows each figure against its target. Enter opens the task as a runbook (screens.runbooks), where its actions
(ANALYZE, VACUUM, deleting old log streams) run as every runbook action does, with their preview and confirmation
(or `shop-console runbooks run NAME --write`); back here, the list is read again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from console.ops.audit import Actor, AuditLog
from console.ops.aws import AwsClients
from console.ops.checks import Verdict, format_duration, format_time
from console.ops.maintenance import TaskStatus, task_statuses
from console.ops.runbooks.actions import Env
from console.ops.runbooks.checks import CheckOutcome
from console.ops.runbooks.engine import RunbookRun
from console.ops.runbooks.loader import load_all
from console.ops.runbooks.model import CHECK_STEPS, Runbook
from screens.base import ShellScreen, background
from screens.data_table import DataTable
from screens.deployments import theme_text
from screens.runbooks import RunbookScreen

VERDICT_COLOR = {Verdict.OK: "success", Verdict.WARN: "warning", Verdict.FAIL: "error"}
LABEL_STYLE = {"PASS": "$success", "FAIL": "$error bold", "UNKNOWN": "$warning bold"}


class MaintenanceScreen(ShellScreen):
    TITLE = "Maintenance"
    BINDINGS: ClassVar = [
        Binding("r", "refresh", "Refresh", id="maintenance.refresh"),
        Binding("c", "run_checks", "Run its checks", id="maintenance.checks"),
        Binding("o", "open_runbook", "Open as runbook", id="maintenance.open"),
        Binding("escape", "app.home", "Home", id="maintenance.home"),
    ]

    class Loaded(Message):
        def __init__(self, runbooks: list[Runbook], statuses: list[TaskStatus]) -> None:
            super().__init__()
            self.runbooks = runbooks
            self.statuses = statuses

    class Checked(Message):
        def __init__(self, name: str, outcomes: list[CheckOutcome]) -> None:
            super().__init__()
            self.name = name
            self.outcomes = outcomes

    def __init__(self) -> None:
        super().__init__()
        self.runbooks: dict[str, Runbook] = {}
        self.statuses: list[TaskStatus] = []
        self.outcomes: dict[str, list[CheckOutcome]] = {}
        self.checking: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Maintenance: reading the audit log…", id="maintenance-summary")
        yield DataTable(id="maintenance-table", cursor_type="row")
        yield Static(id="maintenance-detail")

    def on_mount(self) -> None:
        table = self.query_one("#maintenance-table", DataTable)
        # Fixed widths: the table fits 80 columns whatever the rows hold, and its header never lags its rows.
        for label, width in (("Task", 27), ("Every", 5), ("Last run", 11), ("By", 10), ("Due", 15)):
            table.add_column(label, width=width)
        self.action_refresh()
        self.query_one("#maintenance-table", DataTable).focus()

    def action_refresh(self) -> None:
        self._load()

    @background("maintenance", "Reading the maintenance tasks")
    def _load(self) -> None:
        runbooks, _problems = load_all()
        audit = AuditLog(clock=self.app.clock)
        statuses = task_statuses(runbooks, audit, self.app.profile.name, self.app.clock())
        self.post_message(self.Loaded(runbooks, statuses))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.runbooks = {r.name: r for r in message.runbooks}
        self.statuses = message.statuses
        table = self.query_one("#maintenance-table", DataTable)
        row = table.cursor_row
        table.clear()
        for status in message.statuses:
            table.add_row(*self._row(status), key=status.name)
        if message.statuses:
            table.move_cursor(row=min(row, len(message.statuses) - 1))
        late = sum(s.verdict is not Verdict.OK for s in message.statuses)
        summary = (
            Content.styled(f"{late} of {len(message.statuses)} tasks overdue or never run", "$warning bold")
            if late
            else Content.styled(f"all {len(message.statuses)} tasks within their cadence", "$success")
        )
        self.query_one("#maintenance-summary", Static).update(
            Content.assemble(("Weekly maintenance ", "bold"), summary, (f" · {format_time(self.app.clock())}", "dim"))
        )
        self._show_detail()

    def _row(self, status: TaskStatus) -> tuple[str | Text, ...]:
        last = status.last
        return (
            status.title,
            "—" if status.cadence is None else format_duration(status.cadence),
            "never" if last is None else f"{last.at:%m-%d %H:%M}",
            "" if last is None else last.by,
            theme_text(self.app, status.due, VERDICT_COLOR[status.verdict], bold=status.verdict is not Verdict.OK),
        )

    @on(DataTable.RowHighlighted, "#maintenance-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def selected(self) -> TaskStatus | None:
        if not self.statuses:
            return None
        return self.statuses[min(self.query_one("#maintenance-table", DataTable).cursor_row, len(self.statuses) - 1)]

    def _show_detail(self) -> None:
        status = self.selected()
        if status is None:
            return
        runbook = self.runbooks[status.name]
        lines = [
            Content.assemble((runbook.title, "bold"), (f" · {runbook.name} {runbook.version}", "dim")),
            Content.styled(runbook.source.removeprefix("Operations guide \u203a "), "dim"),
        ]
        outcomes = {o.step_id: o for o in self.outcomes.get(status.name, [])}
        for step in runbook.steps:
            outcome = outcomes.get(step.id)
            if outcome is not None:
                lines.append(
                    Content.assemble(
                        Content.styled(f"{outcome.label:<8}", LABEL_STYLE.get(outcome.label, "")),
                        f"{step.title}: {outcome.actual_text} ({outcome.target_text})",
                    )
                )
            else:
                kind = "check" if isinstance(step, CHECK_STEPS) else step.kind
                lines.append(Content.assemble((f"{kind:<8}", "dim"), step.title))
        if self.checking == status.name:
            lines.append(Content.styled("running its checks…", "dim"))
        elif any(step.kind == "action" for step in runbook.steps):
            lines.append(Content.styled(f"actions: Enter opens it as a runbook ({runbook.name})", "dim"))
        self.query_one("#maintenance-detail", Static).update(Content("\n").join(lines))

    @on(DataTable.RowSelected, "#maintenance-table")
    def _selected(self) -> None:
        self.action_open_runbook()

    def action_open_runbook(self) -> None:
        status = self.selected()
        if status is not None:
            self.app.push_screen(RunbookScreen(self.runbooks[status.name], None))

    def on_screen_resume(self) -> None:
        self.action_refresh()  # a run in the runbook screen is in the audit log now

    def action_run_checks(self) -> None:
        status = self.selected()
        if status is None or self.checking is not None:
            return
        self.checking = status.name
        self._show_detail()
        self._check(self.runbooks[status.name])

    @background("maintenance-checks", "Running the task's checks")
    def _check(self, runbook: Runbook) -> None:
        app = self.app
        signed_in = app.signed_in
        who = signed_in.identity if signed_in else None
        actor = Actor.current(who.username if who else None, who.role if who else None)
        api: Any = app.session.api if app.session is not None else None
        env = Env(app.profile, actor, AwsClients(app.profile), AuditLog(clock=app.clock), api=api, clock=app.clock)
        run = RunbookRun(runbook, env, {})
        outcomes = []
        while (state := run.next_step()) is not None and isinstance(state.step, CHECK_STEPS):
            outcomes.append(run.run_check())
        self.post_message(self.Checked(runbook.name, outcomes))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        self.checking = None
        self.outcomes[message.name] = message.outcomes
        self.action_refresh()  # the run is in the audit log now
