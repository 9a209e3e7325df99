"""The challenges Cognito may put before the tokens: a new password, an authenticator code, authenticator set-up."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from console.auth import DEFAULT_PASSWORD_POLICY, Challenge
from screens.qr import QrCode
from screens.sign_in import Masthead, SignInStep

CODE_DIGITS = 6


class ChallengeStep(SignInStep):
    FIELDS = ("#code",)  # the authenticator steps; the new-password step has two
    BINDINGS = [Binding("escape", "app.start_over", "Cancel", id="challenge.cancel")]

    def __init__(self, challenge: Challenge) -> None:
        super().__init__()
        self.challenge = challenge

    def answer(self, value: str) -> None:
        challenge = self.challenge
        self.attempt(lambda session: session.answer(challenge, value))

    def code_field(self) -> Input:
        return Input(placeholder="6 digits", restrict=r"[0-9]*", max_length=CODE_DIGITS, id="code")

    def submit(self) -> None:
        code = self.query_one("#code", Input).value
        if len(code) != CODE_DIGITS:
            self.say(f"The code has {CODE_DIGITS} digits: type all of them.", "-error")
            return
        self.answer(code)

    def refused(self, message: SignInStep.Refused) -> None:
        for field in self.query(Input):
            field.clear()
        self.query(Input).first().focus()


class NewPasswordScreen(ChallengeStep):
    TITLE = "New password"
    FIELDS = ("#new", "#again")

    def compose(self) -> ComposeResult:
        with Vertical(id="challenge"):
            yield Masthead()
            yield Static("Choose a new password", classes="title")
            yield Static(
                f"{self.challenge.username} signs in for the first time and must choose a password of their own.",
                classes="explain",
            )
            yield Static(self.app.profile.password_policy or DEFAULT_PASSWORD_POLICY, id="policy")
            with Horizontal(classes="field"):
                yield Label("New password")
                yield Input(password=True, id="new")
            with Horizontal(classes="field"):
                yield Label("Once more")
                yield Input(password=True, id="again")
                yield Button("Set password", variant="primary", id="submit")
            yield Static(id="message")
        yield Footer()

    def submit(self) -> None:
        new, again = self.query_one("#new", Input), self.query_one("#again", Input)
        if not new.value:
            self.say("Type the new password twice.", "-error")
            new.focus()
        elif new.value != again.value:
            self.say("The two passwords are not the same. Type it again.", "-error")
            again.clear()
            again.focus()
        else:
            self.answer(new.value)


class TotpScreen(ChallengeStep):
    TITLE = "Authenticator code"

    def compose(self) -> ComposeResult:
        with Vertical(id="challenge"):
            yield Masthead()
            yield Static("Authenticator code", classes="title")
            yield Static(
                f"Open the authenticator app for {self.challenge.username} and type the {CODE_DIGITS}-digit code.",
                classes="explain",
            )
            with Horizontal(classes="field"):
                yield Label("Code")
                yield self.code_field()
                yield Button("Verify", variant="primary", id="submit")
            yield Static(id="message")
        yield Footer()


def grouped(secret: str) -> str:
    """The key in groups of four, as authenticator apps show it, so it can be typed without losing one's place."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class MfaSetupScreen(ChallengeStep):
    TITLE = "Authenticator set-up"
    BINDINGS = [Binding("f2", "copy_key", "Copy key", id="mfa_setup.copy_key")]

    def compose(self) -> ComposeResult:
        with Horizontal(id="mfa-setup"):
            yield QrCode(self.challenge.otpauth_uri(), id="qr")
            with Vertical(id="challenge"):
                yield Static("Set up an authenticator", classes="title")
                yield Static(
                    f"{self.challenge.username} needs an authenticator app. Scan the code, or type this key:",
                    classes="explain",
                )
                yield Static(grouped(self.challenge.secret or ""), id="secret")
                yield Static("Then type the code the app shows.", classes="explain")
                with Horizontal(classes="field"):
                    yield Label("Code")
                    yield self.code_field()
                    yield Button("Verify", variant="primary", id="submit")
                yield Static(id="message")
        yield Footer()

    def action_copy_key(self) -> None:
        # OSC 52: the terminal puts it on the clipboard, over SSH too.
        self.app.copy_to_clipboard(self.challenge.secret or "")
        self.notify("The key is on the clipboard.", timeout=3)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Copy key", "Copy the authenticator key to the clipboard", self.action_copy_key)


def screen_for(challenge: Challenge) -> ChallengeStep:
    screens = {"new_password": NewPasswordScreen, "totp": TotpScreen, "mfa_setup": MfaSetupScreen}
    return screens[challenge.kind](challenge)
