"""The shop-api application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend import __version__, problems
from backend.db import Database
from backend.middleware import BodySizeLimit, RequestContext
from backend.routes import ROUTERS
from backend.settings import Settings
from backend.tokens import TokenVerifier

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    """A shop-api app. Its lifespan migrates the database (as the owner) and opens the request pool (as the
    app role on PostgreSQL); `app.state` holds `settings`, `token_verifier` and, while running, `database`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = Database.open(settings.database_url, settings.app_database_url)
        log.info("database ready", extra={"database": app.state.database.dialect})
        try:
            yield
        finally:
            app.state.database.dispose()

    app = FastAPI(
        title="shop-api",
        version=__version__,
        summary="The Shop Console backend: catalogue, stock, orders and sync for each shop.",
        openapi_url="/openapi.json",
        responses=problems.PROBLEM_RESPONSES,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings.jwks_url, settings.issuer, settings.client_id)
    problems.install(app)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(RequestContext)  # added last, so outermost: its id and log line cover everything
    for router in ROUTERS:
        app.include_router(router)
    return app
