"""A stable digest of a request, stored with what it created: the same id with the same body is a replay (200),
with another body a mistake (422)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel

# One encoder for every digest (json.dumps with options builds a new one per call, and a push takes two per op).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def fingerprint(request: BaseModel | dict[str, Any]) -> str:
    """sha256 of the request's canonical JSON (validated, so `"2024-01-01T10:00:00+00:00"` and `…Z` agree)."""
    data = request.model_dump(mode="json") if isinstance(request, BaseModel) else request
    canonical = _CANONICAL.encode(data)
    return hashlib.sha256(canonical.encode()).hexdigest()
