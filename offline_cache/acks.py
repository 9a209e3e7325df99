"""What the server's answer to a pushed op does locally, all of one push reply in one transaction.

applied / duplicate → done (the entity's server state taken from the answer); conflict or 409 → a conflict
record with base, mine and theirs; 5xx, 408, 425, 429 or 401 for one op → back to pending; any other refusal
→ dead, with the server's problem detail. An op the reply does not mention goes back to pending.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from offline_cache import outbox, product_view, shifts, stock
from offline_cache.jsonutil import dumps
from offline_cache.models import EDITABLE_PRODUCT_FIELDS
from offline_cache.outbox import QueuedOp
from offline_cache.transport import OpResult, PushReply, problem_text

RETRY_STATUSES = frozenset({401, 408, 425, 429})


def is_retryable(http_status: int) -> bool:
    return http_status in RETRY_STATUSES or http_status >= 500 or http_status == 0


@dataclass
class PushTally:
    applied: int = 0
    duplicate: int = 0
    rejected: int = 0
    conflicts: int = 0
    retry: int = 0
    needs_auth: bool = False

    def add(self, other: PushTally) -> None:
        self.applied += other.applied
        self.duplicate += other.duplicate
        self.rejected += other.rejected
        self.conflicts += other.conflicts
        self.retry += other.retry
        self.needs_auth = self.needs_auth or other.needs_auth


def apply_reply(conn: sqlite3.Connection, sent: Sequence[QueuedOp], reply: PushReply, now: str) -> PushTally:
    """Apply one push reply (inside the caller's transaction)."""
    tally = PushTally()
    by_seq = {result.seq: result for result in reply.results}
    for op in sent:
        result = by_seq.get(op.seq)
        if result is None:
            _release(conn, op, "the server's reply did not mention this op")
            tally.retry += 1
        elif result.status in ("applied", "duplicate"):
            _done(conn, op, result, now)
            if result.status == "applied":
                tally.applied += 1
            else:
                tally.duplicate += 1
        elif result.status == "conflict" or result.http_status == 409:
            _conflict(conn, op, result, now)
            tally.conflicts += 1
        elif is_retryable(result.http_status):
            _release(conn, op, _error(result))
            tally.retry += 1
            tally.needs_auth = tally.needs_auth or result.http_status == 401
        else:
            _dead(conn, op, result)
            tally.rejected += 1
    return tally


def _error(result: OpResult) -> str:
    body = result.body if isinstance(result.body, dict) else {}
    return problem_text(result.http_status, body)


def _release(conn: sqlite3.Connection, op: QueuedOp, error: str) -> None:
    conn.execute("UPDATE outbox SET status = 'pending', last_error = ? WHERE id = ?", (error, op.id))


def _done(conn: sqlite3.Connection, op: QueuedOp, result: OpResult, now: str) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'done', acked_at = ?, http_status = ?, result = ?, last_error = NULL, "
        "next_attempt_at = NULL WHERE id = ?",
        (now, result.http_status, dumps(result.body), op.id),
    )
    stock.mark_acked(conn, op.id)
    _ON_ACK.get(op.type, _refresh_only)(conn, op, result.body)


def _dead(conn: sqlite3.Connection, op: QueuedOp, result: OpResult) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'dead', http_status = ?, result = ?, last_error = ? WHERE id = ?",
        (result.http_status, dumps(result.body), _error(result), op.id),
    )
    outbox.refresh_entity(conn, op.entity)


def _conflict(conn: sqlite3.Connection, op: QueuedOp, result: OpResult, now: str) -> None:
    theirs = current_state(result.body)
    conn.execute(
        "UPDATE outbox SET status = 'conflict', http_status = ?, result = ?, last_error = ? WHERE id = ?",
        (result.http_status or 409, dumps(result.body), _error(result), op.id),
    )
    conn.execute(
        "INSERT INTO conflicts (op_id, entity, base, mine, theirs, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (
            op.id,
            op.entity,
            None if op.base is None else dumps(op.base),
            dumps(op.payload),
            None if theirs is None else dumps(theirs),
            now,
        ),
    )
    if op.entity.startswith("product:") and _is_product(theirs):
        product_view.apply_server_products(conn, [theirs])
    outbox.refresh_entity(conn, op.entity)


def current_state(body: Any) -> dict[str, Any] | None:
    """The server's current entity in a 409 answer: under `current`, `product` or `shift`, or the body itself."""
    if not isinstance(body, dict):
        return None
    for key in ("current", "product", "shift"):
        if isinstance(body.get(key), dict):
            return body[key]
    return body if "id" in body else None


def _is_product(value: Any) -> bool:
    return isinstance(value, dict) and {"id", "version", "sku", "name", "price"} <= value.keys()


def _refresh_only(conn: sqlite3.Connection, op: QueuedOp, body: Any) -> None:
    outbox.refresh_entity(conn, op.entity)


def _product_acked(conn: sqlite3.Connection, op: QueuedOp, body: Any) -> None:
    if not _is_product(body):
        outbox.refresh_entity(conn, op.entity)
        return
    _rebase_followers(conn, op, body)
    product_view.apply_server_products(conn, [body])


def _rebase_followers(conn: sqlite3.Connection, op: QueuedOp, product: dict[str, Any]) -> None:
    """Edits made here on top of this op were based on the version it started from; now that the server
    has applied it, they are based on the version it produced."""
    based_on = op.payload.get("version", 0) if op.type == "product.update" else 0
    rows = conn.execute(
        "SELECT id, payload FROM outbox "
        "WHERE entity = ? AND seq > ? AND status = 'pending' AND type = 'product.update'",
        (op.entity, op.seq),
    ).fetchall()
    for follower_id, payload_text in rows:
        payload = json.loads(payload_text)
        if payload.get("version") != based_on:
            continue
        payload["version"] = product["version"]
        base = {name: product.get(name) for name in EDITABLE_PRODUCT_FIELDS if name in payload}
        conn.execute("UPDATE outbox SET payload = ?, base = ? WHERE id = ?", (dumps(payload), dumps(base), follower_id))


def _figures_acked(table: str, names: tuple[str, ...]) -> Callable[[sqlite3.Connection, QueuedOp, Any], None]:
    """The server's own figures replace the ones computed here (they agree unless its catalogue said otherwise,
    and then the server's are the ones on record)."""

    def take(conn: sqlite3.Connection, op: QueuedOp, body: Any) -> None:
        if not isinstance(body, dict):
            return
        figures: dict[str, Any] = {name: body[name] for name in names if isinstance(body.get(name), int)}
        if isinstance(body.get("flags"), list) and table == "orders":
            figures["flags"] = dumps(body["flags"])
        if figures:
            assignments = ", ".join(f"{name} = ?" for name in figures)
            conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*figures.values(), op.id))

    return take


_ON_ACK: dict[str, Callable[[sqlite3.Connection, QueuedOp, Any], None]] = {
    "product.create": _product_acked,
    "product.update": _product_acked,
    "order.create": _figures_acked("orders", ("subtotal", "tax", "total", "change")),
    "order.refund": _figures_acked("refunds", ("amount", "tax")),
    "shift.close": shifts.close_acked,
}
