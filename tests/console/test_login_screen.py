"""The login screen with nothing to talk to: the form's keys, errors in words, offline unlock, the error dialog."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from textual import events
from textual.widgets import Button, DataTable, Input, Static

from console import paths
from console.app import create_app
from console.demo import DemoUser
from console.offline_unlock import Identity, OfflineUnlock
from screens.error_dialog import ErrorDialog
from screens.login import LoginScreen
from tests.console.conftest import frozen_clock, home, message, offline_profile, settle, until

CASHIER = Identity("corner-cashier", "sub-1", "shop-1", "Corner Grocer", "USD", "cashier", ("cashier",))
DEMO_USERS = [DemoUser(username="corner-cashier", password="Apples-Till-101!", role="cashier", shop="Corner Grocer")]


def fill(app: object, username: str, password: str) -> None:
    """Fill the form at once (typing is tested once, below); the password field has the focus, as after Enter."""
    app.screen.query_one("#username", Input).value = username  # type: ignore[attr-defined]
    app.screen.query_one("#password", Input).value = password  # type: ignore[attr-defined]
    app.screen.query_one("#password", Input).focus()  # type: ignore[attr-defined]


async def test_api_reachability_is_shown_in_words() -> None:
    app = create_app(offline_profile(), keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.api_status.reachable is False)
        await settle(pilot)
        api = str(app.screen.query_one("#api", Static).render())
        assert "unreachable" in api and "Connection refused" in api
        assert not app.screen.query("#demo-users")  # no demo table outside the demo


async def test_enter_moves_on_and_submits_and_escape_clears() -> None:
    app = create_app(offline_profile(), keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"a?q", "enter")  # printable keys go to the field, not to help or quit
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#username", Input).value == "a?q"
        assert app.focused is app.screen.query_one("#password", Input)
        await pilot.press("enter")
        await until(pilot, lambda: message(app) == "Enter your username and password.")
        await pilot.press(*"secret", "escape")
        assert [field.value for field in app.screen.query(Input)] == ["", ""]
        assert message(app) == ""
        assert app.focused is app.screen.query_one("#username", Input)


async def test_a_burst_of_keys_lands_in_the_right_fields() -> None:
    """tmux send-keys, a paste or a fast typist: every key is queued before the first Enter is handled."""
    app = create_app(offline_profile(), keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in [*"alice", "enter", *"secret", "enter"]:
            app.post_message(events.Key(key, "\r" if key == "enter" else key))
        await until(pilot, lambda: message(app).startswith("Cannot"))
        assert [field.value for field in app.screen.query(Input)] == ["alice", "secret"]
        assert message(app) == "Cannot reach the sign-in service. Check the network."  # submitted with both


async def test_password_is_masked() -> None:
    app = create_app(offline_profile(), keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", *"Apples")
        await pilot.pause()
        password = app.screen.query_one("#password", Input)
        assert password.value == "Apples"
        shown = app.export_screenshot()
        assert "Apples" not in shown and "••••••" in shown


async def test_demo_users_fill_the_form_from_the_table() -> None:
    app = create_app(offline_profile(), DEMO_USERS, keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#demo-users", DataTable).focus()
        await pilot.press("enter")
        fields = app.screen.query(Input)
        assert [field.value for field in fields] == ["corner-cashier", "Apples-Till-101!"]
        assert app.focused is app.screen.query_one("#password", Input)


async def test_no_network_offers_offline_unlock_which_opens_the_home_offline() -> None:
    profile = offline_profile()
    unlock = OfflineUnlock(paths.profile_data_dir(profile.name), profile.offline_max_hours)
    unlock.remember(CASHIER, "Apples-Till-101!", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#unlock", Button).display
        fill(app, "corner-cashier", "Apples-Till-101!")
        await pilot.press("enter")
        await until(pilot, lambda: message(app) == "Cannot reach the sign-in service. Check the network.")
        assert app.screen.query_one("#unlock", Button).display
        await pilot.press("f2")
        await until(pilot, lambda: app.signed_in is not None)
        await settle(pilot)
        await home(pilot)  # a cashier is asked for the till float first
        await settle(pilot)
        assert app.signed_in is not None and app.signed_in.offline
        assert not app.online
        assert str(app.screen.query_one("#link", Static).render()) == "offline"


async def test_offline_unlock_with_a_wrong_password_is_refused_in_place() -> None:
    profile = offline_profile()
    unlock = OfflineUnlock(paths.profile_data_dir(profile.name), profile.offline_max_hours)
    unlock.remember(CASHIER, "Apples-Till-101!", dt.datetime.now(dt.UTC))
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        fill(app, "corner-cashier", "not-it")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.offline_offered)
        await pilot.press("f2")
        await until(pilot, lambda: message(app) == "Wrong username or password.")
        assert isinstance(app.screen, LoginScreen)


async def test_an_unexpected_failure_is_a_dialog_in_words_with_the_detail_in_the_log(log_path: Path) -> None:
    profile = offline_profile()
    broken = paths.profile_data_dir(profile.name)  # a file where the profile's folder should be
    broken.parent.mkdir(parents=True)
    broken.write_text("not a folder")
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        fill(app, "corner-cashier", "Apples-Till-101!")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.offline_offered)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, ErrorDialog))
        text = str(app.screen.query_one("#error-text", Static).render())
        assert text.startswith("Signing in did not finish because of an unexpected problem.")
        assert str(log_path) in text and "Traceback" not in text and "NotADirectoryError" not in text
        await pilot.press("escape")
        assert isinstance(app.screen, LoginScreen)
        assert not app.screen.busy  # the form works again
    failure = next(json.loads(line) for line in log_path.read_text().splitlines() if "worker failed" in line)
    assert "NotADirectoryError" in failure["error"] and failure["group"] == "sign-in"
