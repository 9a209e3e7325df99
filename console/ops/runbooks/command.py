"""`shop-console runbooks list | show NAME | run NAME [--input k=v]... [--write] [--yes-low-risk] [--json]`: the
runbook engine without the TUI, for a signed-in admin (or support, read-only).

`run` walks every step: checks print PASS/FAIL with the actual value beside the threshold and a sparkline;
actions print their preview and equivalent CLI command, and run only with --write, as an admin, online, once
confirmed on stdin (prompts go to stderr): low risk y/n (or --yes-low-risk), medium "yes", high the target's name,
which is only read from a terminal (a script cannot confirm it). An approve step needs its phrase. An action not
confirmed is skipped; a missing approval or high-risk confirmation stops the run.

Exit codes: 0 every check passed and nothing failed; 1 a check FAILed or was UNKNOWN (the incident's signs); 2 an
action failed or did not verify; 4 refused (role); 5 stopped before the end; 64 usage (unknown runbook, input).
With --json, stdout is one JSON document: the run (inputs, each step's status, check figures, previews, outcomes).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from console.api import ApiClient
from console.config import Profile
from console.ops.audit import Actor, AuditLog
from console.ops.aws import AwsClients, ClientSource
from console.ops.metrics import format_value, sparkline
from console.ops.runbooks.actions import Env, Risk
from console.ops.runbooks.checks import CheckOutcome, session_line
from console.ops.runbooks.engine import RunbookRun, StepState, StepStatus
from console.ops.runbooks.inputs import bounds
from console.ops.runbooks.inputs import shown as _shown
from console.ops.runbooks.loader import RunbookError, UnknownRunbook, find_runbook, load_all
from console.ops.runbooks.model import (
    ActionStep,
    ApproveStep,
    DbCheck,
    InputError,
    LogsCheck,
    MaintenanceCheck,
    MetricCheck,
    Runbook,
)
from console.ops.runbooks.registry import ACTIONS
from console.session import SignedIn
from offline_cache.clock import Clock, system_clock

ALLOWED_ROLES = ("admin", "support")
EXIT_OK = 0
EXIT_ATTENTION = 1
EXIT_FAILED = 2
EXIT_REFUSED = 4
EXIT_STOPPED = 5
EXIT_USAGE = 64
SPARK_WIDTH = 36


class UsageError(Exception):
    pass


class _Exit(Exception):
    """argparse finished the command itself (--help)."""


class _Parser(argparse.ArgumentParser):
    """argparse that writes to the command's streams and raises instead of exiting the process."""

    def __init__(self, *args: Any, out: TextIO, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._out = out

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise _Exit(status)

    def _print_message(self, message: str, file: Any = None) -> None:
        self._out.write(message)


def parser(out: TextIO) -> argparse.ArgumentParser:
    make = functools.partial(_Parser, out=out)
    root = make(prog="shop-console runbooks", description="Incident and recovery runbooks, without the TUI.")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=make)
    listing = commands.add_parser("list", help="the runbooks")
    listing.add_argument("--json", action="store_true")
    show = commands.add_parser("show", help="a runbook: what it is for, its inputs and steps")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    run = commands.add_parser("run", help="walk a runbook: checks live, actions only with --write")
    run.add_argument("name")
    run.add_argument("--input", action="append", default=[], metavar="NAME=VALUE", help="an input (repeatable)")
    run.add_argument("--write", action="store_true", help="allow actions (admin only, online)")
    run.add_argument("--yes-low-risk", action="store_true", help="confirm low-risk actions without asking")
    run.add_argument("--json", action="store_true", help="print the run as JSON on stdout")
    return root


def run_runbooks_command(
    args: Sequence[str],
    profile: Profile,
    signed_in: SignedIn,
    api: ApiClient | None,
    out: TextIO,
    err: TextIO = sys.stderr,
    stdin: TextIO = sys.stdin,
    *,
    clients: ClientSource | None = None,
    audit: AuditLog | None = None,
    clock: Clock = system_clock,
    sleep: Callable[[float], None] = time.sleep,
    directory: Path | None = None,
) -> int:
    """The `runbooks` command for a signed-in user; `api` is the signed-in shop-api client (database steps)."""
    try:
        options = parser(out).parse_args(list(args))
    except UsageError as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    except _Exit as exc:
        return int(exc.args[0])
    identity = signed_in.identity
    if identity.role not in ALLOWED_ROLES:
        err.write(f"shop-console runbooks: needs the admin or support role (yours: {identity.role or 'none'})\n")
        return EXIT_REFUSED
    if options.command == "list":
        return _list(out, err, options.json, directory)
    try:
        runbook = find_runbook(options.name, directory)
    except (UnknownRunbook, RunbookError) as exc:
        err.write(f"shop-console runbooks: {exc}\n")
        return EXIT_USAGE
    if options.command == "show":
        out.write(json.dumps(runbook.model_dump(mode="json"), indent=2) + "\n" if options.json else show_text(runbook))
        return EXIT_OK
    env = Env(
        profile=profile,
        actor=Actor.current(identity.username, identity.role),
        clients=clients or AwsClients(profile),
        audit=audit or AuditLog(clock=clock),
        api=api,
        write_mode=options.write,
        offline=signed_in.offline,
        clock=clock,
        sleep=sleep,
    )
    try:
        given = dict(_pair(text) for text in options.input)
        run = RunbookRun(runbook, env, given)
    except (UsageError, InputError) as exc:
        err.write(f"shop-console runbooks: {exc}\n")
        return EXIT_USAGE
    walker = _Walker(run, out, err, stdin, options.yes_low_risk, quiet=options.json)
    code = walker.walk()
    if options.json:
        document = {
            "runbook": runbook.name,
            "version": runbook.version,
            "run_id": run.run_id,
            "profile": profile.name,
            "write_mode": options.write,
            "inputs": run.inputs,
            "steps": [state.to_json() for state in run.steps],
            "stopped": walker.stopped,
            "exit_code": code,
        }
        out.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
    return code


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"--input {text!r}: write it as NAME=VALUE")
    return name.strip(), value


def _list(out: TextIO, err: TextIO, as_json: bool, directory: Path | None) -> int:
    runbooks, problems = load_all(directory)
    for problem in problems:
        err.write(f"shop-console runbooks: {problem}\n")
    if as_json:
        rows = [
            {
                "name": r.name,
                "title": r.title,
                "category": r.category,
                "version": r.version,
                "manual": r.manual,
                "steps": len(r.steps),
                "actions": [s.action for s in r.steps if isinstance(s, ActionStep)],
            }
            for r in runbooks
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
    else:
        width = max((len(r.name) for r in runbooks), default=4)
        for r in runbooks:
            manual = " (manual procedure)" if r.manual else ""
            out.write(f"{r.name:<{width}}  {r.category:<17}  {r.title}{manual}\n")
    return EXIT_ATTENTION if problems else EXIT_OK


def show_text(runbook: Runbook) -> str:
    """A runbook as a person reads it: what it is for, its inputs, and what each step does."""
    lines = [
        f"{runbook.title} ({runbook.name} {runbook.version}, {runbook.category}"
        + (", manual procedure)" if runbook.manual else ")"),
        f"Source: {runbook.source}",
        "",
        f"When to use: {runbook.when_to_use}",
        f"When not to: {runbook.when_not_to_use}",
    ]
    for heading, text in (
        ("Meaning", runbook.meaning),
        ("Impact", runbook.impact),
        ("Diagnosis", runbook.diagnosis),
        ("Mitigation", runbook.mitigation),
    ):
        lines += ["", f"{heading}:", *(f"  {line}" for line in text.strip().splitlines())]
    if runbook.inputs:
        lines += ["", "Inputs (--input NAME=VALUE):"]
        for name, spec in runbook.inputs.items():
            lines.append(f"  {name} ({bounds(spec)}): {spec.description}")
    lines += ["", "Steps:"]
    for number_, step in enumerate(runbook.steps, start=1):
        lines.append(f"  {number_}. [{step.kind}] {step.title}")
        lines.append(f"     {describe_step(step)}")
    return "\n".join(lines) + "\n"


def describe_step(step: Any) -> str:
    """What a step does, in one line (inputs as `{name}` when not resolved)."""
    if isinstance(step, MetricCheck):
        stat = f"{step.statistic} of {step.namespace} {step.metric} over {_shown(step.window_minutes)} min"
        return f"{stat}; fails when {step.fail_when} {_shown(step.threshold)} {step.unit}".rstrip()
    if isinstance(step, LogsCheck):
        also = f" with {step.json_field} > {_shown(step.json_above)}" if step.json_field else ""
        per = f"most per {step.bin_minutes} min" if step.measure == "max_per_bin" else "total"
        return (
            f"log events '{step.filter_pattern}'{also} in {step.log_group} over {_shown(step.window_minutes)} min "
            f"({per}); fails when {step.fail_when} {_shown(step.threshold)}"
        )
    if isinstance(step, DbCheck):
        what = "client sessions by state" if step.query == "sessions_by_state" else "sessions"
        if step.state:
            what += f" in state '{step.state}'"
        if step.min_minutes is not None:
            what += f" for at least {_shown(step.min_minutes)} min"
        return f"{what} (shop-api); fails when {step.fail_when} {_shown(step.threshold)}"
    if isinstance(step, MaintenanceCheck):
        return f"maintenance fact {step.fact} {step.subject}; fails when {step.fail_when} {_shown(step.threshold)}"
    if isinstance(step, ActionStep):
        return f"action {step.action} (risk {ACTIONS[step.action].risk.value}) with {_shown(step.params)}"
    assert isinstance(step, ApproveStep)
    return f"approval: type '{step.phrase}' once done"


class _Walker:
    """Drives a run on a terminal or a pipe."""

    def __init__(self, run: RunbookRun, out: TextIO, err: TextIO, stdin: TextIO, yes_low: bool, quiet: bool):
        self.run = run
        self.out = err if quiet else out  # with --json, the running commentary goes to stderr
        self.err = err
        self.stdin = stdin
        self.yes_low = yes_low
        self.stopped: str | None = None

    def walk(self) -> int:
        run = self.run
        book = run.runbook
        mode = "WRITE MODE" if run.env.write_mode else "read-only"
        who = run.env.actor.cognito_user or run.env.actor.os_user
        self._say(f"{book.title} ({book.name} {book.version}) · profile {run.env.profile.name} · {who} · {mode}")
        if run.inputs:
            self._say("inputs: " + " ".join(f"{k}={_shown(v)}" for k, v in run.inputs.items()))
        total = len(run.steps)
        while (state := run.next_step()) is not None:
            self._say(f"\n[{state.index + 1}/{total}] {state.step.kind}  {state.step.title}")
            if isinstance(state.step, ActionStep):
                self._action(state)
            elif isinstance(state.step, ApproveStep):
                self._approve(state)
            else:
                self._check(run.run_check())
            if self.stopped:
                self._say(f"\nStopped: {self.stopped}")
                break
        return self._exit_code()

    def _check(self, outcome: CheckOutcome) -> None:
        self._say(f"      {outcome.label:<7} {outcome.actual_text} ({outcome.target_text})")
        if outcome.series:
            values = [p.value for p in outcome.series]
            spark = sparkline(values, SPARK_WIDTH)
            low, high = format_value(min(values)), format_value(max(values))
            self._say(f"      {spark}  {outcome.series_label} (min {low}, max {high})")
        for row in outcome.rows[:10]:
            self._say("      " + (session_line(row) if "pid" in row else f"{row['state']}: {row['count']}"))
        if len(outcome.rows) > 10:
            self._say(f"      … and {len(outcome.rows) - 10} more")
        self._say(f"      source: {outcome.source}")
        if outcome.cli:
            self._say(f"      cli:    {outcome.cli}")
        if outcome.hint:
            self._say(f"      hint:   {outcome.hint}")

    def _action(self, state: StepState) -> None:
        run = self.run
        preview = run.preview_action()
        self._say(f"      {preview.action} · risk {preview.risk.value}")
        self._say("\n".join(f"      {line}" for line in preview.text.splitlines()))
        if preview.blocked:
            run.skip(f"cannot run now: {preview.blocked}")
            return
        if run.refusal:
            self._say(f"      not run: {run.refusal}")
            run.skip(f"not run: {run.refusal}")
            return
        if preview.risk is Risk.LOW and self.yes_low:
            answer: str | None = "y"
            self._say("      confirmed by --yes-low-risk")
        elif preview.risk is Risk.HIGH and not self._interactive():
            self._say("      refused: a high-risk action needs its confirmation typed at a terminal (stdin is not one)")
            run.skip("high-risk confirmation needs a terminal")
            self.stopped = f"{state.step.id} needs a typed confirmation at a terminal"
            return
        else:
            answer = self._ask(preview.confirmation_prompt)
        if answer is None:
            run.skip("no confirmation (end of input)")
            self.stopped = f"no confirmation for {state.step.id}"
            return
        outcome = run.confirm_and_run(answer)
        if outcome.status == "cancelled":
            self._say("      not confirmed: skipped")
            run.skip("not confirmed")
            return
        self._say(f"      {outcome.status}: {outcome.detail}")

    def _approve(self, state: StepState) -> None:
        step = state.step
        assert isinstance(step, ApproveStep)
        self._say("\n".join(f"      {line}" for line in step.instructions.strip().splitlines()))
        answer = self._ask(f"Type {step.phrase} to go on")
        if answer is None or not self.run.approve(answer):
            self.stopped = f"{step.id} was not approved"
            return
        self._say("      approved")

    def _ask(self, prompt: str) -> str | None:
        self.err.write(f"      {prompt}: ")
        self.err.flush()
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None

    def _interactive(self) -> bool:
        try:
            return self.stdin.isatty()
        except (AttributeError, ValueError):
            return False

    def _say(self, text: str) -> None:
        self.out.write(text + "\n")

    def _exit_code(self) -> int:
        statuses = [state.status for state in self.run.steps]
        if StepStatus.INCOMPLETE in statuses:
            return EXIT_FAILED
        if self.stopped:
            return EXIT_STOPPED
        if StepStatus.FAILED in statuses or StepStatus.UNKNOWN in statuses:
            return EXIT_ATTENTION
        return EXIT_OK
