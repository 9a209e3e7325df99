"""GET /v1/sync/changes on SQLite and PostgreSQL: products and stock of the caller's shop after a cursor, in
commit order, each row once at its latest state, paged with has_more; the cursor survives a restart; and with
two writers committing concurrently (out of order, on PostgreSQL) a reader that pages all the while ends up
having seen every change."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from shop_api_testkit import Cognito
from shop_data_testkit import Api, assert_problem, inprocess_api, new_adjustment, new_order, new_product, persona_tokens

CHANGES = "/v1/sync/changes"


def page(api: Api, since: str | None, limit: int = 1000, persona: str = "cg.cashier") -> dict[str, Any]:
    return api.ok(api.get(persona, CHANGES, params={"limit": limit, **({"since": since} if since else {})}))


def drain(api: Api, since: str | None, limit: int = 1000, persona: str = "cg.cashier") -> tuple[list[dict], str]:
    """Every change after `since`, and the cursor after the last."""
    changes: list[dict] = []
    while True:
        got = page(api, since, limit, persona)
        changes += got["changes"]
        since = got["next_cursor"]
        if not got["has_more"]:
            return changes, since


def test_changes_after_a_cursor_in_commit_order_each_row_once(shop_data_api: Api) -> None:
    api = shop_data_api
    _, cursor = drain(api, None)
    product = api.product()
    api.receive(product["id"], 5)
    api.ok(api.patch("cg.manager", f"/v1/products/{product['id']}", json={"price": 260}, headers={"If-Match": "1"}))
    api.ok(api.patch("cg.manager", f"/v1/products/{product['id']}", json={"price": 270}, headers={"If-Match": "2"}))
    api.order([(product, 2)])

    changes, after = drain(api, cursor)
    assert [(c["entity"], c["id"]) for c in changes] == [
        ("product", product["id"]),
        ("stock", f"{product['id']}/store"),
    ]
    assert (changes[0]["data"]["price"], changes[0]["data"]["version"]) == (270, 3)  # once, at its latest state
    assert changes[1]["data"] == {**changes[1]["data"], "on_hand": 3, "location": "store", "oversold": False}
    assert [c["deleted"] for c in changes] == [False, False]
    cursors = [int(c["cursor"]) for c in changes]
    assert cursors == sorted(cursors) and after == changes[-1]["cursor"]
    assert page(api, after) == {"changes": [], "next_cursor": after, "has_more": False}


def test_paging_with_has_more(shop_data_api: Api) -> None:
    api = shop_data_api
    _, cursor = drain(api, None)
    made = [api.product()["id"] for _ in range(5)]
    first = page(api, cursor, limit=2)
    assert len(first["changes"]) == 2 and first["has_more"]
    rest, _ = drain(api, first["next_cursor"], limit=2)
    assert [c["id"] for c in first["changes"] + rest] == made


def test_only_the_callers_shop(shop_data_api: Api) -> None:
    api = shop_data_api
    _, cg_cursor = drain(api, None)
    _, hh_cursor = drain(api, None, persona="hh.cashier")
    harbor = api.product("hh.manager")
    corner = api.product("cg.manager")
    assert [c["id"] for c in drain(api, cg_cursor)[0]] == [corner["id"]]
    assert [c["id"] for c in drain(api, hh_cursor, persona="hh.cashier")[0]] == [harbor["id"]]
    everything = drain(api, None, persona="hh.cashier")[0]
    assert corner["id"] not in {c["id"] for c in everything}


@pytest.mark.parametrize("params", [{"since": "abc"}, {"since": "-1"}, {"limit": 0}, {"limit": 5001}])
def test_bad_parameters(shop_data_api: Api, params: dict) -> None:
    assert_problem(shop_data_api.get("cg.cashier", CHANGES, params=params), 422, "validation")


def test_a_cursor_from_elsewhere_is_refused(shop_data_api: Api) -> None:
    assert_problem(shop_data_api.get("cg.cashier", CHANGES, params={"since": str(10**15)}), 410, "cursor-ahead")


def test_every_role_reads_changes(shop_data_api: Api) -> None:
    for persona in ("cg.cashier", "cg.manager", "cg.support", "cg.admin"):
        shop_data_api.ok(shop_data_api.get(persona, CHANGES, params={"limit": 1}))
    assert_problem(shop_data_api.get(None, CHANGES), 401)


def test_the_cursor_survives_a_restart(database_url: str, cognito: Cognito) -> None:
    tokens = persona_tokens(cognito)
    with inprocess_api(database_url, cognito) as url:
        api = Api(url, tokens)
        _, cursor = drain(api, None)
        before = api.product()
        api.close()
    with inprocess_api(database_url, cognito) as url:
        api = Api(url, tokens)
        after = api.product()
        assert [c["id"] for c in drain(api, cursor)[0]] == [before["id"], after["id"]]
        api.close()


def test_concurrent_writers_and_a_paging_reader(shop_data_api: Api) -> None:
    """Two writers commit orders, adjustments and new products at once (multi-line orders hold their transaction
    longer, so commits overtake each other); a reader pages on from its cursor the whole time, never starting
    over. Afterwards what it saw of every row the writers touched is that row's current state."""
    api = shop_data_api
    _, cursor = drain(api, None)
    catalogue = [api.product() for _ in range(12)]
    touched_products = {p["id"] for p in catalogue}
    touched_stock: set[tuple[str, str]] = set()
    seen: dict[str, dict] = {}
    stop = threading.Event()
    errors: list[BaseException] = []

    def record(changes: list[dict]) -> None:
        for change in changes:
            seen[change["id"]] = change["data"]

    def reader() -> None:
        nonlocal cursor
        try:
            while not stop.is_set():
                got = page(api, cursor, limit=7)
                record(got["changes"])
                assert int(got["next_cursor"]) >= int(cursor)
                cursor = got["next_cursor"]
        except BaseException as exc:
            errors.append(exc)

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for step in range(40):
                if step % 3 == 0:
                    lines = [(p, rng.randint(1, 3)) for p in rng.sample(catalogue, rng.randint(3, 8))]
                    api.order(lines)
                    touched_stock.update((p["id"], "store") for p, _ in lines)
                elif step % 3 == 1:
                    location = rng.choice(["store", f"bin-{seed}"])
                    product_id = rng.choice(catalogue)["id"]
                    body = new_adjustment(product_id, reason="receive", delta=rng.randint(1, 9), location=location)
                    api.ok(api.post("cg.manager", "/v1/inventory/adjustments", json=body), 201)
                    touched_stock.add((product_id, location))
                else:
                    touched_products.add(api.product()["id"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader), *(threading.Thread(target=writer, args=(s,)) for s in (1, 2))]
    for thread in threads:
        thread.start()
    for thread in threads[1:]:
        thread.join(300)
    stop.set()
    threads[0].join(60)
    assert not errors, errors
    record(drain(api, cursor)[0])  # what committed after the reader's last page

    for product_id in touched_products:
        assert seen[product_id] == api.ok(api.get("cg.manager", f"/v1/products/{product_id}")), product_id
    for product_id, location in touched_stock:
        params = {"product_id": product_id, "location": location}
        (level,) = api.ok(api.get("cg.manager", "/v1/inventory", params=params))["items"]
        assert seen[f"{product_id}/{location}"] == level, (product_id, location)


def test_sync_pushed_writes_are_in_the_feed(shop_data_api: Api) -> None:
    api = shop_data_api
    _, cursor = drain(api, None)
    product = new_product()
    ops = [
        {"seq": 1, "id": product["id"], "type": "product.create", "payload": product},
        {"seq": 2, "id": (order := new_order([(product, 4)]))["id"], "type": "order.create", "payload": order},
    ]
    api.ok(api.post("cg.manager", "/v1/sync/push", json={"client_id": "feed", "ops": ops}))
    changes, _ = drain(api, cursor)
    assert [(c["entity"], c["data"].get("on_hand")) for c in changes] == [("product", None), ("stock", -4)]
