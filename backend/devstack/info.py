"""What a started stack tells its caller: where things are and who can sign in."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from backend.devstack.demo_accounts import Challenge, Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    shop: str
    challenge: Challenge | None
    totp_secret: str | None


@dataclass(frozen=True)
class StackInfo:
    api_url: str
    aws_endpoint_url: str
    region: str
    user_pool_id: str
    client_id: str
    jwks_url: str
    issuer: str
    users: list[DemoUser]
    password_policy: str

    def to_json(self) -> str:
        """One line of JSON (the line `python -m backend.devstack` prints)."""
        return json.dumps(asdict(self), separators=(",", ":"))

    def user(self, username: str) -> DemoUser:
        return next(user for user in self.users if user.username == username)
