"""GET /v1/admin/business-metrics on both databases: counts across every shop (past RLS on PostgreSQL), with the
windows the route documents: active = a sale, refund or stock adjustment received in the last 24 h, transactions
= orders received in the last hour.

The history is written straight into the tables as the database owner, because only that can date it in the
past (the API stamps what it receives with the time it receives it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from shop_api_testkit import CORNER_GROCER, HARBOR_HARDWARE, Cognito, ShopApiProcess
from shop_data_testkit import Api, persona_tokens

from backend.db import create_engine
from backend.db.tables import orders, products, refunds, stock_movements

METRICS = "/v1/admin/business-metrics"


class History:
    """Writes dated activity as the owner; `received` is how long ago the server got it."""

    def __init__(self, engine: sa.Engine, cognito: Cognito):
        self.engine = engine
        self.cognito = cognito
        self.now = datetime.now(UTC)
        self.products: dict[str, str] = {}

    def _insert(self, table: sa.Table, **row: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(table.insert().values(**row))

    def order(self, shop: dict[str, str], username: str, received: timedelta) -> str:
        order_id = str(uuid.uuid4())
        at = self.now - received
        self._insert(
            orders,
            shop_id=shop["id"],
            id=order_id,
            terminal_id="T1",
            receipt_no=order_id,
            created_at=at,
            received_at=at,
            cashier_sub=self.cognito.subs[username],
            cashier_username=username,
            subtotal=100,
            tax=0,
            total=100,
            tendered=100,
            change=0,
            flags=[],
            request_hash="x",
        )
        return order_id

    def refund(self, shop: dict[str, str], username: str, order_id: str, received: timedelta) -> None:
        at = self.now - received
        self._insert(
            refunds,
            shop_id=shop["id"],
            id=str(uuid.uuid4()),
            order_id=order_id,
            reason="damaged",
            created_at=at,
            received_at=at,
            created_by=self.cognito.subs[username],
            amount=100,
            tax=0,
            total=100,
            request_hash="x",
        )

    def adjustment(self, shop: dict[str, str], username: str, received: timedelta) -> None:
        at = self.now - received
        self._insert(
            stock_movements,
            shop_id=shop["id"],
            source="adjustment",
            source_id=str(uuid.uuid4()),
            line_no=0,
            product_id=self._product(shop),
            location="store",
            delta=5,
            reason="receive",
            note="",
            created_by=self.cognito.subs[username],
            created_at=at,
        )

    def _product(self, shop: dict[str, str]) -> str:
        if shop["id"] not in self.products:
            product_id = self.products[shop["id"]] = str(uuid.uuid4())
            self._insert(
                products,
                shop_id=shop["id"],
                id=product_id,
                sku=f"SKU-{product_id[:8]}",
                name="Test product",
                price=100,
                tax_rate_bp=0,
                active=True,
                version=1,
                request_hash="x",
                created_by="test",
                created_at=self.now,
                updated_at=self.now,
                change_seq=1,
            )
        return self.products[shop["id"]]


@pytest.fixture(scope="module")
def history(database_url: str, cognito: Cognito) -> Iterator[History]:
    engine = create_engine(database_url)
    yield History(engine, cognito)
    engine.dispose()


@pytest.fixture(scope="module")
def admin_api(shop_api: ShopApiProcess, cognito: Cognito) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {persona_tokens(cognito)['cg.admin']}"}
    with httpx.Client(base_url=shop_api.url, headers=headers, timeout=10) as client:
        yield client


def metrics(api: httpx.Client) -> dict[str, Any]:
    response = api.get(METRICS)
    assert response.status_code == 200, response.text
    return response.json()


def counts(body: dict[str, Any]) -> tuple[int, int, int]:
    return body["active_shops"], body["active_users"], body["transactions_last_hour"]


def test_counts_across_shops_within_the_windows(admin_api: httpx.Client, history: History) -> None:
    assert counts(metrics(admin_api)) == (0, 0, 0)

    recent = history.order(CORNER_GROCER, "cg.cashier", timedelta(minutes=10))
    history.order(CORNER_GROCER, "cg.cashier", timedelta(hours=2))  # active, but not in the last hour
    history.refund(CORNER_GROCER, "cg.manager", recent, timedelta(minutes=5))  # active; a refund is no sale
    history.order(HARBOR_HARDWARE, "hh.cashier", timedelta(hours=25))  # too long ago for anything
    history.adjustment(HARBOR_HARDWARE, "hh.cashier", timedelta(hours=30))
    assert counts(metrics(admin_api)) == (1, 2, 1)

    # The admin is a Corner Grocer staff member, yet sees Harbor Hardware's activity too.
    history.adjustment(HARBOR_HARDWARE, "hh.cashier", timedelta(hours=23))
    history.order(HARBOR_HARDWARE, "hh.cashier", timedelta(minutes=59))
    assert counts(metrics(admin_api)) == (2, 3, 2)


def test_states_its_windows(admin_api: httpx.Client) -> None:
    body = metrics(admin_api)
    collected = datetime.fromisoformat(body["collected_at"])
    assert collected - datetime.fromisoformat(body["active_since"]) == timedelta(hours=24)
    assert collected - datetime.fromisoformat(body["transactions_since"]) == timedelta(hours=1)
    assert abs(datetime.now(UTC) - collected) < timedelta(minutes=1)


def test_an_order_through_the_api_counts_at_once(
    admin_api: httpx.Client, shop_api: ShopApiProcess, cognito: Cognito
) -> None:
    before = metrics(admin_api)
    api = Api(shop_api.url, persona_tokens(cognito))
    try:
        product = api.product(persona="hh.manager")
        api.order([(product, 2)], persona="hh.cashier", created_at="2020-01-01T00:00:00Z")  # sold offline long ago
    finally:
        api.close()
    after = metrics(admin_api)
    assert after["transactions_last_hour"] == before["transactions_last_hour"] + 1
    assert after["active_users"] >= 1 and after["active_shops"] >= 1
