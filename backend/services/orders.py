"""Orders: a sale as the till made it, checked against the catalogue, priced by `common.money`, moving stock.

A sale that happened is recorded, never refused for what the till could not know: a price that differs from
the catalogue (sold offline at yesterday's price) is kept and flagged, stock going below zero is flagged
oversold, an archived product is flagged. What is refused (422) is what cannot be a real sale: an unknown
product, tenders that do not pay for it, a receipt number its terminal already used.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal, Role
from backend.db.tables import order_lines, order_tenders, orders, products, refunds, stock_movements
from backend.db.types import utcnow
from backend.db.upsert import dialect_insert
from backend.problems import FieldError, Problem
from backend.schemas.inventory import DEFAULT_LOCATION
from backend.schemas.orders import Order, OrderCreate, OrderLine, OrderPage, RefundSummary
from backend.services import changes, shifts
from backend.services.fingerprint import fingerprint
from backend.services.inventory import Move, move_stock_in_turn, movement_rows, stock_keys
from backend.services.outcome import Outcome
from backend.services.pagination import beyond, decode_cursor, encode_cursor
from common import money


def create_order(conn: Connection, principal: Principal, body: OrderCreate) -> Outcome[Order]:
    """Store the order with its lines, tenders and stock movements (all or nothing); the same id again with the
    same body answers the stored order (200), with another body 422."""
    request_hash = fingerprint(body)
    # A replay answers what was stored, whatever the catalogue says by now (its prices or tax rates may have
    # changed since the sale): so a sale the catalogue refuses is looked up as a replay before it is refused.
    # Otherwise the insert below decides (a concurrent twin finds the order there).
    try:
        sale = _Sale.priced(principal, body, _catalogue(conn, principal, [body]), utcnow(), request_hash)
    except Problem:
        if (stored := _replayed(conn, principal, body, request_hash)) is not None:
            return Outcome.replay(stored)
        raise
    # The insert is the claim: this id (or this terminal's receipt number) already there makes it do nothing.
    if conn.execute(_claim_statement(conn.dialect.name), sale.head).first() is None:
        if (stored := _replayed(conn, principal, body, request_hash)) is not None:
            return Outcome.replay(stored)
        detail = f"Terminal {body.terminal_id} already used receipt number {body.receipt_no} for another order."
        error = FieldError(location="body", pointer="/receipt_no", detail=detail)
        raise Problem(422, detail, type_="receipt-number-taken", errors=[error])
    return Outcome.created(_record(conn, principal, [sale])[0])


class NotAllNew(Exception):
    """A sale of a run is not a plain new one (a replay, a receipt number taken): apply them one by one."""


def create_orders(conn: Connection, principal: Principal, bodies: Sequence[OrderCreate]) -> list[Order]:
    """Store a run of new orders set-wise, as `create_order` would one after another, in a few statements for the
    whole run (a queue drained after an outage). Raises the Problem of a sale that would be refused, or NotAllNew
    when one is a replay or takes a used receipt number, after which the caller rolls back and goes one by one
    (`create_order` then answers each as it should)."""
    now = utcnow()
    catalogue = _catalogue(conn, principal, bodies)
    sales = [_Sale.priced(principal, body, catalogue, now, fingerprint(body)) for body in bodies]
    claimed = conn.execute(_claim_statement(conn.dialect.name), [sale.head for sale in sales]).all()
    if len(claimed) != len(sales):
        raise NotAllNew
    return _record(conn, principal, sales)


@dataclass
class _Sale:
    """A new order checked against the catalogue and priced: its orders row and its lines' and tenders' rows."""

    head: dict[str, Any]
    lines: list[dict[str, Any]]
    tenders: list[dict[str, Any]]

    @classmethod
    def priced(
        cls,
        principal: Principal,
        body: OrderCreate,
        catalogue: Mapping[str, sa.Row[Any]],
        now: datetime,
        request_hash: str,
    ) -> _Sale:
        order_id = str(body.id)
        lines = _priced_lines(principal, body, catalogue)
        totals = money.order_totals([(line["amount"], line["tax"]) for line in lines])
        try:
            change = money.change_due(totals.total, [(tender.method, tender.amount) for tender in body.tenders])
        except money.TenderError as exc:
            error = FieldError(location="body", pointer="/tenders", detail=str(exc))
            raise Problem(422, str(exc), type_="tenders", errors=[error]) from None
        head = {
            "shop_id": principal.shop_id,
            "id": order_id,
            "terminal_id": body.terminal_id,
            "receipt_no": body.receipt_no,
            "created_at": body.created_at,
            "received_at": now,
            "cashier_sub": principal.sub,
            "cashier_username": principal.username,
            "subtotal": totals.subtotal,
            "tax": totals.tax,
            "total": totals.total,
            "tendered": totals.total + change,
            "change": change,
            "flags": [],
            "request_hash": request_hash,
        }
        tenders = [
            {"shop_id": principal.shop_id, "order_id": order_id, "line_no": n, "method": t.method, "amount": t.amount}
            for n, t in enumerate(body.tenders, start=1)
        ]
        return cls(head, lines, tenders)

    def moves(self) -> list[Move]:
        return [
            Move(line["line_no"], line["product_id"], DEFAULT_LOCATION, -line["quantity"], "sale")
            for line in self.lines
        ]


def _record(conn: Connection, principal: Principal, sales: Sequence[_Sale]) -> list[Order]:
    """Everything of claimed new sales but their orders rows, set-wise: the stock moved (each sale in its turn),
    the ledger, lines, tenders, flags and shift; returns the orders as stored."""
    now = sales[0].head["received_at"]
    moves = [sale.moves() for sale in sales]
    on_hand = move_stock_in_turn(conn, principal, moves, now)
    ledger, flagged = [], []
    for sale, sale_moves, left in zip(sales, moves, on_hand, strict=True):
        order_id = sale.head["id"]
        ledger += movement_rows(principal, "order", order_id, sale_moves, now, on_hand_after=left)
        for line in sale.lines:
            if left[line["line_no"]] < 0:
                line["flags"].append("oversold")
        sale.head["flags"] = sorted({flag for line in sale.lines for flag in line["flags"]})
        if sale.head["flags"]:
            flagged.append({"key_shop_id": principal.shop_id, "key_id": order_id, "flags": sale.head["flags"]})
    conn.execute(stock_movements.insert(), ledger)
    conn.execute(order_lines.insert(), [line for sale in sales for line in sale.lines])
    if tenders := [tender for sale in sales for tender in sale.tenders]:
        conn.execute(order_tenders.insert(), tenders)
    if flagged:
        conn.execute(_SET_FLAGS, flagged)
    shifts.attach_orders(conn, principal, [(sale.head["id"], sale.head["terminal_id"]) for sale in sales])
    changes.stamp(conn, principal.shop_id, stock_changed=stock_keys([move for group in moves for move in group]))
    return [_order_body(sale.head, sale.lines, sale.tenders, []) for sale in sales]


@functools.cache
def _claim_statement(dialect: str) -> sa.Insert:
    return dialect_insert(dialect, orders).on_conflict_do_nothing().returning(orders.c.id)


# Built once: a statement built per call pays for its SQLAlchemy cache key every time (see db/upsert.py).
_CATALOGUE = sa.select(products.c.id, products.c.price, products.c.tax_rate_bp, products.c.active).where(
    products.c.shop_id == sa.bindparam("shop_id"), products.c.id.in_(sa.bindparam("ids", expanding=True))
)
_STORED_HASH = sa.select(orders.c.request_hash).where(
    orders.c.shop_id == sa.bindparam("shop_id"), orders.c.id == sa.bindparam("order_id")
)
_SET_FLAGS = (
    sa.update(orders)
    .where(orders.c.shop_id == sa.bindparam("key_shop_id"), orders.c.id == sa.bindparam("key_id"))
    .values(flags=sa.bindparam("flags"))
)


def _catalogue(conn: Connection, principal: Principal, bodies: Sequence[OrderCreate]) -> dict[str, sa.Row[Any]]:
    """The catalogue rows of every product the orders sell, by id, in one read."""
    wanted = sorted({str(line.product_id) for body in bodies for line in body.lines})
    return {str(row.id): row for row in conn.execute(_CATALOGUE, {"shop_id": principal.shop_id, "ids": wanted})}


def _priced_lines(principal: Principal, body: OrderCreate, catalogue: Mapping[str, sa.Row[Any]]) -> list[dict]:
    """Each line checked against the catalogue and priced: the order_lines columns, flags included."""
    unknown = [
        FieldError(location="body", pointer=f"/lines/{index}/product_id", detail="There is no such product.")
        for index, line in enumerate(body.lines)
        if str(line.product_id) not in catalogue
    ]
    if unknown:
        raise Problem(
            422, "The order names products that are not in the catalogue.", type_="validation", errors=unknown
        )
    priced = []
    for line_no, line in enumerate(body.lines, start=1):
        product = catalogue[str(line.product_id)]
        tax_rate_bp = product.tax_rate_bp if line.tax_rate_bp is None else line.tax_rate_bp
        line_price = money.PricedLine(line.quantity, line.unit_price, line.discount, tax_rate_bp)
        flags = []
        if line.unit_price != product.price:
            flags.append("price_differs")
        if tax_rate_bp != product.tax_rate_bp:
            flags.append("tax_differs")
        if not product.active:
            flags.append("archived_product")
        priced.append(
            {
                "shop_id": principal.shop_id,
                "order_id": str(body.id),
                "line_no": line_no,
                "product_id": str(line.product_id),
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount": line.discount,
                "tax_rate_bp": tax_rate_bp,
                "amount": line_price.amount,
                "tax": line_price.tax,
                "catalogue_price": product.price,
                "flags": flags,
                "refunded_quantity": 0,
            }
        )
    return priced


def _replayed(conn: Connection, principal: Principal, body: OrderCreate, request_hash: str) -> Order | None:
    """The stored order if this id was used before with this body; 422 if with another; None if unused."""
    stored = conn.scalar(_STORED_HASH, {"shop_id": principal.shop_id, "order_id": str(body.id)})
    if stored is None:
        return None
    if stored != request_hash:
        raise Problem(422, "This order id was already used for another order.", type_="id-reused")
    return load_orders(conn, principal, [str(body.id)], own_only=False)[0]


def _visible(principal: Principal) -> list[sa.ColumnElement[bool]]:
    """A cashier sees their own orders only (DESIGN.md's roles); everyone else the whole shop's."""
    conditions = [orders.c.shop_id == principal.shop_id]
    if principal.role is Role.cashier:
        conditions.append(orders.c.cashier_sub == principal.sub)
    return conditions


def get_order(conn: Connection, principal: Principal, order_id: str) -> Order:
    found = load_orders(conn, principal, [order_id])
    if not found:
        raise Problem(404, "There is no such order.")
    return found[0]


def list_orders(
    conn: Connection,
    principal: Principal,
    *,
    since: datetime | None = None,
    terminal_id: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> OrderPage:
    """Orders by business time (then id), from `since` on, optionally of one terminal; keyset-paged."""
    query = sa.select(orders.c.id).where(*_visible(principal))
    if since is not None:
        query = query.where(orders.c.created_at >= since)
    if terminal_id is not None:
        query = query.where(orders.c.terminal_id == terminal_id)
    if cursor:
        query = query.where(beyond((orders.c.created_at, orders.c.id), decode_cursor(cursor, datetime, UUID)))
    ids = [str(i) for i in conn.scalars(query.order_by(orders.c.created_at, orders.c.id).limit(limit + 1))]
    items = load_orders(conn, principal, ids[:limit])
    next_cursor = encode_cursor(items[-1].created_at, items[-1].id) if len(ids) > limit else None
    return OrderPage(items=items, next_cursor=next_cursor)


def load_orders(conn: Connection, principal: Principal, ids: Sequence[str], *, own_only: bool = True) -> list[Order]:
    """Whole orders (lines, tenders, refunds) in the order of `ids`, leaving out those the caller may not see."""
    if not ids:
        return []
    scope = _visible(principal) if own_only else [orders.c.shop_id == principal.shop_id]
    heads = {
        str(row["id"]): row for row in conn.execute(sa.select(orders).where(*scope, orders.c.id.in_(ids))).mappings()
    }
    found = [order_id for order_id in ids if order_id in heads]
    if not found:
        return []

    def children(table: sa.Table, order_column: sa.Column, *order_by: sa.Column) -> dict[str, list[sa.RowMapping]]:
        grouped: dict[str, list[sa.RowMapping]] = {order_id: [] for order_id in found}
        query = sa.select(table).where(table.c.shop_id == principal.shop_id, order_column.in_(found))
        for row in conn.execute(query.order_by(*order_by)).mappings():
            grouped[str(row[order_column.name])].append(row)
        return grouped

    lines = children(order_lines, order_lines.c.order_id, order_lines.c.line_no)
    tenders = children(order_tenders, order_tenders.c.order_id, order_tenders.c.line_no)
    refunded = children(refunds, refunds.c.order_id, refunds.c.created_at, refunds.c.id)
    return [_order_body(heads[i], lines[i], tenders[i], refunded[i]) for i in found]


def _order_body(
    head: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    tenders: Sequence[Mapping[str, Any]],
    refunded: Sequence[Mapping[str, Any]],
) -> Order:
    """The contract's Order from stored rows (or the rows just written)."""
    # One validation of the whole order: a nested model built apiece is a validation each (a push makes hundreds).
    return Order.model_validate(
        {
            "id": str(head["id"]),
            "terminal_id": head["terminal_id"],
            "receipt_no": head["receipt_no"],
            "created_at": head["created_at"],
            "received_at": head["received_at"],
            "cashier": {"sub": head["cashier_sub"], "username": head["cashier_username"]},
            "lines": [
                {**{name: row[name] for name in OrderLine.model_fields}, "product_id": str(row["product_id"])}
                for row in lines
            ],
            "tenders": [{"method": row["method"], "amount": row["amount"]} for row in tenders],
            "subtotal": head["subtotal"],
            "tax": head["tax"],
            "total": head["total"],
            "tendered": head["tendered"],
            "change": head["change"],
            "flags": head["flags"],
            "refunds": [
                {**{name: row[name] for name in RefundSummary.model_fields}, "id": str(row["id"])} for row in refunded
            ],
        }
    )
