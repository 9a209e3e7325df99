"""The schema's history: every migration in order. Add a module `vNNNN_name.py` and append it here."""

from backend.db.migrations import v0001_tenancy
from backend.db.migrations.base import Migration, MigrationContext

MIGRATIONS: tuple[Migration, ...] = (v0001_tenancy.MIGRATION,)

__all__ = ["MIGRATIONS", "Migration", "MigrationContext"]
