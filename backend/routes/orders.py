"""/v1/orders: sales (cashiers and managers ring them up; a cashier reads their own) and refunds (managers)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from backend.auth import Managers, Readers, Sellers
from backend.dependencies import DbConnection
from backend.schemas.fields import Cursor, TerminalId, Timestamp
from backend.schemas.orders import Order, OrderCreate, OrderPage, Refund, RefundCreate
from backend.services import orders, refunds
from backend.services.operations import perform

router = APIRouter(prefix="/v1/orders", tags=["orders"])


@router.post("", status_code=201, responses={200: {"model": Order, "description": "A replay: the stored order"}})
def create_order(body: OrderCreate, principal: Sellers, conn: DbConnection, response: Response) -> Order:
    outcome = perform("order.create", principal, str(body.id), lambda: orders.create_order(conn, principal, body))
    response.status_code = outcome.status
    return outcome.body


@router.get("")
def list_orders(
    principal: Readers,
    conn: DbConnection,
    since: Annotated[Timestamp | None, Query(description="Orders made at or after this business time")] = None,
    terminal_id: Annotated[TerminalId | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> OrderPage:
    """Orders by business time; a cashier sees their own."""
    return orders.list_orders(conn, principal, since=since, terminal_id=terminal_id, limit=limit, cursor=cursor)


@router.get("/{order_id}")
def get_order(order_id: UUID, principal: Readers, conn: DbConnection) -> Order:
    return orders.get_order(conn, principal, str(order_id))


@router.post("/{order_id}/refunds", status_code=201, responses={200: {"model": Refund, "description": "A replay"}})
def create_refund(
    order_id: UUID, body: RefundCreate, principal: Managers, conn: DbConnection, response: Response
) -> Refund:
    outcome = perform(
        "order.refund",
        principal,
        str(body.id),
        lambda: refunds.create_refund(conn, principal, str(order_id), body),
        order_id=str(order_id),
    )
    response.status_code = outcome.status
    return outcome.body
