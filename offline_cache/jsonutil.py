"""Compact JSON for stored payloads (stable key order, so equal payloads are equal text)."""

from __future__ import annotations

import json
from typing import Any

_encoder = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def dumps(value: Any) -> str:
    return _encoder.encode(value)


def loads_or_none(text: str | None) -> Any:
    return None if text is None else json.loads(text)
