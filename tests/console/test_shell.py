"""The frame around every screen: binding ids, themes, help, the palette, and the authenticator set-up."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.widgets import DataTable, OptionList, Static

from console.app import ShopConsoleApp, create_app
from console.config import Profile
from screens import themes
from screens.challenges import MfaSetupScreen, NewPasswordScreen, TotpScreen
from screens.error_dialog import ErrorDialog
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.login import LoginScreen
from screens.terminal import TerminalScreen
from tests.console.conftest import fresh_totp, frozen_clock, message, offline_profile, settle, sign_in, until

OUR_CLASSES = [
    ShopConsoleApp,
    LoginScreen,
    NewPasswordScreen,
    TotpScreen,
    MfaSetupScreen,
    HomeScreen,
    TerminalScreen,
    HelpScreen,
    ErrorDialog,
]


def test_every_binding_has_an_id_so_the_keymap_can_change_it() -> None:
    for cls in OUR_CLASSES:
        for klass in cls.__mro__:
            for binding in klass.__dict__.get("BINDINGS", []):
                if klass.__module__.startswith(("console", "screens")):
                    assert isinstance(binding, Binding) and binding.id, f"{klass.__name__}: {binding}"


def test_no_ctrl_chords_of_our_own() -> None:
    keys = [b.key for cls in OUR_CLASSES for b in cls.__dict__.get("BINDINGS", [])]
    assert not [key for key in keys if "ctrl" in key]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, themes.DEFAULT),
        ({"TEXTUAL_COLOR_SYSTEM": "standard"}, themes.SIXTEEN_COLOURS),
        ({"NO_COLOR": "1"}, themes.SIXTEEN_COLOURS),
    ],
)
async def test_the_starting_theme_follows_the_terminal(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: str
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    app = create_app(offline_profile(), keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == expected


async def test_the_palette_switches_to_high_contrast_by_keyboard() -> None:
    app = create_app(offline_profile(), keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"high contrast")
        await until(
            pilot, lambda: bool(app.screen.query(OptionList)) and app.screen.query_one(OptionList).option_count > 0
        )
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == themes.HIGH_CONTRAST)


async def test_palette_commands_depend_on_the_screen() -> None:
    app = create_app(offline_profile(), keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.palette_commands(app.screen)]
        assert titles[:2] == ["Sign in", "Clear"]
        assert "Unlock offline" not in titles and "Sign out" not in titles  # not offered, not signed in
        assert not [t for t in titles if t.startswith("Open ")]


async def test_help_lists_the_screens_keys_as_the_keymap_has_them() -> None:
    app = create_app(offline_profile(), keys={"login.clear": "f3"}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#username").blur()  # `?` types into a field; elsewhere it opens help
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#keys", DataTable)
        rows = {table.get_row_at(i)[2]: table.get_row_at(i)[0] for i in range(table.row_count)}
        assert rows["login.clear"] == "f3" and rows["app.help"] == "?"
        assert "login.unlock_offline" not in rows  # not offered yet, so not listed
        await pilot.press("escape")
        assert isinstance(app.screen, LoginScreen)


async def test_authenticator_setup_shows_the_key_copies_it_and_verifies_a_code(
    mfa_required_pool: tuple[Profile, str, str],
) -> None:
    profile, username, password = mfa_required_pool
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, username, password)
        assert isinstance(app.screen, MfaSetupScreen)
        secret = app.screen.challenge.secret
        assert secret and str(app.screen.query_one("#secret", Static).render()).replace(" ", "") == secret
        assert app.screen.query_one("#qr", Static).size.height <= 23
        await pilot.press("f2")
        assert app.clipboard == secret  # sent to the terminal as OSC 52
        await pilot.press(*"000000", "enter")
        await until(pilot, lambda: message(app).startswith("That code is not right."))
        await pilot.press(*(await fresh_totp(secret)), "enter")
        # The code is verified and Cognito hands out tokens; this test pool's users are no shop's staff,
        # so shop-api refuses them, and the console says so in words.
        await until(pilot, lambda: message(app).startswith("The shop server refused the sign-in"))
