"""Migration 1: shops, and the staff table that maps a Cognito `sub` to its shop.

Tables are defined here as they were at this version (a later migration alters them, never this file);
`backend.db.tables` holds their current shape for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.migrations.base import Migration, MigrationContext
from backend.db.types import GUID, UTCDateTime

_metadata = sa.MetaData()

_shops = sa.Table(
    "shops",
    _metadata,
    sa.Column("id", GUID, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False, server_default=sa.func.current_timestamp()),
    sa.CheckConstraint("length(currency) = 3", name="shops_currency_iso_4217"),
)

_staff = sa.Table(
    "staff",
    _metadata,
    sa.Column("sub", sa.Text, primary_key=True),
    sa.Column("shop_id", GUID, sa.ForeignKey("shops.id"), nullable=False, index=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False, server_default=sa.func.current_timestamp()),
)


def _apply(ctx: MigrationContext) -> None:
    ctx.create_tenant_table(_shops, tenant_column="id")
    ctx.create_tenant_table(_staff)
    # A request knows only the token's `sub` until it has found the shop, and RLS hides every staff row until
    # the shop is set. Rather than a policy that opens the staff table to the app role, this SECURITY DEFINER
    # function (run as the owner, who keeps every row) answers exactly one question: which staff row and shop
    # has this sub. It takes the exact key only, so it cannot list staff, and only the app role may call it.
    ctx.postgresql(
        """
        CREATE FUNCTION app_lookup_staff(p_sub text)
        RETURNS TABLE (sub text, shop_id uuid, username text, display_name text, active boolean,
                       shop_name text, currency text)
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp
        AS $$
            SELECT s.sub, s.shop_id, s.username, s.display_name, s.active, p.name, p.currency
            FROM public.staff s JOIN public.shops p ON p.id = s.shop_id
            WHERE s.sub = p_sub
        $$
        """,
        "REVOKE ALL ON FUNCTION app_lookup_staff(text) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION app_lookup_staff(text) TO {ctx.quote(ctx.app_role)}",
    )


MIGRATION = Migration(1, "tenancy", _apply)
