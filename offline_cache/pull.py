"""Applying a page of `/v1/sync/changes` to the cache (the caller wraps it in the page's transaction)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from offline_cache import product_view, stock
from offline_cache.transport import Change


def apply_page(conn: sqlite3.Connection, changes: Sequence[Change]) -> None:
    """Products and stock levels in feed order; entity kinds this release does not know are skipped."""
    products: list[dict[str, Any]] = []
    levels: list[dict[str, Any]] = []
    for change in changes:
        if change.entity == "product":
            if change.deleted or change.data is None:
                product_view.apply_server_products(conn, products)
                products.clear()
                product_view.delete_server_product(conn, change.id)
            else:
                products.append(change.data)
        elif change.entity == "stock":
            if change.deleted or change.data is None:
                stock.apply_server_stock(conn, levels)
                levels.clear()
                stock.delete_server_stock(conn, *_stock_key(change))
            else:
                levels.append(change.data)
    product_view.apply_server_products(conn, products)
    stock.apply_server_stock(conn, levels)


def _stock_key(change: Change) -> tuple[str, str]:
    """A deleted level names its product and location in `data` when it has one, else in its id
    ("<product_id>/<location>")."""
    if change.data and "product_id" in change.data and "location" in change.data:
        return change.data["product_id"], change.data["location"]
    product_id, _, location = change.id.partition("/")
    return product_id, location
