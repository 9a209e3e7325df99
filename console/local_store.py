"""The counter's side of the profile's offline cache: one connection that the screens' workers share in turn.

The sync engine keeps its own connection (SQLite in WAL mode lets the two read side by side); the screens' workers
run on many threads, so they take this one under a lock rather than each opening the file.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from console.config import Profile
from console.sync_service import open_store

if TYPE_CHECKING:
    from offline_cache.store import Store


class LocalStore:
    """Opened on first use (never on the UI thread: a migration may run), closed at sign-out and quit."""

    def __init__(self, profile: Profile) -> None:
        self._profile = profile
        self._lock = threading.Lock()
        self._store: Store | None = None

    @contextmanager
    def use(self) -> Iterator[Store]:
        """The store, for one worker at a time. Call from a worker thread."""
        with self._lock:
            if self._store is None:
                self._store = open_store(self._profile)
            yield self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
