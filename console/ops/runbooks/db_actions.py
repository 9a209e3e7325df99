"""`db.cancel_session` and `db.terminate_session`: the guide's "kill long-running queries", done safely through
shop-api's admin routes (pg_cancel_backend / pg_terminate_backend), never with free SQL.

- Only sessions a check of the run listed can be chosen (`from_steps`, optionally narrowed to `pids`), or the exact
  rows a screen shows (`targets`); at most 20 per confirmation.
- Each is named by pid and the `backend_start` the operator saw: shop-api refuses (409) a pid that a new
  connection has since taken. The API's own sessions are never chosen, and shop-api refuses them too (403).
- The preview lists the sessions as they are now, and says which are gone or changed since they were listed.
- Verify: a terminated session is gone; a cancelled one no longer runs the query it ran when seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from console.api import ApiClient, ApiProblem, ApiUnavailable
from console.ops.checks import format_duration
from console.ops.runbooks.actions import Action, ActionFailed, Env, Executed, Observation, Preview, Risk
from console.ops.runbooks.checks import SESSIONS_PATH, CheckOutcome, session_line

MAX_SESSIONS = 20


class SessionRef(BaseModel):
    """A session as the operator saw it (a whole row of the sessions check may be given: the rest is ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    pid: int = Field(ge=1, le=2**31 - 1)
    backend_start: AwareDatetime


class SessionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_steps: tuple[str, ...] = ()  # database checks of the run whose sessions may be chosen
    pids: tuple[int, ...] = ()  # chosen among those; empty: all of them
    targets: tuple[SessionRef, ...] | None = None  # exactly these (a screen's ticked rows)


@dataclass(frozen=True)
class Target:
    ref: SessionRef
    seen: dict[str, Any]  # the row as the operator saw it


class _SessionAction(Action[SessionParams]):
    verb: ClassVar[str]
    function: ClassVar[str]
    goal: ClassVar[str]
    params = SessionParams
    verify_timeout = dt.timedelta(seconds=30)
    poll = dt.timedelta(seconds=1)

    def confirm_phrase(self, targets: list[Target]) -> str | None:
        return None

    def preview(self, params: SessionParams, env: Env, findings: Mapping[str, Any]) -> Preview:
        targets, blocked = _choose(params, findings)
        details: list[str] = []
        if not blocked:
            details, blocked = _as_they_are_now(env.api, targets)
        pids = ", ".join(str(t.ref.pid) for t in targets) or "none"
        return Preview(
            action=self.name,
            risk=self.risk,
            summary=f"{self.function} on {len(targets)} session(s) of the shop-api database: pid {pids}",
            details=tuple(details),
            api_calls=tuple(
                f"shop-api POST {SESSIONS_PATH}/{t.ref.pid}/{self.verb} backend_start={_iso(t.ref.backend_start)}"
                for t in targets
            ),
            cli=tuple(
                f'psql -c "SELECT {self.function}(pid) FROM pg_stat_activity WHERE pid = {t.ref.pid} '
                f"AND backend_start = '{_iso(t.ref.backend_start)}';\""
                for t in targets
            ),
            verify=f"wait until each {self.goal} (up to {format_duration(self.verify_timeout)})",
            inputs={
                "pids": [t.ref.pid for t in targets],
                "backend_starts": [_iso(t.ref.backend_start) for t in targets],
            },
            subject=tuple(targets),
            confirm_phrase=self.confirm_phrase(targets),
            blocked=blocked,
        )

    def execute(self, preview: Preview, env: Env) -> Executed:
        api = _api(env.api)
        done: list[Target] = []
        refused: dict[str, str] = {}
        for target in preview.subject:
            try:
                api.request(
                    "POST",
                    f"{SESSIONS_PATH}/{target.ref.pid}/{self.verb}",
                    json={"backend_start": _iso(target.ref.backend_start)},
                )
                done.append(target)
            except (ApiProblem, ApiUnavailable) as exc:
                refused[str(target.ref.pid)] = str(exc)
        skipped = tuple(f"pid {pid} refused: {reason}" for pid, reason in refused.items())
        if not done:
            raise ActionFailed("; ".join(skipped))
        result = {"signalled": [t.ref.pid for t in done], "refused": refused}
        pids = ", ".join(str(t.ref.pid) for t in done)
        return Executed(f"{self.function} sent to pid {pids}", tuple(done), skipped, result)

    def observe(self, executed: Executed, env: Env) -> Observation:
        now = _listing(_api(env.api))
        waiting = [t for t in executed.subject if not self._settled(t, now.get(t.ref.pid))]
        if not waiting:
            return Observation("verified", f"{self.goal}: pid " + ", ".join(str(t.ref.pid) for t in executed.subject))
        return Observation(None, "; ".join(session_line(now[t.ref.pid]) for t in waiting))

    def pending(self, executed: Executed) -> str:
        return f"not every session {self.goal}"

    def _settled(self, target: Target, row: dict[str, Any] | None) -> bool:
        raise NotImplementedError


class CancelSession(_SessionAction):
    name = "db.cancel_session"
    risk = Risk.MEDIUM  # stops a query; its client gets an error and the session stays
    operation = "cancel"
    verb = "cancel"
    function = "pg_cancel_backend"
    goal = "stopped its query"

    def _settled(self, target: Target, row: dict[str, Any] | None) -> bool:
        if not _same_session(target, row):
            return True
        assert row is not None
        return row.get("state") != "active" or row.get("query_start") != target.seen.get("query_start")


class TerminateSession(_SessionAction):
    name = "db.terminate_session"
    risk = Risk.HIGH  # ends connections; their open transactions roll back
    operation = "terminate"
    verb = "terminate"
    function = "pg_terminate_backend"
    goal = "is gone"

    def confirm_phrase(self, targets: list[Target]) -> str | None:
        return str(targets[0].ref.pid) if len(targets) == 1 else f"terminate {len(targets)} sessions"

    def _settled(self, target: Target, row: dict[str, Any] | None) -> bool:
        return not _same_session(target, row)


def _choose(params: SessionParams, findings: Mapping[str, Any]) -> tuple[list[Target], str | None]:
    """The sessions to act on, and why none can be acted on (or None)."""
    listed: dict[int, dict[str, Any]] = {}
    for step in params.from_steps:
        finding = findings.get(step)
        if isinstance(finding, CheckOutcome):
            listed.update({row["pid"]: row for row in finding.rows if "pid" in row})
    if params.targets is not None:
        chosen = [Target(ref, listed.get(ref.pid, {"pid": ref.pid})) for ref in params.targets]
    else:
        unseen = [pid for pid in params.pids if pid not in listed]
        if unseen:
            steps = ", ".join(params.from_steps)
            return [], f"pid {unseen[0]} was not listed by the checks ({steps}): run them again"
        rows = [listed[pid] for pid in params.pids] if params.pids else list(listed.values())
        chosen = [Target(SessionRef.model_validate(row), row) for row in rows if not row.get("api_session")]
    if not chosen:
        return [], "no session to act on: the checks listed none (run them first)"
    own = [t.ref.pid for t in chosen if t.seen.get("api_session")]
    if own:
        return chosen, f"pid {own[0]} is one of shop-api's own sessions: those are never cancelled or terminated"
    if len(chosen) > MAX_SESSIONS:
        return chosen, f"{len(chosen)} sessions chosen: at most {MAX_SESSIONS} per confirmation (give pids)"
    return chosen, None


def _as_they_are_now(api: ApiClient | None, targets: list[Target]) -> tuple[list[str], str | None]:
    """A line per target as shop-api lists it now; blocked when none is still the session that was seen."""
    if api is None:
        return [], "not signed in to shop-api"
    try:
        now = _listing(api)
    except (ApiProblem, ApiUnavailable) as exc:
        return [], f"cannot list the sessions: shop-api: {exc}"
    lines, live = [], 0
    for target in targets:
        row = now.get(target.ref.pid)
        if row is None:
            lines.append(f"pid {target.ref.pid}: gone since it was listed")
        elif row.get("api_session"):
            return lines, f"pid {target.ref.pid} is one of shop-api's own sessions: never cancelled or terminated"
        elif not _same_session(target, row):
            lines.append(
                f"pid {target.ref.pid}: CHANGED — now a connection from {row['backend_start']}, not the one you saw "
                f"(from {_iso(target.ref.backend_start)}): shop-api will refuse it"
            )
        else:
            live += 1
            lines.append(session_line(row))
    return lines, None if live else "none of the chosen sessions is still there as you saw it"


def _listing(api: ApiClient) -> dict[int, dict[str, Any]]:
    return {row["pid"]: row for row in api.request("GET", SESSIONS_PATH).json()["items"]}


def _same_session(target: Target, row: dict[str, Any] | None) -> bool:
    return row is not None and dt.datetime.fromisoformat(row["backend_start"]) == target.ref.backend_start


def _api(api: ApiClient | None) -> ApiClient:
    if api is None:
        raise ActionFailed("not signed in to shop-api")
    return api


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()
