"""Opaque keyset cursors: the sort key of a page's last row, as base64url JSON. Clients pass them back as is."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from backend.problems import FieldError, Problem


def encode_cursor(*key: str | int | datetime) -> str:
    values = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *kinds: type) -> tuple[Any, ...]:
    """The key `encode_cursor` packed, each value checked against its kind (str, int, UUID, datetime) and
    returned as one (a UUID as its canonical string); 422 for anything else."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(key, list) or len(key) != len(kinds):
            raise ValueError(cursor)
        return tuple(_as(kind, value) for kind, value in zip(kinds, key, strict=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_query("cursor", "This cursor was not issued by this list: start again without one.") from None


def _as(kind: type, value: Any) -> Any:
    if kind is int and isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**62:
        return value
    if kind is str and isinstance(value, str) and "\x00" not in value:
        return value
    if kind is UUID and isinstance(value, str):
        return str(UUID(value))
    if kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            return moment
    raise ValueError(value)


def invalid_query(parameter: str, detail: str) -> Problem:
    error = FieldError(location="query", pointer=f"/{parameter}", detail=detail)
    return Problem(422, detail, type_="validation", errors=[error])


def beyond(
    columns: Sequence[sa.ColumnElement[Any]], key: Sequence[Any], *, descending: bool = False
) -> sa.ColumnElement[bool]:
    """Rows after `key` in the order of `columns` (a row-value comparison, bound with the columns' own types)."""
    row = sa.tuple_(*columns)
    bound = sa.tuple_(*(sa.literal(value, column.type) for column, value in zip(columns, key, strict=True)))
    return row < bound if descending else row > bound
