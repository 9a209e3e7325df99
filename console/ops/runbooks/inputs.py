"""A runbook's inputs as a form: what each one accepts, in words, and every field's problem at once (the model's
`accept_inputs` stops at the first), so a screen can show each message beside its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.ops.runbooks.model import InputError, Runbook


def shown(value: Any) -> str:
    """A value as a person writes it: 80 not 80.0, lists comma-separated in brackets."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={shown(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(shown, value)) + "]"
    return str(value)


def bounds(spec: Any) -> str:
    """`integer; default 4, min 1, max 10`: the input's type, default (or required) and limits."""
    parts = [f"default {shown(spec.default)}"] if spec.default is not None else ["required"]
    for key in ("min", "max", "enum", "max_items"):
        value = getattr(spec, key, None)
        if value is not None:
            parts.append(f"{key} {shown(value)}")
    return f"{spec.type}; {', '.join(parts)}"


def field_text(value: Any) -> str:
    """A default as it is written into a form's field (a list comma-separated, without brackets)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(map(shown, value))
    return shown(value)


def problems(runbook: Runbook, given: Mapping[str, str]) -> dict[str, str]:
    """Each field's problem by input name (none: the run can start with `given`). An empty field takes the
    default, or is a problem when the input has none."""
    found = {}
    for name, spec in runbook.inputs.items():
        raw = given.get(name, "").strip()
        if not raw:
            if spec.default is None:
                found[name] = f"input {name} is required: {spec.description}"
            continue
        try:
            spec.accept(name, raw)
        except InputError as exc:
            found[name] = str(exc)
    return found


def given_values(given: Mapping[str, str]) -> dict[str, str]:
    """The fields that were filled in (an empty one takes its default)."""
    return {name: raw for name, raw in given.items() if raw.strip()}
