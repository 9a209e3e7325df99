"""Deployments (admin, support): the ECS services of the cluster, their deployments and events, and where they drift
from the guide's settings for the profile's environment.

On top, one line with the cluster and the environment held to, then each drift in amber with the expected and
actual value. Below, a table of the services (tasks running / wanted / pending, task definition, CPU and memory,
autoscaling) and, for the highlighted one, its deployments with their state and age and its latest events. The
report comes from console.ops.deployments in a worker, on `r` and every minute (not while a dialog is open).

An admin may force a new deployment (`n`) or scale the highlighted service by one task (`+`, `-`): both are
actions of the runbook registry, with their preview and (only in a console started with --write) their
confirmation; they run in a worker, verified and audited, and their progress shows above the table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, ClassVar

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from common.display import printable
from console.ops.audit import Actor, AuditLog
from console.ops.aws import AwsClients
from console.ops.backup_facts import Unknown
from console.ops.checks import format_duration, format_time
from console.ops.deployments import DeploymentsReport, Service, collect_deployments, deployment_line, scaling_text
from console.ops.runbooks.actions import Env, Outcome, Preview, blocked_preview, run_action
from console.ops.runbooks.registry import ACTIONS
from console.ops.write_mode import ACTION_ROLE, refusal
from screens.action_dialog import ActionDialog
from screens.base import background
from screens.data_table import DataTable
from screens.refreshing import RefreshingScreen, verify_wait

AUTO_REFRESH_SECONDS = 60.0
OUTCOME_STYLE = {"verified": "$success", "unverified": "$warning", "cancelled": "$text-muted", "refused": "$warning"}
ACTION_KEYS = ("force_deployment", "scale")

ReportSource = Callable[[], DeploymentsReport]


def theme_text(app: App[object], text: str, color: str = "", bold: bool = False) -> Text:
    """A DataTable cell in a theme colour ("error", "warning", "success"): Rich Text, which a DataTable measures
    for its column widths (a styled Content cell is cut to its column's header). The text is AWS's or a log's,
    so it is drawn inert."""
    value = getattr(app.current_theme, color, None) if color else None
    return Text(printable(text), style=" ".join(part for part in ("bold" if bold else "", value or "") if part))


class DeploymentsScreen(RefreshingScreen[DeploymentsReport]):
    TITLE = "Deployments"
    READING = ("deployments", "Reading the ECS services")
    BINDINGS: ClassVar = [
        Binding("r", "refresh", "Refresh", id="deployments.refresh"),
        Binding("n", "force_deployment", "New deployment", id="deployments.force"),
        Binding("plus", "scale(1)", "Scale out", key_display="+", id="deployments.scale_out"),
        Binding("minus", "scale(-1)", "Scale in", key_display="-", id="deployments.scale_in"),
        Binding("escape", "app.home", "Home", id="deployments.home"),
    ]

    class PreviewReady(Message):
        def __init__(self, title: str, preview: Preview) -> None:
            super().__init__()
            self.title = title
            self.preview = preview

    class ActionProgress(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class ActionDone(Message):
        def __init__(self, title: str, outcome: Outcome) -> None:
            super().__init__()
            self.title = title
            self.outcome = outcome

    def __init__(self, collect: ReportSource | None = None) -> None:
        """`collect` reads the report (blocking); by default from the profile's AWS."""
        super().__init__()
        self._collect = collect
        self._acting: str | None = None  # the running action's title

    def compose_body(self) -> ComposeResult:
        yield Static(id="deployments-summary")
        yield Static(id="deployments-drift")
        yield Static(id="deployments-action")
        yield DataTable(id="services-table", cursor_type="row")
        yield Static(id="service-detail")

    def on_mount(self) -> None:
        self.query_one("#services-table", DataTable).add_columns(
            "Service", "Run/want/pend", "Rev", "CPU/MiB", "Autoscaling"
        )
        self.query_one("#deployments-action", Static).display = False
        self.query_one("#deployments-drift", Static).display = False
        self._show_summary()
        self.action_refresh()
        self.query_one("#services-table", DataTable).focus()

    # --- reading --------------------------------------------------------------------------------------------

    def refresh_seconds(self) -> float:
        return AUTO_REFRESH_SECONDS

    def collect(self) -> DeploymentsReport:
        collect = self._collect or partial(collect_deployments, self.app.profile, clock=self.app.clock)
        return collect()

    # --- showing --------------------------------------------------------------------------------------------

    def _show_summary(self) -> None:
        report = self.report
        summary = self.query_one("#deployments-summary", Static)
        if report is None:
            summary.update(Content("Deployments: reading the ECS services…"))
            return
        state = "refreshing…" if self.collecting else f"read {format_time(report.collected_at)}"
        drift = (
            Content.styled(f"{len(report.drifts)} drift from {report.expected}", "$warning bold")
            if report.drifts
            else Content.styled(f"as the guide's {report.expected}", "$success")
        )
        summary.update(Content.assemble((report.cluster, "bold"), " · ", drift, " · ", (state, "dim")))

    def show_report(self, report: DeploymentsReport) -> None:
        self._show_summary()
        drift = self.query_one("#deployments-drift", Static)
        lines = [Content.styled(f"DRIFT {d.short()}", "$warning") for d in report.drifts]
        if isinstance(report.database, Unknown):
            lines.append(Content.styled(f"database: unknown: {report.database.reason}", "$warning"))
        drift.update(Content("\n").join(lines))
        drift.display = bool(lines)
        table = self.query_one("#services-table", DataTable)
        row = table.cursor_row
        table.clear()
        if isinstance(report.services, Unknown):
            self.query_one("#service-detail", Static).update(
                Content.styled(f"Services: unknown: {report.services.reason}", "$warning bold")
            )
            return
        for service in report.services:
            table.add_row(*self._row(service), key=service.name)
        if report.services:
            table.move_cursor(row=min(row, len(report.services) - 1))
        self._show_detail()

    def _row(self, service: Service) -> tuple[str | Text, ...]:
        tasks = f"{service.running}/{service.desired}/{service.pending}"
        return (
            service.name,
            tasks if service.steady else theme_text(self.app, tasks, "warning", bold=True),
            service.task_definition.rpartition(":")[2],
            f"{service.cpu}/{service.memory}",
            scaling_text(service.scaling, brief=True),
        )

    @on(DataTable.RowHighlighted, "#services-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def selected(self) -> Service | None:
        report = self.report
        if report is None or isinstance(report.services, Unknown) or not report.services:
            return None
        return report.services[min(self.query_one("#services-table", DataTable).cursor_row, len(report.services) - 1)]

    def _show_detail(self) -> None:
        service, report = self.selected(), self.report
        if service is None or report is None:
            return
        now = report.collected_at
        lines: list[Content] = [
            Content.assemble(
                (service.name, "bold"),
                f" · {service.task_definition} · {service.launch_type} · autoscaling {scaling_text(service.scaling)}",
            )
        ]
        for deployment in service.deployments:
            style = {"FAILED": "$error bold", "IN_PROGRESS": "$warning"}.get(deployment.rollout_state, "")
            lines.append(Content.styled(deployment_line(deployment, now), style))
        lines.append(Content.styled("latest events", "bold"))
        lines += [
            Content.assemble((f"{format_duration(now - e.at)} ago ", "dim"), e.message) for e in service.events
        ] or [Content.styled("no service events", "dim")]
        self.query_one("#service-detail", Static).update(Content("\n").join(lines))

    # --- actions --------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTION_KEYS:
            signed_in = self.app.signed_in
            return signed_in is not None and signed_in.identity.role == ACTION_ROLE  # support never sees them
        return True

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh deployments", "Read the ECS services again", self.action_refresh)
        if self.check_action("force_deployment", ()):
            yield SystemCommand(
                "Force a new deployment",
                "Replace the highlighted service's tasks (runs with --write)",
                self.action_force_deployment,
            )

    def _env(self) -> Env:
        signed_in = self.app.signed_in
        if signed_in is None:
            actor, offline = Actor.current(None, None), True
        else:
            actor, offline = Actor.current(signed_in.identity.username, signed_in.identity.role), signed_in.offline
        app = self.app
        return Env(
            app.profile,
            actor,
            AwsClients(app.profile),
            AuditLog(clock=app.clock),
            write_mode=app.write_mode,
            offline=offline,
            clock=app.clock,
        )

    def action_force_deployment(self) -> None:
        service = self.selected()
        if service is not None:
            params = {"cluster": self._cluster(), "service": service.name}
            self._prepare(f"Force a new deployment of {service.name}", "ecs.force_new_deployment", params)

    def action_scale(self, step: int) -> None:
        service = self.selected()
        if service is None:
            return
        wanted = service.desired + step
        if wanted < 1:
            text = f"{service.name} runs {service.desired} task: it cannot scale in further."
            self.notify(printable(text), timeout=4, markup=False)  # AWS's names: no markup, no escapes
            return
        title = f"Scale {service.name} to {wanted} tasks"
        self._prepare(
            title, "ecs.scale_service", {"cluster": self._cluster(), "service": service.name, "desired_count": wanted}
        )

    def _cluster(self) -> str:
        assert self.report is not None
        return self.report.cluster

    def _prepare(self, title: str, name: str, params: dict[str, Any]) -> None:
        if self._acting is not None:
            self.notify(f"{self._acting}: still running.", timeout=4)
            return
        self._preview(title, name, params)

    @background("deployments-preview", "Preparing the action's preview")
    def _preview(self, title: str, name: str, params: dict[str, Any]) -> None:
        action = ACTIONS[name]
        try:
            preview = action.preview(action.params.model_validate(params), self._env(), {})
        except ValidationError as exc:  # e.g. more tasks than the guide's maximum
            preview = blocked_preview(action, params, exc.errors()[0]["msg"])
        self.post_message(self.PreviewReady(title, preview))

    @on(PreviewReady)
    def _preview_ready(self, message: PreviewReady) -> None:
        env = self._env()
        refused = refusal(env.actor.role, env.write_mode, env.offline)
        dialog = ActionDialog(message.title, message.preview, refused)
        if refused is None:
            self.app.push_screen(dialog, partial(self._confirmed, message.title, message.preview))
        else:
            self.app.push_screen(dialog)  # read-only: nothing to run, nothing to record

    def _confirmed(self, title: str, preview: Preview, confirmation: str | None) -> None:
        if confirmation is not None:
            self._acting = title
            self._show_progress(f"{title}: calling {ACTIONS[preview.action].operation}")
        self._run(title, preview, confirmation or "n")  # a cancel is recorded in the audit log too

    @background("deployments-action", "Running the action")
    def _run(self, title: str, preview: Preview, confirmation: str) -> None:
        wait = verify_wait(
            lambda n: self.post_message(self.ActionProgress(f"{title}: accepted; verifying (check {n})"))
        )
        env = dataclasses.replace(self._env(), sleep=wait)
        outcome = run_action(
            ACTIONS[preview.action], preview, env=env, confirmation=confirmation, context={"screen": "deployments"}
        )
        self.post_message(self.ActionDone(title, outcome))

    @on(ActionProgress)
    def _progress(self, message: ActionProgress) -> None:
        self._show_progress(message.text)

    def _show_progress(self, text: str) -> None:
        line = self.query_one("#deployments-action", Static)
        line.update(Content.assemble(("Action ", "bold"), text))
        line.display = True

    @on(ActionDone)
    def _done(self, message: ActionDone) -> None:
        outcome = message.outcome
        self._acting = None
        if outcome.status == "cancelled":
            self.query_one("#deployments-action", Static).display = False
            self.notify(f"{message.title}: cancelled; nothing was changed.", timeout=4)
            return
        style = OUTCOME_STYLE.get(outcome.status, "$error bold")
        self.query_one("#deployments-action", Static).update(
            Content.assemble(
                Content.styled(outcome.status, style),
                printable(f" {message.title}: {outcome.detail}"),
                (f" · audit {outcome.action_id[:8]}", "dim"),
            )
        )
        severity = "information" if outcome.status == "verified" else "warning"
        self.notify(f"{message.title}: {outcome.status}", severity=severity, timeout=6)
        self.action_refresh()
