"""The sync engine: plain Python, synchronous, one thread. A caller loop drives it — the console's worker
thread and `shop-console sync` both use `run()`; `shop-console sync --once` and tests call `run_once()`.

One cycle pushes every due op in seq order, in batches, then pulls changes (after a push that got answers, at
least every `pull_interval` seconds, and until the first full pull is in). Failures are sorted as DESIGN.md
says: no answer, 5xx, 429 → back off exponentially with jitter (capped), the ops stay pending; 401 → ask the
transport to refresh the session and retry, never drop; per-op 409 → conflict; other per-op 4xx → dead letter,
and the ops behind it go on. A whole-push 4xx other than those (a malformed batch) is narrowed down by halving
the batch until the one op the server refuses is found and dead-lettered.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from offline_cache import acks, outbox, product_view, pull, stock, sync_state
from offline_cache.acks import PushTally
from offline_cache.clock import from_text, to_text
from offline_cache.db import transaction
from offline_cache.models import QueueSummary, SyncState
from offline_cache.outbox import Outbox, QueuedOp
from offline_cache.store import Store
from offline_cache.transport import (
    HttpError,
    OpResult,
    PushOp,
    PushReply,
    SyncTransport,
    TransportUnavailable,
)

MAX_BATCH = 200
PULL_LIMIT = 5000  # shop-api's most per page: fewer, larger transactions make the first pull faster
PULL_INTERVAL_S = 60.0
SKEW_WARNING_S = 120.0
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 60.0
PROBE_INTERVAL_S = 5.0  # going offline and coming back are noticed within this
PRUNE_INTERVAL = dt.timedelta(hours=1)
HELD_STATUSES = frozenset({403, 404})  # a push this user or this server cannot take: hold, never drop


@dataclass
class SyncReport:
    """What one cycle did; `shop-console sync --once --json` prints it."""

    pushed: int = 0
    duplicate: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled: int = 0
    remaining: int = 0
    online: bool | None = None
    error: str | None = None

    def add(self, tally: PushTally) -> None:
        self.pushed += tally.applied
        self.duplicate += tally.duplicate
        self.rejected += tally.rejected
        self.conflicts += tally.conflicts

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SyncProgress:
    phase: Literal["push", "pull"]
    done: int
    total: int | None  # ops to push in all; unknown for a pull (the server streams pages)


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status bar and the sync screen show."""

    online: bool | None  # None: not probed yet
    queue: QueueSummary
    state: SyncState
    retry_in_seconds: float | None
    last_error: str | None
    needs_sign_in: bool
    progress: SyncProgress | None = None  # while a push or pull of the loop is under way

    @property
    def skew_warning(self) -> bool:
        skew = self.state.clock_skew_seconds
        return skew is not None and abs(skew) > SKEW_WARNING_S


class Backoff:
    """Exponential backoff with equal jitter: half the step fixed, half random, so retries spread out but
    never come back sooner than half the step. A Retry-After from the server is honoured up to the cap."""

    def __init__(self, rng: random.Random, base: float = BACKOFF_BASE_S, cap: float = BACKOFF_CAP_S) -> None:
        self._rng = rng
        self._base = base
        self._cap = cap
        self.failures = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        self.failures += 1
        step = min(self._cap, self._base * 2 ** (self.failures - 1))
        delay = step / 2 + self._rng.uniform(0, step / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self._cap))
        return delay

    def reset(self) -> None:
        self.failures = 0


class _Stop(Exception):
    """Ends the push loop of this cycle (the reason is already recorded)."""


class SyncEngine:
    def __init__(
        self,
        store: Store,
        transport: SyncTransport,
        *,
        rng: random.Random | None = None,
        batch_size: int = MAX_BATCH,
        pull_limit: int = PULL_LIMIT,
        pull_interval: float = PULL_INTERVAL_S,
        on_progress: Callable[[SyncProgress], None] | None = None,
    ) -> None:
        """`store` must be this engine's own (its own connection, used only from the engine's thread)."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be from 1 to {MAX_BATCH}")
        self._store = store
        self._conn = store.conn
        self._clock = store.clock
        self._transport = transport
        self._backoff = Backoff(rng or random.Random())
        self._batch_size = batch_size
        self._batch_limit = batch_size  # shrinks while narrowing down a refused batch
        self._pull_limit = pull_limit
        self._pull_interval = dt.timedelta(seconds=pull_interval)
        self._on_progress = on_progress
        self._on_status: Callable[[SyncStatus], None] | None = None  # set by run(): progress is status too
        self._current_progress: SyncProgress | None = None
        self._retry_at: dt.datetime | None = None
        self._last_prune: dt.datetime | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.online: bool | None = None
        self.last_error: str | None = None
        self.needs_sign_in = False
        self.recovered = outbox.recover_in_flight(self._conn)

    # --- one cycle -----------------------------------------------------------------------------------------

    def run_once(self, *, force: bool = False) -> SyncReport:
        """Push what is due, then pull if due. Skipped while backing off, unless `force`."""
        report = SyncReport(online=self.online)
        if not force and self._backing_off():
            report.error = self.last_error
            report.remaining = self._remaining()
            return report
        self.last_error = None
        try:
            answered = self._push_all(report)
            if report.error is None and (answered or self._pull_due()):
                self._pull_all(report)
        finally:
            self._current_progress = None
        if report.error is None:
            self._backoff.reset()
            self._retry_at = None
            self._prune_now_and_then()
            if sync_state.read(self._conn).last_error is not None:
                with transaction(self._conn):
                    sync_state.update(self._conn, last_error=None)
        report.online = self.online
        report.remaining = self._remaining()
        return report

    def _backing_off(self) -> bool:
        """Waiting out a backoff. A wait longer than the cap means the device clock was set back: retry now."""
        if self._retry_at is None:
            return False
        wait = self._retry_at - self._clock()
        return dt.timedelta(0) < wait <= dt.timedelta(seconds=BACKOFF_CAP_S)

    def _remaining(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'in_flight')").fetchone()[0]

    # --- push ----------------------------------------------------------------------------------------------

    def _push_all(self, report: SyncReport) -> bool:
        """Send every due batch; True when at least one reply came back."""
        answered = False
        total = self._remaining()
        done = 0
        refreshed = False
        client_id = outbox.client_id(self._conn)
        while True:
            batch = outbox.due_batch(self._conn, self._batch_limit)
            if not batch:
                return answered
            if self._current_progress is None:
                self._progress(SyncProgress("push", 0, total))  # the bar shows before the first answer
            outbox.mark_in_flight(self._conn, batch)
            try:
                reply = self._transport.push(client_id, [PushOp(op.seq, op.id, op.type, op.payload) for op in batch])
            except TransportUnavailable as exc:
                self._fail(report, batch, f"offline: {exc}", online=False)
                return answered
            except HttpError as exc:
                try:
                    refreshed = self._push_refused(report, batch, exc, refreshed)
                except _Stop:
                    return answered
                continue
            answered = True
            self.online = True
            with transaction(self._conn):
                tally = acks.apply_reply(self._conn, batch, reply, to_text(self._clock()))
                sync_state.update(
                    self._conn,
                    last_push_at=to_text(self._clock()),
                    last_applied_seq=reply.last_applied_seq,
                    **self._skew(reply.server_time),
                )
            report.add(tally)
            done += len(batch) - tally.retry
            self._progress(SyncProgress("push", done, total))
            self._batch_limit = min(self._batch_size, self._batch_limit * 2)
            if not tally.needs_auth:
                refreshed = False  # the session works again: a later expiry in this drain may renew it again
            if tally.needs_auth and not refreshed:
                refreshed = True
                if not self._refresh(report):
                    return answered
            elif tally.retry:
                self._fail(report, [], "the server asked to retry some operations later", online=True)
                return answered

    def _push_refused(self, report: SyncReport, batch: list[QueuedOp], exc: HttpError, refreshed: bool) -> bool:
        """Sort an error answer to a whole push; returns whether the session was refreshed in this cycle.
        Raises _Stop when this cycle's pushing is over."""
        if exc.status == 401:
            outbox.release(self._conn, batch, str(exc), None)
            if refreshed:
                self._fail(report, [], f"the server refuses the renewed session: {exc}", online=True)
                raise _Stop
            if not self._refresh(report):
                raise _Stop
            return True
        if acks.is_retryable(exc.status) or exc.status in HELD_STATUSES:
            self._fail(report, batch, str(exc), online=True, retry_after=exc.retry_after)
            raise _Stop
        # A malformed batch: halve it until the op the server refuses stands alone, then dead-letter it.
        if len(batch) > 1:
            outbox.release(self._conn, batch, str(exc), None)
            self._batch_limit = max(1, len(batch) // 2)
            return refreshed
        body = exc.problem
        reply = PushReply([OpResult(batch[0].seq, "rejected", exc.status, body)])
        with transaction(self._conn):
            report.add(acks.apply_reply(self._conn, batch, reply, to_text(self._clock())))
        return refreshed

    def _refresh(self, report: SyncReport) -> bool:
        """401: renew the session. When that is impossible, hold everything until someone signs in."""
        try:
            renewed = self._transport.refresh_session()
        except Exception as exc:  # a refresh is a network call of its own; any failure means "not now"
            self._fail(report, [], f"could not renew the session: {exc}", online=None)
            return False
        self.needs_sign_in = not renewed
        if not renewed:
            self._fail(report, [], "the session has ended: sign in again to send the queue", online=True)
        return renewed

    def _fail(
        self,
        report: SyncReport,
        batch: list[QueuedOp],
        error: str,
        *,
        online: bool | None,
        retry_after: float | None = None,
    ) -> None:
        delay = self._backoff.next_delay(retry_after)
        self._retry_at = self._clock() + dt.timedelta(seconds=delay)
        if batch:
            outbox.release(self._conn, batch, error, self._retry_at)
        if online is not None:
            self.online = online
        self.last_error = report.error = error
        with transaction(self._conn):
            sync_state.update(self._conn, last_error=error)

    # --- pull ----------------------------------------------------------------------------------------------

    def _pull_due(self) -> bool:
        state = sync_state.read(self._conn)
        if not state.initial_pull_done or state.last_pull_at is None:
            return True
        elapsed = self._clock() - from_text(state.last_pull_at)
        return elapsed >= self._pull_interval or elapsed < dt.timedelta(0)  # or the device clock was set back

    def pull(self) -> SyncReport:
        """Pull now (the sync screen's button), whatever the schedule."""
        report = SyncReport(online=self.online)
        try:
            self._pull_all(report)
        finally:
            self._current_progress = None
        report.online = self.online
        report.remaining = self._remaining()
        return report

    def _pull_all(self, report: SyncReport) -> None:
        """Every page since the cursor, one transaction each (the cursor commits with its page, so an
        interrupted pull resumes where it stopped)."""
        with transaction(self._conn):
            generation = sync_state.start_pull(self._conn)
        cursor = sync_state.read(self._conn).cursor
        refreshed = False
        while True:
            try:
                page = self._transport.pull(cursor, self._pull_limit)
            except TransportUnavailable as exc:
                self._fail(report, [], f"offline: {exc}", online=False)
                return
            except HttpError as exc:
                if exc.status == 401 and not refreshed:
                    refreshed = True
                    if self._refresh(report):
                        continue
                    return
                self._fail(report, [], f"pull: {exc}", online=True, retry_after=exc.retry_after)
                return
            self.online = True
            stuck = page.has_more and (page.next_cursor is None or page.next_cursor == cursor)
            with transaction(self._conn):
                pull.apply_page(self._conn, page.changes)
                sync_state.update(self._conn, cursor=page.next_cursor or cursor, **self._skew(page.server_time))
                if not page.has_more:
                    stock.settle(self._conn, generation)
                    product_view.complete_initial_load(self._conn)
                    sync_state.update(self._conn, last_pull_at=to_text(self._clock()))
            report.pulled += len(page.changes)
            self._progress(SyncProgress("pull", report.pulled, None))
            if not page.has_more:
                return
            if stuck:
                self._fail(report, [], "pull: the server said there is more but gave no new cursor", online=True)
                return
            cursor = page.next_cursor

    # --- clock, probe, housekeeping ------------------------------------------------------------------------

    def _skew(self, server_time: dt.datetime | None) -> dict[str, Any]:
        """Device clock against the server's, from every answer that carries the server's time (written with
        the answer's own transaction)."""
        if server_time is None:
            return {}
        now = self._clock()
        return {"clock_skew_seconds": round((now - server_time).total_seconds(), 3), "skew_checked_at": to_text(now)}

    def probe(self) -> bool:
        """Is the server there? Coming back online ends any backoff, so the queue drains at once."""
        try:
            reply = self._transport.health()
        except (TransportUnavailable, HttpError):
            self.online = False
            return False
        if reply.ok and self.online is False:
            self._backoff.reset()
            self._retry_at = None
        self.online = reply.ok
        skew = self._skew(reply.server_time)
        if skew:
            with transaction(self._conn):
                sync_state.update(self._conn, **skew)
        return reply.ok

    def _prune_now_and_then(self) -> None:
        now = self._clock()
        if self._last_prune is None or not dt.timedelta(0) <= now - self._last_prune < PRUNE_INTERVAL:
            self._last_prune = now
            Outbox(self._conn, self._clock).prune()

    def _progress(self, progress: SyncProgress) -> None:
        self._current_progress = progress
        if self._on_progress is not None:
            self._on_progress(progress)
        if self._on_status is not None:
            self._on_status(self.status())

    def status(self) -> SyncStatus:
        retry_in = None
        if self._backing_off():
            assert self._retry_at is not None
            retry_in = (self._retry_at - self._clock()).total_seconds()
        return SyncStatus(
            online=self.online,
            queue=Outbox(self._conn, self._clock).summary(),
            state=sync_state.read(self._conn),
            retry_in_seconds=retry_in,
            last_error=self.last_error,
            needs_sign_in=self.needs_sign_in,
            progress=self._current_progress,
        )

    # --- the loop ------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Something was queued (a sale): sync now instead of at the next tick. Safe from any thread."""
        self._wake.set()

    def stop(self) -> None:
        """End `run()` after the current step. Safe from any thread."""
        self._stopping.set()
        self._wake.set()

    def run(
        self,
        on_report: Callable[[SyncReport], None] | None = None,
        on_status: Callable[[SyncStatus], None] | None = None,
    ) -> None:
        """Probe, sync when online and due, report, sleep (at most PROBE_INTERVAL_S, less when woken), until
        `stop()`. Call from the engine's own thread. `on_status` also hears the progress of a push or pull."""
        self._on_status = on_status
        while not self._stopping.is_set():
            self._wake.clear()
            if self.probe():
                report = self.run_once()
                if on_report is not None:
                    on_report(report)
            if on_status is not None:
                on_status(self.status())
            self._wake.wait(self._sleep_seconds())

    def _sleep_seconds(self) -> float:
        if not self._backing_off():
            return PROBE_INTERVAL_S
        assert self._retry_at is not None
        return max(0.05, min(PROBE_INTERVAL_S, (self._retry_at - self._clock()).total_seconds()))
