"""GET /v1/me: the caller as the API sees them: user, shop, role, and the server's clock (for skew checks)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from backend.auth import CurrentPrincipal, Role

router = APIRouter(tags=["session"])


class User(BaseModel):
    sub: str
    username: str


class Shop(BaseModel):
    id: str
    name: str
    currency: str


class Me(BaseModel):
    user: User
    shop: Shop
    role: Role
    server_time: datetime


@router.get("/v1/me")
def me(principal: CurrentPrincipal) -> Me:
    return Me(
        user=User(sub=principal.sub, username=principal.username),
        shop=Shop(id=principal.shop_id, name=principal.shop_name, currency=principal.currency),
        role=principal.role,
        server_time=datetime.now(UTC),
    )
