"""The schema's history: every migration in order. Add a module `vNNNN_name.py` and append it here."""

from backend.db.migrations import (
    v0001_tenancy,
    v0002_catalogue_sales_sync,
    v0003_admin,
    v0004_maintenance,
    v0005_shifts,
)
from backend.db.migrations.base import Migration, MigrationContext

MIGRATIONS: tuple[Migration, ...] = (
    v0001_tenancy.MIGRATION,
    v0002_catalogue_sales_sync.MIGRATION,
    v0003_admin.MIGRATION,
    v0004_maintenance.MIGRATION,
    v0005_shifts.MIGRATION,
)

__all__ = ["MIGRATIONS", "Migration", "MigrationContext"]
