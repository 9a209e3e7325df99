"""The guide's weekly database maintenance (scripts/weekly-maintenance.sh, step 1), PostgreSQL only:

- `status`: per table, the live and dead rows and when it was last vacuumed and analyzed (pg_stat_user_tables),
  the guide's unused-index query (pg_stat_user_indexes WHERE idx_tup_read = 0), and whether this server lets the
  API's role VACUUM (PostgreSQL 17's MAINTAIN privilege, granted by migration v0004).
- `run`: ANALYZE through the owner's `admin_analyze()` (migration v0004), or VACUUM (ANALYZE) of each table, which
  cannot run in a transaction: on its own autocommit connection. Plain VACUUM takes no lock that blocks reads or
  writes, so it is safe during business hours; it is still the weekly task of the maintenance window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

Operation = Literal["analyze", "vacuum_analyze"]
MAINTAIN_FROM = 170000  # PostgreSQL 17: the MAINTAIN privilege

_TABLES = sa.text(
    "SELECT relname AS table, n_live_tup AS live_rows, n_dead_tup AS dead_rows, last_vacuum, last_autovacuum, "
    "last_analyze, last_autoanalyze FROM pg_stat_user_tables WHERE schemaname = 'public' ORDER BY relname"
)
# The guide's query, as written (its "tablename" is pg_stat_user_indexes' relname).
_UNUSED_INDEXES = sa.text(
    "SELECT schemaname AS schema, relname AS table, indexrelname AS index, idx_tup_read, idx_tup_fetch "
    "FROM pg_stat_user_indexes WHERE idx_tup_read = 0 ORDER BY relname, indexrelname"
)


@dataclass(frozen=True)
class Status:
    collected_at: datetime
    tables: list[dict[str, Any]]
    unused_indexes: list[dict[str, Any]]
    vacuum_allowed: bool
    vacuum_refusal: str | None


def vacuum_refusal(conn: Connection) -> str | None:
    """Why the API's role may not VACUUM here, or None when it may."""
    version = int(conn.scalar(sa.text("SELECT current_setting('server_version_num')")) or 0)
    if version < MAINTAIN_FROM:
        return (
            "VACUUM needs the table owner before PostgreSQL 17 (no MAINTAIN privilege for the API's role): run "
            "`psql -h $DB_ENDPOINT -U postgres -d shop_management -c 'VACUUM (ANALYZE, VERBOSE);'` as the owner"
        )
    return None


def status(conn: Connection) -> Status:
    return Status(
        collected_at=conn.scalar(sa.text("SELECT clock_timestamp()")),
        tables=[dict(row) for row in conn.execute(_TABLES).mappings()],
        unused_indexes=[dict(row) for row in conn.execute(_UNUSED_INDEXES).mappings()],
        vacuum_allowed=vacuum_refusal(conn) is None,
        vacuum_refusal=vacuum_refusal(conn),
    )


def analyze(conn: Connection) -> list[str]:
    """ANALYZE each of the schema's tables, as their owner; their names."""
    return list(conn.scalars(sa.text("SELECT table_name FROM admin_analyze()")))


def vacuum_analyze(engine: Engine, tables: list[str]) -> float:
    """VACUUM (ANALYZE) each table on an autocommit connection of the API's role; the seconds it took."""
    began = time.monotonic()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            quoted = conn.dialect.identifier_preparer.quote(table)
            conn.exec_driver_sql(f"VACUUM (ANALYZE) public.{quoted}")
    return time.monotonic() - began
