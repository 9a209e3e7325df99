"""Terminal: this console's profile, connection and session, for the person at it and for support on the phone."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from console import paths
from screens.base import ShellScreen


class TerminalScreen(ShellScreen):
    TITLE = "Terminal"
    BINDINGS = [Binding("escape", "app.home", "Home", id="terminal.home")]

    def compose_body(self) -> ComposeResult:
        yield Static(id="facts")

    def on_mount(self) -> None:
        self.watch(self.app, "api_status", lambda _status: self._show())
        self.watch(self.app, "signed_in", lambda _signed_in: self._show())

    def _show(self) -> None:
        app, profile = self.app, self.app.profile
        signed_in = app.signed_in
        if signed_in is None:
            return
        who = signed_in.identity
        if signed_in.tokens is None:
            session = "offline unlock: reads from this terminal, sales wait to sync"
        else:
            session = f"online, access until {signed_in.tokens.expires_at.astimezone():%H:%M}, renewed before then"
        store = app.session.store.kind if app.session else "—"
        rows = [
            ("Profile", f"{profile.name} ({profile.environment})"),
            ("Terminal", profile.terminal_id),
            ("API", f"{profile.api_url}  {app.api_status.text}"),
            ("Sign-in", f"Cognito {profile.region} {profile.user_pool_id}"),
            ("User", f"{who.username} ({who.role}) at {who.shop_name}"),
            ("Session", session),
            ("Token store", f"{store}; offline unlock for {profile.offline_max_hours} h after an online sign-in"),
            ("Log", str(paths.log_file())),
        ]
        self.query_one("#facts", Static).update(Content("\n".join(f"{name:<12} {value}" for name, value in rows)))
