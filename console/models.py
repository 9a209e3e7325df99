"""The console's own pydantic models of the HTTP contract (the backend keeps its own; DESIGN.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: str
    version: str
    database: Literal["sqlite", "postgresql"]


class MeUser(BaseModel):
    sub: str
    username: str


class MeShop(BaseModel):
    id: str
    name: str
    currency: str


class Me(BaseModel):
    user: MeUser
    shop: MeShop
    role: Literal["cashier", "manager", "support", "admin"]
    server_time: datetime
