"""Migration 4: the weekly database maintenance of the guide (ANALYZE; VACUUM (ANALYZE)) for the admin routes
(PostgreSQL only; SQLite gets nothing).

Only a table's owner (or, from PostgreSQL 17, a role with the MAINTAIN privilege) may analyze or vacuum it, and the
app role owns nothing. So:

- `admin_analyze()`: a SECURITY DEFINER function that runs as the migrating owner and analyzes each table it owns
  in `public`, nothing else, returning their names. ANALYZE may run inside a function; VACUUM may not.
- VACUUM cannot run inside a function or a transaction, so the route runs it itself, in autocommit, as the app role:
  on PostgreSQL 17 and later this migration grants the app role MAINTAIN on the tables (now and later), which
  allows VACUUM, ANALYZE and REINDEX but reads and writes nothing. Older servers keep VACUUM to the owner: the route
  says so and names the psql command.

Only the app role may execute the function; the routes admit only the admin role.
"""

from __future__ import annotations

from backend.db.migrations.base import Migration, MigrationContext

MAINTAIN_FROM = 170000  # server_version_num of PostgreSQL 17, which added the MAINTAIN privilege

_ANALYZE = """
CREATE FUNCTION admin_analyze()
RETURNS TABLE (table_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_table record;
BEGIN
    FOR v_table IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relowner = (
            SELECT oid FROM pg_roles WHERE rolname = current_user)
        ORDER BY c.relname
    LOOP
        EXECUTE 'ANALYZE public.' || quote_ident(v_table.relname);
        table_name := v_table.relname;
        RETURN NEXT;
    END LOOP;
END
$$
"""


def _apply(ctx: MigrationContext) -> None:
    role = ctx.quote(ctx.app_role)
    grant = (
        f"GRANT MAINTAIN ON ALL TABLES IN SCHEMA public TO {role}; "
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT MAINTAIN ON TABLES TO {role}"
    )
    ctx.postgresql(
        _ANALYZE,
        "REVOKE ALL ON FUNCTION admin_analyze() FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION admin_analyze() TO {role}",
        # Written as a DO block: the statement does not parse before PostgreSQL 17.
        "DO $$ BEGIN IF current_setting('server_version_num')::int >= "
        f"{MAINTAIN_FROM} THEN EXECUTE {_literal(grant)}; END IF; END $$",
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


MIGRATION = Migration(4, "maintenance", _apply)
