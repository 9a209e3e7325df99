"""Brings a database to the latest schema version, as the owner; on PostgreSQL also readies the app role."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from backend.db.engine import DEFAULT_APP_ROLE, SQLITE_BEGIN
from backend.db.migrations import MIGRATIONS, MigrationContext
from backend.db.types import UTCDateTime

log = logging.getLogger(__name__)

# Any fixed number: two processes migrating one database at once queue on this transaction-scoped lock.
_MIGRATION_LOCK = 7_305_081_120

schema_migrations = sa.Table(
    "schema_migrations",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)


def migrate(engine: Engine, app_role: str = DEFAULT_APP_ROLE) -> list[int]:
    """Apply every pending migration in one transaction (all or none) and return the versions applied.

    `engine` connects as the owner of the schema. On PostgreSQL `app_role` is created if missing and granted
    row access to each table as it is created; it must not be that owner.
    """
    with engine.connect() as conn:
        conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
                _ensure_app_role(conn, app_role)
            schema_migrations.create(conn, checkfirst=True)
            done = set(conn.scalars(sa.select(schema_migrations.c.version)))
            applied = []
            for migration in MIGRATIONS:
                if migration.version in done:
                    continue
                migration.apply(MigrationContext(conn, app_role))
                conn.execute(
                    schema_migrations.insert().values(
                        version=migration.version, name=migration.name, applied_at=datetime.now(UTC)
                    )
                )
                log.info("migration applied", extra={"schema_version": migration.version, "migration": migration.name})
                applied.append(migration.version)
    return applied


def _ensure_app_role(conn: Connection, role: str) -> None:
    if role == conn.scalar(sa.text("SELECT current_user")):
        raise RuntimeError(f"the app role {role!r} must not be the owner that runs migrations")
    quoted = conn.dialect.identifier_preparer.quote(role)
    # Roles are cluster-wide: another database's migration may create it at the same moment.
    conn.exec_driver_sql(
        f"DO $$ BEGIN CREATE ROLE {quoted} LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    bypasses = conn.scalar(
        sa.text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :role"), {"role": role}
    )
    if bypasses:
        raise RuntimeError(f"the app role {role!r} is a superuser or bypasses RLS: tenant isolation would not hold")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {quoted}")
