"""FastAPI dependencies for storage: the database, and the one transaction each request works in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Connection

from backend.db import Database

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def database(request: Request) -> Database:
    return request.app.state.database


def transaction(request: Request) -> Iterator[Connection]:
    """The request's transaction: authentication scopes it to the caller's shop (tenancy.set_tenant); it
    commits after the route returns and before the response leaves, and rolls back if the route raises."""
    with database(request).transaction(write=request.method not in _READ_ONLY_METHODS) as conn:
        yield conn


# Declare `conn: DbConnection` in a route: it is the same connection the principal was resolved on.
DbConnection = Annotated[Connection, Depends(transaction, scope="function")]
