"""/v1/inventory: stock levels and the movement ledger (anyone reads); adjustments and reorder points (managers)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from backend.auth import Managers, Readers
from backend.dependencies import DbConnection
from backend.schemas.fields import Cursor, Location
from backend.schemas.inventory import (
    Adjustment,
    AdjustmentCreate,
    MovementPage,
    ReorderPoint,
    StockLevel,
    StockPage,
)
from backend.services import inventory
from backend.services.operations import perform

router = APIRouter(prefix="/v1/inventory", tags=["inventory"])


@router.get("")
def list_stock(
    principal: Readers,
    conn: DbConnection,
    product_id: UUID | None = None,
    location: Annotated[Location | None, Query()] = None,
    below_reorder: Annotated[bool, Query(description="Only rows at or below their reorder point")] = False,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> StockPage:
    return inventory.list_stock(
        conn,
        principal,
        product_id=None if product_id is None else str(product_id),
        location=location,
        below_reorder=below_reorder,
        limit=limit,
        cursor=cursor,
    )


@router.post("/adjustments", status_code=201, responses={200: {"model": Adjustment, "description": "A replay"}})
def adjust_stock(body: AdjustmentCreate, principal: Managers, conn: DbConnection, response: Response) -> Adjustment:
    outcome = perform("stock.adjust", principal, str(body.id), lambda: inventory.adjust_stock(conn, principal, body))
    response.status_code = outcome.status
    return outcome.body


@router.get("/movements")
def list_movements(
    principal: Readers,
    conn: DbConnection,
    product_id: UUID | None = None,
    location: Annotated[Location | None, Query()] = None,
    source_id: Annotated[UUID | None, Query(description="An adjustment's, order's or refund's id")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> MovementPage:
    """The stock ledger, newest first."""
    return inventory.list_movements(
        conn,
        principal,
        product_id=None if product_id is None else str(product_id),
        location=location,
        source_id=None if source_id is None else str(source_id),
        limit=limit,
        cursor=cursor,
    )


@router.put("/reorder-point")
def set_reorder_point(body: ReorderPoint, principal: Managers, conn: DbConnection) -> StockLevel:
    product_id = str(body.product_id)
    outcome = perform(
        "stock.reorder_point",
        principal,
        product_id,
        lambda: inventory.set_reorder_point(conn, principal, product_id, body.location, body.reorder_point),
    )
    return outcome.body
