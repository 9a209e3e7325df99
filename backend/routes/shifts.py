"""/v1/shifts: till shifts. Sellers open them and record cash and close their own (a manager any); everyone reads
(a cashier their own). See services/shifts.py for which shift a sale belongs to and what the figures are."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from backend.auth import Readers, Sellers
from backend.dependencies import DbConnection
from backend.schemas.fields import Cursor, TerminalId
from backend.schemas.shifts import (
    CashMovement,
    CashMovementCreate,
    Shift,
    ShiftClose,
    ShiftOpen,
    ShiftPage,
    ShiftReport,
    ShiftStatus,
)
from backend.services import shifts
from backend.services.operations import perform

router = APIRouter(prefix="/v1/shifts", tags=["shifts"])


@router.post("", status_code=201, responses={200: {"model": Shift, "description": "A replay: the stored shift"}})
def open_shift(body: ShiftOpen, principal: Sellers, conn: DbConnection, response: Response) -> Shift:
    """Open a till shift for a terminal; 409 `shift-already-open` (with the open `shift`) if it has one."""
    outcome = perform("shift.open", principal, str(body.id), lambda: shifts.open_shift(conn, principal, body))
    response.status_code = outcome.status
    return outcome.body


@router.get("")
def list_shifts(
    principal: Readers,
    conn: DbConnection,
    terminal_id: Annotated[TerminalId | None, Query()] = None,
    status: Annotated[ShiftStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> ShiftPage:
    """Shifts newest first; a cashier sees their own."""
    return shifts.list_shifts(conn, principal, terminal_id=terminal_id, status=status, limit=limit, cursor=cursor)


@router.get("/{shift_id}")
def get_shift(shift_id: UUID, principal: Readers, conn: DbConnection) -> ShiftReport:
    """The shift with its X figures while open, its Z figures once closed."""
    return shifts.get_shift(conn, principal, str(shift_id))


@router.post(
    "/{shift_id}/cash-movements",
    status_code=201,
    responses={200: {"model": CashMovement, "description": "A replay: the stored cash movement"}},
)
def record_cash_movement(
    shift_id: UUID, body: CashMovementCreate, principal: Sellers, conn: DbConnection, response: Response
) -> CashMovement:
    """Cash paid in or out of an open till shift's drawer; 409 `shift-closed` once it is closed."""
    outcome = perform(
        "shift.cash",
        principal,
        str(body.id),
        lambda: shifts.record_cash_movement(conn, principal, str(shift_id), body),
        shift_id=str(shift_id),
    )
    response.status_code = outcome.status
    return outcome.body


@router.post("/{shift_id}/close")
def close_shift(shift_id: UUID, body: ShiftClose, principal: Sellers, conn: DbConnection) -> ShiftReport:
    """Close with the counted drawer: the Z figures. The same count again answers them again; another count 409
    `shift-closed` with the stored Z figures as `shift`."""
    outcome = perform(
        "shift.close", principal, str(shift_id), lambda: shifts.close_shift(conn, principal, str(shift_id), body)
    )
    return outcome.body
