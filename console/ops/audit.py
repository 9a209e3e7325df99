"""The audit trail of operator actions: an append-only JSON-lines file in the state dir, and a log event per record.

Each record says who (the Cognito user and role, the local OS user and host), when, what (an action name such as
`rds.create_cluster_snapshot`, `runbook.step` or `dr.drill`), where from (`context`: a screen, or a runbook with its
version and step), the inputs, the preview shown, the confirmation given, the outcome, and any measured `result`.
The records of one action (e.g. executed, then verified) share an `action_id`.

Records are redacted with the log formatter's rules before they are written: a value under a secret-sounding key
(token, password, secret, session, …) is masked whole, and JWTs or bearer credentials in text are masked, so a
token can never reach the file. Records are only ever appended: one `write` per line under an exclusive lock,
fsynced, in a 0600 file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import json
import logging
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.jsonlog import redact
from console import paths
from offline_cache.clock import Clock, system_clock

log = logging.getLogger(__name__)

FILE_NAME = "audit.jsonl"


def default_path() -> Path:
    return paths.state_dir() / FILE_NAME


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cognito_user: str | None  # None only before sign-in (e.g. a refused attempt)
    role: str | None
    os_user: str
    host: str

    @classmethod
    def current(cls, cognito_user: str | None, role: str | None) -> Actor:
        """The signed-in user with this process's OS user and host (an SSH session's login is the OS user)."""
        try:
            os_user = getpass.getuser()
        except (KeyError, OSError):  # no login name and no passwd entry (some containers)
            os_user = f"uid:{os.getuid()}"
        return cls(cognito_user=cognito_user, role=role, os_user=os_user, host=socket.gethostname())


class AuditRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    action_id: str
    at: dt.datetime
    actor: Actor
    profile: str
    environment: str
    action: str
    context: dict[str, str] = Field(default_factory=dict)
    inputs: dict[str, Any] = Field(default_factory=dict)
    preview: str | None = None
    confirmation: str | None = None
    outcome: str
    detail: str = ""
    result: dict[str, Any] = Field(default_factory=dict)


class AuditLog:
    """The audit file of this user (the state dir), or of `path`. The clock stamps each record."""

    def __init__(self, path: Path | None = None, clock: Clock = system_clock) -> None:
        self.path = path or default_path()
        self.clock = clock

    def record(
        self,
        *,
        actor: Actor,
        profile: str,
        environment: str,
        action: str,
        outcome: str,
        action_id: str | None = None,
        context: dict[str, str] | None = None,
        inputs: dict[str, Any] | None = None,
        preview: str | None = None,
        confirmation: str | None = None,
        detail: str = "",
        result: dict[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one record and return it as written (redacted)."""
        record_id = str(uuid.uuid4())
        raw = AuditRecord(
            id=record_id,
            action_id=action_id or record_id,
            at=self.clock().astimezone(dt.UTC),
            actor=actor,
            profile=profile,
            environment=environment,
            action=action,
            context=context or {},
            inputs=inputs or {},
            preview=preview,
            confirmation=confirmation,
            outcome=outcome,
            detail=detail,
            result=result or {},
        )
        # Redact the values only: the record's own field names ("id", "action_id", ...) are not secrets.
        data = raw.model_dump(mode="json")
        written = AuditRecord.model_validate({key: redact(value) for key, value in data.items()})
        line = json.dumps(written.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")) + "\n"
        self._append(line.encode("utf-8"))
        log.info(
            "audit record",
            extra={
                "fields": {
                    "audit_action": written.action,
                    "audit_outcome": written.outcome,
                    "action_id": written.action_id,
                    "user": written.actor.cognito_user,
                    "os_user": written.actor.os_user,
                }
            },
        )
        return written

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # writers on other terminals of this user wait their turn
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a torn last line (a crash mid-write) stays alone, and is skipped on reading
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def records(self, action: str | None = None, profile: str | None = None) -> list[AuditRecord]:
        """The records in the order written, optionally of one action and one profile. A line that is not a valid
        record (a torn last line after a crash) is skipped with a warning, never fatal."""
        return [
            r
            for r in self._read()
            if (action is None or r.action == action) and (profile is None or r.profile == profile)
        ]

    def _read(self) -> Iterator[AuditRecord]:
        with contextlib.suppress(FileNotFoundError), open(self.path, encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    yield AuditRecord.model_validate_json(line)
                except ValidationError:
                    log.warning("skipped an unreadable audit line", extra={"fields": {"line": number}})
