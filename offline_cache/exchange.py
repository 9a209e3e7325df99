"""Guarded exits and moving a queue between terminals.

Sign-out, profile reset and end of day must not strand unsent work: `exit_check` says whether they may go
ahead (nothing unsent, dead or in conflict, unless it has been exported). `export_queue` writes every such op
to a JSON file with what the server needs to replay it; `import_queue` adds them to another terminal's queue
with the same op ids, so whichever terminal sends an op first, the server applies it once.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline_cache import outbox
from offline_cache.clock import Clock, to_text
from offline_cache.db import transaction

EXPORT_FORMAT = "shop-console-queue"
EXPORT_VERSION = 1
_UNFINISHED = "('pending', 'in_flight', 'dead', 'conflict')"


class ImportRefused(Exception):
    """The file is not a queue export this console can replay."""


@dataclass(frozen=True, slots=True)
class ExitCheck:
    allowed: bool
    unsent: int
    dead: int
    conflicts: int
    unexported: int

    @property
    def reason(self) -> str:
        if self.allowed:
            return ""
        parts = [
            f"{n} {what}"
            for n, what in (
                (self.unsent, "not yet sent"),
                (self.dead, "refused by the server"),
                (self.conflicts, "in conflict"),
            )
            if n
        ]
        return (
            f"{', '.join(parts)} — {self.unexported} operation(s) would be lost. Sync first, "
            "or export the queue to a file (shop-console queue export FILE)."
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    already_queued: int


def exit_check(conn: sqlite3.Connection) -> ExitCheck:
    row = conn.execute(
        "SELECT COALESCE(SUM(status IN ('pending', 'in_flight')), 0), COALESCE(SUM(status = 'dead'), 0), "
        "COALESCE(SUM(status = 'conflict'), 0), COALESCE(SUM(exported_at IS NULL), 0) "
        f"FROM outbox WHERE status IN {_UNFINISHED}"
    ).fetchone()
    return ExitCheck(allowed=row[3] == 0, unsent=row[0], dead=row[1], conflicts=row[2], unexported=row[3])


def export_queue(conn: sqlite3.Connection, path: Path, clock: Clock) -> int:
    """Write every unfinished op to `path` (atomically, flushed to disk), then mark them exported."""
    now = to_text(clock())
    rows = conn.execute(
        "SELECT id, seq, type, entity, payload, base, status, attempts, last_error, created_at FROM outbox "
        f"WHERE status IN {_UNFINISHED} ORDER BY seq"
    ).fetchall()
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "client_id": outbox.client_id(conn),
        "exported_at": now,
        "ops": [
            {
                "id": op_id,
                "seq": seq,
                "type": op_type,
                "entity": entity,
                "payload": json.loads(payload),
                "base": None if base is None else json.loads(base),
                "status": status,
                "attempts": attempts,
                "last_error": last_error,
                "created_at": created_at,
            }
            for op_id, seq, op_type, entity, payload, base, status, attempts, last_error, created_at in rows
        ],
    }
    _write_durably(path, json.dumps(document, indent=2, ensure_ascii=False))
    with transaction(conn):
        conn.executemany("UPDATE outbox SET exported_at = ? WHERE id = ?", [(now, row[0]) for row in rows])
    return len(rows)


def _write_durably(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".partial")
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def import_queue(conn: sqlite3.Connection, path: Path) -> ImportResult:
    """Queue another terminal's exported ops here, as pending, in their original order, with their own ids.
    Ops already in this queue (the file imported twice) are skipped."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportRefused(f"Cannot read {path}: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ImportRefused(f"{path} is not a Shop Console queue export.")
    if document.get("version") != EXPORT_VERSION:
        raise ImportRefused(f"{path} is a version {document.get('version')} export; this console reads version 1.")
    added = skipped = 0
    with transaction(conn):
        for op in sorted(document["ops"], key=lambda op: op["seq"]):
            if conn.execute("SELECT 1 FROM outbox WHERE id = ?", (op["id"],)).fetchone():
                skipped += 1
                continue
            outbox.enqueue(
                conn,
                op_id=op["id"],
                op_type=op["type"],
                entity=op["entity"],
                payload=op["payload"],
                base=op.get("base"),
                created_at=op["created_at"],
            )
            outbox.refresh_entity(conn, op["entity"])
            added += 1
    return ImportResult(added, skipped)
