"""The first screen until sign-in exists: the profile in use and whether its backend answers."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from console.api import ApiUnavailable, HealthReport

POLL_SECONDS = 5.0


class ConnectionScreen(Screen[None]):
    BINDINGS = [Binding("r", "refresh", "Refresh", id="connection.refresh")]

    class Checked(Message):
        def __init__(self, report: HealthReport | None, problem: str | None) -> None:
            super().__init__()
            self.report = report
            self.problem = problem

    def compose(self) -> ComposeResult:
        profile = self.app.profile  # type: ignore[attr-defined]
        yield Header()
        yield Static(
            Content(
                f"Profile      {profile.name}\n"
                f"Environment  {profile.environment}\n"
                f"Terminal     {profile.terminal_id}\n"
                f"API          {profile.api_url}\n"
                f"Region       {profile.region}   user pool {profile.user_pool_id}"
            ),
            id="profile",
        )
        yield Static("API health   checking…", id="health")
        users = DataTable(id="demo-users", cursor_type="row", zebra_stripes=True)
        users.display = bool(self.app.demo_users)  # type: ignore[attr-defined]
        yield users
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#demo-users", DataTable)
        table.border_title = "Demo users"
        table.add_columns("User", "Password", "Role", "Shop", "Sign-in")
        for user in self.app.demo_users:  # type: ignore[attr-defined]
            challenge = {"new_password": "new password", "totp": "MFA code"}.get(user.challenge or "", "")
            table.add_row(user.username, user.password, user.role, user.shop or "all shops", challenge)
        self.action_refresh()

    def action_refresh(self) -> None:
        self._check()

    @work(thread=True, exclusive=True, group="health")
    def _check(self) -> None:
        try:
            self.post_message(self.Checked(self.app.api.health(), None))  # type: ignore[attr-defined]
        except ApiUnavailable as exc:
            self.post_message(self.Checked(None, str(exc)))

    @on(Checked)
    def _show(self, message: Checked) -> None:
        health = self.query_one("#health", Static)
        if message.report:
            h = message.report.health
            health.update(
                Content.from_markup(
                    "API health   [b green]$status[/]  shop-api $version on $database  ($ms ms)",
                    status=h.status,
                    version=h.version,
                    database=h.database,
                    ms=f"{message.report.latency_ms:.0f}",
                )
            )
            health.set_class(False, "-down")
        else:
            health.update(Content.from_markup("API health   [b red]unreachable[/]  $problem", problem=message.problem))
            health.set_class(True, "-down")
        # Re-arm after each result (not a fixed interval) so a slow API never stacks up checks.
        self.set_timer(POLL_SECONDS, self.action_refresh)
