"""The console's sync worker on the suite's stack: sales recorded in the signed-in profile's offline cache reach
shop-api, the status bar counts them down, and sign-out waits until nothing would be stranded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from console.app import ShopConsoleApp, create_app
from console.config import Profile
from console.demo import StackInfo
from screens.home import HomeScreen
from screens.login import LoginScreen
from screens.status_bar import StatusBar
from screens.sync_dialogs import SignOutRefusedDialog
from tests.console.conftest import frozen_clock, home, settle, sign_in, stack_profile, until, user
from tests.console.test_cli_sync import sell
from tests.offline_cache.offline_stack import FaultProxy

CASHIER = "corner-cashier"
PULL_SECONDS = 30.0  # the first pull of the demo catalogue


@pytest.fixture
def proxy(stack: StackInfo) -> Iterator[FaultProxy]:
    with FaultProxy(stack.api_url) as running:
        yield running


def till(stack: StackInfo, proxy: FaultProxy) -> Profile:
    """The demo profile through the proxy, on a terminal of its own (receipt numbers are unique per terminal on the
    server)."""
    return stack_profile(stack).model_copy(update={"terminal_id": f"AS{uuid.uuid4().hex[:8]}", "api_url": proxy.url})


def queue_label(app: ShopConsoleApp) -> str:
    return str(app.screen.query_one("#queue", Static).render())


async def signed_in_and_pulled(pilot: Pilot, stack: StackInfo) -> ShopConsoleApp:
    app = pilot.app
    assert isinstance(app, ShopConsoleApp)
    await sign_in(pilot, CASHIER, user(stack, CASHIER).password)
    await home(pilot)
    await until(pilot, lambda: app.sync_status is not None and app.sync_status.state.initial_pull_done, PULL_SECONDS)
    return app


def server_orders(app: ShopConsoleApp) -> list[str]:
    assert app.session is not None
    page = app.session.api.request("GET", "/v1/orders", params={"terminal_id": app.profile.terminal_id, "limit": 50})
    return sorted(order["id"] for order in page.json()["items"])


async def test_sales_drain_to_the_server_and_the_status_bar_counts_them_down(
    stack: StackInfo, proxy: FaultProxy
) -> None:
    profile = till(stack, proxy)
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in_and_pulled(pilot, stack)
        assert app.online and queue_label(app) == "queue 0 · —"

        proxy.faults["push"].append("503")  # the first push fails, so the bar shows the queue before it drains
        sold = sell(profile, 2)
        app.wake_sync()
        await until(pilot, lambda: queue_label(app).startswith("queue 2 "))
        await until(pilot, lambda: queue_label(app) == "queue 0 · —")
        assert server_orders(app) == sorted(sold)
        bar = app.screen.query_one(StatusBar)
        assert not bar.has_class("-attention")

        proxy.faults["push"].append("422")  # the server refuses the next sale: a dead letter
        sell(profile, 1)
        app.wake_sync()
        await until(pilot, lambda: bar.has_class("-attention"))
        assert app.sync_status is not None and app.sync_status.queue.dead == 1


async def test_sign_out_is_refused_while_a_sale_is_unsent_and_allowed_once_it_is_sent(
    stack: StackInfo, proxy: FaultProxy
) -> None:
    profile = till(stack, proxy)
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in_and_pulled(pilot, stack)
        proxy.faults["push"].extend(["503"] * 100)  # shop-api refuses every push until the test clears this
        sold = sell(profile, 1)
        app.wake_sync()
        await until(pilot, lambda: proxy.requests["push"] > 0 and app.queue.count == 1)

        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, SignOutRefusedDialog))
        refusal = str(app.screen.query_one("#sign-out-reason", Static).render())
        assert "1 not yet sent" in refusal and "queue export" in refusal
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen) and app.signed_in is not None and app.session is not None
        assert app.session.current is not None  # the session is kept

        proxy.faults["push"].clear()
        app.wake_sync()
        await until(pilot, lambda: app.queue.count == 0, 15)  # after the backoff, at most a few seconds
        assert server_orders(app) == sold

        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await settle(pilot)
        assert app.signed_in is None and app.session.current is None
        assert not [worker for worker in app.workers if worker.group == "sync" and worker.is_running]


async def test_an_offline_unlock_counts_the_queue_but_pushes_nothing(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy)
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in_and_pulled(pilot, stack)  # remembers the user for an offline unlock, and fills the cache
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))

        for route in ("other", "health", "push", "pull"):
            proxy.faults[route].extend(["cut"] * 1000)  # shop-api is gone (Cognito still answers)
        await sign_in(pilot, CASHIER, user(stack, CASHIER).password)
        await until(pilot, lambda: bool(app.screen.query_one("#unlock").display))
        await pilot.press("f2")
        await until(pilot, lambda: app.signed_in is not None)
        await settle(pilot)
        await home(pilot)
        assert app.signed_in is not None and app.signed_in.offline

        pushes = proxy.requests["push"]
        sell(profile, 1)
        app.wake_sync()
        await until(pilot, lambda: queue_label(app).startswith("queue 1 "))
        assert not app.online and proxy.requests["push"] == pushes
