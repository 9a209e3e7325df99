"""Health (admin, support): the operations guide's CloudWatch dashboard in a terminal.

Business metrics (active shops, active users, transactions per hour) and infrastructure health (ECS CPU and memory,
ALB target response time, RDS connections), each as a sparkline of the last 3 hours with its latest value; shop-api's
own live figures (admin only: support sees why not); the alarms with their state, firing ones first. The dashboard
comes from console.ops.dashboard in a worker, on `r` and every 60 s (not while a dialog is in front); the summary
says how old it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial
from typing import ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Sparkline, Static

from console.ops.checks import format_duration
from console.ops.dashboard import REFRESH, Alarm, Dashboard, Panel, collect_dashboard, dashboard_metrics
from screens.refreshing import RefreshingScreen

DashboardSource = Callable[[], Dashboard]
ALARM_STYLE = {"ALARM": "$error bold", "INSUFFICIENT_DATA": "$warning", "OK": "$success"}


class MetricRow(Horizontal):
    """A metric's title, its sparkline and its latest value; the reason in place of both when it is unknown."""

    def __init__(self, key: str, title: str) -> None:
        super().__init__(id=f"metric-{key}", classes="metric")
        self.title = title

    def compose(self) -> ComposeResult:
        yield Static(Content(self.title), classes="metric-title")
        yield Sparkline(classes="metric-spark")
        yield Static(classes="metric-latest")
        yield Static(classes="metric-error")

    def on_mount(self) -> None:
        self.query_one(".metric-error", Static).display = False

    def show(self, panel: Panel) -> None:
        spark = self.query_one(Sparkline)
        latest = self.query_one(".metric-latest", Static)
        error = self.query_one(".metric-error", Static)
        spark.data = [p.value for p in panel.series]
        spark.display = latest.display = panel.error is None
        error.display = panel.error is not None
        latest.update(Content.styled(panel.latest_text, "bold"))
        error.update(Content.styled(panel.latest_text, "$warning"))


class HealthScreen(RefreshingScreen[Dashboard]):
    TITLE = "Health"
    READING = ("health", "Reading the health dashboard")
    BINDINGS: ClassVar = [
        Binding("r", "refresh", "Refresh", id="health.refresh"),
        Binding("escape", "app.home", "Home", id="health.home"),
    ]

    def __init__(self, collect: DashboardSource | None = None) -> None:
        """`collect` reads the dashboard (blocking); by default from the profile's AWS and the signed-in shop-api."""
        super().__init__()
        self._collect = collect

    def compose_body(self) -> ComposeResult:
        business, infrastructure = dashboard_metrics(self.app.profile.environment)
        yield Static(id="health-summary")
        with VerticalScroll(id="health-body"):
            yield Static(Content.styled("Business metrics (sum per 5 min, last 3 h)", "bold"), classes="heading")
            for spec in business:
                yield MetricRow(spec.key, spec.title)
            yield Static(id="health-live")
            yield Static(Content.styled("Infrastructure health (average per 5 min)", "bold"), classes="heading")
            for spec in infrastructure:
                yield MetricRow(spec.key, spec.title)
            yield Static(Content.styled("Alarms", "bold"), classes="heading")
            yield Static(id="health-alarms")

    def on_mount(self) -> None:
        self._show_summary()
        self.set_interval(1, self._show_summary)
        self.action_refresh()
        self.query_one("#health-body").focus()

    # --- reading it -----------------------------------------------------------------------------------------

    def refresh_seconds(self) -> float:
        return REFRESH.total_seconds()

    def collect(self) -> Dashboard:
        app = self.app
        collect = self._collect or partial(
            collect_dashboard, app.profile, api=app.session.api if app.session else None, clock=app.clock
        )
        return collect()

    # --- showing it -----------------------------------------------------------------------------------------

    def _show_summary(self) -> None:
        board = self.report
        summary = self.query_one("#health-summary", Static)
        if board is None:
            summary.update(Content("Health: reading CloudWatch and shop-api…"))
            return
        firing = len(board.alarms_firing)
        alarms = (
            Content.styled(f"{firing} alarm{'s' if firing != 1 else ''} firing", "$error bold")
            if firing
            else Content.styled("no alarm firing", "$success")
        )
        age = "refreshing…" if self.collecting else board.collected_text(self.app.clock())
        summary.update(Content.assemble(("Health", "bold"), f" · {board.environment} · ", alarms, f" · {age}"))

    def show_report(self, board: Dashboard) -> None:
        self._show_summary()
        for panel in (*board.business, *board.infrastructure):
            self.query_one(f"#metric-{panel.spec.key}", MetricRow).show(panel)
        live = self.query_one("#health-live", Static)
        if board.live is not None:
            figures = board.live
            live.update(
                Content.assemble(
                    ("shop-api now  ", "dim"),
                    f"{figures.active_shops} active shops · {figures.active_users} active users · "
                    f"{figures.transactions_last_hour} transactions last hour",
                )
            )
        else:
            live.update(Content.assemble(("shop-api now  ", "dim"), (f"unknown: {board.live_error}", "$warning")))
        self.query_one("#health-alarms", Static).update(self._alarms(board))

    def _alarms(self, board: Dashboard) -> Content:
        if board.alarms_error:
            return Content.styled(f"unknown: {board.alarms_error}", "$warning")
        if not board.alarms:
            return Content.styled("no alarms defined", "$warning")
        return Content("\n").join(self._alarm(alarm, board.collected_at) for alarm in board.alarms)

    @staticmethod
    def _alarm(alarm: Alarm, now: dt.datetime) -> Content:
        since = f" · for {format_duration(now - alarm.updated)}" if alarm.updated else ""
        return Content.assemble(
            Content.styled(f"{alarm.state:<9}", ALARM_STYLE.get(alarm.state, "$warning")),
            (alarm.name, "bold"),
            (f"  {alarm.description or alarm.metric}{since}", "dim"),
        )

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh the dashboard", "Read CloudWatch and shop-api again", self.action_refresh)
