"""Reading runbook files: TOML validated by the model, then checked as a whole (unique step ids, known inputs and
actions, parameters that fit their action). Every problem names the file, the line and the reason."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import assets
from console.ops.runbooks.model import (
    CATEGORIES,
    SLUG,
    ActionStep,
    DbCheck,
    Runbook,
    references,
    resolve,
    resolve_step,
)
from console.ops.runbooks.registry import ACTIONS
from console.ops.runbooks.toml_lines import KeyLines

RUNBOOKS_DIR = Path(assets.__file__).resolve().parent / "runbooks"
SUFFIX = ".toml"
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.reason}" if self.line else f"{self.path}: {self.reason}"


class RunbookError(Exception):
    """A runbook file that cannot be used; `problems` says where and why, one per line of the message."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))


class UnknownRunbook(LookupError):
    pass


def load_runbook(path: Path) -> Runbook:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RunbookError([Problem(path, None, f"cannot read: {exc.strerror}")]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RunbookError([_toml_problem(path, text, exc)]) from exc
    lines = KeyLines(text)
    try:
        runbook = Runbook.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(path, lines, data, _error_loc(error, data), _message(error)) for error in exc.errors()]
        raise RunbookError(problems) from exc
    problems = [_problem(path, lines, data, loc, reason) for loc, reason in whole_file_problems(runbook, path.stem)]
    if problems:
        raise RunbookError(problems)
    return runbook


def load_all(directory: Path | None = None) -> tuple[list[Runbook], list[Problem]]:
    """Every runbook of the directory (incidents first, then by title), and the problems of those that failed to load:
    a screen lists the good ones and says what is wrong with the others."""
    runbooks, problems = [], []
    for path in sorted((directory or RUNBOOKS_DIR).glob(f"*{SUFFIX}")):
        try:
            runbooks.append(load_runbook(path))
        except RunbookError as exc:
            problems += exc.problems
    return sorted(runbooks, key=lambda r: (CATEGORIES.index(r.category), r.title)), problems


def find_runbook(name: str, directory: Path | None = None) -> Runbook:
    """The runbook of that name; UnknownRunbook if there is none, RunbookError if its file is broken."""
    path = (directory or RUNBOOKS_DIR) / f"{name}{SUFFIX}"
    if not re.match(SLUG, name) or not path.is_file():
        known = ", ".join(p.stem for p in sorted((directory or RUNBOOKS_DIR).glob(f"*{SUFFIX}")))
        raise UnknownRunbook(f"no runbook {name!r} (there are: {known})")
    return load_runbook(path)


def whole_file_problems(runbook: Runbook, file_stem: str) -> Iterator[tuple[Loc, str]]:
    """What the model cannot see one field at a time."""
    if runbook.name != file_stem:
        yield ("name",), f"name {runbook.name!r} must be the file's name ({file_stem!r})"
    defaults = runbook.defaults()
    seen: dict[str, int] = {}
    for index, step in enumerate(runbook.steps):
        at: Loc = ("steps", index)
        if step.id in seen:
            yield (*at, "id"), f"step id {step.id!r} is used by an earlier step too"
        seen.setdefault(step.id, index)
        if runbook.manual and isinstance(step, ActionStep):
            yield (*at, "kind"), "a manual runbook has no action steps"
        names = set()
        for path, name, _whole in references(step.model_dump()):
            names.add(name)
            if name not in runbook.inputs:
                yield (*at, *path), f"{{{name}}} names no input of this runbook"
        if not names <= set(defaults):
            continue  # an input without a default: the values are checked when the run is given them
        try:
            resolve_step(step, defaults)
        except ValidationError as exc:
            for error in exc.errors():
                yield (*at, *error["loc"]), f"with the inputs' defaults: {_message(error)}"
        if isinstance(step, ActionStep):
            yield from _action_problems(runbook, index, step, defaults)


def _action_problems(
    runbook: Runbook, index: int, step: ActionStep, defaults: dict[str, Any]
) -> Iterator[tuple[Loc, str]]:
    at: Loc = ("steps", index)
    action = ACTIONS.get(step.action)
    if action is None:
        yield (*at, "action"), f"unknown action {step.action!r} (the registry has: {', '.join(ACTIONS)})"
        return
    try:
        action.params.model_validate(resolve(step.params, defaults))
    except ValidationError as exc:
        for error in exc.errors():
            yield (*at, "params", *error["loc"]), _message(error)
    earlier = {s.id: s for s in runbook.steps[:index]}
    for source in step.params.get("from_steps", ()):
        found = earlier.get(source)
        if not (isinstance(found, DbCheck) and found.query == "sessions"):
            yield (*at, "params", "from_steps"), f"{source!r} is no earlier database check of query 'sessions'"


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def _error_loc(error: Any, data: dict[str, Any]) -> Loc:
    """The error's keys in the file: without pydantic's union tags (a step's `kind` and `source`, an input's
    `type`), and a wrong or missing tag as the error of its key, not of the whole table."""
    loc = _without_tags(tuple(error["loc"]), data)
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return (*loc, str(error["ctx"]["discriminator"]).strip("'"))
    return loc


def _without_tags(loc: Loc, data: dict[str, Any]) -> Loc:
    if len(loc) < 3 or loc[0] not in ("steps", "inputs"):
        return loc
    try:
        table = data[loc[0]][loc[1]]
    except (KeyError, IndexError, TypeError):
        return loc
    if not isinstance(table, dict):
        return loc
    rest = loc[2:]
    for tag in ("kind", "source") if loc[0] == "steps" else ("type",):
        if rest and rest[0] == table.get(tag):
            rest = rest[1:]
    return (*loc[:2], *rest)


def _problem(path: Path, lines: KeyLines, data: dict[str, Any], loc: Loc, reason: str) -> Problem:
    line, found = lines.line_of(loc)
    shown = found if not loc or found[-1:] == loc[-1:] else (*found, loc[-1])
    where = _where(shown, data)
    return Problem(path, line, f"{where}: {reason}" if where else reason)


def _where(path: Loc, data: dict[str, Any]) -> str:
    """`step 'cpu', threshold` for a step's key; dotted keys otherwise."""
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        steps = data.get("steps")
        step = steps[path[1]] if isinstance(steps, list) and path[1] < len(steps) else {}
        name = f"step {step['id']!r}" if isinstance(step, dict) and "id" in step else f"step {path[1] + 1}"
        rest = _dotted(path[2:])
        return f"{name}, {rest}" if rest else name
    return _dotted(path)


def _dotted(path: Loc) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")


def _toml_problem(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    match = re.search(r"\((?:at line (\d+), column \d+|at end of document)\)$", message)
    if match is None:
        return Problem(path, None, f"not valid TOML: {message}")
    line = int(match[1]) if match[1] else max(1, len(text.splitlines()))
    return Problem(path, line, f"not valid TOML: {message[: match.start()].strip()}")
