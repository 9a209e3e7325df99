"""Runbooks (admin, support): an incident picked from a list, then walked step by step with live figures and a safe,
recorded fix. The engine is console.ops.runbooks (no Textual); this screen drives it one step at a time in workers.

- The list: every runbook file (incidents first) with when to use it; a broken file is named with its line.
- A runbook, in three tabs: About (when to use it and when not, Meaning, Impact, Diagnosis, Mitigation), Inputs
  (typed fields with their defaults and bounds, each checked in place; a new run starts with them) and Steps.
- `n` runs the next step. A check shows PASS/FAIL, the actual value beside the threshold and a sparkline of its
  series. An action first shows its resolved preview: in write mode (--write, an admin, online) a confirmation
  matched to its risk (screens.action_dialog), then it runs and is verified; otherwise the preview and the
  equivalent AWS CLI command stay on screen, with why it does not run, and the step is skipped. An approve step
  needs its phrase typed. The engine audits every step.
"""

from __future__ import annotations

import re
from asyncio import CancelledError
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList, Select, Sparkline, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from console.config import Profile
from console.ops.audit import Actor, AuditLog
from console.ops.aws import AwsClients, ClientSource
from console.ops.metrics import format_value
from console.ops.runbooks.actions import Env, Outcome, Preview
from console.ops.runbooks.checks import session_line
from console.ops.runbooks.command import describe_step
from console.ops.runbooks.engine import RunbookRun, StepState, StepStatus
from console.ops.runbooks.inputs import bounds, field_text, given_values, problems
from console.ops.runbooks.loader import Problem, load_all
from console.ops.runbooks.model import (
    ActionStep,
    ApproveStep,
    IntegerInput,
    IntegerListInput,
    NumberInput,
    Runbook,
    StringInput,
)
from screens.action_dialog import ActionDialog, ApproveDialog
from screens.base import ShellScreen, background

ClientsFor = Callable[[Profile], ClientSource]
STATUS_TEXT = {
    StepStatus.PENDING: "",
    StepStatus.PASSED: "PASS",
    StepStatus.FAILED: "FAIL",
    StepStatus.UNKNOWN: "UNKNOWN",
    StepStatus.DONE: "DONE",
    StepStatus.INCOMPLETE: "INCOMPL",
    StepStatus.REFUSED: "REFUSED",
    StepStatus.SKIPPED: "SKIPPED",
}
STATUS_STYLE = {
    StepStatus.PENDING: "dim",
    StepStatus.PASSED: "$success",
    StepStatus.FAILED: "$error bold",
    StepStatus.UNKNOWN: "$warning bold",
    StepStatus.DONE: "$success bold",
    StepStatus.INCOMPLETE: "$error bold",
    StepStatus.REFUSED: "$warning bold",
    StepStatus.SKIPPED: "$text-muted",
}
OUTCOME_STYLE = {"verified": "$success bold", "cancelled": "$text-muted", "refused": "$warning bold"}
TABS = {"about": "About", "inputs": "Inputs", "steps": "Steps"}  # keys 1-3
MAX_ROWS = 10  # database rows shown under a check


def _labelled(label: str, text: str) -> Content:
    return Content.assemble((f"{label:<7}", "dim"), text)


def reflow(text: str) -> str:
    """A file's hard-wrapped text for the screen to wrap: lines of a paragraph joined; a numbered or indented line
    (a list item, a command) and the line after a colon keep their own line."""
    out: list[str] = []
    for line in text.strip().splitlines():
        keeps_line = not out or re.match(r"\s|\d+\. ", line) or out[-1].endswith(":") or re.match(r"\s", out[-1])
        if keeps_line:
            out.append(line.rstrip())
        else:
            out[-1] += " " + line.strip()
    return "\n".join(out)


class RunbooksScreen(ShellScreen):
    """The list of runbooks; Enter opens one."""

    TITLE = "Runbooks"
    BINDINGS: ClassVar = [Binding("escape", "app.home", "Home", id="runbooks.home")]

    class Loaded(Message):
        def __init__(self, runbooks: list[Runbook], problems: list[Problem]) -> None:
            super().__init__()
            self.runbooks = runbooks
            self.problems = problems

    def __init__(self, clients: ClientsFor | None = None, directory: Path | None = None) -> None:
        """`clients` makes the AWS clients of a run (by default the profile's); `directory` holds the files."""
        super().__init__()
        self._clients = clients
        self._directory = directory
        self.runbooks: list[Runbook] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(Content("Runbooks: reading the files…"), id="runbooks-summary")
        yield OptionList(id="runbook-list")
        yield Static(id="runbook-problems")

    def on_mount(self) -> None:
        self.query_one("#runbook-problems", Static).display = False
        self._load()
        self.query_one("#runbook-list", OptionList).focus()

    @background("runbooks", "Reading the runbook files")
    def _load(self) -> None:
        self.post_message(self.Loaded(*load_all(self._directory)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.runbooks = message.runbooks
        listing = self.query_one("#runbook-list", OptionList)
        listing.set_options(
            Option(
                Content.assemble(
                    (runbook.title, "bold"),
                    (f"  {runbook.category}" + (" · manual procedure" if runbook.manual else ""), "dim"),
                    "\n",
                    (runbook.when_to_use, "$text-muted"),
                ),
                id=runbook.name,
            )
            for runbook in message.runbooks
        )
        listing.highlighted = 0 if message.runbooks else None
        mode = "write mode" if self.app.write_mode else "read-only"
        self.query_one("#runbooks-summary", Static).update(
            Content.assemble(
                ("Runbooks", "bold"), f" · {len(message.runbooks)} · {mode} · Enter opens one, n then runs its steps"
            )
        )
        if message.problems:
            shown = self.query_one("#runbook-problems", Static)
            shown.update(Content("Not loaded:\n" + "\n".join(map(str, message.problems))))
            shown.display = True

    @on(OptionList.OptionSelected, "#runbook-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.open_runbook(str(event.option.id))

    def open_runbook(self, name: str) -> None:
        runbook = next(r for r in self.runbooks or [] if r.name == name)
        self.app.push_screen(RunbookScreen(runbook, self._clients))

    def commands(self) -> Iterable[SystemCommand]:
        for runbook in self.runbooks or []:
            opens = partial(self.open_runbook, runbook.name)
            yield SystemCommand(f"Runbook: {runbook.title}", runbook.when_to_use, opens)


class RunbookScreen(ShellScreen):
    """One runbook and its run."""

    TITLE = "Runbook"
    BINDINGS: ClassVar = [
        Binding("n", "next_step", "Next step", id="runbook.next"),
        Binding("s", "skip", "Skip step", id="runbook.skip"),
        Binding("c", "check_again", "Check again", show=False, id="runbook.check_again"),
        *(
            Binding(str(n), f"tab('{tab}')", f"{title} tab", show=False, id=f"runbook.tab_{tab}")
            for n, (tab, title) in enumerate(TABS.items(), start=1)
        ),
        Binding("escape", "app.pop_screen", "Runbooks", id="runbook.back"),
    ]

    class StepDone(Message):
        def __init__(self, run: RunbookRun, outcome: Outcome | None = None) -> None:
            super().__init__()
            self.run = run
            self.outcome = outcome  # an action's, to announce

    class PreviewReady(Message):
        def __init__(self, run: RunbookRun, preview: Preview) -> None:
            super().__init__()
            self.run = run
            self.preview = preview

    class Progress(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, runbook: Runbook, clients: ClientsFor | None = None) -> None:
        super().__init__()
        self.runbook = runbook
        self._clients = clients or AwsClients
        self.run: RunbookRun | None = None
        self.busy: str | None = None  # what a worker is doing for the run, while it does it
        self._verify_checks = 0

    # --- layout ---------------------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="runbook-header")
        with TabbedContent(id="runbook-tabs"):
            with TabPane(self._tab_label("about"), id="about"), VerticalScroll(classes="tab-body"):
                yield Static(self._about(), id="runbook-about")
            with TabPane(self._tab_label("inputs"), id="inputs"), VerticalScroll(classes="tab-body"):
                for name, spec in self.runbook.inputs.items():
                    with Vertical(classes="runbook-input"):
                        yield Label(Content.assemble((name, "bold"), f"  {spec.description}"))
                        yield self._field(name, spec)
                        yield Static(Content(bounds(spec)), classes="input-help")
                        yield Static(id=f"error-{name}", classes="input-error")
                if not self.runbook.inputs:
                    yield Static("This runbook takes no inputs.")
                yield Button("Start a new run with these inputs", id="start-run")
            with TabPane(self._tab_label("steps"), id="steps"):
                yield OptionList(id="step-list")
                with VerticalScroll(id="step-detail"):
                    yield Static(id="step-head")
                    yield Sparkline(id="step-spark")
                    yield Static(id="step-body")

    def _tab_label(self, tab: str) -> str:
        key = self.app.key_display(f"runbook.tab_{tab}", str(list(TABS).index(tab) + 1))
        return f"{key} {TABS[tab]}"

    @staticmethod
    def _field(name: str, spec: IntegerInput | NumberInput | StringInput | IntegerListInput) -> Input | Select[str]:
        default = spec.default
        enum = None if isinstance(spec, IntegerListInput) else spec.enum
        if enum is not None:
            options = [(field_text(v), field_text(v)) for v in enum]
            value = field_text(default) if default is not None else Select.NULL
            return Select(options, value=value, allow_blank=default is None, id=f"input-{name}", compact=True)
        kind = "integer" if isinstance(spec, IntegerInput) else "number" if isinstance(spec, NumberInput) else "text"
        return Input(field_text(default), type=kind, id=f"input-{name}", compact=True, select_on_focus=False)

    def _about(self) -> Content:
        book = self.runbook
        parts: list[Content | str | tuple[str, str]] = [
            ("When to use  ", "bold"),
            book.when_to_use,
            ("\nWhen not to  ", "bold"),
            book.when_not_to_use,
        ]
        for heading, text in (
            ("Meaning", book.meaning),
            ("Impact", book.impact),
            ("Diagnosis", book.diagnosis),
            ("Mitigation", book.mitigation),
        ):
            parts += [
                ("\n\n" + heading + "\n", "bold"),
                reflow(text),
            ]
        parts += [("\n\nSource  ", "dim"), (book.source, "dim")]
        return Content.assemble(*parts)

    def on_mount(self) -> None:
        for error in self.query(".input-error"):
            error.display = False
        self.run = RunbookRun(self.runbook, self._env())  # the defaults; the Inputs tab starts another run
        self._show()
        self.query_one("#runbook-tabs", TabbedContent).active = "about"
        self.query_one("#about VerticalScroll").focus()

    def _env(self) -> Env:
        """Who acts, from the signed-in session; read-only unless --write, an admin, online (write_mode.refusal)."""
        app = self.app
        signed_in = app.signed_in
        who = signed_in.identity if signed_in else None
        return Env(
            profile=app.profile,
            actor=Actor.current(who.username if who else None, who.role if who else None),
            clients=self._clients(app.profile),
            audit=AuditLog(clock=app.clock),
            api=app.session.api if app.session else None,
            write_mode=app.write_mode,
            offline=signed_in.offline if signed_in else True,
            clock=app.clock,
            sleep=self._wait,
        )

    # --- showing the run ------------------------------------------------------------------------------------

    def _show(self) -> None:
        run = self.run
        assert run is not None
        book = self.runbook
        current = run.next_step()
        where = (
            "every step is finished"
            if current is None
            else f"step {current.index + 1} of {len(run.steps)}: {current.step.title}"
        )
        # Why not, when read-only, is said at each action step (the header has one line for it).
        mode = Content.styled("write mode", "$error bold") if run.refusal is None else Content("read-only")
        self.query_one("#runbook-header", Static).update(
            Content.assemble(
                (book.title, "bold"),
                (f" · {book.version} · {book.category}", "dim"),
                "\n",
                Content.styled(f"{self.busy}…", "$accent bold") if self.busy else Content(where),
                " · ",
                mode,
            )
        )
        steps = self.query_one("#step-list", OptionList)
        highlighted = steps.highlighted
        steps.set_options(Option(self._step_line(state, current), id=state.step.id) for state in run.steps)
        steps.highlighted = highlighted if highlighted is not None else 0
        self._show_detail()

    @staticmethod
    def _step_line(state: StepState, current: StepState | None) -> Content:
        marker = "▶" if state is current else " "
        return Content.assemble(
            f"{marker}{state.index + 1:>2} ",
            Content.styled(f"{STATUS_TEXT[state.status]:<8}", STATUS_STYLE[state.status]),
            (f"{state.step.kind:<8}", "dim"),
            state.step.title,
        )

    def _selected(self) -> StepState | None:
        if self.run is None:
            return None
        index = self.query_one("#step-list", OptionList).highlighted
        return self.run.steps[index] if index is not None and index < len(self.run.steps) else None

    @on(OptionList.OptionHighlighted, "#step-list")
    def _show_detail(self) -> None:
        state = self._selected()
        if state is None:
            return
        head, body = self._detail(state)
        self.query_one("#step-head", Static).update(head)
        self.query_one("#step-body", Static).update(body)
        spark = self.query_one("#step-spark", Sparkline)
        series = state.check.series if state.check else ()
        spark.data = [p.value for p in series]
        spark.display = bool(series)

    def _detail(self, state: StepState) -> tuple[Content, Content]:
        """The step's head (above the sparkline) and the rest, as lines."""
        step = state.step
        status = STATUS_TEXT[state.status] or "not run yet"
        head = [
            Content.assemble(
                Content.styled(status, STATUS_STYLE[state.status]),
                "  ",
                (step.title, "bold"),
                (f"  ({step.kind})", "dim"),
            )
        ]
        if step.why:
            head.append(Content.styled(step.why, "$text-muted"))
        if state.outcome is not None:  # first, above the preview it came from
            outcome = state.outcome
            head.append(
                Content.assemble(
                    Content.styled(outcome.status, OUTCOME_STYLE.get(outcome.status, "$error bold")),
                    f": {outcome.detail}",
                    (f" · audit {outcome.action_id[:8]}", "dim"),
                )
            )
        body: list[Content] = []
        check = state.check
        if check is not None:
            head.append(
                Content.assemble(
                    Content.styled(check.label, STATUS_STYLE[state.status]),
                    f"  {check.actual_text}  ",
                    (f"({check.target_text})", "dim"),
                )
            )
            if check.series:
                values = [p.value for p in check.series]
                low, high = format_value(min(values)), format_value(max(values))
                body.append(Content.styled(f"{check.series_label} · min {low} · max {high}", "dim"))
            body += [
                Content(session_line(row) if "pid" in row else f"{row['state']}: {row['count']}")
                for row in check.rows[:MAX_ROWS]
            ]
            if len(check.rows) > MAX_ROWS:
                body.append(Content(f"… and {len(check.rows) - MAX_ROWS} more"))
            body += [_labelled("source", check.source), *([_labelled("cli", check.cli)] if check.cli else [])]
            if check.hint:
                body.append(_labelled("hint", check.hint))
        elif isinstance(step, ActionStep):
            body += self._action_detail(state)
        elif isinstance(step, ApproveStep):
            body.append(Content(reflow(step.instructions)))
            body.append(Content.assemble(("Type ", "dim"), (step.phrase, "bold"), (" to go on.", "dim")))
        else:
            body.append(Content.styled(describe_step(step), "dim"))
        if state.note and not isinstance(step, ActionStep):
            body.append(_labelled("note", state.note))
        if self.run is not None and state is self.run.next_step():
            body.append(Content.styled("n runs this step · s skips it", "dim"))
        return Content("\n").join(head), Content("\n").join(body)

    def _action_detail(self, state: StepState) -> list[Content]:
        assert isinstance(state.step, ActionStep) and self.run is not None
        if state.preview is None:
            lines = [
                Content.styled(describe_step(state.step), "dim"),
                Content.styled("n shows its resolved preview first.", "dim"),
            ]
        else:
            lines = [
                Content.styled(f"{state.preview.action} · risk {state.preview.risk.value}", "dim"),
                Content(state.preview.text),
            ]
        if state.note:
            lines.append(Content.styled(state.note, "$warning"))
        elif state.preview is None and self.run.refusal:
            lines.append(Content.styled(f"Not run here: {self.run.refusal}", "$warning"))
        return lines

    # --- tabs and inputs ------------------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one("#runbook-tabs", TabbedContent).active = tab
        focus = {"about": "#about VerticalScroll", "inputs": "#inputs Input, #inputs Select", "steps": "#step-list"}
        self.query(focus[tab]).first().focus()

    def _given(self) -> dict[str, str]:
        given = {}
        for name in self.runbook.inputs:
            field = self.query_one(f"#input-{name}")
            if isinstance(field, Select):
                given[name] = "" if field.value is Select.NULL else str(field.value)
            elif isinstance(field, Input):
                given[name] = field.value
        return given

    def _show_problems(self, only: str | None = None) -> dict[str, str]:
        found = problems(self.runbook, self._given())
        for name in self.runbook.inputs:
            if only is None or name == only:
                error = self.query_one(f"#error-{name}", Static)
                error.update(Content(found.get(name, "")))
                error.display = name in found
        return found

    @on(Input.Changed)
    @on(Select.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed) -> None:
        widget_id = event.control.id or ""
        if widget_id.startswith("input-"):
            self._show_problems(widget_id.removeprefix("input-"))

    @on(Input.Submitted)
    @on(Button.Pressed, "#start-run")
    def _start_run(self) -> None:
        if self.busy:
            self.notify(f"Wait: {self.busy}.", severity="warning")
            return
        found = self._show_problems()
        if found:
            self.notify("Fix the inputs marked in red first.", severity="error")
            return
        self.run = RunbookRun(self.runbook, self._env(), given_values(self._given()))
        self._show()
        self.action_tab("steps")
        self.notify("A new run with these inputs: n runs its first step.", timeout=4)

    # --- walking the steps ----------------------------------------------------------------------------------

    def action_next_step(self) -> None:
        run = self.run
        if run is None or self._is_busy():
            return
        state = run.next_step()
        if state is None:
            self.notify("Every step is finished. Start a new run from the Inputs tab to walk it again.", timeout=6)
            return
        self._focus_step(state)
        step = state.step
        if isinstance(step, ApproveStep):
            dialog = ApproveDialog(f"{step.title} (approval)", reflow(step.instructions), step.phrase)
            self.app.push_screen(dialog, partial(self._approved, run))
            return
        if isinstance(step, ActionStep):
            self._working(f"preparing the preview of {step.action}")
            self._preview(run)
        else:
            self._working(f"checking: {step.title}")
            self._check(run, None)

    def action_skip(self) -> None:
        run = self.run
        if run is None or self._is_busy() or run.next_step() is None:
            return
        self._focus_step(run.next_step())
        self._working("skipping")
        self._skip(run)

    def action_check_again(self) -> None:
        """The highlighted check again (a step already reached), for a fresh figure."""
        state = self._selected()
        run = self.run
        if run is None or state is None or self._is_busy():
            return
        current = run.next_step()
        if state.step.kind != "check" or (current is not None and state.index > current.index):
            self.notify("Only a check already reached can be run again.", severity="warning")
            return
        self._working(f"checking again: {state.step.title}")
        self._check(run, state.step.id)

    def _is_busy(self) -> bool:
        if self.busy:
            self.notify(f"Wait: {self.busy}.", severity="warning", timeout=3)
        return self.busy is not None

    def _working(self, text: str) -> None:
        self.busy = text
        self._show()

    def _focus_step(self, state: StepState | None) -> None:
        if state is None:
            return
        tabs = self.query_one("#runbook-tabs", TabbedContent)
        if tabs.active != "steps":
            self.action_tab("steps")
        self.query_one("#step-list", OptionList).highlighted = state.index

    @background("runbook-step", "Running a check of the runbook")
    def _check(self, run: RunbookRun, step_id: str | None) -> None:
        run.run_check(step_id)
        self.post_message(self.StepDone(run))

    @background("runbook-step", "Preparing the action's preview")
    def _preview(self, run: RunbookRun) -> None:
        preview = run.preview_action()
        # Blocked, or not allowed here: the preview (with the CLI command) stays on screen and the step is skipped,
        # as the headless command does; no dialog with a button that would fail.
        if preview.blocked:
            run.skip(f"cannot run now: {preview.blocked}")
        elif run.refusal:
            run.skip(f"not run: {run.refusal}")
        else:
            self.post_message(self.PreviewReady(run, preview))
            return
        self.post_message(self.StepDone(run))

    @on(PreviewReady)
    def _preview_ready(self, message: PreviewReady) -> None:
        if message.run is not self.run:
            return
        self.busy = None
        self._show()
        preview = message.preview
        title = f"{self.runbook.title}: {message.run.next_step().step.title}"  # type: ignore[union-attr]
        self.app.push_screen(ActionDialog(title, preview, None), partial(self._confirmed, message.run))

    def _confirmed(self, run: RunbookRun, answer: str | None) -> None:
        if answer is None:
            self._working("recording the cancel")
            self._act(run, "n")  # the engine records it as cancelled; the step stays, to preview again or skip
            return
        self._verify_checks = 0
        self._working("running the action")
        self._act(run, answer)

    @background("runbook-step", "Running the runbook's action")
    def _act(self, run: RunbookRun, answer: str) -> None:
        self.post_message(self.StepDone(run, run.confirm_and_run(answer)))

    def _wait(self, seconds: float) -> None:
        """The engine waits between its verify looks (in the worker): progress on screen, and the moment to stop
        when the screen or the console closes (the action goes on; the audit log has it as executed)."""
        self._verify_checks += 1
        self.post_message(self.Progress(f"verifying: waiting for the effect (look {self._verify_checks})"))
        if get_current_worker().cancelled_event.wait(seconds):
            raise CancelledError

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        self.busy = message.text
        self._show()

    def _approved(self, run: RunbookRun, typed: str | None) -> None:
        if typed is None or run is not self.run:
            return
        self._working("recording the approval")
        self._approve(run, typed)

    @background("runbook-step", "Recording the approval")
    def _approve(self, run: RunbookRun, typed: str) -> None:
        run.approve(typed)
        self.post_message(self.StepDone(run))

    @background("runbook-step", "Skipping the step")
    def _skip(self, run: RunbookRun) -> None:
        run.skip("skipped by the operator")
        self.post_message(self.StepDone(run))

    @on(StepDone)
    def _step_done(self, message: StepDone) -> None:
        if message.run is not self.run:
            return
        self.busy = None
        self._show()
        outcome = message.outcome
        if outcome is not None and outcome.status != "cancelled":
            severity = "information" if outcome.status == "verified" else "warning"
            self.notify(f"{outcome.status}: {outcome.detail}", severity=severity, timeout=8)

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Run the next step", "Check, preview an action, or approve", self.action_next_step)
        yield SystemCommand("Skip this step", "Leave it undone and go on (recorded)", self.action_skip)
        yield SystemCommand("Check again", "Read the highlighted check's figure again", self.action_check_again)
        for tab, title in TABS.items():
            yield SystemCommand(f"{title} tab", f"Show the runbook's {title.lower()}", partial(self.action_tab, tab))
