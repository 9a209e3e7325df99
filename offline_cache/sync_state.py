"""The single row of sync bookkeeping: client id, pull cursor, server's last applied seq, clock skew, times."""

from __future__ import annotations

import sqlite3
from typing import Any

from offline_cache.models import SyncState

_FIELDS = (
    "client_id",
    "cursor",
    "initial_pull_done",
    "last_applied_seq",
    "clock_skew_seconds",
    "skew_checked_at",
    "last_push_at",
    "last_pull_at",
    "last_error",
)
_WRITABLE = frozenset(_FIELDS) - {"client_id", "initial_pull_done"}


def read(conn: sqlite3.Connection) -> SyncState:
    row = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM sync_state WHERE id = 1").fetchone()
    values = dict(zip(_FIELDS, row, strict=True))
    values["initial_pull_done"] = bool(values["initial_pull_done"])
    return SyncState(**values)


def update(conn: sqlite3.Connection, **fields: Any) -> None:
    unknown = set(fields) - _WRITABLE
    if unknown:
        raise ValueError(f"not a writable sync state field: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    conn.execute(f"UPDATE sync_state SET {assignments} WHERE id = 1", tuple(fields.values()))


def start_pull(conn: sqlite3.Connection) -> int:
    """Number this pull: stock movements acknowledged from now on are only in the figures of later pulls."""
    return conn.execute(
        "UPDATE sync_state SET pull_generation = pull_generation + 1 WHERE id = 1 RETURNING pull_generation"
    ).fetchone()[0]
