"""What the login form and the challenge screens share: a masthead, and one way to run a sign-in step."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from console.auth import Challenge
from console.session import SessionService, SignedIn, SignInError
from screens.base import ConsoleScreen, background
from screens.status_bar import environment_badge

Step = Callable[[SessionService], Challenge | SignedIn]


class Masthead(Horizontal):
    """Which console this is: the product, the profile, its environment and the terminal."""

    def compose(self) -> ComposeResult:
        profile = self.app.profile
        yield Static("Shop Console", id="product")
        yield Static(f"profile {profile.name}", classes="fact")
        yield environment_badge(profile.environment)
        yield Static(f"terminal {profile.terminal_id}", classes="fact")


class SignInStep(ConsoleScreen):
    """One step of signing in: the session call runs in a worker; a refusal is shown in place, in words; an outcome
    (another challenge, or signed in) goes to the app, which decides the next screen."""

    BINDINGS = [
        Binding("enter", "enter", "Next field or submit", show=False, priority=True, id="sign_in.enter"),
        # Letters type into the form here, so quitting needs a key of its own (an F-key: no ctrl chords).
        Binding("f12", "app.quit", "Quit", id="sign_in.quit"),
    ]
    FIELDS: ClassVar[tuple[str, ...]] = ()  # the form's inputs in order: Enter moves on, and submits from the last

    busy: reactive[bool] = reactive(False, bindings=True)

    class Refused(Message):
        def __init__(self, error: SignInError) -> None:
            super().__init__()
            self.text = str(error)
            self.offline_possible = error.offline_possible

    class Passed(Message):
        def __init__(self, outcome: Challenge | SignedIn) -> None:
            super().__init__()
            self.outcome = outcome

    def action_enter(self) -> None:
        # A priority binding moves the focus at once, so keys typed (or pasted, or sent by tmux) right after Enter
        # land in the next field; an Input.Submitted handler would run only after the field had taken them.
        fields = [self.query_one(selector, Input) for selector in self.FIELDS]
        if self.focused not in fields:
            raise SkipAction()  # Enter on a button or the demo table does what it does there
        position = fields.index(self.focused)
        if position + 1 < len(fields):
            self.set_focus(fields[position + 1])
        else:
            # Through the field's own queue: it may still hold keys that came in just before this Enter.
            fields[position].call_later(self.submit)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.submit()

    def submit(self) -> None:
        """Check the form and run its step (each screen says how)."""
        raise NotImplementedError

    def attempt(self, step: Step) -> None:
        if self.busy:
            return  # a second Enter while the first is on its way
        self.busy = True
        self.say("Signing in…", "-busy")
        self._run(step)

    @background("sign-in", "Signing in")
    def _run(self, step: Step) -> None:
        try:
            outcome = step(self.app.session_service())
        except SignInError as exc:
            self.post_message(self.Refused(exc))
        else:
            self.post_message(self.Passed(outcome))

    def watch_busy(self, busy: bool) -> None:
        for button in self.query(Button):
            button.disabled = busy

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.busy = False
        self.say(message.text, "-error")
        self.refused(message)

    @on(Passed)
    def _passed(self, message: Passed) -> None:
        self.busy = False
        self.app.advance(message.outcome)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "sign-in" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.busy = False
            self.say("")

    def say(self, text: str, kind: str = "") -> None:
        """The one line under the form: progress, or why it was refused."""
        line = self.query_one("#message", Static)
        line.update(Content(text))  # literal text: a server's message never becomes markup
        line.set_classes(kind)

    def refused(self, message: Refused) -> None:
        """What else the screen does on a refusal (clear a field, offer offline unlock)."""
