"""Idempotent seeding of shops, their staff and their catalogues (the dev stack and tests call these; they run
migrations first)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.auth import Principal, Role
from backend.db import Database, create_engine, migrate
from backend.db.tables import shops as shops_table
from backend.db.tables import staff as staff_table
from backend.db.upsert import insert
from backend.problems import Problem
from backend.schemas.inventory import DEFAULT_LOCATION, AdjustmentCreate
from backend.schemas.products import ProductCreate
from backend.services.inventory import adjust_stock, set_reorder_point
from backend.services.products import create_product

DEMO_DIR = Path(__file__).resolve().parent.parent / "assets" / "demo"
# The initial stock count of a seeded product has id uuid5(this, product id): seeding again finds it done.
_INITIAL_COUNT = uuid.UUID("0c6f4f0e-31a4-5d5e-9d8e-5f1b7a2c9e41")
SEEDED_BY = "seed"


def seed_tenancy(database_url: str, shops: list[dict], staff: list[dict]) -> None:
    """Insert or update shops `{id, name, currency}` and staff `{sub, shop_id, username, display_name}`.

    Runs as the owner given by `database_url` (on PostgreSQL its RLS policy lets it write every shop's rows).
    """
    engine = create_engine(database_url)
    try:
        migrate(engine)
        with engine.begin() as conn:
            _upsert(conn, shops_table, shops, key="id", fields=("name", "currency"))
            _upsert(conn, staff_table, staff, key="sub", fields=("shop_id", "username", "display_name"))
    finally:
        engine.dispose()


def _upsert(
    conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]], key: str, fields: tuple[str, ...]
) -> None:
    if not rows:
        return
    statement = insert(conn, table)
    values = [{column: row[column] for column in (key, *fields)} for row in rows]
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[key], set_={field: statement.excluded[field] for field in fields}
        ),
        values,
    )


def read_catalogue_file(path: Path) -> list[dict[str, Any]]:
    """The products of a catalogue file written by common/catalogue_gen.py (e.g. DEMO_DIR / "corner-grocer.json")."""
    return json.loads(path.read_text(encoding="utf-8"))["products"]


def seed_catalogue(database_url: str, shop_id: str, products: Sequence[Mapping[str, Any]]) -> int:
    """Give the shop (seeded before, see seed_tenancy) these products `{id, sku, barcode, name, category, price,
    tax_rate_bp, active, on_hand, reorder_point}`, each with an initial stock count of `on_hand` at "store" and
    its reorder point. Returns how many products were new.

    Idempotent: products and counts already there are left as they are (whatever was sold or edited since);
    a product id already used for different product data is an error. Goes through the same services as the
    API, so the seeded rows are in the change feed like any others.
    """
    engine = create_engine(database_url)
    try:
        migrate(engine)
        with Database(engine).transaction(shop_id=shop_id) as conn:
            seeder = _seeder(conn, shop_id)
            return sum(_seed_product(conn, seeder, product) for product in products)
    finally:
        engine.dispose()


def _seeder(conn: Connection, shop_id: str) -> Principal:
    shop = conn.execute(sa.select(shops_table).where(shops_table.c.id == shop_id)).mappings().first()
    if shop is None:
        raise ValueError(f"no shop {shop_id}: seed it first (seed_tenancy)")
    return Principal(
        sub=SEEDED_BY,
        username=SEEDED_BY,
        display_name="Catalogue seed",
        role=Role.manager,
        shop_id=shop_id,
        shop_name=shop["name"],
        currency=shop["currency"],
    )


def _seed_product(conn: Connection, seeder: Principal, product: Mapping[str, Any]) -> bool:
    body = ProductCreate.model_validate({name: product[name] for name in ProductCreate.model_fields if name in product})
    count = AdjustmentCreate(
        id=uuid.uuid5(_INITIAL_COUNT, str(body.id)),
        product_id=body.id,
        reason="count",
        counted=product.get("on_hand", 0),
        expected=0,
        note="Initial stock (seeded)",
    )
    try:
        created = create_product(conn, seeder, body)
        counted = adjust_stock(conn, seeder, count)
    except Problem as problem:
        raise ValueError(f"cannot seed product {body.id} ({body.sku}): {problem.detail}") from None
    if not counted.replayed and product.get("reorder_point"):
        set_reorder_point(conn, seeder, str(body.id), DEFAULT_LOCATION, product["reorder_point"])
    return not created.replayed
