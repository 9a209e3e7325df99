"""Who is calling: a verified Cognito access token, its role (from `cognito:groups`) and its shop (from our
own staff table, never from a claim a user could write)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Connection

from backend.db import lookup_staff, set_tenant
from backend.dependencies import DbConnection, database
from backend.problems import Problem
from backend.tokens import TokenVerifier

log = logging.getLogger(__name__)


class Role(StrEnum):
    """DESIGN.md's roles: cashier < manager (selling and the catalogue); support reads; admin (operations)."""

    cashier = "cashier"
    manager = "manager"
    support = "support"
    admin = "admin"


# Someone in several groups acts with the most privileged of them, in this order.
_PRECEDENCE = (Role.admin, Role.manager, Role.support, Role.cashier)

# Who may write what (DESIGN.md's roles): cashiers sell; managers also keep the catalogue and stock and refund.
# Support and admin read every shop screen but make no sales edits. Every role may read.
SELLERS = frozenset({Role.cashier, Role.manager})
MANAGERS = frozenset({Role.manager})
READERS = frozenset(Role)


def role_from_groups(groups: Iterable[str] | None) -> Role | None:
    present = set(groups or ())
    return next((role for role in _PRECEDENCE if role.value in present), None)


@dataclass(frozen=True)
class Principal:
    sub: str
    username: str
    display_name: str
    role: Role
    shop_id: str
    shop_name: str
    currency: str


_bearer = HTTPBearer(auto_error=False, bearerFormat="JWT", description="A Cognito access token")


def _unauthorized(detail: str, invalid_token: bool) -> Problem:
    challenge = 'Bearer realm="shop-api"' + (', error="invalid_token"' if invalid_token else "")
    return Problem(401, detail, headers={"WWW-Authenticate": challenge})


def access_token_claims(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> dict[str, Any]:
    if credentials is None:
        raise _unauthorized("A bearer access token is required.", invalid_token=False)
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(credentials.credentials)
    except jwt.PyJWKClientConnectionError as exc:
        log.error("token signing keys unavailable", extra={"error": str(exc)})
        raise Problem(503, "Tokens cannot be verified right now.", headers={"Retry-After": "5"}) from exc
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("The access token has expired.", invalid_token=True) from exc
    except jwt.PyJWTError as exc:
        log.info("token rejected", extra={"reason": str(exc)})
        raise _unauthorized("The access token is not valid.", invalid_token=True) from exc


def _principal(request: Request, claims: dict[str, Any], conn: Connection) -> Principal:
    role = role_from_groups(claims.get("cognito:groups"))
    if role is None:
        raise Problem(403, "This account is in none of the shop roles.", type_="no-role")
    member = lookup_staff(conn, claims["sub"])
    if member is None or not member.active:
        raise Problem(403, "This account is not on any shop's staff.", type_="not-staff")
    set_tenant(conn, member.shop_id)
    principal = Principal(
        sub=member.sub,
        username=claims.get("username") or member.username,
        display_name=member.display_name,
        role=role,
        shop_id=member.shop_id,
        shop_name=member.shop_name,
        currency=member.currency,
    )
    request.state.principal = principal  # for the access log line
    return principal


def current_principal(
    request: Request, claims: Annotated[dict[str, Any], Depends(access_token_claims)], conn: DbConnection
) -> Principal:
    """The caller, with the request's transaction scoped to their shop. 403 without a role or a staff row."""
    return _principal(request, claims, conn)


def principal_of_own_transaction(
    request: Request, claims: Annotated[dict[str, Any], Depends(access_token_claims)]
) -> Principal:
    """The caller, looked up in a short read transaction of its own: for routes that run their own transactions
    (the sync push commits each op in one), where holding the request's would block them on SQLite."""
    with database(request).transaction(write=False) as conn:
        return _principal(request, claims, conn)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OwnTransactionPrincipal = Annotated[Principal, Depends(principal_of_own_transaction)]


def require_roles(*roles: Role, own_transactions: bool = False) -> Callable[[Principal], Principal]:
    """A dependency admitting only these roles (DESIGN.md's table), e.g.
    `principal: Annotated[Principal, Depends(require_roles(Role.cashier, Role.manager))]`. With
    `own_transactions` the route gets no request transaction and opens its own (see principal_of_own_transaction)."""
    allowed = frozenset(roles)

    def admit(principal: Principal) -> Principal:
        if principal.role not in allowed:
            needed = " or ".join(sorted(allowed))
            raise Problem(403, f"This needs the {needed} role.", type_="role-required")
        return principal

    def in_request_transaction(principal: CurrentPrincipal) -> Principal:
        return admit(principal)

    def in_own_transaction(principal: OwnTransactionPrincipal) -> Principal:
        return admit(principal)

    return in_own_transaction if own_transactions else in_request_transaction


# For route signatures: `principal: Sellers` admits cashiers and managers, and so on.
Sellers = Annotated[Principal, Depends(require_roles(*SELLERS))]
Managers = Annotated[Principal, Depends(require_roles(*MANAGERS))]
Readers = Annotated[Principal, Depends(require_roles(*READERS))]
