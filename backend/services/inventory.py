"""Stock as a ledger: every change is a signed movement that names its cause, and the stock row is their sum.

Stock may go negative: a sale that happened is never refused for want of stock; the row then says `oversold`.
Rows are locked in (product, location) order by every writer, so two orders touching the same products in a
different order queue instead of deadlocking.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal
from backend.db.tables import products, stock, stock_movements
from backend.db.types import utcnow
from backend.db.upsert import dialect_insert, insert
from backend.problems import FieldError, Problem
from backend.schemas.inventory import Adjustment, AdjustmentCreate, Movement, MovementPage, StockLevel, StockPage
from backend.services import changes
from backend.services.fingerprint import fingerprint
from backend.services.outcome import Outcome
from backend.services.pagination import beyond, decode_cursor, encode_cursor

Source = Literal["adjustment", "order", "refund"]


@dataclass(frozen=True)
class Move:
    """One movement to record: `line_no` numbers it within its source (0 for an adjustment)."""

    line_no: int
    product_id: str
    location: str
    delta: int
    reason: str
    counted: int | None = None
    expected: int | None = None
    note: str = ""


def record_moves(
    conn: Connection,
    principal: Principal,
    source: Source,
    source_id: str,
    moves: Sequence[Move],
    now: datetime,
    *,
    on_hand_after: Mapping[int, int] | None = None,
    request_hash: str | None = None,
    claim: bool = False,
) -> bool:
    """Write `moves` to the ledger, with the on-hand each left (by line_no) when known. With `claim`, a movement
    already there for this source makes it do nothing and return False: that is how an adjustment claims its id."""
    rows = movement_rows(principal, source, source_id, moves, now, on_hand_after, request_hash)
    if not claim:
        conn.execute(stock_movements.insert(), rows)
        return True
    claimed = insert(conn, stock_movements).values(rows).on_conflict_do_nothing().returning(stock_movements.c.line_no)
    return conn.execute(claimed).first() is not None


def movement_rows(
    principal: Principal,
    source: Source,
    source_id: str,
    moves: Sequence[Move],
    now: datetime,
    on_hand_after: Mapping[int, int] | None = None,
    request_hash: str | None = None,
) -> list[dict[str, Any]]:
    """The ledger rows of `moves` (for a caller writing those of several sources in one statement)."""
    return [
        {
            "shop_id": principal.shop_id,
            "source": source,
            "source_id": source_id,
            "line_no": move.line_no,
            "product_id": move.product_id,
            "location": move.location,
            "delta": move.delta,
            "reason": move.reason,
            "counted": move.counted,
            "expected": move.expected,
            "note": move.note,
            "on_hand_after": None if on_hand_after is None else on_hand_after[move.line_no],
            "request_hash": request_hash,
            "created_by": principal.sub,
            "created_at": now,
        }
        for move in moves
    ]


def move_stock(conn: Connection, principal: Principal, moves: Sequence[Move], now: datetime) -> dict[int, int]:
    """Move the stock rows by `moves` (a new row starts at 0); returns the on-hand each move left, by line_no.
    The caller stamps the rows as changed (see `stock_keys`)."""
    return move_stock_in_turn(conn, principal, [moves], now)[0]


def move_stock_in_turn(
    conn: Connection, principal: Principal, groups: Sequence[Sequence[Move]], now: datetime
) -> list[dict[int, int]]:
    """Move the stock rows by the moves of several sources (a run of sales), as if each group of moves were made
    after the one before: each row moves once, by the sum of its moves, all rows in one statement (locked in
    (product, location) order); returns, per group, the on-hand each of its moves left, by line_no."""
    totals: dict[tuple[str, str], int] = {}
    for group in groups:
        for move in group:
            key = (move.product_id, move.location)
            totals[key] = totals.get(key, 0) + move.delta
    rows = [
        {
            "shop_id": principal.shop_id,
            "product_id": product_id,
            "location": location,
            "on_hand": delta,
            "reorder_point": 0,
            "updated_at": now,
            "change_seq": 0,
        }
        for (product_id, location), delta in sorted(totals.items())
    ]
    # Each row's on-hand before the first move, from the one after the last; then every move in its turn.
    moved = conn.execute(_move_statement(conn.dialect.name), rows)
    on_hand = {(str(row.product_id), row.location): row.on_hand for row in moved}
    for key, delta in totals.items():
        on_hand[key] -= delta
    after: list[dict[int, int]] = []
    for group in groups:
        left: dict[int, int] = {}
        for move in sorted(group, key=lambda m: m.line_no):
            key = (move.product_id, move.location)
            on_hand[key] += move.delta
            left[move.line_no] = on_hand[key]
        after.append(left)
    return after


@functools.cache
def _move_statement(dialect: str) -> sa.Insert:
    """Add the inserted `on_hand` (the moves' sum) to the row's, or start the row at it. Built once per dialect:
    a statement built per call pays for its SQLAlchemy cache key every time (see db/upsert.py)."""
    statement = dialect_insert(dialect, stock)
    return statement.on_conflict_do_update(
        index_elements=[stock.c.shop_id, stock.c.product_id, stock.c.location],
        set_={"on_hand": stock.c.on_hand + statement.excluded.on_hand, "updated_at": statement.excluded.updated_at},
    ).returning(stock.c.product_id, stock.c.location, stock.c.on_hand)


def stock_keys(moves: Sequence[Move]) -> set[tuple[str, str]]:
    return {(move.product_id, move.location) for move in moves}


def adjust_stock(conn: Connection, principal: Principal, body: AdjustmentCreate) -> Outcome[Adjustment]:
    """Record one adjustment (idempotent by its id) and move the stock by it."""
    adjustment_id, product_id = str(body.id), str(body.product_id)
    _require_product(conn, principal, product_id)
    now, request_hash = utcnow(), fingerprint(body)
    move = Move(0, product_id, body.location, body.applied_delta(), body.reason, body.counted, body.expected, body.note)
    claimed = record_moves(
        conn, principal, "adjustment", adjustment_id, [move], now, request_hash=request_hash, claim=True
    )
    if not claimed:
        stored_hash, adjustment = _adjustment(conn, principal, adjustment_id)
        if stored_hash != request_hash:
            raise Problem(422, "This adjustment id was already used for another adjustment.", type_="id-reused")
        return Outcome.replay(adjustment)
    (on_hand,) = move_stock(conn, principal, [move], now).values()
    conn.execute(
        sa.update(stock_movements)
        .where(
            stock_movements.c.shop_id == principal.shop_id,
            stock_movements.c.source == "adjustment",
            stock_movements.c.source_id == adjustment_id,
        )
        .values(on_hand_after=on_hand)
    )
    changes.stamp(conn, principal.shop_id, stock_changed=stock_keys([move]))
    return Outcome.created(_adjustment(conn, principal, adjustment_id)[1])


def _adjustment(conn: Connection, principal: Principal, adjustment_id: str) -> tuple[str | None, Adjustment]:
    row = (
        conn.execute(
            sa.select(stock_movements).where(
                stock_movements.c.shop_id == principal.shop_id,
                stock_movements.c.source == "adjustment",
                stock_movements.c.source_id == adjustment_id,
            )
        )
        .mappings()
        .one()
    )
    adjustment = Adjustment(
        id=adjustment_id,
        product_id=str(row["product_id"]),
        location=row["location"],
        reason=row["reason"],
        delta=row["delta"],
        counted=row["counted"],
        expected=row["expected"],
        note=row["note"],
        on_hand=row["on_hand_after"],
        oversold=row["on_hand_after"] < 0,
        created_by=row["created_by"],
        created_at=row["created_at"],
    )
    return row["request_hash"], adjustment


def _require_product(conn: Connection, principal: Principal, product_id: str) -> None:
    """422 unless the body's product is in the caller's shop (another shop's is as unknown as a made-up one)."""
    query = sa.select(products.c.id).where(products.c.shop_id == principal.shop_id, products.c.id == product_id)
    if conn.execute(query).first() is None:
        error = FieldError(location="body", pointer="/product_id", detail="There is no such product.")
        raise Problem(422, error.detail, type_="validation", errors=[error])


def set_reorder_point(
    conn: Connection, principal: Principal, product_id: str, location: str, reorder_point: int
) -> Outcome[StockLevel]:
    """Set the level at or below which a product needs reordering (a new stock row starts at 0 on hand). Setting
    the value it already has changes nothing, not even the change feed."""
    _require_product(conn, principal, product_id)
    now = utcnow()
    key = {"shop_id": principal.shop_id, "product_id": product_id, "location": location}
    upsert = insert(conn, stock).values(**key, on_hand=0, reorder_point=reorder_point, updated_at=now, change_seq=0)
    changed = conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[stock.c.shop_id, stock.c.product_id, stock.c.location],
            set_={"reorder_point": reorder_point, "updated_at": now},
            where=stock.c.reorder_point != reorder_point,
        ).returning(stock.c.product_id)
    ).first()
    if changed is not None:
        changes.stamp(conn, principal.shop_id, stock_changed=[(product_id, location)])
    level = conn.execute(sa.select(stock).where(*(stock.c[name] == value for name, value in key.items())))
    return Outcome.updated(stock_level_body(level.mappings().one()))


def stock_level_body(row: sa.RowMapping) -> StockLevel:
    return StockLevel(
        product_id=str(row["product_id"]),
        location=row["location"],
        on_hand=row["on_hand"],
        reorder_point=row["reorder_point"],
        oversold=row["on_hand"] < 0,
        updated_at=row["updated_at"],
    )


def list_stock(
    conn: Connection,
    principal: Principal,
    *,
    product_id: str | None = None,
    location: str | None = None,
    below_reorder: bool = False,
    limit: int = 500,
    cursor: str | None = None,
) -> StockPage:
    """Stock rows by product and location; `below_reorder` keeps those at or below their reorder point."""
    query = sa.select(stock).where(stock.c.shop_id == principal.shop_id)
    if product_id is not None:
        query = query.where(stock.c.product_id == product_id)
    if location is not None:
        query = query.where(stock.c.location == location)
    if below_reorder:
        query = query.where(stock.c.on_hand <= stock.c.reorder_point)
    if cursor:
        after_product, after_location = decode_cursor(cursor, UUID, str)
        query = query.where(beyond((stock.c.product_id, stock.c.location), (after_product, after_location)))
    rows = conn.execute(query.order_by(stock.c.product_id, stock.c.location).limit(limit + 1)).mappings().all()
    items = [stock_level_body(row) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].product_id, items[-1].location) if len(rows) > limit else None
    return StockPage(items=items, next_cursor=next_cursor)


def list_movements(
    conn: Connection,
    principal: Principal,
    *,
    product_id: str | None = None,
    location: str | None = None,
    source_id: str | None = None,
    limit: int = 500,
    cursor: str | None = None,
) -> MovementPage:
    """The ledger, newest first."""
    m = stock_movements
    query = sa.select(m).where(m.c.shop_id == principal.shop_id)
    for column, value in ((m.c.product_id, product_id), (m.c.location, location), (m.c.source_id, source_id)):
        if value is not None:
            query = query.where(column == value)
    key = (m.c.created_at, m.c.source, m.c.source_id, m.c.line_no)
    if cursor:
        query = query.where(beyond(key, decode_cursor(cursor, datetime, str, UUID, int), descending=True))
    rows = conn.execute(query.order_by(*(column.desc() for column in key)).limit(limit + 1)).mappings().all()
    items = [
        Movement(
            **{
                **{name: row[name] for name in Movement.model_fields},
                "product_id": str(row["product_id"]),
                "source_id": str(row["source_id"]),
            }
        )
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.created_at, last.source, last.source_id, last.line_no)
    return MovementPage(items=items, next_cursor=next_cursor)
