"""The writes of the contract as operations: who may run each sync op type and how its payload becomes the single
route's arguments, so that both reach the same service function; and the write log.

Each write is logged as one JSON line (`event: "write"`) with the request id, user, shop, operation, entity id and
outcome (applied, duplicate, rejected, conflict) with its status: single routes through `perform`, sync ops once
their transaction has ended (services/sync.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Connection

from backend.auth import MANAGERS, SELLERS, Principal, Role
from backend.middleware import request_id
from backend.problems import FieldError, Problem, validation_problem
from backend.schemas.inventory import AdjustmentCreate
from backend.schemas.orders import OrderCreate, RefundCreate
from backend.schemas.products import ProductCreate, ProductPatch
from backend.schemas.shifts import CashMovementCreate, ShiftClose, ShiftOpen
from backend.services import inventory, orders, products, refunds, shifts
from backend.services.outcome import Outcome

log = logging.getLogger("backend.writes")

Model = TypeVar("Model", bound=BaseModel)


def outcome_name(status: int, replayed: bool = False) -> str:
    if status >= 400:
        return "conflict" if status == 409 else "rejected"
    return "duplicate" if replayed else "applied"


def log_write(operation: str, principal: Principal, entity_id: str, outcome: str, status: int, **context: Any) -> None:
    fields = {
        "event": "write",
        "operation": operation,
        "entity_id": entity_id,
        "outcome": outcome,
        "status": status,
        "request_id": request_id.get(),
        "user": principal.sub,
        "shop": principal.shop_id,
        "role": principal.role.value,
        **context,
    }
    log.info("write", extra=fields)


def perform(
    operation: str, principal: Principal, entity_id: str, action: Callable[[], Outcome[Any]], **context: Any
) -> Outcome[Any]:
    """Run a write and log what came of it; a Problem is logged and raised on."""
    try:
        outcome = action()
    except Problem as problem:
        status = problem.status_code
        log_write(operation, principal, entity_id, outcome_name(status), status, detail=problem.detail, **context)
        raise
    log_write(
        operation, principal, entity_id, outcome_name(outcome.status, outcome.replayed), outcome.status, **context
    )
    return outcome


def parse(model: type[Model], data: Any, location: str = "body") -> Model:
    """`data` as `model`, or the 422 problem the route would answer for it."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc.errors(), location) from None


def parse_version(if_match: str | None) -> int:
    """The version an `If-Match` header names: `3`, `"3"` or `W/"3"`. Missing: 428; anything else: 422."""
    if if_match is None:
        raise Problem(428, "Send If-Match with the version the change is based on.", type_="version-required")
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isascii() or not tag.isdigit() or len(tag) > 9:
        error = FieldError(location="header", pointer="/if-match", detail="If-Match must be a product version.")
        raise Problem(422, error.detail, type_="validation", errors=[error])
    return int(tag)


@dataclass(frozen=True)
class Operation:
    """A sync op type: the roles it needs and how it runs from an op (id, payload)."""

    roles: frozenset[Role]
    run: Callable[[Connection, Principal, str, dict[str, Any]], Outcome[Any]]


def _with_op_id(payload: dict[str, Any], op_id: str) -> dict[str, Any]:
    """A create's payload: the new entity's id is the op's id (it may be given again, but not differently)."""
    given = payload.get("id", op_id)
    try:
        same = str(UUID(given)) == op_id
    except (TypeError, ValueError, AttributeError):
        same = False
    if not same:
        error = FieldError(location="body", pointer="/id", detail="The payload's id must be the op's id.")
        raise Problem(422, error.detail, type_="validation", errors=[error])
    return {**payload, "id": op_id}


def _path_id(payload: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    """Take the id the single route has in its path out of the payload (422 if missing or not a UUID)."""
    rest = dict(payload)
    value = rest.pop(name, None)
    try:
        return str(UUID(value)), rest
    except (TypeError, ValueError, AttributeError):
        error = FieldError(location="path", pointer=f"/{name}", detail=f"The payload needs `{name}`, a UUID.")
        raise Problem(422, error.detail, type_="validation", errors=[error]) from None


def order_create_body(op_id: str, payload: dict[str, Any]) -> OrderCreate:
    """An order.create op's payload as the single route's body (sync applies a run of sales set-wise with it)."""
    return parse(OrderCreate, _with_op_id(payload, op_id))


def _order_create(conn: Connection, principal: Principal, op_id: str, payload: dict[str, Any]) -> Outcome[Any]:
    return orders.create_order(conn, principal, order_create_body(op_id, payload))


def _order_refund(conn: Connection, principal: Principal, op_id: str, payload: dict[str, Any]) -> Outcome[Any]:
    order_id, body = _path_id(payload, "order_id")
    return refunds.create_refund(conn, principal, order_id, parse(RefundCreate, _with_op_id(body, op_id)))


def _stock_adjust(conn: Connection, principal: Principal, op_id: str, payload: dict[str, Any]) -> Outcome[Any]:
    return inventory.adjust_stock(conn, principal, parse(AdjustmentCreate, _with_op_id(payload, op_id)))


def _product_create(conn: Connection, principal: Principal, op_id: str, payload: dict[str, Any]) -> Outcome[Any]:
    return products.create_product(conn, principal, parse(ProductCreate, _with_op_id(payload, op_id)))


def _product_update(conn: Connection, principal: Principal, _op_id: str, payload: dict[str, Any]) -> Outcome[Any]:
    product_id, rest = _path_id(payload, "product_id")
    version = rest.pop("version", None)
    if isinstance(version, bool) or not isinstance(version, int | None):
        error = FieldError(location="header", pointer="/if-match", detail="`version` must be an integer.")
        raise Problem(422, error.detail, type_="validation", errors=[error])
    parsed_version = parse_version(None if version is None else str(version))
    return products.update_product(conn, principal, product_id, parsed_version, parse(ProductPatch, rest))


def _shift_open(conn: Connection, principal: Principal, op_id: str, payload: dict[str, Any]) -> Outcome[Any]:
    return shifts.open_shift(conn, principal, parse(ShiftOpen, _with_op_id(payload, op_id)))


def _shift_cash(conn: Connection, principal: Principal, op_id: str, payload: dict[str, Any]) -> Outcome[Any]:
    shift_id, body = _path_id(payload, "shift_id")
    return shifts.record_cash_movement(conn, principal, shift_id, parse(CashMovementCreate, _with_op_id(body, op_id)))


def _shift_close(conn: Connection, principal: Principal, _op_id: str, payload: dict[str, Any]) -> Outcome[Any]:
    shift_id, body = _path_id(payload, "shift_id")
    return shifts.close_shift(conn, principal, shift_id, parse(ShiftClose, body))


OPERATIONS: dict[str, Operation] = {
    "order.create": Operation(SELLERS, _order_create),
    "order.refund": Operation(MANAGERS, _order_refund),
    "stock.adjust": Operation(MANAGERS, _stock_adjust),
    "product.create": Operation(MANAGERS, _product_create),
    "product.update": Operation(MANAGERS, _product_update),
    "shift.open": Operation(SELLERS, _shift_open),
    "shift.cash": Operation(SELLERS, _shift_cash),
    "shift.close": Operation(SELLERS, _shift_close),
}
