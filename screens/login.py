"""The first screen: which console this is, whether its API answers, and the sign-in form."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, Footer, Input, Label, Static

from console.demo import DemoUser
from screens.data_table import DataTable
from screens.sign_in import Masthead, SignInStep

if TYPE_CHECKING:
    from console.app import ApiStatus

CHALLENGE_LABELS = {"new_password": "new password", "totp": "MFA code"}


class LoginScreen(SignInStep):
    TITLE = "Sign in"
    BINDINGS = [
        Binding("escape", "clear", "Clear", id="login.clear"),
        Binding("f2", "unlock_offline", "Unlock offline", id="login.unlock_offline"),
    ]

    FIELDS = ("#username", "#password")

    offline_offered: reactive[bool] = reactive(False, bindings=True)

    def compose(self) -> ComposeResult:
        with Vertical(id="login"):
            yield Masthead()
            yield Static("API      checking…", id="api")
            yield Static(id="store-warning")
            with Horizontal(classes="field"):
                yield Label("Username")
                yield Input(placeholder="your username", id="username")
            with Horizontal(classes="field"):
                yield Label("Password")
                yield Input(placeholder="your password", password=True, id="password")
                yield Button("Sign in", variant="primary", id="submit")
                yield Button("Unlock offline", id="unlock")
            yield Static(id="message")
            if self.app.demo_users:
                yield DataTable(id="demo-users", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        if self.app.demo_users:
            table = self.query_one("#demo-users", DataTable)
            table.border_title = "Demo users (Enter fills the form)"
            table.add_columns("User", "Password", "Role", "Shop", "Challenge")
            for user in self.app.demo_users:
                challenge = CHALLENGE_LABELS.get(user.challenge or "", "")
                table.add_row(user.username, user.password, user.role, user.shop or "all", challenge, key=user.username)
        self.watch(self.app, "api_status", self._show_api)
        self.watch(self.app, "store_warning", self._show_store_warning)
        self.query_one("#username", Input).focus()

    def _show_api(self, status: ApiStatus) -> None:
        api = self.query_one("#api", Static)
        api.update(Content(f"API      {status.text}"))
        api.set_class(status.reachable is False, "-down")

    def _show_store_warning(self, warning: str | None) -> None:
        line = self.query_one("#store-warning", Static)
        line.update(warning or "")
        line.display = bool(warning)

    def watch_offline_offered(self, offered: bool) -> None:
        self.query_one("#unlock", Button).display = offered

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unlock_offline":
            return self.offline_offered
        return True

    # --- the form -------------------------------------------------------------------------------------------

    @property
    def _username(self) -> str:
        return self.query_one("#username", Input).value

    @property
    def _password(self) -> str:
        return self.query_one("#password", Input).value

    def submit(self) -> None:
        username, password = self._username, self._password
        self.attempt(lambda session: session.sign_in(username, password))

    @on(Button.Pressed, "#unlock")
    def action_unlock_offline(self) -> None:
        username, password = self._username, self._password
        self.attempt(lambda session: session.unlock_offline(username, password))

    def action_clear(self) -> None:
        for field in self.query(Input):
            field.clear()
        self.offline_offered = False
        self.say("")
        self.query_one("#username", Input).focus()

    def refused(self, message: SignInStep.Refused) -> None:
        self.offline_offered = message.offline_possible
        if message.offline_possible:  # the network failed it: the API line should say so now; the password stays
            self.app.check_health()
        else:  # type it again
            self.query_one("#password", Input).clear()
            self.query_one("#password" if self._username else "#username", Input).focus()

    @on(DataTable.RowSelected, "#demo-users")
    def _fill_demo_user(self, event: DataTable.RowSelected) -> None:
        self.fill(next(user for user in self.app.demo_users if user.username == event.row_key.value))

    def fill(self, user: DemoUser) -> None:
        self.query_one("#username", Input).value = user.username
        self.query_one("#password", Input).value = user.password
        self.query_one("#password", Input).focus()

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Sign in", "Sign in with the username and password typed", self.submit)
        yield SystemCommand("Clear", "Clear the form", self.action_clear)
        if self.offline_offered:
            yield SystemCommand("Unlock offline", "Sign in without the network", self.action_unlock_offline)
        for user in self.app.demo_users:
            yield SystemCommand(
                f"Demo user {user.username}", f"Fill in {user.role} {user.username}", partial(self.fill, user)
            )
