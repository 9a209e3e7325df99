"""The opt-in token file: a warning on every start, and after a sign-in a 0600 file with the refresh token only."""

from __future__ import annotations

import stat

from textual.widgets import Static

from console import paths
from console.app import create_app
from console.demo import StackInfo
from tests.console.conftest import frozen_clock, settle, sign_in, stack_profile, until, user


async def test_file_store_warns_at_start_and_keeps_the_session_private(stack: StackInfo) -> None:
    profile = stack_profile(stack).model_copy(update={"token_store": "file"})
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.store_warning is not None)
        warning = str(app.screen.query_one("#store-warning", Static).render())
        assert "kept in a file on this device" in warning and app.screen.query_one("#store-warning").display
        cashier = user(stack, "corner-cashier")
        await sign_in(pilot, cashier.username, cashier.password)
        assert app.identity.username == "corner-cashier"
        tokens = app.signed_in.tokens
        assert tokens is not None
    session_file = paths.profile_data_dir(profile.name) / "session.json"
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    text = session_file.read_text()
    assert tokens.refresh_token and tokens.refresh_token in text  # the refresh token, and nothing else secret
    assert cashier.password not in text and tokens.access_token not in text and tokens.id_token not in text
