"""One profile's offline cache: the SQLite file and everything read from or written to it.

A Store is one connection. Give each concurrent user its own (the counter's, the sync worker's): SQLite in
WAL mode lets them read side by side while writes take turns.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from offline_cache import exchange, sync_state
from offline_cache.catalogue import Catalogue
from offline_cache.clock import Clock, system_clock
from offline_cache.conflicts import Conflicts
from offline_cache.db import connect, transaction
from offline_cache.migrations import migrate
from offline_cache.models import SyncState
from offline_cache.orders import Orders
from offline_cache.outbox import Outbox
from offline_cache.parked import ParkedCarts
from offline_cache.reports import LocalReports
from offline_cache.shifts import TillShifts
from offline_cache.stock import StockView
from offline_cache.writes import LocalWrites

# shop-api takes and returns a sale's stock at its default location, so the local view must too.
DEFAULT_LOCATION = "store"
TERMINAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


class Store:
    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        path: Path,
        terminal_id: str,
        clock: Clock = system_clock,
        location: str = DEFAULT_LOCATION,
    ) -> None:
        self.conn = conn
        self.path = path
        self.terminal_id = terminal_id
        self.clock = clock
        self.location = location
        self.catalogue = Catalogue(conn)
        self.stock = StockView(conn)
        self.orders = Orders(conn)
        self.writes = LocalWrites(conn, clock, terminal_id, location)
        self.outbox = Outbox(conn, clock)
        self.conflicts = Conflicts(conn, clock)
        self.parked = ParkedCarts(conn, clock, terminal_id)
        self.shifts = TillShifts(conn, clock, terminal_id)
        self.reports = LocalReports(conn)

    @classmethod
    def open(
        cls, path: Path | str, *, terminal_id: str, clock: Clock = system_clock, location: str = DEFAULT_LOCATION
    ) -> Store:
        """Open (creating and migrating as needed) the cache at `path`. `terminal_id` goes into receipt numbers
        and orders; `location` is where this terminal's sales take stock from."""
        if not TERMINAL_ID.fullmatch(terminal_id):
            raise ValueError(f"a terminal id is 1-32 letters, digits, dashes or underscores, got {terminal_id!r}")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(path)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return cls(conn, path=path, terminal_id=terminal_id, clock=clock, location=location)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.conn) as conn:
            yield conn

    def sync_state(self) -> SyncState:
        return sync_state.read(self.conn)

    def exit_check(self) -> exchange.ExitCheck:
        """May sign-out, profile reset or end of day go ahead? Not while anything unsent, dead or in conflict
        has not been exported."""
        return exchange.exit_check(self.conn)

    def export_queue(self, path: Path) -> int:
        return exchange.export_queue(self.conn, path, self.clock)

    def import_queue(self, path: Path) -> exchange.ImportResult:
        return exchange.import_queue(self.conn, path)
