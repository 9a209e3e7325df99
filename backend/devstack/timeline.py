"""The seeded history: the last 3 hours in 5-minute periods, ending in an incident that is still going on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PERIOD = timedelta(minutes=5)
SPAN = timedelta(hours=3)
# Long enough for the guide's alarms (2 periods) and a 15-minute runbook check to see it; ongoing at start.
INCIDENT = timedelta(minutes=40)


@dataclass(frozen=True)
class Timeline:
    now: datetime  # the stack's clock at start (aware, UTC)

    @property
    def start(self) -> datetime:
        return self.now - SPAN

    @property
    def incident_start(self) -> datetime:
        return self.now - INCIDENT

    def points(self) -> list[datetime]:
        """One timestamp per period, the last one at `now`."""
        count = SPAN // PERIOD
        return [self.now - PERIOD * (count - 1 - i) for i in range(count)]

    def in_incident(self, moment: datetime) -> bool:
        return moment > self.incident_start
