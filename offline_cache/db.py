"""The SQLite connection of one profile's cache and the one way to write to it: a transaction.

Connections run in autocommit mode (`isolation_level=None`) so that every write is inside an explicit
`BEGIN IMMEDIATE … COMMIT` from `transaction()`: the write lock is taken up front, so the sync worker and the
counter never deadlock upgrading a read to a write, and nothing is ever committed implicitly.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 16 * 1024  # per connection; the default 2 MiB makes the first pull thrash its index pages

_savepoints = count(1)


class StorageError(Exception):
    """The local database refused a write (disk full, read-only, locked, damaged); the message is for people."""


_EXPLANATIONS = (
    ("full", "The device's disk is full, so nothing was saved. Free some space and try again."),
    ("readonly", "The data folder is read-only, so nothing was saved. Check the folder's permissions."),
    ("read-only", "The data folder is read-only, so nothing was saved. Check the folder's permissions."),
    ("locked", "The local database is busy in another program, so nothing was saved. Try again."),
    ("disk i/o", "The disk reported an error, so nothing was saved. Check the device's storage."),
    ("malformed", "The local database is damaged, so nothing was saved. Export the queue and contact support."),
)


def explain(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    for needle, message in _EXPLANATIONS:
        if needle in text:
            return message
    return f"The local database refused the write ({exc}); nothing was saved."


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating if needed) a cache database with WAL, synchronous=FULL, foreign keys and a busy timeout.

    The connection may move between threads (the console's workers), but must not be used by two at once:
    give each concurrent user (the counter, the sync worker) its own connection.
    """
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, cached_statements=512
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError(explain(exc)) from exc
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: commit when the block ends, roll back when it raises. Nested use becomes a savepoint."""
    if conn.in_transaction:
        name = f"sp{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.OperationalError):
            raise StorageError(explain(exc)) from exc
        raise
