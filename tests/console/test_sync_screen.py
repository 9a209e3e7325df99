"""The sync screen (F5): against the suite's stack, a signed-in console whose own sync engine pushes to shop-api
through a loopback fault proxy — dead letters retried, corrected and discarded, real conflicts (a manager edits the
same product on the server) kept or taken, the queue exported, the demo's backend stopped and started — and, for
the pictures, each state of the screen from a real offline cache with a SyncStatus the test sets (the engine is
stopped after sign-in, so nothing moves; the screen reads only the store and `app.sync_status`).

Look at a changed SVG (rsvg-convert) before accepting it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Static

from backend.devstack import DevStack
from console import paths, sync_view
from console.app import QueueStatus, ShopConsoleApp, create_app
from console.config import Profile
from console.demo import DemoStack, StackInfo
from console.sync_service import open_store, queue_path
from offline_cache import acks
from offline_cache.clock import to_text
from offline_cache.engine import SyncProgress, SyncStatus
from offline_cache.models import Adjustment, SaleLine, Tender
from offline_cache.outbox import QueuedOp
from offline_cache.store import Store
from offline_cache.transport import OpResult, PushReply
from screens.login import LoginScreen
from screens.sync import SyncScreen
from screens.sync_dialogs import DiscardDialog, EditRetryDialog, ExportDialog, SignOutRefusedDialog
from tests.console.conftest import FROZEN_NOW, frozen_clock, home, settle, sign_in, stack_profile, until, user
from tests.offline_cache.offline_stack import FaultProxy
from tests.offline_cache.offline_support import FakeClock, catalogue, load

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
CASHIER, MANAGER = "corner-cashier", "corner-manager"
PULL_SECONDS = 30.0  # the first pull of the demo catalogue
DRAIN_SECONDS = 30.0  # generous: a loaded CI machine
OFFLINE_NOTICED_SECONDS = 5.0  # the promise


@pytest.fixture
def proxy(stack: StackInfo) -> Iterator[FaultProxy]:
    with FaultProxy(stack.api_url) as running:
        yield running


def till(stack: StackInfo, proxy: FaultProxy, terminal_id: str | None = None) -> Profile:
    """The demo profile through the proxy, on a terminal of its own (receipt numbers are unique per terminal on the
    server)."""
    return stack_profile(stack).model_copy(
        update={"terminal_id": terminal_id or f"SY{uuid.uuid4().hex[:8]}", "api_url": proxy.url}
    )


async def signed_in(pilot: Pilot, stack: StackInfo, username: str, *, pulled: bool = True) -> ShopConsoleApp:
    app = pilot.app
    assert isinstance(app, ShopConsoleApp)
    await sign_in(pilot, username, user(stack, username).password)
    await home(pilot)
    if pulled:
        await until(
            pilot, lambda: app.sync_status is not None and app.sync_status.state.initial_pull_done, PULL_SECONDS
        )
    return app


async def sync_open(pilot: Pilot, tab: str | None = None) -> SyncScreen:
    await pilot.press("f5")
    await until(pilot, lambda: isinstance(pilot.app.screen, SyncScreen) and pilot.app.screen.snapshot is not None)
    screen = pilot.app.screen
    assert isinstance(screen, SyncScreen)
    if tab is not None:
        await pilot.press({"queue": "1", "refused": "2", "conflicts": "3"}[tab])
    await settle(pilot)
    return screen


def text(screen: SyncScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def rows(screen: SyncScreen, selector: str) -> list[list[str]]:
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def footer_keys(screen: SyncScreen) -> set[str]:
    return {active.binding.id or "" for active in screen.active_bindings.values() if active.enabled}


async def reloaded(pilot: Pilot, screen: SyncScreen, condition: Callable[[SyncScreen], bool]) -> None:
    """Wait until the screen's own read of the store shows `condition` (it follows the engine)."""
    await until(pilot, lambda: screen.snapshot is not None and condition(screen), DRAIN_SECONDS)
    await settle(pilot)


def products(app: ShopConsoleApp, count: int) -> list[str]:
    with open_store(app.profile) as store:
        found = [p.id for p in store.catalogue.page(limit=50, active=True).items if p.price > 0][:count]
    assert len(found) == count
    return found


def sell(profile: Profile, count: int) -> list[str]:
    with open_store(profile) as store:
        product = next(p for p in store.catalogue.page(limit=50, active=True).items if p.price > 0)
        return [store.writes.record_sale([SaleLine(product.id, 1)], [Tender("cash", 10**6)]).id for _ in range(count)]


def call(stack: StackInfo, app: ShopConsoleApp, method: str, path: str, **options: Any) -> httpx.Response:
    """shop-api itself (not through the proxy), with the signed-in user's token."""
    assert app.session is not None and app.session.current is not None and app.session.current.tokens is not None
    headers = {"Authorization": f"Bearer {app.session.current.tokens.access_token}", **options.pop("headers", {})}
    return httpx.request(method, f"{stack.api_url}{path}", headers=headers, timeout=10, **options)


def server_orders(stack: StackInfo, app: ShopConsoleApp) -> list[str]:
    page = call(stack, app, "GET", "/v1/orders", params={"terminal_id": app.profile.terminal_id, "limit": 500})
    return sorted(order["id"] for order in page.json()["items"])


# --- dead letters --------------------------------------------------------------------------------------------


async def test_a_refused_sale_is_retried_and_a_refused_one_is_discarded_only_after_typing_discard(
    stack: StackInfo, proxy: FaultProxy
) -> None:
    profile = till(stack, proxy)
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in(pilot, stack, CASHIER)
        screen = await sync_open(pilot)
        assert text(screen, "#queue-caption").startswith("Nothing waits")

        sold: list[str] = []
        for count in (1, 2):  # the server refuses each sale's push: two dead letters
            proxy.faults["push"].append("422")
            sold += sell(profile, 1)
            app.wake_sync()
            await reloaded(pilot, screen, lambda s, count=count: len(s.snapshot.dead) == count)  # type: ignore[misc, union-attr]
        first, second = sold
        await pilot.press("2")
        await settle(pilot)
        assert "sync.retry" in footer_keys(screen) and "sync.keep_mine" not in footer_keys(screen)
        assert [row[1] for row in rows(screen, "#dead-table")] == ["sale", "sale"]
        assert "422 Injected" in text(screen, "#dead-detail")
        assert "refused" in text(screen, "#sync-overview")

        await pilot.press("r")  # the first as it is: the server takes it this time
        await reloaded(pilot, screen, lambda s: len(s.snapshot.dead) == 1)  # type: ignore[union-attr]
        await until(pilot, lambda: server_orders(stack, app) == [first], DRAIN_SECONDS)

        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DiscardDialog))
        dialog = app.screen
        await pilot.press(*"discard", "enter")  # not the word: nothing happens
        await pilot.pause()
        assert app.screen is dialog and dialog.query_one("#discard", Button).disabled
        dialog.query_one("#discard-word", Input).value = ""
        await pilot.press(*"DISCARD")
        await pilot.pause()
        assert not dialog.query_one("#discard", Button).disabled
        await pilot.click("#discard")
        await reloaded(pilot, screen, lambda s: not s.snapshot.dead)  # type: ignore[union-attr]
        assert text(screen, "#queue-caption").startswith("Nothing waits")
        with open_store(profile) as store:
            assert store.outbox.get(second).resolution == "discarded"  # type: ignore[union-attr]
            assert store.exit_check().allowed
        assert server_orders(stack, app) == [first]  # the discarded sale never reached the server


async def test_a_refused_new_product_is_corrected_and_sent_again(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy)
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        tag = uuid.uuid4().hex[:8].upper()
        # Another terminal took the SKU after this one's last pull: only the server can tell, and refuses mine.
        taken = call(
            stack,
            app,
            "POST",
            "/v1/products",
            json={"id": str(uuid.uuid4()), "sku": f"SY-{tag}", "name": "Theirs", "price": 100, "tax_rate_bp": 0},
        )
        assert taken.status_code == 201, taken.text
        with open_store(profile) as store:
            mine = store.writes.create_product(sku=f"SY-{tag}", name=f"Mine {tag}", price=250, tax_rate_bp=800)
        screen = await sync_open(pilot)
        app.wake_sync()
        await reloaded(pilot, screen, lambda s: len(s.snapshot.dead) == 1)  # type: ignore[union-attr]
        await pilot.press("2")
        await settle(pilot)
        assert rows(screen, "#dead-table")[0][1:] == ["new product", f"Mine {tag} (SY-{tag})", "422", "yes (e)"]
        assert f"SKU SY-{tag} is already used" in text(screen, "#dead-detail")

        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditRetryDialog))
        dialog = app.screen
        assert dialog.query_one("#field-price", Input).value == "2.50"
        dialog.query_one("#field-price", Input).value = "two"  # refused here, before anything is sent
        await pilot.click("#send")
        await until(pilot, lambda: isinstance(app.screen, EditRetryDialog) and app.screen is not dialog)
        dialog = app.screen
        assert "Price" in str(dialog.query_one("#edit-problem", Static).render())
        dialog.query_one("#field-price", Input).value = "2.75"
        dialog.query_one("#field-sku", Input).value = f"SY-{tag}-2"
        await pilot.click("#send")
        await reloaded(pilot, screen, lambda s: not s.snapshot.dead and not s.snapshot.page.rows)  # type: ignore[union-attr]
        server = call(stack, app, "GET", f"/v1/products/{mine.id}").json()
        assert (server["sku"], server["price"], server["name"]) == (f"SY-{tag}-2", 275, f"Mine {tag}")


# --- conflicts -----------------------------------------------------------------------------------------------


async def test_real_conflicts_are_shown_side_by_side_and_settled_both_ways(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy)
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        tag = uuid.uuid4().hex[:6].upper()
        with open_store(profile) as store:
            made = [
                store.writes.create_product(sku=f"CF-{tag}-{n}", name=f"Clash {tag} {n}", price=300, tax_rate_bp=0)
                for n in range(2)
            ]
        screen = await sync_open(pilot)
        app.wake_sync()
        await reloaded(pilot, screen, lambda s: not s.snapshot.page.rows)  # type: ignore[union-attr]
        for product in made:  # someone else edits both on the server first
            answer = call(
                stack, app, "PATCH", f"/v1/products/{product.id}", json={"price": 333}, headers={"If-Match": "1"}
            )
            assert answer.status_code == 200, answer.text
        with open_store(profile) as store:  # this terminal still has version 1: both edits are stale
            for product in made:
                store.writes.update_product(product.id, {"price": 299})
        app.wake_sync()
        await reloaded(pilot, screen, lambda s: len(s.snapshot.conflicts) == 2)  # type: ignore[union-attr]
        await pilot.press("3")
        await settle(pilot)
        assert {"sync.keep_mine", "sync.take_theirs"} <= footer_keys(screen)
        assert rows(screen, "#conflict-fields") == [["Price", "3.00", "2.99", "3.33"], ["Version", "1", "1", "2"]]

        await pilot.press("m")  # keep mine on the first: a new edit on the server's version 2
        await reloaded(pilot, screen, lambda s: len(s.snapshot.conflicts) == 1)  # type: ignore[union-attr]
        await pilot.press("t")  # take theirs on the second
        await reloaded(pilot, screen, lambda s: not s.snapshot.conflicts and not s.snapshot.page.rows)  # type: ignore[union-attr]
        await until(pilot, lambda: call(stack, app, "GET", f"/v1/products/{made[0].id}").json()["price"] == 299)
        kept = call(stack, app, "GET", f"/v1/products/{made[0].id}").json()
        taken = call(stack, app, "GET", f"/v1/products/{made[1].id}").json()
        assert (kept["price"], kept["version"]) == (299, 3)
        assert (taken["price"], taken["version"]) == (333, 2)
        with open_store(profile) as store:
            assert store.catalogue.by_id(made[1].id).price == 333  # type: ignore[union-attr]


# --- export and sign-out -------------------------------------------------------------------------------------


async def test_the_queue_is_exported_and_sign_out_offers_export_then_goes_ahead(
    stack: StackInfo, proxy: FaultProxy
) -> None:
    profile = till(stack, proxy)
    app = create_app(profile, keys={}, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await signed_in(pilot, stack, CASHIER)
        proxy.faults["push"].extend(["503"] * 1000)  # shop-api refuses every push
        sold = sell(profile, 3)
        screen = await sync_open(pilot)
        app.wake_sync()
        await reloaded(pilot, screen, lambda s: s.snapshot.page.total == 3)  # type: ignore[union-attr]

        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        suggested = Path(app.screen.query_one("#export-path", Input).value)
        assert suggested.parent == paths.profile_data_dir(profile.name)
        await pilot.press("enter")
        await until(pilot, lambda: suggested.exists())
        exported = json.loads(suggested.read_text())
        assert [op["id"] for op in exported["ops"]] == sold

        sell(profile, 1)  # not exported: sign-out must wait again
        await pilot.press("escape")
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, SignOutRefusedDialog))
        assert "1 operation(s) would be lost" in str(app.screen.query_one("#sign-out-reason", Static).render())
        await pilot.click("#open-sync")
        await until(pilot, lambda: isinstance(app.screen, SyncScreen))
        await pilot.press("escape")

        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, SignOutRefusedDialog))
        await pilot.click("#export-queue")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        target = paths.profile_data_dir(profile.name) / "before-sign-out.json"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, lambda: target.exists())
        assert len(json.loads(target.read_text())["ops"]) == 4
        await until(pilot, lambda: any("You may sign out now" in n.message for n in app._notifications))

        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        assert app.signed_in is None


# --- the demo's backend switch -------------------------------------------------------------------------------


async def test_stopping_the_backend_shows_offline_and_starting_it_drains_the_queue(
    stack: StackInfo, devstack: DevStack
) -> None:
    """The demo's key, on the suite's own stack (DevStack is the in-process switch; the demo's runs in a child)."""
    profile = stack_profile(stack).model_copy(update={"terminal_id": f"SW{uuid.uuid4().hex[:8]}"})
    app = create_app(profile, keys={}, clock=frozen_clock, backend_switch=devstack)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await signed_in(pilot, stack, CASHIER)
            screen = await sync_open(pilot)
            assert "sync.stop_backend" in footer_keys(screen) and "sync.start_backend" not in footer_keys(screen)

            await pilot.press("s")
            await until(pilot, lambda: not devstack.api_running and "sync.start_backend" in footer_keys(screen))
            await until(pilot, lambda: not app.online, OFFLINE_NOTICED_SECONDS)
            assert text(screen, "#sync-overview").startswith("Connection offline")

            sold = sell(profile, 5)
            app.wake_sync()
            await reloaded(pilot, screen, lambda s: s.snapshot.page.total == 5)  # type: ignore[union-attr]
            assert app.queue.count == 5

            await pilot.press("s")
            await until(pilot, lambda: devstack.api_running, 60)
            await reloaded(pilot, screen, lambda s: not s.snapshot.page.rows)  # type: ignore[union-attr]
            assert app.online and app.queue.count == 0
            assert server_orders(stack, app) == sorted(sold)
    finally:
        devstack.start_api()  # whatever happened, the next test has its shop-api


def test_the_demo_stack_stops_and_starts_its_api_on_the_same_port() -> None:
    """`shop-console demo`'s own stack, in its child process: the commands on its stdin."""
    stack = DemoStack("switch-test")
    info = stack.start()
    try:
        assert stack.api_running and httpx.get(f"{info.api_url}/v1/health", timeout=5).status_code == 200
        stack.set_api_running(False)
        assert not stack.api_running
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{info.api_url}/v1/health", timeout=5)
        stack.set_api_running(True)
        assert stack.api_running and httpx.get(f"{info.api_url}/v1/health", timeout=5).status_code == 200
    finally:
        stack.stop()


# --- the service ---------------------------------------------------------------------------------------------


def test_the_queue_is_read_in_keyset_pages(tmp_path: Path) -> None:
    clock = FakeClock(FROZEN_NOW)
    with Store.open(tmp_path / "cache.db", terminal_id="T1", clock=clock) as store:
        load(store, catalogue(3))
        product = store.catalogue.page(limit=1).items[0]
        for _ in range(120):
            store.writes.record_sale([SaleLine(product.id, 1)], [Tender("cash", 10**6)])
        describer = sync_view.Describer(store, "USD")
        first = sync_view.queue_page(store, describer, FROZEN_NOW, limit=50)
        assert (first.first_seq, first.last_seq, first.total, first.has_before, first.has_after) == (
            1,
            50,
            120,
            False,
            True,
        )
        second = sync_view.queue_page(store, describer, FROZEN_NOW, after_seq=first.last_seq, limit=50)
        assert (second.first_seq, second.last_seq, second.has_before, second.has_after) == (51, 100, True, True)
        last = sync_view.queue_page(store, describer, FROZEN_NOW, after_seq=second.last_seq, limit=50)
        assert (last.first_seq, last.last_seq, last.has_after) == (101, 120, False)
        back = sync_view.queue_page(store, describer, FROZEN_NOW, before_seq=last.first_seq, limit=50)
        assert (back.first_seq, back.last_seq) == (51, 100)


def test_a_skewed_clock_is_named_briefly_for_the_status_bar() -> None:
    assert sync_view.skew_badge(185.0) == "clock +3 min"
    assert sync_view.skew_badge(-86_400.0) == "clock -24.0 h"
    assert sync_view.skew_badge(None) == ""
    assert sync_view.skew_text(-86_400.0) == "device 24.0 h behind"


def test_only_local_fixes_are_editable_and_a_correction_is_checked_like_a_write(tmp_path: Path) -> None:
    clock = FakeClock(FROZEN_NOW)
    with Store.open(tmp_path / "cache.db", terminal_id="T1", clock=clock) as store:
        load(store, catalogue(3))
        product = store.catalogue.page(limit=1).items[0]
        sale = store.writes.record_sale([SaleLine(product.id, 1)], [Tender("cash", 10**6)]).id
        [receipt] = store.writes.record_adjustments([Adjustment(product.id, "receive", delta=5)])
        store.writes.update_product(product.id, {"price": 123})
        edit = store.outbox.list()[-1].id
        _refuse(store, [sale, receipt, edit])
        describer = sync_view.Describer(store, "USD")
        letters = {letter.row.op_id: letter for letter in sync_view.dead_letters(store, describer, FROZEN_NOW)}
        assert not letters[sale].editable  # a sale happened as it was rung up
        assert [f.name for f in letters[receipt].fields] == ["delta", "note"]
        assert [(f.name, f.value) for f in letters[edit].fields] == [("price", "1.23")]

        with pytest.raises(ValueError, match="must change stock by more than 0"):
            sync_view.retry_corrected(store, receipt, {"delta": "-2"}, describer)
        with pytest.raises(ValueError, match="cannot be corrected here"):
            sync_view.retry_corrected(store, edit, {"sku": "X"}, describer)
        assert store.outbox.get(receipt).status == "dead"  # type: ignore[union-attr]
        before = store.stock.on_hand(product.id, "store")
        sync_view.retry_corrected(store, receipt, {"delta": "7"}, describer)
        assert store.outbox.get(receipt).payload["delta"] == 7  # type: ignore[union-attr]
        assert store.stock.on_hand(product.id, "store") == before + 7  # the corrected receipt counts, once
        sync_view.retry_corrected(store, edit, {"price": "1.50"}, describer)
        assert store.catalogue.by_id(product.id).price == 150  # type: ignore[union-attr]
        assert sync_view.discard_allowed("DISCARD") and not sync_view.discard_allowed("discard")


def _refuse(store: Store, op_ids: list[str], status: int = 422, detail: str = "Refused by the test") -> None:
    """What the engine does with the server's refusal of these ops (acks.apply_reply, the real code path)."""
    ops = [op for op in store.outbox.list() if op.id in op_ids]
    sent = [QueuedOp(op.id, op.seq, op.type, op.entity, op.payload, None) for op in ops]
    reply = PushReply(
        [OpResult(op.seq, "rejected", status, {"title": "Unprocessable", "detail": detail}) for op in ops]
    )
    with store.transaction() as conn:
        acks.apply_reply(conn, sent, reply, to_text(store.clock()))


def _conflict(store: Store, op_id: str, theirs: dict[str, Any]) -> None:
    op = store.outbox.get(op_id)
    assert op is not None
    sent = [QueuedOp(op.id, op.seq, op.type, op.entity, op.payload, {"price": theirs["price"] - 25})]
    reply = PushReply([OpResult(op.seq, "conflict", 409, {"title": "Conflict", "current": theirs})])
    with store.transaction() as conn:
        acks.apply_reply(conn, sent, reply, to_text(store.clock()))


# --- pictures ------------------------------------------------------------------------------------------------

Seeder = Callable[[Store, FakeClock], None]


def _online(store: Store, clock: FakeClock) -> None:
    pass


def _offline_queue(store: Store, clock: FakeClock) -> None:
    ids = [p.id for p in store.catalogue.page(limit=3).items]
    for n in range(4):
        store.writes.record_sale([SaleLine(ids[n % 3], n + 1)], [Tender("cash", 10**6)])
        clock.advance(minutes=3)
    store.writes.record_adjustments([Adjustment(ids[0], "damage", delta=-1, note="dropped")])


def _draining(store: Store, clock: FakeClock) -> None:
    ids = [p.id for p in store.catalogue.page(limit=3).items]
    for n in range(12):
        store.writes.record_sale([SaleLine(ids[n % 3], 1)], [Tender("cash", 10**6)])
        clock.advance(seconds=20)


def _dead_letter(store: Store, clock: FakeClock) -> None:
    ids = [p.id for p in store.catalogue.page(limit=3).items]
    created = store.writes.create_product(sku="OC-NEW-1", name="Oat Crunch 500 g", price=349, tax_rate_bp=800)
    store.writes.update_product(created.id, {"price": 379})  # blocked behind the refused create
    clock.advance(minutes=2)
    store.writes.record_sale([SaleLine(ids[0], 2)], [Tender("cash", 10**6)])
    _refuse(store, [created.id], detail="The SKU OC-NEW-1 is already used by another product.")


def _conflicted(store: Store, clock: FakeClock) -> None:
    product = store.catalogue.page(limit=1).items[0]
    store.writes.update_product(product.id, {"price": product.price + 50, "name": product.name + " (new)"})
    clock.advance(minutes=1)
    theirs = {
        "id": product.id,
        "sku": product.sku,
        "barcode": product.barcode,
        "name": product.name,
        "category": product.category,
        "price": product.price + 25,
        "tax_rate_bp": product.tax_rate_bp,
        "active": True,
        "version": 2,
        "updated_at": "2026-03-14T09:20:00.000000Z",
    }
    _conflict(store, store.outbox.list()[-1].id, theirs)


def _status(
    store: Store,
    *,
    online: bool,
    retry_in: float | None = None,
    skew: float | None = 0.4,
    progress: SyncProgress | None = None,
    error: str | None = None,
) -> SyncStatus:
    state = dataclasses.replace(
        store.sync_state(),
        initial_pull_done=True,
        last_push_at=to_text(FROZEN_NOW - dt.timedelta(minutes=16)),
        last_pull_at=to_text(FROZEN_NOW - dt.timedelta(minutes=15, seconds=40)),
        clock_skew_seconds=skew,
    )
    return SyncStatus(online, store.outbox.summary(), state, retry_in, error, False, progress)


STATES: dict[str, tuple[Seeder, dict[str, Any], str | None]] = {
    "online": (_online, {"online": True}, None),
    "offline_with_queue": (
        _offline_queue,
        {"online": False, "retry_in": 4.0, "error": "offline: cannot reach http://shop-api (connection refused)"},
        None,
    ),
    "draining": (_draining, {"online": True, "skew": 185.0, "progress": SyncProgress("push", 5, 12)}, None),
    "dead_letter": (_dead_letter, {"online": True}, "2"),
    "conflict": (_conflicted, {"online": True}, "3"),
}


def shot(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int], state: str) -> bool:
    seed, status_options, keys = STATES[state]
    # The engine pushes and pulls nothing (it is stopped after sign-in anyway); the app's own health check answers
    # as the state says, so the status bar agrees with it whenever that check runs again.
    for route in ("push", "pull", *([] if status_options["online"] else ["health"])):
        proxy.faults[route].extend(["cut"] * 1000)
    profile = stack_profile(stack).model_copy(update={"api_url": proxy.url})

    async def run_before(pilot: Pilot) -> None:
        app = await signed_in(pilot, stack, MANAGER, pulled=False)
        sync = app._stop_sync()  # from here on the test says what the engine would
        assert sync is not None
        await asyncio.to_thread(sync.stop, 20)
        clock = FakeClock(FROZEN_NOW - dt.timedelta(minutes=14))
        with Store.open(queue_path(profile), terminal_id=profile.terminal_id, clock=clock) as store:
            load(store, catalogue(5))
            seed(store, clock)
            status = _status(store, **status_options)
        app.sync_status = status
        app.queue = QueueStatus(status.queue.unsent, status.queue.oldest_pending_at, status.queue.needs_attention)
        app.online = bool(status.online)
        await sync_open(pilot, {"2": "refused", "3": "conflicts"}.get(keys or ""))

    app = create_app(profile, keys={}, clock=frozen_clock)
    return snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", list(STATES))
def test_sync_screen(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int], state: str
) -> None:
    assert shot(snap_compare, stack, proxy, size, state)
