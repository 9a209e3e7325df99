"""Signing in against the local stack (moto's Cognito with real SRP, and shop-api), by keyboard, through the UI."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pyotp
import pytest
from textual.widgets import OptionList, Static

from console import navigation
from console.api import ApiClient
from console.app import ShopConsoleApp, create_app
from console.auth import AuthError
from console.config import Profile
from console.demo import StackInfo
from console.session import SessionService
from screens.challenges import NewPasswordScreen, TotpScreen
from screens.home import HomeScreen
from screens.login import LoginScreen
from screens.shift_dialogs import CountDialog
from tests.console.conftest import (
    fresh_totp,
    frozen_clock,
    home,
    message,
    settle,
    sign_in,
    stack_profile,
    until,
    user,
)

ROLE_USERS = {
    "cashier": "corner-cashier",
    "manager": "corner-manager",
    "support": "corner-support",
    "admin": "ops-admin",
}


def app_for(stack: StackInfo) -> ShopConsoleApp:
    return create_app(stack_profile(stack), stack.users, keys={}, clock=frozen_clock)


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
async def test_each_role_lands_on_a_home_offering_exactly_its_destinations(stack: StackInfo, role: str) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        demo = user(stack, ROLE_USERS[role])
        await sign_in(pilot, demo.username, demo.password)
        if role == "cashier":  # a till with no shift open asks for the float first
            assert isinstance(app.screen, CountDialog)
            await home(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.identity.role == role and app.online
        offered = [option.id for option in app.screen.query_one("#destinations", OptionList).options]
        assert offered == [d.id for d in navigation.for_role(role)]
        keys = {active.binding.id for active in app.screen.active_bindings.values()}
        assert {f"open.{d.id}" for d in navigation.for_role(role)} <= keys
        forbidden = [d for d in navigation.DESTINATIONS if role not in d.roles]
        assert not {f"open.{d.id}" for d in forbidden} & keys
        palette = [command.title for command in app.palette_commands(app.screen)]
        assert [t for t in palette if t.startswith("Open ")] == [f"Open {d.title}" for d in navigation.for_role(role)]
        for destination in forbidden:  # its key does nothing, and asking by name is refused
            await pilot.press(destination.key)
            assert isinstance(app.screen, HomeScreen)
        who = str(app.screen.query_one("#who", Static).render())
        assert who == f"{demo.username} · {role} · T1 · {demo.shop}"


async def test_a_destination_opens_from_its_key_and_escape_goes_home(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        cashier = user(stack, "corner-cashier")
        await sign_in(pilot, cashier.username, cashier.password)
        await home(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert type(app.screen).__name__ == "TerminalScreen"
        assert "corner-cashier (cashier) at Corner Grocer" in str(app.screen.query_one("#facts", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_wrong_password_and_unknown_user_get_the_same_words(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "corner-cashier", "Not-The-Password-1!")
        wrong_password = message(app)
        await sign_in(pilot, "nobody-here", "Not-The-Password-1!")
        unknown_user = message(app)
        assert isinstance(app.screen, LoginScreen)
        assert wrong_password == unknown_user == "Wrong username or password."
        assert not app.screen.query_one("#unlock").display  # the network is fine: no offline unlock


async def test_new_hire_sets_a_password_and_signs_in_by_keyboard_alone(stack: StackInfo, new_hire: Any) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        hire = user(stack, new_hire.username)
        await sign_in(pilot, hire.username, hire.password, typed=True)
        assert isinstance(app.screen, NewPasswordScreen)
        await pilot.press(*"Fresh-Start-2026!", "enter", *"Fresh-Start-2O26!", "enter")
        await until(pilot, lambda: message(app) == "The two passwords are not the same. Type it again.")
        assert app.focused is app.screen.query_one("#again")
        await pilot.press("shift+tab", "ctrl+u", *"short", "tab", *"short", "enter")
        await until(pilot, lambda: message(app).startswith("That password is not allowed."))  # the pool's policy
        assert app.focused is app.screen.query_one("#new")
        await pilot.press(*"Fresh-Start-2026!", "enter", *"Fresh-Start-2026!", "enter")
        await until(pilot, lambda: isinstance(app.screen, CountDialog))  # a cashier: the till's float first
        await home(pilot)
        assert app.identity.username == "corner-new-hire"


async def test_mfa_user_is_refused_with_a_wrong_code_and_signs_in_with_the_right_one(stack: StackInfo) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        mfa = user(stack, "harbor-mfa-manager")
        assert mfa.totp_secret
        await sign_in(pilot, mfa.username, mfa.password)
        assert isinstance(app.screen, TotpScreen)
        right = pyotp.TOTP(mfa.totp_secret).now()
        wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
        await pilot.press(*wrong, "enter")
        await until(pilot, lambda: message(app) == "That code is not right. Check the authenticator app and try again.")
        assert isinstance(app.screen, TotpScreen)
        await pilot.press(*"123", "enter")
        await until(pilot, lambda: message(app) == "The code has 6 digits: type all of them.")
        await pilot.press("ctrl+u", *(await fresh_totp(mfa.totp_secret)), "enter")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert (app.identity.role, app.identity.shop_name) == ("manager", "Harbor Hardware")


async def test_no_password_or_token_reaches_a_file_or_the_log(
    stack: StackInfo, isolated_dirs: dict[str, Path], log_path: Path
) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        cashier = user(stack, "corner-cashier")
        await sign_in(pilot, cashier.username, cashier.password)
        await home(pilot)
        assert app.signed_in is not None and app.signed_in.tokens is not None
        tokens = app.signed_in.tokens
        await pilot.press("o")
        await until(pilot, lambda: app.session is not None and app.session.current is None)
        await settle(pilot)
    logging.getLogger("tests").info("after sign-out")
    for handler in logging.getLogger().handlers:
        handler.flush()
    # Whole secrets, and a slice of each token's signature (a line cut short or reformatted still gives it away).
    secrets = [cashier.password, *(t for t in (tokens.access_token, tokens.id_token, tokens.refresh_token) if t)]
    needles = [s.encode() for s in secrets] + [t.rsplit(".", 1)[-1][:24].encode() for t in secrets[1:]]
    files = [path for folder in isolated_dirs.values() for path in folder.rglob("*") if path.is_file()]
    assert log_path in files
    leaks = [(path.name, n[:8]) for path in files for n in needles if n in path.read_bytes()]
    assert not leaks
    lines = [json.loads(line) for line in log_path.read_text().splitlines()]
    by_message = {line["message"]: line for line in lines}
    assert (by_message["signed in"]["user"], by_message["signed in"]["role"]) == ("corner-cashier", "cashier")
    assert by_message["signed out"]["user"] == "corner-cashier"
    assert "user" not in by_message["after sign-out"]  # nobody is signed in any more


@pytest.mark.parametrize("everywhere", [False, True], ids=["sign-out", "everywhere"])
async def test_sign_out_returns_to_login_and_revokes_the_session(stack: StackInfo, everywhere: bool) -> None:
    app = app_for(stack)
    async with app.run_test(size=(80, 24)) as pilot:
        manager = user(stack, "corner-manager")
        await sign_in(pilot, manager.username, manager.password)
        assert app.signed_in is not None and app.signed_in.tokens is not None
        refresh_token = app.signed_in.tokens.refresh_token
        assert refresh_token and app.session is not None
        await pilot.press("e" if everywhere else "o")
        await until(pilot, lambda: app.session is not None and app.session.current is None)
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.signed_in is None and app.session.current is None and not app.online
        assert app.session.store.load() is None
        with pytest.raises(AuthError):
            app.session.auth.refresh(refresh_token)


async def test_the_session_is_renewed_before_it_expires(stack: StackInfo) -> None:
    shift = {"by": dt.timedelta(0)}

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC) + shift["by"]

    def session_for(profile: Profile, api: ApiClient) -> tuple[SessionService, str | None]:
        session, warning = SessionService.for_profile(profile, api)
        session.clock = clock
        return session, warning

    app = create_app(stack_profile(stack), keys={}, clock=frozen_clock, session_factory=session_for)
    async with app.run_test(size=(80, 24)) as pilot:
        cashier = user(stack, "corner-cashier")
        await sign_in(pilot, cashier.username, cashier.password)
        await home(pilot)
        assert app.signed_in is not None and app.signed_in.tokens is not None
        first = app.signed_in.tokens.access_token
        shift["by"] = dt.timedelta(minutes=59)  # the hour's token, seen from a minute before it ends: renew now
        app.arm_refresh()
        shift["by"] = dt.timedelta(0)  # and the renewed one lasts another hour
        await until(pilot, lambda: app.signed_in is not None and app.signed_in.tokens.access_token != first)
        assert isinstance(app.screen, HomeScreen) and app.online
        assert app.session is not None and app.session.api.access_token == app.signed_in.tokens.access_token
        assert app.session.seconds_until_refresh() > 50 * 60  # re-armed for the new expiry
