"""The "Today" service (console/counter/today.py) on the suite's stack: the seeded day (today_support.py) read from
shop-api equals the figures worked out by hand below, for the whole shop; read from the till's cache, the same
figures for that till alone; with shop-api out of reach it falls back to the cache and says why. The cache's
report (offline_cache/reports.py) shares figures among tenders as the server does."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from console.api import ApiClient
from console.counter import today
from console.demo import StackInfo
from console.session import SessionService, SignedIn
from console.sync_service import open_store
from offline_cache.reports import SalesFigures, SalesRow, shares
from tests.console.conftest import UNREACHABLE, user
from tests.console.today_support import (
    DAY,
    LATE_TILL,
    MANAGER,
    OTHER_TILL,
    TILL,
    fixed_id,
    seed_cache,
    seed_day,
    till_profile,
)

PARIS = ZoneInfo("Europe/Paris")  # UTC+1 in November: the hours below are the UTC ones plus one
NOW = dt.datetime(2025, 11, 28, 18, tzinfo=dt.UTC)


def figures(orders: int, quantity: int, gross: int, discounts: int, tax: int, refunds: int) -> SalesFigures:
    return SalesFigures(orders, quantity, gross, discounts, tax, refunds)


# By hand. S1 (TD1 09:10Z): onions 4 x 2.50 (tax 0) + yogurt 2 x 1.80 (3.60, tax 7 % = 0.252 → 0.25), cash 20.00
# (change 6.15). S2 (TD1 09:40Z): batteries 1 x 4.99 (tax 20 % = 0.998 → 1.00), card 5.99. S3 (TD1 11:05Z): yogurt
# 3 x 1.80 less 0.40 (5.00, tax 0.35) + onions 2 x 2.50, card 5.00 and cash 10.00 (change 4.65: cash took 5.35).
# R1 (TD1 14:20Z): 1 of S3's 3 yogurts: 5.00 / 3 = 1.67, tax 0.35 / 3 = 0.12; 1.79 back on the card.
# S4 (TD2 16:30Z): onions 1, cash 2.50. S5 (TD3 12:15Z): batteries 2 (9.98, tax 2.00), card 11.98.
SHOP_TOTALS = figures(5, 15, 4147, 40, 25 + 100 + 35 + 200 - 12, 167)
TILL_TOTALS = figures(3, 12, 2899, 40, 25 + 100 + 35 - 12, 167)
SHOP_CATEGORIES = {
    "Produce": figures(3, 7, 1750, 0, 0, 0),
    "Dairy": figures(2, 5, 900, 40, 25 + 35 - 12, 167),
    None: figures(2, 3, 1497, 0, 300, 0),
}
TILL_CATEGORIES = {
    "Produce": figures(2, 6, 1500, 0, 0, 0),
    "Dairy": SHOP_CATEGORIES["Dairy"],
    None: figures(1, 1, 499, 0, 100, 0),
}
# S3 is shared card 500 : cash 535 of 1035, each share truncated: quantity 5 → 2 + 3, gross 10.40 → 5.02 + 5.38,
# discount 0.40 → 0.19 + 0.21, tax 0.35 → 0.16 + 0.19. R1 went back on the card alone.
SHOP_TENDERS = {
    "card": figures(3, 1 + 2 + 2, 499 + 502 + 998, 19, 100 + 16 + 200 - 12, 167),
    "cash": figures(3, 6 + 3 + 1, 1360 + 538 + 250, 21, 25 + 19, 0),
}
TILL_TENDERS = {
    "card": figures(2, 1 + 2, 499 + 502, 19, 100 + 16 - 12, 167),
    "cash": figures(2, 6 + 3, 1360 + 538, 21, 25 + 19, 0),
}
SHOP_HOURS = {
    "2025-11-28T10:00+01:00": figures(2, 7, 1859, 0, 125, 0),
    "2025-11-28T12:00+01:00": figures(1, 5, 1040, 40, 35, 0),
    "2025-11-28T13:00+01:00": figures(1, 2, 998, 0, 200, 0),
    "2025-11-28T15:00+01:00": figures(0, 0, 0, 0, -12, 167),
    "2025-11-28T17:00+01:00": figures(1, 1, 250, 0, 0, 0),
}
TILL_HOURS = {key: SHOP_HOURS[key] for key in ("2025-11-28T10:00+01:00", "2025-11-28T12:00+01:00")} | {
    "2025-11-28T15:00+01:00": SHOP_HOURS["2025-11-28T15:00+01:00"]
}


def by_key(rows: tuple[SalesRow, ...]) -> dict[str | None, SalesFigures]:
    return {row.key: row.figures for row in rows}


def by_label(rows: tuple[SalesRow, ...] | list[SalesRow]) -> dict[str | None, SalesFigures]:
    return {row.label: row.figures for row in rows}


def assert_till_day(report: today.DayReport) -> None:
    """TD1's day as its cache has it."""
    assert (report.online, report.totals, report.totals.net) == (False, TILL_TOTALS, 2899 - 40 - 167)
    assert by_key(report.rows("category")) == TILL_CATEGORIES
    assert by_key(report.rows("tender")) == TILL_TENDERS
    assert by_key(report.rows("hour")) == TILL_HOURS
    assert [row.label for row in report.top_products] == [
        "Yellow onions 1 kg",
        "Yogurt natural 500 g",
        "Zinc batteries AA",
    ]
    assert [(row.label, row.figures.refunds) for row in report.refunded] == [("Yogurt natural 500 g", 167)]
    assert report.open_shifts == ()
    [closed] = report.closed_shifts
    assert (closed.id, closed.terminal_id, closed.opened_by) == (fixed_id("TD1 shift"), TILL, MANAGER)
    # 100.00 + cash 13.85 + 5.35 - paid out 5.00 = 114.20 expected; 114.00 counted.
    assert (closed.expected_cash, closed.counted_cash, closed.over_short) == (11_420, 11_400, -20)


def test_the_shops_day_from_shop_api_equals_the_hand_worked_figures(stack: StackInfo) -> None:
    profile = seed_day(stack)
    api = ApiClient(profile.api_url)
    session, _ = SessionService.for_profile(profile, api)
    manager = user(stack, MANAGER)
    assert isinstance(session.sign_in(manager.username, manager.password), SignedIn)
    try:
        with open_store(profile) as store:
            report = today.read_day(api, store, DAY, PARIS, "USD", NOW)
    finally:
        session.sign_out()
        api.close()
    assert (report.online, report.note, report.currency, report.zone) == (True, "", "USD", "Europe/Paris")
    assert report.totals == SHOP_TOTALS and report.totals.net == 4147 - 40 - 167
    assert by_key(report.rows("category")) == SHOP_CATEGORIES
    assert by_key(report.rows("tender")) == SHOP_TENDERS
    assert by_key(report.rows("hour")) == SHOP_HOURS
    assert by_label(report.top_products) == {
        "Yellow onions 1 kg": SHOP_CATEGORIES["Produce"],
        "Zinc batteries AA": SHOP_CATEGORIES[None],
        "Yogurt natural 500 g": SHOP_CATEGORIES["Dairy"],
    }
    assert [row.label for row in report.top_products] == [
        "Yellow onions 1 kg",
        "Zinc batteries AA",
        "Yogurt natural 500 g",
    ]
    ours = {TILL, OTHER_TILL, LATE_TILL}
    opened = [(s.terminal_id, s.kind, s.opening_float) for s in report.open_shifts if s.terminal_id in ours]
    assert opened == [(OTHER_TILL, "till", 5000), (LATE_TILL, "unassigned", 0)]
    [closed] = [s for s in report.closed_shifts if s.terminal_id in ours]
    assert (closed.id, closed.expected_cash, closed.counted_cash, closed.over_short) == (
        fixed_id("TD1 shift"),
        11_420,
        11_400,
        -20,
    )


def test_the_tills_day_from_its_cache_is_its_own_part(stack: StackInfo) -> None:
    """Signed in offline (no token): the same figures for TD1 alone, from its cache."""
    profile = till_profile(stack)
    seed_cache(profile)
    api = ApiClient(profile.api_url)  # no token: as after an offline unlock
    try:
        with open_store(profile) as store:
            report = today.read_day(api, store, DAY, PARIS, "USD", NOW)
    finally:
        api.close()
    assert report.note == "Signed in offline."
    assert_till_day(report)


def test_shop_api_out_of_reach_falls_back_to_the_cache(stack: StackInfo) -> None:
    profile = till_profile(stack)
    seed_cache(profile)
    api = ApiClient(UNREACHABLE)
    api.access_token = "a token from before the network went"
    try:
        with open_store(profile) as store:
            report = today.read_day(api, store, DAY, PARIS, "USD", NOW)
            other_day = today.read_day(api, store, DAY - dt.timedelta(days=1), PARIS, "USD", NOW)
    finally:
        api.close()
    assert report.note == "shop-api unreachable."
    assert_till_day(report)
    assert other_day.totals == SalesFigures() and other_day.closed_shifts == () and other_day.rows("hour") == ()


def test_shares_add_up_and_truncate_as_the_databases_do() -> None:
    assert shares(1040, [("cash", 535), ("card", 500)]) == [("card", 502), ("cash", 538)]
    assert shares(-35, [("card", 500), ("cash", 535)]) == [("card", -16), ("cash", -19)]  # toward zero
    assert shares(7, []) == [("none", 7)]
    assert shares(7, [("cash", 0), ("card", 0)]) == [("card", 7), ("cash", 0)]


def test_days_bars_and_labels() -> None:
    assert today.day_period(dt.date(2026, 3, 29), PARIS) == (  # the clocks go forward: a 23-hour day
        dt.datetime(2026, 3, 28, 23, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 22, tzinfo=dt.UTC),
    )
    assert today.today(dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC), PARIS) == dt.date(2026, 3, 15)
    assert [today.bar(n, 8, 2) for n in (0, 1, 4, 8, -3)] == ["", "▎", "█", "██", ""]
    assert today.hour_label("2026-03-14T09:00+01:00") == "09:00"
    assert (today.tender_label("card"), today.tender_label("none")) == ("Card", "No tender")
    assert (today.share(1, 3), today.share(1, 0)) == ("33%", "—")


def test_the_shop_zone_is_the_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert today.shop_zone().key == "America/New_York"
    monkeypatch.setenv("TZ", ":Europe/Paris")
    assert today.shop_zone().key == "Europe/Paris"
