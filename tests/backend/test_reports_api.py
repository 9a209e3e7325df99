"""GET /v1/reports/sales on SQLite and PostgreSQL: a seeded weekend (27-28 March 2021, when Paris moved its clocks
forward) grouped every way against hand-computed figures, in UTC and in Europe/Paris, with totals equal to the sum
of the rows; the default period (today), validation, roles and shop isolation.

The seeded sales (Corner Grocer, EUR; tax is round-half-even per line):
- o1 2021-03-27 09:15Z, till R1, cg.cashier: 3 apples (3.00, 10%) = 9.00 + 0.90; 2 bread (2.50, 5%) less 0.50 =
  4.50 + 0.22. Total 14.62, paid 20.00 cash.
- o2 2021-03-27 23:30Z (00:30 in Paris, already the 28th), till R2, cg.cashier2: 1 bread 2.50 + 0.12, by card.
- o3 2021-03-28 10:05Z, till R1, cg.manager: 1 apple 3.00 + 0.30; 2 tea (10.00, 20%, no category) 20.00 + 4.00.
  Total 27.30: 20.00 card, 10.00 cash (2.70 change), so card took 20.00 and cash 7.30.
- r1 2021-03-28 08:00Z: 1 apple of o1 back (3.00 + 0.30), in cash (o1's only tender).
- r2 2021-03-28 11:00Z: 1 tea of o3 back (10.00 + 2.00), to the card first.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from shop_data_testkit import Api, assert_problem, new_id, new_order

REPORT = "/v1/reports/sales"
UTC_WEEKEND = {"from": "2021-03-27T00:00:00Z", "to": "2021-03-29T00:00:00Z"}
PARIS_WEEKEND = {"from": "2021-03-27T00:00:00+01:00", "to": "2021-03-29T00:00:00+02:00", "tz": "Europe/Paris"}
FIGURES = ("orders", "quantity", "gross", "discounts", "tax", "net", "refunds")


def figures(orders: int, quantity: int, gross: int, discounts: int, tax: int, refunds: int) -> dict[str, int]:
    values = (orders, quantity, gross, discounts, tax, gross - discounts - refunds, refunds)
    return dict(zip(FIGURES, values, strict=True))


TOTALS = figures(3, 9, 3950, 50, 324, 1300)
APPLES, BREAD, TEA = figures(2, 4, 1200, 0, 90, 300), figures(2, 3, 750, 50, 34, 0), figures(1, 2, 2000, 0, 200, 1000)
EXPECTED: dict[str, dict[str | None, dict[str, int]]] = {
    "day": {"2021-03-27": figures(2, 6, 1650, 50, 124, 0), "2021-03-28": figures(1, 3, 2300, 0, 200, 1300)},
    "category": {None: TEA, "Bakery": BREAD, "Fruit": APPLES},
    "terminal": {"R1": figures(2, 8, 3700, 50, 312, 1300), "R2": figures(1, 1, 250, 0, 12, 0)},
    "cashier": {
        "cg.cashier": figures(1, 5, 1400, 50, 112, 0),
        "cg.cashier2": figures(1, 1, 250, 0, 12, 0),
        "cg.manager": figures(1, 3, 2300, 0, 200, 1300),
    },
    # o3 is shared 2000 : 730 between card and cash by cumulative floor (3 units: 2 and 1; 23.00: 16.84 and
    # 6.16; its tax 4.30: 3.15 and 1.15); r2 went back to the card alone.
    "tender": {"card": figures(2, 3, 1934, 0, 127, 1000), "cash": figures(2, 6, 2016, 50, 197, 300)},
}
EXPECTED_PARIS: dict[str, dict[str | None, dict[str, int]]] = {
    "day": {"2021-03-27": figures(1, 5, 1400, 50, 112, 0), "2021-03-28": figures(2, 4, 2550, 0, 212, 1300)},
    "hour": {
        "2021-03-27T10:00+01:00": figures(1, 5, 1400, 50, 112, 0),
        "2021-03-28T00:00+01:00": figures(1, 1, 250, 0, 12, 0),
        "2021-03-28T10:00+02:00": figures(0, 0, 0, 0, -30, 300),
        "2021-03-28T12:00+02:00": figures(1, 3, 2300, 0, 430, 0),
        "2021-03-28T13:00+02:00": figures(0, 0, 0, 0, -200, 1000),
    },
}


@pytest.fixture(scope="module")
def weekend(shop_data_api: Api) -> dict[str, Any]:
    api = shop_data_api
    apple = api.product(name="Apples", category="Fruit", price=300, tax_rate_bp=1000)
    bread = api.product(name="Bread", category="Bakery", price=250, tax_rate_bp=500)
    tea = api.product(name="Tea", category=None, price=1000, tax_rate_bp=2000)

    def sell(persona: str, at: str, till: str, lines: list, tenders: list, **first_line: Any) -> dict[str, Any]:
        body = new_order(lines, tenders=tenders, terminal_id=till, created_at=at, receipt_no=uuid.uuid4().hex)
        body["lines"][0] |= first_line
        return api.ok(api.post(persona, "/v1/orders", json=body), 201)

    cash_20 = [{"method": "cash", "amount": 2000}]
    o1 = sell("cg.cashier", "2021-03-27T09:15:00Z", "R1", [(bread, 2), (apple, 3)], cash_20, discount=50)
    o2 = sell("cg.cashier2", "2021-03-27T23:30:00Z", "R2", [(bread, 1)], [{"method": "card", "amount": 262}])
    o3 = sell(
        "cg.manager",
        "2021-03-28T10:05:00Z",
        "R1",
        [(apple, 1), (tea, 2)],
        [{"method": "card", "amount": 2000}, {"method": "cash", "amount": 1000}],
    )
    for order, product, at in ((o1, apple, "2021-03-28T08:00:00Z"), (o3, tea, "2021-03-28T11:00:00Z")):
        refund = {"id": new_id(), "lines": [{"product_id": product["id"], "quantity": 1}], "reason": "r"}
        api.ok(api.post("cg.manager", f"/v1/orders/{order['id']}/refunds", json={**refund, "created_at": at}), 201)
    return {"orders": (o1, o2, o3), "products": {"Apples": apple, "Bread": bread, "Tea": tea}}
    assert [o["total"] for o in (o1, o2, o3)] == [1462, 262, 2730]
    return {"orders": (o1, o2, o3), "products": {"Apples": apple, "Bread": bread, "Tea": tea}}


def report(api: Api, persona: str = "cg.manager", **params: Any) -> dict[str, Any]:
    return api.ok(api.get(persona, REPORT, params=params))


def by_key(body: dict[str, Any]) -> dict[str | None, dict[str, int]]:
    return {row["key"]: {name: row[name] for name in FIGURES} for row in body["rows"]}


def assert_rows_add_up(body: dict[str, Any]) -> None:
    for name in FIGURES[1:]:
        assert sum(row[name] for row in body["rows"]) == body["totals"][name], name


@pytest.mark.parametrize("group_by", sorted(EXPECTED))
def test_grouped_each_way_in_utc(shop_data_api: Api, weekend: dict[str, Any], group_by: str) -> None:
    body = report(shop_data_api, group_by=group_by, **UTC_WEEKEND)
    assert (body["group_by"], body["time_zone"], body["currency"]) == (group_by, "UTC", "EUR")
    assert (body["from"], body["to"]) == ("2021-03-27T00:00:00Z", "2021-03-29T00:00:00Z")
    assert by_key(body) == EXPECTED[group_by]
    assert [row["key"] for row in body["rows"]] == list(EXPECTED[group_by])  # by key, no category first
    assert body["totals"] == TOTALS
    assert_rows_add_up(body)


def test_grouped_by_product_with_names(shop_data_api: Api, weekend: dict[str, Any]) -> None:
    body = report(shop_data_api, group_by="product", **UTC_WEEKEND)
    ids = {name: product["id"] for name, product in weekend["products"].items()}
    assert by_key(body) == {ids["Apples"]: APPLES, ids["Bread"]: BREAD, ids["Tea"]: TEA}
    assert {row["key"]: row["label"] for row in body["rows"]} == {v: k for k, v in ids.items()}
    assert body["totals"] == TOTALS
    assert_rows_add_up(body)


@pytest.mark.parametrize("group_by", sorted(EXPECTED_PARIS))
def test_days_and_hours_in_the_callers_zone_across_a_clock_change(
    shop_data_api: Api, weekend: dict[str, Any], group_by: str
) -> None:
    body = report(shop_data_api, group_by=group_by, **PARIS_WEEKEND)
    assert body["time_zone"] == "Europe/Paris"
    assert (body["from"], body["to"]) == ("2021-03-26T23:00:00Z", "2021-03-28T22:00:00Z")
    assert by_key(body) == EXPECTED_PARIS[group_by]
    assert [row["key"] for row in body["rows"]] == list(EXPECTED_PARIS[group_by])  # in time order
    assert body["totals"] == TOTALS
    assert_rows_add_up(body)


def test_an_hour_seen_twice_when_clocks_go_back(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product(price=100, tax_rate_bp=0)
    for at, quantity in (("2021-10-31T00:30:00Z", 1), ("2021-10-31T01:30:00Z", 2)):  # 02:30 in Paris, twice
        api.order([(product, quantity)], created_at=at)
    params = {"from": "2021-10-31T00:00:00+02:00", "tz": "Europe/Paris", "group_by": "hour"}
    body = report(api, **params)
    assert body["to"] == "2021-10-31T23:00:00Z"  # that day was 25 hours long
    assert [(row["key"], row["quantity"]) for row in body["rows"]] == [
        ("2021-10-31T02:00+02:00", 1),
        ("2021-10-31T02:00+01:00", 2),
    ]
    [day] = report(api, **{**params, "group_by": "day"})["rows"]
    assert (day["key"], day["quantity"]) == ("2021-10-31", 3)


def test_the_period_is_half_open(shop_data_api: Api, weekend: dict[str, Any]) -> None:
    body = report(shop_data_api, **{"from": "2021-03-27T09:15:00Z", "to": "2021-03-28T10:05:00Z"})
    assert body["totals"] == figures(2, 6, 1650, 50, 124 - 30, 300)  # o1, o2 and r1; o3 starts at `to`


def test_default_period_is_today(shop_data_api: Api) -> None:
    api = shop_data_api
    product = api.product(price=100, tax_rate_bp=0)
    till = f"NOW-{uuid.uuid4().hex[:6]}"
    api.order([(product, 2)], terminal_id=till)
    body = report(api, group_by="terminal")
    today = datetime.now(UTC).date()
    assert body["from"] == f"{today.isoformat()}T00:00:00Z"
    assert body["to"] == f"{(today + timedelta(days=1)).isoformat()}T00:00:00Z"
    assert by_key(body)[till] == figures(1, 2, 200, 0, 0, 0)
    assert_rows_add_up(body)
    ahead = report(api, tz="Pacific/Kiritimati")  # UTC+14: its today starts 14 hours before UTC's
    assert ahead["from"].endswith("T10:00:00Z")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"tz": "Mars/Olympus_Mons"}, "/tz"),
        ({"tz": "../../etc/passwd"}, "/tz"),
        ({"from": "2021-03-28T00:00:00Z", "to": "2021-03-27T00:00:00Z"}, "/to"),
        ({"from": "2020-01-01T00:00:00Z", "to": "2021-03-27T00:00:00Z"}, "/to"),
        ({"group_by": "weekday"}, "/group_by"),
        ({"from": "2021-03-27"}, "/from"),
    ],
)
def test_invalid_queries(shop_data_api: Api, params: dict[str, str], parameter: str) -> None:
    problem = assert_problem(shop_data_api.get("cg.manager", REPORT, params=params), 422)
    assert problem["errors"][0]["pointer"] == parameter


def test_roles_and_shop_isolation(shop_data_api: Api, weekend: dict[str, Any]) -> None:
    api = shop_data_api
    assert_problem(api.get("cg.cashier", REPORT, params=UTC_WEEKEND), 403, "role-required")
    assert_problem(api.get("hh.cashier", REPORT, params=UTC_WEEKEND), 403, "role-required")
    for persona in ("cg.support", "cg.admin"):
        assert report(api, persona, **UTC_WEEKEND)["totals"] == TOTALS
    theirs = report(api, "hh.manager", group_by="product", **UTC_WEEKEND)
    assert theirs["rows"] == [] and theirs["currency"] == "USD"
    assert theirs["totals"] == dict.fromkeys(FIGURES, 0)
