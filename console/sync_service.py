"""What `shop-console sync`, `queue …` and `reset` do, as data for the CLI to print (no Textual).

The profile's offline cache lives in its data dir as `queue.db`. The sync engine sends it to shop-api with the
signed-in session's access token, renewing it with the session's refresh token on a 401. `BackgroundSync` is the
console's worker around the engine.

The offline cache (its engine, store and HTTP transport, with httpx) is imported by the functions that use it, not
by this module: the console's app imports this one before its first frame.
"""

from __future__ import annotations

import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from console import paths
from console.config import Profile
from console.session import SessionService

if TYPE_CHECKING:
    from offline_cache.engine import SyncEngine, SyncReport, SyncStatus
    from offline_cache.exchange import ExitCheck, ImportResult
    from offline_cache.models import OutboxOp, QueueSummary
    from offline_cache.store import Store

QUEUE_DB = "queue.db"


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    report: SyncReport  # the last cycle's
    queue: QueueSummary  # after it

    @property
    def drained(self) -> bool:
        """Nothing left to send and nothing a person must settle."""
        return not (self.queue.unsent or self.queue.dead or self.queue.conflicts)


@dataclass(frozen=True, slots=True)
class ResetOutcome:
    check: ExitCheck  # not allowed: nothing was removed
    removed: Path | None


def queue_path(profile: Profile) -> Path:
    return paths.profile_data_dir(profile.name) / QUEUE_DB


def open_store(profile: Profile) -> Store:
    from offline_cache.store import Store

    return Store.open(queue_path(profile), terminal_id=profile.terminal_id)


@contextmanager
def _engine(profile: Profile, session: SessionService) -> Iterator[SyncEngine]:
    from offline_cache.engine import SyncEngine
    from offline_cache.http_transport import HttpSyncTransport

    def access_token() -> str | None:
        current = session.current
        return None if current is None or current.tokens is None else current.tokens.access_token

    transport = HttpSyncTransport(profile.api_url, access_token=access_token, refresh=session.refresh)
    try:
        with open_store(profile) as store:
            yield SyncEngine(store, transport)
    finally:
        transport.close()


def _outcome(engine: SyncEngine, report: SyncReport) -> SyncOutcome:
    return SyncOutcome(report, engine.status().queue)


def sync_once(profile: Profile, session: SessionService) -> SyncOutcome:
    """Push everything due, then pull: `shop-console sync --once`."""
    with _engine(profile, session) as engine:
        return _outcome(engine, engine.run_once())


def sync_until_signalled(
    profile: Profile, session: SessionService, on_report: Callable[[SyncReport], None]
) -> SyncOutcome:
    """Probe, push and pull as the console's worker does, until SIGINT or SIGTERM; the cycle under way
    finishes first, so no answer is left unrecorded. Call from the main thread (signal handlers)."""
    from offline_cache.engine import SyncReport

    last = SyncReport()

    def report(cycle: SyncReport) -> None:
        nonlocal last
        last = cycle
        on_report(cycle)

    with _engine(profile, session) as engine:
        previous = {
            number: signal.signal(number, lambda *_: engine.stop()) for number in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            engine.run(on_report=report)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        return _outcome(engine, last)


class BackgroundSync:
    """The sync engine of one signed-in session, run on a worker thread (`run`), woken or stopped from any thread.

    The engine and its store are made on the worker's thread (a SQLite connection stays on its thread). With
    `push=False` (an offline unlock: no token to send with) it only reports the queue."""

    def __init__(self, profile: Profile, session: SessionService, *, push: bool) -> None:
        self._profile = profile
        self._session = session
        self._push = push
        self._lock = threading.Lock()
        self._engine: SyncEngine | None = None
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._done = threading.Event()

    def run(self, on_status: Callable[[SyncStatus], None]) -> None:
        """Sync until `stop()`, handing every cycle's status to `on_status`. Call from the worker's thread."""
        from offline_cache.engine import PROBE_INTERVAL_S

        try:
            with _engine(self._profile, self._session) as engine:
                with self._lock:
                    if self._stopping.is_set():
                        return
                    self._engine = engine
                if self._push:
                    engine.run(on_status=on_status)
                else:
                    while not self._stopping.is_set():
                        self._wake.clear()
                        on_status(engine.status())
                        self._wake.wait(PROBE_INTERVAL_S)
        finally:
            self._done.set()

    def wake(self) -> None:
        """Sync (or report) now rather than at the next tick."""
        self._wake.set()
        with self._lock:
            if self._engine is not None:
                self._engine.wake()

    def stop(self, wait: float | None = None) -> bool:
        """End `run()` after the step under way; with `wait`, block up to that many seconds for it to end.
        Returns whether it has ended."""
        self._stopping.set()
        self._wake.set()
        with self._lock:
            if self._engine is not None:
                self._engine.stop()
        return self._done.wait(wait) if wait is not None else self._done.is_set()


def exit_check(profile: Profile) -> ExitCheck:
    """May the profile's session end, or its data go? Not while work that is not exported would be lost."""
    if not queue_path(profile).exists():
        from offline_cache.exchange import ExitCheck

        return ExitCheck(allowed=True, unsent=0, dead=0, conflicts=0, unexported=0)
    with open_store(profile) as store:
        return store.exit_check()


def list_queue(profile: Profile) -> list[OutboxOp]:
    """Every op not done yet (pending, in flight, dead, in conflict), in seq order."""
    with open_store(profile) as store:
        return store.outbox.list()


def export_queue(profile: Profile, path: Path) -> int:
    """Write every unfinished op to `path`; returns how many."""
    with open_store(profile) as store:
        return store.export_queue(path)


def import_queue(profile: Profile, path: Path) -> ImportResult:
    """Queue another terminal's export here (same op ids: the server applies each once). Raises ImportRefused."""
    with open_store(profile) as store:
        return store.import_queue(path)


def reset_profile(profile: Profile) -> ResetOutcome:
    """Remove the profile's local data (queue and cache, offline-unlock verifier, stored session), unless that
    would lose work: anything unsent, dead or in conflict that was not exported."""
    from console.token_store import choose_store

    data_dir = paths.profile_data_dir(profile.name)
    check = exit_check(profile)
    if not check.allowed:
        return ResetOutcome(check, None)
    token_store, _warning = choose_store(profile.name, profile.token_store, data_dir)
    token_store.clear()  # the keyring's entry; a file store lives in the data dir anyway
    if data_dir.exists():
        shutil.rmtree(data_dir)
    return ResetOutcome(check, data_dir)
