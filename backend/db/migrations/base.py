"""What a migration is, and the helpers it creates tables with so both dialects get the same logical schema."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# The RLS predicate: `app.shop_id` is what the API sets per transaction with set_config(…, true). Unset it is
# NULL, and after such a transaction ends it is '' on that connection: NULLIF makes both "no rows", not an error.
CURRENT_SHOP = "NULLIF(current_setting('app.shop_id', true), '')::uuid"


@dataclass(frozen=True)
class MigrationContext:
    """One migration's view: the owner's connection (inside the migration transaction) and the app role."""

    conn: Connection
    app_role: str

    @property
    def on_postgresql(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    def quote(self, identifier: str) -> str:
        return self.conn.dialect.identifier_preparer.quote(identifier)

    def postgresql(self, *statements: str) -> None:
        """Run statements only on PostgreSQL (roles, grants, RLS and functions have no SQLite counterpart)."""
        if self.on_postgresql:
            for statement in statements:
                self.conn.exec_driver_sql(statement)

    def create_table(self, table: sa.Table) -> None:
        """Create a table the app role may read and write (rows only: it owns nothing, alters nothing)."""
        table.create(self.conn)
        role, name = self.quote(self.app_role), self.quote(table.name)
        self.postgresql(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        )

    def create_tenant_table(self, table: sa.Table, tenant_column: str = "shop_id") -> None:
        """Create a table whose rows belong to one shop each. On PostgreSQL the database enforces it: RLS,
        forced on the owner too, lets a session see and write only rows of the shop in `app.shop_id`."""
        self.create_table(table)
        name, column = self.quote(table.name), self.quote(tenant_column)
        self.postgresql(
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY tenant_isolation ON {name} "
            f"USING ({column} = {CURRENT_SHOP}) WITH CHECK ({column} = {CURRENT_SHOP})",
            # The migrating owner keeps every row: data migrations, seeding and the SECURITY DEFINER lookups
            # run as it, and it need not be a superuser (Aurora's master user is not, and has no BYPASSRLS).
            f"CREATE POLICY owner_maintenance ON {name} TO CURRENT_USER USING (true) WITH CHECK (true)",
        )


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[MigrationContext], None]
