"""What a write answered: its status (201 created, 200 replayed or updated) and body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

Body = TypeVar("Body", bound=BaseModel)


@dataclass(frozen=True)
class Outcome(Generic[Body]):
    status: int
    body: Body
    replayed: bool = False  # the same create came again: nothing changed

    @classmethod
    def created(cls, body: Body) -> Outcome[Body]:
        return cls(201, body)

    @classmethod
    def replay(cls, body: Body) -> Outcome[Body]:
        return cls(200, body, replayed=True)

    @classmethod
    def updated(cls, body: Body) -> Outcome[Body]:
        return cls(200, body)
