"""Stock: the server's levels, plus the movements of this device's ops that the server's figure does not
show yet.

A local op's movement counts while the op is unsent, and after the server applied it until a pull that started
after that moment completes (that pull's figure includes it). Dead or discarded ops' movements stop counting.
One imprecision is accepted: when an answer was lost and a pull brought the server's figure before the resend
was answered as a duplicate, the movement counts twice until the pull after that answer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from offline_cache.models import StockLevel

_PENDING = (
    "SELECT COALESCE(SUM(d.delta), 0) FROM stock_delta d JOIN outbox o ON o.id = d.op_id "
    "WHERE d.product_id = ? AND d.location = ? AND o.status IN ('pending', 'in_flight', 'done')"
)
_UPSERT = (
    "INSERT INTO stock (product_id, location, on_hand, reorder_point, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (product_id, location) DO UPDATE SET on_hand = excluded.on_hand, "
    "reorder_point = excluded.reorder_point, updated_at = excluded.updated_at"
)
_VIEW_COLUMNS = "product_id, location, on_hand, server_on_hand, reorder_point, updated_at"
# The same ops as _PENDING, one movement each, newest first.
_UNSETTLED = (
    "SELECT x.id, x.type, x.created_at, x.status, x.payload, d.location, d.delta FROM stock_delta d "
    "JOIN outbox x ON x.id = d.op_id WHERE d.product_id = ? AND x.status IN ('pending', 'in_flight', 'done') "
    "ORDER BY x.seq DESC LIMIT ?"
)


@dataclass(frozen=True, slots=True)
class UnsettledDelta:
    """One of this device's stock movements that the server's figure does not show yet, with its op."""

    op_id: str
    op_type: str
    created_at: str  # RFC 3339 UTC
    status: str  # the op's: pending, in_flight or done (applied, awaiting the pull that shows it)
    payload: dict[str, Any]
    location: str
    delta: int


def _level(row: tuple[Any, ...]) -> StockLevel:
    return StockLevel(*row)


def apply_server_stock(conn: sqlite3.Connection, levels: Iterable[Mapping[str, Any]]) -> None:
    conn.executemany(
        _UPSERT,
        [
            (s["product_id"], s["location"], s["on_hand"], s.get("reorder_point") or 0, s.get("updated_at"))
            for s in levels
        ],
    )


def delete_server_stock(conn: sqlite3.Connection, product_id: str, location: str) -> None:
    conn.execute("DELETE FROM stock WHERE product_id = ? AND location = ?", (product_id, location))


def add_deltas(conn: sqlite3.Connection, op_id: str, deltas: Mapping[tuple[str, str], int]) -> None:
    conn.executemany(
        "INSERT INTO stock_delta (op_id, product_id, location, delta) VALUES (?, ?, ?, ?)",
        [(op_id, product_id, location, delta) for (product_id, location), delta in deltas.items() if delta],
    )


def adjustment_delta(payload: Mapping[str, Any]) -> int:
    """The movement a stock.adjust op makes here: its delta, or for a count, counted less expected."""
    return payload["delta"] if "delta" in payload else payload["counted"] - payload["expected"]


def mark_acked(conn: sqlite3.Connection, op_id: str) -> None:
    """The server applied the op: its movement counts until the next pull that starts from now on."""
    conn.execute(
        "UPDATE stock_delta SET acked_in_pull = (SELECT pull_generation FROM sync_state WHERE id = 1) WHERE op_id = ?",
        (op_id,),
    )


def settle(conn: sqlite3.Connection, pull_generation: int) -> None:
    """A pull numbered `pull_generation` completed: movements acknowledged before it started are in its figures."""
    conn.execute("DELETE FROM stock_delta WHERE acked_in_pull < ?", (pull_generation,))


def drop_deltas(conn: sqlite3.Connection, op_id: str) -> None:
    conn.execute("DELETE FROM stock_delta WHERE op_id = ?", (op_id,))


class StockView:
    """Stock levels as the counter sees them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def on_hand(self, product_id: str, location: str) -> int:
        row = self._conn.execute(
            "SELECT on_hand FROM stock WHERE product_id = ? AND location = ?", (product_id, location)
        ).fetchone()
        pending = self._conn.execute(_PENDING, (product_id, location)).fetchone()[0]
        return (0 if row is None else row[0]) + pending

    def levels(self, product_id: str) -> list[StockLevel]:
        """Every location's level of one product."""
        rows = self._conn.execute(
            f"SELECT {_VIEW_COLUMNS} FROM stock_view WHERE product_id = ? ORDER BY location", (product_id,)
        )
        return [_level(row) for row in rows]

    def below_reorder(self, limit: int = 500) -> list[StockLevel]:
        """Levels at or below their reorder point (oversold ones included), lowest cover first."""
        rows = self._conn.execute(
            f"SELECT {_VIEW_COLUMNS} FROM stock_view WHERE on_hand <= reorder_point "
            "ORDER BY on_hand - reorder_point, product_id, location LIMIT ?",
            (limit,),
        )
        return [_level(row) for row in rows]

    def oversold(self, limit: int = 500) -> list[StockLevel]:
        """Levels below zero: sales rung up (often offline) beyond what the shelf held."""
        rows = self._conn.execute(
            f"SELECT {_VIEW_COLUMNS} FROM stock_view WHERE on_hand < 0 ORDER BY on_hand, product_id, location LIMIT ?",
            (limit,),
        )
        return [_level(row) for row in rows]

    def unsettled(self, product_id: str, limit: int) -> list[UnsettledDelta]:
        """The product's movements that still count on top of the server's figure (see the module), newest first."""
        rows = self._conn.execute(_UNSETTLED, (product_id, limit))
        return [
            UnsettledDelta(op_id, op_type, created_at, status, json.loads(payload), location, delta)
            for op_id, op_type, created_at, status, payload, location, delta in rows
        ]
