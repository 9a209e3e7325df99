"""Helpers for the products, stock and orders screens' pilot tests on the suite's stack: a till profile of its
own behind a fault proxy, signing in and waiting for the first pull, opening a screen, the outbox as ops, a sync,
the server's answers, and the pictures on a seeded cache."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from console.app import ShopConsoleApp, create_app
from console.config import Profile
from console.demo import StackInfo
from console.sync_service import open_store, queue_path, sync_once
from offline_cache import stock
from offline_cache.models import Adjustment, RefundLine, SaleLine, Tender
from offline_cache.store import Store
from screens.home import HomeScreen
from screens.login import LoginScreen
from tests.console.conftest import FROZEN_NOW, frozen_clock, home, settle, sign_in, stack_profile, until, user
from tests.offline_cache.offline_stack import FaultProxy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "offline_cache"))
from offline_support import catalogue, load

PULL_SECONDS = 60.0  # the first pull of the demo catalogue on a loaded machine
MANAGER, CASHIER, SUPPORT = "corner-manager", "corner-cashier", "corner-support"
SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
AnyScreen = TypeVar("AnyScreen", bound=Screen[Any])


@pytest.fixture(name="proxy")
def proxy_fixture(stack: StackInfo) -> Iterator[FaultProxy]:
    """`proxy`: a fault proxy in front of the suite's shop-api (import proxy_fixture into a test module to use it)."""
    with FaultProxy(stack.api_url) as running:
        yield running


@pytest.fixture(name="utc")
def utc_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`utc`: the terminal's zone is UTC wherever the tests run (receipts, reports and pictures show local time)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def till(stack: StackInfo, api_url: str | None = None) -> Profile:
    """The demo profile on a terminal of its own (receipt numbers are unique per terminal on the server)."""
    update: dict[str, Any] = {"terminal_id": f"CT{uuid.uuid4().hex[:8]}"}
    if api_url is not None:
        update["api_url"] = api_url
    return stack_profile(stack).model_copy(update=update)


def app_for(profile: Profile) -> ShopConsoleApp:
    return create_app(profile, keys={}, clock=frozen_clock)


async def signed_in(pilot: Pilot, stack: StackInfo, username: str) -> ShopConsoleApp:
    """Signed in online with the catalogue pulled into the cache."""
    app = pilot.app
    assert isinstance(app, ShopConsoleApp)
    await sign_in(pilot, username, user(stack, username).password)
    await home(pilot)
    await until(pilot, lambda: app.sync_status is not None and app.sync_status.state.initial_pull_done, PULL_SECONDS)
    return app


async def signed_in_offline(pilot: Pilot, stack: StackInfo, username: str, cut: Any) -> ShopConsoleApp:
    """Signed in online once (pull and offline verifier), signed out, the backend cut (`cut()`), then unlocked
    offline with the same password."""
    app = await signed_in(pilot, stack, username)
    await pilot.press("o")
    await until(pilot, lambda: isinstance(app.screen, LoginScreen))
    cut()
    await sign_in(pilot, username, user(stack, username).password)
    await until(pilot, lambda: bool(app.screen.query_one("#unlock").display))
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(app.screen, HomeScreen))
    assert app.signed_in is not None and app.signed_in.offline
    await settle(pilot)
    return app


def hold_pushes(proxy: FaultProxy) -> None:
    """shop-api refuses every push (503) until `release`: the outbox keeps what the screens queue, to be looked at."""
    proxy.faults["push"].extend(["503"] * 10_000)


def cut(proxy: FaultProxy) -> None:
    """shop-api is gone (Cognito still answers)."""
    for route in ("other", "health", "push", "pull"):
        proxy.faults[route].extend(["cut"] * 10_000)


def release(proxy: FaultProxy) -> None:
    for faults in proxy.faults.values():
        faults.clear()


def outbox(profile: Profile) -> list[tuple[str, dict[str, Any]]]:
    """The unsent ops, oldest first: (type, payload)."""
    with open_store(profile) as store:
        return [(op.type, op.payload) for op in store.outbox.list()]


async def sync(app: ShopConsoleApp) -> None:
    """One push-and-pull, as `shop-console sync --once` does it; everything must have gone through."""
    assert app.session is not None
    outcome = await asyncio.to_thread(sync_once, app.profile, app.session)
    assert outcome.drained, outcome


@asynccontextmanager
async def back_online(
    stack: StackInfo, profile: Profile, proxy: FaultProxy, product_id: str
) -> AsyncIterator[tuple[ShopConsoleApp, int]]:
    """The console started again once the network is back, as a manager: the server's on-hand of `product_id` read
    before the queue goes, then one sync. Yields the app and that figure; afterwards the outbox must be empty."""
    release(proxy)
    hold_pushes(proxy)  # until the server's figure before is read
    online = app_for(profile)
    async with online.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        before = server_on_hand(online, product_id)
        release(proxy)
        await sync(online)
        yield online, before
        assert outbox(profile) == []


def server(app: ShopConsoleApp, path: str, **params: Any) -> Any:
    assert app.session is not None
    return app.session.api.request("GET", path, params=params).json()


def server_on_hand(app: ShopConsoleApp, product_id: str, location: str = "store") -> int:
    items = server(app, "/v1/inventory", product_id=product_id)["items"]
    return next((item["on_hand"] for item in items if item["location"] == location), 0)


def text(app: ShopConsoleApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def rows(screen: Screen[Any]) -> list[list[str]]:
    """The screen's table as text, row by row."""
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def opened(
    pilot: Pilot, key: str, kind: type[AnyScreen], ready: Callable[[AnyScreen], object] | None = None
) -> AnyScreen:
    """Press `key` and wait for a `kind` screen that is `ready` (e.g. its first page read) and idle."""

    def there() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, kind) and (ready is None or bool(ready(screen)))

    await pilot.press(key)
    await until(pilot, there)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen


async def type_into(pilot: Pilot, selector: str, typed: str) -> None:
    """Type into an emptied field as a person does, key by key."""
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    box.value = ""
    await pilot.press(*typed)
    await settle(pilot)


async def wait_idle(pilot: Pilot) -> None:
    """Every worker but sync done, twice (a worker's message can start another)."""
    await settle(pilot)
    await settle(pilot)


async def picture_ready(pilot: Pilot) -> None:
    """Idle, without toasts (a save's notice would cover the picture at random moments)."""
    await wait_idle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


# --- a fixed cache for the snapshots --------------------------------------------------------------------------


def shot(
    snap_compare: SnapCompare,
    stack: StackInfo,
    proxy: FaultProxy,
    size: tuple[int, int],
    then: Callable[[Pilot], Awaitable[object]] | None = None,
    offline: bool = False,
    *,
    start: Callable[[Pilot], Awaitable[object]],
) -> bool:
    """The picture of a manager's screen on the seeded cache: opened with `start`, then `then` done."""

    async def run_before(pilot: Pilot) -> None:
        await seeded_sign_in(pilot, stack, proxy, MANAGER, offline)
        await start(pilot)
        if then is not None:
            await then(pilot)
        await picture_ready(pilot)

    return snap_compare(app_for(snapshot_profile(stack, proxy)), terminal_size=size, run_before=run_before)


SNAPSHOT_TERMINAL = "T7"
SEEDED_PRODUCTS = 2_000


def snapshot_profile(stack: StackInfo, proxy: FaultProxy) -> Profile:
    """A profile behind a proxy that answers every push and pull with 503, so its cache (`seed`) stays as seeded:
    the pictures never change with what other tests did on the stack."""
    proxy.faults["push"].extend(["503"] * 10_000)
    proxy.faults["pull"].extend(["503"] * 10_000)
    return stack_profile(stack).model_copy(update={"terminal_id": SNAPSHOT_TERMINAL, "api_url": proxy.url})


async def seeded_sign_in(pilot: Pilot, stack: StackInfo, proxy: FaultProxy, username: str, offline: bool) -> None:
    """Signed in on the seeded cache: online, or unlocked offline after an online sign-in (which leaves the
    verifier) and a sign-out, with shop-api gone."""
    app = pilot.app
    assert isinstance(app, ShopConsoleApp)
    profile = app.profile
    if offline:
        await sign_in(pilot, username, user(stack, username).password)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await settle(pilot)
        seed(profile)
        cut(proxy)
        await sign_in(pilot, username, user(stack, username).password)
        await until(pilot, lambda: bool(app.screen.query_one("#unlock").display))
        await until(pilot, lambda: app.api_status.reachable is False)  # the refusal asked the API's health again
        await pilot.press("f2")
    else:
        seed(profile)
        await sign_in(pilot, username, user(stack, username).password)
        # The first push was refused (503) and recorded: the orders show that error from now on, not before.
        await until(pilot, lambda: first_error(profile) is not None)
    await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.sync_status is not None)
    await until(pilot, lambda: app.queue.count == SEEDED_OPS)
    await settle(pilot)
    app.clear_notifications()  # the sign-in's toasts would cover the pictures


def first_error(profile: Profile) -> str | None:
    with open_store(profile) as store:
        ops = store.outbox.list(limit=1)
        return ops[0].last_error if ops else None


SEEDED_OPS = 5  # three sales, a delivery received, a refund


def seed(profile: Profile) -> None:
    """The fixed cache: a generated catalogue, stock (one low, one oversold) and this morning's orders."""
    products = catalogue(SEEDED_PRODUCTS, seed=11, kind="grocery")
    moments = [FROZEN_NOW - dt.timedelta(minutes=m) for m in (50, 41, 33, 20, 12, 5)]

    def clock() -> dt.datetime:
        """Each write a few minutes after the one before."""
        return moments.pop(0) if len(moments) > 1 else moments[0]

    with Store.open(queue_path(profile), terminal_id=SNAPSHOT_TERMINAL, clock=clock) as store:
        load(store, products)
        by_name = sorted(products, key=lambda p: p["name"])
        levels = {p["id"]: 3 + n * 7 % 40 for n, p in enumerate(by_name[:60])}
        levels[by_name[1]["id"]] = 2  # below its reorder point
        levels[by_name[4]["id"]] = -3  # oversold
        with store.transaction() as conn:
            stock.apply_server_stock(
                conn,
                [{"product_id": p, "location": "store", "on_hand": n, "reorder_point": 5} for p, n in levels.items()],
            )
        first, second, third = (by_name[n]["id"] for n in (0, 2, 3))
        store.writes.record_sale([SaleLine(first, 2), SaleLine(second, 1)], [Tender("cash", 10**5)], cashier=CASHIER)
        sold = store.writes.record_sale([SaleLine(third, 3)], [Tender("cash", 10**5)], cashier=MANAGER)
        store.writes.record_adjustments([Adjustment(first, "receive", delta=24, note="PO 1187")])
        store.writes.record_refund(sold.id, [RefundLine(third, 1)], "damaged pack")
        store.writes.record_sale([SaleLine(second, 1)], [Tender("cash", 10**5)], cashier=CASHIER)
