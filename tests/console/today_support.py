"""A seeded day for the "Today" tests, on the suite's stack and in a till's cache: 28 Nov 2025, a day no other test
sells on, so the server's figures of it are these alone.

Till TD1 (through its cache and a sync, as a till does it): a shift with a 100.00 float; three sales (cash, card,
card and cash with a discount); a refund; 5.00 paid out; closed 0.20 short. Till TD2 (straight to shop-api): a shift
still open and one cash sale. Till TD3: a late card sale with no shift open, which shop-api puts in an "unassigned"
shift. Every id is fixed and every time too, so seeding again (another test) is a replay that changes nothing.

Products (price, tax): onions 2.50 at 0 % (Produce), yogurt 1.80 at 7 % (Dairy), batteries 4.99 at 20 % (no
category). The figures the tests expect are worked out by hand in test_today_service.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from console.api import ApiClient
from console.config import Profile
from console.demo import StackInfo
from console.session import SessionService, SignedIn
from console.sync_service import queue_path, sync_once
from offline_cache.models import RefundLine, SaleLine, Tender
from offline_cache.store import Store
from tests.console.conftest import stack_profile, user

DAY = dt.date(2025, 11, 28)
TILL, OTHER_TILL, LATE_TILL = "TD1", "TD2", "TD3"
MANAGER = "corner-manager"
_IDS = uuid.UUID("6f0d3c1e-7f6b-4c55-9a43-0c1d2e3f4a5b")
ONIONS = {"name": "Yellow onions 1 kg", "sku": "TODAY-ONION", "price": 250, "tax_rate_bp": 0, "category": "Produce"}
YOGURT = {"name": "Yogurt natural 500 g", "sku": "TODAY-YOGURT", "price": 180, "tax_rate_bp": 700, "category": "Dairy"}
BATTERIES = {"name": "Zinc batteries AA", "sku": "TODAY-BATT", "price": 499, "tax_rate_bp": 2000, "category": None}


def fixed_id(name: str) -> str:
    return str(uuid.uuid5(_IDS, name))


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=dt.UTC)


def till_profile(stack: StackInfo) -> Profile:
    """TD1's profile: a cache of its own, apart from the demo profile's that the screens' tests seed."""
    return stack_profile(stack).model_copy(update={"name": "today-td1", "terminal_id": TILL})


def seed_till(store: Store, moment: list[dt.datetime]) -> None:
    """TD1's day in its cache; `moment[0]` is the store's clock, moved before each write."""

    def now(hour: int, minute: int = 0) -> None:
        moment[0] = at(hour, minute)

    now(7, 55)
    onions, yogurt, batteries = (
        store.writes.create_product(**product, product_id=fixed_id(product["sku"]))
        for product in (ONIONS, YOGURT, BATTERIES)
    )
    now(8)
    store.shifts.open(10_000, currency="USD", opened_by=MANAGER, shift_id=fixed_id("TD1 shift"))
    now(9, 10)
    store.writes.record_sale(
        [SaleLine(onions.id, 4), SaleLine(yogurt.id, 2)],
        [Tender("cash", 2000)],
        cashier=MANAGER,
        order_id=fixed_id("S1"),
    )
    now(9, 40)
    store.writes.record_sale(
        [SaleLine(batteries.id, 1)], [Tender("card", 599)], cashier=MANAGER, order_id=fixed_id("S2")
    )
    now(11, 5)
    store.writes.record_sale(
        [SaleLine(yogurt.id, 3, discount=40), SaleLine(onions.id, 2)],
        [Tender("card", 500), Tender("cash", 1000)],
        cashier=MANAGER,
        order_id=fixed_id("S3"),
    )
    now(14, 20)
    store.writes.record_refund(fixed_id("S3"), [RefundLine(yogurt.id, 1)], "split pot", refund_id=fixed_id("R1"))
    now(15)
    store.shifts.record_cash("paid_out", 500, "window cleaner", created_by=MANAGER, movement_id=fixed_id("P1"))
    now(17)
    store.shifts.close(11_400, currency="USD", closed_by=MANAGER)


def _order(name: str, terminal: str, when: dt.datetime, product: str, quantity: int, tender: Tender) -> dict[str, Any]:
    price = {ONIONS["sku"]: 250, BATTERIES["sku"]: 499}[product]
    return {
        "id": fixed_id(name),
        "terminal_id": terminal,
        "receipt_no": f"{terminal}-{name}",
        "created_at": when.isoformat(),
        "lines": [{"product_id": fixed_id(product), "quantity": quantity, "unit_price": price}],
        "tenders": [{"method": tender.method, "amount": tender.amount}],
    }


def seed_other_tills(api: ApiClient) -> None:
    """TD2's open shift and sale, and TD3's late sale (no shift: unassigned), straight to shop-api."""
    shift = {
        "id": fixed_id("TD2 shift"),
        "terminal_id": OTHER_TILL,
        "opening_float": 5000,
        "opened_at": at(10).isoformat(),
    }
    api.request("POST", "/v1/shifts", json=shift)
    api.request("POST", "/v1/orders", json=_order("S4", OTHER_TILL, at(16, 30), ONIONS["sku"], 1, Tender("cash", 250)))
    api.request(
        "POST", "/v1/orders", json=_order("S5", LATE_TILL, at(12, 15), BATTERIES["sku"], 2, Tender("card", 1198))
    )


def seed_cache(profile: Profile) -> None:
    """TD1's day in the profile's cache, nothing sent."""
    moment = [at(7)]
    with Store.open(queue_path(profile), terminal_id=TILL, clock=lambda: moment[0]) as store:
        seed_till(store, moment)


def seed_day(stack: StackInfo) -> Profile:
    """The whole day: TD1's cache (of the profile returned) synced to shop-api, then TD2's and TD3's sales."""
    profile = till_profile(stack)
    seed_cache(profile)
    api = ApiClient(profile.api_url)
    session, _ = SessionService.for_profile(profile, api)
    manager = user(stack, MANAGER)
    assert isinstance(session.sign_in(manager.username, manager.password), SignedIn)
    try:
        outcome = sync_once(profile, session)
        assert outcome.drained, outcome
        seed_other_tills(api)
    finally:
        session.sign_out()
        api.close()
    return profile
