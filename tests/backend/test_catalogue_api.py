"""/v1/products on SQLite and PostgreSQL: create (idempotent by the client's id), get, search and keyset pages,
versioned PATCH (428 without If-Match, 409 with the current product when stale), unique SKU and barcode per shop,
barcode check digits, archive instead of delete, and text that cannot reach a terminal as control characters."""

from __future__ import annotations

import uuid

import pytest
from shop_data_testkit import Api, assert_problem, new_id, new_product

PRODUCTS = "/v1/products"


def test_create_then_replay_then_other_body(shop_data_api: Api) -> None:
    api = shop_data_api
    body = new_product(category=None)
    created = api.ok(api.post("cg.manager", PRODUCTS, json=body), 201)
    assert created == {**body, "version": 1, "updated_at": created["updated_at"]}
    replayed = api.post("cg.manager", PRODUCTS, json=body)
    assert replayed.status_code == 200
    assert replayed.json() == created
    assert replayed.headers["ETag"] == '"1"'
    assert_problem(api.post("cg.manager", PRODUCTS, json={**body, "price": 999}), 422, "id-reused")


def test_replay_of_a_create_answers_200_after_the_product_changed(shop_data_api: Api) -> None:
    api = shop_data_api
    body = new_product()
    api.ok(api.post("cg.manager", PRODUCTS, json=body), 201)
    api.ok(api.patch("cg.manager", f"{PRODUCTS}/{body['id']}", json={"price": 300}, headers={"If-Match": "1"}))
    replayed = api.ok(api.post("cg.manager", PRODUCTS, json=body), 200)
    assert (replayed["price"], replayed["version"]) == (300, 2)


def test_get_one_and_unknown(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    response = api.get("cg.cashier", f"{PRODUCTS}/{product['id']}")
    assert api.ok(response) == product
    assert response.headers["ETag"] == '"1"'
    assert_problem(api.get("cg.cashier", f"{PRODUCTS}/{new_id()}"), 404)
    assert_problem(api.get("cg.cashier", f"{PRODUCTS}/not-a-uuid"), 422, "validation")


def test_patch_needs_if_match_and_refuses_a_stale_version(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    path = f"{PRODUCTS}/{product['id']}"
    assert_problem(api.patch("cg.manager", path, json={"price": 1}), 428, "version-required")
    assert_problem(api.patch("cg.manager", path, json={"price": 1}, headers={"If-Match": "x"}), 422, "validation")
    first = api.patch("cg.manager", path, json={"price": 275, "name": "Renamed"}, headers={"If-Match": '"1"'})
    edited = api.ok(first)
    assert (edited["price"], edited["name"], edited["version"], first.headers["ETag"]) == (275, "Renamed", 2, '"2"')
    stale = assert_problem(api.patch("cg.manager", path, json={"price": 1}, headers={"If-Match": "1"}), 409)
    assert stale["type"] == "urn:shop-api:problem:version-conflict"
    assert stale["current"] == edited
    assert api.ok(api.get("cg.manager", path))["price"] == 275  # never silently overwritten
    assert_problem(api.patch("cg.manager", f"{PRODUCTS}/{new_id()}", json={"price": 1}, headers={"If-Match": "1"}), 404)


def test_patch_validates_fields(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    path = f"{PRODUCTS}/{product['id']}"
    for body in ({}, {"name": None}, {"price": -1}, {"price": 1.5}, {"unknown": 1}, {"tax_rate_bp": 10_001}):
        assert_problem(api.patch("cg.manager", path, json=body, headers={"If-Match": "1"}), 422, "validation")
    cleared = api.ok(api.patch("cg.manager", path, json={"barcode": None, "category": None}, headers={"If-Match": "1"}))
    assert (cleared["barcode"], cleared["category"]) == (None, None)


def test_archive_instead_of_delete(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product()
    archived = api.ok(
        api.patch("cg.manager", f"{PRODUCTS}/{product['id']}", json={"active": False}, headers={"If-Match": "1"})
    )
    assert archived["active"] is False
    assert api.request("cg.manager", "DELETE", f"{PRODUCTS}/{product['id']}").status_code == 405
    archived_ids = {
        p["id"] for p in api.ok(api.get("cg.cashier", PRODUCTS, params={"active": "false", "limit": 500}))["items"]
    }
    assert product["id"] in archived_ids


def test_sku_and_barcode_are_unique_per_shop(shop_data_api: Api) -> None:
    api = shop_data_api
    first = api.product()
    clash = assert_problem(
        api.post("cg.manager", PRODUCTS, json=new_product(sku=first["sku"].lower())), 422, "identifier-taken"
    )
    assert [e["pointer"] for e in clash["errors"]] == ["/sku"]
    assert first["id"] in clash["detail"]
    clash = assert_problem(api.post("cg.manager", PRODUCTS, json=new_product(barcode=first["barcode"])), 422)
    assert [e["pointer"] for e in clash["errors"]] == ["/barcode"]
    other = api.product()
    taken = api.patch("cg.manager", f"{PRODUCTS}/{other['id']}", json={"sku": first["sku"]}, headers={"If-Match": "1"})
    assert [e["pointer"] for e in assert_problem(taken, 422, "identifier-taken")["errors"]] == ["/sku"]
    assert api.ok(api.get("cg.manager", f"{PRODUCTS}/{other['id']}"))["version"] == 1
    # Another shop may use the same SKU and barcode.
    api.product("hh.manager", sku=first["sku"], barcode=first["barcode"])


@pytest.mark.parametrize(
    ("barcode", "valid"),
    [
        ("4006381333931", True),  # EAN-13
        ("036000291452", True),  # UPC-A
        ("96385074", True),  # EAN-8
        ("SHOP-0001", True),  # a shop's own code
        ("4006381333932", False),  # wrong check digit
        ("x" * 33, False),
        ("caf\u00e9", False),
        (" SHOP-1", False),
        ("", False),
    ],
)
def test_barcodes_are_validated(shop_data_api: Api, barcode: str, valid: bool) -> None:
    response = shop_data_api.post("hh.manager", PRODUCTS, json=new_product(barcode=barcode))
    if valid:
        assert shop_data_api.ok(response, 201)["barcode"] == barcode
    else:
        problem = assert_problem(response, 422, "validation")
        assert [e["pointer"] for e in problem["errors"]] == ["/barcode"]


@pytest.mark.parametrize("field", ["name", "sku", "category"])
@pytest.mark.parametrize("text", ["\x1b[2J\x1b[31mRED", "nul\x00", "bell\x07", "c1\x9b31m"])
def test_control_characters_are_refused(shop_data_api: Api, field: str, text: str) -> None:
    problem = assert_problem(shop_data_api.post("cg.manager", PRODUCTS, json=new_product(**{field: text})), 422)
    assert [e["pointer"] for e in problem["errors"]] == [f"/{field}"]


def test_unicode_names_are_kept(shop_data_api: Api) -> None:
    product = shop_data_api.product(name="Crème brûlée 🍮 — 200 g")
    assert shop_data_api.ok(shop_data_api.get("cg.cashier", f"{PRODUCTS}/{product['id']}"))["name"] == product["name"]


@pytest.mark.parametrize("body", [{"price": 1.0}, {"price": "250"}, {"price": True}, {"active": "yes"}, {"extra": 1}])
def test_money_is_an_integer_and_fields_are_known(shop_data_api: Api, body: dict) -> None:
    assert_problem(shop_data_api.post("cg.manager", PRODUCTS, json=new_product(**body)), 422, "validation")


def test_search_by_name_or_sku_any_case_and_by_barcode(shop_data_api: Api) -> None:
    api = shop_data_api
    tag = uuid.uuid4().hex[:8]
    milk = api.product(name=f"Whole Milk {tag} 1 L", sku=f"MLK-{tag}")
    api.product(name=f"Oat Drink {tag}", sku=f"OAT-{tag}")
    api.product(name=f"100% juice_{tag}", sku=f"JCE-{tag}")

    def names(**params: str) -> list[str]:
        return [p["name"] for p in api.ok(api.get("cg.cashier", PRODUCTS, params=params))["items"]]

    assert names(q=f"milk {tag}") == [milk["name"]]
    assert names(q=f"mlk-{tag.upper()}") == [milk["name"]]
    assert names(q=tag) == sorted([milk["name"], f"Oat Drink {tag}", f"100% juice_{tag}"])
    assert names(q=f"0%_juice_{tag}") == []  # % and _ are literal characters, not wildcards
    assert names(q=f"0% juice_{tag}") == [f"100% juice_{tag}"]
    assert names(barcode=milk["barcode"]) == [milk["name"]]
    assert_problem(api.get("cg.cashier", PRODUCTS, params={"barcode": "4006381333932"}), 422)


def test_keyset_pages_cover_everything_once(shop_data_api: Api) -> None:
    api = shop_data_api
    tag = uuid.uuid4().hex[:8]
    made = {api.product(name=f"Page {tag} {n % 3}")["id"] for n in range(7)}  # repeated names: the id breaks ties
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": f"Page {tag}", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.ok(api.get("cg.cashier", PRODUCTS, params=params))
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 3
    assert len(seen) == len(made) and set(seen) == made


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 501}, {"cursor": "garbage"}, {"cursor": "WzEsMl0"}, {"q": "a\x00"}]
)
def test_bad_list_parameters(shop_data_api: Api, params: dict) -> None:
    assert_problem(shop_data_api.get("cg.cashier", PRODUCTS, params=params), 422, "validation")
