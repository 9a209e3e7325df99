"""The console's own pydantic models of the HTTP contract (the backend keeps its own; DESIGN.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: str
    version: str
    database: Literal["sqlite", "postgresql"]
