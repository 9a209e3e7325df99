"""Business times from tills: any RFC 3339 instant a datetime can hold in UTC, kept in UTC; anything else a 422's
reason, never a server error (schemathesis found 0001-01-01T00:00:00+02:01 answered 500 on a shift close)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from backend.schemas.fields import Timestamp

TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)


def test_an_instant_is_kept_in_utc() -> None:
    assert TIMESTAMP.validate_python("2026-12-06T09:30:00+01:00") == datetime(2026, 12, 6, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "sent", ["0001-01-01T00:00:00+02:01", "9999-12-31T23:59:59-00:01", "2026-12-06T09:30:00", "1733477400"]
)
def test_what_no_utc_instant_can_hold_or_names_no_offset_is_refused(sent: str) -> None:
    with pytest.raises(ValidationError, match="date-time"):
        TIMESTAMP.validate_python(sent)
