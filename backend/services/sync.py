"""The sync push: a client's queued ops, each applied in its own transaction together with the record that it was
applied, so that a replay (a lost response, a second terminal importing the queue) has no second effect.

Per op, in one transaction: claim the op id with INSERT … ON CONFLICT DO NOTHING in `sync_ops`. A claim that
finds the id taken is a replay: it answers `duplicate` with the stored result (a concurrent twin waits on the
claim until the first commits, then finds it). Otherwise the op runs through the same service function as its
single route and its result is stored. A rejected op (4xx) rolls back with its claim, so it can be sent again
once fixed, and the ops after it still run. The client's `last_applied_seq` moves in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal
from backend.db import Database
from backend.db.tables import sync_clients, sync_ops
from backend.db.types import utcnow
from backend.db.upsert import insert
from backend.problems import FieldError, Problem
from backend.schemas.sync import OpResult, PushRequest, PushResponse, SyncOp
from backend.services.fingerprint import fingerprint
from backend.services.operations import OPERATIONS, log_write, outcome_name


def push(database: Database, principal: Principal, request: PushRequest) -> PushResponse:
    results = [apply_op(database, principal, request.client_id, op) for op in request.ops]
    with database.transaction(write=False, shop_id=principal.shop_id) as conn:
        last = conn.scalar(
            sa.select(sync_clients.c.last_applied_seq).where(
                sync_clients.c.shop_id == principal.shop_id, sync_clients.c.client_id == request.client_id
            )
        )
    return PushResponse(results=results, last_applied_seq=last)


def apply_op(database: Database, principal: Principal, client_id: str, op: SyncOp) -> OpResult:
    """One op in its own transaction; a Problem rolls it back and becomes a rejected or conflict result. The
    outcome is logged once the transaction has ended."""
    context = {"via": "sync", "client_id": client_id, "seq": op.seq}
    try:
        with database.transaction(write=True, shop_id=principal.shop_id) as conn:
            result = _apply(conn, principal, client_id, op)
    except Problem as problem:
        status = problem.status_code
        log_write(op.type, principal, op.id, outcome_name(status), status, detail=problem.detail, **context)
        body = problem.details.model_dump(mode="json", exclude_none=True)
        return OpResult(seq=op.seq, id=op.id, status=outcome_name(status), http_status=status, body=body)  # type: ignore[arg-type]
    log_write(op.type, principal, op.id, result.status, result.http_status, **context)
    return result


def _apply(conn: Connection, principal: Principal, client_id: str, op: SyncOp) -> OpResult:
    operation = OPERATIONS.get(op.type)
    if operation is None:
        known = ", ".join(OPERATIONS)
        error = FieldError(location="body", pointer="/type", detail=f"Unknown op type; known: {known}.")
        raise Problem(422, f"Unknown op type {op.type!r}.", type_="validation", errors=[error])
    op_id = _op_id(op.id)
    if not isinstance(op.payload, dict):
        error = FieldError(location="body", pointer="", detail="An op's payload is a JSON object.")
        raise Problem(422, error.detail, type_="validation", errors=[error])
    if principal.role not in operation.roles:
        needed = " or ".join(sorted(operation.roles))
        raise Problem(403, f"This needs the {needed} role.", type_="role-required")
    now = utcnow()
    request_hash = fingerprint({"type": op.type, "payload": op.payload})
    claim = (
        insert(conn, sync_ops)
        .values(
            shop_id=principal.shop_id,
            id=op_id,
            client_id=client_id,
            seq=op.seq,
            type=op.type,
            request_hash=request_hash,
            status="applied",
            http_status=0,
            body={},
            applied_at=now,
        )
        .on_conflict_do_nothing()
        .returning(sync_ops.c.id)
    )
    key = (sync_ops.c.shop_id == principal.shop_id, sync_ops.c.id == op_id)
    if conn.execute(claim).first() is None:
        stored = conn.execute(sa.select(sync_ops).where(*key)).mappings().one()
        if stored["request_hash"] != request_hash:
            raise Problem(422, "This op id was already used for another op.", type_="id-reused")
        _note_applied(conn, principal, client_id, op.seq, now)
        return OpResult(
            seq=op.seq, id=op.id, status="duplicate", http_status=stored["http_status"], body=stored["body"]
        )

    outcome = operation.run(conn, principal, op_id, op.payload)
    body = outcome.body.model_dump(mode="json")
    status = outcome_name(outcome.status, outcome.replayed)
    conn.execute(sa.update(sync_ops).where(*key).values(status=status, http_status=outcome.status, body=body))
    _note_applied(conn, principal, client_id, op.seq, now)
    return OpResult(seq=op.seq, id=op.id, status=status, http_status=outcome.status, body=body)  # type: ignore[arg-type]


def _op_id(value: str) -> str:
    try:
        return str(UUID(value))
    except ValueError:
        error = FieldError(location="body", pointer="/id", detail="An op id is a UUID.")
        raise Problem(422, error.detail, type_="validation", errors=[error]) from None


def _note_applied(conn: Connection, principal: Principal, client_id: str, seq: int, now: datetime) -> None:
    statement = insert(conn, sync_clients).values(
        shop_id=principal.shop_id, client_id=client_id, last_applied_seq=seq, updated_at=now
    )
    current = sync_clients.c.last_applied_seq
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sync_clients.c.shop_id, sync_clients.c.client_id],
            set_={
                "last_applied_seq": sa.case((current < seq, seq), else_=current),
                "updated_at": now,
            },
        )
    )
