"""The orders list: today's orders on this terminal's cache by default, with each one's sync state, filtered by
terminal, day and state, newest first, a page at a time (keyset on created_at and id)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import get_args

from console.counter import receipts
from console.counter.entry import clean_text
from offline_cache.clock import to_text
from offline_cache.models import LocalOrder, OrderSyncState
from offline_cache.store import Store

PAGE_SIZE = 100
STATES: tuple[OrderSyncState, ...] = get_args(OrderSyncState)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    day: dt.date
    terminal_id: str | None = None
    state: OrderSyncState | None = None

    def describe(self) -> str:
        parts = [f"{self.day:%a %d %b %Y}", f"terminal {self.terminal_id}" if self.terminal_id else "all terminals"]
        parts.append(self.state or "any sync state")
        return " · ".join(parts)


def day_bounds(day: dt.date, tz: dt.tzinfo) -> tuple[str, str]:
    """The local business day as RFC 3339 UTC bounds [since, until)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return to_text(start), to_text(start + dt.timedelta(days=1))


def parse_day(text: str, today: dt.date) -> dt.date:
    """ "today", "yesterday", "-2" (days ago) or YYYY-MM-DD; ValueError saying why."""
    typed = clean_text(text).lower()
    if typed in ("", "today"):
        return today
    if typed == "yesterday":
        return today - dt.timedelta(days=1)
    if typed.startswith("-") and typed[1:].isdecimal() and int(typed[1:]) <= 3660:
        return today - dt.timedelta(days=int(typed[1:]))
    try:
        return dt.date.fromisoformat(typed)
    except ValueError:
        raise ValueError(f"{clean_text(text)!r} is not a day: type YYYY-MM-DD, today, yesterday or -N.") from None


def parse_state(text: str) -> OrderSyncState | None:
    typed = clean_text(text).lower()
    if typed in ("", "any", "all"):
        return None
    for state in STATES:
        if state == typed:
            return state
    raise ValueError(f"{typed!r} is not a sync state: use {', '.join(STATES)} or any.")


@dataclass(frozen=True, slots=True)
class OrdersPage:
    orders: list[LocalOrder]
    filter: OrderFilter
    page: int  # 1-based
    has_more: bool


class OrdersView:
    def __init__(self, today: dt.date, tz: dt.tzinfo, page_size: int = PAGE_SIZE) -> None:
        self.filter = OrderFilter(today)
        self.tz = tz
        self.page_size = page_size
        self._starts: list[tuple[str, str] | None] = [None]  # the keyset bound of each page read so far

    def set_filter(self, store: Store, **changes: object) -> OrdersPage:
        self.filter = replace(self.filter, **changes)  # type: ignore[arg-type]
        self._starts = [None]
        return self._read(store)

    def reload(self, store: Store) -> OrdersPage:
        return self._read(store)

    def next(self, store: Store) -> OrdersPage:
        page = self._read(store)
        if page.has_more and page.orders:
            last = page.orders[-1]
            self._starts.append((last.created_at, last.id))
            return self._read(store)
        return page

    def previous(self, store: Store) -> OrdersPage:
        if len(self._starts) > 1:
            self._starts.pop()
        return self._read(store)

    def _read(self, store: Store) -> OrdersPage:
        since, until = day_bounds(self.filter.day, self.tz)
        rows = store.orders.list(
            since=since,
            until=until,
            terminal_id=self.filter.terminal_id,
            sync_state=self.filter.state,
            before=self._starts[-1],
            limit=self.page_size + 1,
        )
        return OrdersPage(rows[: self.page_size], self.filter, len(self._starts), len(rows) > self.page_size)


def reprint(order: LocalOrder, shop_name: str, currency: str) -> str:
    """The order's receipt again (the sale screen's layout), marked as a reprint."""
    shop = receipts.Shop(shop_name, currency, order.terminal_id)
    text = receipts.render(order, shop, offline=order.sync_state in ("pending", "syncing", "failed"))
    return "*** REPRINT ***".center(receipts.WIDTH).rstrip() + "\n" + text
