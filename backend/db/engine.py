"""Engines for the two supported databases: SQLite (the embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import ConnectionPoolEntry

DialectName = Literal["sqlite", "postgresql"]

# The login role the API serves requests as on PostgreSQL: neither superuser nor owner of any table.
DEFAULT_APP_ROLE = "shop_api_app"

# The application_name of every PostgreSQL session the API opens: pg_stat_activity tells its sessions by it,
# and the admin routes never cancel or terminate them (migration v0003 checks for this exact name).
API_APPLICATION_NAME = "shop-api"

# Execution option naming how a SQLite transaction begins: "IMMEDIATE" takes the write lock up front, so a
# writer waits its turn (busy_timeout) instead of failing when it upgrades a read snapshot another writer moved.
SQLITE_BEGIN = "sqlite_begin"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def parse_database_url(url: str | URL) -> URL:
    """A SQLAlchemy URL for `sqlite:///path` or `postgresql://…` (driven by psycopg 3); anything else is an error."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError("SQLite needs a file: sqlite:///path/to/shop-api.db")
        return parsed.set(drivername="sqlite")
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: use sqlite:/// or postgresql://")


def dialect_of(url: str | URL) -> DialectName:
    return "postgresql" if parse_database_url(url).get_backend_name() == "postgresql" else "sqlite"


def app_role_url(owner_url: str | URL, role: str = DEFAULT_APP_ROLE) -> URL:
    """The owner's URL with the app role as user and no password (trust or IAM authentication)."""
    return parse_database_url(owner_url).set(username=role, password=None)


def create_engine(url: str | URL, **options: Any) -> Engine:
    """An engine with the connection settings this project relies on for the URL's database."""
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True, **options)
    Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, **options)
    sa.event.listen(engine, "connect", _configure_sqlite)
    sa.event.listen(engine, "begin", _begin_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # SQLAlchemy emits BEGIN itself (see _begin_sqlite): the sqlite3 module's implicit BEGIN comes only
    # before the first write, which leaves earlier reads outside the transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer, nor it them
    cursor.execute("PRAGMA synchronous = FULL")  # an acknowledged write survives a power cut
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"bad {SQLITE_BEGIN} {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")
