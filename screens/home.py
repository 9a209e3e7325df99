"""Home: the places this role may go, each with its key. Nothing the role may not open is offered."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console import navigation
from screens.base import ShellScreen


class HomeScreen(ShellScreen):
    TITLE = "Home"
    # Every destination's key is bound here; check_action hides (and refuses) those the role may not open.
    BINDINGS = [
        *(Binding(d.key, f"open('{d.id}')", d.title, id=f"open.{d.id}") for d in navigation.DESTINATIONS),
        Binding("o", "app.sign_out", "Sign out", id="home.sign_out"),
        Binding("e", "app.sign_out(True)", "Sign out everywhere", show=False, id="home.sign_out_everywhere"),
    ]

    def compose_body(self) -> ComposeResult:
        who = self.app.identity
        yield Static(Content(f"Signed in as {who.username}, {who.role} at {who.shop_name}"), id="greeting")
        yield OptionList(*self._options(), id="destinations")

    def _options(self) -> list[Option]:
        options = []
        for destination in navigation.for_role(self.app.identity.role):
            key = self.app.key_display(f"open.{destination.id}", destination.key)
            line = Content.assemble(
                (f"{key:<4}  ", "bold"),
                f"{destination.title:<12}",
                (destination.description, "dim"),
            )
            options.append(Option(line, id=destination.id))
        return options

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return navigation.allowed(str(parameters[0]), self.app.identity.role)
        return True

    def action_open(self, destination_id: str) -> None:
        self.app.open_destination(destination_id)

    @on(OptionList.OptionSelected, "#destinations")
    def _open_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.open_destination(str(event.option.id))
