"""Which shop a request works for: the staff lookup by Cognito `sub`, and scoping a transaction to the shop."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from backend.db.tables import shops, staff


@dataclass(frozen=True)
class StaffMember:
    sub: str
    shop_id: str
    username: str
    display_name: str
    active: bool
    shop_name: str
    currency: str


def lookup_staff(conn: Connection, sub: str) -> StaffMember | None:
    """The staff row (and its shop) for a Cognito `sub`, before the transaction is scoped to any shop."""
    if conn.dialect.name == "postgresql":
        # RLS hides staff rows until app.shop_id is set: the owner's narrow lookup function answers instead.
        query = sa.text("SELECT * FROM app_lookup_staff(:sub)").bindparams(sub=sub)
    else:
        query = (
            sa.select(
                staff.c.sub,
                staff.c.shop_id,
                staff.c.username,
                staff.c.display_name,
                staff.c.active,
                shops.c.name.label("shop_name"),
                shops.c.currency,
            )
            .join(shops, shops.c.id == staff.c.shop_id)
            .where(staff.c.sub == sub)
        )
    row = conn.execute(query).mappings().first()
    return None if row is None else StaffMember(**{**row, "shop_id": str(row["shop_id"])})


def set_tenant(conn: Connection, shop_id: str) -> None:
    """Scope the current transaction to one shop. On PostgreSQL the RLS policies read it; it ends with the
    transaction (set_config's is_local), so a pooled connection never carries it into another request.
    SQLite has no RLS: there every query filters on shop_id itself, as it must on both."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.set_config("app.shop_id", shop_id, True)))
