"""The sales report of shop-api's GET /v1/reports/sales, worked out from this terminal's cache: the sales rung up
here and the refunds made here, so a manager offline still sees the day (this terminal's part of it).

The rules are the server's (backend/services/reports.py), so the figures agree once everything has synced:
order lines count by their order's business time and refund lines by the refund's; gross is quantity *
unit_price, tax excluded; a refund takes its tax off and counts as refunds; net = gross - discounts - refunds.
Category and product name are the catalogue's current ones (the local view here). Grouped by tender, each order's
figures are shared among its methods in proportion to what each took (cash net of change) and each refund's by
how its money went back (common.till.refund_split), by cumulative shares truncated as the databases divide, so the
rows add up to the totals. Hours are the local hours of `zone`, with their offset, as the server names them.
Discarded ops never reach the server: they do not count here either.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from common import till
from offline_cache.clock import from_text, to_text
from offline_cache.shifts import refunded_before, taken_by_method

GroupBy = Literal["hour", "category", "product", "tender"]  # what Today shows
NO_TENDER = "none"  # the server's key for an order paid by no tender
_KEPT = "(SELECT resolution FROM outbox WHERE id = {}) IS NOT 'discarded'"


@dataclass(frozen=True, slots=True)
class SalesFigures:
    """One row's (or the period's) figures, in minor units; as shop-api's SalesFigures."""

    orders: int = 0
    quantity: int = 0
    gross: int = 0  # quantity * unit_price, tax excluded
    discounts: int = 0
    tax: int = 0  # on the sales, less the tax refunded
    refunds: int = 0  # money refunded, tax excluded

    @property
    def net(self) -> int:
        return self.gross - self.discounts - self.refunds

    @property
    def takings(self) -> int:
        """What was kept, tax included: sales less discounts and refunds, plus their tax."""
        return self.net + self.tax


@dataclass(frozen=True, slots=True)
class SalesRow:
    key: str | None
    label: str | None  # the product's name for a product, else the key
    figures: SalesFigures


@dataclass(frozen=True, slots=True)
class SalesReport:
    group_by: GroupBy
    rows: tuple[SalesRow, ...]
    totals: SalesFigures


@dataclass(slots=True)
class _Fact:
    """What one order line, refund line or tender share adds to its row."""

    at: str
    order_id: str | None  # None for a refund: it counts no order
    product: str | None = None
    product_name: str | None = None
    category: str | None = None
    method: str | None = None
    quantity: int = 0
    gross: int = 0
    discounts: int = 0
    tax: int = 0
    refunds: int = 0


def _truncated(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded toward zero, as PostgreSQL's div and SQLite's integer division do."""
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


def shares(figure: int, weights: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """`figure` shared among methods by weight (in method order): each method's cumulative part less the one
    before it, so the parts add up to the figure. With no weight at all the first method takes it all; with no
    method, NO_TENDER does."""
    ordered = sorted(weights)
    if not ordered:
        return [(NO_TENDER, figure)]
    whole = sum(weight for _, weight in ordered)
    if whole == 0:
        return [(method, figure if n == 0 else 0) for n, (method, _) in enumerate(ordered)]
    parts, cumulative = [], 0
    for method, weight in ordered:
        before = _truncated(figure * cumulative, whole)
        cumulative += weight
        parts.append((method, _truncated(figure * cumulative, whole) - before))
    return parts


def hour_key(moment: dt.datetime, zone: ZoneInfo) -> str:
    """The local hour as shop-api names it: YYYY-MM-DDTHH:00±HH:MM."""
    local = moment.astimezone(zone)
    offset = int(local.utcoffset().total_seconds()) // 60  # type: ignore[union-attr]
    sign, minutes = ("+" if offset >= 0 else "-"), abs(offset)
    return f"{local:%Y-%m-%dT%H:00}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


class LocalReports:
    """Reports on this terminal's cache."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def sales(self, start: dt.datetime, end: dt.datetime, group_by: GroupBy, zone: ZoneInfo) -> SalesReport:
        """The sales and refunds recorded here in [start, end), grouped one way, with the period's totals."""
        since, until = to_text(start), to_text(end)
        plain = [*self._sale_lines(since, until), *self._refund_lines(since, until)]
        facts = self._tender_shares(since, until) if group_by == "tender" else plain
        keyed: dict[tuple[str | None, str | None], list[_Fact]] = defaultdict(list)
        for fact in facts:
            keyed[_key(fact, group_by, zone)].append(fact)
        order = _order(group_by)
        rows = tuple(
            SalesRow(key, extra if group_by == "product" else key, _summed(keyed[(key, extra)]))
            for key, extra in sorted(keyed, key=order)
        )
        return SalesReport(group_by, rows, _summed(plain))

    def shift_ids(self, start: dt.datetime, end: dt.datetime) -> tuple[list[str], list[str]]:
        """This terminal's shifts of [start, end): (open now and opened before its end, closed within it), each
        oldest first."""
        since, until = to_text(start), to_text(end)
        opened = self._conn.execute(
            "SELECT id FROM shifts WHERE status = 'open' AND opened_at < ? ORDER BY opened_at", (until,)
        )
        closed = self._conn.execute(
            "SELECT id FROM shifts WHERE status = 'closed' AND closed_at >= ? AND closed_at < ? ORDER BY closed_at",
            (since, until),
        )
        return [row[0] for row in opened], [row[0] for row in closed]

    # --- the facts -------------------------------------------------------------------------------------------

    def _sale_lines(self, since: str, until: str) -> list[_Fact]:
        rows = self._conn.execute(
            "SELECT o.created_at, o.id, l.product_id, COALESCE(p.name, l.name), p.category, l.quantity, "
            "l.quantity * l.unit_price, l.discount, l.tax FROM orders o JOIN order_lines l ON l.order_id = o.id "
            "LEFT JOIN products p ON p.id = l.product_id "
            f"WHERE o.origin = 'local' AND o.created_at >= ? AND o.created_at < ? AND {_KEPT.format('o.id')}",
            (since, until),
        )
        return [_Fact(*row[:5], quantity=row[5], gross=row[6], discounts=row[7], tax=row[8]) for row in rows]

    def _refund_lines(self, since: str, until: str) -> list[_Fact]:
        rows = self._conn.execute(
            "SELECT r.created_at, l.product_id, COALESCE(p.name, l.name), p.category, rl.tax, rl.amount "
            "FROM refunds r JOIN refund_lines rl ON rl.refund_id = r.id "
            "JOIN order_lines l ON l.order_id = r.order_id AND l.line_no = rl.line_no "
            "LEFT JOIN products p ON p.id = l.product_id "
            f"WHERE r.created_at >= ? AND r.created_at < ? AND {_KEPT.format('r.id')}",
            (since, until),
        )
        return [_Fact(at, None, *names, tax=-tax, refunds=amount) for at, *names, tax, amount in rows]

    def _tender_shares(self, since: str, until: str) -> list[_Fact]:
        """Each order's figures shared among its tender methods, each refund's by how its money went back."""
        facts = []
        for order_id, at, quantity, gross, discounts, tax in self._conn.execute(
            "SELECT o.id, o.created_at, SUM(l.quantity), SUM(l.quantity * l.unit_price), SUM(l.discount), "
            "SUM(l.tax) FROM orders o JOIN order_lines l ON l.order_id = o.id "
            f"WHERE o.origin = 'local' AND o.created_at >= ? AND o.created_at < ? AND {_KEPT.format('o.id')} "
            "GROUP BY o.id",
            (since, until),
        ).fetchall():
            weights = list(taken_by_method(self._conn, order_id).items())
            facts += _shared(
                weights,
                at,
                order_id,
                quantity=quantity,
                gross=gross,
                discounts=discounts,
                tax=tax,
            )
        for refund_id, order_id, at, total, refunds, tax in self._conn.execute(
            "SELECT r.id, r.order_id, r.created_at, r.amount + r.tax, SUM(rl.amount), -SUM(rl.tax) "
            "FROM refunds r JOIN refund_lines rl ON rl.refund_id = r.id "
            f"WHERE r.created_at >= ? AND r.created_at < ? AND {_KEPT.format('r.id')} GROUP BY r.id",
            (since, until),
        ).fetchall():
            split = till.refund_split(
                taken_by_method(self._conn, order_id), refunded_before(self._conn, order_id, refund_id), total
            )
            facts += _shared(list(split.items()), at, None, tax=tax, refunds=refunds)
        return facts


def _shared(weights: list[tuple[str, int]], at: str, order_id: str | None, **figures: int) -> list[_Fact]:
    """One fact per method of an order (or refund, `order_id` None) at `at`, each with its share of every figure."""
    by_method = {method: _Fact(at, order_id, method=method) for method, _ in shares(0, weights)}
    for name, figure in figures.items():
        for method, part in shares(figure, weights):
            setattr(by_method[method], name, part)
    return list(by_method.values())


def _key(fact: _Fact, group_by: GroupBy, zone: ZoneInfo) -> tuple[str | None, str | None]:
    """The row a fact belongs to: its key and, for a product, its name."""
    if group_by == "hour":
        return hour_key(from_text(fact.at), zone), None
    if group_by == "category":
        return fact.category, None
    if group_by == "product":
        return fact.product, fact.product_name
    return fact.method, None


def _order(group_by: GroupBy) -> Callable[[tuple[str | None, str | None]], tuple[object, ...]]:
    """The server's row order: by key, none first; an hour seen twice (clocks going back) larger offset first."""

    def order(row: tuple[str | None, str | None]) -> tuple[object, ...]:
        key, extra = row
        if group_by == "hour" and key is not None:
            offset = dt.datetime.fromisoformat(key).utcoffset() or dt.timedelta()
            return (0, key[:16], -offset.total_seconds())
        return (key is not None, key or "", extra or "")

    return order


def _summed(facts: Iterable[_Fact]) -> SalesFigures:
    listed = list(facts)
    return SalesFigures(
        orders=len({fact.order_id for fact in listed if fact.order_id is not None}),
        quantity=sum(fact.quantity for fact in listed),
        gross=sum(fact.gross for fact in listed),
        discounts=sum(fact.discounts for fact in listed),
        tax=sum(fact.tax for fact in listed),
        refunds=sum(fact.refunds for fact in listed),
    )
