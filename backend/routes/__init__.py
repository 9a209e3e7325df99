"""One router per area of the HTTP contract; `create_app` includes every router listed here."""

from fastapi import APIRouter

from backend.routes import admin, health, inventory, me, orders, products, reports, shifts, sync

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    me.router,
    products.router,
    inventory.router,
    orders.router,
    sync.router,
    shifts.router,
    reports.router,
    admin.router,
)
