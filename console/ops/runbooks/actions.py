"""The write-mode actions: what every one of them shares, and the one way they run.

An action is a named operation of the fixed registry (see registry), never free shell or SQL. It goes through:

1. `preview` (reading only): the resolved dry run — what will be called on what, from which state to which, the
   equivalent AWS CLI command, how the effect will be verified — or why it cannot run now (`blocked`).
2. `run_action`: refused unless the user may act (write_mode.refusal: admin, --write, online); cancelled unless
   the confirmation fits the action's risk (low: y/yes; medium: yes; high: the target's name typed); failed when
   blocked; then `execute`, recorded as `executed` before waiting, so a console closed meanwhile leaves it on record;
   then `observe` until the effect shows (`verified`), the action reports a failure, or the time is up
   (`unverified`). Every outcome is returned and audited under one action id; AWS and API errors never escape.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Generic, Literal, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from console.api import ApiClient, ApiProblem, ApiUnavailable
from console.config import Profile
from console.ops.audit import Actor, AuditLog
from console.ops.aws import ClientSource, describe_error
from console.ops.checks import format_duration
from console.ops.write_mode import refusal
from offline_cache.clock import Clock, system_clock

Status = Literal["verified", "unverified", "partial", "failed", "refused", "cancelled"]
P = TypeVar("P", bound=BaseModel)
# Errors of the services an action calls; anything else is a bug and escapes.
SERVICE_ERRORS = (BotoCoreError, ClientError, ApiProblem, ApiUnavailable)


class Risk(StrEnum):
    LOW = "low"  # adds something, changes nothing that exists: y/n
    MEDIUM = "medium"  # changes running things, reversibly: an explicit "yes" (a dialog with Cancel focused)
    HIGH = "high"  # drops connections or moves the database: the target's name, typed

    def accepts(self, confirmation: str, phrase: str | None) -> bool:
        given = confirmation.strip()
        if self is Risk.LOW:
            return given.lower() in ("y", "yes")
        if self is Risk.MEDIUM:
            return given.lower() == "yes"
        return phrase is not None and given == phrase


@dataclass(frozen=True)
class Env:
    """Who acts, where, with what: everything an action (and a runbook run) needs from the console."""

    profile: Profile
    actor: Actor
    clients: ClientSource
    audit: AuditLog
    api: ApiClient | None = None  # signed in; needed by the database actions and checks
    write_mode: bool = False
    offline: bool = False
    clock: Clock = system_clock
    sleep: Callable[[float], None] = time.sleep

    @property
    def refusal(self) -> str | None:
        return refusal(self.actor.role, self.write_mode, self.offline)


@dataclass(frozen=True)
class Preview:
    """The resolved dry run of one action. `subject` is what the action itself needs to run it."""

    action: str
    risk: Risk
    summary: str  # one line: "UpdateService shop-management-api desired 2 → 4 (autoscaling 2-10)"
    api_calls: tuple[str, ...]
    cli: tuple[str, ...]  # the equivalent commands a person could run instead
    verify: str
    inputs: dict[str, Any]  # the resolved parameters, as audited
    subject: Any
    details: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # cautions that do not block
    confirm_phrase: str | None = None  # what a high-risk action needs typed
    blocked: str | None = None

    @property
    def text(self) -> str:
        lines = [self.summary, *(f"  {d}" for d in self.details)]
        lines += [f"  call:   {c}" for c in self.api_calls]
        lines.append(f"  verify: {self.verify}")
        lines += [f"  cli:    {c}" for c in self.cli]
        lines += [f"  note:   {n}" for n in self.notes]
        if self.blocked:
            lines.append(f"  cannot run now: {self.blocked}")
        return "\n".join(lines)

    @property
    def confirmation_prompt(self) -> str:
        if self.risk is Risk.LOW:
            return "Run it? [y/N]"
        if self.risk is Risk.MEDIUM:
            return "Run it? Type yes to confirm"
        return f"This is a high-risk action. Type {self.confirm_phrase} to confirm"

    def accepts(self, confirmation: str) -> bool:
        return self.risk.accepts(confirmation, self.confirm_phrase)


@dataclass(frozen=True)
class Executed:
    """What `execute` did: the detail for the audit, what to verify, and the parts it did not do (and why)."""

    detail: str
    subject: Any
    skipped: tuple[str, ...] = ()
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Observation:
    """One look at the effect: `status` once it is settled (verified or failed), else None and what was seen."""

    status: Literal["verified", "failed"] | None
    detail: str


@dataclass(frozen=True)
class Outcome:
    status: Status
    detail: str
    action_id: str
    result: dict[str, Any] = field(default_factory=dict)


class ActionFailed(Exception):
    """`execute` could do none of it; the message says why (e.g. every selected session was refused)."""


class Action(ABC, Generic[P]):
    name: ClassVar[str]
    risk: ClassVar[Risk]
    params: ClassVar[type[BaseModel]]
    operation: ClassVar[str]  # the call that makes the change, to name it in a failure
    verify_timeout: ClassVar[dt.timedelta]
    poll: ClassVar[dt.timedelta]

    @abstractmethod
    def preview(self, params: P, env: Env, findings: Mapping[str, Any]) -> Preview:
        """Read what is needed and say what will happen; never raises for AWS or API errors (they block it).
        `findings` are the check outcomes of the run so far, by step id."""

    @abstractmethod
    def execute(self, preview: Preview, env: Env) -> Executed: ...

    @abstractmethod
    def observe(self, executed: Executed, env: Env) -> Observation: ...

    @abstractmethod
    def pending(self, executed: Executed) -> str:
        """What has not happened yet when the time is up: "<snapshot> not available"."""


def run_action(
    action: Action[Any],
    preview: Preview,
    *,
    env: Env,
    confirmation: str,
    context: dict[str, str],
    verify_timeout: dt.timedelta | None = None,
    poll: dt.timedelta | None = None,
) -> Outcome:
    """Run a previewed action (see the module's docstring)."""
    action_id = str(uuid.uuid4())

    def record(status: str, detail: str, result: dict[str, Any] | None = None) -> None:
        env.audit.record(
            actor=env.actor,
            profile=env.profile.name,
            environment=env.profile.environment,
            action=action.name,
            action_id=action_id,
            context=context,
            inputs=preview.inputs,
            preview=preview.text,
            confirmation=confirmation,
            outcome=status,
            detail=detail,
            result=result,
        )

    def finish(status: Status, detail: str, result: dict[str, Any] | None = None) -> Outcome:
        record(status, detail, result)
        return Outcome(status, detail, action_id, result or {})

    refused = env.refusal
    if refused:
        return finish("refused", refused)
    if not preview.accepts(confirmation):
        return finish("cancelled", "not confirmed")
    if preview.blocked:
        return finish("failed", preview.blocked)
    try:
        executed = action.execute(preview, env)
    except ActionFailed as exc:
        return finish("failed", str(exc))
    except SERVICE_ERRORS as exc:
        return finish("failed", f"{action.operation}: {_describe(exc)}")
    record("executed", executed.detail, executed.result)
    status, detail = _verify(action, executed, env, verify_timeout or action.verify_timeout, poll or action.poll)
    if executed.skipped:
        detail = "; ".join([detail, *executed.skipped])
        status = "partial" if status == "verified" else status
    return finish(status, detail, executed.result)


def _verify(
    action: Action[Any], executed: Executed, env: Env, timeout: dt.timedelta, poll: dt.timedelta
) -> tuple[Status, str]:
    deadline = env.clock() + timeout
    while True:
        try:
            seen = action.observe(executed, env)
            if seen.status is not None:
                return seen.status, seen.detail
            last = seen.detail
        except SERVICE_ERRORS as exc:  # a passing error while waiting: keep waiting, say so at the end
            last = _describe(exc)
        if env.clock() >= deadline:
            return "unverified", f"{action.pending(executed)} after {format_duration(timeout)}: {last}"
        env.sleep(poll.total_seconds())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BotoCoreError | ClientError):
        return describe_error(exc)
    return f"shop-api: {exc}"


def blocked_preview(action: Action[Any], inputs: dict[str, Any], reason: str) -> Preview:
    """A preview for parameters that do not fit the action: nothing to call, only why."""
    return Preview(
        action=action.name,
        risk=action.risk,
        summary=f"{action.name}: cannot prepare it",
        api_calls=(),
        cli=(),
        verify="nothing to verify",
        inputs=inputs,
        subject=None,
        blocked=reason,
    )
