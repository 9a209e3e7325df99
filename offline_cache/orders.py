"""Orders on this terminal with their sync state: the ones rung up here (origin local) and server orders
cached to refund them (origin server)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from common.money import PricedLine
from offline_cache.db import transaction
from offline_cache.models import LocalOrder, OrderLine, OrderSyncState, RefundRecord, Tender

# An op's status as the orders list says it; no op at all: pruned after sync, or an order from the server.
_SYNC_STATE = (
    "CASE WHEN x.status IS NULL THEN 'synced' WHEN x.status = 'pending' THEN 'pending' "
    "WHEN x.status = 'in_flight' THEN 'syncing' WHEN x.status = 'done' AND x.resolution = 'discarded' "
    "THEN 'discarded' WHEN x.status = 'done' THEN 'synced' ELSE 'failed' END"
)
_ORDER = (
    f"SELECT o.id, o.origin, o.terminal_id, o.receipt_no, o.created_at, o.cashier, o.subtotal, o.tax, o.total, "
    f"o.change, o.flags, {_SYNC_STATE} AS sync_state, x.last_error "
    f"FROM orders o LEFT JOIN outbox x ON x.id = o.id"
)
SYNC_STATES: tuple[OrderSyncState, ...] = ("pending", "syncing", "synced", "failed", "discarded")


def refunded_by_line(conn: sqlite3.Connection, order_id: str) -> dict[int, int]:
    """Quantity refunded so far per order line, synced or not; discarded refunds do not count."""
    rows = conn.execute(
        "SELECT rl.line_no, SUM(rl.quantity) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id "
        "LEFT JOIN outbox x ON x.id = r.id WHERE r.order_id = ? AND x.resolution IS NOT 'discarded' "
        "GROUP BY rl.line_no",
        (order_id,),
    )
    return dict(rows.fetchall())


def _order(row: tuple[Any, ...]) -> LocalOrder:
    return LocalOrder(*row[:10], flags=json.loads(row[10]), sync_state=row[11], last_error=row[12])


class Orders:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def list(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        terminal_id: str | None = None,
        sync_state: OrderSyncState | None = None,
        before: tuple[str, str] | None = None,
        limit: int = 100,
    ) -> list[LocalOrder]:
        """Newest first, without lines. `since`/`until` bound created_at (RFC 3339 UTC text); `before` is the
        (created_at, id) of the last order of the previous page."""
        where, params = ["1"], []
        for clause, value in (
            ("o.created_at >= ?", since),
            ("o.created_at < ?", until),
            ("o.terminal_id = ?", terminal_id),
            (f"{_SYNC_STATE} = ?", sync_state),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        if before is not None:
            where.append("(o.created_at, o.id) < (?, ?)")
            params.extend(before)
        rows = self._conn.execute(
            f"{_ORDER} WHERE {' AND '.join(where)} ORDER BY o.created_at DESC, o.id DESC LIMIT ?", [*params, limit]
        )
        return [_order(row) for row in rows]

    def get(self, order_id: str) -> LocalOrder | None:
        """One order with its lines (and how much of each is refunded), tenders and refunds."""
        row = self._conn.execute(f"{_ORDER} WHERE o.id = ?", (order_id,)).fetchone()
        if row is None:
            return None
        refunded = refunded_by_line(self._conn, order_id)
        lines = [
            OrderLine(*line, refunded=refunded.get(line[0], 0))
            for line in self._conn.execute(
                "SELECT line_no, product_id, sku, name, quantity, unit_price, discount, tax_rate_bp, amount, tax "
                "FROM order_lines WHERE order_id = ? ORDER BY line_no",
                (order_id,),
            )
        ]
        tenders = [
            Tender(method, amount)
            for method, amount in self._conn.execute(
                "SELECT method, amount FROM order_tenders WHERE order_id = ? ORDER BY n", (order_id,)
            )
        ]
        refunds = [
            RefundRecord(*refund)
            for refund in self._conn.execute(
                f"SELECT r.id, r.reason, r.created_at, r.amount, r.tax, {_SYNC_STATE} FROM refunds r "
                "LEFT JOIN outbox x ON x.id = r.id WHERE r.order_id = ? ORDER BY r.created_at",
                (order_id,),
            )
        ]
        return dataclasses.replace(_order(row), lines=lines, tenders=tenders, refunds=refunds)

    def cache_server_order(self, order: Mapping[str, Any]) -> None:
        """Keep an order fetched from shop-api (another terminal's, or this one's after a reset) so it can be
        refunded here, offline too. Names and tax rates come from the local catalogue."""
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO orders (id, origin, terminal_id, receipt_no, created_at, subtotal, tax, total, change, "
                "flags) VALUES (?, 'server', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (
                    order["id"],
                    order["terminal_id"],
                    order["receipt_no"],
                    order["created_at"],
                    order["subtotal"],
                    order["tax"],
                    order["total"],
                    order.get("change", 0),
                    json.dumps(order.get("flags", [])),
                ),
            )
            for number, line in enumerate(order["lines"], start=1):
                product = self._conn.execute(
                    "SELECT sku, name, tax_rate_bp FROM products WHERE id = ?", (line["product_id"],)
                ).fetchone() or (None, line.get("name") or line["product_id"], line.get("tax_rate_bp", 0))
                priced = PricedLine(line["quantity"], line["unit_price"], line.get("discount", 0), product[2])
                self._conn.execute(
                    "INSERT INTO order_lines (order_id, line_no, product_id, sku, name, quantity, unit_price, "
                    "discount, tax_rate_bp, amount, tax) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (
                        order["id"],
                        number,
                        line["product_id"],
                        product[0],
                        product[1],
                        priced.quantity,
                        priced.unit_price,
                        priced.discount,
                        priced.tax_rate_bp,
                        priced.amount,
                        line.get("tax", priced.tax),
                    ),
                )
            self._conn.executemany(
                "INSERT INTO order_tenders (order_id, n, method, amount) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(order["id"], n, t["method"], t["amount"]) for n, t in enumerate(order.get("tenders", []), start=1)],
            )
