"""A run of one runbook, step by step: the one engine the runbook screen and `shop-console runbooks run` drive.

    run = RunbookRun(runbook, env, {"desired_count": "4"})   # InputError for a bad or unknown input
    while (state := run.next_step()) is not None:
        match state.step.kind:
            case "check":   run.run_check()                    # CheckOutcome: verdict, actual, threshold, series
            case "action":  preview = run.preview_action()     # the dry run; run.refusal says if it may run
                            run.confirm_and_run(typed)         # or run.skip("why")
            case "approve": run.approve(typed)                 # the step's phrase, typed; else it stays pending

Steps run in order; a step that is done stays done (a check may be run again with `run_check(step_id)`). Every
step leaves audit records: checks and approvals as `runbook.check` / `runbook.approve`, skips as `runbook.skip`,
actions under their own name (see actions.run_action), each with the runbook, its version, the step and the run id
in `context`. Blocking calls (AWS, shop-api, the verify wait): call from a worker thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from console.ops.checks import Verdict
from console.ops.runbooks.actions import Env, Outcome, Preview, blocked_preview, run_action
from console.ops.runbooks.checks import CheckOutcome, evaluate
from console.ops.runbooks.model import (
    CHECK_STEPS,
    ActionStep,
    ApproveStep,
    DbCheck,
    LogsCheck,
    MaintenanceCheck,
    MetricCheck,
    Runbook,
    resolve,
)
from console.ops.runbooks.model import resolve_step as _resolve_step
from console.ops.runbooks.registry import ACTIONS


class StepStatus(StrEnum):
    PENDING = "pending"
    PASSED = "passed"  # a check at PASS
    FAILED = "failed"  # a check at FAIL: the incident's sign is there
    UNKNOWN = "unknown"  # a check that could not read its figure
    DONE = "done"  # an action verified, an approval given
    INCOMPLETE = "incomplete"  # an action that ran but did not (fully) verify, or failed
    REFUSED = "refused"  # an action this user or console may not run
    SKIPPED = "skipped"


_CHECK_STATUS = {Verdict.OK: StepStatus.PASSED, Verdict.FAIL: StepStatus.FAILED, Verdict.UNKNOWN: StepStatus.UNKNOWN}
_ACTION_STATUS = {
    "verified": StepStatus.DONE,
    "partial": StepStatus.INCOMPLETE,
    "unverified": StepStatus.INCOMPLETE,
    "failed": StepStatus.INCOMPLETE,
    "refused": StepStatus.REFUSED,
}


_KINDS = {"check": "a check", "action": "an action", "approve": "an approve"}


class StepError(Exception):
    """The engine was asked for something the current step is not (e.g. run_check on an action)."""


@dataclass
class StepState:
    index: int
    step: MetricCheck | LogsCheck | DbCheck | MaintenanceCheck | ActionStep | ApproveStep  # inputs put in
    status: StepStatus = StepStatus.PENDING
    check: CheckOutcome | None = None
    preview: Preview | None = None
    outcome: Outcome | None = None
    note: str = ""  # why it was skipped, or what the approval answered

    @property
    def finished(self) -> bool:
        return self.status is not StepStatus.PENDING

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.step.id,
            "kind": self.step.kind,
            "title": self.step.title,
            "status": self.status.value,
            "check": self.check.to_json() if self.check else None,
            "preview": self.preview.text if self.preview else None,
            "cli": list(self.preview.cli) if self.preview else None,
            "outcome": {"status": self.outcome.status, "detail": self.outcome.detail} if self.outcome else None,
            "note": self.note,
        }


class RunbookRun:
    def __init__(self, runbook: Runbook, env: Env, inputs: Mapping[str, Any] | None = None) -> None:
        self.runbook = runbook
        self.env = env
        self.inputs = runbook.accept_inputs(inputs or {})
        self.run_id = str(uuid.uuid4())
        self.steps = [StepState(i, _resolved(step, self.inputs)) for i, step in enumerate(runbook.steps)]

    # --- where the run is ---------------------------------------------------------------------------------------

    def next_step(self) -> StepState | None:
        """The first step not finished yet, or None when the run is over."""
        return next((s for s in self.steps if not s.finished), None)

    @property
    def done(self) -> bool:
        return self.next_step() is None

    @property
    def refusal(self) -> str | None:
        """Why actions cannot run in this console (read-only, role, offline), or None."""
        return self.env.refusal

    def state(self, step_id: str) -> StepState:
        return next(s for s in self.steps if s.step.id == step_id)

    @property
    def findings(self) -> dict[str, CheckOutcome]:
        return {s.step.id: s.check for s in self.steps if s.check is not None}

    # --- steps --------------------------------------------------------------------------------------------------

    def run_check(self, step_id: str | None = None) -> CheckOutcome:
        """Run the current check step (or, again, an earlier check named by `step_id`)."""
        state = self.state(step_id) if step_id else self._current()
        step = state.step
        if not isinstance(step, CHECK_STEPS):
            raise StepError(f"step {step.id} is {_KINDS[step.kind]} step, not a check")
        if step_id and state.index > self._current_index():
            raise StepError(f"step {step.id} comes later: run the steps in order")
        outcome = evaluate(step, self.env)
        state.check, state.status = outcome, _CHECK_STATUS[outcome.verdict]
        self._record(
            state,
            "runbook.check",
            outcome.label,
            detail=f"{outcome.actual_text} ({outcome.target_text})",
            inputs=step.model_dump(exclude={"id", "kind", "title", "why", "hint"}),
            result={"actual": outcome.actual, "rows": len(outcome.rows)},
        )
        return outcome

    def preview_action(self, **overrides: Any) -> Preview:
        """The current action's resolved dry run. `overrides` replace its parameters (e.g. a screen's chosen
        `targets` for a session action); they are checked like the file's."""
        state = self._current()
        step = state.step
        if not isinstance(step, ActionStep):
            raise StepError(f"step {step.id} is {_KINDS[step.kind]} step, not an action")
        action = ACTIONS[step.action]
        raw = {**step.params, **overrides}
        try:
            params = action.params.model_validate(raw)
        except ValidationError as exc:
            reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            state.preview = blocked_preview(action, raw, reason)
        else:
            state.preview = action.preview(params, self.env, self.findings)
        return state.preview

    def confirm_and_run(self, confirmation: str) -> Outcome:
        """Run the current action as last previewed, if the confirmation fits its risk (see actions.Risk). Not
        confirmed, it stays the current step (preview it again, or skip it)."""
        state = self._current()
        step = state.step
        if not isinstance(step, ActionStep):
            raise StepError(f"step {step.id} is {_KINDS[step.kind]} step, not an action")
        preview = state.preview
        if preview is None:
            raise StepError(f"step {step.id}: preview it first (a confirmation is for what was shown)")
        outcome = run_action(
            ACTIONS[step.action], preview, env=self.env, confirmation=confirmation, context=self._context(state)
        )
        state.outcome = outcome
        if outcome.status == "cancelled":
            state.preview = None  # what it showed may be stale by the next try
        else:
            state.status = _ACTION_STATUS[outcome.status]
        return outcome

    def approve(self, confirmation: str) -> bool:
        """The current approve step: done when `confirmation` is its phrase; otherwise it stays pending."""
        state = self._current()
        step = state.step
        if not isinstance(step, ApproveStep):
            raise StepError(f"step {step.id} is {_KINDS[step.kind]} step, not an approval")
        approved = confirmation.strip() == step.phrase
        self._record(
            state,
            "runbook.approve",
            "approved" if approved else "not_approved",
            confirmation=confirmation,
            preview=step.instructions,
        )
        if approved:
            state.status, state.note = StepStatus.DONE, "approved"
        return approved

    def skip(self, reason: str) -> None:
        """Leave the current step undone (an action not wanted, or not allowed here) and go on."""
        state = self._current()
        self._record(
            state,
            "runbook.skip",
            "skipped",
            detail=reason,
            preview=state.preview.text if state.preview else None,
        )
        state.status, state.note = StepStatus.SKIPPED, reason

    # --- helpers ------------------------------------------------------------------------------------------------

    def _current(self) -> StepState:
        state = self.next_step()
        if state is None:
            raise StepError("the run is over: every step is finished")
        return state

    def _current_index(self) -> int:
        state = self.next_step()
        return len(self.steps) if state is None else state.index

    def _context(self, state: StepState) -> dict[str, str]:
        return {
            "runbook": self.runbook.name,
            "version": self.runbook.version,
            "step": state.step.id,
            "run_id": self.run_id,
        }

    def _record(
        self,
        state: StepState,
        action: str,
        outcome: str,
        *,
        detail: str = "",
        inputs: dict[str, Any] | None = None,
        confirmation: str | None = None,
        preview: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> None:
        self.env.audit.record(
            actor=self.env.actor,
            profile=self.env.profile.name,
            environment=self.env.profile.environment,
            action=action,
            context=self._context(state),
            inputs=inputs,
            preview=preview,
            confirmation=confirmation,
            outcome=outcome,
            detail=detail,
            result=result,
        )


def _resolved(step: Any, values: Mapping[str, Any]) -> Any:
    """A step with the run's inputs put in; an action's parameters are resolved too (checked at preview)."""
    if isinstance(step, ActionStep):
        return step.model_copy(update={"params": resolve(step.params, values)})
    return _resolve_step(step, values)
