"""Refunds: units of an order's lines given back, never more than were sold across every refund of the order.

A refund names products and quantities; each is taken from the order's lines of that product in line order
(the same product may be on several lines, at different prices). The money returned is the line's share of what
was charged (price, discount and tax alike), rounded cumulatively (see `common.money.refund_share`), so refunding a
line in parts returns exactly what it cost and never more. The units go back on the shelf as movements.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal
from backend.db.tables import order_lines, orders, refund_lines, refunds
from backend.db.types import utcnow
from backend.db.upsert import insert
from backend.problems import FieldError, Problem
from backend.schemas.inventory import DEFAULT_LOCATION
from backend.schemas.orders import Refund, RefundCreate, RefundLine
from backend.services import changes, shifts
from backend.services.fingerprint import fingerprint
from backend.services.inventory import Move, move_stock, record_moves, stock_keys
from backend.services.outcome import Outcome
from common import money


def create_refund(conn: Connection, principal: Principal, order_id: str, body: RefundCreate) -> Outcome[Refund]:
    refund_id, now = str(body.id), utcnow()
    request_hash = fingerprint({"order_id": order_id, **body.model_dump(mode="json")})
    order_found = conn.execute(
        sa.select(orders.c.id).where(orders.c.shop_id == principal.shop_id, orders.c.id == order_id)
    ).first()
    if order_found is None:
        raise Problem(404, "There is no such order.")
    # The insert is the claim; its figures are filled in once the lines are worked out.
    claim = (
        insert(conn, refunds)
        .values(
            shop_id=principal.shop_id,
            id=refund_id,
            order_id=order_id,
            reason=body.reason,
            created_at=body.created_at or now,
            received_at=now,
            created_by=principal.sub,
            amount=0,
            tax=0,
            total=0,
            request_hash=request_hash,
        )
        .on_conflict_do_nothing()
        .returning(refunds.c.id)
    )
    if conn.execute(claim).first() is None:
        stored_hash = conn.execute(
            sa.select(refunds.c.request_hash).where(refunds.c.shop_id == principal.shop_id, refunds.c.id == refund_id)
        ).scalar_one()
        if stored_hash != request_hash:
            raise Problem(422, "This refund id was already used for another refund.", type_="id-reused")
        return Outcome.replay(load_refund(conn, principal, refund_id))

    taken = _take_from_lines(conn, principal, order_id, body)
    refunded_lines = []
    for line, quantity in taken:
        refunded_lines.append(
            {
                "shop_id": principal.shop_id,
                "refund_id": refund_id,
                "line_no": line["line_no"],
                "product_id": str(line["product_id"]),
                "quantity": quantity,
                "amount": money.refund_share(line["amount"], line["quantity"], line["refunded_quantity"], quantity),
                "tax": money.refund_share(line["tax"], line["quantity"], line["refunded_quantity"], quantity),
            }
        )
    conn.execute(refund_lines.insert(), refunded_lines)
    conn.execute(
        sa.update(order_lines)
        .where(
            order_lines.c.shop_id == principal.shop_id,
            order_lines.c.order_id == order_id,
            order_lines.c.line_no == sa.bindparam("key_line_no"),
        )
        .values(refunded_quantity=order_lines.c.refunded_quantity + sa.bindparam("more")),
        [{"key_line_no": line["line_no"], "more": quantity} for line, quantity in taken],
    )
    amount = sum(line["amount"] for line in refunded_lines)
    tax = sum(line["tax"] for line in refunded_lines)
    conn.execute(
        sa.update(refunds)
        .where(refunds.c.shop_id == principal.shop_id, refunds.c.id == refund_id)
        .values(amount=amount, tax=tax, total=amount + tax)
    )
    shifts.attach_refund(conn, principal, order_id, refund_id, amount + tax)
    moves = [
        Move(line["line_no"], line["product_id"], DEFAULT_LOCATION, line["quantity"], "refund", note=body.reason)
        for line in refunded_lines
    ]
    on_hand = move_stock(conn, principal, moves, now)
    record_moves(conn, principal, "refund", refund_id, moves, now, on_hand_after=on_hand)
    changes.stamp(conn, principal.shop_id, stock_changed=stock_keys(moves))
    return Outcome.created(load_refund(conn, principal, refund_id))


def _take_from_lines(
    conn: Connection, principal: Principal, order_id: str, body: RefundCreate
) -> list[tuple[sa.RowMapping, int]]:
    """(order line, units) pairs for the refund; 422 naming every line of the request that asks too much."""
    # Locked, so that concurrent refunds of one order take turns (SQLite's writers do anyway).
    lines = (
        conn.execute(
            sa.select(order_lines)
            .where(order_lines.c.shop_id == principal.shop_id, order_lines.c.order_id == order_id)
            .order_by(order_lines.c.line_no)
            .with_for_update()
        )
        .mappings()
        .all()
    )
    taken: list[tuple[sa.RowMapping, int]] = []
    errors = []
    for index, wanted in enumerate(body.lines):
        product_id = str(wanted.product_id)
        candidates = [line for line in lines if str(line["product_id"]) == product_id]
        if not candidates:
            errors.append((index, "product_id", "This product is not on the order."))
            continue
        sold = sum(line["quantity"] for line in candidates)
        refunded = sum(line["refunded_quantity"] for line in candidates)
        if wanted.quantity > sold - refunded:
            errors.append(
                (
                    index,
                    "quantity",
                    f"Sold {sold}, already refunded {refunded}: at most {sold - refunded} more can be refunded, "
                    f"not {wanted.quantity}.",
                )
            )
            continue
        left = wanted.quantity
        for line in candidates:
            units = min(left, line["quantity"] - line["refunded_quantity"])
            if units > 0:
                taken.append((line, units))
                left -= units
    if errors:
        field_errors = [
            FieldError(location="body", pointer=f"/lines/{index}/{field}", detail=detail)
            for index, field, detail in errors
        ]
        detail = " ".join(error.detail for error in field_errors)
        raise Problem(422, detail, type_="refund-exceeds-sale", errors=field_errors)
    return taken


def load_refund(conn: Connection, principal: Principal, refund_id: str) -> Refund:
    head = (
        conn.execute(sa.select(refunds).where(refunds.c.shop_id == principal.shop_id, refunds.c.id == refund_id))
        .mappings()
        .one()
    )
    lines = conn.execute(
        sa.select(refund_lines)
        .where(refund_lines.c.shop_id == principal.shop_id, refund_lines.c.refund_id == refund_id)
        .order_by(refund_lines.c.line_no)
    ).mappings()
    return Refund(
        id=refund_id,
        order_id=str(head["order_id"]),
        reason=head["reason"],
        created_at=head["created_at"],
        received_at=head["received_at"],
        created_by=head["created_by"],
        lines=[
            RefundLine(
                line_no=row["line_no"],
                product_id=str(row["product_id"]),
                quantity=row["quantity"],
                amount=row["amount"],
                tax=row["tax"],
            )
            for row in lines
        ],
        amount=head["amount"],
        tax=head["tax"],
        total=head["total"],
    )
