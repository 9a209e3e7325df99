"""The outbox: one row per local write, sent to the server in seq order and kept until it answered.

Statuses: `pending` (waiting to be sent), `in_flight` (sent, no answer yet), `done` (the server applied it, or
a person settled it: see `resolution`), `dead` (the server refused it; kept and shown), `conflict` (a stale
edit; a person decides). A pending op is *blocked* while an earlier op on the same entity is dead or in
conflict: it waits instead of being sent on top of something that did not happen.

Seqs only grow (a counter in sync_state, never MAX(seq)+1, so pruning cannot bring one back). An op that goes
back into the queue after a person settled what blocked it gets a fresh seq at the tail, so the server never
sees a seq lower than one it has already answered, except the resend of an op whose answer was lost.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from offline_cache import product_view, stock
from offline_cache.clock import Clock, from_text, to_text
from offline_cache.db import transaction
from offline_cache.jsonutil import dumps, loads_or_none
from offline_cache.models import OutboxOp, QueueSummary

UNSENT = ("pending", "in_flight")
UNFINISHED = ("pending", "in_flight", "dead", "conflict")
DONE_RETENTION = dt.timedelta(days=30)

_BLOCKED = (
    "EXISTS (SELECT 1 FROM outbox b WHERE b.entity = o.entity AND b.seq < o.seq AND b.status IN ('dead', 'conflict'))"
)
_OP_COLUMNS = (
    "o.id, o.seq, o.type, o.entity, o.status, o.payload, o.attempts, o.created_at, o.next_attempt_at, "
    "o.last_error, o.http_status, o.acked_at, o.resolution, o.exported_at"
)


class OutboxError(Exception):
    """An outbox action a person asked for does not apply to this op (the message says why)."""


@dataclass(frozen=True, slots=True)
class QueuedOp:
    """An op as the engine sends it."""

    id: str
    seq: int
    type: str
    entity: str
    payload: dict[str, Any]
    base: dict[str, Any] | None


def next_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute("UPDATE sync_state SET next_seq = next_seq + 1 WHERE id = 1 RETURNING next_seq - 1").fetchone()
    return row[0]


def client_id(conn: sqlite3.Connection) -> str:
    return conn.execute("SELECT client_id FROM sync_state WHERE id = 1").fetchone()[0]


def enqueue(
    conn: sqlite3.Connection,
    *,
    op_id: str,
    op_type: str,
    entity: str,
    payload: dict[str, Any],
    created_at: str,
    base: dict[str, Any] | None = None,
) -> int:
    """Add an op inside the caller's transaction (the one that writes the entity's local rows); returns its seq."""
    seq = next_seq(conn)
    conn.execute(
        "INSERT INTO outbox (id, seq, client_id, type, entity, payload, base, status, created_at) "
        "VALUES (?, ?, (SELECT client_id FROM sync_state WHERE id = 1), ?, ?, ?, ?, 'pending', ?)",
        (op_id, seq, op_type, entity, dumps(payload), None if base is None else dumps(base), created_at),
    )
    return seq


def entity_id(entity: str) -> tuple[str, str]:
    kind, _, ident = entity.partition(":")
    return kind, ident


def refresh_entity(conn: sqlite3.Connection, entity: str) -> None:
    """Recompute the local view of an entity after its ops changed status."""
    kind, ident = entity_id(entity)
    if kind == "product":
        product_view.refresh(conn, ident)


def _op(row: sqlite3.Row | tuple[Any, ...], blocked: bool = False) -> OutboxOp:
    return OutboxOp(
        id=row[0],
        seq=row[1],
        type=row[2],
        entity=row[3],
        status=row[4],
        payload=json.loads(row[5]),
        attempts=row[6],
        created_at=row[7],
        next_attempt_at=row[8],
        last_error=row[9],
        http_status=row[10],
        acked_at=row[11],
        resolution=row[12],
        exported_at=row[13],
        blocked=blocked,
    )


# --- what the engine uses -------------------------------------------------------------------------------


def recover_in_flight(conn: sqlite3.Connection) -> int:
    """Ops sent by a process that died before the answer came back go back to pending (resending is safe:
    the server answers a known op id as a duplicate)."""
    with transaction(conn):
        return conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'in_flight'").rowcount


def due_batch(conn: sqlite3.Connection, limit: int) -> list[QueuedOp]:
    """The next ops to send: pending, not blocked, in seq order. A product edit that follows another op on the
    same product in the batch waits for the next batch, because its `version` is only known once the earlier
    op's answer is in."""
    rows = conn.execute(
        f"SELECT o.id, o.seq, o.type, o.entity, o.payload, o.base FROM outbox o "
        f"WHERE o.status = 'pending' AND NOT {_BLOCKED} ORDER BY o.seq LIMIT ?",
        (limit,),
    ).fetchall()
    batch: list[QueuedOp] = []
    products_in_batch: set[str] = set()
    for op_id, seq, op_type, entity, payload, base in rows:
        if entity.startswith("product:"):
            if op_type == "product.update" and entity in products_in_batch:
                break
            products_in_batch.add(entity)
        batch.append(QueuedOp(op_id, seq, op_type, entity, json.loads(payload), loads_or_none(base)))
    return batch


def mark_in_flight(conn: sqlite3.Connection, ops: Sequence[QueuedOp]) -> None:
    with transaction(conn):
        conn.executemany(
            "UPDATE outbox SET status = 'in_flight', attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
            [(op.id,) for op in ops],
        )


def release(conn: sqlite3.Connection, ops: Sequence[QueuedOp], error: str, retry_at: dt.datetime | None) -> None:
    """Sent ops whose answer did not come (network, 5xx, 429, 401) go back to pending, error noted."""
    next_attempt = None if retry_at is None else to_text(retry_at)
    with transaction(conn):
        conn.executemany(
            "UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ? "
            "WHERE id = ? AND status = 'in_flight'",
            [(error, next_attempt, op.id) for op in ops],
        )


def resequence(conn: sqlite3.Connection, op_ids: Sequence[str]) -> None:
    """Move ops to the tail of the queue, keeping their relative order."""
    for op_id in op_ids:
        conn.execute("UPDATE outbox SET seq = ? WHERE id = ?", (next_seq(conn), op_id))


def waiting_behind(conn: sqlite3.Connection, entity: str, seq: int) -> list[str]:
    """Pending ops on `entity` after `seq`, in order: the ones a dead or conflicting op at `seq` blocks."""
    rows = conn.execute(
        "SELECT id FROM outbox WHERE entity = ? AND seq > ? AND status = 'pending' ORDER BY seq", (entity, seq)
    )
    return [row[0] for row in rows]


# --- what people and screens use --------------------------------------------------------------------------


class Outbox:
    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def summary(self) -> QueueSummary:
        counts = dict.fromkeys(("pending", "in_flight", "dead", "conflict"), 0)
        oldest: str | None = None
        rows = self._conn.execute(
            "SELECT status, COUNT(*), MIN(created_at) FROM outbox "
            "WHERE status IN ('pending', 'in_flight', 'dead', 'conflict') GROUP BY status"
        )
        for status, number, first in rows:
            counts[status] = number
            if status in UNSENT and first is not None and (oldest is None or first < oldest):
                oldest = first
        blocked = 0
        if counts["dead"] or counts["conflict"]:
            blocked_sql = f"SELECT COUNT(*) FROM outbox o WHERE o.status = 'pending' AND {_BLOCKED}"
            blocked = self._conn.execute(blocked_sql).fetchone()[0]
        return QueueSummary(
            pending=counts["pending"],
            in_flight=counts["in_flight"],
            dead=counts["dead"],
            conflicts=counts["conflict"],
            blocked=blocked,
            oldest_pending_at=None if oldest is None else from_text(oldest),
        )

    def list(
        self,
        statuses: Sequence[str] = UNFINISHED,
        limit: int | None = None,
        *,
        after_seq: int | None = None,
        before_seq: int | None = None,
    ) -> list[OutboxOp]:
        """Ops with these statuses in seq order (every unfinished op by default), each marked when blocked.
        A keyset page: the first `limit` after `after_seq`, or the last `limit` before `before_seq`."""
        marks = ", ".join("?" * len(statuses))
        keyset, order = "", "ASC"
        if before_seq is not None:
            keyset, order = f"AND o.seq < {int(before_seq)}", "DESC"
        elif after_seq is not None:
            keyset = f"AND o.seq > {int(after_seq)}"
        rows = self._conn.execute(
            f"SELECT {_OP_COLUMNS}, o.status = 'pending' AND {_BLOCKED} FROM outbox o "
            f"WHERE o.status IN ({marks}) {keyset} ORDER BY o.seq {order} LIMIT ?",
            (*statuses, -1 if limit is None else limit),
        )
        ops = [_op(row, bool(row[14])) for row in rows]
        return ops[::-1] if order == "DESC" else ops

    def get(self, op_id: str) -> OutboxOp | None:
        row = self._conn.execute(
            f"SELECT {_OP_COLUMNS}, o.status = 'pending' AND {_BLOCKED} FROM outbox o WHERE o.id = ?", (op_id,)
        ).fetchone()
        return None if row is None else _op(row, bool(row[14]))

    def retry(self, op_id: str, payload: dict[str, Any] | None = None) -> None:
        """Send a dead op again (with a corrected payload when the fix is local), at the tail of the queue,
        followed by the ops it was blocking, in their order. Same op id: if the server did apply it after all,
        it answers with a duplicate, never a second effect."""
        with transaction(self._conn):
            op = self._settleable(op_id, "dead")
            chain = [op.id, *waiting_behind(self._conn, op.entity, op.seq)]
            self._conn.execute(
                "UPDATE outbox SET status = 'pending', last_error = NULL, http_status = NULL, "
                "next_attempt_at = NULL, payload = COALESCE(?, payload) WHERE id = ?",
                (None if payload is None else dumps(payload), op.id),
            )
            if payload is not None and op.type == "stock.adjust":  # a corrected quantity moves stock by the new one
                stock.drop_deltas(self._conn, op.id)
                stock.add_deltas(
                    self._conn, op.id, {(payload["product_id"], payload["location"]): stock.adjustment_delta(payload)}
                )
            resequence(self._conn, chain)
            refresh_entity(self._conn, op.entity)

    def discard(self, op_id: str) -> None:
        """Give up on a dead op (the screen asks the person to type DISCARD first). The row stays, marked
        discarded; its local effects (stock moved, product edits) stop counting; the ops it blocked go on."""
        with transaction(self._conn):
            op = self._settleable(op_id, "dead")
            settle(self._conn, op, "discarded", to_text(self._clock()))

    def prune(self, older_than: dt.timedelta = DONE_RETENTION) -> int:
        """Delete ops the server acknowledged more than `older_than` ago."""
        cutoff = to_text(self._clock() - older_than)
        with transaction(self._conn):
            return self._conn.execute("DELETE FROM outbox WHERE status = 'done' AND acked_at < ?", (cutoff,)).rowcount

    def _settleable(self, op_id: str, status: str) -> OutboxOp:
        op = self.get(op_id)
        if op is None:
            raise OutboxError(f"There is no queued operation {op_id}.")
        if op.status != status:
            raise OutboxError(f"Operation {op_id} is {op.status}, not {status}: there is nothing to settle.")
        return op


def settle(
    conn: sqlite3.Connection,
    op: OutboxOp,
    resolution: str,
    now: str,
    replacement: Callable[[list[str]], None] | None = None,
) -> None:
    """Close a dead or conflicting op as a person decided, inside the caller's transaction: it stops counting
    in the local view, and the ops it blocked move to the tail of the queue, behind the op that `replacement`
    enqueues in its place, if any (it is given the blocked ops' ids, in order, to adjust them)."""
    chain = waiting_behind(conn, op.entity, op.seq)
    conn.execute(
        "UPDATE outbox SET status = 'done', resolution = ?, acked_at = COALESCE(acked_at, ?) WHERE id = ?",
        (resolution, now, op.id),
    )
    stock.drop_deltas(conn, op.id)
    if replacement is not None:
        replacement(chain)
    resequence(conn, chain)
    refresh_entity(conn, op.entity)
