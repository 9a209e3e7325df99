"""GET /v1/health: is the API up and its database answering (no authentication)."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from backend import __version__
from backend.db import DialectName
from backend.dependencies import database
from backend.problems import Problem

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: DialectName


@router.get("/v1/health")
def health(request: Request) -> Health:
    db = database(request)
    try:
        db.ping()
    except SQLAlchemyError as exc:
        log.error("database health check failed", extra={"error": str(exc)})
        raise Problem(503, "The database is not answering.", type_="database-unavailable") from exc
    return Health(status="ok", version=__version__, database=db.dialect)
