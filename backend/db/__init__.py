"""Storage: SQLite or PostgreSQL through SQLAlchemy Core, versioned migrations, tenancy (RLS on PostgreSQL)."""

from backend.db.database import Database
from backend.db.engine import API_APPLICATION_NAME, DEFAULT_APP_ROLE, DialectName, create_engine, dialect_of
from backend.db.migrate import migrate
from backend.db.tenancy import StaffMember, lookup_staff, set_tenant

__all__ = [
    "API_APPLICATION_NAME",
    "DEFAULT_APP_ROLE",
    "Database",
    "DialectName",
    "StaffMember",
    "create_engine",
    "dialect_of",
    "lookup_staff",
    "migrate",
    "set_tenant",
]
