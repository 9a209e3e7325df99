"""The products table is the local view: the server's product with this device's unsent edits applied on top.

While a product has unsent ops, the server's copy waits in `product_server` and `products` holds the
composition; when the last op is answered the server's copy (usually the op's own answer) becomes the row
again. Without a `product_server` row, the `products` row *is* the server's state, which is what lets the
initial pull write 100,000 rows with one statement per page.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from offline_cache.jsonutil import dumps
from offline_cache.migrations import DEFERRED_INDEXES
from offline_cache.models import EDITABLE_PRODUCT_FIELDS, PRODUCT_FIELDS

_VALUES = ", ".join("?" * len(PRODUCT_FIELDS))
_SET = ", ".join(f"{name} = excluded.{name}" for name in PRODUCT_FIELDS[1:])
# A server row never goes back in version: an older copy arriving late (a page fetched before an ack) is ignored.
_UPSERT_SERVER = (
    f"INSERT INTO products ({', '.join(PRODUCT_FIELDS)}, local_changes) VALUES ({_VALUES}, 0) "
    f"ON CONFLICT (id) DO UPDATE SET {_SET}, local_changes = 0 WHERE excluded.version >= products.version"
)
_UPSERT_LOCAL = (
    f"INSERT INTO products ({', '.join(PRODUCT_FIELDS)}, local_changes) VALUES ({_VALUES}, ?) "
    f"ON CONFLICT (id) DO UPDATE SET {_SET}, local_changes = excluded.local_changes"
)
# Barcodes are unique in the cache. Pages of changes can bring a product's new barcode before the change that
# freed it on another product; that other product's own change follows, so its stale barcode is cleared.
_FREE_BARCODE = "UPDATE products SET barcode = NULL WHERE barcode = ? AND id <> ?"
_SELECT_ROW = f"SELECT {', '.join(PRODUCT_FIELDS)} FROM products WHERE id = ?"


def _row(product: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        product["id"],
        product["sku"],
        product.get("barcode") or None,
        product["name"],
        product.get("category"),
        product["price"],
        product["tax_rate_bp"],
        1 if product.get("active", True) else 0,
        product.get("version", 0),
        product.get("updated_at") or "",
    )


def apply_server_products(conn: sqlite3.Connection, products: Iterable[Mapping[str, Any]]) -> None:
    """Write the server's current products (a page of changes, or an op's answer) into the view."""
    overlaid = {row[0] for row in conn.execute("SELECT id FROM product_server")}
    plain: list[tuple[Any, ...]] = []
    for product in products:
        if product["id"] in overlaid:
            _set_server_copy(conn, product["id"], product)
        else:
            plain.append(_row(product))
    conn.executemany(_FREE_BARCODE, [(row[2], row[0]) for row in plain if row[2] is not None])
    conn.executemany(_UPSERT_SERVER, plain)


def delete_server_product(conn: sqlite3.Connection, product_id: str) -> None:
    if conn.execute("SELECT 1 FROM product_server WHERE id = ?", (product_id,)).fetchone():
        conn.execute("UPDATE product_server SET data = NULL WHERE id = ?", (product_id,))
        refresh(conn, product_id)
    else:
        conn.execute("DELETE FROM products WHERE id = ?", (product_id,))


def server_copy(conn: sqlite3.Connection, product_id: str) -> dict[str, Any] | None:
    """The product as the server last told us (None when the server does not have it)."""
    row = conn.execute("SELECT data FROM product_server WHERE id = ?", (product_id,)).fetchone()
    if row is not None:
        return None if row[0] is None else json.loads(row[0])
    return _current(conn, product_id)


def _current(conn: sqlite3.Connection, product_id: str) -> dict[str, Any] | None:
    row = conn.execute(_SELECT_ROW, (product_id,)).fetchone()
    if row is None:
        return None
    product = dict(zip(PRODUCT_FIELDS, row, strict=True))
    product["active"] = bool(product["active"])
    return product


def _set_server_copy(conn: sqlite3.Connection, product_id: str, product: Mapping[str, Any]) -> None:
    row = conn.execute("SELECT data FROM product_server WHERE id = ?", (product_id,)).fetchone()
    known = None if row is None or row[0] is None else json.loads(row[0])
    if known is None or product.get("version", 0) >= known.get("version", 0):
        conn.execute(
            "INSERT INTO product_server (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            (product_id, dumps(dict(product))),
        )
    refresh(conn, product_id)


def refresh(conn: sqlite3.Connection, product_id: str) -> None:
    """Recompute a product's row from the server's copy and its unsent ops (in seq order)."""
    ops = conn.execute(
        "SELECT type, payload, created_at FROM outbox WHERE entity = ? AND status IN ('pending', 'in_flight') "
        "ORDER BY seq",
        (f"product:{product_id}",),
    ).fetchall()
    snapshot = conn.execute("SELECT data FROM product_server WHERE id = ?", (product_id,)).fetchone()
    if snapshot is None:
        if not ops:
            return
        # First unsent op on this product: the row is still the server's state; keep it aside.
        server = _current(conn, product_id)
        conn.execute(
            "INSERT INTO product_server (id, data) VALUES (?, ?)",
            (product_id, None if server is None else dumps(server)),
        )
    else:
        server = None if snapshot[0] is None else json.loads(snapshot[0])
    state = None if server is None else dict(server)
    for op_type, payload_text, created_at in ops:
        payload = json.loads(payload_text)
        changes = {name: payload[name] for name in EDITABLE_PRODUCT_FIELDS if name in payload}
        if op_type == "product.create" and state is None:
            state = {"id": product_id, "version": 0, **changes}
        elif op_type == "product.update" and state is not None:
            state.update(changes)
        else:
            continue
        state["updated_at"] = created_at
    if state is None:
        conn.execute("DELETE FROM products WHERE id = ?", (product_id,))
    else:
        row = _row(state)
        if row[2] is not None:
            conn.execute(_FREE_BARCODE, (row[2], product_id))
        conn.execute(_UPSERT_LOCAL, (*row, 1 if ops else 0))
    if not ops:
        conn.execute("DELETE FROM product_server WHERE id = ?", (product_id,))


def complete_initial_load(conn: sqlite3.Connection) -> None:
    """The first full pull is in: build the lookup indexes and the search index from every row at once, and from
    now on let the triggers keep the search index current row by row."""
    if conn.execute("SELECT initial_pull_done FROM sync_state WHERE id = 1").fetchone()[0]:
        return
    for statement in DEFERRED_INDEXES:
        conn.execute(statement)
    conn.execute("INSERT INTO products_fts (products_fts) VALUES ('rebuild')")
    conn.execute("UPDATE sync_state SET initial_pull_done = 1 WHERE id = 1")
