"""The products screen on the suite's stack: the list by keyset pages with "N of M", search, detail, and the
managers' create and edit through the outbox (refused for cashiers), online and offline, with the server's state
after a sync. Snapshots at 80x24 and 120x40; look at a changed SVG before accepting it."""

from __future__ import annotations

import uuid
from functools import partial

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input

from common.barcodes import ean13_from_body
from console.demo import StackInfo
from screens.product_form import REFUSED, ProductFormScreen
from screens.products import ProductDetailScreen, ProductsScreen
from tests.console.conftest import settle, until
from tests.console.counter_screens import (
    CASHIER,
    MANAGER,
    SIZES,
    SUPPORT,
    SnapCompare,
    app_for,
    cut,
    hold_pushes,
    opened,
    outbox,
    proxy_fixture,  # noqa: F401 (the proxy fixture)
    release,
    rows,
    seeded_sign_in,
    server,
    signed_in,
    signed_in_offline,
    snapshot_profile,
    sync,
    text,
    till,
)
from tests.console.counter_screens import shot as screen_shot
from tests.offline_cache.offline_stack import FaultProxy


async def products_open(pilot: Pilot) -> ProductsScreen:
    return await opened(pilot, "f3", ProductsScreen, lambda screen: screen.shown is not None)


async def search(pilot: Pilot, screen: ProductsScreen, typed: str) -> None:
    await pilot.press("slash", *typed)
    await until(pilot, lambda: screen.view.query.text == typed.strip())
    await settle(pilot)
    await pilot.press("enter")  # back to the list


async def fill(pilot: Pilot, values: dict[str, str]) -> None:
    form = pilot.app.screen
    assert isinstance(form, ProductFormScreen)
    for field, value in values.items():
        box = form.query_one(f"#field-{field}", Input)
        box.value = value
    await settle(pilot)


async def test_list_pages_search_and_detail(stack: StackInfo) -> None:
    app = app_for(till(stack))
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, CASHIER)
        screen = await products_open(pilot)
        table = screen.query_one(DataTable)
        shown = screen.shown
        assert shown is not None
        per_page = table.row_count
        assert text(app, "#products-position") == f"1-{per_page} of {screen.view.window.total:,}"  # type: ignore[union-attr]
        assert per_page == table.size.height - 1  # one screenful: the table never holds more than it shows
        await pilot.press("pagedown")
        await until(pilot, lambda: text(app, "#products-position").startswith(f"{per_page + 1}-"))
        await pilot.press("end")
        await until(pilot, lambda: not screen.view.window.has_after)  # type: ignore[union-attr]
        total = screen.view.window.total  # type: ignore[union-attr]
        assert text(app, "#products-position").endswith(f"-{total:,} of {total:,}")
        await pilot.press("home")
        await until(pilot, lambda: text(app, "#products-position").startswith("1-"))

        await search(pilot, screen, "yogurt")
        assert rows(screen) and all("yogurt" in " ".join(row).lower() for row in rows(screen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ProductDetailScreen) and app.screen.facts is not None)
        fields = text(app, "#product-fields")
        assert "Yogurt" in fields and "SKU" in fields and "Barcode" in fields and "Tax rate" in fields
        assert "on hand" in text(app, "#product-stock")
        assert "e" not in {b.binding.key for b in app.screen.active_bindings.values() if b.enabled}
        await pilot.press("escape")
        assert isinstance(app.screen, ProductsScreen)


async def test_cashier_and_support_see_no_edit_keys_and_are_refused(stack: StackInfo) -> None:
    for username in (CASHIER, SUPPORT):
        profile = till(stack)
        app = app_for(profile)
        async with app.run_test(size=(80, 24)) as pilot:
            await signed_in(pilot, stack, username)
            screen = await products_open(pilot)
            keys = {b.binding.id for b in screen.active_bindings.values() if b.enabled}
            assert "products.new" not in keys and "products.edit" not in keys
            await pilot.press("n", "e")
            await settle(pilot)
            assert app.screen is screen  # nothing opened
            app.push_screen(ProductFormScreen(None))  # reached another way: refused, no fields
            await settle(pilot)
            assert text(app, "#form-error") == REFUSED and not app.screen.query(Input)
            await pilot.press("f2", "escape")
            assert outbox(profile) == []


async def test_manager_creates_and_edits_then_the_server_has_them(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    sku = f"T-{uuid.uuid4().hex[:8].upper()}"
    barcode = ean13_from_body(f"29{uuid.uuid4().int % 10**10:010d}")
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        hold_pushes(proxy)
        screen = await products_open(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ProductFormScreen) and app.screen.form is not None)
        form = app.screen
        await fill(
            pilot,
            {
                "name": "Test Oat Bar 40 g",
                "sku": sku,
                "barcode": barcode[:-1] + "0" if barcode[-1] != "0" else barcode[:-1] + "1",
                "price": "1.255",
                "category": "Snacks",
                "tax_rate": "8.25",
            },
        )
        assert "check digit" in text(app, "#error-barcode")  # said where it was typed, while typing
        assert text(app, "#error-price") == "Use at most 2 decimal places."
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is form and outbox(profile) == []
        await fill(pilot, {"barcode": barcode, "price": "1.25"})
        assert not form.query_one("#error-price").display
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is screen)
        [(op_type, created)] = outbox(profile)
        assert op_type == "product.create" and created["sku"] == sku and created["price"] == 125

        await search(pilot, screen, sku)
        assert rows(screen)[0][0] == sku
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ProductFormScreen) and app.screen.form is not None)
        await fill(pilot, {"price": "1.49"})
        app.screen.query_one("#field-active", Checkbox).value = True
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is screen)
        ops = outbox(profile)
        assert [op for op, _ in ops] == ["product.create", "product.update"]
        assert ops[1][1] == {"product_id": created["id"], "version": 0, "price": 149}

        release(proxy)
        await sync(app)
        on_server = server(app, f"/v1/products/{created['id']}")
        assert (on_server["sku"], on_server["price"], on_server["barcode"]) == (sku, 149, barcode)
        assert outbox(profile) == []


async def test_offline_edit_waits_in_the_outbox_and_reaches_the_server(stack: StackInfo, proxy: FaultProxy) -> None:
    profile = till(stack, proxy.url)
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in_offline(pilot, stack, MANAGER, lambda: cut(proxy))
        screen = await products_open(pilot)
        await search(pilot, screen, "milk")
        product_id = screen.selected_key()
        assert product_id is not None
        price = 100 + uuid.uuid4().int % 900
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ProductFormScreen) and app.screen.form is not None)
        form = app.screen
        version = form.form.product.version  # type: ignore[union-attr]
        await fill(pilot, {"price": f"{price // 100}.{price % 100:02d}"})
        await pilot.press("f2")
        await until(pilot, lambda: app.screen is screen)
        assert outbox(profile) == [("product.update", {"product_id": product_id, "version": version, "price": price})]
        assert rows(screen)[0][1].endswith(" *")  # edited here, not synced yet

    release(proxy)
    online = app_for(profile)  # the console started again once the network is back: it sends what waits
    async with online.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, MANAGER)
        await sync(online)
        assert server(online, f"/v1/products/{product_id}")["price"] == price
        assert outbox(profile) == []


async def test_keys_typed_in_one_burst_act_on_the_page_they_asked_for(stack: StackInfo, proxy: FaultProxy) -> None:
    """ "/", a search, Enter and "e" arriving together (a fast typist, a pasted line) edit the product found, not the
    one highlighted before the search: Textual routes each key when it arrives, before earlier keys are handled."""
    app = app_for(snapshot_profile(stack, proxy))
    async with app.run_test(size=(80, 24)) as pilot:
        await seeded_sign_in(pilot, stack, proxy, MANAGER, offline=False)
        await products_open(pilot)
        driver = app._driver
        assert driver is not None
        for key, char in [
            ("slash", "/"),
            *((c, c) for c in "organic"),
            ("space", " "),
            *((c, c) for c in "milk"),
            ("enter", "\r"),
            ("e", "e"),
        ]:
            event = events.Key(key, char)
            event.set_sender(app)
            driver.send_message(event)  # all at once, as a terminal delivers a burst
        await until(pilot, lambda: isinstance(app.screen, ProductFormScreen) and app.screen.form is not None)
        product = app.screen.form.product  # type: ignore[attr-defined]
        assert product is not None and "Organic" in product.name and "Milk" in product.name


# --- pictures ----------------------------------------------------------------------------------------------------


shot = partial(screen_shot, start=products_open)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_list(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]) -> None:
    assert shot(snap_compare, stack, proxy, size)


def test_snapshot_list_offline_searched(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy) -> None:
    async def searched(pilot: Pilot) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, ProductsScreen)
        await search(pilot, screen, "organic milk")

    assert shot(snap_compare, stack, proxy, (80, 24), searched, offline=True)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_detail(snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]) -> None:
    async def detail(pilot: Pilot) -> None:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ProductDetailScreen) and pilot.app.screen.facts)

    assert shot(snap_compare, stack, proxy, size, detail)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_new_product_refusals(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]
) -> None:
    async def refused(pilot: Pilot) -> None:
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, ProductFormScreen) and pilot.app.screen.form)
        await fill(pilot, {"name": "Oat Bar", "sku": "", "barcode": "4006381333932", "price": "1.255", "tax_rate": "x"})
        await pilot.press("f2")
        await settle(pilot)

    assert shot(snap_compare, stack, proxy, size, refused)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_edit_product(
    snap_compare: SnapCompare, stack: StackInfo, proxy: FaultProxy, size: tuple[int, int]
) -> None:
    async def editing(pilot: Pilot) -> None:
        await pilot.press("down", "e")
        await until(pilot, lambda: isinstance(pilot.app.screen, ProductFormScreen) and pilot.app.screen.form)

    assert shot(snap_compare, stack, proxy, size, editing)
