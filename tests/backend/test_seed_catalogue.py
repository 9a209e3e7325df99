"""backend.seed.seed_catalogue on SQLite and PostgreSQL: the demo catalogues become products with an initial
stock count and reorder points, served by the API and in the change feed; seeding again changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from shop_api_testkit import CORNER_GROCER, HARBOR_HARDWARE
from shop_data_testkit import Api

from backend.seed import DEMO_DIR, read_catalogue_file, seed_catalogue

CATALOGUES = {"cg": ("corner-grocer.json", CORNER_GROCER), "hh": ("harbor-hardware.json", HARBOR_HARDWARE)}


@pytest.fixture(scope="module")
def seeded(database_url: str) -> dict[str, list[dict[str, Any]]]:
    catalogues = {}
    for shop, (file, row) in CATALOGUES.items():
        catalogues[shop] = read_catalogue_file(DEMO_DIR / file)
        assert seed_catalogue(database_url, row["id"], catalogues[shop]) == len(catalogues[shop])
    return catalogues


def feed_cursor(api: Api, persona: str) -> str:
    since = None
    while True:
        page = api.ok(
            api.get(persona, "/v1/sync/changes", params={"limit": 5000, **({"since": since} if since else {})})
        )
        since = page["next_cursor"]
        if not page["has_more"]:
            return since


def test_products_stock_and_reorder_points_are_served(shop_data_api: Api, seeded: dict[str, list[dict]]) -> None:
    api = shop_data_api
    for shop, products in seeded.items():
        manager = f"{shop}.manager"
        sample = products[:: len(products) // 8]
        for product in sample:
            served = api.ok(api.get(manager, "/v1/products", params={"barcode": product["barcode"]}))["items"]
            assert [p["id"] for p in served] == [product["id"]]
            expected = {k: product[k] for k in ("sku", "name", "category", "price", "tax_rate_bp", "active")}
            assert {k: served[0][k] for k in expected} == expected
            (level,) = api.ok(api.get(manager, "/v1/inventory", params={"product_id": product["id"]}))["items"]
            assert (level["on_hand"], level["reorder_point"]) == (product["on_hand"], product["reorder_point"])
        movements = api.ok(api.get(manager, "/v1/inventory/movements", params={"product_id": products[0]["id"]}))
        assert [(m["reason"], m["counted"], m["expected"]) for m in movements["items"]] == [
            ("count", products[0]["on_hand"], 0)
        ]
        low = {p["id"] for p in products if p["on_hand"] <= p["reorder_point"]}
        below = api.ok(api.get(manager, "/v1/inventory", params={"below_reorder": "true", "limit": 5000}))["items"]
        assert low <= {level["product_id"] for level in below}


def test_seeding_again_changes_nothing(shop_data_api: Api, seeded: dict[str, list[dict]], database_url: str) -> None:
    api = shop_data_api
    before = feed_cursor(api, "cg.manager")
    product = seeded["cg"][0]
    api.order([(product, 1)], persona="cg.cashier")  # sold since: a re-seed must not put it back
    after_sale = feed_cursor(api, "cg.manager")
    for shop, (_, row) in CATALOGUES.items():
        assert seed_catalogue(database_url, row["id"], seeded[shop]) == 0
    assert feed_cursor(api, "cg.manager") == after_sale != before
    assert api.on_hand(product["id"]) == product["on_hand"] - 1


def test_conflicting_data_and_unknown_shops_are_errors(seeded: dict[str, list[dict]], database_url: str) -> None:
    changed = {**seeded["cg"][0], "price": seeded["cg"][0]["price"] + 1}
    with pytest.raises(ValueError, match=changed["sku"]):
        seed_catalogue(database_url, CORNER_GROCER["id"], [changed])
    with pytest.raises(ValueError, match="seed it first"):
        seed_catalogue(database_url, "00000000-0000-4000-8000-000000000000", seeded["cg"][:1])


def test_the_seeded_catalogue_is_in_the_change_feed(shop_data_api: Api, seeded: dict[str, list[dict]]) -> None:
    api = shop_data_api
    products: set[str] = set()
    stock: set[str] = set()
    since = None
    while True:
        page = api.ok(
            api.get("hh.cashier", "/v1/sync/changes", params={"limit": 200, **({"since": since} if since else {})})
        )
        for change in page["changes"]:
            (products if change["entity"] == "product" else stock).add(change["id"])
        since = page["next_cursor"]
        if not page["has_more"]:
            break
    assert {p["id"] for p in seeded["hh"]} <= products
    assert {f"{p['id']}/store" for p in seeded["hh"]} <= stock
