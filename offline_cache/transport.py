"""What the sync engine needs from the network, as a Protocol: the console implements it over its signed-in
HTTP client (or uses `HttpSyncTransport`), a test can put a fault proxy under it.

Failures are exceptions the engine sorts: `TransportUnavailable` (no answer, a cut connection, a truncated or
unreadable body) and `HttpError` (the server answered the request as a whole with an error status).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

OpOutcome = Literal["applied", "duplicate", "rejected", "conflict"]


class TransportUnavailable(Exception):
    """The server could not be reached or its answer did not arrive whole; worth retrying later."""


class HttpError(Exception):
    """The server answered with an error status for the whole request."""

    def __init__(self, status: int, problem: dict[str, Any] | None = None, retry_after: float | None = None) -> None:
        self.status = status
        self.problem = problem or {}
        self.retry_after = retry_after
        super().__init__(problem_text(status, self.problem))


def problem_text(status: int, problem: dict[str, Any]) -> str:
    """One line from an RFC 9457 problem: title, detail and field errors."""
    title = str(problem.get("title") or f"HTTP {status}")
    parts = [f"{status} {title}"]
    if problem.get("detail"):
        parts.append(str(problem["detail"]))
    for error in problem.get("errors") or []:
        if isinstance(error, dict) and error.get("detail") != problem.get("detail"):
            # shop-api's field errors: a JSON Pointer and a detail (often the detail above already says it)
            parts.append(f"{error.get('pointer', '')}: {error.get('detail', '')}".strip(": "))
    return " — ".join(parts)


@dataclass(frozen=True, slots=True)
class PushOp:
    seq: int
    id: str
    type: str
    payload: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "id": self.id, "type": self.type, "payload": self.payload}


@dataclass(frozen=True, slots=True)
class OpResult:
    seq: int
    status: OpOutcome
    http_status: int
    body: Any = None


@dataclass(frozen=True, slots=True)
class PushReply:
    results: list[OpResult]
    last_applied_seq: int | None = None
    server_time: dt.datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], server_time: dt.datetime | None = None) -> PushReply:
        results = [
            OpResult(int(r["seq"]), r["status"], int(r.get("http_status") or 0), r.get("body")) for r in data["results"]
        ]
        last = data.get("last_applied_seq")
        return cls(results, None if last is None else int(last), server_time)


@dataclass(frozen=True, slots=True)
class Change:
    cursor: str
    entity: str  # "product" or "stock"
    id: str
    data: dict[str, Any] | None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class PullReply:
    changes: list[Change]
    next_cursor: str | None
    has_more: bool
    server_time: dt.datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], server_time: dt.datetime | None = None) -> PullReply:
        changes = [
            Change(str(c.get("cursor", "")), c["entity"], str(c["id"]), c.get("data"), bool(c.get("deleted")))
            for c in data["changes"]
        ]
        next_cursor = data.get("next_cursor")
        return cls(changes, None if next_cursor is None else str(next_cursor), bool(data.get("has_more")), server_time)


@dataclass(frozen=True, slots=True)
class HealthReply:
    ok: bool
    server_time: dt.datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)


class SyncTransport(Protocol):
    def push(self, client_id: str, ops: Sequence[PushOp]) -> PushReply:
        """POST /v1/sync/push {client_id, ops}; per-op results in the reply."""
        ...

    def pull(self, since: str | None, limit: int) -> PullReply:
        """GET /v1/sync/changes?since=&limit=."""
        ...

    def health(self) -> HealthReply:
        """GET /v1/health (no token): is the server there, and what time is it there."""
        ...

    def refresh_session(self) -> bool:
        """The server said 401: renew the access token. False when that is impossible (signed out, refresh
        token revoked); the engine then holds the queue until someone signs in again."""
        ...
