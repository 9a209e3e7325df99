"""One router per area of the HTTP contract; `create_app` includes every router listed here."""

from fastapi import APIRouter

from backend.routes import health, me

ROUTERS: tuple[APIRouter, ...] = (health.router, me.router)
