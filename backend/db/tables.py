"""The current shape of every table, for building queries. Migrations create and change the tables; keep
this file in step with them (tests compare it with the migrated schema on both databases)."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.types import GUID, UTCDateTime

metadata = sa.MetaData()

shops = sa.Table(
    "shops",
    metadata,
    sa.Column("id", GUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("sub", sa.Text, primary_key=True),
    sa.Column("shop_id", GUID, sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Tables whose rows each belong to one shop, with the column naming it (RLS-protected on PostgreSQL).
TENANT_COLUMNS: dict[str, str] = {"shops": "id", "staff": "shop_id"}
