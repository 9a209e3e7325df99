"""Till shifts: a terminal's drawer from its opening float to its counted close, and the sales and refunds in it.

- A shift is opened by a seller for a terminal, which may have one open till shift at a time; it is theirs to
  record cash movements on and close (a manager may do both on any shift).
- Every order belongs to the open till shift of its terminal when the server receives it. A terminal with no
  till shift open gets its sales in the terminal's "unassigned" shift, which the server opens for it (no float,
  no owner) and a manager closes: an offline till may push its sales after its shift was closed, or never opened.
- A refund belongs to the shift open at its order's terminal when it arrives (the refund names no terminal). Its
  money goes back by the order's tenders, card and other first and cash last (`refund_split`), never more by one
  method than the order took by it: the cash refunds are what leaves the drawer.
- The X figures are a shift's figures while it is open, the Z figures once closed; nothing attaches to a closed
  shift, so its Z figures never change. expected_cash = opening_float + cash sales (net of change) - cash
  refunds + paid in - paid out; over_short = counted_cash - expected_cash.

Concurrency (PostgreSQL): attaching an order, a refund or a cash movement takes the shift row FOR SHARE and a
close takes it FOR UPDATE, so a close waits for the sales in flight and a sale arriving meanwhile sees the shift
closed (and goes to the unassigned shift). SQLite's writers take turns anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal, Role
from backend.db.tables import order_tenders, orders, refunds, shift_cash_movements, shift_orders, shift_refunds, shifts
from backend.db.types import utcnow
from backend.db.upsert import insert
from backend.problems import FieldError, Problem
from backend.schemas.orders import Cashier
from backend.schemas.shifts import (
    DENOMINATIONS,
    CashMovement,
    CashMovementCreate,
    CashMovementFigures,
    DenominationCount,
    RefundFigures,
    RefundTenderTotal,
    Shift,
    ShiftClose,
    ShiftOpen,
    ShiftPage,
    ShiftReport,
    TenderTotal,
)
from backend.services.fingerprint import fingerprint
from backend.services.outcome import Outcome
from backend.services.pagination import beyond, decode_cursor, encode_cursor
from common.till import over_short, refund_split


def open_shift(conn: Connection, principal: Principal, body: ShiftOpen) -> Outcome[Shift]:
    """Open a till shift (201); the same id and body again answers it (200), another body 422; a terminal that
    has a till shift open already answers 409 with that shift."""
    shift_id, now, request_hash = str(body.id), utcnow(), fingerprint(body)
    total, breakdown = cash_count(principal, body.opening_float, "/opening_float")
    claim = (
        insert(conn, shifts)
        .values(
            shop_id=principal.shop_id,
            id=shift_id,
            terminal_id=body.terminal_id,
            kind="till",
            status="open",
            opened_by_sub=principal.sub,
            opened_by_username=principal.username,
            opened_at=body.opened_at or now,
            received_at=now,
            opening_float=total,
            opening_breakdown=breakdown,
            request_hash=request_hash,
        )
        .on_conflict_do_nothing()  # the id, or the terminal's one open till shift
        .returning(shifts.c.id)
    )
    if conn.execute(claim).first() is not None:
        return Outcome.created(_shift(_row(conn, principal, shift_id)))
    stored = _row(conn, principal, shift_id)
    if stored is not None:
        if stored["request_hash"] != request_hash:
            raise Problem(422, "This shift id was already used for another shift.", type_="id-reused")
        return Outcome.replay(_shift(stored))
    occupied = (
        conn.execute(sa.select(shifts).where(*_open_at(principal, body.terminal_id), shifts.c.kind == "till"))
        .mappings()
        .first()
    )
    detail = f"Terminal {body.terminal_id} already has a shift open: close it first."
    raise Problem(409, detail, type_="shift-already-open", shift=_shift(occupied) if occupied else None)


def record_cash_movement(
    conn: Connection, principal: Principal, shift_id: str, body: CashMovementCreate
) -> Outcome[CashMovement]:
    """Cash paid into or out of an open till shift's drawer (201); replays as every create (200, or 422)."""
    movement_id, now = str(body.id), utcnow()
    request_hash = fingerprint({"shift_id": shift_id, **body.model_dump(mode="json")})
    shift = _writable(conn, principal, shift_id, lock="share")
    if (stored := _replayed_movement(conn, principal, movement_id, request_hash)) is not None:
        return Outcome.replay(stored)
    if shift["kind"] == "unassigned":
        raise Problem(422, "An unassigned shift has no drawer: record cash on a till shift.", type_="unassigned-shift")
    if shift["status"] != "open":
        raise Problem(409, "This shift is closed: no more cash can be recorded on it.", type_="shift-closed")
    claim = (
        insert(conn, shift_cash_movements)
        .values(
            shop_id=principal.shop_id,
            id=movement_id,
            shift_id=shift_id,
            kind=body.kind,
            amount=body.amount,
            reason=body.reason,
            created_at=body.created_at or now,
            received_at=now,
            created_by_sub=principal.sub,
            created_by_username=principal.username,
            request_hash=request_hash,
        )
        .on_conflict_do_nothing()
        .returning(shift_cash_movements.c.id)
    )
    if conn.execute(claim).first() is None:  # a concurrent twin got there first
        stored = _replayed_movement(conn, principal, movement_id, request_hash)
        assert stored is not None
        return Outcome.replay(stored)
    return Outcome.created(_movements(conn, principal, shift_id, movement_id)[0])


def _replayed_movement(
    conn: Connection, principal: Principal, movement_id: str, request_hash: str
) -> CashMovement | None:
    stored = conn.execute(
        sa.select(shift_cash_movements.c.shift_id, shift_cash_movements.c.request_hash).where(
            shift_cash_movements.c.shop_id == principal.shop_id, shift_cash_movements.c.id == movement_id
        )
    ).first()
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise Problem(422, "This cash movement id was already used for another one.", type_="id-reused")
    return _movements(conn, principal, str(stored.shift_id), movement_id)[0]


def close_shift(conn: Connection, principal: Principal, shift_id: str, body: ShiftClose) -> Outcome[ShiftReport]:
    """Close a shift with the counted drawer and answer its Z figures (200). The same count again answers the
    stored Z (200, a replay); another count of a closed shift is a 409 carrying the stored Z as `shift`."""
    shift = _writable(conn, principal, shift_id, lock="update")
    close_hash = fingerprint({"counted_cash": body.model_dump(mode="json")["counted_cash"]})
    if shift["status"] == "closed":
        if shift["close_hash"] == close_hash:
            return Outcome.replay(report(conn, principal, shift))
        detail = "This shift was already closed with another count."
        raise Problem(409, detail, type_="shift-closed", shift=report(conn, principal, shift))
    counted, breakdown = cash_count(principal, body.counted_cash, "/counted_cash")
    now = utcnow()
    expected = report(conn, principal, shift).expected_cash
    conn.execute(
        sa.update(shifts)
        .where(*_key(principal, shift_id))
        .values(
            status="closed",
            closed_by_sub=principal.sub,
            closed_by_username=principal.username,
            closed_at=body.closed_at or now,
            close_received_at=now,
            counted_cash=counted,
            counted_breakdown=breakdown,
            expected_cash=expected,
            close_hash=close_hash,
        )
    )
    return Outcome.updated(report(conn, principal, _row(conn, principal, shift_id)))


def get_shift(conn: Connection, principal: Principal, shift_id: str) -> ShiftReport:
    """The shift with its X (open) or Z (closed) figures; 404 if the caller may not see it."""
    shift = _row(conn, principal, shift_id)
    if shift is None or not _may_see(principal, shift):
        raise Problem(404, "There is no such shift.")
    return report(conn, principal, shift)


def list_shifts(
    conn: Connection,
    principal: Principal,
    *,
    terminal_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> ShiftPage:
    """Shifts newest first (by opening business time, then id); a cashier sees their own."""
    query = sa.select(shifts).where(shifts.c.shop_id == principal.shop_id)
    if principal.role is Role.cashier:
        query = query.where(shifts.c.opened_by_sub == principal.sub)
    if terminal_id is not None:
        query = query.where(shifts.c.terminal_id == terminal_id)
    if status is not None:
        query = query.where(shifts.c.status == status)
    order = (shifts.c.opened_at, shifts.c.id)
    if cursor:
        query = query.where(beyond(order, decode_cursor(cursor, datetime, uuid.UUID), descending=True))
    rows = conn.execute(query.order_by(*(column.desc() for column in order)).limit(limit + 1)).mappings().all()
    items = [_shift(row) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].opened_at, items[-1].id) if len(rows) > limit else None
    return ShiftPage(items=items, next_cursor=next_cursor)


def attach_orders(conn: Connection, principal: Principal, orders_of: Sequence[tuple[str, str]]) -> None:
    """Put new orders, (order id, terminal id) pairs, each in its terminal's current shift (see the module's
    rules): one look-up per terminal, one insert for them all."""
    current: dict[str, str] = {}
    for _, terminal_id in orders_of:
        if terminal_id not in current:
            current[terminal_id] = _current_shift(conn, principal, terminal_id)
    rows = [
        {"shop_id": principal.shop_id, "order_id": order_id, "shift_id": current[terminal_id]}
        for order_id, terminal_id in orders_of
    ]
    conn.execute(_ATTACH_ORDER, rows)


def attach_refund(conn: Connection, principal: Principal, order_id: str, refund_id: str, total: int) -> None:
    """Put a new refund (of `total`, tax included) in the current shift of its order's terminal, with the money
    it returns by each of the order's tender methods."""
    order = conn.execute(
        sa.select(orders.c.terminal_id, orders.c.change).where(
            orders.c.shop_id == principal.shop_id, orders.c.id == order_id
        )
    ).one()
    taken = _taken_by_method(conn, principal, order_id, order.change)
    refunded_before = conn.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(refunds.c.total), 0)).where(
            refunds.c.shop_id == principal.shop_id, refunds.c.order_id == order_id, refunds.c.id != refund_id
        )
    )
    shift_id = _current_shift(conn, principal, order.terminal_id)
    split = refund_split(taken, int(refunded_before or 0), total)
    conn.execute(
        shift_refunds.insert(),
        [
            {"shop_id": principal.shop_id, "refund_id": refund_id, "method": method, "shift_id": shift_id, "amount": n}
            for method, n in split.items()
        ],
    )


def cash_count(principal: Principal, value: int | list[DenominationCount], pointer: str) -> tuple[int, Any]:
    """(total, breakdown) of a cash amount: a total as is (no breakdown), or counts of the shop's currency's
    denominations (stored largest first); 422 naming each coin or note the currency does not have."""
    if isinstance(value, int):
        return value, None
    known = DENOMINATIONS.get(principal.currency)
    if known is None:
        error = FieldError(
            location="body", pointer=pointer, detail=f"No denominations are known for {principal.currency}: a total."
        )
        raise Problem(422, error.detail, type_="validation", errors=[error])
    errors = [
        FieldError(
            location="body",
            pointer=f"{pointer}/{index}/denomination",
            detail=f"{principal.currency} has no coin or note of {item.denomination} (minor units).",
        )
        for index, item in enumerate(value)
        if item.denomination not in known
    ]
    if errors:
        raise Problem(422, " ".join(error.detail for error in errors), type_="validation", errors=errors)
    breakdown = sorted(value, key=lambda item: item.denomination, reverse=True)
    total = sum(item.denomination * item.count for item in breakdown)
    return total, [item.model_dump() for item in breakdown]


def report(conn: Connection, principal: Principal, shift: Mapping[str, Any]) -> ShiftReport:
    """A shift's X (open) or Z (closed) figures, summed in SQL over its orders, refunds and cash movements."""
    shop, shift_id = principal.shop_id, str(shift["id"])
    in_shift = sa.and_(
        shift_orders.c.shop_id == shop,
        shift_orders.c.shift_id == shift_id,
        orders.c.shop_id == shop,
        orders.c.id == shift_orders.c.order_id,
    )
    sales = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(orders.c.total), 0),
            sa.func.coalesce(sa.func.sum(orders.c.tax), 0),
            sa.func.coalesce(sa.func.sum(orders.c.change), 0),
        ).where(in_shift)
    ).one()
    order_count, sales_total, sales_tax, change_given = (int(value) for value in sales)
    receipts = sa.select(orders.c.receipt_no).where(in_shift).limit(1)
    first = conn.scalar(receipts.order_by(orders.c.created_at, orders.c.receipt_no))
    last = conn.scalar(receipts.order_by(orders.c.created_at.desc(), orders.c.receipt_no.desc()))
    tender_rows = conn.execute(
        sa.select(order_tenders.c.method, sa.func.count(sa.distinct(orders.c.id)), sa.func.sum(order_tenders.c.amount))
        .where(in_shift, order_tenders.c.shop_id == shop, order_tenders.c.order_id == orders.c.id)
        .group_by(order_tenders.c.method)
        .order_by(order_tenders.c.method)
    ).all()
    by_tender = [
        TenderTotal(method=method, orders=count, amount=int(amount) - (change_given if method == "cash" else 0))
        for method, count, amount in tender_rows
    ]
    of_shift = (shift_refunds.c.shop_id == shop, shift_refunds.c.shift_id == shift_id)
    refund_rows = conn.execute(
        sa.select(shift_refunds.c.method, sa.func.sum(shift_refunds.c.amount))
        .where(*of_shift)
        .group_by(shift_refunds.c.method)
        .order_by(shift_refunds.c.method)
    ).all()
    refund_count = conn.scalar(sa.select(sa.func.count(sa.distinct(shift_refunds.c.refund_id))).where(*of_shift))
    refunded = [RefundTenderTotal(method=method, amount=int(amount)) for method, amount in refund_rows]
    items = _movements(conn, principal, shift_id)
    paid_in = sum(item.amount for item in items if item.kind == "paid_in")
    paid_out = sum(item.amount for item in items if item.kind == "paid_out")
    cash_sales = next((tender.amount for tender in by_tender if tender.method == "cash"), 0)
    cash_refunds = next((refund.amount for refund in refunded if refund.method == "cash"), 0)
    closed = shift["status"] == "closed"
    base = _shift(shift)
    return ShiftReport(
        **base.model_dump(exclude={"expected_cash"}),
        expected_cash=base.expected_cash
        if closed
        else shift["opening_float"] + cash_sales - cash_refunds + paid_in - paid_out,
        report="Z" if closed else "X",
        order_count=order_count,
        first_receipt_no=first,
        last_receipt_no=last,
        sales_total=sales_total,
        sales_tax=sales_tax,
        sales_by_tender=by_tender,
        refunds=RefundFigures(
            count=int(refund_count or 0), total=sum(refund.amount for refund in refunded), by_tender=refunded
        ),
        cash_movements=CashMovementFigures(paid_in=paid_in, paid_out=paid_out, items=items),
        cash_sales=cash_sales,
        cash_refunds=cash_refunds,
    )


def _taken_by_method(conn: Connection, principal: Principal, order_id: str, change: int) -> dict[str, int]:
    """What an order took by each tender method, cash net of the change given."""
    rows = conn.execute(
        sa.select(order_tenders.c.method, sa.func.sum(order_tenders.c.amount))
        .where(order_tenders.c.shop_id == principal.shop_id, order_tenders.c.order_id == order_id)
        .group_by(order_tenders.c.method)
    ).all()
    return {method: int(amount) - (change if method == "cash" else 0) for method, amount in rows}


# Built once, with parameters: every sale runs them, and a statement built per call pays for its SQLAlchemy cache
# key every time (see db/upsert.py).
_ATTACH_ORDER = shift_orders.insert()
_OPEN_SHIFT = (
    sa.select(shifts.c.id)
    .where(
        shifts.c.shop_id == sa.bindparam("shop_id"),
        shifts.c.terminal_id == sa.bindparam("terminal_id"),
        shifts.c.status == "open",
    )
    .order_by(shifts.c.kind)  # "till" before "unassigned"
    .limit(1)
    .with_for_update(read=True)
)


def _current_shift(conn: Connection, principal: Principal, terminal_id: str) -> str:
    """The terminal's open till shift, else its open unassigned shift (made if there is none), locked FOR SHARE."""
    while True:
        found = conn.scalar(_OPEN_SHIFT, {"shop_id": principal.shop_id, "terminal_id": terminal_id})
        if found is not None:
            return str(found)
        now = utcnow()
        made = conn.scalar(
            insert(conn, shifts)
            .values(
                shop_id=principal.shop_id,
                id=str(uuid.uuid4()),
                terminal_id=terminal_id,
                kind="unassigned",
                status="open",
                opened_at=now,
                received_at=now,
                opening_float=0,
                request_hash="",
            )
            .on_conflict_do_nothing()  # a concurrent sale made it: the next round finds it
            .returning(shifts.c.id)
        )
        if made is not None:
            return str(made)


def _writable(conn: Connection, principal: Principal, shift_id: str, *, lock: str) -> sa.RowMapping:
    """The shift, locked (FOR SHARE or FOR UPDATE), if the caller may write to it: 404 if it is not the shop's,
    403 if a cashier's write names another's shift (the shop's own staff may know it is there)."""
    query = sa.select(shifts).where(*_key(principal, shift_id)).with_for_update(read=lock == "share")
    shift = conn.execute(query).mappings().first()
    if shift is None:
        raise Problem(404, "There is no such shift.")
    if principal.role is not Role.manager and shift["opened_by_sub"] != principal.sub:
        raise Problem(403, "This is not your shift: a manager can do this.", type_="not-your-shift")
    return shift


def _may_see(principal: Principal, shift: Mapping[str, Any]) -> bool:
    return principal.role is not Role.cashier or shift["opened_by_sub"] == principal.sub


def _row(conn: Connection, principal: Principal, shift_id: str) -> sa.RowMapping | None:
    return conn.execute(sa.select(shifts).where(*_key(principal, shift_id))).mappings().first()


def _key(principal: Principal, shift_id: str) -> tuple[sa.ColumnElement[bool], ...]:
    return shifts.c.shop_id == principal.shop_id, shifts.c.id == shift_id


def _open_at(principal: Principal, terminal_id: str) -> tuple[sa.ColumnElement[bool], ...]:
    return shifts.c.shop_id == principal.shop_id, shifts.c.terminal_id == terminal_id, shifts.c.status == "open"


def _movements(
    conn: Connection, principal: Principal, shift_id: str, movement_id: str | None = None
) -> list[CashMovement]:
    """The shift's cash movements by business time (or just the one named)."""
    query = sa.select(shift_cash_movements).where(
        shift_cash_movements.c.shop_id == principal.shop_id, shift_cash_movements.c.shift_id == shift_id
    )
    if movement_id is not None:
        query = query.where(shift_cash_movements.c.id == movement_id)
    rows = conn.execute(query.order_by(shift_cash_movements.c.created_at, shift_cash_movements.c.id)).mappings()
    return [
        CashMovement(
            id=str(row["id"]),
            shift_id=str(row["shift_id"]),
            kind=row["kind"],
            amount=row["amount"],
            reason=row["reason"],
            created_at=row["created_at"],
            received_at=row["received_at"],
            created_by=Cashier(sub=row["created_by_sub"], username=row["created_by_username"]),
        )
        for row in rows
    ]


def _person(sub: str | None, username: str | None) -> Cashier | None:
    return None if sub is None else Cashier(sub=sub, username=username or sub)


def _shift(row: Mapping[str, Any]) -> Shift:
    closed = row["status"] == "closed"
    return Shift(
        id=str(row["id"]),
        terminal_id=row["terminal_id"],
        kind=row["kind"],
        status=row["status"],
        opened_by=_person(row["opened_by_sub"], row["opened_by_username"]),
        opened_at=row["opened_at"],
        received_at=row["received_at"],
        opening_float=row["opening_float"],
        opening_float_breakdown=row["opening_breakdown"],
        closed_by=_person(row["closed_by_sub"], row["closed_by_username"]),
        closed_at=row["closed_at"],
        counted_cash=row["counted_cash"],
        counted_cash_breakdown=row["counted_breakdown"],
        expected_cash=row["expected_cash"],
        over_short=over_short(row["counted_cash"], row["expected_cash"]) if closed else None,
    )
