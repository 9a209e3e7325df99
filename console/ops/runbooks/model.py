"""The runbook file format as pydantic models (the format is described in assets/runbooks/README.md).

A runbook is a TOML file: what it is for (title, when to use it and when not, Meaning, Impact, Diagnosis,
Mitigation), typed inputs with defaults and bounds, and steps of three kinds: `check` (a CloudWatch metric, a
CloudWatch Logs count or a database query through shop-api, against a threshold), `action` (a named operation of
the fixed registry, with parameters) and `approve` (a pause for the operator's typed confirmation).

Any string of a step may name an input as `{name}`; a numeric field may be exactly `"{name}"` of a numeric input.
`resolve_step` puts the run's input values in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from console.ops.metrics import Statistic

SLUG = r"^[a-z][a-z0-9-]*$"
INPUT_NAME = r"^[a-z][a-z0-9_]*$"
REFERENCE = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _number_or_reference(value: Any) -> float | str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and REFERENCE.fullmatch(value):
        return value
    raise ValueError('must be a number, or "{name}" of a numeric input')


Num = Annotated[float | str, PlainValidator(_number_or_reference)]  # a number, or "{name}" of a numeric input
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1)]
Comparison = Literal[">", ">=", "<", "<="]
Category = Literal["incident", "disaster-recovery", "backup", "maintenance"]
CATEGORIES: tuple[Category, ...] = get_args(Category)  # in the order a list shows them


class InputError(ValueError):
    """An input value that does not fit its declaration; the message names the input."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- inputs ---------------------------------------------------------------------------------------------------


class _Input(_Model):
    description: Text

    def accept(self, name: str, raw: Any) -> Any:
        """The typed value of `raw` (a string from a command line, or a value from a file or a screen)."""
        try:
            value = self._coerce(raw)
        except ValidationError as exc:
            raise InputError(f"input {name}: {exc.errors()[0]['msg'].lower()} (got {raw!r})") from None
        problem = self._problem(value)
        if problem:
            raise InputError(f"input {name}: {problem} (got {raw!r})")
        return value

    def _coerce(self, raw: Any) -> Any:
        raise NotImplementedError

    def _problem(self, value: Any) -> str | None:
        raise NotImplementedError


class _Scalar(_Input):
    enum: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None

    def _problem(self, value: Any) -> str | None:
        if self.enum is not None and value not in self.enum:
            return "must be one of " + ", ".join(map(str, self.enum))
        if self.min is not None and value < self.min:
            return f"must be at least {self.min:g}"
        if self.max is not None and value > self.max:
            return f"must be at most {self.max:g}"
        return None

    @model_validator(mode="after")
    def _default_fits(self) -> _Scalar:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        default = getattr(self, "default", None)
        if default is not None and self._problem(default):
            raise ValueError(f"default {default!r} {self._problem(default)}")
        return self


class IntegerInput(_Scalar):
    type: Literal["integer"]
    default: int | None = None
    enum: tuple[int, ...] | None = None

    def _coerce(self, raw: Any) -> int:
        return TypeAdapter(int).validate_python(raw.strip() if isinstance(raw, str) else raw)


class NumberInput(_Scalar):
    type: Literal["number"]
    default: float | None = None
    enum: tuple[float, ...] | None = None

    def _coerce(self, raw: Any) -> float:
        return TypeAdapter(float).validate_python(raw.strip() if isinstance(raw, str) else raw)


class StringInput(_Scalar):
    type: Literal["string"]
    default: str | None = None
    enum: tuple[str, ...] | None = None
    min: None = None
    max: None = None

    def _coerce(self, raw: Any) -> str:
        return TypeAdapter(Text).validate_python(raw.strip() if isinstance(raw, str) else raw)


class IntegerListInput(_Input):
    """A list of integers (e.g. session pids); on a command line, comma-separated."""

    type: Literal["integer_list"]
    default: tuple[int, ...] | None = None
    max_items: int = Field(default=20, ge=1)

    def _coerce(self, raw: Any) -> tuple[int, ...]:
        if isinstance(raw, str):
            raw = [part for part in re.split(r"[,\s]+", raw.strip()) if part]
        return TypeAdapter(tuple[int, ...]).validate_python(raw)

    def _problem(self, value: tuple[int, ...]) -> str | None:
        return f"at most {self.max_items} items" if len(value) > self.max_items else None


Input = Annotated[IntegerInput | NumberInput | StringInput | IntegerListInput, Field(discriminator="type")]


# --- steps ----------------------------------------------------------------------------------------------------


class _Step(_Model):
    id: Slug
    title: Text
    why: str = ""  # one or two sentences shown under the title


class _Check(_Step):
    kind: Literal["check"]
    fail_when: Comparison  # the check FAILs when `actual <fail_when> threshold`
    threshold: Num
    unit: str = ""  # for display: "%", "ms", "s", "sessions"
    hint: str = ""  # what to do when it fails


class MetricCheck(_Check):
    """A CloudWatch statistic over the last `window_minutes`, read at `period_seconds`; the chart spans
    `chart_minutes`."""

    source: Literal["metric"]
    namespace: Text
    metric: Text
    dimensions: dict[str, str] = Field(default_factory=dict)
    statistic: Statistic = "Average"
    window_minutes: Num = 15
    period_seconds: int = Field(default=300, ge=60, multiple_of=60)
    chart_minutes: int = Field(default=180, ge=5, le=24 * 60)


class LogsCheck(_Check):
    """Log events of `log_group` matching `filter_pattern` over the last `window_minutes`, counted in bins of
    `bin_minutes`. With `json_field`, only events whose JSON message has that field above `json_above` count
    (checked here as well, because not every endpoint applies JSON filter patterns)."""

    source: Literal["logs"]
    log_group: Text
    filter_pattern: Text
    json_field: str | None = None
    json_above: Num | None = None
    window_minutes: Num = 60
    bin_minutes: int = Field(default=5, ge=1, le=60)
    measure: Literal["max_per_bin", "total"] = "max_per_bin"

    @model_validator(mode="after")
    def _field_and_bound(self) -> LogsCheck:
        if (self.json_field is None) != (self.json_above is None):
            raise ValueError("json_field and json_above go together")
        return self


class DbCheck(_Check):
    """The database's client sessions through shop-api (`GET /v1/admin/db/sessions`): `sessions_by_state`
    counts them all (rows: one per state); `sessions` counts those in `state` for at least `min_minutes`
    since their query started (rows: the sessions, which session actions can then target)."""

    source: Literal["db"]
    query: Literal["sessions_by_state", "sessions"]
    state: str | None = None
    min_minutes: Num | None = None

    @model_validator(mode="after")
    def _filters_only_for_sessions(self) -> DbCheck:
        if self.query == "sessions_by_state" and (self.state is not None or self.min_minutes is not None):
            raise ValueError("state and min_minutes filter the `sessions` query only")
        return self


class MaintenanceCheck(_Check):
    """A fact of the guide's weekly maintenance (console.ops.maintenance): `unused_indexes` (shop-api, PostgreSQL:
    the guide's pg_stat_user_indexes query), `old_log_streams` of the log group `subject` created more than `days`
    ago, `certificate_days_left` of the ACM certificate for the domain `subject` (the soonest to expire; one not
    ISSUED counts as 0), `lifecycle_rules` enabled on the bucket `subject`."""

    source: Literal["maintenance"]
    fact: Literal["unused_indexes", "old_log_streams", "certificate_days_left", "lifecycle_rules"]
    subject: str = ""
    days: Num = 30.0


CheckStep = Annotated[MetricCheck | LogsCheck | DbCheck | MaintenanceCheck, Field(discriminator="source")]
CHECK_STEPS = (MetricCheck, LogsCheck, DbCheck, MaintenanceCheck)  # for isinstance: every kind of check step


class ActionStep(_Step):
    kind: Literal["action"]
    action: Text  # a name of the registry (console.ops.runbooks.registry)
    params: dict[str, Any] = Field(default_factory=dict)


class ApproveStep(_Step):
    kind: Literal["approve"]
    instructions: Text  # what the operator does or checks by hand before typing the phrase
    phrase: Annotated[str, StringConstraints(min_length=2, pattern=r"^\S(.*\S)?$")] = "approve"


Step = Annotated[CheckStep | ActionStep | ApproveStep, Field(discriminator="kind")]


class Runbook(_Model):
    format: Literal[1]
    name: Slug  # the file's name without .toml
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]
    title: Text
    category: Category
    manual: bool = False  # a procedure done by hand: approve and check steps only, never an action
    cadence_days: int | None = Field(default=None, ge=1)  # how often it is due (maintenance): overdue after that
    source: Text  # where in the operations guide it comes from
    when_to_use: Text
    when_not_to_use: Text
    meaning: Text
    impact: Text
    diagnosis: Text
    mitigation: Text
    inputs: dict[Annotated[str, StringConstraints(pattern=INPUT_NAME)], Input] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)

    def defaults(self) -> dict[str, Any]:
        return {name: spec.default for name, spec in self.inputs.items() if spec.default is not None}

    def accept_inputs(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every input's value: the given ones (strings or values) checked, the others at their defaults.
        InputError names an unknown input, a bad value, or a required input not given."""
        unknown = sorted(set(given) - set(self.inputs))
        if unknown:
            known = ", ".join(self.inputs) or "none"
            raise InputError(f"unknown input {unknown[0]} (this runbook's inputs: {known})")
        values = {}
        for name, spec in self.inputs.items():
            if name in given:
                values[name] = spec.accept(name, given[name])
            elif spec.default is not None:
                values[name] = spec.default
            else:
                raise InputError(f"input {name} is required: {spec.description}")
        return values


# --- input references -----------------------------------------------------------------------------------------


def references(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str, bool]]:
    """Every `{name}` in a dumped step: (where, name, whether it is the whole value)."""
    if isinstance(value, str):
        whole = REFERENCE.fullmatch(value)
        for match in REFERENCE.finditer(value):
            yield path, match[1], whole is not None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from references(item, (*path, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from references(item, (*path, index))


def resolve(value: Any, values: Mapping[str, Any]) -> Any:
    """`value` with the inputs put in: a whole "{name}" becomes the typed value, a name inside text its text."""
    if isinstance(value, str):
        whole = REFERENCE.fullmatch(value)
        if whole:
            return values[whole[1]]
        return REFERENCE.sub(lambda m: _text(values[m[1]]), value)
    if isinstance(value, Mapping):
        return {key: resolve(item, values) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(item, values) for item in value]
    return value


def resolve_step(step: Any, values: Mapping[str, Any]) -> Any:
    """The step with its inputs put in, validated again (so a numeric field is a number now)."""
    return type(step).model_validate(resolve(step.model_dump(), values))


def number(value: float | str | None) -> float:
    """A numeric field of a resolved step."""
    if isinstance(value, str) or value is None:
        raise TypeError(f"unresolved numeric field {value!r}")
    return float(value)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)
