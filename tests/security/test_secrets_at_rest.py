"""No secret at rest: a scripted day at the console against the demo stack, with the opt-in token file: a cashier
signs in, sells through the offline cache and the queue syncs, signs out; an admin signs in, opens the backups
screen, signs out. Afterwards no password, and no access, ID or refresh token (whole, or any 24-character piece
of it) is in any file under the config, data, state and cache dirs: logs (at DEBUG), the offline cache and its
queue, receipts, the runbook audit log. While signed in the token file is 0600 and holds the refresh token alone.

tests/console/test_token_store.py and test_token_file_warning.py check the stores one by one; this checks what a
whole session leaves behind."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from backend.devstack import StackInfo as BackendStackInfo
from console import logs, paths
from console.app import ShopConsoleApp, create_app
from console.demo import StackInfo
from console.sync_service import open_store
from offline_cache.models import SaleLine, Tender
from screens.login import LoginScreen
from tests.console.conftest import frozen_clock, home, settle, sign_in, stack_profile, until, user

PIECE = 24  # no run of this many characters of a secret may be anywhere


@pytest.fixture
def console_stack(stack: BackendStackInfo, monkeypatch: pytest.MonkeyPatch) -> StackInfo:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # never the machine's keyring
    return StackInfo.model_validate_json(stack.to_json())


@pytest.fixture
def debug_log() -> Iterator[Path]:
    """The console's JSON-lines log in the state dir, at DEBUG: whatever any library logs is in it."""
    path = logs.setup("demo", "T1")
    logging.getLogger().setLevel(logging.DEBUG)
    yield path
    for handler in logging.getLogger().handlers[:]:
        handler.close()
        logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)


def pieces(secret: str) -> set[str]:
    """The secret and every PIECE-long slice of it at a stride of PIECE // 2 (any leak of PIECE * 1.5 shows)."""
    return {secret} | {secret[i : i + PIECE] for i in range(0, max(1, len(secret) - PIECE + 1), PIECE // 2)}


async def signed_out(pilot: Pilot, app: ShopConsoleApp) -> None:
    app.action_sign_out()
    await until(pilot, lambda: isinstance(app.screen, LoginScreen), 20)
    await settle(pilot)


async def test_a_day_at_the_console_leaves_no_secret_on_disk(
    console_stack: StackInfo, debug_log: Path, isolated_dirs: dict[str, Path]
) -> None:
    profile = stack_profile(console_stack).model_copy(update={"token_store": "file"})
    cashier, admin = user(console_stack, "corner-cashier"), user(console_stack, "ops-admin")
    secrets: dict[str, str] = {"cashier password": cashier.password, "admin password": admin.password}
    session_file = paths.profile_data_dir(profile.name) / "session.json"
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, cashier.username, cashier.password)
        await home(pilot)  # the till's float: another day
        assert app.signed_in and app.signed_in.tokens
        tokens = app.signed_in.tokens
        secrets |= {"cashier access": tokens.access_token, "cashier id": tokens.id_token}
        secrets["cashier refresh"] = tokens.refresh_token or ""
        assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
        assert tokens.refresh_token in session_file.read_text()
        assert tokens.access_token not in session_file.read_text() and tokens.id_token not in session_file.read_text()
        await until(pilot, lambda: app.sync_status is not None and app.sync_status.state.initial_pull_done, 60)
        with open_store(profile) as store:
            product = store.catalogue.page(limit=1).items[0]
            store.writes.record_sale([SaleLine(product.id, 2)], [Tender("cash", 10**6)], cashier=cashier.username)
            app.wake_sync()
            await until(pilot, lambda: store.exit_check().allowed, 30)
        await signed_out(pilot, app)
        await sign_in(pilot, admin.username, admin.password)
        assert app.signed_in and app.signed_in.tokens
        secrets |= {"admin access": app.signed_in.tokens.access_token, "admin id": app.signed_in.tokens.id_token}
        secrets["admin refresh"] = app.signed_in.tokens.refresh_token or ""
        app.open_destination("backups")
        await until(pilot, lambda: type(app.screen).__name__ == "BackupsScreen", 20)
        await settle(pilot)
        await pilot.press("escape")
        await signed_out(pilot, app)
    files = [p for root in isolated_dirs.values() if root.exists() for p in root.rglob("*") if p.is_file()]
    assert debug_log in files and any(p.suffix == ".db" for p in files)
    assert debug_log.stat().st_size > 0
    found = []
    for path in files:
        content = path.read_bytes().decode("utf-8", "replace")
        found += [
            f"{path.name}: {name}"
            for name, secret in secrets.items()
            if secret and any(p in content for p in pieces(secret))
        ]
    assert not found, found
