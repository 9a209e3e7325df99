"""Idempotent seeding of shops and their staff (the dev stack and tests call this; it runs migrations first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from backend.db import create_engine, migrate
from backend.db.tables import shops as shops_table
from backend.db.tables import staff as staff_table


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
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    values = [{column: row[column] for column in (key, *fields)} for row in rows]
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[key], set_={field: statement.excluded[field] for field in fields}
        ),
        values,
    )
