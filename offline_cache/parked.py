"""Parked carts: a sale set aside (the customer forgot something) that survives a restart. The cart is the
counter screen's own JSON; this only keeps it."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from offline_cache.clock import Clock, to_text
from offline_cache.db import transaction
from offline_cache.jsonutil import dumps
from offline_cache.models import ParkedCart


class ParkedCarts:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, terminal_id: str) -> None:
        self._conn = conn
        self._clock = clock
        self._terminal_id = terminal_id

    def park(self, cart: dict[str, Any], label: str = "") -> str:
        cart_id = str(uuid.uuid4())
        with transaction(self._conn):
            self._conn.execute(
                "INSERT INTO parked_carts (id, terminal_id, label, cart, created_at) VALUES (?, ?, ?, ?, ?)",
                (cart_id, self._terminal_id, label, dumps(cart), to_text(self._clock())),
            )
        return cart_id

    def list(self) -> list[ParkedCart]:
        rows = self._conn.execute(
            "SELECT id, label, cart, created_at FROM parked_carts WHERE terminal_id = ? ORDER BY created_at, id",
            (self._terminal_id,),
        )
        return [ParkedCart(cart_id, label, json.loads(cart), created_at) for cart_id, label, cart, created_at in rows]

    def resume(self, cart_id: str) -> dict[str, Any] | None:
        """Take a parked cart back (it leaves the list); None when it is gone (resumed elsewhere)."""
        with transaction(self._conn):
            row = self._conn.execute("DELETE FROM parked_carts WHERE id = ? RETURNING cart", (cart_id,)).fetchone()
        return None if row is None else json.loads(row[0])
