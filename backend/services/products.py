"""The catalogue: list and search, get, create (idempotent by the client's id), versioned update, archive."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal
from backend.db.tables import products
from backend.db.types import utcnow
from backend.db.upsert import insert
from backend.problems import FieldError, Problem
from backend.schemas.products import Product, ProductCreate, ProductPage, ProductPatch
from backend.services import changes
from backend.services.fingerprint import fingerprint
from backend.services.outcome import Outcome
from backend.services.pagination import beyond, decode_cursor, encode_cursor

PRODUCT_COLUMNS = tuple(products.c[name] for name in Product.model_fields)


def product_body(row: sa.RowMapping | dict[str, Any]) -> Product:
    return Product(**{**{name: row[name] for name in Product.model_fields}, "id": str(row["id"])})


def _in_shop(principal: Principal) -> sa.ColumnElement[bool]:
    return products.c.shop_id == principal.shop_id


def find_product(
    conn: Connection, principal: Principal, product_id: str, *, for_update: bool = False
) -> Product | None:
    query = sa.select(*PRODUCT_COLUMNS).where(_in_shop(principal), products.c.id == product_id)
    # FOR NO KEY UPDATE: orders and movements referencing the product (KEY SHARE) need not wait for an edit.
    row = conn.execute(query.with_for_update(key_share=True) if for_update else query).mappings().first()
    return None if row is None else product_body(row)


def get_product(conn: Connection, principal: Principal, product_id: str) -> Product:
    product = find_product(conn, principal, product_id)
    if product is None:
        raise Problem(404, "There is no such product.")
    return product


def list_products(
    conn: Connection,
    principal: Principal,
    *,
    q: str | None = None,
    barcode: str | None = None,
    active: bool | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> ProductPage:
    """Products by name (then id), optionally matching `q` in name or SKU (any case), an exact barcode, or
    active/archived; keyset-paged."""
    query = sa.select(*PRODUCT_COLUMNS).where(_in_shop(principal))
    if q:
        query = query.where(
            sa.or_(products.c.name.icontains(q, autoescape=True), products.c.sku.icontains(q, autoescape=True))
        )
    if barcode is not None:
        query = query.where(products.c.barcode == barcode)
    if active is not None:
        query = query.where(products.c.active == active)
    if cursor:
        name, after_id = decode_cursor(cursor, str, UUID)
        query = query.where(beyond((products.c.name, products.c.id), (name, after_id)))
    rows = conn.execute(query.order_by(products.c.name, products.c.id).limit(limit + 1)).mappings().all()
    items = [product_body(row) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].name, items[-1].id) if len(rows) > limit else None
    return ProductPage(items=items, next_cursor=next_cursor)


def create_product(conn: Connection, principal: Principal, body: ProductCreate) -> Outcome[Product]:
    now = utcnow()
    values = {
        **body.model_dump(),
        "id": str(body.id),
        "shop_id": principal.shop_id,
        "version": 1,
        "request_hash": fingerprint(body),
        "created_by": principal.sub,
        "created_at": now,
        "updated_at": now,
        "change_seq": 0,
    }
    # The insert is the claim: the id (or the SKU, or the barcode) already there makes it do nothing.
    claimed = conn.execute(insert(conn, products).values(values).on_conflict_do_nothing().returning(products.c.id))
    if claimed.first() is None:
        existing = (
            conn.execute(
                sa.select(*PRODUCT_COLUMNS, products.c.request_hash).where(
                    _in_shop(principal), products.c.id == values["id"]
                )
            )
            .mappings()
            .first()
        )
        if existing is None:
            raise _identifier_taken(conn, principal, body.sku, body.barcode, exclude_id=None)
        if existing["request_hash"] != values["request_hash"]:
            raise Problem(422, "This product id was already used to create another product.", type_="id-reused")
        return Outcome.replay(product_body(existing))
    changes.stamp(conn, principal.shop_id, products_changed=[values["id"]])
    return Outcome.created(product_body(values))


def update_product(
    conn: Connection, principal: Principal, product_id: str, version: int, patch: ProductPatch
) -> Outcome[Product]:
    """Apply `patch` to the product at `version`. A stale version is a conflict (409 with the current product),
    never a silent overwrite."""
    current = find_product(conn, principal, product_id, for_update=True)
    if current is None:
        raise Problem(404, "There is no such product.")
    if current.version != version:
        raise Problem(
            409,
            f"The product was changed meanwhile: version {version} is now {current.version}.",
            type_="version-conflict",
            current=current,
        )
    edited = {**current.model_dump(), **patch.changes(), "version": version + 1, "updated_at": utcnow()}
    try:
        with conn.begin_nested():  # a SKU or barcode taken meanwhile fails only this step
            conn.execute(
                sa.update(products)
                .where(_in_shop(principal), products.c.id == product_id)
                .values({name: edited[name] for name in (*patch.changes(), "version", "updated_at")})
            )
    except sa.exc.IntegrityError:
        raise _identifier_taken(conn, principal, edited["sku"], edited["barcode"], exclude_id=product_id) from None
    changes.stamp(conn, principal.shop_id, products_changed=[product_id])
    return Outcome.updated(product_body(edited))


def _identifier_taken(
    conn: Connection, principal: Principal, sku: str, barcode: str | None, exclude_id: str | None
) -> Problem:
    """422 naming the product that already has this SKU or barcode (in the caller's shop only)."""
    errors = []
    wanted = (
        ("sku", "SKU", sa.func.lower(products.c.sku), sa.func.lower(sa.literal(sku)), sku),
        ("barcode", "Barcode", products.c.barcode, sa.literal(barcode), barcode),
    )
    for field, label, column, compared, value in wanted:
        if value is None:
            continue
        query = sa.select(products.c.id, products.c.name).where(_in_shop(principal), column == compared)
        if exclude_id is not None:
            query = query.where(products.c.id != exclude_id)
        other = conn.execute(query).first()
        if other is not None:
            detail = f"{label} {value} is already used by {other.name} ({other.id})."
            errors.append(FieldError(location="body", pointer=f"/{field}", detail=detail))
    if not errors:  # the other row went away meanwhile: a retry will do
        return Problem(503, "Another change to the catalogue got in the way: try again.", headers={"Retry-After": "1"})
    return Problem(422, " ".join(e.detail for e in errors), type_="identifier-taken", errors=errors)
