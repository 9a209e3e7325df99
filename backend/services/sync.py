"""The sync push: a client's queued ops, each applied together with the record that it was applied, so that a
replay (a lost response, a second terminal importing the queue) has no second effect.

A push runs in one transaction. Per op: claim the op id with INSERT … ON CONFLICT DO NOTHING in `sync_ops`. A
claim that finds the id taken is a replay: it answers `duplicate` with the stored result (a concurrent twin waits
on the claim until the first commits, then finds it). Otherwise the op runs through the same service function as
its single route. The ops' results (into their claims), their change-feed stamps and the client's
`last_applied_seq` are written once, last, in the same transaction; the outcomes are logged once it has committed.
One commit per push instead of one per op is what makes a queue drain fast (a commit waits for the disk), and
fewer statements per op what makes it faster still.

Consecutive sales (order.create ops, each id once) are applied set-wise as one run: their claims in one statement,
the claims already taken (replays) looked up in one, then `orders.create_orders` writes the run's orders, lines,
movements, stock and shift links in a statement per table, so a drained queue costs a few statements per batch
rather than a dozen per sale. Every rule stays the op's own: its result, its claim, its replay.

A rejected op (4xx) must leave no trace, its claim included, so it can be sent again once fixed, while the ops
after it still run. Refusals are rare, so a push is first applied without savepoints; should an op be refused (or
a run of sales not be plain new ones: a sale refused, replayed through its single route, or a receipt number
taken), that transaction is rolled back and the push applied again op by op, each op in its own savepoint, where
a refused op rolls back alone.

On PostgreSQL a push of several ops first takes a transaction-level advisory lock of its shop, so that two
pushes never lock the same stock rows in opposite orders. Should a deadlock still happen (a single-route order
holding rows the push wants), the push is rolled back and its ops are applied one transaction each instead.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal
from backend.db import Database
from backend.db.tables import sync_clients, sync_ops
from backend.db.types import utcnow
from backend.db.upsert import dialect_insert
from backend.problems import FieldError, Problem
from backend.schemas.sync import OpResult, PushRequest, PushResponse, SyncOp
from backend.services import changes, operations, orders
from backend.services.fingerprint import fingerprint
from backend.services.operations import OPERATIONS, Operation, log_write, outcome_name
from backend.services.outcome import Outcome

# PostgreSQL's SQLSTATEs for a transaction that lost a deadlock or a serialization race: worth applying again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_KEY = (sync_ops.c.shop_id == sa.bindparam("key_shop_id"), sync_ops.c.id == sa.bindparam("key_id"))
_STORED = sa.select(sync_ops.c.id, sync_ops.c.request_hash, sync_ops.c.http_status, sync_ops.c.body).where(
    sync_ops.c.shop_id == sa.bindparam("shop_id"), sync_ops.c.id.in_(sa.bindparam("ids", expanding=True))
)
_RECORD = sa.update(sync_ops).where(*_KEY)
_LAST_APPLIED = sa.select(sync_clients.c.last_applied_seq).where(
    sync_clients.c.shop_id == sa.bindparam("shop_id"), sync_clients.c.client_id == sa.bindparam("client_id")
)


@dataclass(frozen=True)
class _Applied:
    """An op's result and what to log about it once its transaction has ended."""

    result: OpResult
    detail: str | None = None  # a refused op's problem


def push(database: Database, principal: Principal, request: PushRequest) -> PushResponse:
    try:
        try:
            applied, last = _push_together(database, principal, request, savepoints=False)
        except _OneByOne:
            applied, last = _push_together(database, principal, request, savepoints=True)
    except sa.exc.DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in _RETRYABLE_SQLSTATES:
            raise
        applied = [_apply_alone(database, principal, request.client_id, op) for op in request.ops]
        with database.transaction(write=False, shop_id=principal.shop_id) as conn:
            last = _last_applied(conn, principal, request.client_id)
    for op, outcome in zip(request.ops, applied, strict=True):
        _log(principal, request.client_id, op, outcome)
    return PushResponse(results=[outcome.result for outcome in applied], last_applied_seq=last)


class _OneByOne(Exception):
    """The push, applied without savepoints, met a refused op (or a run of sales that is not all new): it is rolled
    back and applied again op by op, each in its own savepoint."""


@dataclass
class _Recorded:
    """Results of applied ops, kept to be written to their claims in one statement at the end of the push."""

    by_id: dict[str, tuple[str, OpResult]] = field(default_factory=dict)  # op id -> (request hash, result)

    def write(self, conn: Connection, shop_id: str) -> None:
        rows = [
            {"key_shop_id": shop_id, "key_id": op_id, "status": r.status, "http_status": r.http_status, "body": r.body}
            for op_id, (_, r) in self.by_id.items()
        ]
        if rows:
            conn.execute(_RECORD, rows)


def _push_together(
    database: Database, principal: Principal, request: PushRequest, *, savepoints: bool
) -> tuple[list[_Applied], int | None]:
    """Every op in one transaction; the results, the stamps and the client's seq once at the end. Without
    `savepoints` (the first try: refused ops are rare) runs of sales go set-wise and a refused op raises
    _OneByOne; with them each op runs on its own in its own savepoint, so a refused one rolls back alone."""
    applied: list[_Applied] = []
    with database.transaction(write=True, shop_id=principal.shop_id) as conn:
        if len(request.ops) > 1 and conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_shop_lock_key(principal.shop_id))))
        stamps, recorded = changes.Noted(), _Recorded()
        now = utcnow()
        highest: int | None = None
        for ops in ([op] for op in request.ops) if savepoints else _runs(request.ops):
            try:
                with changes.noted(conn) as noted, conn.begin_nested() if savepoints else nullcontext():
                    done = _Recorded()
                    if len(ops) == 1:
                        results = [_apply(conn, principal, request.client_id, ops[0], now, recorded, done)]
                    else:
                        results = _apply_sales(conn, principal, request.client_id, ops, now, recorded, done)
            except (Problem, orders.NotAllNew) as problem:
                if not savepoints:
                    raise _OneByOne from problem
                assert isinstance(problem, Problem)  # with savepoints every op runs alone, never in a run
                applied.append(_Applied(_refused(ops[0], problem), problem.detail))
                continue
            stamps.update(noted)
            recorded.by_id.update(done.by_id)
            top = max(op.seq for op in ops)
            highest = top if highest is None else max(highest, top)
            applied += [_Applied(result) for result in results]
        recorded.write(conn, principal.shop_id)
        if highest is not None:
            _note_applied(conn, principal, request.client_id, highest, now)
        changes.stamp(conn, principal.shop_id, products_changed=stamps.products, stock_changed=stamps.stock)
        return applied, _last_applied(conn, principal, request.client_id)


def _runs(ops: Sequence[SyncOp]) -> Iterator[list[SyncOp]]:
    """The ops in order, consecutive sales together as a run (an op id at most once in a run; a malformed one
    alone), every other op alone."""
    run: list[SyncOp] = []
    ids: set[str] = set()
    for op in ops:
        op_id = _canonical_id(op.id) if op.type == "order.create" else None
        if op_id is not None and op_id not in ids:
            run.append(op)
            ids.add(op_id)
            continue
        if run:
            yield run
        run, ids = [], set()
        if op_id is None:
            yield [op]
        else:
            run, ids = [op], {op_id}
    if run:
        yield run


def _apply_alone(database: Database, principal: Principal, client_id: str, op: SyncOp) -> _Applied:
    """One op in its own transaction (the way out of a deadlock)."""
    try:
        with database.transaction(write=True, shop_id=principal.shop_id) as conn:
            now, done = utcnow(), _Recorded()
            result = _apply(conn, principal, client_id, op, now, _Recorded(), done)
            done.write(conn, principal.shop_id)
            _note_applied(conn, principal, client_id, op.seq, now)
    except Problem as problem:
        return _Applied(_refused(op, problem), problem.detail)
    return _Applied(result)


def _shop_lock_key(shop_id: str) -> int:
    """The shop's advisory lock key: 63 bits of its UUID (a collision only makes two shops take turns)."""
    return uuid.UUID(shop_id).int >> 65


def _refused(op: SyncOp, problem: Problem) -> OpResult:
    status = problem.status_code
    body = problem.details.model_dump(mode="json", exclude_none=True)
    return OpResult(seq=op.seq, id=op.id, status=outcome_name(status), http_status=status, body=body)  # type: ignore[arg-type]


def _log(principal: Principal, client_id: str, op: SyncOp, outcome: _Applied) -> None:
    result = outcome.result
    context: dict[str, Any] = {"via": "sync", "client_id": client_id, "seq": op.seq}
    if outcome.detail is not None:
        context["detail"] = outcome.detail
    log_write(op.type, principal, op.id, result.status, result.http_status, **context)


def _apply(
    conn: Connection,
    principal: Principal,
    client_id: str,
    op: SyncOp,
    now: datetime,
    recorded: _Recorded,
    done: _Recorded,
) -> OpResult:
    """Claim the op and run it; a Problem means it had no effect. Its result goes into `done` for the caller to
    write to the claim (with the client's seq); `recorded` holds the results not written yet of the ops before
    it in the same push, where a replay of one of them finds its result."""
    operation, op_id, request_hash = _checked(principal, op)
    claim = _claim(principal, client_id, op, op_id, request_hash, now)
    if conn.execute(_claim_statement(conn.dialect.name), claim).first() is None:
        return _duplicates(conn, principal, [(op, op_id, request_hash)], recorded)[0]
    result = _result(op, operation.run(conn, principal, op_id, op.payload))
    done.by_id[op_id] = (request_hash, result)
    return result


def _apply_sales(
    conn: Connection,
    principal: Principal,
    client_id: str,
    ops: Sequence[SyncOp],
    now: datetime,
    recorded: _Recorded,
    done: _Recorded,
) -> list[OpResult]:
    """A run of sales (order.create ops, each id once) set-wise, with the same results as `_apply` one by one:
    their claims in one statement, the replays among them looked up in one, the new sales written together.
    Raises the Problem of a refused op, or orders.NotAllNew: the caller then goes op by op."""
    checked: list[tuple[SyncOp, str, str]] = []  # (op, op id, request hash)
    for op in ops:
        _, op_id, request_hash = _checked(principal, op)
        checked.append((op, op_id, request_hash))
    claims = [_claim(principal, client_id, op, op_id, request_hash, now) for op, op_id, request_hash in checked]
    claimed = {str(row.id) for row in conn.execute(_claim_statement(conn.dialect.name), claims)}
    replays = [each for each in checked if each[1] not in claimed]
    replayed = _duplicates(conn, principal, replays, recorded)
    results = {op_id: result for (_, op_id, _), result in zip(replays, replayed, strict=True)}
    new = [each for each in checked if each[1] in claimed]
    if new:
        bodies = [operations.order_create_body(op_id, op.payload) for op, op_id, _ in new]
        for (op, op_id, request_hash), order in zip(new, orders.create_orders(conn, principal, bodies), strict=True):
            results[op_id] = _result(op, Outcome.created(order))
            done.by_id[op_id] = (request_hash, results[op_id])
    return [results[op_id] for _, op_id, _ in checked]


def _checked(principal: Principal, op: SyncOp) -> tuple[Operation, str, str]:
    """The op's operation, canonical id and request hash; a Problem if it is no op this principal may run."""
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
    return operation, op_id, fingerprint({"type": op.type, "payload": op.payload})


def _claim(
    principal: Principal, client_id: str, op: SyncOp, op_id: str, request_hash: str, now: datetime
) -> dict[str, Any]:
    """The op's sync_ops row as claimed, before its result is known."""
    return {
        "shop_id": principal.shop_id,
        "id": op_id,
        "client_id": client_id,
        "seq": op.seq,
        "type": op.type,
        "request_hash": request_hash,
        "status": "applied",
        "http_status": 0,
        "body": {},
        "applied_at": now,
    }


def _duplicates(
    conn: Connection, principal: Principal, replays: Sequence[tuple[SyncOp, str, str]], recorded: _Recorded
) -> list[OpResult]:
    """The `duplicate` results of ops whose claims were taken, (op, op id, request hash) each: their stored
    results, from this push's `recorded` or else read in one statement; 422 for an id used for another op."""
    unwritten = [op_id for _, op_id, _ in replays if op_id not in recorded.by_id]
    stored = {
        str(row.id): (row.request_hash, row.http_status, row.body)
        for row in (conn.execute(_STORED, {"shop_id": principal.shop_id, "ids": unwritten}) if unwritten else ())
    }
    results = []
    for op, op_id, request_hash in replays:
        if op_id in recorded.by_id:  # the same op earlier in this push
            stored_hash, earlier = recorded.by_id[op_id]
            http_status, body = earlier.http_status, earlier.body
        else:
            stored_hash, http_status, body = stored[op_id]
        if stored_hash != request_hash:
            raise Problem(422, "This op id was already used for another op.", type_="id-reused")
        results.append(OpResult(seq=op.seq, id=op.id, status="duplicate", http_status=http_status, body=body))
    return results


def _result(op: SyncOp, outcome: Outcome[Any]) -> OpResult:
    status = outcome_name(outcome.status, outcome.replayed)
    body = outcome.body.model_dump(mode="json")
    return OpResult(seq=op.seq, id=op.id, status=status, http_status=outcome.status, body=body)  # type: ignore[arg-type]


@functools.cache
def _claim_statement(dialect: str) -> sa.Insert:
    return dialect_insert(dialect, sync_ops).on_conflict_do_nothing().returning(sync_ops.c.id)


def _op_id(value: str) -> str:
    op_id = _canonical_id(value)
    if op_id is None:
        error = FieldError(location="body", pointer="/id", detail="An op id is a UUID.")
        raise Problem(422, error.detail, type_="validation", errors=[error])
    return op_id


def _canonical_id(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@functools.cache
def _note_statement(dialect: str) -> sa.Insert:
    statement = dialect_insert(dialect, sync_clients)
    current, seq = sync_clients.c.last_applied_seq, statement.excluded.last_applied_seq
    return statement.on_conflict_do_update(
        index_elements=[sync_clients.c.shop_id, sync_clients.c.client_id],
        set_={
            "last_applied_seq": sa.case((current < seq, seq), else_=current),
            "updated_at": statement.excluded.updated_at,
        },
    )


def _note_applied(conn: Connection, principal: Principal, client_id: str, seq: int, now: datetime) -> None:
    """The client's last applied seq moves up to `seq` (never down: a fixed old op may come after newer ones)."""
    values = {"shop_id": principal.shop_id, "client_id": client_id, "last_applied_seq": seq, "updated_at": now}
    conn.execute(_note_statement(conn.dialect.name), values)


def _last_applied(conn: Connection, principal: Principal, client_id: str) -> int | None:
    return conn.scalar(_LAST_APPLIED, {"shop_id": principal.shop_id, "client_id": client_id})
