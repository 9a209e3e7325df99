"""Conflicts: a product edit the server refused as stale (409), kept with base, mine and theirs until a person
decides. Keep mine → my changed fields go again as a new edit on the server's current version; take theirs →
my edit is dropped. Either way, edits made here after it follow, rebased on the current version."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from offline_cache import outbox
from offline_cache.clock import Clock, to_text
from offline_cache.db import transaction
from offline_cache.jsonutil import dumps, loads_or_none
from offline_cache.models import EDITABLE_PRODUCT_FIELDS, Conflict

_COLUMNS = "id, op_id, entity, base, mine, theirs, created_at, resolved_at, resolution"


class ConflictError(Exception):
    """The conflict cannot be settled that way (already settled, or not an edit that can be sent again)."""


def _conflict(row: tuple[Any, ...]) -> Conflict:
    return Conflict(
        id=row[0],
        op_id=row[1],
        entity=row[2],
        base=loads_or_none(row[3]),
        mine=json.loads(row[4]),
        theirs=loads_or_none(row[5]),
        created_at=row[6],
        resolved_at=row[7],
        resolution=row[8],
    )


class Conflicts:
    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def list(self, open_only: bool = True) -> list[Conflict]:
        where = "WHERE resolved_at IS NULL" if open_only else ""
        return [_conflict(row) for row in self._conn.execute(f"SELECT {_COLUMNS} FROM conflicts {where} ORDER BY id")]

    def get(self, conflict_id: int) -> Conflict | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM conflicts WHERE id = ?", (conflict_id,)).fetchone()
        return None if row is None else _conflict(row)

    def keep_mine(self, conflict_id: int) -> str:
        """Send my changed fields again on the server's current version; returns the new op's id."""
        with transaction(self._conn):
            conflict, op = self._open(conflict_id)
            theirs = conflict.theirs
            if op.type != "product.update" or not theirs or "version" not in theirs:
                raise ConflictError("Only a product edit with the server's current product can be sent again.")
            mine = {name: conflict.mine[name] for name in EDITABLE_PRODUCT_FIELDS if name in conflict.mine}
            now = to_text(self._clock())
            product_id = conflict.mine["product_id"]
            new_id = str(uuid.uuid4())

            def resend(chain: list[str]) -> None:
                outbox.enqueue(
                    self._conn,
                    op_id=new_id,
                    op_type="product.update",
                    entity=op.entity,
                    payload={"product_id": product_id, "version": theirs["version"], **mine},
                    base={name: theirs.get(name) for name in mine},
                    created_at=now,
                )
                self._rebase(chain, op.payload.get("version"), theirs)

            outbox.settle(self._conn, op, "kept_mine", now, resend)
            self._resolve(conflict_id, "kept_mine", now)
        return new_id

    def take_theirs(self, conflict_id: int) -> None:
        """Drop my edit: the server's version stands."""
        with transaction(self._conn):
            conflict, op = self._open(conflict_id)
            now = to_text(self._clock())
            theirs = conflict.theirs

            def rebase(chain: list[str]) -> None:
                if op.type == "product.update" and theirs and "version" in theirs:
                    self._rebase(chain, op.payload.get("version"), theirs)

            outbox.settle(self._conn, op, "took_theirs", now, rebase)
            self._resolve(conflict_id, "took_theirs", now)

    def _open(self, conflict_id: int) -> tuple[Conflict, Any]:
        conflict = self.get(conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise ConflictError("This conflict is already settled.")
        op = outbox.Outbox(self._conn, self._clock).get(conflict.op_id)
        if op is None or op.status != "conflict":
            raise ConflictError("The edit behind this conflict is no longer waiting for a decision.")
        return conflict, op

    def _rebase(self, chain: list[str], stale_version: Any, theirs: dict[str, Any]) -> None:
        """Edits queued behind the conflicting one were based on its stale version: base them on theirs."""
        for op_id in chain:
            row = self._conn.execute("SELECT type, payload FROM outbox WHERE id = ?", (op_id,)).fetchone()
            payload = json.loads(row[1])
            if row[0] != "product.update" or payload.get("version") != stale_version:
                continue
            payload["version"] = theirs["version"]
            base = {name: theirs.get(name) for name in EDITABLE_PRODUCT_FIELDS if name in payload}
            self._conn.execute(
                "UPDATE outbox SET payload = ?, base = ? WHERE id = ?", (dumps(payload), dumps(base), op_id)
            )

    def _resolve(self, conflict_id: int, resolution: str, now: str) -> None:
        self._conn.execute(
            "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?", (now, resolution, conflict_id)
        )
