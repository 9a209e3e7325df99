"""INSERT … ON CONFLICT for either database: SQLite and PostgreSQL spell it alike, SQLAlchemy has one each."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def insert(conn: Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    return dialect_insert(conn.dialect.name, table)


def dialect_insert(dialect: str, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """The same for a dialect by name: for statements built once per dialect and reused (their compiled form is
    cached by SQLAlchemy, where a statement built per call pays for its cache key every time)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
