"""The first screen (until sign-in lands): profile and API health, online and unreachable."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from console.app import create_app
from console.config import Profile
from console.demo import DemoUser

# Port 1 on loopback has no listener: a deterministic "connection refused" for the unreachable state.
UNREACHABLE = "http://127.0.0.1:1"
USERS = [
    DemoUser(username="corner-cashier", password="Counter-Demo-1", role="cashier", shop="Corner Grocer"),
    DemoUser(username="new-hire", password="Welcome-Demo-1", role="cashier", shop="Corner Grocer", challenge="new_password"),
    DemoUser(username="ops-admin", password="Operator-Demo-1", role="admin", shop=None),
]


def profile(api_url: str) -> Profile:
    return Profile(
        name="demo", environment="demo", api_url=api_url, region="us-east-1", user_pool_id="us-east-1_demo", client_id="c"
    )


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_unreachable(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(create_app(profile(UNREACHABLE), USERS), terminal_size=size, run_before=settle)


async def test_unreachable_api_is_said_plainly() -> None:
    app = create_app(profile(UNREACHABLE))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        health = str(app.screen.query_one("#health", Static).render())
        assert "unreachable" in health and "Connection refused" in health
        assert not app.screen.query_one("#demo-users", DataTable).display
