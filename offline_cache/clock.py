"""Time for the offline cache: an injectable clock and one fixed text form for stored times.

The clock is a plain callable returning an aware UTC datetime, as elsewhere in the project, so a test or the
fault suite can move the device's time without patching anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_text(moment: dt.datetime) -> str:
    """RFC 3339 UTC with microseconds and a `Z`: one fixed width, so stored times sort as text."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(text: str) -> dt.datetime:
    """Parse an RFC 3339 time (ours or the server's) into an aware UTC datetime."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
